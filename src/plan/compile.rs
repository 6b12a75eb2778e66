//! Validation and compilation of a [`PlanSpec`] into a [`CompiledPlan`].
//!
//! Every check names the field path and says what to fix. Amounts become cents, volumes
//! hundredths of a point, rates millionths (see [`crate::money`]).

use super::spec::*;
use crate::error::{Error, Result};
use crate::money::{to_fixed, RATE_ONE};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Rank index meaning "no rank this month" (not participating, or no rank's requirements met).
pub const NO_RANK: u8 = u8::MAX;

/// The most ranks a plan may have.
pub const MAX_RANKS: usize = 64;
/// The deepest unilevel a plan may pay.
pub const MAX_LEVELS: usize = 100;

/// One compiled rank.
#[derive(Clone, Debug)]
pub struct Rank {
    /// The rank's name.
    pub name: String,
    /// Minimum PV, hundredths of a point.
    pub pv: i64,
    /// Minimum GV, hundredths of a point.
    pub gv: i64,
    /// Minimum number of personally sponsored distributors active this month.
    pub active_legs: u32,
    /// (index into [`CompiledPlan::leg_rank_slots`], legs needed).
    pub leg_ranks: Vec<(usize, u32)>,
    /// (index into [`CompiledPlan::leg_caps`]) when one leg may supply only part of the GV.
    pub leg_cap_slot: Option<usize>,
    /// Which PV the `pv` requirement reads: 0 this month's, `k` the rolling window
    /// [`CompiledPlan::pv_windows`]`[k - 1]`.
    pub pv_slot: u8,
    /// Which GV the `gv` requirement reads: 0 this month's, `k` the rolling window
    /// [`CompiledPlan::gv_windows`]`[k - 1]`.
    pub gv_slot: u8,
    /// Minimum accumulated PV, hundredths of a point (0: none).
    pub accumulated_pv: i64,
    /// (index into [`CompiledPlan::leg_title_slots`], legs needed).
    pub leg_titles: Vec<(usize, u32)>,
    /// Minimum team volume (own + first level), hundredths of a point (0: none).
    pub tv: i64,
    /// Minimum organisation volume without own PV, hundredths of a point (0: none).
    pub ov: i64,
    /// Minimum volumes of the largest leg, the second and the rest together, compared
    /// after sorting (0: none), hundredths of a point.
    pub leg_volumes: [i64; 3],
    /// Own PV counted toward `gv` at most (`i64::MAX`: all).
    pub max_own_pv: i64,
    /// Which PV `max_own_pv` limits: the PV over the `gv` requirement's window (a slot
    /// as [`Rank::pv_slot`]).
    pub own_slot: u8,
}

/// One compiled bonus.
#[derive(Clone, Debug)]
pub enum Bonus {
    /// Retail margin: `markup` (millionths) of the wholesale value of customer volume.
    Retail { name: String, markup: i64 },
    /// Unilevel: `rates[rank * depth + level - 1]` in millionths.
    Unilevel {
        name: String,
        compression: bool,
        depth: usize,
        rates: Vec<i64>,
        /// Rates read by title (highest rank reached) instead of paid-as rank.
        by_title: bool,
        /// With compression, only those paid as this rank or higher count as a level.
        level_rank: Option<u8>,
        /// Level `k` needs `k` active personally sponsored distributors.
        levels_by_active_legs: bool,
        /// Uplines not qualified for the level being filled are passed over.
        skip_unqualified: bool,
    },
    /// Fast start: `rate` (millionths) of a recruit's PV to the sponsor in the recruit's
    /// first `months` months.
    FastStart {
        name: String,
        /// Rates by upline level of the recruit (level 1 = sponsor), millionths.
        rates: Vec<i64>,
        months: u32,
        require_active: bool,
    },
    /// Rank advancement: `amounts[rank]` in cents, paid once when the rank is first reached.
    RankAdvancement { name: String, amounts: Vec<i64> },
    /// Differential (infinity) to unlimited depth; see [`crate::engine::bonus::differential`].
    Differential {
        name: String,
        /// Rate of each rank, millionths (non-decreasing with the rank).
        rates: Vec<i64>,
        /// The distinct positive rates, ascending (the thresholds of the passes).
        levels: Vec<i64>,
        /// Index into `levels` + 1 of each rank's rate (0: no rate).
        rank_level: Vec<u8>,
        /// Same-rank override, millionths (0: none).
        same_rank_rate: i64,
        /// Discount ladder: the buyer's own rate counts as already paid.
        discount: bool,
        /// Each payee takes its full rate up to what is left of the top rate.
        cumulative: bool,
        /// Only those paid as this rank or higher count as upline levels.
        level_rank: Option<u8>,
        /// The first upline level paid (1: the first).
        from_level: u32,
        /// Rates read by title instead of paid-as rank.
        by_title: bool,
    },
    /// Matching: `rates[rank * depth + generation - 1]` (millionths) of the amounts of the
    /// bonuses `on` (plan indices, all earlier and company-paid) earned this month.
    Matching {
        name: String,
        compression: bool,
        depth: usize,
        rates: Vec<i64>,
        on: Vec<usize>,
        /// Whether every matched bonus is paid on volume (then so is the match).
        volume_based: bool,
        /// Rates read by title instead of paid-as rank.
        by_title: bool,
    },
    /// Leadership pool: `rate` (millionths) of the month's volume value, split by
    /// `shares[rank]` among active distributors.
    Pool {
        name: String,
        rate: i64,
        shares: Vec<u32>,
        /// Shares read by title instead of paid-as rank.
        by_title: bool,
    },
    /// Stairstep-breakaway; see [`crate::engine::bonus::stairstep`].
    Stairstep {
        name: String,
        /// Tier thresholds (hundredths of a point), strictly increasing.
        tier_gv: Vec<i64>,
        /// Tier rates (millionths), non-decreasing.
        tier_rate: Vec<i64>,
        /// A leg whose rate reaches this breaks away (millionths, > 0).
        breakaway_rate: i64,
        /// Override rates by generation (millionths).
        generation_rates: Vec<i64>,
    },
    /// Binary; see [`crate::engine::bonus::binary`].
    Binary {
        name: String,
        /// Rate on the weak leg's paired volume (millionths).
        rate: i64,
        /// Pairing ratio `[weak, strong]`, both ≥ 1.
        ratio: [i64; 2],
        /// Most volume carried per leg (hundredths of a point), `None` for no maximum.
        max_carry: Option<i64>,
        /// Carried volume expires after this many months (`None`: never).
        carry_months: Option<u32>,
        /// Inactive distributors lose their carry and the month's leg volume.
        flush_if_inactive: bool,
        /// Most paid to one distributor in a month, cents (`None`: no cap).
        cap_per_month: Option<i64>,
        /// Paid only with an active personally sponsored distributor in each leg.
        require_sponsored_legs: bool,
        /// Rate by paid-as rank (millionths); empty: `rate` for everyone.
        rank_rates: Vec<i64>,
        /// Whole cycles of this much weak-leg PV (hundredths of a point).
        cycle_pv: Option<i64>,
        /// Cents per cycle by paid-as rank; empty: paid by rate.
        cycle_values: Vec<i64>,
        /// Cycles a month not counted toward the cap.
        cap_exempt_cycles: u32,
        /// Paycut share of the month's volume value (millionths).
        paycut: Option<i64>,
    },
    /// Forced matrix: `rates[level - 1]` (millionths) on the PV of the placement tree's
    /// levels; see [`crate::engine::bonus::matrix`].
    Matrix { name: String, rates: Vec<i64> },
    /// Party plan commission; see [`crate::engine::bonus::party`].
    PartyCommission {
        name: String,
        /// Tier thresholds on the month's sales of the `on` sources (hundredths of a
        /// point), strictly increasing.
        tier_pv: Vec<i64>,
        /// Tier rates (millionths).
        tier_rate: Vec<i64>,
        /// Which sales it is paid on: [`ON_PARTY`], [`ON_RETAIL`], [`ON_PREFERRED`] bits.
        on: u8,
        require_active: bool,
    },
    /// Personal volume bonus: the rate of the tier of the distributor's PV, on its PV.
    Personal {
        name: String,
        /// Tier thresholds on PV (hundredths of a point), strictly increasing.
        tier_pv: Vec<i64>,
        /// Tier rates (millionths).
        tier_rate: Vec<i64>,
        require_active: bool,
    },
    /// Generation override; see [`crate::engine::bonus::generation`].
    Generation {
        name: String,
        /// The rank (and above) that ends a generation.
        leader: u8,
        depth: usize,
        /// `rates[rank * depth + generation - 1]`, millionths.
        rates: Vec<i64>,
        compression: bool,
        by_title: bool,
        /// The first generation paid (0: the own group).
        from_generation: usize,
    },
    /// Sponsoring bonus; see [`crate::engine::bonus::sponsoring`].
    Sponsoring {
        name: String,
        /// Amounts by upline level, cents.
        amounts: Vec<i64>,
        trigger: crate::engine::bonus::sponsoring::Trigger,
        require_active: bool,
    },
    /// Allowance; see [`crate::engine::bonus::sponsoring`].
    Allowance {
        name: String,
        /// The ranks with an amount, ascending, and their amounts (cents).
        ranks: Vec<u8>,
        amounts: Vec<i64>,
        months_held: u16,
        by_title: bool,
    },
    /// Host rewards, paid by the company to each party's host; see
    /// [`crate::engine::bonus::party`].
    HostRewards {
        name: String,
        /// Tier thresholds on a party's sales (hundredths of a point), strictly increasing.
        tier_pv: Vec<i64>,
        /// Tier rates (millionths).
        tier_rate: Vec<i64>,
        /// Tier fixed amounts per party (cents).
        tier_amount: Vec<i64>,
    },
}

/// [`Bonus::PartyCommission`] is paid on party sales.
pub const ON_PARTY: u8 = 1;
/// [`Bonus::PartyCommission`] is paid on retail customers' orders.
pub const ON_RETAIL: u8 = 2;
/// [`Bonus::PartyCommission`] is paid on preferred customers' orders.
pub const ON_PREFERRED: u8 = 4;

/// The most months a binary's carried volume may be kept apart by age.
pub const MAX_CARRY_MONTHS: u32 = 60;

/// The widest forced matrix.
pub const MAX_MATRIX_WIDTH: u32 = 100;

/// Which leg of its sponsor a recruit is placed down in a binary tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryRule {
    /// The leg with less cumulative volume through last month (ties: alternate).
    WeakerLeg,
    /// Left, right, left, … per sponsor.
    Alternate,
    /// Always the left leg (extreme left spillover).
    Left,
    /// Always the right leg.
    Right,
}

