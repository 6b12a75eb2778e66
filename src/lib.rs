//! # downline
//!
//! Monte Carlo simulation of multi-level (direct-selling) compensation plans over
//! synthetic downlines: what a plan will really pay, to whom, and how many participants
//! stay or lose money.
//!
//! A **plan** (the company's rules: ranks, bonuses, cap, costs) and a **scenario** (what
//! the world does: recruiting, quitting, buying) are data files. [`simulate`] grows a
//! downline month by month and pays the plan over it, many times in parallel;
//! [`compute_commissions`] pays the plan over a downline you give it.
//!
//! ```
//! use downline::{CompiledPlan, Format, Scenario, SimulateOptions, KeepDistributors, simulate};
//!
//! let plan = CompiledPlan::parse(r#"
//!     [active]
//!     min_pv = "50"
//!     [[bonus]]
//!     kind = "unilevel"
//!     levels = ["0.05", "0.05", "0.05"]
//! "#, Format::Toml)?;
//! let scenario = Scenario::parse(r#"
//!     [market]
//!     founders = 100
//!     [recruitment]
//!     rate = 0.1
//!     [attrition]
//!     monthly_quit = [0.2, 0.1, 0.05]
//! "#, Format::Toml)?;
//! let opts = SimulateOptions { months: 12, runs: 4, seed: 7, threads: Some(1),
//!                              keep_distributors: KeepDistributors::None, max_memory: None };
//! let runs = simulate(&plan, &scenario, &opts, None)?;
//! let ratio = runs[0].summary.payout_ratio;
//! assert!(ratio > 0.0 && ratio < 0.15); // at most 3 × 5% of volume
//! # Ok::<(), downline::Error>(())
//! ```

// Loops over several parallel arrays (structure of arrays) read best indexed.
#![allow(clippy::needless_range_loop)]

pub mod arrow;
pub mod downline;
pub mod engine;
pub mod error;
pub mod ledger;
pub mod metrics;
pub mod money;
pub mod montecarlo;
pub mod plan;
pub mod rng;
pub mod scenario;
pub mod simulation;

#[cfg(feature = "python")]
mod python;

pub use error::{Error, Result};
pub use ledger::{
    compute_commissions, compute_commissions_placed, compute_commissions_with_parties, LedgerLine,
    PartyRow, PlacementRow, TreeRow, VolumeRow,
};
pub use metrics::{MonthRow, RunOutput, RunSummary};
pub use montecarlo::{simulate, KeepDistributors, SimulateOptions};
pub use plan::{CompiledPlan, Format};
pub use scenario::Scenario;
pub use simulation::Progress;
