// Amounts are written as units_cents (450_00 = 450.00) on purpose.
#![allow(clippy::inconsistent_digit_grouping)]
//! Inventory, buy-backs and charge-backs, worked by hand (`src/simulation/inventory.rs`).
//!
//! Amounts in cents, volume in hundredths of a point.

use downline::engine::{MonthInput, PlanEngine};
use downline::simulation::{run_one, RunOptions};
use downline::{Format, RunOutput, Scenario};

mod common;
use common::plan;

fn scenario(toml: &str) -> Scenario {
    Scenario::parse(toml, Format::Toml).unwrap_or_else(|e| panic!("{e}\n{toml}"))
}

fn run(p: &downline::CompiledPlan, s: &Scenario, months: u16, seed: u64) -> RunOutput {
    let opts = RunOptions {
        months,
        seed,
        keep_distributors: true,
    };
    run_one(p, s, 0, opts, None).unwrap()
}

/// Month `k` of the three below: 0 ← 1 ← 2, 2 has quit, 0 and 1 buy 100 PV each.
fn month(k: u16, sponsor: &[u32]) -> MonthInput<'_> {
    MonthInput {
        month: k,
        sponsor,
        join_month: &[1, 1, 1],
        participating: &[true, true, false],
        own_pv: &[100_00, 100_00, 0],
        retail_pv: &[0, 0, 0],
        preferred_pv: &[],
        parties: &[],
    }
}

/// The engine's charge-back: 0 ← 1 ← 2; 2 has quit and returns stock carrying 450 PV.
/// A 10% / 5% unilevel charges back what those 450 points pay: 45.00 from 1 and 22.50
/// from 0 — and nothing is taken from the month's own payout.
#[test]
fn returned_volume_is_charged_back_to_those_it_pays() {
    let p = plan(
        "[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.10\", \"0.05\"]\n[buyback]\nrefund_share = \"0.9\"\n",
    );
    let mut e = PlanEngine::new(&p);
    let sponsor = [u32::MAX, 0, 1];
    e.set_returns(&[0, 0, 450_00]);
    let t = e.run_month(&month(4, &sponsor));
    assert_eq!(e.chargebacks, vec![22_50, 45_00, 0]);
    assert_eq!(t.chargebacks, 67_50);
    // The month's own pay: 1's 100 PV pays 0 10.00.
    assert_eq!(t.payout, 10_00);
    // The returns are read by one month only.
    let t = e.run_month(&month(5, &sponsor));
    assert_eq!(t.chargebacks, 0);
    // Without `charge_back` nothing is charged back.
    let p = plan(
        "[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.10\", \"0.05\"]\n[buyback]\ncharge_back = false\n",
    );
    let mut e = PlanEngine::new(&p);
    e.set_returns(&[0, 0, 450_00]);
    let t = e.run_month(&month(4, &sponsor));
    assert_eq!(t.chargebacks, 0);
}

/// One founder buys a 1,000.00 starter kit and orders nothing else; customers order
/// 60.00 at retail (48.00 at wholesale with a 25% markup), served from the kit. The
/// founder quits at the start of month 4 and asks for a buy-back of what is left, at 90%.
#[test]
fn a_starter_kit_partly_sold_then_bought_back_at_90_percent() {
    let p = plan(
        "[[bonus]]\nkind = \"retail\"\nmarkup = \"0.25\"\n[buyback]\nrefund_share = \"0.9\"\nwithin_months = 12\n",
    );
    let s = scenario(
        r#"
[market]
founders = 1
[recruitment]
rate = 0.0
[attrition]
monthly_quit = [0.0, 0.0, 1.0]
[purchases]
probability = 0.0
[customers]
acquisition_rate = 2.0
churn = 0.0
order_probability = 1.0
order_mean = 60.0
order_sigma = 0.0
[inventory]
packages = [{ cost = 1000.0, share = 1.0 }]
buyback_share = 1.0
"#,
    );
    for seed in 1..20 {
        let out = run(&p, &s, 6, seed);
        let d = out.distributors.as_ref().unwrap();
        let t = d.stock.as_ref().unwrap();
        assert_eq!(d.quit_month[0], 4);
        assert_eq!(t.package[0], 1000_00);
        assert_eq!(t.stock_bought[0], 1000_00);
        assert_eq!(d.purchases[0], 1000_00);
        // Every order is 48.00 at wholesale and 12.00 of margin. Customers are served
        // from the stock held at the start of a month: month 1's orders come before the
        // kit and go to the company; after that the kit serves them while it lasts.
        let sold = t.sold_from_stock[0];
        assert_eq!(sold % 48_00, 0, "seed {seed}");
        let orders = sold / 48_00;
        assert!(orders > 0 && sold <= 1000_00);
        let first = out.monthly[0].retail_volume;
        if sold + 48_00 <= 1000_00 {
            assert_eq!(d.customer_volume[0], first, "seed {seed}");
        }
        assert_eq!(
            d.retail_profit[0],
            orders * 12_00 + d.customer_volume[0] / 4
        );
        // The rest is bought back, 90% refunded (rounded half away from zero).
        let left = 1000_00 - sold;
        assert_eq!(t.bought_back[0], left);
        assert_eq!(t.refunds[0], (left * 9 + 5) / 10);
        assert_eq!(t.stock[0], 0);
        // Month by month: the package in month 1, the return and refund in month 4.
        let m = |k: usize| out.monthly[k].stock.unwrap();
        assert_eq!(m(0).packages, 1000_00);
        assert_eq!(m(3).returned, left);
        assert_eq!(m(3).refunds, t.refunds[0]);
        assert_eq!(m(3).held, 0);
        assert_eq!((0..6).map(|k| m(k).sold).sum::<i64>(), sold);
        // No upline: nothing to charge back.
        assert_eq!(t.chargebacks[0], 0);
    }
}

