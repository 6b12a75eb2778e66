//! Forced matrix bonus: rates by level of the W×D placement tree
//! ([`crate::engine::placement`]). Level 1 is the distributors in the payee's own slots,
//! level 2 those in theirs, …, to the plan's depth; what lies deeper is not paid.
//!
//! Level sums as a unilevel's ([`super::unilevel`], one reverse pass over the nodes with
//! children), on the placement tree instead of the sponsor tree: a placement parent always
//! comes before its child. A line is `Σ level PV × rate`, rounded once, half away from
//! zero, to the cent. Only active distributors are paid; inactive ones still occupy their
//! slots (no compression). It is linear in this month's PV, so it is traced to retail and
//! participants' volume like a unilevel.

use super::unilevel;
use crate::engine::placement::NONE;

/// Scratch arrays reused from month to month.
#[derive(Default, Debug)]
pub struct Scratch {
    /// PV of each one's placement children (level 1).
    child: Vec<i64>,
    has_child: Vec<bool>,
    /// Those with placement children, in join order.
    internal: Vec<u32>,
    /// One rate row for everyone.
    row: Vec<u8>,
    uni: unilevel::Scratch,
}

/// Inputs of one month.
pub struct Month<'a> {
    /// Placement parent of each distributor ([`NONE`] for the top).
    pub parent: &'a [u32],
    /// PV this month, hundredths of a point.
    pub pv: &'a [i64],
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// Currency per point, millionths.
    pub point_value: i64,
}

/// Write each distributor's matrix bonus (cents) into `out`; returns the sum.
/// `rates[level - 1]` are millionths.
pub fn pay(m: &Month, rates: &[i64], s: &mut Scratch, out: &mut [i64]) -> i64 {
    let n = m.pv.len();
    let parent = &m.parent[..n];
    s.child.clear();
    s.child.resize(n, 0);
    s.has_child.clear();
    s.has_child.resize(n, false);
    let mut total_pv = 0i64;
    for (i, &p) in parent.iter().enumerate() {
        if p != NONE {
            s.has_child[p as usize] = true;
            s.child[p as usize] += m.pv[i];
        }
        total_pv += m.pv[i];
    }
    s.internal.clear();
    s.internal
        .extend((0..n as u32).filter(|&i| s.has_child[i as usize]));
    // Everyone pays at the one rate row: zeros, written once and only grown after.
    if s.row.len() < n {
        s.row.resize(n, 0);
    }
    let month = unilevel::Month {
        sponsor: parent,
        pv: &m.pv[..n],
        qualified: &m.qualified[..n],
        rank: &s.row[..n],
        point_value: m.point_value,
        total_pv,
        internal: &s.internal,
        child_pv: &s.child,
        counts: &[],
    };
    unilevel::pay(&month, false, rates.len(), rates, &mut s.uni, out)
}
