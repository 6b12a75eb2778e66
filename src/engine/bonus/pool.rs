//! Leadership pool: `rate` × the month's company volume value, split among the active
//! distributors paid as a rank with shares, in proportion to their shares.
//!
//! The pool is `round(volume × point value × rate)` cents, rounded once, half away from
//! zero. Each qualifier gets `floor(pool × shares ÷ total shares)`; the cents left over go
//! one each to the largest remainders, ties to the earlier join order. The pool is paid
//! out exactly; if no one qualifies, nothing is paid (breakage).
//!
//! Remainders depend only on the share count, which depends only on the rank, so the
//! leftover cents are placed by ranking at most one remainder per rank and one pass in
//! join order: no per-distributor sort.

use crate::money::{round_div, RATE_ONE};
use crate::plan::compile::MAX_RANKS;
use crate::plan::NO_RANK;

/// Inputs of one month.
pub struct Month<'a> {
    /// Those participating, in join order (only they can be active).
    pub participants: &'a [u32],
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// Paid-as rank.
    pub rank: &'a [u8],
    /// Total volume of the month, hundredths of a point.
    pub total_pv: i64,
    /// Currency per point, millionths.
    pub point_value: i64,
}

/// The pool of a month in cents: `round(volume × point_value × rate)`.
pub fn pool_cents(total_pv: i64, point_value: i64, rate: i64) -> i64 {
    round_div(
        total_pv as i128 * point_value as i128 * rate as i128,
        RATE_ONE as i128 * RATE_ONE as i128,
    )
}

/// What [`pay`] would return, without sharing the pool out: the pool, or 0 if no one
/// qualifies.
pub fn total(m: &Month, rate: i64, shares: &[u32]) -> i64 {
    let pool = pool_cents(m.total_pv, m.point_value, rate);
    let anyone = m.participants.iter().any(|&i| {
        let i = i as usize;
        let r = m.rank[i];
        r != NO_RANK && m.qualified[i] && shares[r as usize] > 0
    });
    if pool > 0 && anyone {
        pool
    } else {
        0
    }
}

/// Write each distributor's share of the pool (cents) into `out`; returns the sum (the
/// pool, or 0 if no one qualifies). `shares[rank]` per rank (0: none).
pub fn pay(m: &Month, rate: i64, shares: &[u32], out: &mut [i64]) -> i64 {
    let n = m.rank.len();
    out[..n].fill(0);
    let pool = pool_cents(m.total_pv, m.point_value, rate);
    if pool <= 0 {
        return 0;
    }
    let nr = shares.len();
    let mut count = [0u64; MAX_RANKS];
    for &i in m.participants {
        let i = i as usize;
        let r = m.rank[i];
        if r != NO_RANK && m.qualified[i] && shares[r as usize] > 0 {
            count[r as usize] += 1;
        }
    }
    let total_shares: i128 = (0..nr).map(|r| count[r] as i128 * shares[r] as i128).sum();
    if total_shares == 0 {
        return 0;
    }
    let pool = pool as i128;
    let mut base = [0i64; MAX_RANKS];
    let mut rem = [0i128; MAX_RANKS];
    let mut paid: i128 = 0;
    for r in 0..nr {
        let x = pool * shares[r] as i128;
        base[r] = (x / total_shares) as i64;
        rem[r] = x % total_shares;
        paid += base[r] as i128 * count[r] as i128;
    }
    let mut left = (pool - paid) as u64;
    // Cut-off remainder: every qualifier with a larger remainder gets a cent; of those at
    // the cut-off, the first `at_cut` in join order do.
    let mut order: [u8; MAX_RANKS] = [0; MAX_RANKS];
    let mut k = 0;
    for r in 0..nr {
        if count[r] > 0 {
            order[k] = r as u8;
            k += 1;
        }
    }
    order[..k].sort_unstable_by(|&a, &b| rem[b as usize].cmp(&rem[a as usize]));
    let mut cut: i128 = -1;
    let mut at_cut: u64 = 0;
    let mut idx = 0;
    while left > 0 && idx < k {
        let c = rem[order[idx] as usize];
        let mut group = 0;
        while idx < k && rem[order[idx] as usize] == c {
            group += count[order[idx] as usize];
            idx += 1;
        }
        if group >= left {
            cut = c;
            at_cut = left;
            left = 0;
        } else {
            left -= group;
        }
    }
    debug_assert_eq!(left, 0);
    let mut total = 0i64;
    for &i in m.participants {
        let i = i as usize;
        let r = m.rank[i];
        if r == NO_RANK || !m.qualified[i] || shares[r as usize] == 0 {
            continue;
        }
        let r = r as usize;
        let mut a = base[r];
        if cut >= 0 && rem[r] > cut {
            a += 1;
        } else if cut >= 0 && rem[r] == cut && at_cut > 0 {
            a += 1;
            at_cut -= 1;
        }
        out[i] = a;
        total += a;
    }
    total
}
