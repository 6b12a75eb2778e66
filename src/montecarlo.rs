//! Monte Carlo: many runs of one plan under one scenario, in parallel.
//!
//! Runs are spread over a rayon pool of `threads` threads. Each run draws only from its
//! own (seed, run, purpose) streams and results are gathered in run order, so the same
//! seed gives identical results for any number of threads.

use crate::error::{Error, Result};
use crate::metrics::RunOutput;
use crate::plan::CompiledPlan;
use crate::scenario::Scenario;
use crate::simulation::{run_one, Progress, RunOptions};
use rayon::prelude::*;

/// Which runs keep their per-distributor table (it grows with runs × people).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeepDistributors {
    /// Every run.
    All,
    /// None: monthly tables and summaries stay complete.
    None,
    /// The first `n` runs.
    First(u32),
}

/// Arguments of a simulation.
#[derive(Clone, Copy, Debug)]
pub struct SimulateOptions {
    /// Months per run (1 to 600).
    pub months: u16,
    /// Number of runs (≥ 1).
    pub runs: u32,
    /// Master seed.
    pub seed: u64,
    /// Threads (`None`: all cores).
    pub threads: Option<usize>,
    /// Which runs keep per-distributor rows.
    pub keep_distributors: KeepDistributors,
    /// The most memory (bytes) the simulation may need, by the estimate made before it
    /// allocates (`None`: what this process can still have — the memory available and
    /// its address-space limit).
    pub max_memory: Option<u64>,
}

impl SimulateOptions {
    /// Check the ranges.
    pub fn validate(&self) -> Result<()> {
        if self.months == 0 || self.months > 600 {
            return Err(Error::Argument(format!(
                "months = {}: use 1 to 600",
                self.months
            )));
        }
        if self.runs == 0 {
            return Err(Error::Argument("runs = 0: use at least 1".into()));
        }
        if self.threads == Some(0) {
            return Err(Error::Argument(
                "threads = 0: use at least 1, or None for all cores".into(),
            ));
        }
        Ok(())
    }
}

/// Bytes one person costs in a running run's arrays (the people, their totals and the
/// engine's arrays), besides [`BYTES_PER_PERSON_PER_BONUS`] for each bonus.
pub const BYTES_PER_PERSON: f64 = 220.0;
/// Bytes one person costs per bonus of the plan (this month's amounts and a what-if).
pub const BYTES_PER_PERSON_PER_BONUS: f64 = 16.0;
/// Bytes one person costs in a kept per-distributor table, in Rust and as Arrow.
pub const BYTES_PER_KEPT_PERSON: f64 = 260.0;

/// An estimate of the memory (bytes) a simulation needs at its peak, and the people one
/// run is expected to grow to: the runs running at once with their arrays, the
/// per-distributor tables of the kept runs and every run's monthly tables, in Rust and
/// as Arrow. Made before anything is allocated; it reads the scenario's expected growth.
pub fn estimate_memory(
    plan: &CompiledPlan,
    scenario: &Scenario,
    opts: &SimulateOptions,
) -> (f64, f64) {
    let people = crate::simulation::expected_ever_joined(scenario, opts.months);
    let threads = opts
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let at_once = threads.min(opts.runs as usize).max(1) as f64;
    let per_person = BYTES_PER_PERSON + BYTES_PER_PERSON_PER_BONUS * plan.bonuses.len() as f64;
    let kept = match opts.keep_distributors {
        KeepDistributors::All => opts.runs,
        KeepDistributors::None => 0,
        KeepDistributors::First(k) => k.min(opts.runs),
    } as f64;
    let row = 400.0 + 16.0 * (plan.bonuses.len() + plan.ranks.len()) as f64;
    let bytes = at_once * people * per_person
        + kept * people * BYTES_PER_KEPT_PERSON
        + opts.runs as f64 * opts.months as f64 * row;
    (bytes, people)
}

/// The memory this process can still have, bytes: the memory available on the machine
/// (`MemAvailable`), and no more than its address-space limit leaves.
pub fn memory_available() -> u64 {
    let read = |path: &str, key: &str| -> Option<u64> {
        let text = std::fs::read_to_string(path).ok()?;
        let line = text.lines().find(|l| l.starts_with(key))?;
        line[key.len()..].split_whitespace().next()?.parse().ok()
    };
    let mut avail = read("/proc/meminfo", "MemAvailable:").map_or(8 << 30, |kb| kb * 1024);
    if let Some(limit) = read("/proc/self/limits", "Max address space") {
        let used = read("/proc/self/status", "VmSize:").map_or(0, |kb| kb * 1024);
        avail = avail.min(limit.saturating_sub(used));
    }
    avail
}

fn gb(bytes: f64) -> String {
    if bytes.is_finite() {
        format!("{:.1} GB", bytes / 1e9)
    } else {
        "more memory than any machine has".to_string()
    }
}

/// Refuse, before anything is allocated, a simulation whose estimated memory is above
/// `opts.max_memory` (or what the process can have), naming what to change.
pub fn check_memory(
    plan: &CompiledPlan,
    scenario: &Scenario,
    opts: &SimulateOptions,
) -> Result<()> {
    let (bytes, people) = estimate_memory(plan, scenario, opts);
    let limit = opts.max_memory.unwrap_or_else(memory_available) as f64;
    if bytes.is_finite() && bytes <= limit {
        return Ok(());
    }
    let kept = match opts.keep_distributors {
        KeepDistributors::All => format!("all {} runs", opts.runs),
        KeepDistributors::None => "no run".to_string(),
        KeepDistributors::First(k) => format!("{} runs", k.min(opts.runs)),
    };
    let who = if people.is_finite() {
        format!("about {:.0} people", people)
    } else {
        "without bound".to_string()
    };
    Err(Error::Argument(format!(
        "this simulation would need {} of memory, more than the {} allowed (max_memory): each \
         run grows {who} (market.founders = {}, then recruitment, attrition and market.size as \
         the scenario sets them) and {kept} keep per-person rows, over runs = {} × months = {}. \
         Lower runs, months, keep_distributors, market.founders or recruitment, set a \
         market.size, or raise max_memory",
        gb(bytes),
        gb(limit),
        scenario.founders,
        opts.runs,
        opts.months
    )))
}

/// Simulate `opts.runs` runs and return them in run order.
pub fn simulate(
    plan: &CompiledPlan,
    scenario: &Scenario,
    opts: &SimulateOptions,
    progress: Option<&Progress>,
) -> Result<Vec<RunOutput>> {
    opts.validate()?;
    check_memory(plan, scenario, opts)?;
    let one = |run: u32| {
        let keep = match opts.keep_distributors {
            KeepDistributors::All => true,
            KeepDistributors::None => false,
            KeepDistributors::First(k) => run < k,
        };
        run_one(
            plan,
            scenario,
            run,
            RunOptions {
                months: opts.months,
                seed: opts.seed,
                keep_distributors: keep,
            },
            progress,
        )
    };
    if opts.threads == Some(1) {
        return (0..opts.runs).map(one).collect();
    }
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = opts.threads {
        builder = builder.num_threads(t);
    }
    let pool = builder
        .build()
        .map_err(|e| Error::Argument(format!("cannot start threads: {e}")))?;
    pool.install(|| (0..opts.runs).into_par_iter().map(one).collect())
}
