//! One Monte Carlo run: grow a downline month by month and run the plan over it.
//!
//! The people of a run are one struct of per-person arrays ([`people`]); a month is its
//! phases in order: attrition → recruitment → customers → parties → purchases → the plan
//! (the engine's stages: measures, status, bonuses, cap and totals) → accumulators.
//!
//! Every random draw comes from a generator of its own purpose (see [`crate::rng`]) and
//! none depends on the plan: two plans run with the same seed see the same people, buying
//! the same orders (common random numbers). The plan only turns those orders into volume
//! (a required monthly purchase tops a smaller order up, without a draw).

pub mod inventory;
mod people;

use crate::engine::PlanEngine;
use crate::error::{Error, Result};
use crate::metrics::{MonthRow, RunOutput};
use crate::plan::CompiledPlan;
use crate::scenario::Scenario;
use people::People;
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
    let mut people = People::new(plan, scenario, run, opts);
    let mut engine = PlanEngine::new(plan);
    engine.reserve(people.capacity());
    let mut monthly: Vec<MonthRow> = Vec::with_capacity(opts.months as usize);
    for m in 1..=opts.months {
        if let Some(p) = progress {
            if p.cancel.load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
        }
        let quit = people.attrition(m, &engine.max_rank);
        let joined = people.recruitment(m)?;
        people.customers(m);
        people.parties(m);
        people.purchases(m)?;
        let totals = people.plan(m, &mut engine)?;
        monthly.push(people.month_row(m, joined, quit, totals));
        if let Some(p) = progress {
            p.months_done.fetch_add(1, Ordering::Relaxed);
        }
    }
    // The engine's arrays are freed before the summary sorts a copy of the earnings.
    let max_rank = std::mem::take(&mut engine.max_rank);
    drop(engine);
    Ok(people.into_output(monthly, &max_rank))
}