/// Only stock bought within `within_months` before quitting is bought back: a kit bought
/// in month 1 by someone quitting in month 5 is outside a 3-month window, so nothing is.
#[test]
fn stock_older_than_the_window_is_not_bought_back() {
    let p = plan("[buyback]\nwithin_months = 3\n");
    let s = scenario(
        "[market]\nfounders = 3\n[recruitment]\nrate = 0.0\n[attrition]\nmonthly_quit = [0.0, 0.0, 0.0, 1.0]\n\
         [purchases]\nprobability = 0.0\n[inventory]\npackages = [{ cost = 500.0, share = 1.0 }]\nbuyback_share = 1.0\n",
    );
    let out = run(&p, &s, 6, 3);
    let t = out.distributors.as_ref().unwrap().stock.clone().unwrap();
    assert_eq!(t.stock, vec![500_00; 3]);
    assert_eq!(t.bought_back, vec![0; 3]);
    // With a 4-month window, month 1 is inside (months 1 to 4 before quitting in 5).
    let p = plan("[buyback]\nwithin_months = 4\n");
    let out = run(&p, &s, 6, 3);
    let t = out.distributors.as_ref().unwrap().stock.clone().unwrap();
    assert_eq!(t.bought_back, vec![500_00; 3]);
    assert_eq!(t.refunds, vec![450_00; 3]);
}

/// Tracking stock changes nobody's behaviour: with no packages, nothing sold from stock
/// and no buy-backs, a run is the run without `[inventory]`, month by month.
#[test]
fn inventory_changes_nobody_when_it_moves_nothing() {
    let p = common::example("unilevel.toml");
    let base = std::fs::read_to_string(format!(
        "{}/examples/scenarios/baseline.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let plain = scenario(&base);
    let with = scenario(&format!("{base}\n[inventory]\nsell_from_stock = false\n"));
    let a = run(&p, &plain, 12, 5);
    let b = run(&p, &with, 12, 5);
    for (x, y) in a.monthly.iter().zip(&b.monthly) {
        assert_eq!(
            (x.volume, x.payout, x.active),
            (y.volume, y.payout, y.active)
        );
    }
    let (da, db) = (a.distributors.unwrap(), b.distributors.unwrap());
    assert_eq!(da.earnings, db.earnings);
    // Half of each chosen order is stocked (the default consumed share), none sold.
    let t = db.stock.unwrap();
    assert!(t.stock.iter().zip(&t.stock_bought).all(|(s, b)| s == b));
    // (each month's half rounded to the cent: at most half a cent over, 12 months)
    assert!(t
        .consumed
        .iter()
        .zip(&db.purchases)
        .all(|(c, p)| 2 * c <= p + 12));
    assert!(t.consumed.iter().sum::<i64>() > 0);
}

/// With uplines, a buy-back's charge-backs are what the returned volume pays: never
/// more than the run paid, and they add up month by month and person by person.
#[test]
fn chargebacks_in_a_simulation_add_up() {
    let p = plan(
        "[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.10\", \"0.05\", \"0.05\"]\n[buyback]\nrefund_share = \"0.9\"\n",
    );
    let base = std::fs::read_to_string(format!(
        "{}/examples/scenarios/baseline.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let s = scenario(&format!(
        "{base}\n[inventory]\npackages = [{{ cost = 0.0, share = 0.5 }}, {{ cost = 600.0, share = 0.5 }}]\nbuyback_share = 0.5\n"
    ));
    let out = run(&p, &s, 12, 9);
    let d = out.distributors.unwrap();
    let t = d.stock.unwrap();
    let monthly: i64 = out
        .monthly
        .iter()
        .map(|m| m.stock.unwrap().chargebacks)
        .sum();
    assert!(monthly > 0);
    assert_eq!(monthly, t.chargebacks.iter().sum::<i64>());
    let refunds: i64 = out.monthly.iter().map(|m| m.stock.unwrap().refunds).sum();
    assert_eq!(refunds, t.refunds.iter().sum::<i64>());
    assert!(refunds > 0);
    assert!(monthly < out.monthly.iter().map(|m| m.payout).sum::<i64>());
    // Refunds are 90% of what was returned, each rounded once.
    for i in 0..t.refunds.len() {
        assert_eq!(t.refunds[i], (t.bought_back[i] * 9 + 5) / 10);
        // Those who quit hold what the buy-back left; nobody holds negative stock.
        assert!(t.stock[i] >= 0);
    }
}
