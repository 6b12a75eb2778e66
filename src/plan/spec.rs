//! The plan file as written: serde structures for TOML and JSON plan files.
//!
//! Every struct denies unknown fields, so a misspelt key is an error that names it.
//! Amounts, volumes and rates are [`Dec`]: a decimal written as a string (`"0.05"`) or a
//! number (`0.05`); they become exact integers in [`super::compile`].

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::str::FromStr;

/// A decimal number from a plan file: a string such as `"0.05"`, an integer, or a float
/// (read by its shortest decimal representation, so `0.05` is exactly 0.05).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Dec(pub Decimal);

impl Serialize for Dec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.normalize().to_string())
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Dec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a decimal number, written as a string like \"0.05\" or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Dec, E> {
                let t = v.trim().replace('_', "");
                if let Some(places) = decimal_places(&t) {
                    if places > 28 {
                        let shown = if v.len() > 40 {
                            "this number".to_string()
                        } else {
                            format!("{v:?}")
                        };
                        return Err(E::custom(format!(
                            "{shown} has {places} decimal places; at most 28 can be held exactly"
                        )));
                    }
                }
                Decimal::from_str(&t)
                    .or_else(|_| Decimal::from_scientific(&t))
                    .map(Dec)
                    .map_err(|_| E::custom(format!("{v:?} is not a decimal number")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Dec, E> {
                Ok(Dec(Decimal::from(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Dec, E> {
                Ok(Dec(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Dec, E> {
                if !v.is_finite() {
                    return Err(E::custom(format!("{v} is not a finite number")));
                }
                self.visit_str(&format!("{v}"))
            }
        }
        d.deserialize_any(V)
    }
}

/// The decimal places a number written as text needs (`"1.250"` → 2, `"1e-30"` → 30),
/// or `None` if it is not a plain or scientific decimal.
fn decimal_places(t: &str) -> Option<i64> {
    let t = t.trim_start_matches(['+', '-']);
    let (mantissa, exp) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().ok()?),
        None => (t, 0),
    };
    let frac = mantissa.split_once('.').map_or("", |(_, f)| f);
    if !mantissa.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let digits = frac.trim_end_matches('0').len() as i64;
    Some((digits - exp).max(0))
}

impl std::fmt::Display for Dec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

/// A compensation plan as written in a plan file.
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PlanSpec {
    /// A name for reports.
    #[serde(default)]
    pub name: Option<String>,
    /// Currency code of every amount, for reports (default `"USD"`).
    #[serde(default)]
    pub currency: Option<String>,
    /// How volume is valued.
    #[serde(default)]
    pub volume: VolumeSpec,
    /// What makes a distributor active (qualified) in a month.
    #[serde(default)]
    pub active: ActiveSpec,
    /// Ranks, lowest first.
    #[serde(default)]
    pub ranks: Vec<RankSpec>,
    /// Bonuses, paid in this order.
    #[serde(default)]
    pub bonus: Vec<BonusSpec>,
    /// An optional cap on the month's total payout.
    #[serde(default)]
    pub cap: Option<CapSpec>,
    /// How recruits are placed in a placement tree apart from the sponsor tree (binary
    /// plans); default none.
    #[serde(default)]
    pub placement: Option<PlacementSpec>,
    /// What a participant pays.
    #[serde(default)]
    pub costs: CostsSpec,
    /// Compression by qualification before anything is measured (default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pv_compression: Option<PvCompressionSpec>,
    /// How ledger lines are rounded (default: once per line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounding: Option<RoundingSpec>,
    /// How a paid-as rank is held: grace after falling short.
    #[serde(default, skip_serializing_if = "PaidAsSpec::is_default")]
    pub paid_as: PaidAsSpec,
    /// `[buyback]`: the company's promise to buy back a quitter's unsold stock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyback: Option<BuybackSpec>,
    /// `[company]`: what the company's books need beyond the plan's payout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<CompanySpec>,
}

/// `[buyback]`: a quitter who asks gets back `refund_share` of what they paid for the
/// stock they still hold that was bought within `within_months` before quitting; with
/// `charge_back`, the commissions the returned volume pays are taken back from those who
/// earned them. (The DSA code of ethics and many states ask for 90% within 12 months.)
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BuybackSpec {
    /// Share of the stock's cost refunded (default 0.9).
    #[serde(default)]
    pub refund_share: Option<Dec>,
    /// Only stock bought within this many months before quitting is bought back (1 to
    /// 36; default: any).
    #[serde(default)]
    pub within_months: Option<u32>,
    /// Whether commissions paid on the returned volume are charged back (default true).
    #[serde(default)]
    pub charge_back: Option<bool>,
}

/// `[company]`
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CompanySpec {
    /// Cost of goods as a share of the volume's value (wholesale revenue), for the
    /// company's books.
    #[serde(default)]
    pub cost_of_goods: Option<Dec>,
}

/// `[pv_compression]`: before anything is measured, each distributor whose PV is below
/// `min_pv` is compressed out: its PV rolls up to the nearest ancestor who is not (who
/// counts it as its own), and its recruits are re-attached there. Ranks, volumes and
/// bonuses then read the compressed tree.
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PvCompressionSpec {
    /// The PV (points) a distributor needs in the month to keep its place (default
    /// `active.min_pv`). A rank given for the month (`compute_commissions(ranks=)`) keeps
    /// it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_pv: Option<Dec>,
}

/// `[rounding]`
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RoundingSpec {
    /// `"line"` (default): each ledger line is the exact sum of its terms, rounded once.
    /// `"term"`: each term — the pay from one distributor's month of volume — is rounded,
    /// then the terms are summed (what a ledger that rounds per order or per source
    /// shows, at the engine's grain of one PV per distributor and month).
    pub per: String,
}

/// `[paid_as]`
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PaidAsSpec {
    /// Grace: a distributor who falls short of last month's paid-as rank is still paid as
    /// it for up to this many months in a row (default 0: paid as what the month earns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_months: Option<u32>,
}

impl PaidAsSpec {
    fn is_default(&self) -> bool {
        self.grace_months.is_none()
    }
}

/// `[volume]`
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct VolumeSpec {
    /// Currency value of one volume point (default 1). Commissions are paid on
    /// `volume × point_value`; purchases in currency become `amount ÷ point_value` points.
    #[serde(default)]
    pub point_value: Option<Dec>,
    /// Accumulated volume (`ranks[].accumulated_pv`) starts again every this many months
    /// (a calendar period; months 1, 1 + N, 1 + 2N, … start one). Default: accumulated
    /// since joining, never reset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accumulation_months: Option<u32>,
    /// Whether starter packages (the scenario's `[inventory] packages`) carry volume
    /// (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packages_commissionable: Option<bool>,
}

/// `[active]`
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ActiveSpec {
    /// Minimum personal volume in a month to be active (qualified) that month (default 0).
    #[serde(default)]
    pub min_pv: Option<Dec>,
    /// Qualification window: a month with PV at least `min_pv` (a qualifying order) makes
    /// the distributor active for that month and the `window_months − 1` after it
    /// (default 1: the month itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_months: Option<u32>,
}

/// `[[ranks]]`: one rank and what it takes to be paid as it in a month.
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RankSpec {
    /// The rank's name, unique in the plan.
    pub name: String,
    /// Minimum personal volume (points).
    #[serde(default)]
    pub pv: Option<Dec>,
    /// Minimum group volume (points): own PV plus the PV of the whole sponsor downline.
    #[serde(default)]
    pub gv: Option<Dec>,
    /// Minimum number of personally sponsored distributors who are active this month.
    #[serde(default)]
    pub active_legs: Option<u32>,
    /// Legs (personally sponsored lines) holding at least a rank: `{ Manager = 2 }` means
    /// two different legs each with someone paid as Manager or higher this month.
    #[serde(default)]
    pub leg_ranks: BTreeMap<String, u32>,
    /// At most this share of the `gv` requirement may come from any one leg (needs `gv`).
    #[serde(default)]
    pub max_leg_share: Option<Dec>,
    /// The `pv` requirement is met by PV over a rolling window: this month and the
    /// `pv_months − 1` before it (default 1: this month).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pv_months: Option<u32>,
    /// The `gv` requirement (and `max_leg_share`) over a rolling window of this many
    /// months (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gv_months: Option<u32>,
    /// Minimum PV accumulated since joining (or since the start of the period set by
    /// `volume.accumulation_months`), this month included (points).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accumulated_pv: Option<Dec>,
    /// Minimum team volume (points): own PV plus the PV of the personally sponsored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tv: Option<Dec>,
    /// Minimum organisation volume (points): the whole downline's PV, own PV excluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ov: Option<Dec>,
    /// Minimum volumes of the legs (points), largest first: `["2250", "1500"]` means the
    /// largest leg's GV at least 2,250 and the second-largest's at least 1,500. A third
    /// entry is for the other legs together: `["2250", "1500", "1000"]` compares the
    /// largest, the second and the rest after sorting the three from largest to
    /// smallest (so a strong rest can stand in for a weak second leg).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leg_volumes: Option<Vec<Dec>>,
    /// At most this volume (points) of any one leg counts toward `gv` (needs `gv`; with
    /// `max_leg_share` the smaller cap holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_leg_volume: Option<Dec>,
    /// At most this much of the distributor's own PV (points) counts toward `gv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_own_pv: Option<Dec>,
    /// Legs holding at least a title (the highest rank ever reached, kept):
    /// `{ Manager = 2 }` means two legs each with someone who has reached Manager.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub leg_titles: BTreeMap<String, u32>,
}

/// `[[bonus]]`, told apart by `kind`.
///
/// Deserialized by hand (not as a serde internally tagged enum) so that an error inside
/// a bonus keeps its field path: `bonus[1].rates.Manager[3]`, not just `bonus[1]`.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BonusSpec {
    /// Retail margin on sales to customers: earned by the distributor, paid by the customer.
    Retail(RetailSpec),
    /// Unilevel: rates by level of the sponsor tree, by paid-as rank.
    Unilevel(UnilevelSpec),
    /// Fast start: a rate on personally sponsored recruits' volume in their first months.
    FastStart(FastStartSpec),
    /// Rank advancement: a one-time amount the first time a rank is reached.
    RankAdvancement(RankAdvancementSpec),
    /// Differential (infinity): rank rates to unlimited depth, less what was paid below.
    Differential(DifferentialSpec),
    /// Matching (generation): a rate on personally sponsored lines' earnings.
    Matching(MatchingSpec),
    /// Leadership pool: a share of company volume split by shares among qualifying ranks.
    Pool(PoolSpec),
    /// Stairstep-breakaway performance bonus with generation overrides.
    Stairstep(StairstepSpec),
    /// Binary: weak-leg pairing in a binary placement tree, with carry-over.
    Binary(BinarySpec),
    /// Forced matrix: rates by level of the W×D placement matrix.
    Matrix(MatrixSpec),
    /// Party plan: the distributor's commission on party sales (and optionally on
    /// customers' orders), at a rate stepped by the month's sales.
    PartyCommission(PartyCommissionSpec),
    /// Party plan: rewards to the host of each party, by the party's sales; paid by the
    /// company to hosts (customers), not to distributors.
    HostRewards(HostRewardsSpec),
    /// Personal volume bonus: a rate stepped by the distributor's own PV, on that PV.
    Personal(PersonalSpec),
    /// Generation override: generations ended by the next distributor of a leader rank.
    Generation(GenerationSpec),
    /// Sponsoring bonus: a fixed amount for each new recruit who qualifies.
    Sponsoring(SponsoringSpec),
    /// Allowance: a fixed amount a month for a rank held some months in a row.
    Allowance(AllowanceSpec),
}

/// The bonus kinds a plan may use.
pub const BONUS_KINDS: [&str; 16] = [
    "retail",
    "unilevel",
    "fast_start",
    "rank_advancement",
    "differential",
    "matching",
    "pool",
    "stairstep",
    "binary",
    "matrix",
    "party_commission",
    "host_rewards",
    "personal",
    "generation",
    "sponsoring",
    "allowance",
];

/// Marks an error message that carries a field path below the value being deserialized
/// (`PATH_MARK path PATH_MARK message`); [`super::from_value`] splices it into the path.
pub(crate) const PATH_MARK: char = '\u{1}';

impl<'de> Deserialize<'de> for BonusSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut value = serde_json::Value::deserialize(d)?;
        let obj = value
            .as_object_mut()
            .ok_or_else(|| D::Error::custom("a bonus is a table with a `kind`"))?;
        let kind = match obj.remove("kind") {
            Some(serde_json::Value::String(k)) => k,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "{PATH_MARK}kind{PATH_MARK}{other} is not a bonus kind; the kinds are {BONUS_KINDS:?}"
                )))
            }
            None => {
                return Err(D::Error::custom(format!(
                    "{PATH_MARK}kind{PATH_MARK}is missing; say which kind of bonus: {BONUS_KINDS:?}"
                )))
            }
        };
        fn inner<T: serde::de::DeserializeOwned, E: serde::de::Error>(
            v: serde_json::Value,
        ) -> Result<T, E> {
            serde_path_to_error::deserialize(v).map_err(|e| {
                let path = e.path().to_string();
                let msg = e.into_inner().to_string();
                if path == "." || path.is_empty() {
                    E::custom(msg)
                } else {
                    E::custom(format!("{PATH_MARK}{path}{PATH_MARK}{msg}"))
                }
            })
        }
        match kind.as_str() {
            "retail" => inner(value).map(BonusSpec::Retail),
            "unilevel" => inner(value).map(BonusSpec::Unilevel),
            "fast_start" => inner(value).map(BonusSpec::FastStart),
            "rank_advancement" => inner(value).map(BonusSpec::RankAdvancement),
            "differential" => inner(value).map(BonusSpec::Differential),
            "matching" => inner(value).map(BonusSpec::Matching),
            "pool" => inner(value).map(BonusSpec::Pool),
            "stairstep" => inner(value).map(BonusSpec::Stairstep),
            "binary" => inner(value).map(BonusSpec::Binary),
            "matrix" => inner(value).map(BonusSpec::Matrix),
            "party_commission" => inner(value).map(BonusSpec::PartyCommission),
            "host_rewards" => inner(value).map(BonusSpec::HostRewards),
            "personal" => inner(value).map(BonusSpec::Personal),
            "generation" => inner(value).map(BonusSpec::Generation),
            "sponsoring" => inner(value).map(BonusSpec::Sponsoring),
            "allowance" => inner(value).map(BonusSpec::Allowance),
            other => Err(D::Error::custom(format!(
                "{PATH_MARK}kind{PATH_MARK}{other:?} is not a bonus kind; the kinds are {BONUS_KINDS:?}"
            ))),
        }
    }
}

