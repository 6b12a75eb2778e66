//! Acceptance against the world: a real production month (January 2016) of the
//! Praxigento "hybrid" plan — 2,319 distributors, their PV, and the bonuses the company's
//! own system paid — read from `../shared/reference/praxigento/` (public, MIT-licensed
//! test data; its rules are in RULES.md there). Skipped, saying so, when that folder is
//! absent.
//!
//! The plan is written in the plan language as far as it reaches: compression of
//! distributors below 50 PV, the personal bonus by PV tier, ranks on PV, team volume and
//! the largest, second and other legs, the forced ranks of three distributors (given
//! ranks), the override by generation in the tree compressed to managers, paid per term,
//! and the infinity bonus. The test prints, per bonus column, how many of the expected
//! non-zero amounts of DEFAULT-scheme distributors it reproduces to the cent, and holds
//! those shares as a floor. What still differs, and why, is said beside each column.

use downline::ledger::{compute_ledger, LedgerInput, RankRow};
use downline::{CompiledPlan, TreeRow, VolumeRow};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

fn folder() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/praxigento");
    p.join("downline.csv").exists().then_some(p)
}

/// Rows of a CSV file with quoted fields (no embedded quotes in this data).
fn csv(path: &PathBuf) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut fields = vec![];
            let mut cur = String::new();
            let mut quoted = false;
            for ch in line.chars() {
                match ch {
                    '"' => quoted = !quoted,
                    ',' if !quoted => fields.push(std::mem::take(&mut cur)),
                    c => cur.push(c),
                }
            }
            fields.push(cur);
            fields
        })
        .collect()
}

/// A number with a decimal comma (or point) in hundredths.
fn hundredths(s: &str) -> i64 {
    let t = s.trim().replace(',', ".");
    if t.is_empty() {
        return 0;
    }
    let d: rust_decimal::Decimal = t.parse().unwrap_or_else(|_| panic!("{s:?}"));
    (d * rust_decimal::Decimal::from(100))
        .round()
        .try_into()
        .unwrap()
}

