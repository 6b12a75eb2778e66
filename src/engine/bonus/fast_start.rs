//! Fast start: the sponsor (or, with rates by level, each upline level) earns a rate of a
//! recruit's PV in the recruit's first `months` months (the join month counts as the
//! first). With `require_active` the payee must be active that month; otherwise it need
//! only still participate. Level `k` is the `k`-th sponsor up from the recruit.

use super::{cents_of, Terms};
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

/// The rules of one fast-start bonus.
pub struct Rules<'a> {
    /// Rates by upline level (level 1 = the sponsor), millionths.
    pub rates: &'a [i64],
    /// Months from joining.
    pub months: u32,
    /// The payee must be active.
    pub require_active: bool,
    /// Round each recruit's term, not each payee's line.
    pub per_term: bool,
}

/// Each payee's exact sum, for the few paid: a slot per payee in `sums`, found through
/// `slot` (one `u32` a person, [`NONE`] where none), instead of an exact accumulator for
/// everyone (16 bytes a person).
#[derive(Default, Debug)]
pub struct Lines {
    slot: Vec<u32>,
    sums: Vec<(u32, i128)>,
}

const NONE: u32 = u32::MAX;

/// Write each payee's fast-start bonus this month (cents) into `out`; returns the sum.
/// Only the uplines of the last `months` months' recruits are paid. An empty `out` (with
/// lines rounded, not terms): the sum alone.
pub fn pay(
    m: &Month,
    rules: &Rules,
    acc: &mut Vec<i128>,
    slots: &mut Lines,
    out: &mut [i64],
) -> i64 {
    let n = m.sponsor.len();
    let lines = !out.is_empty() || rules.per_term;
    let out = &mut out[..if lines { n } else { 0 }];
    // Recruits in their first `months` months joined at or after this month.
    let first_join = (m.month as i64 - rules.months as i64 + 1).max(0) as u16;
    // join months are non-decreasing with the index: start at the first such recruit
    let start = m.join_month[..n].partition_point(|&j| j < first_join);
    let each = |add: &mut dyn FnMut(usize, i128)| {
        for i in start..n {
            if m.pv[i] == 0 {
                continue;
            }
            let mut p = m.sponsor[i];
            for &rate in rules.rates {
                if p == NO_SPONSOR {
                    break;
                }
                let a = p as usize;
                let eligible = if rules.require_active {
                    m.qualified[a]
                } else {
                    m.participating[a]
                };
                if eligible && rate != 0 {
                    add(a, m.pv[i] as i128 * rate as i128);
                }
                p = m.sponsor[a];
            }
        }
    };
    if rules.per_term {
        let mut terms = Terms::new(true, m.point_value, acc, out);
        each(&mut |a, t| terms.add(out, a, t));
        return terms.finish(out);
    }
    out.fill(0);
    let Lines { slot, sums } = slots;
    if slot.len() < n {
        slot.resize(n, NONE);
    }
    sums.clear();
    each(&mut |a, t| {
        if slot[a] == NONE {
            slot[a] = sums.len() as u32;
            sums.push((a as u32, 0));
        }
        sums[slot[a] as usize].1 += t;
    });
    let mut total = 0i128;
    for &(a, sum) in sums.iter() {
        slot[a as usize] = NONE;
        if sum != 0 {
            let c = cents_of(sum, m.point_value);
            if lines {
                out[a as usize] = c;
            }
            total += c as i128;
        }
    }
    crate::money::saturate(total)
}
