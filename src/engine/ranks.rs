//! Paid-as ranks and titles, evaluated every month in one reverse pass.
//!
//! A distributor is paid as the highest rank whose every requirement it meets this month:
//! PV and GV (each this month's, or over a rolling window of months, with at most
//! `max_leg_share` of the GV requirement counted from any one leg), accumulated PV,
//! personally sponsored active legs, legs holding a rank and legs holding a title. A *leg*
//! is a personally sponsored distributor and its whole sponsor downline; a leg *holds*
//! rank R when someone in it is paid as R or higher this month, and *holds the title* R
//! when someone in it has reached R (this month or before). Someone not participating has
//! no rank.
//!
//! With grace (`paid_as.grace_months` = K), a distributor who falls short of the rank it
//! was paid as is still paid as that rank for up to K months in a row. A rank given for
//! the month (a held or forced rank from a company's records) replaces the evaluation.
//! The *title* is the highest rank reached, this month included.

use crate::downline::NO_SPONSOR;
use crate::plan::{CompiledPlan, NO_RANK};

/// Scratch arrays for the rank pass, reused from month to month.
#[derive(Default, Debug)]
pub struct RankScratch {
    active_legs: Vec<u32>,
    /// highest rank anywhere in the subtree (`NO_RANK` = none)
    sub_max: Vec<u8>,
    /// highest title anywhere in the subtree
    sub_title: Vec<u8>,
    /// legs holding at least `leg_rank_slots[s]`: `leg_counts[i * S + s]`
    leg_counts: Vec<u32>,
    /// legs holding at least the title `leg_title_slots[s]`: `title_counts[i * T + s]`
    title_counts: Vec<u32>,
    /// sum over legs of what each leg's GV has above the cap: `excess[i * C + c]`
    excess: Vec<i64>,
    /// the GV of the largest and second-largest leg, and of all legs together
    legs: Vec<[i64; 3]>,
}

/// What the rank pass has counted of each one's legs so far (see [`RankScratch`]).
struct Legs<'a> {
    active_legs: &'a mut [u32],
    leg_counts: &'a mut [u32],
    title_counts: &'a mut [u32],
    excess: &'a mut [i64],
    legs: &'a mut [[i64; 3]],
}

/// What the rank pass reads.
pub struct RankInput<'a> {
    /// Sponsor of each distributor.
    pub sponsor: &'a [u32],
    /// Participating this month.
    pub participating: &'a [bool],
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// PV by slot: this month's, then each of the plan's `pv_windows`.
    pub pv: &'a [&'a [i64]],
    /// GV by slot: this month's, then each of the plan's `gv_windows`.
    pub gv: &'a [&'a [i64]],
    /// Each one's recruits' PV this month (team volume is PV plus it).
    pub child_pv: &'a [i64],
    /// Accumulated PV (empty when no rank asks for it).
    pub accumulated_pv: &'a [i64],
    /// The title before this month (highest rank reached).
    pub prior_title: &'a [u8],
    /// A rank given for this month ([`NO_RANK`]: evaluate); empty for none.
    pub given: &'a [u8],
    /// Those participating, and those with recruits, each in join order: everyone else
    /// (who has quit and has no recruits) has no rank and, in the plans that let the
    /// pass skip them, adds nothing to a leg (see [`evaluate_ranks`]).
    pub participants: &'a [u32],
    pub internal: &'a [u32],
}

/// What the rank pass writes.
pub struct RankOutput<'a> {
    /// Paid-as rank ([`NO_RANK`] for none).
    pub rank: &'a mut [u8],
    /// The title this month: the highest of the title before and the paid-as rank (empty
    /// when nothing reads it).
    pub title: &'a mut [u8],
    /// Grace: the rank each one holds, and the months in a row it has fallen short of it
    /// (empty without grace).
    pub held: &'a mut [u8],
    /// See `held`.
    pub short: &'a mut [u16],
}

fn higher(a: u8, b: u8) -> u8 {
    match (a, b) {
        (NO_RANK, x) | (x, NO_RANK) => x,
        (a, b) => a.max(b),
    }
}

