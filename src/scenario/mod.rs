//! Scenarios: what the world does — market, recruiting, quitting, buying, customers,
//! expenses. Kept apart from the plan on purpose: a consultant compares plans under one
//! scenario; a stress test sweeps scenarios under one plan.
//!
//! Scenario values are assumptions, not money rules, so they are plain numbers (`f64`).
//! Amounts are in the plan's currency.

pub mod samplers;
pub mod spec;

pub use spec::ScenarioSpec;

use crate::error::{Error, Result};
use crate::plan::{from_value, parse_value, Format};

/// How joining slows as the market fills.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MarketModel {
    /// Each distributor's recruiting × (1 − ever joined ÷ size); no limit without a size.
    Fill,
    /// Bass diffusion: joiners a month = (innovation + imitation × active ÷ size) ×
    /// (size − ever joined), signed up by distributors in proportion to their recruiting.
    Bass {
        /// `p`, per month.
        innovation: f64,
        /// `q`, per month.
        imitation: f64,
    },
}

/// Shocks in calendar time: the scenario's `[[events]]`, validated.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    events: Vec<Event>,
}

#[derive(Clone, Debug)]
struct Event {
    from: u16,
    until: u16,
    /// Multipliers by [`Effect`].
    factors: [f64; EFFECTS],
    remove_share: f64,
}

/// What an event multiplies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Expected recruits a month.
    Recruiting = 0,
    /// Monthly quit probabilities.
    Quitting,
    /// The probability of ordering in a month.
    OrderProbability,
    /// The size of own orders.
    OrderSize,
    /// New customers a month.
    CustomerAcquisition,
    /// The market's size.
    MarketSize,
}
const EFFECTS: usize = 6;

impl Calendar {
    fn new(specs: &[spec::EventSpec], has_market_size: bool) -> Result<Calendar> {
        let mut events = Vec::with_capacity(specs.len());
        if specs.len() > 100 {
            return Err(Error::scenario(
                "events",
                format!("{} events; at most 100", specs.len()),
            ));
        }
        for (k, ev) in specs.iter().enumerate() {
            let p = format!("events[{k}]");
            let months = |m: u32, field: &str| -> Result<u16> {
                if !(1..=60_000).contains(&m) {
                    return Err(Error::scenario(
                        format!("{p}.{field}"),
                        format!("{m} is outside 1 to 60000 (calendar months, 1 = the first)"),
                    ));
                }
                Ok(m as u16)
            };
            let from = months(ev.from, "from")?;
            let until = match ev.until {
                None => u16::MAX,
                Some(u) => {
                    let u = months(u, "until")?;
                    if u < from {
                        return Err(Error::scenario(
                            format!("{p}.until"),
                            format!("{u} is before `from` ({from})"),
                        ));
                    }
                    u
                }
            };
            let mut factors = [1.0; EFFECTS];
            let fields = [
                (ev.recruiting, "recruiting", Effect::Recruiting),
                (ev.quitting, "quitting", Effect::Quitting),
                (
                    ev.order_probability,
                    "order_probability",
                    Effect::OrderProbability,
                ),
                (ev.order_size, "order_size", Effect::OrderSize),
                (
                    ev.customer_acquisition,
                    "customer_acquisition",
                    Effect::CustomerAcquisition,
                ),
                (ev.market_size, "market_size", Effect::MarketSize),
            ];
            for (v, field, effect) in fields {
                if let Some(v) = v {
                    let fp = format!("{p}.{field}");
                    if !v.is_finite() || v < 0.0 {
                        return Err(Error::scenario(
                            fp,
                            format!("{v} is not a multiplier of 0 or more"),
                        ));
                    }
                    if v > 100.0 {
                        return Err(Error::scenario(fp, format!("{v} is above 100")));
                    }
                    if effect == Effect::MarketSize && !has_market_size {
                        return Err(Error::scenario(
                            fp,
                            "multiplies the market's size, and the scenario has none: set market.size",
                        ));
                    }
                    factors[effect as usize] = v;
                }
            }
            let remove_share = match ev.remove_share {
                None => 0.0,
                Some(v) => {
                    let fp = format!("{p}.remove_share");
                    if !(0.0..=1.0).contains(&v) {
                        return Err(Error::scenario(
                            fp,
                            format!("{v} is not a share between 0 and 1"),
                        ));
                    }
                    if ev.until.is_some() {
                        return Err(Error::scenario(
                            fp,
                            "is a one-off at `from`; remove `until`, or make it an event of its own",
                        ));
                    }
                    v
                }
            };
            events.push(Event {
                from,
                until,
                factors,
                remove_share,
            });
        }
        Ok(Calendar { events })
    }

