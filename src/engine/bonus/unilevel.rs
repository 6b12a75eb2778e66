//! Unilevel: a rate on the PV of every distributor `k` levels below, by paid-as rank.
//!
//! Level volumes are computed as level sums, one pass per level over the sponsor array
//! (`level[k+1][sponsor[i]] += level[k][i]`), never by walking up ancestors. Each pass
//! also credits the level it reads and clears it for reuse, so a `depth`-level unilevel
//! costs `depth + 1` sequential passes and no extra clearing.
//!
//! Without compression every distributor occupies a level. With dynamic compression a
//! distributor who is not active this month does not count as a level: for an ancestor
//! `a`, the PV of `j` is at level `1 + (active distributors strictly between a and j)`.
//! The PV of an inactive distributor still counts, at the level it would have.
//! Only active distributors are paid, at the rates of their paid-as rank.

use super::cents_of;
use crate::downline::NO_SPONSOR;
use crate::plan::NO_RANK;

/// Scratch arrays reused from month to month.
#[derive(Default, Debug)]
pub struct Scratch {
    a: Vec<i64>,
    b: Vec<i64>,
    acc64: Vec<i64>,
    acc128: Vec<i128>,
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
    let max_rate = rates.iter().copied().max().unwrap_or(0);
    let bound = (m.total_pv.max(0) as i128) * (max_rate as i128) * (depth as i128);
    if bound < i64::MAX as i128 {
        let mut acc = std::mem::take(&mut s.acc64);
        let t = run(m, compression, depth, rates, s, &mut acc, out);
        s.acc64 = acc;
        t
    } else {
        let mut acc = std::mem::take(&mut s.acc128);
        let t = run(m, compression, depth, rates, s, &mut acc, out);
        s.acc128 = acc;
        t
    }
}

/// The level passes. Between calls `s.a`, `s.b` and `acc` are all zero: every pass clears
/// what it reads, so no pass is spent clearing.
fn run<A: Acc>(
    m: &Month,
    compression: bool,
    depth: usize,
    rates: &[i64],
    s: &mut Scratch,
    acc: &mut Vec<A>,
    out: &mut [i64],
) -> i64 {
    let n = m.sponsor.len();
    let sponsor = &m.sponsor[..n];
    let (pv, qualified, rank) = (&m.pv[..n], &m.qualified[..n], &m.rank[..n]);
    if acc.len() < n {
        acc.resize(n, A::default());
    }
    if s.a.len() < n {
        s.a.resize(n, 0);
        s.b.resize(n, 0);
    }
    out[..n].fill(0);
    let internal = m.internal;
    let (mut cur, mut nxt) = (std::mem::take(&mut s.a), std::mem::take(&mut s.b));
    // Level 1. Without compression it is the recruits' PV, summed by the engine; with
    // compression a reverse pass over everyone lets inactive recruits pass their level on.
    if compression {
        let x = &mut cur[..n];
        for i in (0..n).rev() {
            let p = sponsor[i];
            if p != NO_SPONSOR {
                let give = if qualified[i] { pv[i] } else { x[i] + pv[i] };
                x[p as usize] += give;
            }
        }
    } else {
        for &i in internal {
            cur[i as usize] = m.child_pv[i as usize];
        }
    }
    // Below level 1 only distributors with recruits hold volume: the passes visit just
    // those (in a typical downline most people recruit nobody).
    let rate = |i: usize, k: usize| -> i64 {
        if qualified[i] && rank[i] != NO_RANK {
            rates[rank[i] as usize * depth + k - 1]
        } else {
            0
        }
    };
    // `cur` holds level k; `nxt` (all zero) receives level k + 1.
    for k in 1..depth {
        let (c, x) = (&mut cur[..n], &mut nxt[..n]);
        if compression {
            // Reverse: an inactive distributor passes on the level it received unchanged.
            for &i in internal.iter().rev() {
                let i = i as usize;
                let v = c[i];
                c[i] = 0;
                acc[i].add(v, rate(i, k));
                let p = sponsor[i];
                if p != NO_SPONSOR {
                    let give = if qualified[i] { v } else { x[i] };
                    x[p as usize] += give;
                }
            }
        } else {
            for &i in internal {
                let i = i as usize;
                let v = c[i];
                if v == 0 {
                    continue;
                }
                c[i] = 0;
                acc[i].add(v, rate(i, k));
                let p = sponsor[i];
                if p != NO_SPONSOR {
                    x[p as usize] += v;
                }
            }
        }
        std::mem::swap(&mut cur, &mut nxt);
    }
    // The deepest level, and the amounts.
    let mut total = 0i64;
    for &i in internal {
        let i = i as usize;
        let v = cur[i];
        cur[i] = 0;
        acc[i].add(v, rate(i, depth));
        let a = acc[i].get();
        acc[i] = A::default();
        if a != 0 {
            let c = cents_of(a, m.point_value);
            out[i] = c;
            total += c;
        }
    }
    s.a = cur;
    s.b = nxt;
    total
}
