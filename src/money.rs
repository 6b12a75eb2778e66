//! Exact money, volume and rates.
//!
//! Money is never a float in downline. Plan files write amounts and rates as decimal
//! strings; they are parsed with `rust_decimal` and compiled to integers:
//!
//! | quantity | type | unit | example |
//! |---|---|---|---|
//! | money | [`Money`] (`i64`) | cents | `"49.95"` → 4995 |
//! | volume | [`Volume`] (`i64`) | hundredths of a point | `"100"` PV → 10000 |
//! | rate, share, point value | [`Rate`] (`i64`) | millionths | `"0.05"` → 50000 |
//!
//! **The rounding rule.** A ledger line (one bonus, one distributor, one month) is computed
//! exactly in 128-bit integers — the sum over every level or source of
//! `volume × rate × point value` — and rounded once, half away from zero, to the cent
//! ([`round_div`]). The company's total is the exact sum of its lines. When a payout cap
//! binds, every company-paid line is scaled by `cap ÷ total`, rounded down, and the
//! cents left over go one each to the lines with the largest remainders (ties to the
//! earlier bonus, then the earlier distributor), so that the capped lines add up to the
//! cap exactly ([`scale_to_cap`]).

use rust_decimal::Decimal;

/// Fixed-point scale of [`Rate`]: 1.0 is one million.
pub const RATE_ONE: i64 = 1_000_000;
/// Cents in one currency unit.
pub const CENTS: i64 = 100;
/// Hundredths of a point in one volume point.
pub const POINT: i64 = 100;

/// An amount of money in cents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

/// A volume in hundredths of a point (PV, GV, leg volume).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Volume(pub i64);

/// A rate, share or currency-per-point value, in millionths (`RATE_ONE` = 1.0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate(pub i64);

/// Why a decimal could not be turned into a fixed-point integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixedError {
    /// More decimal places than the unit holds (`places` is the most allowed).
    TooPrecise { places: u32 },
    /// The value does not fit.
    TooLarge,
}

impl std::fmt::Display for FixedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FixedError::TooPrecise { places } => {
                write!(f, "has more than {places} decimal places")
            }
            FixedError::TooLarge => write!(f, "is too large"),
        }
    }
}

/// `value × 10^places` as an integer, or an error if `value` has more decimal places.
pub fn to_fixed(value: Decimal, places: u32) -> Result<i64, FixedError> {
    let norm = value.normalize();
    if norm.scale() > places {
        return Err(FixedError::TooPrecise { places });
    }
    let scaled = norm
        .checked_mul(Decimal::from(10i64.pow(places)))
        .ok_or(FixedError::TooLarge)?;
    let int = scaled.trunc();
    i64::try_from(int.mantissa() / 10i128.pow(int.scale())).map_err(|_| FixedError::TooLarge)
}

impl Money {
    /// Parse a currency amount with at most two decimal places.
    pub fn from_decimal(d: Decimal) -> Result<Self, FixedError> {
        to_fixed(d, 2).map(Money)
    }
    /// The amount as a `Decimal` with two places.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }
}

impl Volume {
    /// Parse a volume with at most two decimal places.
    pub fn from_decimal(d: Decimal) -> Result<Self, FixedError> {
        to_fixed(d, 2).map(Volume)
    }
    /// The volume as a `Decimal` in points.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }
}

impl Rate {
    /// Parse a rate with at most six decimal places.
    pub fn from_decimal(d: Decimal) -> Result<Self, FixedError> {
        to_fixed(d, 6).map(Rate)
    }
    /// The rate as a `Decimal`.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 6)
    }
}

/// The most a month's volume may be, in hundredths of a point (10¹⁴ points), and the most
/// it may be worth, in cents (10¹⁴ in the currency — far above any company's month in any
/// currency). The simulation and the ledger check both where volume enters; everything
/// the engine derives from a month's volume (group, team, leg volumes; the sums of
/// rate-bound bonuses, at most [`MAX_PAYOUT_MULTIPLE`] of the value) then fits 64 bits.
pub const MAX_MONTH_VOLUME: i64 = 10_000_000_000_000_000;
/// See [`MAX_MONTH_VOLUME`].
pub const MAX_MONTH_VALUE_CENTS: i64 = 10_000_000_000_000_000;
/// The most all bonuses together may pay in a month, cents (10¹⁴ in the currency). The
/// engine checks it exactly (128-bit) every month; with at most 600 months a person's
/// totals then fit 64 bits.
pub const MAX_MONTH_PAY_CENTS: i64 = 10_000_000_000_000_000;
/// The most volume a whole run or ledger may hold, hundredths of a point (and its most
/// worth, cents): 600 months at [`MAX_MONTH_VOLUME`]. Carried binary volume and
/// accumulated PV are parts of it.
pub const MAX_RUN_VOLUME: i64 = 6_000_000_000_000_000_000;
/// The most the bonuses bounded by rates may pay together, as a multiple of the month's
/// volume value (millionths): 400 (40,000%). A plan above it is refused; at
/// [`MAX_MONTH_VALUE_CENTS`] its month is at most 4 × 10¹⁸ cents, inside 64 bits.
pub const MAX_PAYOUT_MULTIPLE: i128 = 400 * RATE_ONE as i128;
/// A volume worked out from an amount is held at this ceiling (10¹⁵ points) instead of
/// wrapping: it is far above [`MAX_MONTH_VOLUME`], so a month holding it is refused, and
/// up to 92 of them still add up inside 64 bits.
pub const VOLUME_CEILING: i64 = 100_000_000_000_000_000;

