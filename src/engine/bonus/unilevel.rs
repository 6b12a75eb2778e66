//! Unilevel: a rate on the PV of every distributor `k` levels below, by paid-as rank.
//!
//! Level volumes are computed as level sums, never by walking up ancestors: one reverse
//! pass over the distributors with recruits, each adding its row of level volumes into
//! its sponsor's (see [`run`]).
//!
//! Without compression every distributor occupies a level. With dynamic compression a
//! distributor who is not active this month does not count as a level: for an ancestor
//! `a`, the PV of `j` is at level `1 + (active distributors strictly between a and j)`.
//! The PV of an inactive distributor still counts, at the level it would have.
//! Only active distributors are paid, at the rates of their paid-as rank.

use super::{cents_of, Terms};
use crate::downline::NO_SPONSOR;
use crate::engine::prefetch;
use crate::plan::NO_RANK;

/// Scratch arrays reused from month to month.
#[derive(Default, Debug)]
pub struct Scratch {
    /// Each distributor with recruits' volume by level, `depth` a row, in the compact
    /// space; all zero between calls (a row is cleared when it has been read).
    levels: Vec<i64>,
    /// position in the compact space of each distributor with recruits
    pos: Vec<u32>,
    /// each one's sponsor's position in the compact space
    up: Vec<u32>,
}

/// Inputs of one month.
pub struct Month<'a> {
    /// Sponsor of each distributor.
    pub sponsor: &'a [u32],
    /// PV of each distributor (hundredths of a point).
    pub pv: &'a [i64],
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// Paid-as rank.
    pub rank: &'a [u8],
    /// Currency per point, millionths.
    pub point_value: i64,
    /// Total PV of the month (bounds every level volume).
    pub total_pv: i64,
    /// Distributors with at least one recruit, in join order.
    pub internal: &'a [u32],
    /// Sum of each distributor's recruits' PV (level 1 without compression).
    pub child_pv: &'a [i64],
    /// With compression: who counts as a level (the active, or those paid as a rank).
    pub counts: &'a [bool],
}

/// An accumulator of Σ volume × rate: 64-bit when the month's total volume proves it
/// cannot overflow, 128-bit otherwise.
trait Acc: Copy + Default {
    fn add(&mut self, v: i64, r: i64);
    fn get(self) -> i128;
}
impl Acc for i64 {
    #[inline(always)]
    fn add(&mut self, v: i64, r: i64) {
        *self += v * r;
    }
    #[inline(always)]
    fn get(self) -> i128 {
        self as i128
    }
}
impl Acc for i128 {
    #[inline(always)]
    fn add(&mut self, v: i64, r: i64) {
        *self += v as i128 * r as i128;
    }
    #[inline(always)]
    fn get(self) -> i128 {
        self
    }
}

/// Write each distributor's unilevel bonus this month (cents) into `out`; returns their sum.
/// `rates[rank * depth + level - 1]` are millionths.
pub fn pay(
    m: &Month,
    compression: bool,
    depth: usize,
    rates: &[i64],
    s: &mut Scratch,
    out: &mut [i64],
) -> i64 {
    if sums_fit_64(m, depth, rates) {
        run::<i64, true>(m, compression, depth, rates, s, out)
    } else {
        run::<i128, true>(m, compression, depth, rates, s, out)
    }
}

/// [`pay`]'s sum alone, writing no one's line (a what-if that reads totals only).
pub fn total(m: &Month, compression: bool, depth: usize, rates: &[i64], s: &mut Scratch) -> i64 {
    if sums_fit_64(m, depth, rates) {
        run::<i64, false>(m, compression, depth, rates, s, &mut [])
    } else {
        run::<i128, false>(m, compression, depth, rates, s, &mut [])
    }
}

/// Whether every Σ volume × rate of the month fits 64 bits: each is at most the month's
/// total volume at the highest rate on every level.
fn sums_fit_64(m: &Month, depth: usize, rates: &[i64]) -> bool {
    let max_rate = rates.iter().copied().max().unwrap_or(0);
    let bound = (m.total_pv.max(0) as i128) * (max_rate as i128) * (depth as i128);
    bound < i64::MAX as i128
}

