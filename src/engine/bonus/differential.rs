//! Differential (infinity): rank rates to unlimited depth.
//!
//! On the PV of every distributor `j`, each upline `a` who is *paid* (active, with a
//! paid-as rank) earns `rate(a) − M(a, j)`, where `M(a, j)` is the highest rate of the paid
//! distributors strictly between `a` and `j` (0 if none), or nothing if that is not
//! positive. Walking up the line from `j`, what has been paid on `j`'s PV after each payee
//! is therefore the highest rate seen so far: the line never pays more than the top rate.
//! Since rates do not fall as rank rises, an upline with an equal or higher rank below it
//! earns nothing (it is *blocked*). A distributor earns nothing on its own PV. Those not
//! paid (inactive) are transparent: their uplines collect their difference.
//!
//! With `same_rank_rate` ρ, an upline of rank R also earns ρ × the PV of `j` when the paid
//! distributors strictly between it and `j` hold no rank above R and exactly one of them
//! holds R (it is the *first* upline of equal rank).
//!
//! ## Algorithm: one reverse pass per distinct rate
//!
//! A single reverse pass carrying "the highest rate below" per node is not enough: a node
//! has many lines below it, with different maxima. Instead, with the distinct positive
//! rates `q₁ < … < q_K` (`q₀ = 0`), `rate(a) − M = Σ_{u : q_u ≤ rate(a)} (q_u − q_{u−1}) ×
//! [M < q_u]`, so
//!
//! `pay(a) = Σ_{u ≤ level(a)} (q_u − q_{u−1}) × V_u(a)`,
//!
//! where `V_u(a)` is the PV below `a` not blocked at threshold `u` (no paid distributor of
//! rate ≥ `q_u` strictly between). `V_u` is a blocked subtree sum, one reverse pass:
//! `V_u(a) = Σ_children c [PV(c) + (c blocks at u ? 0 : V_u(c))]`. The PV of a child is
//! the engine's `child_pv`; only distributors with recruits pass anything further, so the
//! passes run in the compact space of those (as the unilevel's deeper levels do). K passes
//! (K ≤ number of ranks), each sequential over arrays; the same-rank override adds two
//! arrays and one pass per rank with a rate. Exact in 128 bits; one rounding per line.

use super::{cents_of, Terms};
use crate::downline::NO_SPONSOR;
use crate::plan::NO_RANK;

/// Scratch arrays reused from month to month.
#[derive(Default, Debug)]
pub struct Scratch {
    pos: Vec<u32>,
    isp: Vec<u32>,
    /// rate level of each compact node if paid, else 0
    lvl: Vec<u8>,
    /// paid-as rank of each compact node if paid, else NO_RANK
    rk: Vec<u8>,
    v: Vec<i64>,
    w: Vec<i64>,
    acc: Vec<i128>,
    /// The walking evaluation's sums (all zero between months; see `Terms`).
    terms: Vec<i128>,
    /// Discount ladder: buyers' PV at each sponsor by the buyer's own level, and its
    /// running sum over the levels.
    bucket: Vec<i64>,
    pre: Vec<i64>,
}

/// The rules of one differential bonus.
pub struct Rules<'a> {
    /// The distinct positive rates ascending (millionths).
    pub levels: &'a [i64],
    /// The 1-based level of each rank's rate (0: none).
    pub rank_level: &'a [u8],
    /// Same-rank override (millionths; 0: none).
    pub same_rank_rate: i64,
    /// Discount ladder: the buyer's own rate counts as already paid.
    pub discount: bool,
    /// Each payee takes its full rate up to what is left of the top rate.
    pub cumulative: bool,
    /// Who counts as an upline level (empty: everyone).
    pub counts: &'a [bool],
    /// The first upline level paid (1: the first).
    pub from_level: u32,
}

impl Rules<'_> {
    /// Whether only the walking evaluation can pay these rules.
    pub fn needs_walk(&self) -> bool {
        self.cumulative || self.from_level > 1
    }
}

