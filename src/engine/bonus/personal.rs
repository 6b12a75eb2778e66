//! Personal volume bonus (`kind = "personal"`): each distributor earns the rate of the
//! tier its month's PV reaches, on that whole PV ("5% from 50 PV, 10% from 100 PV, …").
//! One line per distributor, rounded once.

use super::cents_of;

/// Inputs of one month.
pub struct Month<'a> {
    /// The month's real PV (decides the tier even when `pv` is a part of it).
    pub tier_pv: &'a [i64],
    /// The PV paid on (the real PV, or one source of it in a what-if evaluation).
    pub pv: &'a [i64],
    /// The part of the PV from the distributor's own orders (empty in a what-if).
    pub own_pv: &'a [i64],
    /// Those participating this month, in join order.
    pub participants: &'a [u32],
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// Currency per point, millionths.
    pub point_value: i64,
}

/// The rate (millionths) of the highest tier `pv` reaches, or 0 below the first.
fn tier_rate(pv: i64, tier_pv: &[i64], tier_rate: &[i64]) -> i64 {
    let k = tier_pv.partition_point(|&t| t <= pv);
    if k == 0 {
        0
    } else {
        tier_rate[k - 1]
    }
}

/// Write each distributor's personal bonus (cents) into `out`; returns the total and the
/// part paid on the payees' own orders.
pub fn pay(
    m: &Month,
    tiers: &[i64],
    rates: &[i64],
    require_active: bool,
    out: &mut [i64],
) -> (i64, i64) {
    let n = m.pv.len();
    out[..n].fill(0);
    let (mut total, mut own) = (0i64, 0i64);
    for &i in m.participants {
        let i = i as usize;
        if (require_active && !m.qualified[i]) || m.pv[i] == 0 {
            continue;
        }
        let r = tier_rate(m.tier_pv[i], tiers, rates);
        if r == 0 {
            continue;
        }
        let c = cents_of(m.pv[i] as i128 * r as i128, m.point_value);
        out[i] = c;
        total += c;
        if !m.own_pv.is_empty() {
            own += cents_of(m.own_pv[i] as i128 * r as i128, m.point_value);
        }
    }
    (total, own.min(total))
}