/// `kind = "retail"`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RetailSpec {
    /// Name in the ledger (default `"retail"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Retail price over wholesale: customers pay `wholesale × (1 + markup)`; the
    /// distributor keeps `markup × wholesale`.
    pub markup: Dec,
}

/// `kind = "unilevel"`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UnilevelSpec {
    /// Name in the ledger (default `"unilevel"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Rates by level (level 1 = personally sponsored) for every rank not in `rates`.
    #[serde(default)]
    pub levels: Option<Vec<Dec>>,
    /// Rates by level for a paid-as rank: `Manager = ["0.05", "0.05", "0.04"]`.
    #[serde(default)]
    pub rates: BTreeMap<String, Vec<Dec>>,
    /// Dynamic compression: distributors who are not active this month do not count as a
    /// level (default false).
    #[serde(default)]
    pub compression: bool,
    /// Compression by rank: only distributors active and paid as this rank or higher
    /// count as a level (implies `compression`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compress_below: Option<String>,
    /// Level `k` is paid only to those with at least `k` active personally sponsored
    /// distributors (levels unlocked by active legs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub levels_by_active_legs: bool,
    /// Compression by level qualification: an upline not qualified for the level being
    /// filled (inactive, no rate for that level, or too few active legs for it) is
    /// passed over, and the level goes to the next upline up.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip_unqualified: bool,
    /// Which rank the rates are read by: `"paid_as"` (this month's, the default) or
    /// `"title"` (the highest rank reached, kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_basis: Option<String>,
}