/// `num ÷ den` rounded half away from zero. `den` must be positive. A quotient outside
/// 64 bits is held at `i64::MIN`/`i64::MAX` (never wrapped): every caller's month total
/// then exceeds [`MAX_MONTH_PAY_CENTS`] and the month is refused.
#[inline]
pub fn round_div(num: i128, den: i128) -> i64 {
    debug_assert!(den > 0);
    if let (Ok(n), Ok(d)) = (i64::try_from(num), i64::try_from(den)) {
        // The common case in 64 bits: a 128-bit division is several times slower. The
        // remainder is below `d`, so `d - |r|` cannot overflow where `2|r|` could.
        let (q, r) = (n / d, n % d);
        return q + if r.abs() >= d - r.abs() {
            n.signum()
        } else {
            0
        };
    }
    let q = num / den;
    let r = num % den;
    let adj = if 2 * r.abs() >= den { num.signum() } else { 0 };
    (q + adj).clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// An `i128` sum as an `i64`, held at the bounds instead of wrapping (see [`round_div`]).
#[inline]
pub fn saturate(x: i128) -> i64 {
    x.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// The value in cents of `volume` (hundredths of a point) at `point_value` (millionths of a
/// currency unit per point), exact before one rounding: `round(volume × point_value / 10⁶)`.
#[inline]
pub fn volume_value(volume: i64, point_value: i64) -> i64 {
    round_div(volume as i128 * point_value as i128, RATE_ONE as i128)
}

/// Scale company-paid lines down so that they add up to exactly `cap` cents (see the module
/// docs for the rule). `lines` are non-negative amounts in cents; their sum must exceed
/// `cap`. Amounts are replaced in place.
pub fn scale_to_cap(lines: &mut [&mut i64], cap: i64) {
    let total: i128 = lines.iter().map(|a| **a as i128).sum();
    debug_assert!(total > cap as i128 && cap >= 0);
    let mut rem: Vec<(i128, usize)> = Vec::with_capacity(lines.len());
    let mut paid: i128 = 0;
    for (k, a) in lines.iter_mut().enumerate() {
        let exact = **a as i128 * cap as i128;
        let floor = exact / total;
        rem.push((exact % total, k));
        **a = floor as i64;
        paid += floor;
    }
    let mut left = cap as i128 - paid;
    // Largest remainder first; ties to the earlier line.
    rem.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    for (_, k) in rem {
        if left == 0 {
            break;
        }
        *lines[k] += 1;
        left -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn parses_fixed_point() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(Money::from_decimal(d("49.95")).unwrap(), Money(4995));
        assert_eq!(Money::from_decimal(d("49.950")).unwrap(), Money(4995));
        assert!(Money::from_decimal(d("49.955")).is_err());
        assert_eq!(Rate::from_decimal(d("0.05")).unwrap(), Rate(50_000));
        assert_eq!(Rate::from_decimal(d("0.000001")).unwrap(), Rate(1));
        assert!(Rate::from_decimal(d("0.0000001")).is_err());
        assert_eq!(Volume::from_decimal(d("100")).unwrap(), Volume(10_000));
        assert_eq!(Money(-150).to_decimal().to_string(), "-1.50");
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_div(5, 10), 1);
        assert_eq!(round_div(4, 10), 0);
        assert_eq!(round_div(15, 10), 2);
        assert_eq!(round_div(-15, 10), -2);
        assert_eq!(round_div(-14, 10), -1);
        assert_eq!(volume_value(12345, RATE_ONE), 12345);
        assert_eq!(volume_value(10000, 1_250_000), 12500);
    }

    /// The 64-bit path of `round_div` agrees with 128-bit arithmetic, at the edges of
    /// 64 bits and on both sides of every half.
    #[test]
    fn round_div_64_bit_path_matches_128() {
        fn wide(num: i128, den: i128) -> i64 {
            let (q, r) = (num / den, num % den);
            let adj = if 2 * r.abs() >= den { num.signum() } else { 0 };
            (q + adj).clamp(i64::MIN as i128, i64::MAX as i128) as i64
        }
        let m = i64::MAX as i128;
        let nums = [
            0,
            1,
            -1,
            4,
            5,
            6,
            -5,
            -6,
            m,
            m - 1,
            -m,
            -m - 1,
            m / 2,
            -(m / 2),
            12_345,
        ];
        let dens = [
            1,
            2,
            3,
            10,
            7,
            m,
            m - 1,
            m / 2,
            m / 2 + 1,
            1_000_000,
            m + 1,
            m * 4,
        ];
        for &n in &nums {
            for &d in &dens {
                for k in [-1i128, 0, 1] {
                    let n = (n + k).clamp(-m - 1, m);
                    assert_eq!(round_div(n, d), wide(n, d), "{n} / {d}");
                    assert_eq!(round_div(n * 3, d), wide(n * 3, d), "{n}*3 / {d}");
                }
            }
        }
    }

    #[test]
    fn cap_scaling_is_exact() {
        let mut a = [100i64, 200, 301];
        {
            let mut refs: Vec<&mut i64> = a.iter_mut().collect();
            scale_to_cap(&mut refs, 300);
        }
        assert_eq!(a.iter().sum::<i64>(), 300);
        // 100*300/601=49.9 → 49 (+1), 200*300/601=99.83 → 99 (+1), 301*300/601=150.2 → 150
        assert_eq!(a, [50, 100, 150]);
    }
}
