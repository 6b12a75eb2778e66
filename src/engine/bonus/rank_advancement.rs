//! Rank advancement: a one-time amount the first time a distributor is paid as a rank.
//! A distributor who jumps several ranks at once receives the amount of every rank it
//! passes for the first time.

use crate::plan::NO_RANK;

/// Write this month's rank-advancement amounts (cents). `max_rank` is the highest rank
/// reached before this month (not updated here); only `participants` have a rank. Returns
/// the sum.
pub fn pay(
    rank: &[u8],
    max_rank: &[u8],
    participants: &[u32],
    amounts: &[i64],
    out: &mut [i64],
) -> i64 {
    out.fill(0);
    let mut total = 0;
    for &i in participants {
        let i = i as usize;
        let (r, m) = (rank[i], max_rank[i]);
        if r != NO_RANK && (m == NO_RANK || r > m) {
            let from = if m == NO_RANK { 0 } else { m as usize + 1 };
            out[i] = amounts[from..=r as usize].iter().sum();
            total += out[i];
        }
    }
    total
}