/// Evaluate paid-as ranks (and titles) for the month.
pub fn evaluate_ranks(
    plan: &CompiledPlan,
    input: &RankInput,
    out: RankOutput,
    scratch: &mut RankScratch,
) {
    let RankInput {
        sponsor,
        participating,
        qualified,
        gv,
        prior_title,
        given,
        ..
    } = *input;
    let RankOutput {
        rank,
        title,
        held,
        short,
    } = out;
    let n = sponsor.len();
    let slots = &plan.leg_rank_slots;
    let tslots = &plan.leg_title_slots;
    let caps = &plan.leg_caps;
    let (ns, nt, nc) = (slots.len(), tslots.len(), caps.len());
    let grace = plan.grace_months;
    let with_titles = !title.is_empty();
    // Plans whose ranks ask only for this month's PV, GV, legs and leg ranks take the
    // short test: the rules they do not use cost nothing.
    let extended = plan.uses_extended_rank_rules();
    let s = scratch;
    let reset = |v: &mut Vec<u32>, len: usize| {
        v.clear();
        v.resize(len, 0);
    };
    reset(&mut s.active_legs, n);
    reset(&mut s.leg_counts, n * ns);
    reset(&mut s.title_counts, n * nt);
    s.sub_max.clear();
    s.sub_max.resize(n, NO_RANK);
    s.sub_title.clear();
    s.sub_title.resize(if with_titles { n } else { 0 }, NO_RANK);
    s.excess.clear();
    s.excess.resize(n * nc, 0);
    let leg_volumes = plan.uses_leg_volumes();
    s.legs.clear();
    s.legs.resize(if leg_volumes { n } else { 0 }, [0; 3]);

    // Someone who has quit and has no recruits has no rank, reaches no title and passes no
    // rank up; with no title to pass up and leg caps on this month's GV only (theirs is 0),
    // the pass visits only those participating or with recruits, in the same reverse order.
    let sparse = !with_titles && caps.iter().all(|&(_, slot)| slot == 0);
    if sparse {
        rank.fill(NO_RANK);
    }
    // The scratch as plain slices, moved into the pass: held in registers, not loaded
    // again from the scratch at each use.
    let l = Legs {
        active_legs: &mut s.active_legs[..],
        leg_counts: &mut s.leg_counts[..],
        title_counts: &mut s.title_counts[..],
        excess: &mut s.excess[..],
        legs: &mut s.legs[..],
    };
    let (sub_max, sub_title) = (&mut s.sub_max[..], &mut s.sub_title[..]);
    let gv0 = gv[0];
    let caps: Vec<(i64, &[i64])> = caps
        .iter()
        .map(|&(cap, slot)| (cap, gv[slot as usize]))
        .collect();
    let mut visit = move |i: usize| {
        let mut r = NO_RANK;
        if participating[i] {
            r = if !given.is_empty() && given[i] != NO_RANK {
                given[i]
            } else {
                let earned = if extended {
                    earned_rank::<true>(plan, i, input, &l)
                } else {
                    earned_rank::<false>(plan, i, input, &l)
                };
                if grace > 0 {
                    with_grace(earned, grace, &mut held[i], &mut short[i])
                } else {
                    earned
                }
            };
        }
        rank[i] = r;
        sub_max[i] = higher(r, sub_max[i]);
        if with_titles {
            let t = higher(prior_title[i], r);
            title[i] = t;
            sub_title[i] = higher(t, sub_title[i]);
        }
        let p = sponsor[i];
        if p == NO_SPONSOR {
            return;
        }
        let p = p as usize;
        if qualified[i] {
            l.active_legs[p] += 1;
        }
        let sub = sub_max[i];
        if sub != NO_RANK {
            sub_max[p] = higher(sub_max[p], sub);
            for (k, &lr) in slots.iter().enumerate() {
                if sub >= lr {
                    l.leg_counts[p * ns + k] += 1;
                }
            }
        }
        if with_titles {
            let sub = sub_title[i];
            if sub != NO_RANK {
                sub_title[p] = higher(sub_title[p], sub);
                for (k, &lt) in tslots.iter().enumerate() {
                    if sub >= lt {
                        l.title_counts[p * nt + k] += 1;
                    }
                }
            }
        }
        // What adds nothing writes nothing: most distributors (all who have quit and
        // have no recruits) have no GV, and the sponsor's line is elsewhere in memory.
        for (k, &(cap, gv)) in caps.iter().enumerate() {
            let over = gv[i] - cap;
            if over > 0 {
                l.excess[p * nc + k] += over;
            }
        }
        if leg_volumes && gv0[i] != 0 {
            let g = gv0[i];
            let l = &mut l.legs[p];
            if g > l[0] {
                l[1] = l[0];
                l[0] = g;
            } else if g > l[1] {
                l[1] = g;
            }
            l[2] += g;
        }
    };
    if !sparse {
        for i in (0..n).rev() {
            visit(i);
        }
        return;
    }
    let (a, b) = (input.participants, input.internal);
    let (mut x, mut y) = (a.len(), b.len());
    while x > 0 || y > 0 {
        // The larger of the two lists' last entries (once, when both hold it).
        let i = if y == 0 || (x > 0 && a[x - 1] > b[y - 1]) {
            x -= 1;
            a[x]
        } else {
            y -= 1;
            if x > 0 && a[x - 1] == b[y] {
                x -= 1;
            }
            b[y]
        };
        visit(i as usize);
    }
}

