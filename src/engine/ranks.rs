//! Paid-as ranks, evaluated every month in one reverse pass.
//!
//! A distributor is paid as the highest rank whose every requirement it meets this month:
//! PV, GV (with at most `max_leg_share` of the GV requirement counted from any one leg),
//! personally sponsored active legs, and legs holding a rank. A *leg* is a personally
//! sponsored distributor and its whole sponsor downline; a leg *holds* rank R when someone
//! in it is paid as R or higher this month. Someone not participating has no rank.

use crate::downline::NO_SPONSOR;
use crate::plan::{CompiledPlan, NO_RANK};

/// Scratch arrays for the rank pass, reused from month to month.
#[derive(Default, Debug)]
pub struct RankScratch {
    active_legs: Vec<u32>,
    /// highest rank anywhere in the subtree (`NO_RANK` = none)
    sub_max: Vec<u8>,
    /// legs holding at least `leg_rank_slots[s]`: `leg_counts[i * S + s]`
    leg_counts: Vec<u32>,
    /// sum over legs of min(leg GV, cap): `capped[i * C + c]`
    capped: Vec<i64>,
}

/// What the rank pass reads.
pub struct RankInput<'a> {
    /// Sponsor of each distributor.
    pub sponsor: &'a [u32],
    /// Participating this month.
    pub participating: &'a [bool],
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// PV this month.
    pub pv: &'a [i64],
    /// GV this month.
    pub gv: &'a [i64],
}

/// Evaluate paid-as ranks into `rank` (one per distributor; [`NO_RANK`] for none).
pub fn evaluate_ranks(
    plan: &CompiledPlan,
    input: &RankInput,
    rank: &mut [u8],
    scratch: &mut RankScratch,
) {
    let RankInput {
        sponsor,
        participating,
        qualified,
        pv,
        gv,
    } = *input;
    let n = sponsor.len();
    if !plan.has_rank_requirements() {
        // Every participant meets every rank: each is paid as the highest.
        let top = (plan.ranks.len() - 1) as u8;
        for i in 0..n {
            rank[i] = if participating[i] { top } else { NO_RANK };
        }
        return;
    }
    let slots = &plan.leg_rank_slots;
    let caps = &plan.leg_caps;
    let (ns, nc) = (slots.len(), caps.len());
    let s = scratch;
    s.active_legs.clear();
    s.active_legs.resize(n, 0);
    s.sub_max.clear();
    s.sub_max.resize(n, NO_RANK);
    s.leg_counts.clear();
    s.leg_counts.resize(n * ns, 0);
    s.capped.clear();
    s.capped.resize(n * nc, 0);

    for i in (0..n).rev() {
        let mut r = NO_RANK;
        if participating[i] {
            for (ri, req) in plan.ranks.iter().enumerate().rev() {
                if pv[i] < req.pv || (s.active_legs[i] as u64) < req.active_legs as u64 {
                    continue;
                }
                let group = match req.leg_cap_slot {
                    Some(c) => pv[i] + s.capped[i * nc + c],
                    None => gv[i],
                };
                if group < req.gv {
                    continue;
                }
                if req
                    .leg_ranks
                    .iter()
                    .any(|&(slot, need)| s.leg_counts[i * ns + slot] < need)
                {
                    continue;
                }
                r = ri as u8;
                break;
            }
        }
        rank[i] = r;
        let sub = match (r, s.sub_max[i]) {
            (NO_RANK, m) => m,
            (r, NO_RANK) => r,
            (r, m) => r.max(m),
        };
        s.sub_max[i] = sub;
        let p = sponsor[i];
        if p == NO_SPONSOR {
            continue;
        }
        let p = p as usize;
        if qualified[i] {
            s.active_legs[p] += 1;
        }
        if sub != NO_RANK {
            let pm = &mut s.sub_max[p];
            *pm = if *pm == NO_RANK { sub } else { (*pm).max(sub) };
            for (k, &lr) in slots.iter().enumerate() {
                if sub >= lr {
                    s.leg_counts[p * ns + k] += 1;
                }
            }
        }
        for (k, &cap) in caps.iter().enumerate() {
            s.capped[p * nc + k] += gv[i].min(cap);
        }
    }
}