/// `kind = "fast_start"`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FastStartSpec {
    /// Name in the ledger (default `"fast_start"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Rate on the recruit's personal volume, paid to the sponsor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Dec>,
    /// Rates by upline level instead of `rate`: level 1 the sponsor, level 2 the
    /// sponsor's sponsor, … (`["0.20", "0.05"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<Vec<Dec>>,
    /// For how many months from joining (the join month is the first; default 1).
    #[serde(default)]
    pub months: Option<u32>,
    /// Whether the sponsor must be active that month to be paid (default true).
    #[serde(default)]
    pub require_active: Option<bool>,
}

/// `kind = "rank_advancement"`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RankAdvancementSpec {
    /// Name in the ledger (default `"rank_advancement"`).
    #[serde(default)]
    pub name: Option<String>,
    /// One-time amount per rank: `{ Manager = "100", Director = "500" }`.
    pub amounts: BTreeMap<String, Dec>,
}

/// `kind = "differential"`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DifferentialSpec {
    /// Name in the ledger (default `"differential"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Rate by paid-as rank: `{ Manager = "0.05", Director = "0.08" }`. A rank not listed
    /// has the rate of the nearest listed rank below it (0 below the lowest). Rates must
    /// not fall as rank rises.
    pub rates: BTreeMap<String, Dec>,
    /// Override for the first upline of the same rank as the highest paid below it on the
    /// line (default 0: none).
    #[serde(default)]
    pub same_rank_rate: Option<Dec>,
    /// `"infinity"` (default): each upline earns its rate less the highest rate paid
    /// between it and the buyer; the buyer earns nothing on its own orders.
    /// `"cumulative"`: walking up from the buyer, each upline whose rate is above the last
    /// payee's earns its full rate, up to what is left of the top rate (so the first
    /// payees take more than their difference). `"discount"`
    /// (a discount ladder: Herbalife, LIFE, Santegra): the buyer's own rate counts as
    /// already paid — its discount — so an upline earns the difference between its rate
    /// and the highest rate at or below it in the line, the buyer's included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Only those active and paid as this rank or higher count as upline levels (for
    /// `from_level`); the others are passed over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compress_below: Option<String>,
    /// The first upline level paid (default 1): 2 passes over each buyer's first upline
    /// ("from the second generation").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_level: Option<u32>,
    /// Which rank the rates are read by: `"paid_as"` (this month's, the default) or
    /// `"title"` (the highest rank reached, kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_basis: Option<String>,
}