    /// Whether the scenario has no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Whether some event multiplies `effect`.
    pub fn changes(&self, effect: Effect) -> bool {
        self.events
            .iter()
            .any(|e| e.factors[effect as usize] != 1.0)
    }

    /// The product of the multipliers of `effect` in calendar month `month`.
    pub fn factor(&self, effect: Effect, month: u16) -> f64 {
        self.events
            .iter()
            .filter(|e| e.from <= month && month <= e.until)
            .map(|e| e.factors[effect as usize])
            .product()
    }

    /// `factor` for months 0..=`months` (index = month), for the simulation's loops.
    pub fn by_month(&self, effect: Effect, months: u16) -> Vec<f64> {
        (0..=months).map(|m| self.factor(effect, m)).collect()
    }

    /// The share of participants removed at the start of `month` (one-off shocks; 0 for
    /// none): of several in one month, each removes its share of those left.
    pub fn removed_share(&self, month: u16) -> f64 {
        1.0 - self
            .events
            .iter()
            .filter(|e| e.from == month && e.remove_share > 0.0)
            .map(|e| 1.0 - e.remove_share)
            .product::<f64>()
    }
}

/// A validated scenario, ready for the simulator.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Shocks in calendar time.
    pub calendar: Calendar,
    /// Stock held by participants (`[inventory]`), if tracked.
    pub inventory: Option<Inventory>,
    /// The scenario as written, defaults applied.
    pub spec: ScenarioSpec,
    /// Number of founders (joined in month 1, no sponsor).
    pub founders: u32,
    /// Reachable market: people who could ever join; `None` for no limit.
    pub market_size: Option<f64>,
    /// How joining slows as the market fills.
    pub market_model: MarketModel,
    /// Recruits' monthly quit probabilities are multiplied by this (recruiting style).
    pub recruit_quit_multiplier: f64,
    /// Each recruit a distributor has raises its recruiting rate by this share.
    pub success_breeds_success: f64,
    /// Quit probabilities × this by the highest rank reached (reads the plan; off: None).
    pub rank_quit_multiplier: Option<Vec<f64>>,
    /// Months in a row of earnings below costs after which quitting is more likely.
    pub unprofitable_months: Option<u32>,
    /// The multiplier of quit probabilities after `unprofitable_months`.
    pub unprofitable_multiplier: f64,
    /// Probability that someone short of the plan's activity minimum buys up to it.
    pub buy_to_qualify: f64,
    /// Expected recruits per participating distributor per month, by months since joining
    /// (index 0 = the first month after the join month); the last value repeats.
    pub recruit_rate: Vec<f64>,
    /// Gamma shape of individual recruiting skill (mean 1); `None` = everyone alike.
    pub heterogeneity: Option<f64>,
    /// Monthly quit probability by months since joining (index 0 = the decision at the
    /// start of the month after the join month); the last value repeats.
    pub quit: Vec<f64>,
    /// Probability that a participating distributor orders in a month.
    pub order_probability: f64,
    /// Lognormal order size: mean (currency) and sigma of the log.
    pub order_mean: f64,
    /// Sigma of the log of the order size.
    pub order_sigma: f64,
    /// New retail customers per participating distributor per month (Poisson mean).
    pub customer_rate: f64,
    /// Probability that a customer stops buying in a month.
    pub customer_churn: f64,
    /// Probability that a customer orders in a month.
    pub customer_order_probability: f64,
    /// Mean retail order (currency, at retail price).
    pub customer_order_mean: f64,
    /// Sigma of the log of a retail order.
    pub customer_order_sigma: f64,
    /// Business expenses per participating distributor per month (currency).
    pub monthly_expenses: f64,
    /// Share of new customers who are preferred customers (member price, no retail margin).
    pub preferred_share: f64,
    /// Probability a preferred customer orders in a month.
    pub preferred_order_probability: f64,
    /// Mean preferred-customer order at the member (wholesale) price (currency).
    pub preferred_order_mean: f64,
    /// Sigma of the log of a preferred-customer order.
    pub preferred_order_sigma: f64,
    /// Parties a month per hosting distributor, by months since joining (index 0 = the
    /// join month); the last value repeats. All zero: no parties.
    pub party_rate: Vec<f64>,
    /// Share of distributors who hold parties at all.
    pub party_hosting_share: f64,
    /// Mean sales of a party at retail price (currency).
    pub party_sales_mean: f64,
    /// Sigma of the log of a party's sales.
    pub party_sales_sigma: f64,
}

