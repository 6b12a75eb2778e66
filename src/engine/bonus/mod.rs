//! Bonus kinds, one file each. Every kind writes this month's amount per distributor, in
//! cents, into its own slice; the cap and the ledger read those slices.

pub mod binary;
pub mod differential;
pub mod fast_start;
pub mod matching;
pub mod matrix;
pub mod party;
pub mod pool;
pub mod rank_advancement;
pub mod retail;
pub mod stairstep;
pub mod unilevel;

/// The scratch arrays of every bonus kind, reused from month to month.
#[derive(Default, Debug)]
pub struct Scratch {
    /// Unilevel (and matching's level passes).
    pub unilevel: unilevel::Scratch,
    /// Fast start's accumulators.
    pub acc: Vec<i128>,
    /// Differential.
    pub differential: differential::Scratch,
    /// Matching.
    pub matching: matching::Scratch,
    /// Stairstep.
    pub stairstep: stairstep::Scratch,
    /// Matrix.
    pub matrix: matrix::Scratch,
    /// Binary carry, per bonus of the plan (state kept across months, not scratch).
    pub binary: Vec<binary::State>,
}

use crate::money::{round_div, RATE_ONE};

/// Cents of `acc` = Σ volume (hundredths of a point) × rate (millionths), at `point_value`
/// (millionths of currency per point): `round(acc × point_value / 10¹²)`, half away from
/// zero. The common case (point value 1, amounts that fit 64 bits) avoids 128-bit division.
#[inline]
pub fn cents_of(acc: i128, point_value: i64) -> i64 {
    const HALF: i64 = RATE_ONE / 2;
    if point_value == RATE_ONE && acc >= 0 && acc < (i64::MAX - HALF) as i128 {
        (acc as i64 + HALF) / RATE_ONE
    } else {
        round_div(
            acc * point_value as i128,
            (RATE_ONE as i128) * (RATE_ONE as i128),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn cents_of_rounds_once() {
        // 123.45 points at 5% = 6.1725 → 6.17
        assert_eq!(cents_of(12345 * 50_000, RATE_ONE), 617);
        // 0.10 points at 5% = 0.005 → 0.01 (half away from zero)
        assert_eq!(cents_of(10 * 50_000, RATE_ONE), 1);
        // point value 1.25: 100 points at 10% = 12.50
        assert_eq!(cents_of(10_000 * 100_000, 1_250_000), 1250);
        assert_eq!(
            cents_of(i64::MAX as i128, RATE_ONE),
            round_div(i64::MAX as i128, 1_000_000)
        );
    }
}
