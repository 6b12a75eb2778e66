// Reference implementations loop over parallel arrays by index on purpose.
#![allow(clippy::needless_range_loop)]
//! Money at the limits: exact or an error, never wrapped.
//!
//! The bounds (`src/money.rs`): a month holds at most 10¹⁶ hundredths of a point, worth at
//! most 10¹⁶ cents; the rate-bound bonuses pay at most 400 times the volume value; all
//! bonuses together pay at most 10¹⁶ cents a month, checked exactly. These tests put
//! values at those limits and check that every amount is the exact one (a 128-bit
//! reference) or the call is an error — and an error only when a bound is really passed.

use downline::{
    compute_commissions, compute_commissions_placed, CompiledPlan, Error, Format, LedgerLine,
    PlacementRow, TreeRow, VolumeRow,
};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus as R;

mod common;
use common::plan;

const MONTH_VOLUME: i128 = 10_000_000_000_000_000;
const MONTH_PAY: i128 = 10_000_000_000_000_000;
const ROW_MAX: i64 = 100_000_000_000_000;

fn tree(sponsor: &[Option<usize>]) -> Vec<TreeRow> {
    sponsor
        .iter()
        .enumerate()
        .map(|(i, s)| TreeRow {
            id: i as i64,
            sponsor: s.map(|s| s as i64),
            join_month: 1,
            quit_month: None,
        })
        .collect()
}

fn volumes(pv: &[i64]) -> Vec<VolumeRow> {
    pv.iter()
        .enumerate()
        .filter(|(_, &v)| v != 0)
        .map(|(i, &v)| VolumeRow {
            id: i as i64,
            month: 1,
            pv: v,
            retail: 0,
            preferred: 0,
        })
        .collect()
}

/// `round(x / d)`, half away from zero, in 128 bits.
fn round(x: i128, d: i128) -> i128 {
    let q = x / d;
    if 2 * (x % d).abs() >= d {
        q + x.signum()
    } else {
        q
    }
}

/// The unilevel by hand: each one's Σ over levels of downline PV × the level's rate,
/// rounded once to the cent at `point_value` (millionths).
fn naive_unilevel(
    sponsor: &[Option<usize>],
    pv: &[i64],
    rates: &[i64],
    point_value: i64,
) -> Vec<i128> {
    let n = sponsor.len();
    let mut acc = vec![0i128; n];
    for j in 0..n {
        let mut up = sponsor[j];
        let mut level = 0;
        while let Some(i) = up {
            if level >= rates.len() {
                break;
            }
            acc[i] += pv[j] as i128 * rates[level] as i128;
            level += 1;
            up = sponsor[i];
        }
    }
    acc.iter()
        .map(|&a| round(a * point_value as i128, 1_000_000_000_000))
        .collect()
}

fn fixed6(v: i64) -> String {
    format!("{}.{:06}", v / 1_000_000, v % 1_000_000)
}

/// Random trees with PV at and near the row limit, rates up to 100% on up to 100 levels
/// and point values from a millionth to a million: every line the exact one, or an error
/// that a bound was really passed.
#[test]
fn unilevel_at_the_limits_is_exact_or_refused() {
    let mut refused = 0;
    let mut exact = 0;
    for case in 0..300u64 {
        let mut r = R::seed_from_u64(case);
        let n = r.random_range(2..80usize);
        let sponsor: Vec<Option<usize>> = (0..n)
            .map(|i| {
                // Deep chains and bushy trees: a sponsor among the last few or any earlier.
                let lo = if r.random_bool(0.5) {
                    i.saturating_sub(2)
                } else {
                    0
                };
                if i == 0 {
                    None
                } else {
                    Some(r.random_range(lo..i))
                }
            })
            .collect();
        let pv: Vec<i64> = (0..n)
            .map(|_| match r.random_range(0..5) {
                0 => 0,
                1 => ROW_MAX,
                2 => ROW_MAX - 1,
                3 => r.random_range(0..=ROW_MAX),
                _ => r.random_range(0..1_000_000),
            })
            .collect();
        let depth = r.random_range(1..=100usize);
        let rates: Vec<i64> = (0..depth)
            .map(|_| [0, 1, 999_999, 1_000_000, 500_000][r.random_range(0..5)])
            .collect();
        let point_value =
            [1, 1_000_000, 1_500_000, 1_000_000_000_000, 999_999][r.random_range(0..5)];
        let levels: Vec<String> = rates
            .iter()
            .map(|&x| format!("\"{}\"", fixed6(x)))
            .collect();
        let toml = format!(
            "[volume]\npoint_value = \"{}\"\n[[bonus]]\nkind = \"unilevel\"\nlevels = [{}]\n",
            fixed6(point_value),
            levels.join(", ")
        );
        let p = CompiledPlan::parse(&toml, Format::Toml).unwrap();
        let want = naive_unilevel(&sponsor, &pv, &rates, point_value);
        let volume: i128 = pv.iter().map(|&v| v as i128).sum();
        let value = volume * point_value as i128 / 1_000_000;
        let pay: i128 = want.iter().sum();
        match compute_commissions(&p, &tree(&sponsor), &volumes(&pv)) {
            Ok(lines) => {
                assert!(
                    volume <= MONTH_VOLUME && value <= MONTH_VOLUME && pay <= MONTH_PAY,
                    "case {case}: accepted beyond a bound"
                );
                let mut got = vec![0i128; n];
                for l in &lines {
                    got[l.id as usize] += l.amount as i128;
                }
                assert_eq!(got, want, "case {case}");
                exact += 1;
            }
            Err(Error::Input(msg)) => {
                assert!(
                    volume > MONTH_VOLUME || value > MONTH_VOLUME || pay > MONTH_PAY,
                    "case {case}: refused inside the bounds: {msg}"
                );
                refused += 1;
            }
            Err(e) => panic!("case {case}: {e:?}"),
        }
    }
    // Both sides of the limits were reached.
    assert!(
        exact > 50 && refused > 20,
        "exact {exact}, refused {refused}"
    );
}

