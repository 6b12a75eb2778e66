//! Binary bonus: weak-leg pairing in the binary placement tree
//! ([`crate::engine::placement`]), with carry-over of unpaired volume.
//!
//! Each month, for each distributor, each leg holds the volume carried from earlier months
//! plus the leg's PV this month (the PV of everyone placed in it, at any depth). The weak
//! leg is the leg holding less (the left one on a tie). With the pairing ratio `[a, b]`,
//! the weak leg's paired volume is `w = min(weak, ⌊strong × a / b⌋)` and it uses
//! `⌈w × b / a⌉` of the strong leg. The distributor earns `w × rate`, rounded once, half
//! away from zero, to the cent, at most `cap_per_month`; paired volume is used up whether
//! or not the cap cut the pay. Paired volume is taken oldest first.
//!
//! What is left of each leg is carried to next month: all of it, or nothing with
//! `carry_months = 0`; with `carry_months = N` volume carried N months is dropped; with
//! `max_carry` each leg keeps at most that much (the oldest dropped first).
//!
//! Only active (qualified) distributors are paid, and with `require_sponsored_legs` only
//! those with an active personally sponsored distributor placed (at any depth) in each
//! leg. One not paid pairs nothing and keeps accumulating: its legs' volume is carried
//! (subject to expiry and the maximum), unless it is inactive and `flush_if_inactive`,
//! which drops its carry and the month's leg volume.

use super::cents_of;

/// Volume carried per distributor, leg and age, kept from month to month.
#[derive(Default, Debug)]
pub struct State {
    /// `carry[(2 i + leg) * ages + k]`: volume carried `k + 1` months, hundredths of a point.
    carry: Vec<i64>,
}

impl State {
    /// The volume carried into next month by distributor `i` on each leg.
    pub fn carry(&self, i: usize, ages: usize) -> [i64; 2] {
        let leg = |k: usize| -> i64 {
            self.carry
                .get((2 * i + k) * ages..(2 * i + k + 1) * ages)
                .map_or(0, |s| s.iter().sum())
        };
        [leg(0), leg(1)]
    }
}

/// The rules of one binary bonus.
pub struct Rules<'a> {
    /// Rate on the weak leg's paired volume, millionths.
    pub rate: i64,
    /// Pairing ratio `[weak, strong]`.
    pub ratio: [i64; 2],
    /// Most volume carried per leg.
    pub max_carry: Option<i64>,
    /// Months carried volume is kept (`None`: no expiry).
    pub carry_months: Option<u32>,
    /// Inactive distributors lose their carry.
    pub flush_if_inactive: bool,
    /// Most paid to one distributor in a month, cents.
    pub cap_per_month: Option<i64>,
    /// Paid only with an active personally sponsored distributor in each leg.
    pub require_sponsored_legs: bool,
    /// Rates by paid-as rank (empty: `rate` for everyone).
    pub rank_rates: &'a [i64],
    /// Whole cycles of this much weak-leg volume.
    pub cycle_pv: Option<i64>,
    /// Cents per cycle by paid-as rank (empty: paid by rate).
    pub cycle_values: &'a [i64],
    /// Cycles a month not counted toward the cap.
    pub cap_exempt_cycles: u32,
}

impl Rules<'_> {
    /// How many ages of carried volume are kept apart (0: no carry-over).
    pub fn ages(&self) -> usize {
        self.carry_months.map_or(1, |m| m as usize)
    }
}

/// Inputs of one month.
pub struct Month<'a> {
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// This month's PV of each leg, `leg_pv[2 i + leg]`.
    pub leg_pv: &'a [i64],
    /// Per distributor, bit `leg` set when an active personally sponsored distributor is
    /// placed in that leg (empty when no rule reads it).
    pub sponsored_legs: &'a [u8],
    /// Currency per point, millionths.
    pub point_value: i64,
    /// Paid-as rank.
    pub rank: &'a [u8],
}

/// Take `amount` out of `new` and the `carried` volumes, oldest (last) first.
#[inline]
fn take(carried: &mut [i64], new: &mut i64, mut amount: i64) {
    for c in carried.iter_mut().rev() {
        let t = amount.min(*c);
        *c -= t;
        amount -= t;
    }
    *new -= amount;
}