/// `kind = "matching"`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingSpec {
    /// Name in the ledger (default `"matching"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Rates by generation (1 = personally sponsored) for every rank not in `rates`.
    #[serde(default)]
    pub generations: Option<Vec<Dec>>,
    /// Rates by generation for a paid-as rank: `Director = ["0.10", "0.05"]`.
    #[serde(default)]
    pub rates: BTreeMap<String, Vec<Dec>>,
    /// Names of the earlier company-paid bonuses whose amounts are matched (default: every
    /// company-paid bonus listed before this one).
    #[serde(default)]
    pub on: Option<Vec<String>>,
    /// Distributors who are not active this month do not count as a generation.
    #[serde(default)]
    pub compression: bool,
    /// Which rank the rates are read by: `"paid_as"` (this month's, the default) or
    /// `"title"` (the highest rank reached, kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_basis: Option<String>,
}

/// `kind = "pool"`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    /// Name in the ledger (default `"pool"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Share of the month's company volume value put in the pool.
    pub rate: Dec,
    /// Shares per qualifying paid-as rank: `{ Director = 1, Diamond = 2 }`. A rank not
    /// listed has the shares of the nearest listed rank below it (none below the lowest).
    pub shares: BTreeMap<String, u32>,
    /// Which rank the rates are read by: `"paid_as"` (this month's, the default) or
    /// `"title"` (the highest rank reached, kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_basis: Option<String>,
}

