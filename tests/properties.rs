// Reference implementations loop over parallel arrays by index on purpose.
#![allow(clippy::needless_range_loop, clippy::too_many_arguments)]
//! Property tests over random plans, scenarios, trees and volumes.
//!
//! Every case is drawn from a small seeded generator (xoshiro256++), so a failure names the
//! case seed and prints the plan and scenario that produced it: paste them into a file to
//! reproduce. Only the public API is used.
//!
//! Units, as documented in `src/money.rs`: money in cents, volume in hundredths of a point,
//! rates and the point value in millionths.

use downline::engine::{MonthInput, PlanEngine};
use downline::simulation::{run_one, RunOptions};
use downline::{
    compute_commissions, simulate, CompiledPlan, Format, KeepDistributors, Scenario,
    SimulateOptions, TreeRow, VolumeRow,
};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::BTreeMap;

type R = Xoshiro256PlusPlus;

const RATE_ONE: i64 = 1_000_000;
const NO_SPONSOR: u32 = u32::MAX;
const NEVER: u16 = u16::MAX;

fn rng(seed: u64) -> R {
    R::seed_from_u64(seed)
}

/// `v / 10^places` written as a quoted decimal string, e.g. `fixed(50_000, 6)` = `"0.050000"`.
fn fixed(v: i64, places: u32) -> String {
    assert!(v >= 0);
    let d = 10i64.pow(places);
    format!("\"{}.{:0w$}\"", v / d, v % d, w = places as usize)
}

// ---------------------------------------------------------------------------------------
// Random plans
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct RankGen {
    pv: i64,
    gv: i64,
    active_legs: u32,
    /// (lower rank index, legs)
    leg_ranks: Vec<(usize, u32)>,
    max_leg_share: Option<i64>,
}

#[derive(Clone, Debug)]
enum BonusGen {
    Retail {
        markup: i64,
    },
    Unilevel {
        levels: Option<Vec<i64>>,
        /// (rank index, rates by level)
        rates: Vec<(usize, Vec<i64>)>,
        compression: bool,
    },
    FastStart {
        rate: i64,
        months: u32,
        require_active: Option<bool>,
    },
    RankAdvancement {
        amounts: Vec<(usize, i64)>,
    },
}

#[derive(Clone, Debug)]
struct Costs {
    enrollment_fee: i64,
    annual_fee: i64,
    min_monthly_purchase: i64,
}

#[derive(Clone, Debug)]
struct PlanGen {
    /// Millionths of currency per point.
    point_value: i64,
    min_pv: i64,
    ranks: Vec<RankGen>,
    bonuses: Vec<BonusGen>,
    /// Millionths.
    cap: Option<i64>,
    costs: Costs,
}

/// How unilevel rates are drawn.
#[derive(Clone, Copy, PartialEq)]
enum RateMode {
    Any,
    Zero,
    /// Non-increasing by level, for the compression property.
    NonIncreasing,
}

fn gen_rates(r: &mut R, depth: usize, mode: RateMode) -> Vec<i64> {
    let top = match r.random_range(0..4) {
        0 => 20_000,
        1 | 2 => 120_000,
        _ => RATE_ONE, // rates that make a cap bind
    };
    let mut v: Vec<i64> = (0..depth)
        .map(|_| match mode {
            RateMode::Zero => 0,
            _ => {
                if r.random_bool(0.1) {
                    0
                } else {
                    r.random_range(0..=top)
                }
            }
        })
        .collect();
    if mode == RateMode::NonIncreasing {
        v.sort_unstable_by(|a, b| b.cmp(a));
    }
    v
}

fn gen_costs(r: &mut R) -> Costs {
    Costs {
        enrollment_fee: if r.random_bool(0.6) {
            r.random_range(0..10_000)
        } else {
            0
        },
        annual_fee: if r.random_bool(0.5) {
            r.random_range(0..5_000)
        } else {
            0
        },
        min_monthly_purchase: if r.random_bool(0.3) {
            r.random_range(0..15_000)
        } else {
            0
        },
    }
}

fn gen_unilevel(r: &mut R, nranks: usize, mode: RateMode) -> BonusGen {
    let with_levels = nranks == 0 || r.random_bool(0.7);
    let levels = with_levels.then(|| {
        let d = r.random_range(1..=8);
        gen_rates(r, d, mode)
    });
    let mut rates = vec![];
    let named = nranks.max(1);
    for ri in 0..named {
        if (nranks > 0 && r.random_bool(0.5))
            || (levels.is_none() && rates.is_empty() && ri == named - 1)
        {
            let d = r.random_range(1..=8);
            rates.push((ri, gen_rates(r, d, mode)));
        }
    }
    BonusGen::Unilevel {
        levels,
        rates,
        compression: r.random_bool(0.5),
    }
}

fn gen_plan(r: &mut R) -> PlanGen {
    let point_value = [
        RATE_ONE, RATE_ONE, RATE_ONE, 500_000, 1_250_000, 2_000_000, 800_000,
    ][r.random_range(0..7)];
    let min_pv = if r.random_bool(0.6) {
        r.random_range(0..15_000)
    } else {
        0
    };
    let nranks = r.random_range(0..=4usize);
    let mut ranks = vec![];
    for i in 0..nranks {
        let pv = if r.random_bool(0.5) {
            r.random_range(0..10_000)
        } else {
            0
        };
        let gv = if r.random_bool(0.6) {
            r.random_range(0..(i as i64 + 1) * 100_000)
        } else {
            0
        };
        let active_legs = if r.random_bool(0.4) {
            r.random_range(0..=2)
        } else {
            0
        };
        let mut leg_ranks = vec![];
        if i > 0 && r.random_bool(0.4) {
            let j = r.random_range(0..i);
            leg_ranks.push((j, r.random_range(1..=2)));
        }
        let max_leg_share = (gv > 0 && r.random_bool(0.4)).then(|| r.random_range(1..=RATE_ONE));
        ranks.push(RankGen {
            pv,
            gv,
            active_legs,
            leg_ranks,
            max_leg_share,
        });
    }
    let mut bonuses = vec![];
    if r.random_bool(0.5) {
        bonuses.push(BonusGen::Retail {
            markup: r.random_range(0..=2 * RATE_ONE),
        });
    }
    let n_uni = if r.random_bool(0.85) {
        r.random_range(1..=2)
    } else {
        0
    };
    for _ in 0..n_uni {
        bonuses.push(gen_unilevel(r, nranks, RateMode::Any));
    }
    if r.random_bool(0.5) {
        bonuses.push(BonusGen::FastStart {
            rate: r.random_range(0..=500_000),
            months: r.random_range(1..=6),
            require_active: [None, Some(true), Some(false)][r.random_range(0..3)],
        });
    }
    if r.random_bool(0.5) {
        let named = nranks.max(1);
        let mut amounts = vec![];
        for ri in 0..named {
            if r.random_bool(0.6) || (amounts.is_empty() && ri == named - 1) {
                amounts.push((ri, r.random_range(0..100_000)));
            }
        }
        bonuses.push(BonusGen::RankAdvancement { amounts });
    }
    // Random payment order.
    for i in (1..bonuses.len()).rev() {
        let j = r.random_range(0..=i);
        bonuses.swap(i, j);
    }
    let cap = r.random_bool(0.5).then(|| {
        r.random_range(1..=RATE_ONE / 2)
            .max(if r.random_bool(0.2) { RATE_ONE } else { 1 })
    });
    PlanGen {
        point_value,
        min_pv,
        ranks,
        bonuses,
        cap,
        costs: gen_costs(r),
    }
}

