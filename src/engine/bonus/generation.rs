//! Generation override with generations ended by rank (`kind = "generation"`): a
//! generation ends at the next distributor holding the `leader` rank or higher — a
//! breakaway leg. For a payee `a`, the PV of a distributor `j` in its downline is in
//! generation `g` = the number of leaders on the line from `a` (excluded) down to `j`
//! (included): generation 0 is `a`'s own group (its downline down to the first leaders,
//! without its own PV), generation 1 the groups of the first leaders below it, and so
//! on. The payee earns the rate of its rank for each generation from `from_generation`
//! (1 by default; 0 pays the own group too, as a unit commission), to the depth of its
//! rates. With `compression`, a leader who is not active this month does not end a
//! generation.
//!
//! One reverse pass carries, for each distributor, the PV of its subtree by generation
//! (`U_k(x)`, leaders counted below `x`): `U_k(a) = PV(a)·[k = 0] + Σ_children c
//! U_{k − leader(c)}(c)`; the payee's pay is `Σ_g rate_g × U_g(a)`. It costs depth + 1
//! numbers per distributor, only for plans that use the bonus.

use super::cents_of;
use crate::downline::NO_SPONSOR;
use crate::plan::NO_RANK;

/// Inputs of one month.
pub struct Month<'a> {
    /// Sponsor of each distributor.
    pub sponsor: &'a [u32],
    /// PV of each distributor.
    pub pv: &'a [i64],
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// The rank each one is read by (paid-as or title).
    pub rank: &'a [u8],
    /// Currency per point, millionths.
    pub point_value: i64,
}

/// The rules of one generation bonus.
pub struct Rules<'a> {
    /// The rank (and above) that ends a generation.
    pub leader: u8,
    /// Generations paid.
    pub depth: usize,
    /// `rates[rank * depth + generation - 1]`, millionths.
    pub rates: &'a [i64],
    /// Leaders who are not active do not end a generation.
    pub compression: bool,
    /// The first generation paid (0: the own group).
    pub from_generation: usize,
}

/// Write each distributor's generation override (cents) into `out`; returns the sum.
pub fn pay(m: &Month, rules: &Rules, u: &mut Vec<i64>, out: &mut [i64]) -> i64 {
    let n = m.sponsor.len();
    let from = rules.from_generation;
    let w = from + rules.depth;
    u.clear();
    u.resize(n * w, 0);
    out[..n].fill(0);
    let mut total = 0;
    for i in (0..n).rev() {
        u[i * w] += m.pv[i];
        let r = m.rank[i];
        if m.qualified[i] && r != NO_RANK {
            let row = &rules.rates[r as usize * rules.depth..(r as usize + 1) * rules.depth];
            let mut acc = 0i128;
            for (k, &rate) in row.iter().enumerate() {
                let g = from + k;
                // The own group without the payee's own PV.
                let v = u[i * w + g] - if g == 0 { m.pv[i] } else { 0 };
                acc += v as i128 * rate as i128;
            }
            if acc != 0 {
                let c = cents_of(acc, m.point_value);
                out[i] = c;
                total += c;
            }
        }
        let p = m.sponsor[i];
        if p == NO_SPONSOR {
            continue;
        }
        let leader = r != NO_RANK && r >= rules.leader && (!rules.compression || m.qualified[i]);
        let shift = leader as usize;
        let (lo, hi) = (p as usize * w, i * w);
        for k in 0..w - shift {
            let v = u[hi + k];
            if v != 0 {
                u[lo + k + shift] += v;
            }
        }
    }
    total
}
