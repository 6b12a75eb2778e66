//! Forced matrix bonus: rates by level of the W×D placement tree
//! ([`crate::engine::placement`]). Level 1 is the distributors in the payee's own slots,
//! level 2 those in theirs, …, to the plan's depth; what lies deeper is not paid.
//!
//! Level sums, one pass per level (`level_k+1[parent] += level_k[child]`), no walking up.
//! A line is `Σ level PV × rate`, rounded once, half away from zero, to the cent. Only
//! active distributors are paid; inactive ones still occupy their slots (no compression).
//! It is linear in this month's PV, so it is traced to retail and participants' volume
//! like a unilevel.

use super::cents_of;
use crate::engine::placement::NONE;

/// Scratch arrays reused from month to month.
#[derive(Default, Debug)]
pub struct Scratch {
    cur: Vec<i64>,
    next: Vec<i64>,
    acc: Vec<i128>,
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
    s.cur.clear();
    s.cur.extend_from_slice(m.pv);
    s.acc.clear();
    s.acc.resize(n, 0);
    s.next.resize(n, 0);
    let parent = &m.parent[..n];
    for &rate in rates {
        s.next[..n].fill(0);
        let mut any = false;
        for (i, &p) in parent.iter().enumerate() {
            let v = s.cur[i];
            if p != NONE && v != 0 {
                s.next[p as usize] += v;
                any = true;
            }
        }
        if !any {
            break;
        }
        for (a, &v) in s.acc.iter_mut().zip(&s.next[..n]) {
            *a += v as i128 * rate as i128;
        }
        std::mem::swap(&mut s.cur, &mut s.next);
    }
    let mut total = 0;
    for i in 0..n {
        let x = if m.qualified[i] {
            cents_of(s.acc[i], m.point_value)
        } else {
            0
        };
        out[i] = x;
        total += x;
    }
    total
}