/// The highest rank whose every requirement `i` meets this month (its recruits' legs
/// already counted by the reverse pass). `EXTENDED`: the plan uses windows, accumulated,
/// team, organisation or leg volumes, a limit on own PV or leg titles.
#[inline(always)]
fn earned_rank<const EXTENDED: bool>(
    plan: &CompiledPlan,
    i: usize,
    input: &RankInput,
    s: &Legs,
) -> u8 {
    let (ns, nt, nc) = (
        plan.leg_rank_slots.len(),
        plan.leg_title_slots.len(),
        plan.leg_caps.len(),
    );
    if !EXTENDED {
        let (pv, gv) = (input.pv[0][i], input.gv[0][i]);
        for (ri, req) in plan.ranks.iter().enumerate().rev() {
            if pv < req.pv || (s.active_legs[i] as u64) < req.active_legs as u64 {
                continue;
            }
            let group = gv - req.leg_cap_slot.map_or(0, |c| s.excess[i * nc + c]);
            if group < req.gv
                || req
                    .leg_ranks
                    .iter()
                    .any(|&(slot, need)| s.leg_counts[i * ns + slot] < need)
            {
                continue;
            }
            return ri as u8;
        }
        return NO_RANK;
    }
    for (ri, req) in plan.ranks.iter().enumerate().rev() {
        let pv = input.pv[req.pv_slot as usize][i];
        if pv < req.pv || (s.active_legs[i] as u64) < req.active_legs as u64 {
            continue;
        }
        if req.accumulated_pv > 0 && input.accumulated_pv[i] < req.accumulated_pv {
            continue;
        }
        // With a cap per leg, what each leg has above it does not count; nor own PV
        // above the limit.
        let own_over = if req.max_own_pv < i64::MAX {
            (input.pv[req.own_slot as usize][i] - req.max_own_pv).max(0)
        } else {
            0
        };
        let group = input.gv[req.gv_slot as usize][i]
            - own_over
            - req.leg_cap_slot.map_or(0, |c| s.excess[i * nc + c]);
        if group < req.gv {
            continue;
        }
        let (pv0, gv0) = (input.pv[0][i], input.gv[0][i]);
        if req.tv > 0 && pv0 + input.child_pv[i] < req.tv {
            continue;
        }
        if req.ov > 0 && gv0 - pv0 < req.ov {
            continue;
        }
        if req.leg_volumes[0] > 0 && !legs_meet(s.legs[i], req.leg_volumes) {
            continue;
        }
        if req
            .leg_ranks
            .iter()
            .any(|&(slot, need)| s.leg_counts[i * ns + slot] < need)
        {
            continue;
        }
        if req
            .leg_titles
            .iter()
            .any(|&(slot, need)| s.title_counts[i * nt + slot] < need)
        {
            continue;
        }
        return ri as u8;
    }
    NO_RANK
}

/// Whether the legs (largest, second, all together) meet `need` (largest first): the
/// largest leg and the second; with a third minimum, the largest, the second and the
/// rest together, compared after sorting (the rest may outweigh the second leg).
#[inline]
fn legs_meet(legs: [i64; 3], need: [i64; 3]) -> bool {
    let mut have = [legs[0], legs[1], legs[2] - legs[0] - legs[1]];
    if need[2] > 0 {
        have.sort_unstable_by(|a, b| b.cmp(a));
    }
    have.iter().zip(&need).all(|(h, n)| h >= n)
}

/// The paid-as rank under grace: below the rank held, the held rank is kept for up to
/// `grace` months in a row; otherwise the earned rank becomes the one held.
#[inline]
fn with_grace(earned: u8, grace: u16, held: &mut u8, short: &mut u16) -> u8 {
    let falls_short = *held != NO_RANK && (earned == NO_RANK || earned < *held);
    if falls_short && *short < grace {
        *short += 1;
        *held
    } else {
        *held = earned;
        *short = 0;
        earned
    }
}