/// The placement tree of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// No placement tree (the sponsor tree only).
    None,
    /// A binary tree: two legs, left (0) and right (1).
    Binary(BinaryRule),
    /// A forced matrix `width` wide, paid `depth` levels deep.
    Matrix { width: u32, depth: u32 },
}

impl Bonus {
    /// The name of the bonus in the ledger.
    pub fn name(&self) -> &str {
        match self {
            Bonus::Retail { name, .. }
            | Bonus::Unilevel { name, .. }
            | Bonus::FastStart { name, .. }
            | Bonus::RankAdvancement { name, .. }
            | Bonus::Differential { name, .. }
            | Bonus::Matching { name, .. }
            | Bonus::Pool { name, .. }
            | Bonus::Stairstep { name, .. }
            | Bonus::Binary { name, .. }
            | Bonus::Matrix { name, .. }
            | Bonus::PartyCommission { name, .. }
            | Bonus::HostRewards { name, .. }
            | Bonus::Personal { name, .. }
            | Bonus::Generation { name, .. }
            | Bonus::Sponsoring { name, .. }
            | Bonus::Allowance { name, .. } => name,
        }
    }
    /// Whether the company pays it (retail margin is paid by customers).
    pub fn paid_by_company(&self) -> bool {
        !matches!(self, Bonus::Retail { .. })
    }
    /// Whether it is paid to party hosts (customers) rather than to distributors. Its
    /// amounts are booked to the distributor whose party it was, but are not that
    /// distributor's income, and not part of the commission payout.
    pub fn paid_to_host(&self) -> bool {
        matches!(self, Bonus::HostRewards { .. })
    }
    /// Whether it is part of the company's commission payout to distributors (and so
    /// under the plan's cap): paid by the company, to distributors.
    pub fn in_payout(&self) -> bool {
        self.paid_by_company() && !self.paid_to_host()
    }
    /// Whether the company pays it as a rate on volume (so that its pay can be traced to
    /// the volume it was paid on).
    pub fn is_volume_based(&self) -> bool {
        match self {
            Bonus::Unilevel { .. }
            | Bonus::FastStart { .. }
            | Bonus::Differential { .. }
            | Bonus::Pool { .. }
            | Bonus::Stairstep { .. }
            | Bonus::Matrix { .. }
            | Bonus::PartyCommission { .. }
            | Bonus::Personal { .. }
            | Bonus::Generation { .. } => true,
            Bonus::Matching { volume_based, .. } => *volume_based,
            // Not in the payout: no what-if evaluation needs it.
            Bonus::HostRewards { .. } => false,
            // Fixed amounts.
            Bonus::Sponsoring { .. } | Bonus::Allowance { .. } => false,
            // Binary pay depends on volume carried from earlier months, so it is not the
            // sum of what each month's volume pays: it is attributed to "other".
            Bonus::Retail { .. } | Bonus::RankAdvancement { .. } | Bonus::Binary { .. } => false,
        }
    }
}

/// What a participant pays, in cents.
#[derive(Clone, Debug, Default)]
pub struct Costs {
    /// Once, in the join month.
    pub enrollment_fee: i64,
    /// At every 12 months of membership.
    pub annual_fee: i64,
    /// Minimum own purchase every month of membership.
    pub min_monthly_purchase: i64,
}

/// `[buyback]`, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buyback {
    /// Share of the stock's cost refunded, millionths.
    pub refund_share: i64,
    /// Only stock bought within this many months before quitting.
    pub within_months: Option<u16>,
    /// Commissions paid on the returned volume are charged back.
    pub charge_back: bool,
}

/// A validated plan in integer fixed point, ready for the engine.
#[derive(Clone, Debug)]
pub struct CompiledPlan {
    /// The plan as written (after defaults were applied where the file was silent).
    pub spec: PlanSpec,
    /// Name for reports.
    pub name: String,
    /// Currency code.
    pub currency: String,
    /// Currency per point, millionths.
    pub point_value: i64,
    /// Minimum PV to be active, hundredths of a point.
    pub min_pv: i64,
    /// Ranks, lowest first; never empty (a plan without ranks has one, "Distributor").
    pub ranks: Vec<Rank>,
    /// The distinct ranks that some rank requires legs of.
    pub leg_rank_slots: Vec<u8>,
    /// The distinct (per-leg GV cap in hundredths of a point, GV slot) of `max_leg_share`
    /// rules; the slot is the rank's [`Rank::gv_slot`].
    pub leg_caps: Vec<(i64, u8)>,
    /// The distinct titles that some rank requires legs of.
    pub leg_title_slots: Vec<u8>,
    /// The distinct rolling windows (months, ≥ 2) that PV requirements read.
    pub pv_windows: Vec<u16>,
    /// The distinct rolling windows (months, ≥ 2) that GV requirements read.
    pub gv_windows: Vec<u16>,
    /// Months a qualifying month keeps a distributor active (1: that month only).
    pub window_months: u16,
    /// Accumulated PV restarts every this many months (0: never).
    pub accumulation_months: u16,
    /// Months of grace on the paid-as rank (0: none).
    pub grace_months: u16,
    /// Compression by qualification: the PV (hundredths of a point) to keep one's place.
    pub pv_compression: Option<i64>,
    /// Round each term (one distributor's month of volume), not each line.
    pub round_per_term: bool,
    /// The buy-back policy, if the plan has one.
    pub buyback: Option<Buyback>,
    /// Starter packages carry volume.
    pub packages_commissionable: bool,
    /// Cost of goods as a share of volume value, millionths (`[company]`), if given.
    pub cost_of_goods: Option<i64>,
    /// Bonuses in payment order.
    pub bonuses: Vec<Bonus>,
    /// Cap on the month's company payout as a share of volume value (millionths).
    pub cap: Option<i64>,
    /// Participant costs.
    pub costs: Costs,
    /// Retail markup (millionths), 0 without a retail bonus.
    pub retail_markup: i64,
    /// The placement tree.
    pub placement: Placement,
    /// What the plan allows that is probably a mistake: it can pay more than the volume,
    /// a rank can never be paid as, a bonus can never pay. Shown by `downline validate`
    /// and in Jupyter; the plan is still valid.
    pub warnings: Vec<String>,
}

fn err(path: impl Into<String>, msg: impl Into<String>) -> Error {
    Error::plan(path, msg)
}

fn fixed(d: Dec, places: u32, path: &str) -> Result<i64> {
    to_fixed(d.0, places).map_err(|e| err(path, format!("{} {e}", d)))
}

/// A share or rate in [0, 1].
fn rate(d: Dec, path: &str) -> Result<i64> {
    if d.0 < Decimal::ZERO {
        return Err(err(path, format!("{d} is below 0")));
    }
    if d.0 > Decimal::ONE {
        return Err(err(path, format!("{d} is above 1")));
    }
    fixed(d, 6, path)
}

/// The most any fixed amount of a plan may be (a fee, a bonus amount, a cap), cents:
/// 10,000,000.00. With at most 20,000,000 people, 64 ranks and 100 parties a person a
/// month, a month's fixed amounts then stay far inside 64-bit cents.
pub const MAX_AMOUNT_CENTS: i64 = 1_000_000_000;
/// The most a point may be worth, millionths of the currency: 1,000,000.
pub const MAX_POINT_VALUE: i64 = 1_000_000 * RATE_ONE;

fn non_negative(d: Dec, places: u32, path: &str, what: &str) -> Result<i64> {
    if d.0 < Decimal::ZERO {
        return Err(err(
            path,
            format!("{d} is negative; {what} must be 0 or more"),
        ));
    }
    let v = fixed(d, places, path)?;
    if what == "an amount" && v > MAX_AMOUNT_CENTS {
        return Err(err(
            path,
            format!("{d} is above 10,000,000, the most an amount may be"),
        ));
    }
    Ok(v)
}

fn rank_index(ranks: &[Rank], name: &str, path: &str) -> Result<usize> {
    ranks.iter().position(|r| r.name == name).ok_or_else(|| {
        let names: Vec<&str> = ranks.iter().map(|r| r.name.as_str()).collect();
        err(
            path,
            format!("no rank is named {name:?}; the ranks are {names:?}"),
        )
    })
}