/// One tier of a stairstep: from `gv` points of group volume, `rate`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TierSpec {
    /// Monthly group volume (points) from which the tier applies.
    pub gv: Dec,
    /// Rate on the group volume at this tier.
    pub rate: Dec,
}

/// `kind = "stairstep"`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StairstepSpec {
    /// Name in the ledger (default `"stairstep"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Tiers in increasing `gv` (and non-decreasing `rate`).
    pub tiers: Vec<TierSpec>,
    /// The rate at which a leg breaks away (default: the top tier's rate); must be the
    /// rate of a tier.
    #[serde(default)]
    pub breakaway_rate: Option<Dec>,
    /// Override rates on broken-away legs' group volume, by generation (default none).
    #[serde(default)]
    pub generation_rates: Vec<Dec>,
}

/// `kind = "binary"`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BinarySpec {
    /// Name in the ledger (default `"binary"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Rate on the paired volume of the weak leg (not needed with `cycle_value`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Dec>,
    /// Rates by paid-as rank instead of one `rate`: `{ Gold = "0.12" }` (a rank not listed
    /// has the rate of the nearest listed rank below it, none below the lowest).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rates: BTreeMap<String, Dec>,
    /// Pay in whole cycles: a cycle is this much PV of the weak leg (paired with the
    /// strong leg by `ratio`); volume short of a cycle is carried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle_pv: Option<Dec>,
    /// With `cycle_pv`: a fixed amount per cycle instead of a rate …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle_value: Option<Dec>,
    /// … or by paid-as rank: `{ Silver = "30", Gold = "40" }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cycle_values: BTreeMap<String, Dec>,
    /// With `cap_per_month` and `cycle_pv`: the first this many cycles of each month are
    /// not counted toward the cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_exempt_cycles: Option<u32>,
    /// Paycut: when the month's binary pay passes this share of the month's volume value,
    /// every binary line is cut pro rata to that share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paycut: Option<Dec>,
    /// Pairing ratio `[weak, strong]`: `[1, 2]` pairs 1 point of the weak leg with 2 of
    /// the strong (default `[1, 1]`).
    #[serde(default)]
    pub ratio: Option<[u32; 2]>,
    /// The most volume (points) carried over per leg (default: no maximum).
    #[serde(default)]
    pub max_carry: Option<Dec>,
    /// Carried volume expires after this many months (default: never; 0: no carry-over).
    #[serde(default)]
    pub carry_months: Option<u32>,
    /// An inactive distributor loses its carry and the month's leg volume (default false:
    /// it keeps accumulating).
    #[serde(default)]
    pub flush_if_inactive: bool,
    /// The most one distributor earns from this bonus in a month (currency; default none).
    #[serde(default)]
    pub cap_per_month: Option<Dec>,
    /// Pay only distributors with at least one active personally sponsored distributor
    /// placed in each leg, the usual binary qualification (default false). One without
    /// them pairs nothing that month and keeps accumulating.
    #[serde(default)]
    pub require_sponsored_legs: bool,
}

