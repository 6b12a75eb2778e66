//! Stairstep-breakaway performance bonus (Amway-style), with generation overrides.
//!
//! **Performance group volume.** `PGV(i)` is `i`'s PV plus the PGV of each recruit who has
//! not broken away. `rate(i)` is the rate of the highest tier whose `gv` is at most
//! `PGV(i)` (0 below the first tier). A distributor whose rate reaches `breakaway_rate`
//! *breaks away*: its PGV no longer counts in its sponsor's PGV (a breakaway inside a
//! breakaway breaks away from it in turn).
//!
//! **Performance bonus** of an active distributor `i`: its rate on its PGV less what its
//! recruits who did not break away earn on theirs,
//! `rate(i) × PGV(i) − Σ_{non-breakaway recruits c} rate(c) × PGV(c)` (never negative,
//! since `PGV(c) ≤ PGV(i)` and rates rise with volume). What an inactive distributor would
//! earn is not paid to anyone (breakage).
//!
//! **Generation overrides.** An active distributor whose own rate reaches the breakaway
//! rate earns `generation_rates[g − 1] × PGV(b)` on each breakaway `b` of generation `g`
//! below it: generation 1 are the breakaways with no breakaway strictly between (the
//! payee's "first-line" breakaways), generation 2 the first breakaways below those, and so
//! on. With `B_g(x)` the PGV of the generation-`g` breakaways below `x`,
//! `B_g(x) = Σ_{recruits c} (c broke away ? B_{g−1}(c) : B_g(c))`, `B_0(c) = PGV(c)`:
//! one reverse pass per generation.
//!
//! Everything is one rounding per line: `Σ volume × rate` exactly, then to the cent.
//!
//! The tiers and breakaways are decided on the month's real volume (`tier_pv`); the
//! amounts are paid on `pv`, which is the same in the real evaluation and the retail part
//! of it when the engine traces the payout to its sources (with the tiers held fixed, the
//! bonus is linear in volume).

use super::cents_of;
use crate::downline::NO_SPONSOR;

/// Scratch arrays reused from month to month.
#[derive(Default, Debug)]
pub struct Scratch {
    /// PGV on the tier volume, then on the paid volume.
    pgv: Vec<i64>,
    pay_pgv: Vec<i64>,
    tier: Vec<u8>,
    brk: Vec<bool>,
    below: Vec<i128>,
    g_prev: Vec<i64>,
    g_cur: Vec<i64>,
}

/// Inputs of one month.
pub struct Month<'a> {
    /// Sponsor of each distributor.
    pub sponsor: &'a [u32],
    /// PV that decides tiers and breakaways (the month's real PV).
    pub tier_pv: &'a [i64],
    /// PV the bonus is paid on.
    pub pv: &'a [i64],
    /// The payee's own purchases' part of the month's PV (not customers', not parties').
    pub own_pv: &'a [i64],
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// Currency per point, millionths.
    pub point_value: i64,
}

/// Compiled rules.
pub struct Rules<'a> {
    /// Tier thresholds, hundredths of a point, increasing.
    pub tier_gv: &'a [i64],
    /// Tier rates, millionths.
    pub tier_rate: &'a [i64],
    /// Rate at which a leg breaks away.
    pub breakaway_rate: i64,
    /// Override rates by generation.
    pub generation_rates: &'a [i64],
}

/// Index + 1 of the highest tier reached by `v` (0: none).
#[inline]
fn tier_of(tier_gv: &[i64], v: i64) -> u8 {
    tier_gv.partition_point(|&g| g <= v) as u8
}

/// Write each distributor's performance bonus and generation overrides (cents) into `out`.
/// Returns the sum, and the part paid on payees' own non-retail purchases (cents, rounded
/// once over the whole month).
pub fn pay(m: &Month, r: &Rules, s: &mut Scratch, out: &mut [i64]) -> (i64, i64) {
    let n = m.sponsor.len();
    let sponsor = &m.sponsor[..n];
    s.pgv.clear();
    s.pgv.extend_from_slice(&m.tier_pv[..n]);
    s.tier.clear();
    s.tier.resize(n, 0);
    s.brk.clear();
    s.brk.resize(n, false);
    let rate_of = |t: u8| {
        if t == 0 {
            0
        } else {
            r.tier_rate[t as usize - 1]
        }
    };

    // Tiers and breakaways, on the real volume.
    for i in (0..n).rev() {
        let g = s.pgv[i];
        let t = tier_of(r.tier_gv, g);
        s.tier[i] = t;
        let b = rate_of(t) >= r.breakaway_rate;
        s.brk[i] = b;
        let p = sponsor[i];
        if p != NO_SPONSOR && !b && g != 0 {
            s.pgv[p as usize] += g;
        }
    }
    // The PGV paid on (the same unless tracing the sources).
    let same = std::ptr::eq(m.tier_pv, m.pv);
    if !same {
        s.pay_pgv.clear();
        s.pay_pgv.extend_from_slice(&m.pv[..n]);
        for i in (0..n).rev() {
            let g = s.pay_pgv[i];
            let p = sponsor[i];
            if p != NO_SPONSOR && !s.brk[i] && g != 0 {
                s.pay_pgv[p as usize] += g;
            }
        }
    }
    let pgv: &[i64] = if same { &s.pgv[..n] } else { &s.pay_pgv[..n] };

    // What the non-breakaway recruits earn on their PGV.
    s.below.clear();
    s.below.resize(n, 0);
    for i in (1..n).rev() {
        let p = sponsor[i];
        if p != NO_SPONSOR && !s.brk[i] && s.tier[i] != 0 && pgv[i] != 0 {
            s.below[p as usize] += rate_of(s.tier[i]) as i128 * pgv[i] as i128;
        }
    }
    // Performance bonus (into `below`, as the exact amount of each line).
    let mut own: i128 = 0;
    for i in 0..n {
        let rt = rate_of(s.tier[i]) as i128;
        s.below[i] = if m.qualified[i] && rt > 0 {
            own += rt * m.own_pv[i] as i128;
            rt * pgv[i] as i128 - s.below[i]
        } else {
            0
        };
    }

    // Generation overrides.
    if !r.generation_rates.is_empty() {
        s.g_prev.clear();
        s.g_prev.extend_from_slice(pgv);
        s.g_cur.clear();
        s.g_cur.resize(n, 0);
        for &gr in r.generation_rates {
            for i in (0..n).rev() {
                let x = s.g_cur[i];
                if gr > 0 && x != 0 && m.qualified[i] && rate_of(s.tier[i]) >= r.breakaway_rate {
                    s.below[i] += gr as i128 * x as i128;
                }
                let p = sponsor[i];
                if p != NO_SPONSOR {
                    let give = if s.brk[i] { s.g_prev[i] } else { x };
                    if give != 0 {
                        s.g_cur[p as usize] += give;
                    }
                }
            }
            std::mem::swap(&mut s.g_prev, &mut s.g_cur);
            s.g_cur.fill(0);
        }
    }

    let mut total = 0;
    for i in 0..n {
        let a = s.below[i];
        out[i] = if a == 0 {
            0
        } else {
            cents_of(a, m.point_value)
        };
        total += out[i];
    }
    (
        total,
        if own == 0 {
            0
        } else {
            cents_of(own, m.point_value)
        },
    )
}