/// The level sums, in one reverse pass (`LINES`: each payee's amount is written into
/// `out`; else only their sum is returned).
///
/// Below level 1 only distributors with recruits can hold volume, and the sponsor of one
/// has recruits too: levels 2 and deeper live entirely among them. They are kept in a
/// compact index space of their own (`j` = position in `internal`), one row of `depth`
/// level volumes each. Recruits come after their sponsors, so when the pass reaches `j`
/// every recruit below it has added its row into `j`'s: the row is complete, is paid, and
/// is added into the sponsor's row — shifted down a level, or unshifted by a distributor
/// who does not count as a level under compression (it passes on what it received). One
/// pass touches each row and its sponsor's row once, instead of one pass per level.
fn run<A: Acc, const LINES: bool>(
    m: &Month,
    compression: bool,
    depth: usize,
    rates: &[i64],
    s: &mut Scratch,
    out: &mut [i64],
) -> i64 {
    let n = m.sponsor.len();
    let sponsor = &m.sponsor[..n];
    let (qualified, rank, child_pv) = (&m.qualified[..n], &m.rank[..n], &m.child_pv[..n]);
    let counts = if compression {
        &m.counts[..n]
    } else {
        qualified
    };
    let internal = m.internal;
    let ni = internal.len();
    if LINES {
        out[..n].fill(0);
    }

    if s.pos.len() < n {
        s.pos.resize(n, 0);
    }
    for (j, &i) in internal.iter().enumerate() {
        s.pos[i as usize] = j as u32;
    }
    if s.levels.len() < ni * depth {
        s.levels.resize(ni * depth, 0);
    }
    // Each one's sponsor's row, found in a pass of its own: its scattered reads of `pos`
    // do not wait on each other there, as they would inside the reverse pass.
    s.up.clear();
    let pos = &s.pos[..n];
    s.up.extend(internal.iter().map(|&i| match sponsor[i as usize] {
        NO_SPONSOR => NO_SPONSOR,
        p => pos[p as usize],
    }));
    let (up, levels) = (&s.up[..ni], &mut s.levels[..ni * depth]);
    // Saturating: lines held at the 64-bit bounds add up without wrapping (the engine
    // then refuses the month).
    let mut total = 0i64;
    for j in (0..ni).rev() {
        let i = internal[j] as usize;
        if j >= AHEAD && up[j - AHEAD] != NO_SPONSOR {
            // The sponsors' rows are scattered: ask for one a few steps ahead, so that
            // its cache misses overlap the work in between. A row may straddle two cache
            // lines: ask for both ends.
            let at = up[j - AHEAD] as usize * depth;
            prefetch(&levels[at]);
            prefetch(&levels[at + depth - 1]);
        }
        let (before, from_j) = levels.split_at_mut(j * depth);
        let row = &mut from_j[..depth];
        // Level 1: the recruits' PV, summed by the engine (a recruit without recruits
        // holds no row: its PV is all it passes on).
        row[0] += child_pv[i];
        let r = rank[i];
        if qualified[i] && r != NO_RANK {
            let rate = &rates[r as usize * depth..][..depth];
            let mut acc = A::default();
            for (&v, &x) in row.iter().zip(rate) {
                acc.add(v, x);
            }
            let a = acc.get();
            if a != 0 {
                let c = cents_of(a, m.point_value);
                if LINES {
                    out[i] = c;
                }
                total = total.saturating_add(c);
            }
        }
        if up[j] != NO_SPONSOR {
            let up = &mut before[up[j] as usize * depth..][..depth];
            if !compression || counts[i] {
                for (u, &v) in up[1..].iter_mut().zip(&row[..depth - 1]) {
                    *u += v;
                }
            } else {
                for (u, &v) in up.iter_mut().zip(row.iter()) {
                    *u += v;
                }
            }
        }
        row.fill(0);
    }
    total
}

/// How many distributors ahead [`run`] asks for a sponsor's row.
const AHEAD: usize = 16;

/// How a walking evaluation of the unilevel decides who is paid and who fills a level.
pub struct Walk<'a> {
    /// Round each term (else each line, from exact sums).
    pub per_term: bool,
    /// Dynamic compression (by `Month::counts`).
    pub compression: bool,
    /// Active personally sponsored distributors of each (empty: levels not unlocked by
    /// them).
    pub active_legs: &'a [u32],
    /// Pass over uplines not qualified for the level being filled.
    pub skip_unqualified: bool,
}

/// The unilevel by walking up from each distributor with volume as far as `depth`
/// levels: with each term rounded (`[rounding] per = "term"`), with levels unlocked by
/// active legs, or with compression by level qualification (an upline not qualified for
/// the level being filled is passed over and the level goes up). It costs the depth of
/// the tree per distributor, not a few passes; only plans that ask for it pay that.
pub fn pay_walking(
    m: &Month,
    depth: usize,
    rates: &[i64],
    w: &Walk,
    acc: &mut Vec<i128>,
    out: &mut [i64],
) -> i64 {
    let n = m.sponsor.len();
    let out = &mut out[..n];
    let mut terms = Terms::new(w.per_term, m.point_value, acc, out);
    for j in 0..n {
        let v = m.pv[j];
        if v == 0 {
            continue;
        }
        let (mut a, mut level) = (m.sponsor[j], 1usize);
        while a != NO_SPONSOR && level <= depth {
            let i = a as usize;
            let r = m.rank[i];
            let rate = if m.qualified[i] && r != NO_RANK {
                rates[r as usize * depth + level - 1]
            } else {
                0
            };
            let unlocked = w.active_legs.is_empty() || w.active_legs[i] as usize >= level;
            let paid = rate != 0 && unlocked;
            if paid {
                terms.add(out, i, v as i128 * rate as i128);
            }
            let fills = if w.skip_unqualified {
                paid
            } else {
                !w.compression || m.counts[i]
            };
            if fills {
                level += 1;
            }
            a = m.sponsor[i];
        }
    }
    terms.finish(out)
}
