//! Rank advancement: a one-time amount the first time a distributor is paid as a rank.
//! A distributor who jumps several ranks at once receives the amount of every rank it
//! passes for the first time.

use crate::plan::NO_RANK;

/// Write this month's rank-advancement amounts (cents). `max_rank` is the highest rank
/// reached before this month (not updated here). Returns the sum.
pub fn pay(rank: &[u8], max_rank: &[u8], amounts: &[i64], out: &mut [i64]) -> i64 {
    let mut total = 0;
    for i in 0..rank.len() {
        let r = rank[i];
        let m = max_rank[i];
        out[i] = if r != NO_RANK && (m == NO_RANK || r > m) {
            let from = if m == NO_RANK { 0 } else { m as usize + 1 };
            amounts[from..=r as usize].iter().sum()
        } else {
            0
        };
        total += out[i];
    }
    total
}