/// `[placement]`: the placement tree (binary, or a forced matrix).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlacementSpec {
    /// `"binary"` or `"matrix"`.
    pub kind: String,
    /// Binary: which leg of the sponsor a recruit goes down, `"weaker_leg"` (default),
    /// `"alternate"`, `"left"` or `"right"`.
    #[serde(default)]
    pub rule: Option<String>,
    /// Matrix: slots under each distributor (the W of W×D).
    #[serde(default)]
    pub width: Option<u32>,
    /// Matrix: levels paid (the D of W×D).
    #[serde(default)]
    pub depth: Option<u32>,
}

/// `kind = "matrix"`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixSpec {
    /// Name in the ledger (default `"matrix"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Rates by level of the placement tree (level 1 = the slots right under the payee),
    /// at most the matrix's depth.
    pub levels: Vec<Dec>,
}

/// `kind = "party_commission"`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PartyCommissionSpec {
    /// Name in the ledger (default `"party_commission"`).
    #[serde(default)]
    pub name: Option<String>,
    /// The sales the commission is paid on, and whose monthly total picks the tier:
    /// any of `"party"` (party sales), `"retail"` (retail customers' orders) and
    /// `"preferred"` (preferred customers' orders). Default `["party"]`.
    #[serde(default)]
    pub on: Option<Vec<String>>,
    /// Tiers in increasing `min_pv`: in a month whose sales (the `on` sources, in points)
    /// reach a tier's `min_pv`, the tier's `rate` is paid on all of them. Below the first
    /// tier nothing is paid.
    pub tiers: Vec<PartyTierSpec>,
    /// Pay only distributors active this month (PV ≥ `active.min_pv`). Default false.
    #[serde(default)]
    pub require_active: bool,
}