/// Inputs of one month.
pub struct Month<'a> {
    /// Sponsor of each distributor.
    pub sponsor: &'a [u32],
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// Paid-as rank.
    pub rank: &'a [u8],
    /// Distributors with at least one recruit, in join order.
    pub internal: &'a [u32],
    /// Sum of each distributor's recruits' PV.
    pub child_pv: &'a [i64],
    /// Each distributor's PV (read in discount mode, where each buyer's own rate matters).
    pub pv: &'a [i64],
    /// Currency per point, millionths.
    pub point_value: i64,
}

/// Write each distributor's differential this month (cents) into `out`; returns the sum.
pub fn pay(m: &Month, rules: &Rules, s: &mut Scratch, out: &mut [i64]) -> i64 {
    let Rules {
        levels,
        rank_level,
        same_rank_rate,
        discount,
        ..
    } = *rules;
    let n = m.sponsor.len();
    out[..n].fill(0);
    let internal = m.internal;
    let ni = internal.len();
    if ni == 0 || levels.is_empty() {
        return 0;
    }
    if s.pos.len() < n {
        s.pos.resize(n, 0);
    }
    for (j, &i) in internal.iter().enumerate() {
        s.pos[i as usize] = j as u32;
    }
    s.isp.clear();
    s.lvl.clear();
    s.rk.clear();
    for &i in internal {
        let i = i as usize;
        let p = m.sponsor[i];
        s.isp.push(if p == NO_SPONSOR {
            NO_SPONSOR
        } else {
            s.pos[p as usize]
        });
        let r = m.rank[i];
        let paid = m.qualified[i] && r != NO_RANK;
        s.lvl.push(if paid { rank_level[r as usize] } else { 0 });
        s.rk.push(if paid { r } else { NO_RANK });
    }
    s.acc.clear();
    s.acc.resize(ni, 0);
    s.v.resize(ni.max(s.v.len()), 0);
    s.w.resize(ni.max(s.w.len()), 0);
    let (isp, lvl, rk) = (&s.isp[..ni], &s.lvl[..ni], &s.rk[..ni]);
    let (v, w, acc) = (&mut s.v[..ni], &mut s.w[..ni], &mut s.acc[..ni]);

    // Discount ladder: only the PV of buyers whose own rate is below a level is still
    // unpaid at it. One pass buckets each buyer's PV at its sponsor by the buyer's own
    // level; a level's unpaid PV is then the running sum of the buckets below it.
    let nl = levels.len();
    if discount {
        s.bucket.clear();
        s.bucket.resize(ni * nl, 0);
        s.pre.clear();
        s.pre.resize(ni, 0);
        for (i, &p) in m.sponsor.iter().enumerate() {
            let x = m.pv[i];
            if p == NO_SPONSOR || x == 0 {
                continue;
            }
            let r = m.rank[i];
            let own = if r == NO_RANK {
                0
            } else {
                rank_level[r as usize] as usize
            };
            if own < nl {
                s.bucket[s.pos[p as usize] as usize * nl + own] += x;
            }
        }
    }
    let (bucket, pre) = (&s.bucket[..], &mut s.pre[..]);

    // Differentials: one pass per rate level.
    let mut prev = 0i64;
    for (u0, &q) in levels.iter().enumerate() {
        let u = (u0 + 1) as u8;
        let delta = (q - prev) as i128;
        prev = q;
        if discount {
            for ((p, x), b) in pre
                .iter_mut()
                .zip(v.iter_mut())
                .zip(bucket.chunks_exact(nl))
            {
                *p += b[u0];
                *x = *p;
            }
        } else {
            for (j, &i) in internal.iter().enumerate() {
                v[j] = m.child_pv[i as usize];
            }
        }
        for j in (0..ni).rev() {
            let x = v[j];
            let blocks = lvl[j] >= u;
            if blocks && x != 0 {
                acc[j] += delta * x as i128;
            }
            let p = isp[j];
            if p != NO_SPONSOR && !blocks {
                v[p as usize] += x;
            }
        }
    }

    // Same-rank override: per rank R with a rate, v = PV below with no paid R-or-higher
    // between, w = PV below with exactly one paid R and nothing higher between.
    if same_rank_rate > 0 {
        let rho = same_rank_rate as i128;
        for r in 0..rank_level.len() {
            if rank_level[r] == 0 {
                continue;
            }
            let r = r as u8;
            for (j, &i) in internal.iter().enumerate() {
                v[j] = m.child_pv[i as usize];
                w[j] = 0;
            }
            for j in (0..ni).rev() {
                let (x, y) = (v[j], w[j]);
                let k = rk[j];
                if k == r && y != 0 {
                    acc[j] += rho * y as i128;
                }
                let p = isp[j];
                if p == NO_SPONSOR || (k != NO_RANK && k > r) {
                    continue;
                }
                let p = p as usize;
                if k == r {
                    w[p] += x;
                } else {
                    v[p] += x;
                    w[p] += y;
                }
            }
        }
    }

    let mut total = 0;
    for j in 0..ni {
        let a = acc[j];
        if a != 0 {
            let c = cents_of(a, m.point_value);
            out[internal[j] as usize] = c;
            total += c;
        }
    }
    total
}