/// Named scenarios shipped with downline (the files in `examples/scenarios/`, each citing
/// the public figures it was set against).
pub const PRESETS: [(&str, &str); 8] = [
    (
        "baseline",
        include_str!("../../examples/scenarios/baseline.toml"),
    ),
    (
        "one_on_one_era",
        include_str!("../../examples/scenarios/one_on_one_era.toml"),
    ),
    (
        "social_media_era",
        include_str!("../../examples/scenarios/social_media_era.toml"),
    ),
    (
        "careful_process",
        include_str!("../../examples/scenarios/careful_process.toml"),
    ),
    (
        "shotgun",
        include_str!("../../examples/scenarios/shotgun.toml"),
    ),
    (
        "party_plan",
        include_str!("../../examples/scenarios/party_plan.toml"),
    ),
    (
        "established",
        include_str!("../../examples/scenarios/established.toml"),
    ),
    (
        "inventory_loading",
        include_str!("../../examples/scenarios/inventory_loading.toml"),
    ),
];

impl Scenario {
    /// A named preset (see [`PRESETS`]).
    pub fn preset(name: &str) -> Result<Scenario> {
        let (_, text) = PRESETS.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            let names: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
            Error::scenario(
                "(preset)",
                format!("no preset is named {name:?}; the presets are {names:?}"),
            )
        })?;
        Self::parse(text, Format::Toml)
    }

    /// Parse and validate a scenario written as TOML or JSON text.
    pub fn parse(text: &str, format: Format) -> Result<Scenario> {
        let value = parse_value(text, format, |p, m| Error::Scenario {
            path: p,
            message: m,
        })?;
        Self::from_json_value(value)
    }

    /// Validate a scenario given as a generic (JSON-shaped) value.
    pub fn from_json_value(value: serde_json::Value) -> Result<Scenario> {
        crate::plan::shape::check_scenario(&value)
            .map_err(|(path, message)| Error::Scenario { path, message })?;
        let spec: ScenarioSpec = from_value(value, |p, m| Error::Scenario {
            path: p,
            message: m,
        })?;
        spec.validate()
    }

    /// Read a scenario file (`.toml` or `.json`).
    pub fn load(path: &str) -> Result<Scenario> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::scenario("(file)", format!("cannot read {path}: {e}")))?;
        Self::parse(&text, Format::from_path(path))
    }

    /// Whether any behaviour reads the plan's results (then quitting is decided month by
    /// month, and buying may depend on the plan). Plans still share every random number.
    pub fn reads_plan(&self) -> bool {
        self.rank_quit_multiplier.is_some()
            || self.unprofitable_months.is_some()
            || self.buy_to_qualify > 0.0
    }

    /// Whether anyone holds parties.
    pub fn has_parties(&self) -> bool {
        self.party_hosting_share > 0.0 && self.party_rate.iter().any(|&r| r > 0.0)
    }

    /// Parties a month per hosting distributor at `months_since_join` (0 = join month).
    #[inline]
    pub fn party_rate_at(&self, months_since_join: usize) -> f64 {
        self.party_rate[months_since_join.min(self.party_rate.len() - 1)]
    }

    /// Expected recruits per month at `months_since_join` (≥ 1), before skill and market.
    #[inline]
    pub fn recruit_rate_at(&self, months_since_join: usize) -> f64 {
        let k = months_since_join
            .saturating_sub(1)
            .min(self.recruit_rate.len() - 1);
        self.recruit_rate[k]
    }
}

/// `[inventory]`, validated (see [`spec::InventorySpec`]).
#[derive(Clone, Debug)]
pub struct Inventory {
    /// Starter packages: (cost in cents, share of those joining).
    pub packages: Vec<(i64, f64)>,
    /// Share of quitters holding stock who ask for a buy-back.
    pub buyback_share: f64,
    /// Retail customers' orders are served from stock first.
    pub sell_from_stock: bool,
    /// Share of chosen own orders used by the participant (the rest is stocked).
    pub consumed_share: f64,
}
