//! One Monte Carlo run: grow a downline month by month and run the plan over it.
//!
//! Each month: attrition → recruitment → purchases and customers → the plan (volumes,
//! ranks, bonuses, cap) → per-person and monthly accumulators.
//!
//! Every random draw comes from a generator of its own purpose (see [`crate::rng`]) and
//! none depends on the plan: two plans run with the same seed see the same people, buying
//! the same orders (common random numbers). The plan only turns those orders into volume
//! (a required monthly purchase tops a smaller order up, without a draw).

use crate::downline::{Downline, NEVER, NO_SPONSOR};
use crate::engine::{MonthInput, Party, PlanEngine};
use crate::error::{Error, Result};
use crate::metrics::{DistributorTable, MonthRow, RunOutput, RunSummary};
use crate::money::RATE_ONE;
use crate::plan::CompiledPlan;
use crate::rng::{self, stream, Purpose};
use crate::scenario::samplers::{binomial, poisson, Lifetime, LogNormalCents};
use crate::scenario::{MarketModel, Scenario};
use rand::Rng;
use rand_distr::{Distribution, Gamma};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Shared progress of a simulation: months done across all runs, and a cancel flag that
/// stops every run at the next month boundary.
#[derive(Debug, Default)]
pub struct Progress {
    /// Months completed, summed over runs.
    pub months_done: AtomicU64,
    /// Set to stop; runs return [`Error::Interrupted`].
    pub cancel: AtomicBool,
}

/// The most people one run may grow to: a guard against a scenario without a market
/// limit that would otherwise exhaust memory (each person costs a few hundred bytes).
pub const MAX_PEOPLE: usize = 20_000_000;

/// Options of one run.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// Months to simulate.
    pub months: u16,
    /// Master seed.
    pub seed: u64,
    /// Keep the per-distributor table of this run.
    pub keep_distributors: bool,
}

/// The expected number of people who ever join over `months` months, by a mean-field
/// recursion over join cohorts (survival by tenure × recruiting rate by tenure × room in
/// the market). Only sizes the arrays; nothing depends on it.
pub fn expected_ever_joined(scenario: &Scenario, months: u16) -> f64 {
    let m = months as usize;
    let mut survival = vec![1.0f64; m + 1];
    for t in 1..=m {
        let h = scenario.quit[(t - 1).min(scenario.quit.len() - 1)];
        survival[t] = survival[t - 1] * (1.0 - h);
    }
    let mut cohorts = vec![0.0f64; m + 1];
    cohorts[1] = scenario.founders as f64;
    let mut total = cohorts[1];
    for month in 2..=m {
        let mut recruits = 0.0;
        for j in 1..month {
            recruits += cohorts[j] * survival[month - j] * scenario.recruit_rate_at(month - j);
        }
        if let Some(size) = scenario.market_size {
            recruits = recruits.min((size - total).max(0.0)) * (1.0 - total / size).max(0.0);
        }
        cohorts[month] = recruits;
        total += recruits;
    }
    total * 1.15 + 1024.0
}

