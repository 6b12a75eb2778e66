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

/// A validated scenario, ready for the simulator.
#[derive(Clone, Debug)]
pub struct Scenario {
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
pub const PRESETS: [(&str, &str); 6] = [
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
