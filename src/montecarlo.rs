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

/// Simulate `opts.runs` runs and return them in run order.
pub fn simulate(
    plan: &CompiledPlan,
    scenario: &Scenario,
    opts: &SimulateOptions,
    progress: Option<&Progress>,
) -> Result<Vec<RunOutput>> {
    opts.validate()?;
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
