//! Matching (generation) bonus: a rate, by the payee's paid-as rank, on what the
//! distributors of its sponsor tree earned this month from earlier bonuses, by generation
//! (generation 1 = personally sponsored).
//!
//! The matched amount of a distributor is the sum of its lines of the bonuses `on` this
//! month, in cents, before the cap. The bonus is then a unilevel on those amounts instead
//! of PV ([`super::unilevel`], same level passes, same compression rule); a line is
//! `Σ cents × rate`, rounded once, half away from zero, to the cent. Only active
//! distributors are paid.

use super::unilevel;
use crate::downline::NO_SPONSOR;
use crate::money::RATE_ONE;

/// Scratch arrays reused from month to month.
#[derive(Default, Debug)]
pub struct Scratch {
    earn: Vec<i64>,
    child: Vec<i64>,
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
}

/// Write each distributor's matching bonus (cents) into `out`; returns the sum.
/// `earlier[b]` are this month's amounts (cents) of the plan's earlier bonuses, of which
/// those listed in `on` are matched;
/// `rates[rank * depth + generation - 1]` are millionths.
#[allow(clippy::too_many_arguments)]
pub fn pay(
    m: &Month,
    earlier: &[Vec<i64>],
    on: &[usize],
    compression: bool,
    depth: usize,
    rates: &[i64],
    s: &mut Scratch,
    uni: &mut unilevel::Scratch,
    out: &mut [i64],
) -> i64 {
    let n = m.sponsor.len();
    s.earn.clear();
    s.earn.resize(n, 0);
    s.child.clear();
    s.child.resize(n, 0);
    let mut total = 0i64;
    for &b in on {
        for (e, &x) in s.earn.iter_mut().zip(&earlier[b][..n]) {
            *e += x;
        }
    }
    for i in 0..n {
        let e = s.earn[i];
        total += e;
        let p = m.sponsor[i];
        if p != NO_SPONSOR && e != 0 {
            s.child[p as usize] += e;
        }
    }
    if total == 0 {
        out[..n].fill(0);
        return 0;
    }
    let month = unilevel::Month {
        sponsor: m.sponsor,
        pv: &s.earn,
        qualified: m.qualified,
        rank: m.rank,
        // Cents × millionths: a point value of 1 gives cents.
        point_value: RATE_ONE,
        total_pv: total,
        internal: m.internal,
        child_pv: &s.child,
        counts: m.qualified,
    };
    unilevel::pay(&month, compression, depth, rates, uni, out)
}
