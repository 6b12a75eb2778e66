//! Party plan: sales at home parties are credited to the distributor who holds the party
//! (the host's distributor, often called the consultant); the consultant earns a
//! commission on them and the host earns rewards.
//!
//! **Commission** (`party_commission`): in a month whose sales of the `on` sources (party
//! sales, and optionally retail and preferred customers' orders) reach a tier's `min_pv`,
//! the tier's rate is paid on all of them — the "20% on all sales, 25% from $1,000" of
//! party plan schedules. The tier is read from the month's real sales; the rate is paid on
//! the sources of the evaluation (`pass`), so that what-if evaluations of one source at a
//! time add up to the real one.
//!
//! **Host rewards** (`host_rewards`): each party whose sales reach a tier's `min_pv` earns
//! its host the tier's rate × the party's sales value + the tier's fixed amount. Paid by
//! the company to hosts, who are customers: booked to the party's distributor, outside
//! the distributors' payout and the cap.

use super::cents_of;
use crate::engine::Party;
use crate::plan::{ON_PARTY, ON_PREFERRED, ON_RETAIL};

/// Inputs of one month.
pub struct Month<'a> {
    /// Participating (joined and not quit).
    pub participating: &'a [bool],
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// Party sales of each distributor this month (empty: none), hundredths of a point.
    pub party_pv: &'a [i64],
    /// Retail customers' volume of each distributor (empty: none).
    pub retail_pv: &'a [i64],
    /// Preferred customers' volume of each distributor (empty: none).
    pub preferred_pv: &'a [i64],
    /// The sources this evaluation pays on ([`ON_PARTY`] | [`ON_RETAIL`] | [`ON_PREFERRED`]).
    pub pass: u8,
    /// Currency per point, millionths.
    pub point_value: i64,
}

/// Index + 1 of the highest tier reached by `v` (0: none).
#[inline]
fn tier_of(tier_pv: &[i64], v: i64) -> usize {
    tier_pv.partition_point(|&g| g <= v)
}

#[inline]
fn at(v: &[i64], i: usize) -> i64 {
    if v.is_empty() {
        0
    } else {
        v[i]
    }
}

/// Write each distributor's party commission (cents) into `out`; returns the sum.
pub fn pay_commission(
    m: &Month,
    tier_pv: &[i64],
    tier_rate: &[i64],
    on: u8,
    require_active: bool,
    out: &mut [i64],
) -> i64 {
    let n = out.len();
    let mut total = 0;
    let paid = on & m.pass;
    for i in 0..n {
        out[i] = 0;
        if !m.participating[i] || (require_active && !m.qualified[i]) || paid == 0 {
            continue;
        }
        let (p, r, f) = (at(m.party_pv, i), at(m.retail_pv, i), at(m.preferred_pv, i));
        let pick = |bits: u8| -> i64 {
            (if bits & ON_PARTY != 0 { p } else { 0 })
                + (if bits & ON_RETAIL != 0 { r } else { 0 })
                + (if bits & ON_PREFERRED != 0 { f } else { 0 })
        };
        let base = pick(paid);
        if base == 0 {
            continue;
        }
        let t = tier_of(tier_pv, pick(on));
        if t == 0 {
            continue;
        }
        out[i] = cents_of(base as i128 * tier_rate[t - 1] as i128, m.point_value);
        total += out[i];
    }
    total
}

/// Write each distributor's parties' host rewards (cents) into `out`; returns the sum.
/// Parties of distributors who do not participate earn nothing.
pub fn pay_hosts(
    parties: &[Party],
    participating: &[bool],
    tier_pv: &[i64],
    tier_rate: &[i64],
    tier_amount: &[i64],
    point_value: i64,
    out: &mut [i64],
) -> i64 {
    out.fill(0);
    let mut total = 0;
    for party in parties {
        let d = party.distributor as usize;
        if !participating[d] {
            continue;
        }
        let t = tier_of(tier_pv, party.pv);
        if t == 0 {
            continue;
        }
        let reward =
            cents_of(party.pv as i128 * tier_rate[t - 1] as i128, point_value) + tier_amount[t - 1];
        out[d] += reward;
        total += reward;
    }
    total
}
