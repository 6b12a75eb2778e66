//! The scenario file as written, and its validation.

use super::{MarketModel, Scenario};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// A number or a table by month of tenure whose last value repeats.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ByTenure {
    /// The same value at every tenure.
    Constant(f64),
    /// One value per month of tenure; the last repeats.
    Table(Vec<f64>),
}

impl ByTenure {
    fn to_vec(&self) -> Vec<f64> {
        match self {
            ByTenure::Constant(v) => vec![*v],
            ByTenure::Table(t) => t.clone(),
        }
    }
}

/// A scenario as written in a scenario file.
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// A name for reports.
    #[serde(default)]
    pub name: Option<String>,
    /// `[market]`
    #[serde(default)]
    pub market: MarketSpec,
    /// `[recruitment]`
    #[serde(default)]
    pub recruitment: RecruitmentSpec,
    /// `[attrition]`
    #[serde(default)]
    pub attrition: AttritionSpec,
    /// `[purchases]`
    #[serde(default)]
    pub purchases: PurchasesSpec,
    /// `[customers]`
    #[serde(default)]
    pub customers: CustomersSpec,
    /// `[expenses]`
    #[serde(default)]
    pub expenses: ExpensesSpec,
    /// `[parties]`
    #[serde(default)]
    pub parties: PartiesSpec,
    /// `[[events]]`: shocks in calendar time (a recession from month 18, a boom, a
    /// one-off loss of participants, a change of market size).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventSpec>,
    /// `[inventory]`: stock that participants hold (absent: none is tracked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<InventorySpec>,
}

/// `[inventory]`: what participants buy and neither use nor sell becomes their stock.
///
/// Of each chosen own order, `purchases.consumed_share` (default 0.5) is used by the
/// participant and the rest is stocked; top-ups to the plan's minimum purchase, buying to
/// qualify and starter packages are stocked whole. Retail customers' orders are served
/// from stock first (at wholesale cost, oldest first), and only the rest is ordered from
/// the company. At quitting, `buyback_share` of those holding stock ask the company to buy
/// it back under the plan's `[buyback]` policy.
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct InventorySpec {
    /// Starter packages chosen at joining, with the share of recruits (and founders)
    /// choosing each; shares add up to 1. A cost of 0 is "no package".
    #[serde(default)]
    pub packages: Vec<PackageSpec>,
    /// Share of quitters holding stock who ask for a buy-back (default 0).
    #[serde(default)]
    pub buyback_share: Option<f64>,
    /// Whether retail customers' orders are served from stock first (default true).
    #[serde(default)]
    pub sell_from_stock: Option<bool>,
}

/// One starter package of `[inventory] packages`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PackageSpec {
    /// Its cost at wholesale (currency).
    pub cost: f64,
    /// Share of people who join choosing it.
    pub share: f64,
}

/// `[[events]]`: from calendar month `from` (1 = the first simulated month) to `until`
/// (inclusive; default: to the end), multiply what the world does. Overlapping events
/// multiply. `remove_share` is a one-off at `from`.
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// A name for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First calendar month of the event.
    pub from: u32,
    /// Last calendar month of the event (default: the end of the simulation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<u32>,
    /// × recruiting (expected recruits a month).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recruiting: Option<f64>,
    /// × monthly quit probabilities (at most 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quitting: Option<f64>,
    /// × the probability of ordering in a month (at most 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_probability: Option<f64>,
    /// × the size of own orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_size: Option<f64>,
    /// × new retail and preferred customers a month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_acquisition: Option<f64>,
    /// × the market's size (who could ever join).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_size: Option<f64>,
    /// The share of participants who quit at the start of month `from` (a one-off shock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_share: Option<f64>,
}

/// `[market]`
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MarketSpec {
    /// Distributors in month 1, with no sponsor (default 10).
    #[serde(default)]
    pub founders: Option<u32>,
    /// People who could ever join. Recruiting is scaled by `1 − ever joined ÷ size`, so it
    /// slows as the market fills. Absent: no limit.
    #[serde(default)]
    pub size: Option<f64>,
    /// How joining slows as the market fills: `"fill"` (default; each distributor's
    /// recruiting × the share of the market not yet reached) or `"bass"` (Bass diffusion:
    /// joiners a month = (innovation + imitation × active ÷ size) × (size − ever joined),
    /// signed up by distributors in proportion to their recruiting). `"bass"` needs `size`.
    #[serde(default)]
    pub model: Option<String>,
    /// Bass innovation coefficient `p` (joining without word of mouth), per month.
    #[serde(default)]
    pub innovation: Option<f64>,
    /// Bass imitation coefficient `q` (joining through those already in), per month.
    #[serde(default)]
    pub imitation: Option<f64>,
}