/// The differential by walking up from each distributor with volume: every payee's pay
/// on that volume is one term, rounded on its own when `per_term` (`[rounding] per =
/// "term"`), else summed exactly and rounded once per line. The same rule as [`pay`],
/// and the only evaluation of the cumulative mode and of `from_level`; it costs the depth
/// of the tree per distributor, so only plans that ask for it pay that.
pub fn pay_walking(
    m: &Month,
    rules: &Rules,
    per_term: bool,
    s: &mut Scratch,
    out: &mut [i64],
) -> i64 {
    let n = m.sponsor.len();
    let out = &mut out[..n];
    let mut terms = Terms::new(per_term, m.point_value, &mut s.terms, out);
    let level_rate = |r: u8| -> i64 {
        if r == NO_RANK {
            return 0;
        }
        match rules.rank_level[r as usize] {
            0 => 0,
            l => rules.levels[l as usize - 1],
        }
    };
    let top_rate = rules.levels.last().copied().unwrap_or(0);
    for j in 0..n {
        let v = m.pv[j];
        if v == 0 {
            continue;
        }
        // The highest rate already paid on this volume (in a discount ladder, the
        // buyer's own; cumulative: the last payee's, with the sum paid), and the highest
        // rank paid between with how many hold it.
        let mut paid = if rules.discount {
            level_rate(m.rank[j])
        } else {
            0
        };
        let mut paid_sum = 0i64;
        let (mut top, mut holders) = (NO_RANK, 0u32);
        let mut level = 1u32;
        let mut a = m.sponsor[j];
        while a != NO_SPONSOR {
            let i = a as usize;
            let counts = rules.counts.is_empty() || rules.counts[i];
            let r = m.rank[i];
            if counts && level >= rules.from_level && m.qualified[i] && r != NO_RANK {
                let rate = level_rate(r);
                let mut owed = 0i64;
                if rules.cumulative {
                    if rate > paid && paid_sum < top_rate {
                        owed = rate.min(top_rate - paid_sum);
                        paid_sum += rate;
                        paid = rate;
                    }
                } else if rate > paid {
                    owed = rate - paid;
                    paid = rate;
                }
                if rules.same_rank_rate > 0 && rate > 0 && r == top && holders == 1 {
                    owed += rules.same_rank_rate;
                }
                if owed != 0 {
                    terms.add(out, i, v as i128 * owed as i128);
                }
                if top == NO_RANK || r > top {
                    top = r;
                    holders = 1;
                } else if r == top {
                    holders += 1;
                }
            }
            if counts {
                level += 1;
            }
            a = m.sponsor[i];
        }
    }
    terms.finish(out)
}