impl PlanGen {
    fn rank_name(&self, i: usize) -> String {
        if self.ranks.is_empty() {
            "Distributor".into()
        } else {
            format!("R{i}")
        }
    }

    fn toml(&self) -> String {
        let mut s = String::new();
        s += &format!(
            "name = \"random\"\n[volume]\npoint_value = {}\n",
            fixed(self.point_value, 6)
        );
        s += &format!("[active]\nmin_pv = {}\n", fixed(self.min_pv, 2));
        for (i, k) in self.ranks.iter().enumerate() {
            s += &format!("[[ranks]]\nname = \"R{i}\"\n");
            if k.pv > 0 || i % 2 == 0 {
                s += &format!("pv = {}\n", fixed(k.pv, 2));
            }
            if k.gv > 0 {
                s += &format!("gv = {}\n", fixed(k.gv, 2));
            }
            if k.active_legs > 0 {
                s += &format!("active_legs = {}\n", k.active_legs);
            }
            if !k.leg_ranks.is_empty() {
                let items: Vec<String> = k
                    .leg_ranks
                    .iter()
                    .map(|(j, n)| format!("R{j} = {n}"))
                    .collect();
                s += &format!("leg_ranks = {{ {} }}\n", items.join(", "));
            }
            if let Some(m) = k.max_leg_share {
                s += &format!("max_leg_share = {}\n", fixed(m, 6));
            }
        }
        let list = |v: &[i64]| -> String {
            let items: Vec<String> = v.iter().map(|&x| fixed(x, 6)).collect();
            format!("[{}]", items.join(", "))
        };
        for (b, bonus) in self.bonuses.iter().enumerate() {
            s += &format!("[[bonus]]\nname = \"b{b}\"\n");
            match bonus {
                BonusGen::Retail { markup } => {
                    s += &format!("kind = \"retail\"\nmarkup = {}\n", fixed(*markup, 6));
                }
                BonusGen::Unilevel {
                    levels,
                    rates,
                    compression,
                } => {
                    s += &format!("kind = \"unilevel\"\ncompression = {compression}\n");
                    if let Some(l) = levels {
                        s += &format!("levels = {}\n", list(l));
                    }
                    if !rates.is_empty() {
                        let items: Vec<String> = rates
                            .iter()
                            .map(|(ri, v)| format!("{} = {}", self.rank_name(*ri), list(v)))
                            .collect();
                        s += &format!("rates = {{ {} }}\n", items.join(", "));
                    }
                }
                BonusGen::FastStart {
                    rate,
                    months,
                    require_active,
                } => {
                    s += &format!(
                        "kind = \"fast_start\"\nrate = {}\nmonths = {months}\n",
                        fixed(*rate, 6)
                    );
                    if let Some(a) = require_active {
                        s += &format!("require_active = {a}\n");
                    }
                }
                BonusGen::RankAdvancement { amounts } => {
                    let items: Vec<String> = amounts
                        .iter()
                        .map(|(ri, a)| format!("{} = {}", self.rank_name(*ri), fixed(*a, 2)))
                        .collect();
                    s += &format!(
                        "kind = \"rank_advancement\"\namounts = {{ {} }}\n",
                        items.join(", ")
                    );
                }
            }
        }
        if let Some(c) = self.cap {
            s += &format!("[cap]\nmax_payout_ratio = {}\n", fixed(c, 6));
        }
        let c = &self.costs;
        s += "[costs]\n";
        if c.enrollment_fee > 0 {
            s += &format!("enrollment_fee = {}\n", fixed(c.enrollment_fee, 2));
        }
        if c.annual_fee > 0 {
            s += &format!("annual_fee = {}\n", fixed(c.annual_fee, 2));
        }
        if c.min_monthly_purchase > 0 {
            s += &format!(
                "min_monthly_purchase = {}\n",
                fixed(c.min_monthly_purchase, 2)
            );
        }
        s
    }

    fn compile(&self) -> CompiledPlan {
        let t = self.toml();
        CompiledPlan::parse(&t, Format::Toml)
            .unwrap_or_else(|e| panic!("generated plan should compile: {e}\n{t}"))
    }