/// Age the carried volumes by a month: the oldest expire (with an expiry), `new` becomes
/// the youngest; then trim to `max`, oldest first.
#[inline]
fn age(carried: &mut [i64], new: i64, expires: bool, max: Option<i64>) {
    if carried.is_empty() {
        return;
    }
    if expires {
        carried.rotate_right(1);
        carried[0] = new;
    } else {
        carried[0] += new;
    }
    if let Some(max) = max {
        let mut excess = carried.iter().sum::<i64>() - max;
        for c in carried.iter_mut().rev() {
            if excess <= 0 {
                break;
            }
            let t = excess.min(*c);
            *c -= t;
            excess -= t;
        }
    }
}

/// Write each distributor's binary bonus (cents) into `out`, update the carry; returns
/// the sum.
pub fn pay(m: &Month, r: &Rules, s: &mut State, out: &mut [i64]) -> i64 {
    let n = m.qualified.len();
    let ages = r.ages();
    let expires = r.carry_months.is_some();
    s.carry.resize(2 * n * ages, 0);
    let [a, b] = r.ratio;
    // Legs hold at most a run's volume (`MAX_RUN_VOLUME`), so they fit 64 bits; what is
    // multiplied is worked out in 128 bits and a line held at the 64-bit bounds, so a
    // month that would overflow adds up to more than the engine allows and is refused.
    let mut total = 0i128;
    for i in 0..n {
        let (left, right) = s.carry[2 * i * ages..2 * (i + 1) * ages].split_at_mut(ages);
        let mut new = [m.leg_pv[2 * i], m.leg_pv[2 * i + 1]];
        out[i] = 0;
        let legs_ok = !r.require_sponsored_legs || m.sponsored_legs[i] == 3;
        if !m.qualified[i] || !legs_ok {
            if !m.qualified[i] && r.flush_if_inactive {
                left.fill(0);
                right.fill(0);
                continue;
            }
        } else {
            let held = [
                new[0] + left.iter().sum::<i64>(),
                new[1] + right.iter().sum::<i64>(),
            ];
            let weak = (held[1] < held[0]) as usize;
            let strong = 1 - weak;
            let pairable = match held[strong].checked_mul(a) {
                Some(x) => x / b,
                None => (held[strong] as i128 * a as i128 / b as i128) as i64,
            };
            let mut w = held[weak].min(pairable);
            // Whole cycles only: what is short of a cycle stays in the legs.
            let cycles = r.cycle_pv.map_or(0, |c| w / c);
            if let Some(c) = r.cycle_pv {
                w = cycles * c;
            }
            let rank = m.rank[i];
            let paid_rate = if r.rank_rates.is_empty() {
                r.rate
            } else if rank == crate::plan::NO_RANK {
                0
            } else {
                r.rank_rates[rank as usize]
            };
            if w > 0 {
                let used = match w.checked_mul(b).and_then(|x| x.checked_add(a - 1)) {
                    Some(x) => x / a,
                    None => ((w as i128 * b as i128 + a as i128 - 1) / a as i128) as i64,
                };
                let mut pay = if r.cycle_values.is_empty() {
                    cents_of(w as i128 * paid_rate as i128, m.point_value)
                } else if rank == crate::plan::NO_RANK {
                    0
                } else {
                    crate::money::saturate(cycles as i128 * r.cycle_values[rank as usize] as i128)
                };
                if let Some(c) = r.cap_per_month {
                    // The first cycles of the month may be outside the cap.
                    let exempt = if cycles > 0 {
                        (pay as i128 * (r.cap_exempt_cycles as i64).min(cycles) as i128
                            / cycles as i128) as i64
                    } else {
                        0
                    };
                    pay = exempt.saturating_add((pay - exempt).min(c));
                }
                out[i] = pay;
                total += pay as i128;
                let (cw, cs) = if weak == 0 {
                    (&mut *left, &mut *right)
                } else {
                    (&mut *right, &mut *left)
                };
                let (nw, ns) = if weak == 0 {
                    let [x, y] = &mut new;
                    (x, y)
                } else {
                    let [x, y] = &mut new;
                    (y, x)
                };
                take(cw, nw, w);
                take(cs, ns, used);
            }
        }
        age(left, new[0], expires, r.max_carry);
        age(right, new[1], expires, r.max_carry);
    }
    crate::money::saturate(total)
}