/// Simulate run number `run` of `plan` under `scenario`.
pub fn run_one(
    plan: &CompiledPlan,
    scenario: &Scenario,
    run: u32,
    opts: RunOptions,
    progress: Option<&Progress>,
) -> Result<RunOutput> {
    let months = opts.months;
    let mut rng_recruit = stream(opts.seed, run, Purpose::Recruitment);
    let mut rng_quit = stream(opts.seed, run, Purpose::Attrition);
    let mut rng_buy = stream(opts.seed, run, Purpose::Purchases);
    let mut rng_cust = stream(opts.seed, run, Purpose::Customers);
    let mut rng_traits = stream(opts.seed, run, Purpose::Traits);
    let mut rng_party = stream(opts.seed, run, Purpose::Parties);
    let host_key = rng::key(opts.seed, run, Purpose::PartyHosting);
    let with_parties = scenario.has_parties();
    let party_sales = LogNormalCents::new(scenario.party_sales_mean, scenario.party_sales_sigma);
    let mut parties: Vec<Party> = Vec::new();

    let lifetime = Lifetime::new(&scenario.quit, months as usize + 1);
    // Recruits' lifetimes, when the recruiting style changes how long they stay.
    let recruit_lifetime = if scenario.recruit_quit_multiplier == 1.0 {
        lifetime.clone()
    } else {
        let scaled: Vec<f64> = scenario
            .quit
            .iter()
            .map(|h| (h * scenario.recruit_quit_multiplier).min(1.0))
            .collect();
        Lifetime::new(&scaled, months as usize + 1)
    };
    let orders = LogNormalCents::new(scenario.order_mean, scenario.order_sigma);
    let pref_orders = LogNormalCents::new(
        scenario.preferred_order_mean,
        scenario.preferred_order_sigma,
    );
    let cust_orders =
        LogNormalCents::new(scenario.customer_order_mean, scenario.customer_order_sigma);
    let skill_dist = scenario
        .heterogeneity
        .map(|k| Gamma::new(k, 1.0 / k).expect("validated shape"));
    let skill = |rng: &mut rand_xoshiro::Xoshiro256PlusPlus| -> f32 {
        match &skill_dist {
            Some(g) => g.sample(rng) as f32,
            None => 1.0,
        }
    };
    let homogeneous = skill_dist.is_none()
        && scenario.recruit_rate.len() == 1
        && scenario.success_breeds_success == 0.0
        && scenario.market_model == MarketModel::Fill;
    let expenses_cents = (scenario.monthly_expenses * 100.0).round() as i64;
    let costs = &plan.costs;

    // Room for the expected downline up front: growing the arrays by doubling would copy
    // them and fault their pages in again.
    let cap = expected_ever_joined(scenario, months).min(50_000_000.0) as usize;
    let mut d = Downline::with_capacity(cap);
    // With quitting that reads the plan (rank, earnings), lifetimes are not drawn ahead:
    // each month's decision uses a number hashed from (person, month).
    let state_quit =
        scenario.rank_quit_multiplier.is_some() || scenario.unprofitable_months.is_some();
    let quit_key = rng::key(opts.seed, run, Purpose::QuitDecisions);
    let btq_key = rng::key(opts.seed, run, Purpose::BuyToQualify);
    for _ in 0..scenario.founders {
        let q = if state_quit {
            NEVER
        } else {
            lifetime.quit_month(&mut rng_quit, 1)
        };
        let s = skill(&mut rng_traits);
        d.push(NO_SPONSOR, 1, q, s);
    }

    let mut engine = PlanEngine::new(plan);
    engine.reserve(cap);
    let mut active: Vec<u32> = (0..d.len() as u32).collect();
    let with = |v: i64| {
        let mut x = Vec::with_capacity(cap);
        x.resize(d.len(), v);
        x
    };
    let mut participating: Vec<bool> = Vec::with_capacity(cap);
    participating.resize(d.len(), true);
    let mut own_pv: Vec<i64> = with(0);
    let mut retail_pv: Vec<i64> = with(0);
    let mut preferred_pv: Vec<i64> = with(0);
    let mut preferred_volume: Vec<i64> = with(0);
    // per person, whole run
    let mut earnings: Vec<i64> = with(0);
    let mut retail_profit: Vec<i64> = with(0);
    let mut fees: Vec<i64> = with(0);
    let mut purchases: Vec<i64> = with(0);
    let mut expenses: Vec<i64> = with(0);
    let mut own_volume: Vec<i64> = with(0);
    let mut customer_volume: Vec<i64> = with(0);
    let mut party_volume: Vec<i64> = with(0);
    // This month's party sales of each person (only with parties).
    let mut party_now: Vec<i64> = if with_parties { with(0) } else { vec![] };
    let mut required: Vec<i64> = with(0);
    let mut qualifying: Vec<i64> = with(0);
    // months in a row whose earnings did not cover costs, and this month's costs
    let mut streak: Vec<u16> = Vec::with_capacity(if state_quit { cap } else { 0 });
    let mut month_cost: Vec<i64> = Vec::with_capacity(if state_quit { cap } else { 0 });
    if state_quit {
        streak.resize(d.len(), 0);
        month_cost.resize(d.len(), 0);
    }

    let mut monthly: Vec<MonthRow> = Vec::with_capacity(months as usize);
    let mut weights: Vec<f64> = Vec::new();
    let mut new_sponsors: Vec<u32> = Vec::new();
    let retail_index = plan.bonuses.iter().position(|b| !b.paid_by_company());

    for m in 1..=months {
        if let Some(p) = progress {
            if p.cancel.load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
        }
        // Attrition: lifetimes were drawn at joining, or decided now when quitting reads
        // the plan's results.
        let mut quit = 0u32;
        if m > 1 && state_quit {
            for &i in &active {
                let i = i as usize;
                let t = (m - d.join_month[i] - 1) as usize;
                let mut h = scenario.quit[t.min(scenario.quit.len() - 1)];
                if d.sponsor[i] != NO_SPONSOR {
                    h *= scenario.recruit_quit_multiplier;
                }
                if let Some(mult) = &scenario.rank_quit_multiplier {
                    let r = engine.max_rank[i];
                    if r != crate::plan::NO_RANK {
                        h *= mult[(r as usize).min(mult.len() - 1)];
                    }
                }
                if let Some(k) = scenario.unprofitable_months {
                    if streak[i] as u32 >= k {
                        h *= scenario.unprofitable_multiplier;
                    }
                }
                if rng::uniform_at(quit_key, i as u64, m as u64) < h {
                    d.quit_month[i] = m;
                }
            }
        }
        if m > 1 {
            active.retain(|&i| {
                let stays = d.quit_month[i as usize] > m;
                if !stays {
                    participating[i as usize] = false;
                    own_pv[i as usize] = 0;
                    retail_pv[i as usize] = 0;
                    preferred_pv[i as usize] = 0;
                    quit += 1;
                }
                stays
            });
        }

        // Recruitment: the total is Poisson(Σ rates); sponsors are drawn in proportion
        // to their rates (the same law as one Poisson per person, with fewer draws).
        let mut joined = if m == 1 { scenario.founders } else { 0 };
        let saturation = match scenario.market_size {
            Some(size) => (1.0 - d.len() as f64 / size).max(0.0),
            None => 1.0,
        };
        // Everyone in the list joined in an earlier month: this month's recruits come next.
        let eligible = active.len();
        if m > 1 && eligible > 0 && saturation > 0.0 {
            new_sponsors.clear();
            if homogeneous {
                let lambda = eligible as f64 * scenario.recruit_rate[0] * saturation;
                let k = poisson(&mut rng_recruit, lambda);
                for _ in 0..k {
                    new_sponsors.push(active[rng_recruit.random_range(0..eligible)]);
                }
            } else {
                weights.clear();
                let mut total = 0.0f64;
                let sbs = scenario.success_breeds_success;
                for &i in &active[..eligible] {
                    let i = i as usize;
                    let tenure = (m - d.join_month[i]) as usize;
                    let boost = 1.0 + sbs * d.recruits[i] as f64;
                    total += scenario.recruit_rate_at(tenure) * d.skill[i] as f64 * boost;
                    weights.push(total);
                }
                let lambda = match scenario.market_model {
                    MarketModel::Fill => total * saturation,
                    MarketModel::Bass {
                        innovation,
                        imitation,
                    } => {
                        // Bass diffusion sets how many join; recruiting sets who signs them.
                        let size = scenario.market_size.expect("validated: Bass needs a size");
                        let left = (size - d.len() as f64).max(0.0);
                        if total > 0.0 {
                            (innovation + imitation * eligible as f64 / size) * left
                        } else {
                            0.0
                        }
                    }
                };
                let k = poisson(&mut rng_recruit, lambda);
                for _ in 0..k {
                    let u = rng_recruit.random::<f64>() * total;
                    let j = weights.partition_point(|&w| w <= u).min(eligible - 1);
                    new_sponsors.push(active[j]);
                }
            }
            if let Some(size) = scenario.market_size {
                let room = (size - d.len() as f64).max(0.0) as usize;
                new_sponsors.truncate(room);
            }
            new_sponsors.sort_unstable();
            for &s in &new_sponsors {
                let q = if state_quit {
                    NEVER
                } else {
                    recruit_lifetime.quit_month(&mut rng_quit, m)
                };
                let sk = skill(&mut rng_traits);
                let id = d.push(s, m, q, sk);
                active.push(id);
            }
            joined = new_sponsors.len() as u32;
            if d.len() > MAX_PEOPLE {
                return Err(Error::Argument(format!(
                    "run {run} grew past {MAX_PEOPLE} people in month {m}: the scenario has no \
                     limit that holds it (set market.size, lower recruiting, or simulate fewer months)"
                )));
            }
            let n = d.len();
            participating.resize(n, true);
            own_pv.resize(n, 0);
            retail_pv.resize(n, 0);
            earnings.resize(n, 0);
            retail_profit.resize(n, 0);
            fees.resize(n, 0);
            purchases.resize(n, 0);
            expenses.resize(n, 0);
            own_volume.resize(n, 0);
            customer_volume.resize(n, 0);
            party_volume.resize(n, 0);
            if with_parties {
                party_now.resize(n, 0);
            }
            preferred_pv.resize(n, 0);
            preferred_volume.resize(n, 0);
            required.resize(n, 0);
            qualifying.resize(n, 0);
            if state_quit {
                streak.resize(n, 0);
                month_cost.resize(n, 0);
            }
        }

        // Retail customers, then own purchases, fees and expenses of everyone participating.
        if scenario.customer_rate > 0.0 {
            for &i in &active {
                let i = i as usize;
                let mut c = d.customers[i] as u64;
                c -= binomial(&mut rng_cust, c, scenario.customer_churn);
                let new = poisson(&mut rng_cust, scenario.customer_rate);
                if scenario.preferred_share > 0.0 {
                    // Preferred customers: churn alike, order at the member price.
                    let mut pc = d.preferred[i] as u64;
                    pc -= binomial(&mut rng_cust, pc, scenario.customer_churn);
                    let new_pref = binomial(&mut rng_cust, new, scenario.preferred_share);
                    pc = (pc + new_pref).min(u16::MAX as u64);
                    d.preferred[i] = pc as u16;
                    c = (c + new - new_pref).min(u16::MAX as u64);
                    let k = binomial(&mut rng_cust, pc, scenario.preferred_order_probability);
                    let mut cents = 0i64;
                    for _ in 0..k {
                        cents += pref_orders.sample(&mut rng_cust);
                    }
                    let v = plan.volume_of(cents);
                    preferred_pv[i] = v;
                    preferred_volume[i] += v;
                } else {
                    c = (c + new).min(u16::MAX as u64);
                }
                d.customers[i] = c as u16;
                let k = binomial(&mut rng_cust, c, scenario.customer_order_probability);
                let mut sales = 0i64;
                for _ in 0..k {
                    sales += cust_orders.sample(&mut rng_cust);
                }
                let v = plan.volume_of(plan.wholesale_of(sales));
                retail_pv[i] = v;
                customer_volume[i] += v;
            }
        }

        // Parties: held by those who host, their sales credited to them.
        parties.clear();
        if with_parties {
            let share = scenario.party_hosting_share;
            for &i in &active {
                let i = i as usize;
                party_now[i] = 0;
                if share < 1.0 && rng::uniform_at(host_key, i as u64, 0) >= share {
                    continue;
                }
                let rate = scenario.party_rate_at((m - d.join_month[i]) as usize);
                let k = poisson(&mut rng_party, rate);
                for _ in 0..k {
                    let v = plan.volume_of(plan.wholesale_of(party_sales.sample(&mut rng_party)));
                    parties.push(Party {
                        distributor: i as u32,
                        pv: v,
                    });
                    party_volume[i] += v;
                    party_now[i] += v;
                }
            }
        }

        let p_order = scenario.order_probability;
        let btq = if plan.min_pv > 0 {
            scenario.buy_to_qualify
        } else {
            0.0
        };
        // The PV someone has this month besides own orders.
        let others =
            |i: usize| retail_pv[i] + preferred_pv[i] + if with_parties { party_now[i] } else { 0 };
        for &i in &active {
            let i = i as usize;
            let mut cents = if p_order >= 1.0 || rng_buy.random::<f64>() < p_order {
                orders.sample(&mut rng_buy)
            } else {
                0
            };
            let mut cost = 0i64;
            if cents < costs.min_monthly_purchase {
                required[i] += costs.min_monthly_purchase - cents;
                cost += costs.min_monthly_purchase - cents;
                cents = costs.min_monthly_purchase;
            }
            let mut v = plan.volume_of(cents);
            if btq > 0.0
                && v + others(i) < plan.min_pv
                && rng::uniform_at(btq_key, i as u64, m as u64) < btq
            {
                // Buying to qualify: the difference to the activity minimum, at wholesale.
                let short = plan.min_pv - v - others(i);
                let mut extra = ((short as i128 * plan.point_value as i128 + RATE_ONE as i128 - 1)
                    / RATE_ONE as i128) as i64;
                while plan.volume_of(cents + extra) + others(i) < plan.min_pv {
                    extra += 1;
                }
                cents += extra;
                qualifying[i] += extra;
                cost += extra;
                v = plan.volume_of(cents);
            }
            purchases[i] += cents;
            own_pv[i] = v;
            own_volume[i] += v;
            let tenure = m - d.join_month[i];
            if tenure == 0 {
                fees[i] += costs.enrollment_fee;
                cost += costs.enrollment_fee;
            } else if tenure % 12 == 0 {
                fees[i] += costs.annual_fee;
                cost += costs.annual_fee;
            }
            expenses[i] += expenses_cents;
            if state_quit {
                month_cost[i] = cost + expenses_cents;
            }
        }
        // The plan.
        let n = d.len();
        let input = MonthInput {
            month: m,
            sponsor: &d.sponsor,
            join_month: &d.join_month,
            participating: &participating[..n],
            own_pv: &own_pv[..n],
            retail_pv: &retail_pv[..n],
            // Without preferred customers the engine reads no array for them.
            preferred_pv: if scenario.preferred_share > 0.0 {
                &preferred_pv[..n]
            } else {
                &[]
            },
            parties: &parties,
        };
        let totals = engine.run_month(&input);
        for (b, bonus) in plan.bonuses.iter().enumerate() {
            if totals.by_bonus[b] == 0 || bonus.paid_to_host() {
                continue;
            }
            let acc = if bonus.paid_by_company() {
                &mut earnings
            } else {
                &mut retail_profit
            };
            for (e, &a) in acc.iter_mut().zip(&engine.amounts[b][..n]) {
                *e += a;
            }
        }
        if scenario.unprofitable_months.is_some() {
            // Did this month's commissions and retail margin cover this month's costs?
            for &i in &active {
                let i = i as usize;
                let income: i64 = engine
                    .amounts
                    .iter()
                    .zip(&plan.bonuses)
                    .filter(|(_, b)| !b.paid_to_host())
                    .map(|(a, _)| a[i])
                    .sum();
                streak[i] = if income < month_cost[i] {
                    streak[i].saturating_add(1)
                } else {
                    0
                };
            }
        }
        let retail_total = retail_index.map(|b| totals.by_bonus[b]).unwrap_or(0);
        monthly.push(MonthRow {
            month: m,
            active: active.len() as u32,
            joined,
            quit,
            qualified: totals.qualified,
            volume: totals.volume,
            retail_volume: totals.retail_volume,
            preferred_volume: totals.preferred_volume,
            party_volume: totals.party_volume,
            host_rewards: totals.host_rewards,
            volume_value: totals.volume_value,
            payout: totals.payout,
            payout_before_cap: totals.payout_before_cap,
            retail_profit: retail_total,
            by_bonus: totals.by_bonus,
            rank_counts: totals.rank_counts,
            sources: totals.sources,
            potential: totals.potential,
        });
        if let Some(p) = progress {
            p.months_done.fetch_add(1, Ordering::Relaxed);
        }
    }

    let summary = RunSummary::compute(
        &monthly,
        &earnings,
        &retail_profit,
        &fees,
        &purchases,
        &expenses,
        &active,
    );
    let months_active: Vec<u32> = (0..d.len())
        .map(|i| (d.quit_month[i] as u32).min(months as u32 + 1) - d.join_month[i] as u32)
        .collect();
    let distributors = if opts.keep_distributors {
        Some(DistributorTable {
            sponsor: d.sponsor,
            join_month: d.join_month,
            quit_month: d
                .quit_month
                .iter()
                .map(|&q| if q > months { NEVER } else { q })
                .collect(),
            recruits: d.recruits,
            max_rank: engine.max_rank.clone(),
            earnings,
            retail_profit,
            fees,
            purchases,
            expenses,
            months_active,
            own_volume,
            customer_volume,
            preferred_volume,
            party_volume,
            required_purchases: required,
            qualifying_purchases: qualifying,
        })
    } else {
        None
    };
    Ok(RunOutput {
        run,
        monthly,
        summary,
        distributors,
    })
}