/// `[recruitment.prospecting]`: recruiting as contacts × conversion.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProspectingSpec {
    /// Prospects approached per participating distributor per month, by months since
    /// joining (a number or a table; last repeats).
    pub contacts: ByTenure,
    /// Share of contacts who sign.
    pub conversion: f64,
    /// How the recruiting style changes how long recruits stay: their monthly quit
    /// probabilities are multiplied by this (default 1; a careful process signs people
    /// who stay longer: below 1).
    #[serde(default)]
    pub quit_multiplier: Option<f64>,
}

/// `[attrition.weibull]`: a parametric survival curve.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WeibullSpec {
    /// Shape `k`: below 1, quitting is most likely early and falls with tenure.
    pub shape: f64,
    /// Scale `λ` in months: P(still in after t months) = exp(−(t ÷ λ)^k).
    pub scale: f64,
}

/// `[recruitment]`
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RecruitmentSpec {
    /// Expected recruits per participating distributor per month: a number, or a table by
    /// month since joining (first entry: the month after the join month; last repeats).
    #[serde(default)]
    pub rate: Option<ByTenure>,
    /// Gamma shape `k` of individual recruiting skill (mean 1). Smaller is more
    /// concentrated: a few recruit many, most recruit nobody. Absent: everyone alike.
    #[serde(default)]
    pub heterogeneity: Option<f64>,
    /// "Success breeds success": each recruit a distributor already has raises its
    /// recruiting rate by this share (default 0).
    #[serde(default)]
    pub success_breeds_success: Option<f64>,
    /// Recruiting as contacts × conversion, instead of `rate`.
    #[serde(default)]
    pub prospecting: Option<ProspectingSpec>,
}

/// `[attrition]`
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AttritionSpec {
    /// Monthly quit probability by month since joining (first entry: at the start of the
    /// month after the join month); a number or a table whose last value repeats.
    #[serde(default)]
    pub monthly_quit: Option<ByTenure>,
    /// A Weibull survival curve instead of `monthly_quit`.
    #[serde(default)]
    pub weibull: Option<WeibullSpec>,
    /// Behaviour that reads the plan's results (off by default): quit probabilities ×
    /// this, by the highest rank reached (index 0 = the plan's lowest rank; last repeats).
    #[serde(default)]
    pub rank_multiplier: Option<Vec<f64>>,
    /// Behaviour that reads the plan's results (off by default): after this many months in
    /// a row whose earnings did not cover that month's costs, quit probabilities are
    /// multiplied by `unprofitable_multiplier`.
    #[serde(default)]
    pub unprofitable_months: Option<u32>,
    /// See `unprofitable_months` (default 2).
    #[serde(default)]
    pub unprofitable_multiplier: Option<f64>,
}

/// `[purchases]`: participants' own orders.
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PurchasesSpec {
    /// Probability of ordering in a month (default 1).
    #[serde(default)]
    pub probability: Option<f64>,
    /// Mean order (currency, wholesale; default 100).
    #[serde(default)]
    pub mean: Option<f64>,
    /// Sigma of the log of the order (lognormal; default 0.5; 0 = every order the mean).
    #[serde(default)]
    pub sigma: Option<f64>,
    /// Buying to qualify (off by default; reads the plan): the probability that a
    /// participant whose month's PV falls short of the plan's `active.min_pv` buys the
    /// difference to qualify.
    #[serde(default)]
    pub buy_to_qualify: Option<f64>,
    /// For the analysis of net results, not the simulation: the share of participants'
    /// own (chosen) orders taken as their own consumption rather than a cost of the
    /// business (default 0.5 in `downline.analytics`).
    #[serde(default)]
    pub consumed_share: Option<f64>,
}

