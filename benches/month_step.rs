//! Criterion benches of the month step.
//!
//! - `plan_month/*`: the plan engine (volumes, ranks, bonuses, cap) for one month over a
//!   grown downline, for the reference unilevel and for the example plan with ranks and
//!   compression.
//! - `run/reference_10k`: a whole 36-month run of the reference workload with 10,000
//!   founders (people and plan together).
//!
//! `cargo bench --bench month_step`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use downline::engine::{MonthInput, PlanEngine};
use downline::simulation::{run_one, RunOptions};
use downline::{CompiledPlan, Scenario};
use std::hint::black_box;

fn load_plan(path: &str) -> CompiledPlan {
    CompiledPlan::load(&format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect("plan")
}

fn load_scenario(path: &str) -> Scenario {
    Scenario::load(&format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect("scenario")
}

/// A grown downline from one reference run, kept with its last month's volumes.
fn grown(founders: u32) -> (Vec<u32>, Vec<u16>, Vec<bool>, Vec<i64>) {
    let plan = load_plan("benches/reference/plan.toml");
    let mut scen = load_scenario("benches/reference/scenario.toml");
    scen.founders = founders;
    let out = run_one(
        &plan,
        &scen,
        0,
        RunOptions {
            months: 24,
            seed: 1,
            keep_distributors: true,
        },
        None,
    )
    .expect("run");
    let d = out.distributors.expect("kept");
    let n = d.sponsor.len();
    let participating: Vec<bool> = d.quit_month.iter().map(|&q| q == u16::MAX).collect();
    let pv: Vec<i64> = (0..n)
        .map(|i| {
            if participating[i] {
                5_000 + (i as i64 * 7919) % 10_000
            } else {
                0
            }
        })
        .collect();
    (d.sponsor, d.join_month, participating, pv)
}

fn plan_month(c: &mut Criterion) {
    let (sponsor, join, participating, pv) = grown(50_000);
    let zeros = vec![0i64; sponsor.len()];
    let mut g = c.benchmark_group("plan_month");
    g.throughput(Throughput::Elements(sponsor.len() as u64));
    for (name, path) in [
        ("reference_unilevel", "benches/reference/plan.toml"),
        ("example_ranks_compression", "examples/plans/unilevel.toml"),
    ] {
        let plan = load_plan(path);
        let mut engine = PlanEngine::new(&plan);
        g.bench_function(name, |b| {
            b.iter(|| {
                let input = MonthInput {
                    month: 24,
                    sponsor: &sponsor,
                    join_month: &join,
                    participating: &participating,
                    own_pv: &pv,
                    retail_pv: &zeros,
                    preferred_pv: &[],
                    parties: &[],
                };
                black_box(engine.run_month(&input))
            })
        });
    }
    g.finish();
}

fn whole_run(c: &mut Criterion) {
    let plan = load_plan("benches/reference/plan.toml");
    let mut scen = load_scenario("benches/reference/scenario.toml");
    scen.founders = 10_000;
    let mut g = c.benchmark_group("run");
    g.sample_size(10);
    g.bench_function("reference_10k", |b| {
        b.iter_batched(
            || (),
            |_| {
                black_box(run_one(
                    &plan,
                    &scen,
                    0,
                    RunOptions {
                        months: 36,
                        seed: 7,
                        keep_distributors: false,
                    },
                    None,
                ))
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, plan_month, whole_run);
criterion_main!(benches);