/// `kind = "personal"`: a personal volume bonus (a rebate on one's own volume).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalSpec {
    /// Name in the ledger (default `"personal"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Tiers in increasing `min_pv`: in a month whose PV reaches a tier's `min_pv`, the
    /// tier's `rate` is paid on the whole PV. Below the first tier nothing is paid.
    pub tiers: Vec<PartyTierSpec>,
    /// Pay only distributors active this month. Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_active: Option<bool>,
}

/// `kind = "generation"`: a generation override where a generation ends at the next
/// distributor holding the `leader` rank or higher (a breakaway leg).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GenerationSpec {
    /// Name in the ledger (default `"generation"`).
    #[serde(default)]
    pub name: Option<String>,
    /// The rank that ends a generation (and every rank above it).
    pub leader: String,
    /// Rates by generation (1 = the groups of the first leaders below) for every rank not
    /// in `rates`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generations: Option<Vec<Dec>>,
    /// Rates by generation for a rank: `"Senior Director" = ["0.05", "0.04"]`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rates: BTreeMap<String, Vec<Dec>>,
    /// Leaders who are not active this month do not end a generation (default false).
    #[serde(default)]
    pub compression: bool,
    /// The generation the rates start at: 1 (default) or 0, to pay the payee's own group
    /// (its downline down to the first leaders, its own PV excluded) as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_generation: Option<u32>,
    /// Which rank the rates and leaders are read by: `"paid_as"` or `"title"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_basis: Option<String>,
}

/// `kind = "sponsoring"`: a fixed amount to the sponsor (and by level to the upline) for
/// each new recruit whose first order reaches `min_pv`, or who first reaches `rank`
/// within `within_months` of joining. Paid once per recruit.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SponsoringSpec {
    /// Name in the ledger (default `"sponsoring"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Amounts by upline level of the recruit: level 1 the sponsor (`["50"]`).
    pub amounts: Vec<Dec>,
    /// The PV the recruit's first order (its first month with PV) must reach (default 0:
    /// any order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_pv: Option<Dec>,
    /// Instead of the first order: the rank the recruit must first be paid as …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<String>,
    /// … within this many months of joining (the join month is the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_months: Option<u32>,
    /// The payee must be active that month (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_active: Option<bool>,
}

