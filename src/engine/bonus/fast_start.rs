//! Fast start: the sponsor earns `rate` of a recruit's PV in the recruit's first `months`
//! months (the join month counts as the first). With `require_active` the sponsor must be
//! active that month; otherwise it need only still participate.

use super::cents_of;
use crate::downline::NO_SPONSOR;

/// Inputs of one month.
pub struct Month<'a> {
    /// The month (1-based).
    pub month: u16,
    /// Sponsor of each distributor.
    pub sponsor: &'a [u32],
    /// Join month of each distributor.
    pub join_month: &'a [u16],
    /// PV this month.
    pub pv: &'a [i64],
    /// Participating this month.
    pub participating: &'a [bool],
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// Currency per point, millionths.
    pub point_value: i64,
}

/// Write each sponsor's fast-start bonus this month (cents) into `out`; returns the sum.
pub fn pay(
    m: &Month,
    rate: i64,
    months: u32,
    require_active: bool,
    acc: &mut Vec<i128>,
    out: &mut [i64],
) -> i64 {
    let n = m.sponsor.len();
    acc.clear();
    acc.resize(n, 0);
    // Recruits in their first `months` months joined at or after this month.
    let first_join = (m.month as i64 - months as i64 + 1).max(0) as u16;
    // join months are non-decreasing with the index: start at the first such recruit
    let start = m.join_month[..n].partition_point(|&j| j < first_join);
    for i in start..n {
        let p = m.sponsor[i];
        if p == NO_SPONSOR || m.pv[i] == 0 {
            continue;
        }
        let p = p as usize;
        let eligible = if require_active {
            m.qualified[p]
        } else {
            m.participating[p]
        };
        if eligible {
            acc[p] += m.pv[i] as i128 * rate as i128;
        }
    }
    let mut total = 0;
    for i in 0..n {
        out[i] = if acc[i] == 0 {
            0
        } else {
            cents_of(acc[i], m.point_value)
        };
        total += out[i];
    }
    total
}