/// The DEFAULT scheme of the plan (RULES.md, "Plan rules"), in the plan language: the
/// example plan `examples/plans/hybrid_praxigento.toml`.
fn plan() -> CompiledPlan {
    CompiledPlan::load(&format!(
        "{}/examples/plans/hybrid_praxigento.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

const COLUMNS: [&str; 5] = ["pv_bonus", "tv_bonus", "courtesy", "override", "infinity"];

#[test]
fn the_praxigento_month_as_far_as_the_plan_language_reaches() {
    let Some(dir) = folder() else {
        eprintln!("skipped: ../shared/reference/praxigento is not here");
        return;
    };
    let plan = plan();
    let rows = csv(&dir.join("downline.csv"));
    let ids: HashSet<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    let default: HashSet<i64> = rows
        .iter()
        .filter(|r| r[2] == "DEFAULT")
        .map(|r| r[0].parse().unwrap())
        .collect();
    // Orphans (a sponsor not in the file) are tops, as the company's own test did.
    let tree: Vec<TreeRow> = rows
        .iter()
        .map(|r| TreeRow {
            id: r[0].parse().unwrap(),
            sponsor: r[1].parse::<i64>().ok().filter(|s| ids.contains(s)),
            join_month: 1,
            quit_month: None,
        })
        .collect();
    let volumes: Vec<VolumeRow> = csv(&dir.join("pv_balances.csv"))
        .iter()
        .map(|r| VolumeRow {
            id: r[0].parse().unwrap(),
            month: 1,
            pv: hundredths(&r[1]),
            retail: 0,
            preferred: 0,
        })
        .filter(|v| v.pv > 0)
        .collect();
    let forced = [
        (770000001, "PRESIDENT"),
        (777163048, "EXECUTIVE DIRECTOR"),
        (777017725, "PRESIDENT"),
    ];
    let ranks: Vec<RankRow> = forced
        .iter()
        .map(|&(id, r)| RankRow {
            id,
            month: 1,
            rank: r.into(),
        })
        .collect();
    let lines = compute_ledger(
        &plan,
        &LedgerInput {
            tree: &tree,
            volumes: &volumes,
            ranks: &ranks,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));

    // Ours, by (id, column); expected, from the row of each one's own scheme.
    let mut ours: HashMap<(i64, &str), i64> = HashMap::new();
    for l in &lines {
        let column = match plan.bonuses[l.bonus].name() {
            "pv_bonus" => "pv_bonus",
            "override" => "override",
            "infinity" => "infinity",
            other => panic!("{other}"),
        };
        if default.contains(&l.id) {
            *ours.entry((l.id, column)).or_default() += l.amount;
        }
    }
    let mut expected: HashMap<(i64, &str), i64> = HashMap::new();
    for r in csv(&dir.join("bonus.csv")) {
        let id: i64 = r[0].parse().unwrap();
        if r[6] != "DEFAULT" || !default.contains(&id) {
            continue;
        }
        for (k, c) in COLUMNS.iter().enumerate() {
            let v = hundredths(&r[k + 1]);
            if v != 0 {
                expected.insert((id, c), v);
            }
        }
    }

    println!("Praxigento January 2016, DEFAULT-scheme distributors: expected non-zero amounts reproduced to the cent");
    let mut shares = HashMap::new();
    for c in COLUMNS {
        let want: Vec<(&(i64, &str), &i64)> = expected.iter().filter(|(k, _)| k.1 == c).collect();
        let hit = want
            .iter()
            .filter(|(k, &v)| ours.get(k).copied() == Some(v))
            .count();
        let extra = ours
            .iter()
            .filter(|(k, &v)| k.1 == c && v != 0 && !expected.contains_key(k))
            .count();
        let total_want: i64 = want.iter().map(|(_, &v)| v).sum();
        let total_ours: i64 = ours.iter().filter(|(k, _)| k.1 == c).map(|(_, &v)| v).sum();
        let share = if want.is_empty() {
            1.0
        } else {
            hit as f64 / want.len() as f64
        };
        println!(
            "  {c:<9} {hit:>4} of {:>4} ({:>5.1}%)  paid where 0 was expected: {extra:>3}  total {:>10.2} vs {:>10.2}",
            want.len(),
            100.0 * share,
            total_ours as f64 / 100.0,
            total_want as f64 / 100.0,
        );
        shares.insert(c, share);
        if std::env::var("PRAXIGENTO_DIFF").is_ok() {
            for (k, &v) in &want {
                let got = ours.get(k).copied().unwrap_or(0);
                if got != v {
                    println!("    {c} {}: ours {got}, expected {v}", k.0);
                }
            }
        }
    }
    // Floors: what the plan language reproduces today (below).
    assert!(
        shares["pv_bonus"] >= FLOOR_PV,
        "pv_bonus {}",
        shares["pv_bonus"]
    );
    assert!(
        shares["override"] >= FLOOR_OVERRIDE,
        "override {}",
        shares["override"]
    );
    assert!(
        shares["infinity"] >= FLOOR_INFINITY,
        "infinity {}",
        shares["infinity"]
    );
}

// What the plan language reproduces (each a floor the engine must keep):
// - pv_bonus: 587 of 587, every amount to the cent (compression by qualification and the
//   personal bonus by tier).
// - override: 108 of 111. The three that differ (770000001, 777040533, 777017725, the top
//   of the tree, each 22.71 to 34.05 too high) have in their downline two EU-scheme
//   distributors with 50 to 100 PV: the EU scheme compresses below 100 PV, the DEFAULT
//   scheme below 50, and the plan language has one threshold per plan. Compressing those
//   two by hand in the input gave 111 of 111 (an experiment, not kept here).
// - infinity: 4 of 4 (the cumulative mode, counted in the tree of managers, from the
//   second level).
// - tv_bonus (169) and courtesy (107): not written. The team bonus is a differential on
//   the gap between the buyer's personal-bonus rate and 20% whose walk reserves 5% for a
//   "courtesy" bonus when the buyer's father cannot take a difference (RULES.md §3–4): a
//   rule of this company's own, left out rather than special-cased.
const FLOOR_PV: f64 = 1.0;
const FLOOR_OVERRIDE: f64 = 108.0 / 111.0;
const FLOOR_INFINITY: f64 = 1.0;
