//! The simulated tree's shape against the theory of the recruiting process.
//!
//! With a constant recruiting rate `r` per participating distributor per month, no
//! attrition and no heterogeneity, a person who joins in month `j` of a `T`-month run has
//! `T − j` months in which to recruit, each a Poisson(`r`) draw, so it never recruits with
//! probability `exp(−r (T − j))`. The founders join in month 1, and every month's recruits
//! number `r` times everyone who joined before, so the expected cohorts are `n₁ = F` and
//! `n_m = r F (1 + r)^(m − 2)`. The expected share of non-recruiters is then
//!
//! ```text
//! Σ_j n_j exp(−r (T − j)) / Σ_j n_j  →  r / (1 + r − e^(−r))  →  1/2   (large T, small r)
//! ```
//!
//! the discrete form of the continuous-time result (a Yule tree: ages are exponential at
//! rate r, and P(no child | age a) = e^(−ra), so the share is ∫ r e^(−ra) e^(−ra) da = 1/2).

use downline::plan::Format;
use downline::simulation::{run_one, RunOptions};
use downline::{CompiledPlan, Scenario};

fn plan() -> CompiledPlan {
    CompiledPlan::parse(
        "[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.05\"]\n",
        Format::Toml,
    )
    .unwrap()
}

fn scenario(founders: u32, rate: f64, heterogeneity: Option<f64>) -> Scenario {
    let het = heterogeneity
        .map(|k| format!("heterogeneity = {k}\n"))
        .unwrap_or_default();
    Scenario::parse(
        &format!(
            "[market]\nfounders = {founders}\n[recruitment]\nrate = {rate}\n{het}[attrition]\nmonthly_quit = 0.0\n"
        ),
        Format::Toml,
    )
    .unwrap()
}

/// Expected share of non-recruiters for rate `r` over `t` months.
fn theory(r: f64, t: u32) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for j in 1..=t {
        let n = if j == 1 {
            1.0
        } else {
            r * (1.0 + r).powi(j as i32 - 2)
        };
        num += n * (-r * (t - j) as f64).exp();
        den += n;
    }
    num / den
}

/// Share of non-recruiters in each of `runs` simulated runs.
fn simulated(s: &Scenario, months: u16, runs: u32) -> Vec<f64> {
    let p = plan();
    (0..runs)
        .map(|run| {
            let out = run_one(
                &p,
                s,
                run,
                RunOptions {
                    months,
                    seed: 2024,
                    keep_distributors: true,
                },
                None,
            )
            .unwrap();
            let d = out.distributors.unwrap();
            d.recruits.iter().filter(|&&k| k == 0).count() as f64 / d.recruits.len() as f64
        })
        .collect()
}

fn mean_and_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

#[test]
fn theory_tends_to_one_half() {
    // the closed form for large T, and its small-r limit
    for r in [0.1, 0.05, 0.01] {
        let limit = r / (1.0 + r - f64::exp(-r));
        assert!((theory(r, 2000) - limit).abs() < 1e-6);
    }
    assert!((0.01 / (1.01 - f64::exp(-0.01)) - 0.5).abs() < 0.005);
}

#[test]
fn share_of_non_recruiters_matches_the_process() {
    for (r, months, founders) in [(0.1, 36u16, 2_000u32), (0.05, 60, 2_000)] {
        let shares = simulated(&scenario(founders, r, None), months, 8);
        let (m, se) = mean_and_se(&shares);
        let want = theory(r, months as u32);
        // within four standard errors of the run-to-run spread (and a hair for the
        // ratio-of-expectations approximation)
        assert!(
            (m - want).abs() < 4.0 * se + 0.002,
            "r = {r}, T = {months}: simulated {m:.4} ± {se:.4}, theory {want:.4}"
        );
        assert!(
            (want - 0.5).abs() < 0.06,
            "near one half for small r: {want}"
        );
    }
}

#[test]
fn heterogeneity_raises_the_share_of_non_recruiters() {
    let (same, _) = mean_and_se(&simulated(&scenario(1_000, 0.1, None), 36, 4));
    let (skewed, _) = mean_and_se(&simulated(&scenario(1_000, 0.1, Some(0.3)), 36, 4));
    assert!(skewed > same + 0.1, "alike {same:.3}, skewed {skewed:.3}");
}