/// `[customers]`: retail customers, who are not participants.
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CustomersSpec {
    /// New customers per participating distributor per month (Poisson mean; default 0).
    #[serde(default)]
    pub acquisition_rate: Option<f64>,
    /// Probability a customer stops buying in a month (default 0.1).
    #[serde(default)]
    pub churn: Option<f64>,
    /// Probability a customer orders in a month (default 0.5).
    #[serde(default)]
    pub order_probability: Option<f64>,
    /// Mean order at retail price (currency; default 60).
    #[serde(default)]
    pub order_mean: Option<f64>,
    /// Sigma of the log of a customer order (default 0.5).
    #[serde(default)]
    pub order_sigma: Option<f64>,
    /// Share of new customers who are preferred customers: they buy from the company at
    /// the member price (often on autoship), their volume counts toward the distributor's
    /// PV, and the distributor earns no retail margin on it (default 0).
    #[serde(default)]
    pub preferred_share: Option<f64>,
    /// Probability a preferred customer orders in a month (default 0.8).
    #[serde(default)]
    pub preferred_order_probability: Option<f64>,
    /// Mean preferred-customer order, at the member (wholesale) price (default 60).
    #[serde(default)]
    pub preferred_order_mean: Option<f64>,
    /// Sigma of the log of a preferred-customer order (default 0.5).
    #[serde(default)]
    pub preferred_order_sigma: Option<f64>,
}

/// `[parties]`: home parties (party plan). Each participating distributor who holds
/// parties holds a Poisson number of them a month; each party's sales are lognormal. The
/// sales count as the distributor's volume, apart from customers' and own orders.
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PartiesSpec {
    /// Parties a month per distributor who holds parties (Poisson mean), a number or a
    /// table by month of tenure (index 0 = the join month) whose last value repeats.
    /// Default 0: no parties.
    #[serde(default)]
    pub per_month: Option<ByTenure>,
    /// Share of distributors who hold parties at all, decided once per person (default 1).
    #[serde(default)]
    pub hosting_share: Option<f64>,
    /// Mean sales of a party, at retail price (currency; default 400).
    #[serde(default)]
    pub sales_mean: Option<f64>,
    /// Sigma of the log of a party's sales (default 0.6).
    #[serde(default)]
    pub sales_sigma: Option<f64>,
}

/// `[expenses]`: what running the business costs a participant besides fees and products.
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ExpensesSpec {
    /// Per participating distributor per month (currency; default 0).
    #[serde(default)]
    pub monthly: Option<f64>,
}

fn e(path: impl Into<String>, msg: impl Into<String>) -> Error {
    Error::scenario(path, msg)
}

fn finite(v: f64, path: &str) -> Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(e(path, format!("{v} is not a finite number")))
    }
}

fn probability(v: f64, path: &str) -> Result<f64> {
    finite(v, path)?;
    if v < 0.0 {
        return Err(e(
            path,
            format!("{v} is below 0; a probability is between 0 and 1"),
        ));
    }
    if v > 1.0 {
        return Err(e(
            path,
            format!("{v} is above 1; a probability is between 0 and 1"),
        ));
    }
    Ok(v)
}

fn non_negative(v: f64, path: &str) -> Result<f64> {
    finite(v, path)?;
    if v < 0.0 {
        return Err(e(path, format!("{v} is negative; use 0 or more")));
    }
    Ok(v)
}

/// The most a scenario's amount (an order's mean, a month's expenses) may be: 10,000,000.
const MAX_SCENARIO_AMOUNT: f64 = 10_000_000.0;

/// An amount of money: 0 or more, at most [`MAX_SCENARIO_AMOUNT`].
fn money(v: f64, path: &str) -> Result<f64> {
    non_negative(v, path)?;
    if v > MAX_SCENARIO_AMOUNT {
        return Err(e(
            path,
            format!("{v} is above 10,000,000, the most an amount of the scenario may be"),
        ));
    }
    Ok(v)
}

fn table(t: &ByTenure, path: &str, check: fn(f64, &str) -> Result<f64>) -> Result<Vec<f64>> {
    let v = t.to_vec();
    if v.is_empty() {
        return Err(e(path, "is an empty table; give at least one value"));
    }
    if v.len() > 1200 {
        return Err(e(path, format!("{} entries; at most 1200", v.len())));
    }
    for (k, &x) in v.iter().enumerate() {
        let p = match t {
            ByTenure::Constant(_) => path.to_string(),
            ByTenure::Table(_) => format!("{path}[{k}]"),
        };
        check(x, &p)?;
    }
    Ok(v)
}