/// Validate a plan and compile it.
pub fn compile(spec: PlanSpec) -> Result<CompiledPlan> {
    let point_value = match spec.volume.point_value {
        None => RATE_ONE,
        Some(d) => {
            if d.0 <= Decimal::ZERO {
                return Err(err("volume.point_value", format!("{d} must be above 0")));
            }
            let v = fixed(d, 6, "volume.point_value")?;
            if v > MAX_POINT_VALUE {
                return Err(err(
                    "volume.point_value",
                    format!("{d} is above 1,000,000, the most a point may be worth"),
                ));
            }
            v
        }
    };
    let min_pv = match spec.active.min_pv {
        None => 0,
        Some(d) => {
            let v = non_negative(d, 2, "active.min_pv", "a volume")?;
            // Buying to qualify buys up to it: its value is bounded like an amount.
            // hundredths of a point × millionths per point ÷ 10⁶ = cents
            if v as i128 * point_value as i128 / RATE_ONE as i128 > MAX_AMOUNT_CENTS as i128 {
                return Err(err(
                    "active.min_pv",
                    format!("{d} points are worth more than 10,000,000, the most an amount may be"),
                ));
            }
            v
        }
    };

    // Ranks.
    let mut ranks: Vec<Rank> = Vec::new();
    let mut leg_rank_slots: Vec<u8> = Vec::new();
    let mut leg_caps: Vec<(i64, u8)> = Vec::new();
    let mut leg_title_slots: Vec<u8> = Vec::new();
    let mut pv_windows: Vec<u16> = Vec::new();
    let mut gv_windows: Vec<u16> = Vec::new();
    let window_months = months_setting(spec.active.window_months, "active.window_months", 1, 36)?;
    let accumulation_months = match spec.volume.accumulation_months {
        None => 0,
        Some(_) => months_setting(
            spec.volume.accumulation_months,
            "volume.accumulation_months",
            1,
            120,
        )?,
    };
    let grace_months = match spec.paid_as.grace_months {
        None | Some(0) => 0,
        Some(_) => months_setting(spec.paid_as.grace_months, "paid_as.grace_months", 0, 24)?,
    };
    if spec.ranks.len() > MAX_RANKS {
        return Err(err(
            "ranks",
            format!("{} ranks; at most {MAX_RANKS}", spec.ranks.len()),
        ));
    }
    for (i, r) in spec.ranks.iter().enumerate() {
        let p = format!("ranks[{i}]");
        let name = r.name.trim().to_string();
        if name.is_empty() {
            return Err(err(format!("{p}.name"), "is empty; give the rank a name"));
        }
        if let Some(j) = ranks.iter().position(|x| x.name == name) {
            return Err(err(
                format!("{p}.name"),
                format!("{name:?} is already the name of ranks[{j}]; rank names must differ"),
            ));
        }
        let pv = match r.pv {
            None => 0,
            Some(d) => non_negative(d, 2, &format!("{p}.pv"), "a volume")?,
        };
        let gv = match r.gv {
            None => 0,
            Some(d) => non_negative(d, 2, &format!("{p}.gv"), "a volume")?,
        };
        let mut legs = Vec::new();
        for (lname, &count) in &r.leg_ranks {
            let lp = format!("{p}.leg_ranks.{lname}");
            let li = rank_index(&ranks, lname, &lp).map_err(|e| match e {
                Error::Plan { path, message } if spec.ranks.iter().any(|x| &x.name == lname) => {
                    let _ = message;
                    Error::Plan {
                        path,
                        message: format!(
                            "{lname:?} is not below {name:?}; a rank can only require legs of a lower rank"
                        ),
                    }
                }
                e => e,
            })?;
            if count == 0 {
                return Err(err(lp, "0 legs; require at least 1 or remove the entry"));
            }
            let slot = match leg_rank_slots.iter().position(|&s| s as usize == li) {
                Some(s) => s,
                None => {
                    leg_rank_slots.push(li as u8);
                    leg_rank_slots.len() - 1
                }
            };
            legs.push((slot, count));
        }
        let mut titles = Vec::new();
        for (tname, &count) in &r.leg_titles {
            let tp = format!("{p}.leg_titles.{tname}");
            let ti = rank_index(&ranks, tname, &tp).map_err(|e| match e {
                Error::Plan { path, .. } if spec.ranks.iter().any(|x| &x.name == tname) => {
                    Error::Plan {
                        path,
                        message: format!(
                            "{tname:?} is not below {name:?}; a rank can only require legs holding a lower title"
                        ),
                    }
                }
                e => e,
            })?;
            if count == 0 {
                return Err(err(tp, "0 legs; require at least 1 or remove the entry"));
            }
            let slot = match leg_title_slots.iter().position(|&s| s as usize == ti) {
                Some(s) => s,
                None => {
                    leg_title_slots.push(ti as u8);
                    leg_title_slots.len() - 1
                }
            };
            titles.push((slot, count));
        }
        let window_slot = |months: Option<u32>, field: &str, windows: &mut Vec<u16>| {
            let w = months_setting(months, &format!("{p}.{field}"), 1, 24)?;
            if w == 1 {
                return Ok::<u8, Error>(0);
            }
            Ok(match windows.iter().position(|&x| x == w) {
                Some(k) => k as u8 + 1,
                None => {
                    windows.push(w);
                    windows.len() as u8
                }
            })
        };
        if r.pv_months.is_some() && pv == 0 {
            return Err(err(
                format!("{p}.pv_months"),
                format!("is a window for the PV requirement; set {p}.pv too"),
            ));
        }
        if r.gv_months.is_some() && gv == 0 {
            return Err(err(
                format!("{p}.gv_months"),
                format!("is a window for the GV requirement; set {p}.gv too"),
            ));
        }
        let pv_slot = window_slot(r.pv_months, "pv_months", &mut pv_windows)?;
        let gv_slot = window_slot(r.gv_months, "gv_months", &mut gv_windows)?;
        let accumulated_pv = match r.accumulated_pv {
            None => 0,
            Some(d) => non_negative(d, 2, &format!("{p}.accumulated_pv"), "a volume")?,
        };
        let share_cap = match r.max_leg_share {
            None => None,
            Some(d) => {
                let sp = format!("{p}.max_leg_share");
                let share = rate(d, &sp)?;
                if share == 0 {
                    return Err(err(sp, "0 would let no leg count; use a share above 0"));
                }
                if gv == 0 {
                    return Err(err(
                        sp,
                        format!("needs a group volume requirement: set {p}.gv"),
                    ));
                }
                Some((gv as i128 * share as i128 / RATE_ONE as i128) as i64)
            }
        };
        let volume_cap = match r.max_leg_volume {
            None => None,
            Some(d) => {
                let vp = format!("{p}.max_leg_volume");
                let cap = non_negative(d, 2, &vp, "a volume")?;
                if cap == 0 {
                    return Err(err(vp, "0 would let no leg count; use a volume above 0"));
                }
                if gv == 0 {
                    return Err(err(
                        vp,
                        format!("needs a group volume requirement: set {p}.gv"),
                    ));
                }
                Some(cap)
            }
        };
        let optional = |d: Option<Dec>, field: &str| -> Result<i64> {
            d.map_or(Ok(0), |d| {
                non_negative(d, 2, &format!("{p}.{field}"), "a volume")
            })
        };
        let tv = optional(r.tv, "tv")?;
        let ov = optional(r.ov, "ov")?;
        let max_own_pv = match r.max_own_pv {
            None => i64::MAX,
            Some(_) if gv == 0 => {
                return Err(err(
                    format!("{p}.max_own_pv"),
                    format!("limits own PV toward the group volume requirement: set {p}.gv"),
                ))
            }
            Some(d) => optional(Some(d), "max_own_pv")?,
        };
        // The own PV that max_own_pv limits is over the same months as the GV.
        let own_slot = if max_own_pv < i64::MAX && gv_slot > 0 {
            let months = gv_windows[gv_slot as usize - 1];
            match pv_windows.iter().position(|&x| x == months) {
                Some(k) => k as u8 + 1,
                None => {
                    pv_windows.push(months);
                    pv_windows.len() as u8
                }
            }
        } else {
            0
        };
        let mut leg_volumes = [0i64; 3];
        if let Some(list) = &r.leg_volumes {
            let lp = format!("{p}.leg_volumes");
            if list.is_empty() || list.len() > 3 {
                return Err(err(
                    lp,
                    format!(
                        "has {} entries; give 1 to 3: the largest leg, the second, the rest",
                        list.len()
                    ),
                ));
            }
            for (k, &d) in list.iter().enumerate() {
                leg_volumes[k] = non_negative(d, 2, &format!("{lp}[{k}]"), "a volume")?;
                if k > 0 && leg_volumes[k] > leg_volumes[k - 1] {
                    return Err(err(
                        format!("{lp}[{k}]"),
                        "is above the entry before it; list the legs' minimums largest first",
                    ));
                }
            }
        }
        let leg_cap_slot = match (share_cap, volume_cap) {
            (None, None) => None,
            (a, b) => {
                let cap = a.unwrap_or(i64::MAX).min(b.unwrap_or(i64::MAX));
                let key = (cap, gv_slot);
                Some(match leg_caps.iter().position(|&c| c == key) {
                    Some(s) => s,
                    None => {
                        leg_caps.push(key);
                        leg_caps.len() - 1
                    }
                })
            }
        };
        ranks.push(Rank {
            name,
            pv,
            gv,
            active_legs: r.active_legs.unwrap_or(0),
            leg_ranks: legs,
            leg_cap_slot,
            pv_slot,
            gv_slot,
            accumulated_pv,
            leg_titles: titles,
            tv,
            ov,
            leg_volumes,
            max_own_pv,
            own_slot,
        });
    }
    if ranks.is_empty() {
        ranks.push(Rank {
            name: "Distributor".into(),
            pv: 0,
            gv: 0,
            active_legs: 0,
            leg_ranks: vec![],
            leg_cap_slot: None,
            pv_slot: 0,
            gv_slot: 0,
            accumulated_pv: 0,
            leg_titles: vec![],
            tv: 0,
            ov: 0,
            leg_volumes: [0; 3],
            max_own_pv: i64::MAX,
            own_slot: 0,
        });
    }

    // Placement.
    let placement = match &spec.placement {
        None => Placement::None,
        Some(ps) => match ps.kind.as_str() {
            "binary" if ps.width.is_some() => {
                return Err(err(
                    "placement.width",
                    "a binary tree is 2 wide; `width` is for kind = \"matrix\"",
                ))
            }
            "binary" if ps.depth.is_some() => {
                return Err(err(
                    "placement.depth",
                    "a binary tree pays to any depth; `depth` is for kind = \"matrix\"",
                ))
            }
            "matrix" => {
                if ps.rule.is_some() {
                    return Err(err(
                        "placement.rule",
                        "a forced matrix places breadth first, left to right; `rule` is for kind = \"binary\"",
                    ));
                }
                let width = match ps.width {
                    None => return Err(err("placement.width", "is missing; a matrix needs its width (the W of W×D)")),
                    Some(w) if !(2..=MAX_MATRIX_WIDTH).contains(&w) => {
                        return Err(err(
                            "placement.width",
                            format!("{w} is outside 2 to {MAX_MATRIX_WIDTH} (a matrix 1 wide is a single line)"),
                        ))
                    }
                    Some(w) => w,
                };
                let depth = match ps.depth {
                    None => return Err(err("placement.depth", "is missing; a matrix needs its depth (the D of W×D)")),
                    Some(d) if !(1..=MAX_LEVELS as u32).contains(&d) => {
                        return Err(err("placement.depth", format!("{d} is outside 1 to {MAX_LEVELS}")))
                    }
                    Some(d) => d,
                };
                Placement::Matrix { width, depth }
            }
            "binary" => Placement::Binary(match ps.rule.as_deref().unwrap_or("weaker_leg") {
                "weaker_leg" => BinaryRule::WeakerLeg,
                "alternate" => BinaryRule::Alternate,
                "left" => BinaryRule::Left,
                "right" => BinaryRule::Right,
                other => {
                    return Err(err(
                        "placement.rule",
                        format!(
                            "{other:?} is not a binary placement rule; the rules are \"weaker_leg\", \"alternate\", \"left\", \"right\""
                        ),
                    ))
                }
            }),
            other => {
                return Err(err(
                    "placement.kind",
                    format!("{other:?} is not a placement kind; the kinds are [\"binary\", \"matrix\"]"),
                ))
            }
        },
    };

    let pv_compression = match &spec.pv_compression {
        None => None,
        Some(c) => {
            if placement != Placement::None {
                return Err(err(
                    "pv_compression",
                    "compresses the sponsor tree; a plan with a placement tree ([placement]) pays on that tree, which compression does not change. Remove one of them",
                ));
            }
            Some(match c.min_pv {
                None => min_pv,
                Some(d) => non_negative(d, 2, "pv_compression.min_pv", "a volume")?,
            })
        }
    };

    let round_per_term = match spec.rounding.as_ref().map(|r| r.per.as_str()) {
        None | Some("line") => false,
        Some("term") => true,
        Some(other) => {
            return Err(err(
                "rounding.per",
                format!("{other:?} is not a rounding; say \"line\" (once per ledger line) or \"term\" (once per term, then summed)"),
            ))
        }
    };

    let buyback = match &spec.buyback {
        None => None,
        Some(b) => Some(Buyback {
            refund_share: match b.refund_share {
                None => 900_000,
                Some(d) => rate(d, "buyback.refund_share")?,
            },
            within_months: match b.within_months {
                None => None,
                Some(m) => Some(months_setting(Some(m), "buyback.within_months", 1, 36)?),
            },
            charge_back: b.charge_back.unwrap_or(true),
        }),
    };
    let cost_of_goods = match spec.company.as_ref().and_then(|c| c.cost_of_goods) {
        None => None,
        Some(d) => Some(rate(d, "company.cost_of_goods")?),
    };
    let packages_commissionable = spec.volume.packages_commissionable.unwrap_or(true);

    // Bonuses.
    let mut bonuses: Vec<Bonus> = Vec::new();
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    let mut retail_markup = 0;
    let mut retail_seen = false;
    for (i, b) in spec.bonus.iter().enumerate() {
        let p = format!("bonus[{i}]");
        let name = b.name();
        if name.trim().is_empty() {
            return Err(err(format!("{p}.name"), "is empty"));
        }
        if let Some(j) = names.insert(name.clone(), i) {
            return Err(err(
                format!("{p}.name"),
                format!("{name:?} is already the name of bonus[{j}]; give each bonus its own name"),
            ));
        }
        let compiled = match b {
            BonusSpec::Retail(r) => {
                if retail_seen {
                    return Err(err(p, "a plan has at most one retail bonus"));
                }
                retail_seen = true;
                let mp = format!("{p}.markup");
                if r.markup.0 < Decimal::ZERO || r.markup.0 > Decimal::from(10) {
                    return Err(err(mp, format!("{} is outside 0 to 10", r.markup)));
                }
                retail_markup = fixed(r.markup, 6, &mp)?;
                Bonus::Retail {
                    name,
                    markup: retail_markup,
                }
            }
            BonusSpec::Unilevel(u) => {
                if u.levels.is_none() && u.rates.is_empty() {
                    return Err(err(
                        p,
                        "a unilevel needs `levels` (rates by level for every rank) or `rates` (by rank)",
                    ));
                }
                let (depth, rates) = rates_by_rank(
                    &ranks,
                    u.levels.as_deref(),
                    &u.rates,
                    &format!("{p}.levels"),
                    &format!("{p}.rates"),
                )?;
                let level_rank = match &u.compress_below {
                    None => None,
                    Some(r) => Some(rank_index(&ranks, r, &format!("{p}.compress_below"))? as u8),
                };
                if u.skip_unqualified && (u.compression || level_rank.is_some()) {
                    return Err(err(
                        format!("{p}.skip_unqualified"),
                        "is a compression of its own (by qualification for each level): remove `compression` and `compress_below`",
                    ));
                }
                Bonus::Unilevel {
                    name,
                    compression: u.compression || level_rank.is_some(),
                    depth,
                    rates,
                    by_title: by_title(&u.rank_basis, &p)?,
                    level_rank,
                    levels_by_active_legs: u.levels_by_active_legs,
                    skip_unqualified: u.skip_unqualified,
                }
            }
            BonusSpec::FastStart(f) => {
                let months = f.months.unwrap_or(1);
                if !(1..=120).contains(&months) {
                    return Err(err(
                        format!("{p}.months"),
                        format!("{months} is outside 1 to 120"),
                    ));
                }
                let rates = match (f.rate, &f.levels) {
                    (Some(d), None) => vec![rate(d, &format!("{p}.rate"))?],
                    (None, Some(levels)) => level_rates(levels, &format!("{p}.levels"))?,
                    (Some(_), Some(_)) => {
                        return Err(err(
                            format!("{p}.levels"),
                            "give either `rate` (to the sponsor) or `levels` (by upline level), not both",
                        ))
                    }
                    (None, None) => {
                        return Err(err(
                            format!("{p}.rate"),
                            "is missing; give `rate` (to the sponsor) or `levels` (by upline level)",
                        ))
                    }
                };
                Bonus::FastStart {
                    name,
                    rates,
                    months,
                    require_active: f.require_active.unwrap_or(true),
                }
            }
            BonusSpec::RankAdvancement(r) => {
                let mut amounts = vec![0i64; ranks.len()];
                if r.amounts.is_empty() {
                    return Err(err(
                        format!("{p}.amounts"),
                        "is empty; give an amount for at least one rank",
                    ));
                }
                for (rname, &d) in &r.amounts {
                    let ap = format!("{p}.amounts.{rname}");
                    let ri = rank_index(&ranks, rname, &ap)?;
                    amounts[ri] = non_negative(d, 2, &ap, "an amount")?;
                }
                Bonus::RankAdvancement { name, amounts }
            }
            BonusSpec::Differential(dspec) => {
                let rp = format!("{p}.rates");
                if dspec.rates.is_empty() {
                    return Err(err(rp, "is empty; give a rate for at least one rank"));
                }
                let mut listed: Vec<Option<i64>> = vec![None; ranks.len()];
                for (rname, &d) in &dspec.rates {
                    let ep = format!("{rp}.{rname}");
                    let ri = rank_index(&ranks, rname, &ep)?;
                    listed[ri] = Some(rate(d, &ep)?);
                }
                let mut rates = vec![0i64; ranks.len()];
                let mut below: Option<(usize, i64)> = None;
                for ri in 0..ranks.len() {
                    if let Some(r) = listed[ri] {
                        if let Some((bi, br)) = below {
                            if r < br {
                                return Err(err(
                                    format!("{rp}.{}", ranks[ri].name),
                                    format!(
                                        "{} is below the rate of the lower rank {:?} ({}); differential rates must not fall as rank rises",
                                        Decimal::new(r, 6).normalize(),
                                        ranks[bi].name,
                                        Decimal::new(br, 6).normalize()
                                    ),
                                ));
                            }
                        }
                        below = Some((ri, r));
                    }
                    rates[ri] = below.map_or(0, |b| b.1);
                }
                let mut levels: Vec<i64> = rates.iter().copied().filter(|&r| r > 0).collect();
                levels.dedup();
                let rank_level = rates
                    .iter()
                    .map(|r| {
                        levels
                            .iter()
                            .position(|l| l == r)
                            .map_or(0, |k| k as u8 + 1)
                    })
                    .collect();
                let same_rank_rate = match dspec.same_rank_rate {
                    None => 0,
                    Some(d) => rate(d, &format!("{p}.same_rank_rate"))?,
                };
                let (discount, cumulative) = match dspec.mode.as_deref() {
                    None | Some("infinity") => (false, false),
                    Some("discount") => (true, false),
                    Some("cumulative") => (false, true),
                    Some(other) => {
                        return Err(err(
                            format!("{p}.mode"),
                            format!("{other:?} is not a differential mode; the modes are \"infinity\", \"discount\" and \"cumulative\""),
                        ))
                    }
                };
                if cumulative && same_rank_rate > 0 {
                    return Err(err(
                        format!("{p}.same_rank_rate"),
                        "a cumulative differential pays full rates up to the top; a same-rank override goes with mode = \"infinity\"",
                    ));
                }
                let level_rank = match &dspec.compress_below {
                    None => None,
                    Some(r) => Some(rank_index(&ranks, r, &format!("{p}.compress_below"))? as u8),
                };
                let from_level = dspec.from_level.unwrap_or(1);
                if !(1..=MAX_LEVELS as u32).contains(&from_level) {
                    return Err(err(
                        format!("{p}.from_level"),
                        format!("{from_level} is outside 1 to {MAX_LEVELS}"),
                    ));
                }
                if discount && same_rank_rate > 0 {
                    return Err(err(
                        format!("{p}.same_rank_rate"),
                        "a discount ladder pays only differences; a same-rank override goes with mode = \"infinity\"",
                    ));
                }
                Bonus::Differential {
                    name,
                    rates,
                    levels,
                    rank_level,
                    same_rank_rate,
                    discount,
                    cumulative,
                    level_rank,
                    from_level,
                    by_title: by_title(&dspec.rank_basis, &p)?,
                }
            }
            BonusSpec::Matching(mspec) => {
                if mspec.generations.is_none() && mspec.rates.is_empty() {
                    return Err(err(
                        p,
                        "a matching bonus needs `generations` (rates by generation for every rank) or `rates` (by rank)",
                    ));
                }
                let (depth, rates) = rates_by_rank(
                    &ranks,
                    mspec.generations.as_deref(),
                    &mspec.rates,
                    &format!("{p}.generations"),
                    &format!("{p}.rates"),
                )?;
                let on: Vec<usize> = match &mspec.on {
                    None => (0..i).filter(|&k| bonuses[k].in_payout()).collect(),
                    Some(list) => {
                        if list.is_empty() {
                            return Err(err(
                                format!("{p}.on"),
                                "is empty; name at least one earlier bonus to match",
                            ));
                        }
                        let mut v = Vec::new();
                        for (k, bn) in list.iter().enumerate() {
                            let op = format!("{p}.on[{k}]");
                            let j = match names.get(bn) {
                                Some(&j) if j < i => j,
                                _ => {
                                    let earlier: Vec<&String> = names
                                        .iter()
                                        .filter(|(_, &j)| j < i)
                                        .map(|(n, _)| n)
                                        .collect();
                                    return Err(err(
                                        op,
                                        format!(
                                            "{bn:?} is not a bonus listed before this one; the earlier bonuses are {earlier:?}"
                                        ),
                                    ));
                                }
                            };
                            if !bonuses[j].paid_by_company() {
                                return Err(err(
                                    op,
                                    format!("{bn:?} is paid by customers, not the company; match only company-paid bonuses"),
                                ));
                            }
                            if bonuses[j].paid_to_host() {
                                return Err(err(
                                    op,
                                    format!("{bn:?} is paid to party hosts, not distributors; match only distributors' bonuses"),
                                ));
                            }
                            if v.contains(&j) {
                                return Err(err(op, format!("{bn:?} is listed twice")));
                            }
                            v.push(j);
                        }
                        v
                    }
                };
                if on.is_empty() {
                    return Err(err(
                        p,
                        "there is no company-paid bonus before this matching bonus to match; list it after the bonuses it matches",
                    ));
                }
                let volume_based = on.iter().all(|&j| bonuses[j].is_volume_based());
                Bonus::Matching {
                    name,
                    compression: mspec.compression,
                    depth,
                    rates,
                    on,
                    volume_based,
                    by_title: by_title(&mspec.rank_basis, &p)?,
                }
            }
            BonusSpec::Pool(pspec) => {
                let r = rate(pspec.rate, &format!("{p}.rate"))?;
                let sp = format!("{p}.shares");
                if pspec.shares.is_empty() {
                    return Err(err(sp, "is empty; give shares to at least one rank"));
                }
                let mut listed: Vec<Option<u32>> = vec![None; ranks.len()];
                for (rname, &count) in &pspec.shares {
                    let ep = format!("{sp}.{rname}");
                    let ri = rank_index(&ranks, rname, &ep)?;
                    if count == 0 {
                        return Err(err(ep, "0 shares; give at least 1 or remove the entry"));
                    }
                    if count > 1_000_000 {
                        return Err(err(ep, format!("{count} shares; at most 1000000")));
                    }
                    listed[ri] = Some(count);
                }
                let mut shares = vec![0u32; ranks.len()];
                let mut below = 0;
                for ri in 0..ranks.len() {
                    if let Some(c) = listed[ri] {
                        below = c;
                    }
                    shares[ri] = below;
                }
                Bonus::Pool {
                    name,
                    rate: r,
                    shares,
                    by_title: by_title(&pspec.rank_basis, &p)?,
                }
            }
            BonusSpec::Stairstep(sspec) => {
                let tp = format!("{p}.tiers");
                if sspec.tiers.is_empty() {
                    return Err(err(tp, "has no tiers; give at least one { gv, rate }"));
                }
                if sspec.tiers.len() > MAX_LEVELS {
                    return Err(err(
                        tp,
                        format!("{} tiers; at most {MAX_LEVELS}", sspec.tiers.len()),
                    ));
                }
                let mut tier_gv = Vec::new();
                let mut tier_rate = Vec::new();
                for (k, t) in sspec.tiers.iter().enumerate() {
                    let g = non_negative(t.gv, 2, &format!("{tp}[{k}].gv"), "a volume")?;
                    let r = rate(t.rate, &format!("{tp}[{k}].rate"))?;
                    if k > 0 && g <= tier_gv[k - 1] {
                        return Err(err(
                            format!("{tp}[{k}].gv"),
                            format!(
                                "{} is not above tiers[{}].gv ({}); list tiers in increasing gv",
                                t.gv,
                                k - 1,
                                sspec.tiers[k - 1].gv
                            ),
                        ));
                    }
                    if k > 0 && r < tier_rate[k - 1] {
                        return Err(err(
                            format!("{tp}[{k}].rate"),
                            format!(
                                "{} is below tiers[{}].rate ({}); a higher tier may not pay a lower rate",
                                t.rate,
                                k - 1,
                                sspec.tiers[k - 1].rate
                            ),
                        ));
                    }
                    tier_gv.push(g);
                    tier_rate.push(r);
                }
                let top = *tier_rate.last().unwrap();
                let breakaway_rate = match sspec.breakaway_rate {
                    None => top,
                    Some(d) => {
                        let bp = format!("{p}.breakaway_rate");
                        let b = rate(d, &bp)?;
                        if !tier_rate.contains(&b) {
                            return Err(err(
                                bp,
                                format!(
                                    "{d} is not the rate of any tier; use one of the tiers' rates"
                                ),
                            ));
                        }
                        b
                    }
                };
                if breakaway_rate == 0 {
                    return Err(err(
                        match sspec.breakaway_rate {
                            Some(_) => format!("{p}.breakaway_rate"),
                            None => format!("{tp}[{}].rate", sspec.tiers.len() - 1),
                        },
                        "a breakaway rate of 0 would make every leg break away; use a rate above 0",
                    ));
                }
                if sspec.generation_rates.len() > MAX_LEVELS {
                    return Err(err(
                        format!("{p}.generation_rates"),
                        format!(
                            "{} generations; at most {MAX_LEVELS}",
                            sspec.generation_rates.len()
                        ),
                    ));
                }
                let generation_rates = sspec
                    .generation_rates
                    .iter()
                    .enumerate()
                    .map(|(k, &d)| rate(d, &format!("{p}.generation_rates[{k}]")))
                    .collect::<Result<Vec<_>>>()?;
                Bonus::Stairstep {
                    name,
                    tier_gv,
                    tier_rate,
                    breakaway_rate,
                    generation_rates,
                }
            }
            BonusSpec::Matrix(ms) => {
                let depth = match placement {
                    Placement::Matrix { depth, .. } => depth as usize,
                    _ => {
                        return Err(err(
                            format!("{p}.kind"),
                            "a matrix bonus needs a forced matrix placement: add `[placement] kind = \"matrix\"` with `width` and `depth`",
                        ))
                    }
                };
                let lp = format!("{p}.levels");
                let rates = level_rates(&ms.levels, &lp)?;
                if rates.len() > depth {
                    return Err(err(
                        lp,
                        format!(
                            "{} levels, but the matrix pays {depth} deep (placement.depth)",
                            rates.len()
                        ),
                    ));
                }
                Bonus::Matrix { name, rates }
            }
            BonusSpec::Binary(bs) => {
                if !matches!(placement, Placement::Binary(_)) {
                    return Err(err(
                        format!("{p}.kind"),
                        "a binary bonus needs a binary placement tree: add `[placement] kind = \"binary\"`",
                    ));
                }
                let ratio = bs.ratio.unwrap_or([1, 1]);
                for (k, &r) in ratio.iter().enumerate() {
                    if !(1..=100).contains(&r) {
                        return Err(err(
                            format!("{p}.ratio[{k}]"),
                            format!("{r} is outside 1 to 100"),
                        ));
                    }
                }
                let max_carry = match bs.max_carry {
                    None => None,
                    Some(d) => Some(non_negative(d, 2, &format!("{p}.max_carry"), "a volume")?),
                };
                if let Some(m) = bs.carry_months {
                    if m > MAX_CARRY_MONTHS {
                        return Err(err(
                            format!("{p}.carry_months"),
                            format!("{m} is above {MAX_CARRY_MONTHS}"),
                        ));
                    }
                }
                let cap_per_month = match bs.cap_per_month {
                    None => None,
                    Some(d) => {
                        let cp = format!("{p}.cap_per_month");
                        let c = non_negative(d, 2, &cp, "an amount")?;
                        if c == 0 {
                            return Err(err(cp, "0 would pay nothing; use an amount above 0"));
                        }
                        Some(c)
                    }
                };
                let by_rank =
                    |m: &BTreeMap<String, Dec>, field: &str, money: bool| -> Result<Vec<i64>> {
                        if m.is_empty() {
                            return Ok(vec![]);
                        }
                        let mut listed = vec![None; ranks.len()];
                        for (rname, &d) in m {
                            let ep = format!("{p}.{field}.{rname}");
                            let ri = rank_index(&ranks, rname, &ep)?;
                            listed[ri] = Some(if money {
                                non_negative(d, 2, &ep, "an amount")?
                            } else {
                                rate(d, &ep)?
                            });
                        }
                        let mut below = 0;
                        Ok(listed
                            .into_iter()
                            .map(|x| {
                                if let Some(v) = x {
                                    below = v;
                                }
                                below
                            })
                            .collect())
                    };
                let cycle_pv = match bs.cycle_pv {
                    None => None,
                    Some(d) => {
                        let cp = format!("{p}.cycle_pv");
                        let v = non_negative(d, 2, &cp, "a volume")?;
                        if v == 0 {
                            return Err(err(
                                cp,
                                "a cycle of 0 PV has no meaning; use a volume above 0",
                            ));
                        }
                        Some(v)
                    }
                };
                let mut cycle_values = by_rank(&bs.cycle_values, "cycle_values", true)?;
                if let Some(d) = bs.cycle_value {
                    if !cycle_values.is_empty() {
                        return Err(err(
                            format!("{p}.cycle_value"),
                            "give either `cycle_value` (for everyone) or `cycle_values` (by rank), not both",
                        ));
                    }
                    cycle_values =
                        vec![
                            non_negative(d, 2, &format!("{p}.cycle_value"), "an amount")?;
                            ranks.len()
                        ];
                }
                if !cycle_values.is_empty() && cycle_pv.is_none() {
                    return Err(err(
                        format!("{p}.cycle_pv"),
                        "is missing: a value per cycle needs the cycle's PV",
                    ));
                }
                let rank_rates = by_rank(&bs.rates, "rates", false)?;
                let flat = match bs.rate {
                    Some(d) => rate(d, &format!("{p}.rate"))?,
                    None if cycle_values.is_empty() && rank_rates.is_empty() => {
                        return Err(err(
                            format!("{p}.rate"),
                            "is missing: give `rate` (or `rates` by rank), or `cycle_pv` with `cycle_value`",
                        ))
                    }
                    None => 0,
                };
                if !cycle_values.is_empty() && (bs.rate.is_some() || !rank_rates.is_empty()) {
                    return Err(err(
                        format!("{p}.rate"),
                        "a binary paid per cycle has no rate: remove `rate`/`rates` or the cycle values",
                    ));
                }
                let cap_exempt_cycles = bs.cap_exempt_cycles.unwrap_or(0);
                if cap_exempt_cycles > 0 && (cycle_pv.is_none() || cap_per_month.is_none()) {
                    return Err(err(
                        format!("{p}.cap_exempt_cycles"),
                        "exempts cycles from the cap: it needs `cycle_pv` and `cap_per_month`",
                    ));
                }
                let paycut = match bs.paycut {
                    None => None,
                    Some(d) => Some(rate(d, &format!("{p}.paycut"))?),
                };
                Bonus::Binary {
                    name,
                    rate: flat,
                    ratio: [ratio[0] as i64, ratio[1] as i64],
                    max_carry,
                    carry_months: bs.carry_months,
                    flush_if_inactive: bs.flush_if_inactive,
                    cap_per_month,
                    require_sponsored_legs: bs.require_sponsored_legs,
                    rank_rates,
                    cycle_pv,
                    cycle_values,
                    cap_exempt_cycles,
                    paycut,
                }
            }
            BonusSpec::Sponsoring(sp) => {
                let ap = format!("{p}.amounts");
                if sp.amounts.is_empty() || sp.amounts.len() > MAX_LEVELS {
                    return Err(err(
                        ap,
                        format!("has {} levels; give 1 to {MAX_LEVELS}", sp.amounts.len()),
                    ));
                }
                let amounts = sp
                    .amounts
                    .iter()
                    .enumerate()
                    .map(|(k, &d)| non_negative(d, 2, &format!("{ap}[{k}]"), "an amount"))
                    .collect::<Result<Vec<i64>>>()?;
                let trigger = match (&sp.rank, sp.min_pv) {
                    (Some(_), Some(_)) => {
                        return Err(err(
                            format!("{p}.min_pv"),
                            "give either `min_pv` (on the first order) or `rank` (reached within `within_months`), not both",
                        ))
                    }
                    (Some(r), None) => {
                        let ri = rank_index(&ranks, r, &format!("{p}.rank"))? as u8;
                        let within = months_setting(sp.within_months, &format!("{p}.within_months"), 1, 120)?;
                        crate::engine::bonus::sponsoring::Trigger::Rank(ri, within)
                    }
                    (None, d) => {
                        if sp.within_months.is_some() {
                            return Err(err(
                                format!("{p}.within_months"),
                                "goes with `rank` (reached within so many months); the first order has no window",
                            ));
                        }
                        let min = match d {
                            None => 0,
                            Some(d) => non_negative(d, 2, &format!("{p}.min_pv"), "a volume")?,
                        };
                        crate::engine::bonus::sponsoring::Trigger::FirstOrder(min)
                    }
                };
                Bonus::Sponsoring {
                    name,
                    amounts,
                    trigger,
                    require_active: sp.require_active.unwrap_or(true),
                }
            }
            BonusSpec::Allowance(al) => {
                let ap = format!("{p}.amounts");
                if al.amounts.is_empty() {
                    return Err(err(ap, "is empty; give an amount for at least one rank"));
                }
                let mut listed: Vec<(u8, i64)> = vec![];
                for (rname, &d) in &al.amounts {
                    let ep = format!("{ap}.{rname}");
                    let ri = rank_index(&ranks, rname, &ep)? as u8;
                    listed.push((ri, non_negative(d, 2, &ep, "an amount")?));
                }
                listed.sort_unstable();
                Bonus::Allowance {
                    name,
                    ranks: listed.iter().map(|x| x.0).collect(),
                    amounts: listed.iter().map(|x| x.1).collect(),
                    months_held: months_setting(
                        al.months_held,
                        &format!("{p}.months_held"),
                        1,
                        120,
                    )?,
                    by_title: by_title(&al.rank_basis, &p)?,
                }
            }
            BonusSpec::Generation(g) => {
                if g.generations.is_none() && g.rates.is_empty() {
                    return Err(err(
                        p,
                        "a generation bonus needs `generations` (rates by generation for every rank) or `rates` (by rank)",
                    ));
                }
                let leader = rank_index(&ranks, &g.leader, &format!("{p}.leader"))? as u8;
                let (depth, rates) = rates_by_rank(
                    &ranks,
                    g.generations.as_deref(),
                    &g.rates,
                    &format!("{p}.generations"),
                    &format!("{p}.rates"),
                )?;
                let from_generation = match g.from_generation {
                    None | Some(1) => 1,
                    Some(0) => 0,
                    Some(k) => {
                        return Err(err(
                            format!("{p}.from_generation"),
                            format!("{k} is not 0 (the own group first) or 1 (the first leaders' groups first)"),
                        ))
                    }
                };
                Bonus::Generation {
                    name,
                    leader,
                    depth,
                    rates,
                    compression: g.compression,
                    by_title: by_title(&g.rank_basis, &p)?,
                    from_generation,
                }
            }
            BonusSpec::Personal(ps) => {
                let tp = format!("{p}.tiers");
                let (tier_pv, tier_rate, _) = party_tiers(&ps.tiers, &tp, false)?;
                Bonus::Personal {
                    name,
                    tier_pv,
                    tier_rate,
                    require_active: ps.require_active.unwrap_or(true),
                }
            }
            BonusSpec::PartyCommission(ps) => {
                let tp = format!("{p}.tiers");
                let (tier_pv, tier_rate, _) = party_tiers(&ps.tiers, &tp, false)?;
                let list = ps.on.clone().unwrap_or_else(|| vec!["party".to_string()]);
                let op = format!("{p}.on");
                if list.is_empty() {
                    return Err(err(
                        op,
                        "is empty; name the sales it is paid on: any of [\"party\", \"retail\", \"preferred\"]",
                    ));
                }
                let mut on = 0u8;
                for (k, src) in list.iter().enumerate() {
                    let bit = match src.as_str() {
                        "party" => ON_PARTY,
                        "retail" => ON_RETAIL,
                        "preferred" => ON_PREFERRED,
                        other => {
                            return Err(err(
                                format!("{op}[{k}]"),
                                format!("{other:?} is not a source of sales; use any of [\"party\", \"retail\", \"preferred\"]"),
                            ))
                        }
                    };
                    if on & bit != 0 {
                        return Err(err(
                            format!("{op}[{k}]"),
                            format!("{src:?} is listed twice"),
                        ));
                    }
                    on |= bit;
                }
                Bonus::PartyCommission {
                    name,
                    tier_pv,
                    tier_rate,
                    on,
                    require_active: ps.require_active,
                }
            }
            BonusSpec::HostRewards(hs) => {
                let tp = format!("{p}.tiers");
                let (tier_pv, tier_rate, tier_amount) = party_tiers(&hs.tiers, &tp, true)?;
                Bonus::HostRewards {
                    name,
                    tier_pv,
                    tier_rate,
                    tier_amount,
                }
            }
        };
        bonuses.push(compiled);
    }

    if round_per_term {
        // Bonuses whose lines sum terms the engine does not yet round one by one.
        if let Some(k) = bonuses.iter().position(|b| {
            matches!(
                b,
                Bonus::Matching { .. }
                    | Bonus::Stairstep { .. }
                    | Bonus::Matrix { .. }
                    | Bonus::Generation { .. }
            )
        }) {
            return Err(err(
                "rounding.per",
                format!(
                    "\"term\" is not supported with bonus[{k}] ({}): it is rounded once per line; use per = \"line\"",
                    spec.bonus[k].kind()
                ),
            ));
        }
    }
    let cap = match &spec.cap {
        None => None,
        Some(c) => {
            let v = rate(c.max_payout_ratio, "cap.max_payout_ratio")?;
            if v == 0 {
                return Err(err(
                    "cap.max_payout_ratio",
                    "0 would pay nothing; use a share above 0",
                ));
            }
            Some(v)
        }
    };
    let money = |d: Option<Dec>, path: &str| -> Result<i64> {
        match d {
            None => Ok(0),
            Some(d) => non_negative(d, 2, path, "an amount"),
        }
    };
    let costs = Costs {
        enrollment_fee: money(spec.costs.enrollment_fee, "costs.enrollment_fee")?,
        annual_fee: money(spec.costs.annual_fee, "costs.annual_fee")?,
        min_monthly_purchase: money(
            spec.costs.min_monthly_purchase,
            "costs.min_monthly_purchase",
        )?,
    };

    Ok(CompiledPlan {
        name: spec.name.clone().unwrap_or_else(|| "plan".into()),
        currency: spec.currency.clone().unwrap_or_else(|| "USD".into()),
        spec,
        point_value,
        min_pv,
        ranks,
        leg_rank_slots,
        leg_caps,
        leg_title_slots,
        pv_windows,
        gv_windows,
        window_months,
        accumulation_months,
        grace_months,
        pv_compression,
        round_per_term,
        buyback,
        packages_commissionable,
        cost_of_goods,
        bonuses,
        cap,
        costs,
        retail_markup,
        placement,
        warnings: vec![],
    })
    .and_then(|mut plan| {
        check_payout_multiple(&plan)?;
        plan.warnings = warnings(&plan);
        Ok(plan)
    })
}

