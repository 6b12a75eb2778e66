//! The scenario file as written, and its validation.

use super::Scenario;
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
}

/// `[attrition]`
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AttritionSpec {
    /// Monthly quit probability by month since joining (first entry: at the start of the
    /// month after the join month); a number or a table whose last value repeats.
    #[serde(default)]
    pub monthly_quit: Option<ByTenure>,
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
        let rate = self
            .recruitment
            .rate
            .clone()
            .unwrap_or(ByTenure::Constant(0.1));
        let recruit_rate = table(&rate, "recruitment.rate", |v, p| {
            non_negative(v, p)?;
            if v > 50.0 {
                return Err(e(
                    p,
                    format!("{v} recruits a month is more than 50; is it a percentage?"),
                ));
            }
            Ok(v)
        })?;
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
        let quit_spec = self
            .attrition
            .monthly_quit
            .clone()
            .unwrap_or(ByTenure::Constant(0.05));
        let quit = table(&quit_spec, "attrition.monthly_quit", probability)?;
        let p = &self.purchases;
        let order_probability = probability(p.probability.unwrap_or(1.0), "purchases.probability")?;
        let order_mean = non_negative(p.mean.unwrap_or(100.0), "purchases.mean")?;
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
        let customer_order_mean =
            non_negative(c.order_mean.unwrap_or(60.0), "customers.order_mean")?;
        let customer_order_sigma =
            non_negative(c.order_sigma.unwrap_or(0.5), "customers.order_sigma")?;
        if customer_order_sigma > 5.0 {
            return Err(e(
                "customers.order_sigma",
                format!("{customer_order_sigma} is above 5"),
            ));
        }
        let monthly_expenses =
            non_negative(self.expenses.monthly.unwrap_or(0.0), "expenses.monthly")?;
        Ok(Scenario {
            founders,
            market_size,
            recruit_rate,
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
            spec: self,
        })
    }
}