impl ScenarioSpec {
    /// Check every field and apply defaults.
    pub fn validate(self) -> Result<Scenario> {
        let founders = self.market.founders.unwrap_or(10);
        if founders == 0 {
            return Err(e(
                "market.founders",
                "0 founders; a downline needs at least 1",
            ));
        }
        if founders > 50_000_000 {
            return Err(e(
                "market.founders",
                format!("{founders} is more than 50,000,000"),
            ));
        }
        let market_size = match self.market.size {
            None => None,
            Some(s) => {
                finite(s, "market.size")?;
                if s < founders as f64 {
                    return Err(e(
                        "market.size",
                        format!("{s} is smaller than the {founders} founders; the market must hold them"),
                    ));
                }
                Some(s)
            }
        };
        let (recruit_rate, recruit_quit_multiplier) = match &self.recruitment.prospecting {
            Some(pr) => {
                if self.recruitment.rate.is_some() {
                    return Err(e(
                        "recruitment.rate",
                        "give either `rate` or `[recruitment.prospecting]`, not both",
                    ));
                }
                let contacts = table(&pr.contacts, "recruitment.prospecting.contacts", |v, p| {
                    non_negative(v, p)?;
                    if v > 10_000.0 {
                        return Err(e(p, format!("{v} contacts a month is more than 10,000")));
                    }
                    Ok(v)
                })?;
                let conversion = probability(pr.conversion, "recruitment.prospecting.conversion")?;
                let mult = match pr.quit_multiplier {
                    None => 1.0,
                    Some(m) => {
                        let p = "recruitment.prospecting.quit_multiplier";
                        finite(m, p)?;
                        if m <= 0.0 || m > 10.0 {
                            return Err(e(p, format!("{m} is outside (0, 10]")));
                        }
                        m
                    }
                };
                let rates: Vec<f64> = contacts.iter().map(|c| c * conversion).collect();
                if let Some(k) = rates.iter().position(|&r| r > 50.0) {
                    return Err(e(
                        "recruitment.prospecting.contacts",
                        format!(
                            "contacts × conversion = {} recruits a month at entry {k}; at most 50",
                            rates[k]
                        ),
                    ));
                }
                (rates, mult)
            }
            None => {
                let rate = self
                    .recruitment
                    .rate
                    .clone()
                    .unwrap_or(ByTenure::Constant(0.1));
                let r = table(&rate, "recruitment.rate", |v, p| {
                    non_negative(v, p)?;
                    if v > 50.0 {
                        return Err(e(
                            p,
                            format!("{v} recruits a month is more than 50; is it a percentage?"),
                        ));
                    }
                    Ok(v)
                })?;
                (r, 1.0)
            }
        };
        let success_breeds_success = match self.recruitment.success_breeds_success {
            None => 0.0,
            Some(b) => {
                let p = "recruitment.success_breeds_success";
                non_negative(b, p)?;
                if b > 10.0 {
                    return Err(e(p, format!("{b} is above 10")));
                }
                b
            }
        };
        let heterogeneity = match self.recruitment.heterogeneity {
            None => None,
            Some(k) => {
                finite(k, "recruitment.heterogeneity")?;
                if k <= 0.0 {
                    return Err(e(
                        "recruitment.heterogeneity",
                        format!("{k} must be above 0 (smaller = more concentrated recruiting)"),
                    ));
                }
                Some(k)
            }
        };
        let quit = match (&self.attrition.monthly_quit, &self.attrition.weibull) {
            (Some(_), Some(_)) => {
                return Err(e(
                    "attrition.weibull",
                    "give either `monthly_quit` or `weibull`, not both",
                ));
            }
            (_, Some(w)) => {
                finite(w.shape, "attrition.weibull.shape")?;
                finite(w.scale, "attrition.weibull.scale")?;
                if w.shape <= 0.0 || w.shape > 20.0 {
                    return Err(e(
                        "attrition.weibull.shape",
                        format!("{} is outside (0, 20]", w.shape),
                    ));
                }
                if w.scale <= 0.0 {
                    return Err(e(
                        "attrition.weibull.scale",
                        format!("{} must be above 0 months", w.scale),
                    ));
                }
                weibull_hazards(w.shape, w.scale, 1200)
            }
            (q, None) => {
                let quit_spec = q.clone().unwrap_or(ByTenure::Constant(0.05));
                table(&quit_spec, "attrition.monthly_quit", probability)?
            }
        };
        let rank_quit_multiplier = match &self.attrition.rank_multiplier {
            None => None,
            Some(v) => {
                if v.is_empty() {
                    return Err(e(
                        "attrition.rank_multiplier",
                        "is an empty table; give at least one value",
                    ));
                }
                for (k, &x) in v.iter().enumerate() {
                    let p = format!("attrition.rank_multiplier[{k}]");
                    finite(x, &p)?;
                    if !(0.0..=10.0).contains(&x) {
                        return Err(e(p, format!("{x} is outside 0 to 10")));
                    }
                }
                Some(v.clone())
            }
        };
        let unprofitable_multiplier = match self.attrition.unprofitable_multiplier {
            None => 2.0,
            Some(x) => {
                let p = "attrition.unprofitable_multiplier";
                finite(x, p)?;
                if !(0.0..=10.0).contains(&x) {
                    return Err(e(p, format!("{x} is outside 0 to 10")));
                }
                if self.attrition.unprofitable_months.is_none() {
                    return Err(e(p, "needs attrition.unprofitable_months"));
                }
                x
            }
        };
        if let Some(0) = self.attrition.unprofitable_months {
            return Err(e(
                "attrition.unprofitable_months",
                "0 months; use at least 1, or leave it out",
            ));
        }
        if let Some(c) = self.purchases.consumed_share {
            probability(c, "purchases.consumed_share")?;
        }
        let buy_to_qualify = probability(
            self.purchases.buy_to_qualify.unwrap_or(0.0),
            "purchases.buy_to_qualify",
        )?;
        let market_model = match self.market.model.as_deref() {
            None | Some("fill") => {
                if self.market.innovation.is_some() || self.market.imitation.is_some() {
                    return Err(e(
                        "market.model",
                        "innovation and imitation need model = \"bass\"",
                    ));
                }
                MarketModel::Fill
            }
            Some("bass") => {
                if market_size.is_none() {
                    return Err(e("market.size", "the Bass model needs a market size"));
                }
                let p = probability(self.market.innovation.unwrap_or(0.0), "market.innovation")?;
                let q = non_negative(self.market.imitation.unwrap_or(0.0), "market.imitation")?;
                if q > 10.0 {
                    return Err(e("market.imitation", format!("{q} is above 10")));
                }
                if p == 0.0 && q == 0.0 {
                    return Err(e(
                        "market.innovation",
                        "the Bass model needs innovation or imitation above 0",
                    ));
                }
                MarketModel::Bass {
                    innovation: p,
                    imitation: q,
                }
            }
            Some(other) => {
                return Err(e(
                    "market.model",
                    format!("{other:?} is not a market model; use \"fill\" or \"bass\""),
                ));
            }
        };
        let p = &self.purchases;
        let order_probability = probability(p.probability.unwrap_or(1.0), "purchases.probability")?;
        let order_mean = money(p.mean.unwrap_or(100.0), "purchases.mean")?;
        let order_sigma = non_negative(p.sigma.unwrap_or(0.5), "purchases.sigma")?;
        if order_sigma > 5.0 {
            return Err(e("purchases.sigma", format!("{order_sigma} is above 5")));
        }
        let c = &self.customers;
        let customer_rate = non_negative(
            c.acquisition_rate.unwrap_or(0.0),
            "customers.acquisition_rate",
        )?;
        if customer_rate > 100.0 {
            return Err(e(
                "customers.acquisition_rate",
                format!("{customer_rate} is above 100 a month"),
            ));
        }
        let customer_churn = probability(c.churn.unwrap_or(0.1), "customers.churn")?;
        let customer_order_probability = probability(
            c.order_probability.unwrap_or(0.5),
            "customers.order_probability",
        )?;
        let customer_order_mean = money(c.order_mean.unwrap_or(60.0), "customers.order_mean")?;
        let customer_order_sigma =
            non_negative(c.order_sigma.unwrap_or(0.5), "customers.order_sigma")?;
        if customer_order_sigma > 5.0 {
            return Err(e(
                "customers.order_sigma",
                format!("{customer_order_sigma} is above 5"),
            ));
        }
        let preferred_share = probability(
            c.preferred_share.unwrap_or(0.0),
            "customers.preferred_share",
        )?;
        let preferred_order_probability = probability(
            c.preferred_order_probability.unwrap_or(0.8),
            "customers.preferred_order_probability",
        )?;
        let preferred_order_mean = money(
            c.preferred_order_mean.unwrap_or(60.0),
            "customers.preferred_order_mean",
        )?;
        let preferred_order_sigma = non_negative(
            c.preferred_order_sigma.unwrap_or(0.5),
            "customers.preferred_order_sigma",
        )?;
        if preferred_order_sigma > 5.0 {
            return Err(e(
                "customers.preferred_order_sigma",
                format!("{preferred_order_sigma} is above 5"),
            ));
        }
        let monthly_expenses = money(self.expenses.monthly.unwrap_or(0.0), "expenses.monthly")?;
        let pt = &self.parties;
        let party_rate = match &pt.per_month {
            None => vec![0.0],
            Some(t) => table(t, "parties.per_month", non_negative)?,
        };
        if let Some(k) = party_rate.iter().position(|&r| r > 100.0) {
            return Err(e(
                if party_rate.len() > 1 {
                    format!("parties.per_month[{k}]")
                } else {
                    "parties.per_month".to_string()
                },
                format!("{} is above 100 parties a month", party_rate[k]),
            ));
        }
        let party_hosting_share =
            probability(pt.hosting_share.unwrap_or(1.0), "parties.hosting_share")?;
        let party_sales_mean = money(pt.sales_mean.unwrap_or(400.0), "parties.sales_mean")?;
        let party_sales_sigma = non_negative(pt.sales_sigma.unwrap_or(0.6), "parties.sales_sigma")?;
        if party_sales_sigma > 5.0 {
            return Err(e(
                "parties.sales_sigma",
                format!("{party_sales_sigma} is above 5"),
            ));
        }
        let calendar = super::Calendar::new(&self.events, market_size.is_some())?;
        let inventory = match &self.inventory {
            None => None,
            Some(inv) => {
                let mut packages = vec![];
                let mut total = 0.0;
                for (k, pk) in inv.packages.iter().enumerate() {
                    let cost = money(pk.cost, &format!("inventory.packages[{k}].cost"))?;
                    let share = probability(pk.share, &format!("inventory.packages[{k}].share"))?;
                    total += share;
                    packages.push(((cost * 100.0).round() as i64, share));
                }
                if !packages.is_empty() && (total - 1.0).abs() > 1e-9 {
                    return Err(e(
                        "inventory.packages",
                        format!("the shares add up to {total}; they must add up to 1"),
                    ));
                }
                let consumed_share = match self.purchases.consumed_share {
                    Some(c) => probability(c, "purchases.consumed_share")?,
                    None => 0.5,
                };
                Some(super::Inventory {
                    packages,
                    buyback_share: probability(
                        inv.buyback_share.unwrap_or(0.0),
                        "inventory.buyback_share",
                    )?,
                    sell_from_stock: inv.sell_from_stock.unwrap_or(true),
                    consumed_share,
                })
            }
        };
        Ok(Scenario {
            inventory,
            calendar,
            founders,
            market_size,
            market_model,
            recruit_rate,
            recruit_quit_multiplier,
            success_breeds_success,
            rank_quit_multiplier,
            unprofitable_months: self.attrition.unprofitable_months,
            unprofitable_multiplier,
            buy_to_qualify,
            heterogeneity,
            quit,
            order_probability,
            order_mean,
            order_sigma,
            customer_rate,
            customer_churn,
            customer_order_probability,
            customer_order_mean,
            customer_order_sigma,
            monthly_expenses,
            preferred_share,
            preferred_order_probability,
            preferred_order_mean,
            preferred_order_sigma,
            party_rate,
            party_hosting_share,
            party_sales_mean,
            party_sales_sigma,
            spec: self,
        })
    }
}

/// Monthly quit probabilities of a Weibull survival curve `S(t) = exp(−(t/scale)^shape)`:
/// `h[k] = 1 − S(k + 1) / S(k)`, for `n` months.
pub fn weibull_hazards(shape: f64, scale: f64, n: usize) -> Vec<f64> {
    let log_s = |t: f64| -(t / scale).powf(shape);
    (0..n)
        .map(|k| (1.0 - (log_s(k as f64 + 1.0) - log_s(k as f64)).exp()).clamp(0.0, 1.0))
        .collect()
}