/// Refuse a plan whose bonuses bounded by rates can pay more than
/// [`crate::money::MAX_PAYOUT_MULTIPLE`] of the volume value together: no plan pays 400
/// times what is sold, and the bound is what keeps a month's sums inside 64 bits.
fn check_payout_multiple(plan: &CompiledPlan) -> Result<()> {
    let mut total = 0i128;
    let mut parts = vec![];
    for (b, bonus) in plan.bonuses.iter().enumerate() {
        let m = match bonus {
            Bonus::Retail { markup, .. } => Some(*markup as i128),
            _ => payout_multiple(bonus, &plan.bonuses, plan.ranks.len()),
        };
        if let Some(m) = m.filter(|&m| m > 0) {
            total += m;
            parts.push(format!("bonus[{b}] {} {}", bonus.name(), pct(m)));
        }
    }
    if total > crate::money::MAX_PAYOUT_MULTIPLE {
        return Err(err(
            "bonus",
            format!(
                "the bonuses can pay up to {} of the volume value ({}); at most 40000% — lower the rates, levels or generations",
                pct(total),
                parts.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Millionths as a percentage for messages.
fn pct(x: i128) -> String {
    let d = Decimal::from_i128_with_scale(x * 100, 6).normalize();
    format!("{d}%")
}

/// The most a bonus can pay as a share of the month's volume value (millionths), when
/// that is bounded by its rates: the sum of its rates along one line, times what it
/// matches. `None` for bonuses not bounded by rates (binary pays each volume to every
/// upline's leg; fixed amounts).
fn payout_multiple(b: &Bonus, bonuses: &[Bonus], ranks: usize) -> Option<i128> {
    let row_max = |rates: &[i64], depth: usize| -> i128 {
        (0..ranks)
            .map(|r| {
                rates[r * depth..(r + 1) * depth]
                    .iter()
                    .map(|&x| x as i128)
                    .sum()
            })
            .max()
            .unwrap_or(0)
    };
    Some(match b {
        Bonus::Unilevel { rates, depth, .. } => row_max(rates, *depth),
        Bonus::Generation { rates, depth, .. } => row_max(rates, *depth),
        Bonus::FastStart { rates, .. } => rates.iter().map(|&x| x as i128).sum(),
        Bonus::Differential {
            levels,
            same_rank_rate,
            ..
        } => levels.last().copied().unwrap_or(0) as i128 + *same_rank_rate as i128,
        Bonus::Matching {
            rates, depth, on, ..
        } => {
            let matched: Option<i128> = on
                .iter()
                .map(|&j| payout_multiple(&bonuses[j], bonuses, ranks))
                .sum();
            row_max(rates, *depth) * matched? / RATE_ONE as i128
        }
        Bonus::Pool { rate, .. } => *rate as i128,
        Bonus::Stairstep {
            tier_rate,
            generation_rates,
            ..
        } => {
            tier_rate.last().copied().unwrap_or(0) as i128
                + generation_rates.iter().map(|&x| x as i128).sum::<i128>()
        }
        Bonus::Matrix { rates, .. } => rates.iter().map(|&x| x as i128).sum(),
        Bonus::PartyCommission { tier_rate, .. } | Bonus::Personal { tier_rate, .. } => {
            tier_rate.iter().copied().max().unwrap_or(0) as i128
        }
        Bonus::Retail { .. }
        | Bonus::HostRewards { .. }
        | Bonus::RankAdvancement { .. }
        | Bonus::Sponsoring { .. }
        | Bonus::Allowance { .. }
        | Bonus::Binary { .. } => return None,
    })
}

/// Whether anyone who meets rank `k` also meets rank `j` (every requirement of `j` is
/// at most `k`'s, by the same measures). Conservative: `false` when unsure.
fn implied_by(j: &Rank, k: &Rank) -> bool {
    j.pv <= k.pv
        && j.gv <= k.gv
        && j.active_legs <= k.active_legs
        && j.tv <= k.tv
        && j.ov <= k.ov
        && j.accumulated_pv <= k.accumulated_pv
        && j.leg_volumes
            .iter()
            .zip(&k.leg_volumes)
            .all(|(a, b)| a <= b)
        && (j.leg_volumes[2] == 0) == (k.leg_volumes[2] == 0)
        && j.leg_ranks.is_empty()
        && j.leg_titles.is_empty()
        && j.leg_cap_slot.is_none()
        && j.max_own_pv == i64::MAX
        && j.pv_slot == k.pv_slot
        && j.gv_slot == k.gv_slot
}

/// What the plan allows that is probably a mistake (see [`CompiledPlan::warnings`]).
fn warnings(plan: &CompiledPlan) -> Vec<String> {
    let mut out = vec![];
    // Ranks that can never be paid as: a rank listed after them asks for no more.
    let mut unreachable = vec![false; plan.ranks.len()];
    for k in 0..plan.ranks.len() {
        if let Some(j) =
            (k + 1..plan.ranks.len()).find(|&j| implied_by(&plan.ranks[j], &plan.ranks[k]))
        {
            unreachable[k] = true;
            out.push(format!(
                "ranks[{k}] ({}) can never be paid as: anyone who meets it also meets ranks[{j}] ({}), listed after it — ranks are listed lowest first",
                plan.ranks[k].name, plan.ranks[j].name
            ));
        }
    }
    // More than the volume.
    let mut total = 0i128;
    let mut parts = vec![];
    let mut bounded = true;
    for (b, bonus) in plan.bonuses.iter().enumerate() {
        if !bonus.in_payout() {
            continue;
        }
        match payout_multiple(bonus, &plan.bonuses, plan.ranks.len()) {
            Some(m) if m > 0 => {
                total += m;
                parts.push(format!("bonus[{b}] {} {}", bonus.name(), pct(m)));
            }
            Some(_) => {}
            None => bounded = !matches!(bonus, Bonus::Binary { .. }) && bounded,
        }
    }
    if total > RATE_ONE as i128 {
        let cap = match plan.cap {
            Some(c) => format!(
                "; the cap of {} of volume holds what is paid",
                pct(c as i128)
            ),
            None => "; there is no cap".to_string(),
        };
        out.push(format!(
            "the bonuses can pay up to {} of the volume value — more than 100% of what is sold ({}){}{}",
            pct(total),
            parts.join(", "),
            if bounded { "" } else { ", binary not counted" },
            cap
        ));
    }
    // Bonuses that can never pay.
    for (b, bonus) in plan.bonuses.iter().enumerate() {
        let paid_ranks = |rates: &[i64], depth: usize| -> bool {
            (0..plan.ranks.len()).any(|r| {
                !unreachable[r] && rates[r * depth..(r + 1) * depth].iter().any(|&x| x > 0)
            })
        };
        let never = match bonus {
            Bonus::Unilevel { rates, depth, .. }
            | Bonus::Generation { rates, depth, .. }
            | Bonus::Matching { rates, depth, .. } => !paid_ranks(rates, *depth),
            Bonus::Differential { rates, .. } => {
                !(0..plan.ranks.len()).any(|r| !unreachable[r] && rates[r] > 0)
            }
            Bonus::Pool { shares, rate, .. } => {
                *rate == 0 || !(0..plan.ranks.len()).any(|r| !unreachable[r] && shares[r] > 0)
            }
            Bonus::RankAdvancement { amounts, .. } => {
                !(0..plan.ranks.len()).any(|r| !unreachable[r] && amounts[r] > 0)
            }
            Bonus::FastStart { rates, .. } | Bonus::Matrix { rates, .. } => {
                rates.iter().all(|&x| x == 0)
            }
            _ => false,
        };
        if never {
            out.push(format!(
                "bonus[{b}] ({}) can never pay: its rates are 0 for every rank that can be paid as",
                bonus.name()
            ));
        }
    }
    out
}

/// A number of months from a plan file, within `lo..=hi` (default 1).
fn months_setting(v: Option<u32>, path: &str, lo: u32, hi: u32) -> Result<u16> {
    let m = v.unwrap_or(1);
    if !(lo..=hi).contains(&m) {
        return Err(err(path, format!("{m} is outside {lo} to {hi} months")));
    }
    Ok(m as u16)
}

/// Whether a bonus reads its rates by title (`rank_basis = "title"`) rather than by
/// paid-as rank.
fn by_title(basis: &Option<String>, p: &str) -> Result<bool> {
    match basis.as_deref() {
        None | Some("paid_as") => Ok(false),
        Some("title") => Ok(true),
        Some(other) => Err(err(
            format!("{p}.rank_basis"),
            format!("{other:?} is not a rank basis; say \"paid_as\" (this month's rank) or \"title\" (the highest reached)"),
        )),
    }
}

/// Rates by level for every rank, `rates[rank * depth + level - 1]`, from a default list
/// and lists by rank name; returns `(depth, rates)`.
fn rates_by_rank(
    ranks: &[Rank],
    default: Option<&[Dec]>,
    by_name: &BTreeMap<String, Vec<Dec>>,
    default_path: &str,
    by_name_path: &str,
) -> Result<(usize, Vec<i64>)> {
    let mut by_rank: Vec<Option<Vec<i64>>> = vec![None; ranks.len()];
    let default = match default {
        None => None,
        Some(l) => Some(level_rates(l, default_path)?),
    };
    for (rname, l) in by_name {
        let rp = format!("{by_name_path}.{rname}");
        let ri = rank_index(ranks, rname, &rp)?;
        by_rank[ri] = Some(level_rates(l, &rp)?);
    }
    let depth = by_rank
        .iter()
        .flatten()
        .chain(default.iter())
        .map(|v| v.len())
        .max()
        .unwrap_or(0);
    let mut rates = vec![0i64; ranks.len() * depth];
    for (ri, r) in by_rank.iter().enumerate() {
        if let Some(v) = r.as_ref().or(default.as_ref()) {
            rates[ri * depth..ri * depth + v.len()].copy_from_slice(v);
        }
    }
    Ok((depth, rates))
}

/// The tiers of a party plan bonus: thresholds (hundredths of a point), rates
/// (millionths) and fixed amounts (cents; only where `amounts` is allowed).
fn party_tiers(
    tiers: &[PartyTierSpec],
    tp: &str,
    amounts: bool,
) -> Result<(Vec<i64>, Vec<i64>, Vec<i64>)> {
    if tiers.is_empty() {
        return Err(err(tp, "has no tiers; give at least one { min_pv, rate }"));
    }
    if tiers.len() > MAX_LEVELS {
        return Err(err(
            tp,
            format!("{} tiers; at most {MAX_LEVELS}", tiers.len()),
        ));
    }
    let (mut tier_pv, mut tier_rate, mut tier_amount) = (vec![], vec![], vec![]);
    for (k, t) in tiers.iter().enumerate() {
        let g = non_negative(t.min_pv, 2, &format!("{tp}[{k}].min_pv"), "a volume")?;
        if k > 0 && g <= tier_pv[k - 1] {
            return Err(err(
                format!("{tp}[{k}].min_pv"),
                format!(
                    "{} is not above tiers[{}].min_pv ({}); list tiers in increasing min_pv",
                    t.min_pv,
                    k - 1,
                    tiers[k - 1].min_pv
                ),
            ));
        }
        tier_pv.push(g);
        tier_rate.push(rate(t.rate, &format!("{tp}[{k}].rate"))?);
        tier_amount.push(match t.amount {
            None => 0,
            Some(_) if !amounts => return Err(err(
                format!("{tp}[{k}].amount"),
                "a fixed amount per party is for kind = \"host_rewards\"; a commission is a rate",
            )),
            Some(d) => non_negative(d, 2, &format!("{tp}[{k}].amount"), "an amount")?,
        });
    }
    Ok((tier_pv, tier_rate, tier_amount))
}

fn level_rates(levels: &[Dec], path: &str) -> Result<Vec<i64>> {
    if levels.is_empty() {
        return Err(err(path, "has no levels; give at least one rate"));
    }
    if levels.len() > MAX_LEVELS {
        return Err(err(
            path,
            format!("{} levels; at most {MAX_LEVELS}", levels.len()),
        ));
    }
    levels
        .iter()
        .enumerate()
        .map(|(k, &d)| rate(d, &format!("{path}[{k}]")))
        .collect()
}

impl CompiledPlan {
    /// Index of the rank named `name`.
    pub fn rank_index(&self, name: &str) -> Option<usize> {
        self.ranks.iter().position(|r| r.name == name)
    }
    /// Whether any rank has a requirement, so that ranks must be evaluated each month.
    pub fn has_rank_requirements(&self) -> bool {
        self.ranks.iter().any(|r| {
            r.pv > 0
                || r.gv > 0
                || r.active_legs > 0
                || !r.leg_ranks.is_empty()
                || r.accumulated_pv > 0
                || !r.leg_titles.is_empty()
                || r.tv > 0
                || r.ov > 0
                || r.leg_volumes[0] > 0
        }) || self.grace_months > 0
    }
    /// Whether anything reads this month's title (a bonus by title, or a rank requiring
    /// legs holding a title).
    pub fn uses_titles(&self) -> bool {
        !self.leg_title_slots.is_empty()
            || self.bonuses.iter().any(|b| {
                matches!(
                    b,
                    Bonus::Unilevel { by_title: true, .. }
                        | Bonus::Differential { by_title: true, .. }
                        | Bonus::Matching { by_title: true, .. }
                        | Bonus::Pool { by_title: true, .. }
                        | Bonus::Generation { by_title: true, .. }
                )
            })
    }
    /// Whether some rank uses a rule beyond this month's PV, GV, active legs, leg ranks
    /// and leg caps (windows, accumulated, team, organisation or leg volumes, a limit on
    /// own PV, leg titles).
    pub fn uses_extended_rank_rules(&self) -> bool {
        self.ranks.iter().any(|r| {
            r.pv_slot != 0
                || r.gv_slot != 0
                || r.accumulated_pv > 0
                || r.tv > 0
                || r.ov > 0
                || r.leg_volumes[0] > 0
                || r.max_own_pv < i64::MAX
                || !r.leg_titles.is_empty()
        })
    }
    /// Whether some rank asks for minimum leg volumes.
    pub fn uses_leg_volumes(&self) -> bool {
        self.ranks.iter().any(|r| r.leg_volumes[0] > 0)
    }
    /// Whether some rank asks for accumulated PV.
    pub fn uses_accumulated_pv(&self) -> bool {
        self.ranks.iter().any(|r| r.accumulated_pv > 0)
    }
    /// Whether a bonus pays for reaching a rank (it reads the highest rank reached before
    /// the month, so that is raised only after the bonuses).
    pub fn has_rank_advancement(&self) -> bool {
        self.bonuses
            .iter()
            .any(|b| matches!(b, Bonus::RankAdvancement { .. }))
    }
    /// Volume (hundredths of a point) bought with `cents` at wholesale price.
    #[inline]
    pub fn volume_of(&self, cents: i64) -> i64 {
        if self.point_value == RATE_ONE {
            cents
        } else {
            // Held at a ceiling far above any month's volume rather than wrapped.
            (cents as i128 * RATE_ONE as i128 / self.point_value as i128)
                .min(crate::money::VOLUME_CEILING as i128) as i64
        }
    }
    /// The wholesale part of a retail sale of `retail_cents` (customers pay
    /// `wholesale × (1 + markup)`), rounded half away from zero.
    #[inline]
    pub fn wholesale_of(&self, retail_cents: i64) -> i64 {
        if self.retail_markup == 0 {
            retail_cents
        } else {
            crate::money::round_div(
                retail_cents as i128 * RATE_ONE as i128,
                (RATE_ONE + self.retail_markup) as i128,
            )
        }
    }
}