    /// For a unilevel bonus: the highest rate of any rank at each level (level 1 first).
    fn max_level_rates(&self, b: usize) -> Option<Vec<i64>> {
        match &self.bonuses[b] {
            BonusGen::Unilevel { levels, rates, .. } => {
                let mut out: Vec<i64> = vec![];
                for v in levels.iter().chain(rates.iter().map(|(_, v)| v)) {
                    if out.len() < v.len() {
                        out.resize(v.len(), 0);
                    }
                    for (k, &x) in v.iter().enumerate() {
                        out[k] = out[k].max(x);
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }

    fn is_retail(&self, b: usize) -> bool {
        matches!(self.bonuses[b], BonusGen::Retail { .. })
    }
}

// ---------------------------------------------------------------------------------------
// Random scenarios
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct ScenarioGen {
    founders: u32,
    market_size: Option<f64>,
    recruit: Vec<f64>,
    heterogeneity: Option<f64>,
    quit: Vec<f64>,
    order_probability: f64,
    order_mean: f64,
    order_sigma: f64,
    customers: Option<(f64, f64, f64, f64, f64)>,
    expenses: f64,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn gen_scenario(r: &mut R) -> ScenarioGen {
    let founders = r.random_range(1..=50);
    let recruit: Vec<f64> = (0..r.random_range(1..=5))
        .map(|_| {
            if r.random_bool(0.1) {
                0.0
            } else {
                round3(r.random_range(0.0..0.6))
            }
        })
        .collect();
    let quit: Vec<f64> = (0..r.random_range(1..=5))
        .map(|_| match r.random_range(0..20) {
            0 | 1 => 0.0,
            2 => 1.0,
            _ => round3(r.random_range(0.0..0.3)),
        })
        .collect();
    ScenarioGen {
        founders,
        market_size: r
            .random_bool(0.4)
            .then(|| founders as f64 + round3(r.random_range(0.0..400.0))),
        recruit,
        heterogeneity: r.random_bool(0.5).then(|| round3(r.random_range(0.1..3.0))),
        quit,
        order_probability: if r.random_bool(0.3) {
            1.0
        } else {
            round3(r.random_range(0.0..1.0))
        },
        order_mean: round3(r.random_range(0.0..200.0)),
        order_sigma: if r.random_bool(0.2) {
            0.0
        } else {
            round3(r.random_range(0.0..1.5))
        },
        customers: r.random_bool(0.5).then(|| {
            (
                round3(r.random_range(0.0..2.0)),
                round3(r.random_range(0.0..1.0)),
                round3(r.random_range(0.0..1.0)),
                round3(r.random_range(0.0..150.0)),
                round3(r.random_range(0.0..1.0)),
            )
        }),
        expenses: (r.random_range(0.0..100.0f64) * 100.0).round() / 100.0,
    }
}

impl ScenarioGen {
    fn toml(&self) -> String {
        let list = |v: &[f64]| -> String {
            let items: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
            format!("[{}]", items.join(", "))
        };
        let mut s = format!("[market]\nfounders = {}\n", self.founders);
        if let Some(m) = self.market_size {
            s += &format!("size = {m:?}\n");
        }
        s += "[recruitment]\n";
        if self.recruit.len() == 1 {
            s += &format!("rate = {:?}\n", self.recruit[0]);
        } else {
            s += &format!("rate = {}\n", list(&self.recruit));
        }
        if let Some(h) = self.heterogeneity {
            s += &format!("heterogeneity = {h:?}\n");
        }
        s += &format!("[attrition]\nmonthly_quit = {}\n", list(&self.quit));
        s += &format!(
            "[purchases]\nprobability = {:?}\nmean = {:?}\nsigma = {:?}\n",
            self.order_probability, self.order_mean, self.order_sigma
        );
        if let Some((rate, churn, p, mean, sigma)) = self.customers {
            s += &format!(
                "[customers]\nacquisition_rate = {rate:?}\nchurn = {churn:?}\norder_probability = {p:?}\norder_mean = {mean:?}\norder_sigma = {sigma:?}\n"
            );
        }
        s += &format!("[expenses]\nmonthly = {:?}\n", self.expenses);
        s
    }

    fn parse(&self) -> Scenario {
        let t = self.toml();
        Scenario::parse(&t, Format::Toml)
            .unwrap_or_else(|e| panic!("generated scenario should parse: {e}\n{t}"))
    }
}

fn ctx(case: u64, p: &PlanGen, s: &ScenarioGen, months: u16) -> String {
    format!(
        "case seed {case}, {months} months\n--- plan ---\n{}--- scenario ---\n{}",
        p.toml(),
        s.toml()
    )
}

// ---------------------------------------------------------------------------------------
// Checks on a simulated run
// ---------------------------------------------------------------------------------------

/// The cap of a month, exactly: `floor(volume × point value × ratio)` in cents.
fn exact_cap(volume: i64, point_value: i64, ratio: i64) -> i64 {
    (volume as i128 * point_value as i128 * ratio as i128 / (RATE_ONE as i128 * RATE_ONE as i128))
        as i64
}

/// Properties 1, 2 and 7 (and bookkeeping of fees and expenses) on one run.
fn check_run(
    g: &PlanGen,
    plan: &CompiledPlan,
    sc: &ScenarioGen,
    out: &downline::RunOutput,
    months: u16,
    c: &str,
) {
    assert_eq!(out.monthly.len(), months as usize, "{c}");
    let nb = plan.bonuses.len();
    let mut prev_active = 0u32;
    for (k, row) in out.monthly.iter().enumerate() {
        let m = k as u16 + 1;
        assert_eq!(row.month, m, "{c}");
        assert_eq!(row.by_bonus.len(), nb, "{c}");
        // 1. the payout is the sum of the company-paid bonuses; retail is not company-paid
        let company: i64 = (0..nb)
            .filter(|&b| plan.bonuses[b].paid_by_company())
            .map(|b| row.by_bonus[b])
            .sum();
        let retail: i64 = (0..nb)
            .filter(|&b| !plan.bonuses[b].paid_by_company())
            .map(|b| row.by_bonus[b])
            .sum();
        for b in 0..nb {
            assert_eq!(plan.bonuses[b].paid_by_company(), !g.is_retail(b), "{c}");
            assert!(row.by_bonus[b] >= 0, "month {m}: negative bonus {b}\n{c}");
        }
        assert_eq!(row.payout, company, "month {m}: payout vs by_bonus\n{c}");
        // where the payout came from: the parts add up to it, none negative
        let s = row.sources;
        assert_eq!(s.total(), row.payout, "month {m}: sources\n{c}");
        assert!(
            [s.retail, s.preferred, s.party, s.own, s.downline, s.other]
                .iter()
                .all(|&x| x >= 0),
            "month {m}: a negative source {s:?}\n{c}"
        );
        assert_eq!(row.retail_profit, retail, "month {m}: retail profit\n{c}");
        assert!(row.payout <= row.payout_before_cap, "month {m}\n{c}");
        // 2. the cap
        match g.cap {
            Some(ratio) => {
                let cap = exact_cap(row.volume, g.point_value, ratio);
                assert!(
                    row.payout <= cap,
                    "month {m}: payout {} above cap {cap}\n{c}",
                    row.payout
                );
                // against the rounded volume value: volume_value ≥ exact − ½ cent
                assert!(
                    2 * row.payout as i128 * RATE_ONE as i128
                        <= (2 * row.volume_value as i128 + 1) * ratio as i128,
                    "month {m}: payout {} vs volume value {}\n{c}",
                    row.payout,
                    row.volume_value
                );
                if row.payout_before_cap > cap {
                    assert_eq!(
                        row.payout, cap,
                        "month {m}: a binding cap pays the cap\n{c}"
                    );
                } else {
                    assert_eq!(row.payout, row.payout_before_cap, "month {m}\n{c}");
                }
            }
            None => assert_eq!(row.payout, row.payout_before_cap, "month {m}\n{c}"),
        }
        // the volume value is the volume at the point value, rounded once
        let exact = row.volume as i128 * g.point_value as i128;
        assert!(
            (row.volume_value as i128 * RATE_ONE as i128 - exact).abs() <= RATE_ONE as i128 / 2,
            "month {m}: volume value\n{c}"
        );
        assert!(
            row.retail_volume >= 0 && row.retail_volume <= row.volume,
            "{c}"
        );
        if sc.customers.is_none() {
            assert_eq!(row.retail_volume, 0, "{c}");
        }
        // 7. head counts
        assert_eq!(
            row.active as i64,
            prev_active as i64 + row.joined as i64 - row.quit as i64,
            "month {m}: active(m) = active(m-1) + joined - quit\n{c}"
        );
        if m == 1 {
            assert_eq!((row.joined, row.quit), (sc.founders, 0), "{c}");
        }
        assert!(
            row.qualified <= row.active,
            "month {m}: qualified > active\n{c}"
        );
        assert_eq!(row.rank_counts.len(), g.ranks.len().max(1), "{c}");
        assert!(row.rank_counts.iter().sum::<u32>() <= row.active, "{c}");
        prev_active = row.active;
    }

    // Summary against the monthly rows.
    let s = &out.summary;
    let sum = |f: fn(&downline::MonthRow) -> i64| -> i64 { out.monthly.iter().map(f).sum() };
    assert_eq!(s.payout, sum(|r| r.payout), "{c}");
    assert_eq!(s.retail_profit, sum(|r| r.retail_profit), "{c}");
    assert_eq!(s.volume_value, sum(|r| r.volume_value), "{c}");
    assert_eq!(s.capped, sum(|r| r.payout_before_cap - r.payout), "{c}");
    assert_eq!(
        s.active_end,
        out.monthly.last().unwrap().active as u64,
        "{c}"
    );

    // The per-distributor table.
    let d = out.distributors.as_ref().expect("kept");
    let n = d.sponsor.len();
    assert_eq!(s.ever_joined, n as u64, "{c}");
    for v in [
        d.join_month.len(),
        d.quit_month.len(),
        d.recruits.len(),
        d.max_rank.len(),
    ] {
        assert_eq!(v, n, "{c}");
    }
    for v in [
        &d.earnings,
        &d.retail_profit,
        &d.fees,
        &d.purchases,
        &d.expenses,
    ] {
        assert_eq!(v.len(), n, "{c}");
        assert!(v.iter().all(|&x| x >= 0), "{c}");
    }
    // 1. money is conserved over the run
    assert_eq!(
        d.earnings.iter().sum::<i64>(),
        s.payout,
        "sum of earnings vs sum of monthly payouts\n{c}"
    );
    assert_eq!(
        d.retail_profit.iter().sum::<i64>(),
        s.retail_profit,
        "sum of retail profit vs monthly retail profit\n{c}"
    );
    if let Some(size) = sc.market_size {
        assert!(n as f64 <= size.max(sc.founders as f64), "{c}");
    }
    let mut recruits = vec![0u32; n];
    let mut joined = vec![0u32; months as usize + 2];
    let mut quit = vec![0u32; months as usize + 2];
    let expense_cents = (sc.expenses * 100.0).round() as i64;
    for i in 0..n {
        let j = d.join_month[i];
        let q = d.quit_month[i];
        assert!(j >= 1 && j <= months, "{c}");
        assert!(q > j, "{c}");
        assert!(q == NEVER || q <= months, "{c}");
        joined[j as usize] += 1;
        if q != NEVER {
            quit[q as usize] += 1;
        }
        let s = d.sponsor[i];
        if s == NO_SPONSOR {
            assert_eq!(j, 1, "only founders have no sponsor\n{c}");
        } else {
            let s = s as usize;
            assert!(s < i, "{c}");
            recruits[s] += 1;
            // the sponsor joined in an earlier month and still participated
            assert!(d.join_month[s] < j && d.quit_month[s] > j, "{c}");
        }
        // months of participation, fees, expenses and the minimum purchase
        let end = if q == NEVER { months + 1 } else { q };
        let active_months = (end - j) as i64;
        let anniversaries = (1..active_months).filter(|t| t % 12 == 0).count() as i64;
        assert_eq!(
            d.fees[i],
            g.costs.enrollment_fee + anniversaries * g.costs.annual_fee,
            "fees of {i}\n{c}"
        );
        assert_eq!(
            d.expenses[i],
            active_months * expense_cents,
            "expenses of {i}\n{c}"
        );
        assert!(
            d.purchases[i] >= active_months * g.costs.min_monthly_purchase,
            "purchases of {i}\n{c}"
        );
    }
    assert_eq!(recruits, d.recruits, "{c}");
    for (k, row) in out.monthly.iter().enumerate() {
        let m = k + 1;
        assert_eq!(row.joined, joined[m], "month {m}: joined\n{c}");
        assert_eq!(row.quit, quit[m], "month {m}: quit\n{c}");
    }
}

fn sim_case(case: u64) -> (PlanGen, ScenarioGen, u16) {
    let mut r = rng(case);
    let p = gen_plan(&mut r);
    let s = gen_scenario(&mut r);
    let months = r.random_range(6..=24);
    (p, s, months)
}

/// Properties 1, 2 and 7 over many random plans and scenarios.
#[test]
fn simulated_money_cap_and_head_counts() {
    let mut capped_months = 0;
    let mut retail_months = 0;
    for case in 0..150u64 {
        let (g, sg, months) = sim_case(1000 + case);
        let plan = g.compile();
        let sc = sg.parse();
        let c = ctx(1000 + case, &g, &sg, months);
        let run = (case % 3) as u32;
        let out = run_one(
            &plan,
            &sc,
            run,
            RunOptions {
                months,
                seed: case * 7 + 1,
                keep_distributors: true,
            },
            None,
        )
        .unwrap_or_else(|e| panic!("run failed: {e}\n{c}"));
        assert_eq!(out.run, run);
        check_run(&g, &plan, &sg, &out, months, &c);
        capped_months += out
            .monthly
            .iter()
            .filter(|r| r.payout < r.payout_before_cap)
            .count();
        retail_months += out.monthly.iter().filter(|r| r.retail_profit > 0).count();
    }
    // the generator must reach the cases the properties are about
    assert!(capped_months > 10, "too few capped months: {capped_months}");
    assert!(retail_months > 10, "too few retail months: {retail_months}");
}

/// Property 4: the same seed gives the same results on 1 and 2 threads; another seed differs.
#[test]
fn same_seed_same_results_on_any_thread_count() {
    for case in 0..12u64 {
        let (g, mut sg, months) = sim_case(2000 + case);
        // every order is a continuous draw, so another seed must change something
        sg.order_probability = 1.0;
        sg.order_sigma = 0.5;
        sg.order_mean = 80.0;
        let plan = g.compile();
        let sc = sg.parse();
        let c = ctx(2000 + case, &g, &sg, months);
        let opts = |seed: u64, threads: usize| SimulateOptions {
            months,
            runs: 3,
            seed,
            threads: Some(threads),
            keep_distributors: KeepDistributors::First(2),
            max_memory: None,
        };
        let seed = 99 + case;
        let a = simulate(&plan, &sc, &opts(seed, 1), None).unwrap();
        let b = simulate(&plan, &sc, &opts(seed, 2), None).unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(b.len(), 3);
        for (k, (x, y)) in a.iter().zip(&b).enumerate() {
            assert_eq!(
                (x.run, y.run),
                (k as u32, k as u32),
                "runs come in run order\n{c}"
            );
            assert_eq!(x.monthly, y.monthly, "run {}\n{c}", x.run);
            assert_eq!(x.summary, y.summary, "run {}\n{c}", x.run);
            assert_eq!(x.distributors.is_some(), x.run < 2, "{c}");
            assert_eq!(x.distributors.is_some(), y.distributors.is_some(), "{c}");
            if let (Some(p), Some(q)) = (&x.distributors, &y.distributors) {
                assert_eq!(p.sponsor, q.sponsor, "{c}");
                assert_eq!(p.join_month, q.join_month, "{c}");
                assert_eq!(p.quit_month, q.quit_month, "{c}");
                assert_eq!(p.recruits, q.recruits, "{c}");
                assert_eq!(p.max_rank, q.max_rank, "{c}");
                assert_eq!(p.earnings, q.earnings, "{c}");
                assert_eq!(p.retail_profit, q.retail_profit, "{c}");
                assert_eq!(p.fees, q.fees, "{c}");
                assert_eq!(p.purchases, q.purchases, "{c}");
                assert_eq!(p.expenses, q.expenses, "{c}");
            }
            // each run of `simulate` is `run_one` with that run number
            let one = run_one(
                &plan,
                &sc,
                x.run,
                RunOptions {
                    months,
                    seed,
                    keep_distributors: false,
                },
                None,
            )
            .unwrap();
            assert_eq!(one.monthly, x.monthly, "{c}");
            assert_eq!(one.summary, x.summary, "{c}");
        }
        // runs differ from each other, and another seed gives other results
        let other = simulate(&plan, &sc, &opts(seed + 1_000_003, 2), None).unwrap();
        let da = a[0].distributors.as_ref().unwrap();
        let dother = other[0].distributors.as_ref().unwrap();
        assert!(
            a[0].monthly != other[0].monthly || da.purchases != dother.purchases,
            "another seed gave the same run\n{c}"
        );
        let d1 = a[1].distributors.as_ref().unwrap();
        assert!(
            a[0].monthly != a[1].monthly || da.purchases != d1.purchases,
            "runs 0 and 1 are the same\n{c}"
        );
    }
}

/// Property 5: the plan does not change the simulated people (common random numbers).
#[test]
fn plan_changes_do_not_change_the_people() {
    for case in 0..20u64 {
        let mut r = rng(3000 + case);
        let ga = gen_plan(&mut r);
        let mut gb = gen_plan(&mut r);
        let same_costs = case % 2 == 0;
        if same_costs {
            gb.costs = ga.costs.clone();
        }
        let sg = gen_scenario(&mut r);
        let months = r.random_range(6..=24);
        let (pa, pb) = (ga.compile(), gb.compile());
        let sc = sg.parse();
        let c = format!(
            "{}--- plan B ---\n{}",
            ctx(3000 + case, &ga, &sg, months),
            gb.toml()
        );
        let opts = RunOptions {
            months,
            seed: 5 + case,
            keep_distributors: true,
        };
        let a = run_one(&pa, &sc, 1, opts, None).unwrap();
        let b = run_one(&pb, &sc, 1, opts, None).unwrap();
        for (x, y) in a.monthly.iter().zip(&b.monthly) {
            assert_eq!(
                (x.month, x.active, x.joined, x.quit),
                (y.month, y.active, y.joined, y.quit),
                "{c}"
            );
        }
        let (da, db) = (a.distributors.unwrap(), b.distributors.unwrap());
        assert_eq!(da.sponsor, db.sponsor, "{c}");
        assert_eq!(da.join_month, db.join_month, "{c}");
        assert_eq!(da.quit_month, db.quit_month, "{c}");
        assert_eq!(da.recruits, db.recruits, "{c}");
        assert_eq!(da.expenses, db.expenses, "{c}");
        if same_costs || (ga.costs.min_monthly_purchase == 0 && gb.costs.min_monthly_purchase == 0)
        {
            assert_eq!(da.purchases, db.purchases, "{c}");
        }
        if same_costs {
            assert_eq!(da.fees, db.fees, "{c}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Random trees and volumes for the engine
// ---------------------------------------------------------------------------------------

const NO_RANK: u8 = u8::MAX;

/// A downline in the ledger's join order (join month, then depth), with volumes by month.
/// Months are absolute: the first is `first` (not always 1, to exercise the ledger's
/// month range and the fast start's window).
struct TreeCase {
    sponsor: Vec<u32>,
    join: Vec<u16>,
    /// First month not participating, or `NEVER`.
    quit: Vec<u16>,
    depth: Vec<usize>,
    ids: Vec<i64>,
    first: u16,
    months: u16,
    /// `own[m - first][i]`, `retail[m - first][i]`: zero when `i` does not participate.
    own: Vec<Vec<i64>>,
    retail: Vec<Vec<i64>>,
}

fn gen_tree(r: &mut R) -> TreeCase {
    let first = [1u16, 1, 0, 7, 500][r.random_range(0..5)];
    let months = r.random_range(1..=12u16);
    let last = first + months - 1;
    let shape = r.random_range(0..3);
    let (mut sponsor, mut join, mut quit) = (vec![], vec![], vec![]);
    for m in first..=last {
        let k = if m == first {
            r.random_range(1..=4)
        } else {
            r.random_range(0..=12)
        };
        for _ in 0..k {
            let n = sponsor.len();
            let s = if n == 0 || r.random_bool(0.04) {
                NO_SPONSOR
            } else {
                match shape {
                    0 => r.random_range(0..n) as u32,
                    1 => n.saturating_sub(r.random_range(1..=3)) as u32, // deep chains
                    _ => r.random_range(0..n.min(4)) as u32,             // wide and shallow
                }
            };
            sponsor.push(s);
            join.push(m);
            quit.push(if r.random_bool(0.25) {
                m + r.random_range(1..=6)
            } else {
                NEVER
            });
        }
    }
    let n = sponsor.len();
    let mut depth = vec![0usize; n];
    for i in 0..n {
        if sponsor[i] != NO_SPONSOR {
            depth[i] = depth[sponsor[i] as usize] + 1;
        }
    }
    // The ledger numbers people by (join month, depth, position): do the same, so that its
    // order and ours agree and capped cents fall on the same lines.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&k| (join[k], depth[k], k));
    let mut index = vec![0u32; n];
    for (i, &k) in order.iter().enumerate() {
        index[k] = i as u32;
    }
    let sponsor: Vec<u32> = order
        .iter()
        .map(|&k| {
            if sponsor[k] == NO_SPONSOR {
                NO_SPONSOR
            } else {
                index[sponsor[k] as usize]
            }
        })
        .collect();
    let join: Vec<u16> = order.iter().map(|&k| join[k]).collect();
    let quit: Vec<u16> = order.iter().map(|&k| quit[k]).collect();
    let depth: Vec<usize> = order.iter().map(|&k| depth[k]).collect();
    // distinct ids, not in join order
    let mut ids: Vec<i64> = (0..n as i64).map(|i| i * 7 - 40).collect();
    for i in (1..n).rev() {
        let j = r.random_range(0..=i);
        ids.swap(i, j);
    }
    // now and then volumes so large that sums of volume × rate need 128 bits
    let scale: i64 = if r.random_bool(0.05) {
        r.random_range(1_000_000..=1_000_000_000)
    } else {
        1
    };
    let mut own = vec![];
    let mut retail = vec![];
    for m in first..=last {
        let mut o = vec![0i64; n];
        let mut t = vec![0i64; n];
        for i in 0..n {
            if join[i] <= m && m < quit[i] {
                if r.random_bool(0.8) {
                    o[i] = match r.random_range(0..4) {
                        0 => r.random_range(0..100),
                        1 => 10_000,
                        _ => r.random_range(0..30_000),
                    } * scale;
                }
                if r.random_bool(0.3) {
                    t[i] = r.random_range(0..10_000) * scale;
                }
            }
        }
        own.push(o);
        retail.push(t);
    }
    TreeCase {
        sponsor,
        join,
        quit,
        depth,
        ids,
        first,
        months,
        own,
        retail,
    }
}

impl TreeCase {
    fn own_at(&self, m: u16, i: usize) -> i64 {
        self.own[(m - self.first) as usize][i]
    }

    fn retail_at(&self, m: u16, i: usize) -> i64 {
        self.retail[(m - self.first) as usize][i]
    }

    fn tree_rows(&self) -> Vec<TreeRow> {
        (0..self.sponsor.len())
            .map(|i| TreeRow {
                id: self.ids[i],
                sponsor: (self.sponsor[i] != NO_SPONSOR)
                    .then(|| self.ids[self.sponsor[i] as usize]),
                join_month: self.join[i] as i64,
                quit_month: (self.quit[i] != NEVER).then_some(self.quit[i] as i64),
            })
            .collect()
    }

    fn volume_rows(&self) -> Vec<VolumeRow> {
        let mut v = vec![];
        for m in self.first..self.first + self.months {
            for i in 0..self.sponsor.len() {
                let (o, t) = (self.own_at(m, i), self.retail_at(m, i));
                if o + t > 0 || (self.join[i] <= m && m < self.quit[i] && i % 5 == 0) {
                    v.push(VolumeRow {
                        id: self.ids[i],
                        month: m as i64,
                        pv: o + t,
                        retail: t,
                        preferred: 0,
                    });
                }
            }
        }
        v
    }

    /// The last month the ledger pays: the last with volume (at least the first month).
    fn ledger_last(&self) -> u16 {
        self.volume_rows()
            .iter()
            .map(|v| v.month as u16)
            .max()
            .unwrap_or(self.first)
            .max(self.first)
    }

    fn last(&self) -> u16 {
        self.first + self.months - 1
    }

    fn count_at(&self, m: u16) -> usize {
        self.join.partition_point(|&j| j <= m)
    }

    fn participating(&self, m: u16) -> Vec<bool> {
        let n = self.count_at(m);
        (0..n).map(|i| m < self.quit[i]).collect()
    }
}

/// What the engine said about one month, copied out.
struct EngineMonth {
    month: u16,
    totals: downline::engine::MonthTotals,
    pv: Vec<i64>,
    gv: Vec<i64>,
    qualified: Vec<bool>,
    rank: Vec<u8>,
    amounts: Vec<Vec<i64>>,
}

fn run_engine(plan: &CompiledPlan, t: &TreeCase, last: u16) -> Vec<EngineMonth> {
    let mut engine = PlanEngine::new(plan);
    engine.keep_group_volume();
    let mut out = vec![];
    for m in t.first..=last {
        let n = t.count_at(m);
        let part = t.participating(m);
        let k = (m - t.first) as usize;
        let input = MonthInput {
            month: m,
            sponsor: &t.sponsor[..n],
            join_month: &t.join[..n],
            participating: &part,
            own_pv: &t.own[k][..n],
            retail_pv: &t.retail[k][..n],
            preferred_pv: &[],
            parties: &[],
        };
        let totals = engine.run_month(&input);
        out.push(EngineMonth {
            month: m,
            totals,
            pv: engine.pv[..n].to_vec(),
            gv: engine.gv[..n].to_vec(),
            qualified: engine.qualified[..n].to_vec(),
            rank: engine.rank[..n].to_vec(),
            amounts: engine.amounts.iter().map(|a| a[..n].to_vec()).collect(),
        });
    }
    out
}

/// Properties 1 (engine side), 2, 3 and 6 on one month of the engine.
fn check_engine_month(g: &PlanGen, plan: &CompiledPlan, t: &TreeCase, e: &EngineMonth, c: &str) {
    let m = e.month;
    let n = t.count_at(m);
    let part = t.participating(m);
    let tot = &e.totals;
    // 3. PV and GV
    let mut child_gv = vec![0i64; n];
    for i in 0..n {
        let want = if part[i] {
            t.own_at(m, i) + t.retail_at(m, i)
        } else {
            0
        };
        assert_eq!(e.pv[i], want, "month {m}: pv of {i}\n{c}");
        if t.sponsor[i] != NO_SPONSOR {
            child_gv[t.sponsor[i] as usize] += e.gv[i];
        }
        assert_eq!(
            e.qualified[i],
            part[i] && want >= g.min_pv,
            "month {m}: qualified {i}\n{c}"
        );
    }
    for i in 0..n {
        assert_eq!(e.gv[i], e.pv[i] + child_gv[i], "month {m}: GV of {i}\n{c}");
    }
    let total_pv: i64 = e.pv.iter().sum();
    let founders_gv: i64 = (0..n)
        .filter(|&i| t.sponsor[i] == NO_SPONSOR)
        .map(|i| e.gv[i])
        .sum();
    assert_eq!(
        founders_gv, total_pv,
        "month {m}: GV of the founders vs total PV\n{c}"
    );
    assert_eq!(tot.volume, total_pv, "{c}");
    let retail_pv: i64 = (0..n).filter(|&i| part[i]).map(|i| t.retail_at(m, i)).sum();
    assert_eq!(tot.retail_volume, retail_pv, "{c}");
    assert_eq!(
        tot.qualified as usize,
        e.qualified.iter().filter(|&&q| q).count(),
        "{c}"
    );
    assert!(
        tot.rank_counts.iter().sum::<u32>() as usize <= part.iter().filter(|&&p| p).count(),
        "{c}"
    );
    // 1. totals are the sums of the amounts; the payout the company-paid ones
    let nb = plan.bonuses.len();
    let mut company = 0;
    for b in 0..nb {
        let s: i64 = e.amounts[b].iter().sum();
        assert_eq!(tot.by_bonus[b], s, "month {m}: bonus {b} total\n{c}");
        assert!(e.amounts[b].iter().all(|&a| a >= 0), "{c}");
        if plan.bonuses[b].paid_by_company() {
            company += s;
        }
        // nobody who does not participate is paid
        for i in 0..n {
            if !part[i] {
                assert_eq!(
                    e.amounts[b][i], 0,
                    "month {m}: bonus {b} paid to {i}, who is out\n{c}"
                );
            }
        }
    }
    assert_eq!(tot.payout, company, "month {m}\n{c}");
    // 2. the cap
    match g.cap {
        Some(ratio) => {
            let cap = exact_cap(tot.volume, g.point_value, ratio);
            assert!(tot.payout <= cap, "month {m}: payout above the cap\n{c}");
            if tot.payout_before_cap > cap {
                assert_eq!(tot.payout, cap, "month {m}\n{c}");
            } else {
                assert_eq!(tot.payout, tot.payout_before_cap, "month {m}\n{c}");
            }
        }
        None => assert_eq!(tot.payout, tot.payout_before_cap, "{c}"),
    }
    // 6. unilevel ≤ Σ_k (max rate at level k) × (PV at depth ≥ k), plus ½ cent per line
    for b in 0..nb {
        let Some(max_rates) = g.max_level_rates(b) else {
            continue;
        };
        let mut bound: i128 = 0;
        for (k, &rate) in max_rates.iter().enumerate() {
            let level_volume: i64 = (0..n).filter(|&j| t.depth[j] > k).map(|j| e.pv[j]).sum();
            bound += level_volume as i128 * rate as i128;
        }
        let bound = bound * g.point_value as i128; // in 10⁻¹² cents
        let lines = e.amounts[b].iter().filter(|&&a| a != 0).count() as i128;
        let paid = tot.by_bonus[b] as i128;
        let one = RATE_ONE as i128 * RATE_ONE as i128;
        assert!(
            2 * paid * one <= 2 * bound + lines * one,
            "month {m}: unilevel bonus {b} pays {paid}, above its bound {}\n{c}",
            bound as f64 / one as f64
        );
        if max_rates.iter().all(|&r| r == 0) {
            assert_eq!(tot.by_bonus[b], 0, "month {m}: zero rates pay\n{c}");
        }
    }
}

fn tree_ctx(case: u64, g: &PlanGen, t: &TreeCase) -> String {
    format!(
        "tree case seed {case}: {} people, months {}..={}\nsponsor {:?}\njoin {:?}\nquit {:?}\n--- plan ---\n{}",
        t.sponsor.len(),
        t.first,
        t.last(),
        t.sponsor,
        t.join,
        t.quit,
        g.toml()
    )
}

/// Properties 1 (ledger vs engine), 2, 3 and 6 on random trees and volumes.
#[test]
fn engine_and_ledger_on_random_trees() {
    for case in 0..300u64 {
        let mut r = rng(4000 + case);
        let mut g = gen_plan(&mut r);
        if case % 10 == 0 {
            // a plan whose unilevels pay nothing
            let nranks = g.ranks.len();
            for b in g.bonuses.iter_mut() {
                if matches!(b, BonusGen::Unilevel { .. }) {
                    *b = gen_unilevel(&mut r, nranks, RateMode::Zero);
                }
            }
        }
        let plan = g.compile();
        let t = gen_tree(&mut r);
        let c = tree_ctx(4000 + case, &g, &t);
        let eng = run_engine(&plan, &t, t.ledger_last());
        for e in &eng {
            check_engine_month(&g, &plan, &t, e, &c);
        }

        // 1. compute_commissions gives the engine's amounts, line for line
        let tree = t.tree_rows();
        let vols = t.volume_rows();
        let lines = compute_commissions(&plan, &tree, &vols)
            .unwrap_or_else(|e| panic!("compute_commissions failed: {e}\n{c}"));
        let mut want = vec![];
        for e in &eng {
            let mut month = vec![];
            for (b, a) in e.amounts.iter().enumerate() {
                for (i, &x) in a.iter().enumerate() {
                    if x != 0 {
                        month.push((e.month as i64, t.ids[i], b, x));
                    }
                }
            }
            month.sort();
            want.extend(month);
        }
        let got: Vec<(i64, i64, usize, i64)> = lines
            .iter()
            .map(|l| (l.month, l.id, l.bonus, l.amount))
            .collect();
        assert_eq!(got, want, "ledger lines vs engine amounts\n{c}");
        // and each month's lines add up to the engine's totals
        let mut by_month: BTreeMap<(i64, usize), i64> = BTreeMap::new();
        for l in &lines {
            *by_month.entry((l.month, l.bonus)).or_default() += l.amount;
        }
        for e in &eng {
            let mut payout = 0;
            for b in 0..plan.bonuses.len() {
                let s = by_month.get(&(e.month as i64, b)).copied().unwrap_or(0);
                assert_eq!(s, e.totals.by_bonus[b], "month {}: bonus {b}\n{c}", e.month);
                if plan.bonuses[b].paid_by_company() {
                    payout += s;
                }
            }
            assert_eq!(payout, e.totals.payout, "month {}\n{c}", e.month);
        }

        // The order of the rows given does not matter: the same monthly totals per bonus,
        // and (where no cap spreads leftover cents by order) the same lines.
        let mut shuffled: Vec<usize> = (0..tree.len()).collect();
        for i in (1..shuffled.len()).rev() {
            let j = r.random_range(0..=i);
            shuffled.swap(i, j);
        }
        let tree2: Vec<TreeRow> = shuffled.iter().map(|&i| tree[i].clone()).collect();
        let mut vols2 = vols.clone();
        vols2.reverse();
        let lines2 = compute_commissions(&plan, &tree2, &vols2).unwrap();
        let mut by_month2: BTreeMap<(i64, usize), i64> = BTreeMap::new();
        for l in &lines2 {
            *by_month2.entry((l.month, l.bonus)).or_default() += l.amount;
        }
        assert_eq!(by_month, by_month2, "shuffled rows: monthly totals\n{c}");
        if g.cap.is_none() {
            assert_eq!(lines, lines2, "shuffled rows: lines\n{c}");
        }
    }
}

/// Property 6: dynamic compression never pays a distributor less when rates do not grow
/// with depth (a recruit's volume only moves up to a level at least as well paid), and in
/// particular never lowers the level-1 volume credited to anyone qualified.
#[test]
fn compression_never_pays_less() {
    for case in 0..200u64 {
        let mut r = rng(5000 + case);
        let mut g = gen_plan(&mut r);
        g.cap = None;
        let nranks = g.ranks.len();
        let uni = gen_unilevel(&mut r, nranks, RateMode::NonIncreasing);
        let uni = match uni {
            BonusGen::Unilevel { levels, rates, .. } if case % 3 == 0 => {
                // level 1 only: the amount is the credited level-1 volume × one rate
                let rate = r.random_range(1..=RATE_ONE);
                BonusGen::Unilevel {
                    levels: levels.map(|_| vec![rate]),
                    rates: rates.into_iter().map(|(ri, _)| (ri, vec![rate])).collect(),
                    compression: false,
                }
            }
            u => u,
        };
        g.bonuses = vec![uni];
        let mut gc = g.clone();
        if let BonusGen::Unilevel { compression, .. } = &mut gc.bonuses[0] {
            *compression = true;
        }
        if let BonusGen::Unilevel { compression, .. } = &mut g.bonuses[0] {
            *compression = false;
        }
        let (pu, pc) = (g.compile(), gc.compile());
        let t = gen_tree(&mut r);
        let c = tree_ctx(5000 + case, &gc, &t);
        let eu = run_engine(&pu, &t, t.last());
        let ec = run_engine(&pc, &t, t.last());
        for (u, x) in eu.iter().zip(&ec) {
            let m = u.month;
            check_engine_month(&g, &pu, &t, u, &c);
            check_engine_month(&gc, &pc, &t, x, &c);
            for i in 0..u.amounts[0].len() {
                assert!(
                    x.amounts[0][i] >= u.amounts[0][i],
                    "month {m}: {i} is paid {} with compression, {} without\n{c}",
                    x.amounts[0][i],
                    u.amounts[0][i]
                );
            }
            assert!(x.totals.by_bonus[0] >= u.totals.by_bonus[0], "{c}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// A naive reference: the documented rules, computed the slow and obvious way
// ---------------------------------------------------------------------------------------

/// `round(acc × point_value / 10¹²)`, half away from zero (acc ≥ 0).
fn cents(acc: i128, point_value: i64) -> i64 {
    let one = RATE_ONE as i128 * RATE_ONE as i128;
    ((acc * point_value as i128 + one / 2) / one) as i64
}

impl PlanGen {
    /// Unilevel rates of rank `ri` by level: its own row, else the default `levels`.
    fn unilevel_row(&self, b: usize, ri: usize) -> Vec<i64> {
        match &self.bonuses[b] {
            BonusGen::Unilevel { levels, rates, .. } => rates
                .iter()
                .find(|(k, _)| *k == ri)
                .map(|(_, v)| v.clone())
                .or_else(|| levels.clone())
                .unwrap_or_default(),
            _ => unreachable!(),
        }
    }
}

/// Paid-as ranks by the documented rules (`src/engine/ranks.rs`), slowly.
fn naive_ranks(
    g: &PlanGen,
    t: &TreeCase,
    part: &[bool],
    pv: &[i64],
    qualified: &[bool],
) -> Vec<u8> {
    let n = part.len();
    let mut children: Vec<Vec<usize>> = vec![vec![]; n];
    for i in 0..n {
        if t.sponsor[i] != NO_SPONSOR {
            children[t.sponsor[i] as usize].push(i);
        }
    }
    let mut gv = pv.to_vec();
    for i in (0..n).rev() {
        for &ch in &children[i] {
            gv[i] += gv[ch];
        }
    }
    let mut rank = vec![NO_RANK; n];
    let mut sub_max = vec![NO_RANK; n]; // highest rank in the subtree, NO_RANK for none
    let reqs: Vec<RankGen> = if g.ranks.is_empty() {
        vec![RankGen {
            pv: 0,
            gv: 0,
            active_legs: 0,
            leg_ranks: vec![],
            max_leg_share: None,
        }]
    } else {
        g.ranks.clone()
    };
    for i in (0..n).rev() {
        if part[i] {
            for (ri, q) in reqs.iter().enumerate().rev() {
                let active_legs = children[i].iter().filter(|&&ch| qualified[ch]).count();
                let group = match q.max_leg_share {
                    Some(share) => {
                        let cap = (q.gv as i128 * share as i128 / RATE_ONE as i128) as i64;
                        pv[i] + children[i].iter().map(|&ch| gv[ch].min(cap)).sum::<i64>()
                    }
                    None => gv[i],
                };
                let legs_ok = q.leg_ranks.iter().all(|&(lr, need)| {
                    children[i]
                        .iter()
                        .filter(|&&ch| sub_max[ch] != NO_RANK && sub_max[ch] as usize >= lr)
                        .count()
                        >= need as usize
                });
                if pv[i] >= q.pv
                    && active_legs >= q.active_legs as usize
                    && group >= q.gv
                    && legs_ok
                {
                    rank[i] = ri as u8;
                    break;
                }
            }
        }
        let mut s = rank[i];
        for &ch in &children[i] {
            if sub_max[ch] != NO_RANK && (s == NO_RANK || sub_max[ch] > s) {
                s = sub_max[ch];
            }
        }
        sub_max[i] = s;
    }
    rank
}

/// Every bonus of one month before the cap, by the documented rules, slowly: unilevel by
/// walking up from each distributor's volume, fast start, retail, rank advancement.
fn naive_amounts(
    g: &PlanGen,
    t: &TreeCase,
    m: u16,
    part: &[bool],
    pv: &[i64],
    qualified: &[bool],
    rank: &[u8],
    max_before: &[u8],
) -> Vec<Vec<i64>> {
    let n = part.len();
    let pvm = g.point_value;
    let mut out = vec![];
    for (b, bonus) in g.bonuses.iter().enumerate() {
        let mut acc = vec![0i128; n];
        let mut amounts = vec![0i64; n];
        match bonus {
            BonusGen::Retail { markup } => {
                for i in 0..n {
                    if part[i] {
                        acc[i] = t.retail_at(m, i) as i128 * *markup as i128;
                    }
                }
            }
            BonusGen::Unilevel { compression, .. } => {
                let rows: Vec<Vec<i64>> = (0..g.ranks.len().max(1))
                    .map(|ri| g.unilevel_row(b, ri))
                    .collect();
                for j in 0..n {
                    if pv[j] == 0 {
                        continue;
                    }
                    // walk up: the k-th ancestor, and the active ones strictly between
                    let (mut a, mut dist, mut active_between) = (t.sponsor[j], 0usize, 0usize);
                    while a != NO_SPONSOR {
                        let ai = a as usize;
                        dist += 1;
                        let level = if *compression {
                            1 + active_between
                        } else {
                            dist
                        };
                        if qualified[ai] && rank[ai] != NO_RANK {
                            let row = &rows[rank[ai] as usize];
                            if level <= row.len() {
                                acc[ai] += pv[j] as i128 * row[level - 1] as i128;
                            }
                        }
                        if qualified[ai] {
                            active_between += 1;
                        }
                        a = t.sponsor[ai];
                    }
                }
            }
            BonusGen::FastStart {
                rate,
                months,
                require_active,
            } => {
                for i in 0..n {
                    let s = t.sponsor[i];
                    // the join month is the first of `months` months
                    if s == NO_SPONSOR || (m - t.join[i]) as u32 >= *months {
                        continue;
                    }
                    let s = s as usize;
                    let ok = if require_active.unwrap_or(true) {
                        qualified[s]
                    } else {
                        part[s]
                    };
                    if ok {
                        acc[s] += pv[i] as i128 * *rate as i128;
                    }
                }
            }
            BonusGen::RankAdvancement { amounts: table } => {
                let mut by_rank = vec![0i64; g.ranks.len().max(1)];
                for &(ri, a) in table {
                    by_rank[ri] = a;
                }
                for i in 0..n {
                    let (r, mb) = (rank[i], max_before[i]);
                    if r != NO_RANK && (mb == NO_RANK || r > mb) {
                        let from = if mb == NO_RANK { 0 } else { mb as usize + 1 };
                        amounts[i] = by_rank[from..=r as usize].iter().sum();
                    }
                }
            }
        }
        if !matches!(bonus, BonusGen::RankAdvancement { .. }) {
            for i in 0..n {
                amounts[i] = cents(acc[i], pvm);
            }
        }
        out.push(amounts);
    }
    out
}

/// The engine against the naive reference: ranks every month, and every amount when the
/// cap does not bind (the company total before the cap when it does).
#[test]
fn engine_matches_a_naive_reference() {
    for case in 0..300u64 {
        let mut r = rng(7000 + case);
        let g = gen_plan(&mut r);
        let plan = g.compile();
        let t = gen_tree(&mut r);
        let c = tree_ctx(7000 + case, &g, &t);
        let eng = run_engine(&plan, &t, t.last());
        let mut max_rank: Vec<u8> = vec![];
        for e in &eng {
            let m = e.month;
            let part = t.participating(m);
            let n = part.len();
            max_rank.resize(n, NO_RANK);
            let rank = naive_ranks(&g, &t, &part, &e.pv, &e.qualified);
            assert_eq!(e.rank, rank, "month {m}: paid-as ranks\n{c}");
            let want = naive_amounts(&g, &t, m, &part, &e.pv, &e.qualified, &rank, &max_rank);
            let before_cap: i64 = (0..want.len())
                .filter(|&b| !g.is_retail(b))
                .map(|b| want[b].iter().sum::<i64>())
                .sum();
            assert_eq!(
                e.totals.payout_before_cap, before_cap,
                "month {m}: before the cap\n{c}"
            );
            let binding = e.totals.payout < e.totals.payout_before_cap;
            for b in 0..want.len() {
                if !binding || g.is_retail(b) {
                    assert_eq!(e.amounts[b], want[b], "month {m}: bonus {b}\n{c}");
                }
            }
            for i in 0..n {
                if rank[i] != NO_RANK && (max_rank[i] == NO_RANK || rank[i] > max_rank[i]) {
                    max_rank[i] = rank[i];
                }
            }
        }
    }
}

/// Property 3 on trees that grow over many months with sparse volumes, and the engine
/// reused across months (its tree index is updated incrementally).
#[test]
fn group_volume_rolls_up_on_growing_trees() {
    let bare = PlanGen {
        point_value: RATE_ONE,
        min_pv: 0,
        ranks: vec![],
        bonuses: vec![],
        cap: None,
        costs: Costs {
            enrollment_fee: 0,
            annual_fee: 0,
            min_monthly_purchase: 0,
        },
    };
    for case in 0..100u64 {
        let mut r = rng(6000 + case);
        let g = if case % 2 == 0 {
            bare.clone()
        } else {
            gen_plan(&mut r)
        };
        let plan = g.compile();
        let t = gen_tree(&mut r);
        let c = tree_ctx(6000 + case, &g, &t);
        for e in &run_engine(&plan, &t, t.last()) {
            check_engine_month(&g, &plan, &t, e, &c);
        }
    }
}