/// A binary bonus pays each volume once per upline: its pay grows with the tree's depth,
/// not with the rates, so it is checked exactly. A complete binary tree with every leaf at
/// the row limit, at 100%: 32 leaves pay 80 × 10¹⁴ cents (exact), 64 leaves would pay
/// 192 × 10¹⁴ — more than a month may pay, refused by name.
#[test]
fn binary_depth_is_exact_or_refused() {
    let p = plan("[placement]\nkind = \"binary\"\n[[bonus]]\nkind = \"binary\"\nrate = \"1\"\n");
    for (leaves, ok) in [(32usize, true), (64, false)] {
        let n = 2 * leaves - 1;
        // Heap order: node k (1-based) has children 2k and 2k + 1.
        let sponsor: Vec<Option<usize>> = (0..n)
            .map(|i| if i == 0 { None } else { Some((i - 1) / 2) })
            .collect();
        let placement: Vec<PlacementRow> = (0..n)
            .map(|i| PlacementRow {
                id: i as i64,
                parent: sponsor[i].map(|s| s as i64),
                leg: if i == 0 {
                    None
                } else {
                    Some(((i - 1) % 2) as i64)
                },
            })
            .collect();
        let pv: Vec<i64> = (0..n)
            .map(|i| if i >= leaves - 1 { ROW_MAX } else { 0 })
            .collect();
        let got = compute_commissions_placed(&p, &tree(&sponsor), Some(&placement), &volumes(&pv));
        if ok {
            let lines = got.unwrap();
            // A node whose legs each hold 2^(h−1) leaves pairs 2^(h−1) × 10¹⁴ hundredths.
            let mut want = vec![];
            for i in 0..leaves - 1 {
                let mut below = 1usize;
                let mut k = 2 * i + 1;
                while k < n {
                    below *= 2;
                    k = 2 * k + 1;
                }
                want.push(LedgerLine {
                    month: 1,
                    id: i as i64,
                    bonus: 0,
                    amount: (below / 2) as i64 * ROW_MAX,
                });
            }
            let total: i64 = lines.iter().map(|l| l.amount).sum();
            assert_eq!(total, 80 * ROW_MAX);
            assert_eq!(lines, want);
        } else {
            match got {
                Err(Error::Input(msg)) => {
                    assert!(msg.contains("month 1") && msg.contains("binary"), "{msg}")
                }
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    }
}

/// What no plan pays is refused when the plan is read: 100 levels at 100% with a 100%
/// match over 100 generations could pay 10,100 times the volume.
#[test]
fn a_plan_that_can_pay_400_times_the_volume_is_refused() {
    let levels = vec!["\"1\""; 100].join(", ");
    let toml = format!(
        "[[bonus]]\nkind = \"unilevel\"\nlevels = [{levels}]\n[[bonus]]\nkind = \"matching\"\non = [\"unilevel\"]\ngenerations = [{levels}]\n"
    );
    let (path, msg) = common::plan_err(&toml);
    assert_eq!(path, "bonus");
    assert!(msg.contains("40000%") && msg.contains("1010000%"), "{msg}");
    // 100 levels at 100% alone (100 times) is allowed, with its warning.
    let p = plan(&format!(
        "[[bonus]]\nkind = \"unilevel\"\nlevels = [{levels}]\n"
    ));
    assert!(p.warnings.iter().any(|w| w.contains("more than 100%")));
}

/// A month's volume is bounded where it enters the ledger, and so is all months'.
#[test]
fn ledger_volume_bounds_name_the_month() {
    let p = plan("[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.1\"]\n");
    let n = 102;
    let sponsor: Vec<Option<usize>> = (0..n)
        .map(|i| if i == 0 { None } else { Some(0) })
        .collect();
    // 101 rows at the row limit: 1.01 × 10¹⁶ hundredths in month 1.
    let pv: Vec<i64> = (0..n).map(|i| if i == 0 { 0 } else { ROW_MAX }).collect();
    let pv_under: Vec<i64> = (0..n).map(|i| if i <= 1 { 0 } else { ROW_MAX }).collect();
    match compute_commissions(&p, &tree(&sponsor), &volumes(&pv)) {
        Err(Error::Input(msg)) => assert!(
            msg.contains("month 1") && msg.contains("the most a month may hold"),
            "{msg}"
        ),
        other => panic!("{other:?}"),
    }
    // 100 rows: exactly the bound, paid exactly.
    let lines = compute_commissions(&p, &tree(&sponsor), &volumes(&pv_under)).unwrap();
    assert_eq!(
        lines.iter().map(|l| l.amount as i128).sum::<i128>(),
        MONTH_VOLUME / 10
    );
    // 601 months at the month limit pass every month and not the whole.
    let mut rows = vec![];
    for m in 1..=601 {
        for i in 1..=100 {
            rows.push(VolumeRow {
                id: i,
                month: m,
                pv: ROW_MAX,
                retail: 0,
                preferred: 0,
            });
        }
    }
    match compute_commissions(&p, &tree(&sponsor), &rows) {
        Err(Error::Input(msg)) => assert!(msg.contains("all months together"), "{msg}"),
        other => panic!("{other:?}"),
    }
}
