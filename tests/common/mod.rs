//! Helpers shared by the golden test files (`mod common;` in each).
#![allow(dead_code)]

use downline::{CompiledPlan, Error, Format};

/// A plan that must parse.
pub fn plan(toml: &str) -> CompiledPlan {
    CompiledPlan::parse(toml, Format::Toml).unwrap_or_else(|e| panic!("plan should parse: {e}"))
}

/// The field path and message of a plan that must be rejected.
pub fn plan_err(toml: &str) -> (String, String) {
    match CompiledPlan::parse(toml, Format::Toml) {
        Ok(_) => panic!("plan should be rejected:\n{toml}"),
        Err(Error::Plan { path, message }) => (path, message),
        Err(e) => panic!("expected a plan error, got {e:?}"),
    }
}

/// An example plan of `examples/plans/`, by file name.
pub fn example(name: &str) -> CompiledPlan {
    CompiledPlan::load(&format!(
        "{}/examples/plans/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A scenario of `examples/scenarios/`, by file name.
pub fn example_scenario(name: &str) -> downline::Scenario {
    downline::Scenario::load(&format!(
        "{}/examples/scenarios/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Run 0 of an example plan under the baseline scenario.
pub fn simulate_example(name: &str, months: u16, seed: u64) -> (CompiledPlan, downline::RunOutput) {
    use downline::simulation::{run_one, RunOptions};
    let p = example(name);
    let opts = RunOptions {
        months,
        seed,
        keep_distributors: false,
    };
    let out = run_one(&p, &example_scenario("baseline.toml"), 0, opts, None)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    (p, out)
}

/// One month of the engine on a tree given by 0-based sponsors, everyone joined in month
/// 1 and participating.
pub fn engine_month(
    p: &CompiledPlan,
    sponsor: &[u32],
    own: &[i64],
    retail: &[i64],
    preferred: &[i64],
    parties: &[downline::engine::Party],
) -> downline::engine::MonthTotals {
    let n = sponsor.len();
    let mut e = downline::engine::PlanEngine::new(p);
    e.run_month(&downline::engine::MonthInput {
        month: 1,
        sponsor,
        join_month: &vec![1; n],
        participating: &vec![true; n],
        own_pv: own,
        retail_pv: retail,
        preferred_pv: preferred,
        parties,
    })
}