/// `kind = "allowance"`: a fixed amount every month to each active distributor paid as a
/// rank (or higher) for `months_held` months in a row — the amount of the highest.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllowanceSpec {
    /// Name in the ledger (default `"allowance"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Amount a month by rank: `{ Director = "500" }`.
    pub amounts: BTreeMap<String, Dec>,
    /// Months in a row the rank must have been held, this month included (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_held: Option<u32>,
    /// Which rank is read: `"paid_as"` (default) or `"title"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_basis: Option<String>,
}

/// One tier of a party plan bonus.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PartyTierSpec {
    /// Sales volume (points) from which the tier applies.
    pub min_pv: Dec,
    /// Rate on the sales' value.
    pub rate: Dec,
    /// Host rewards only: a fixed amount per party on top of the rate (currency).
    #[serde(default)]
    pub amount: Option<Dec>,
}

/// `kind = "host_rewards"`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HostRewardsSpec {
    /// Name in the ledger (default `"host_rewards"`).
    #[serde(default)]
    pub name: Option<String>,
    /// Tiers in increasing `min_pv`: a party whose sales (points) reach a tier's `min_pv`
    /// earns its host `rate` × the party's sales value (PV × point value) + `amount`.
    pub tiers: Vec<PartyTierSpec>,
}

/// `[cap]`
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CapSpec {
    /// The most the company pays in a month, as a share of the month's volume value.
    pub max_payout_ratio: Dec,
}

/// `[costs]`: what a participant pays.
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CostsSpec {
    /// Paid once, at joining (currency).
    #[serde(default)]
    pub enrollment_fee: Option<Dec>,
    /// Paid at every 12 months of membership (currency).
    #[serde(default)]
    pub annual_fee: Option<Dec>,
    /// Every participating distributor buys at least this much each month (currency):
    /// a purchase requirement (autoship). A drawn purchase below it is topped up.
    #[serde(default)]
    pub min_monthly_purchase: Option<Dec>,
}

impl BonusSpec {
    /// The `kind` string of this bonus.
    pub fn kind(&self) -> &'static str {
        match self {
            BonusSpec::Retail(_) => "retail",
            BonusSpec::Unilevel(_) => "unilevel",
            BonusSpec::FastStart(_) => "fast_start",
            BonusSpec::RankAdvancement(_) => "rank_advancement",
            BonusSpec::Differential(_) => "differential",
            BonusSpec::Matching(_) => "matching",
            BonusSpec::Pool(_) => "pool",
            BonusSpec::Stairstep(_) => "stairstep",
            BonusSpec::Binary(_) => "binary",
            BonusSpec::Matrix(_) => "matrix",
            BonusSpec::PartyCommission(_) => "party_commission",
            BonusSpec::HostRewards(_) => "host_rewards",
            BonusSpec::Personal(_) => "personal",
            BonusSpec::Generation(_) => "generation",
            BonusSpec::Sponsoring(_) => "sponsoring",
            BonusSpec::Allowance(_) => "allowance",
        }
    }
    /// The ledger name: the `name` field, or the kind.
    pub fn name(&self) -> String {
        let n = match self {
            BonusSpec::Retail(b) => &b.name,
            BonusSpec::Unilevel(b) => &b.name,
            BonusSpec::FastStart(b) => &b.name,
            BonusSpec::RankAdvancement(b) => &b.name,
            BonusSpec::Differential(b) => &b.name,
            BonusSpec::Matching(b) => &b.name,
            BonusSpec::Pool(b) => &b.name,
            BonusSpec::Stairstep(b) => &b.name,
            BonusSpec::Binary(b) => &b.name,
            BonusSpec::Matrix(b) => &b.name,
            BonusSpec::PartyCommission(b) => &b.name,
            BonusSpec::HostRewards(b) => &b.name,
            BonusSpec::Personal(b) => &b.name,
            BonusSpec::Generation(b) => &b.name,
            BonusSpec::Sponsoring(b) => &b.name,
            BonusSpec::Allowance(b) => &b.name,
        };
        n.clone().unwrap_or_else(|| self.kind().to_string())
    }
}
