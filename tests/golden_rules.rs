// Volumes are written as points_hundredths (100_00 = 100 points) on purpose.
#![allow(clippy::inconsistent_digit_grouping)]
//! Golden cases of the rules real plans are made of, worked by hand over several months:
//! qualification windows, rolling and accumulated volume, grace, titles, legs holding a
//! title, given ranks and titles, and the discount-ladder differential.
//!
//! As in `tests/golden.rs`: volumes in hundredths of a point, amounts in cents; a ledger
//! line is `(month, id, bonus index, cents)`. Every case is paid twice — month by month
//! through the engine the simulation uses, and through `compute_commissions` — and both
//! must give the hand-worked lines.

use downline::engine::{MonthInput, PlanEngine};
use downline::ledger::{compute_ledger, LedgerInput, RankRow, TitleRow};
use downline::plan::NO_RANK;
use downline::{CompiledPlan, LedgerLine, TreeRow, VolumeRow};

mod common;
use common::{plan, plan_err};

/// Everyone joins in month 1; `sponsors[k]` is the 0-based sponsor of id `k`.
fn tree(sponsors: &[Option<i64>]) -> Vec<TreeRow> {
    sponsors
        .iter()
        .enumerate()
        .map(|(k, &s)| TreeRow {
            id: k as i64,
            sponsor: s,
            join_month: 1,
            quit_month: None,
        })
        .collect()
}

/// `pv[month - 1][id]`, hundredths of a point.
fn volumes(pv: &[&[i64]]) -> Vec<VolumeRow> {
    let mut out = vec![];
    for (m, row) in pv.iter().enumerate() {
        for (id, &v) in row.iter().enumerate() {
            if v > 0 {
                out.push(VolumeRow {
                    id: id as i64,
                    month: m as i64 + 1,
                    pv: v,
                    retail: 0,
                    preferred: 0,
                });
            }
        }
    }
    out
}

/// Paid-as ranks given for month 1: `(id, rank)`.
fn given(ranks: &[(i64, &str)]) -> Vec<RankRow> {
    ranks
        .iter()
        .map(|&(id, rank)| RankRow {
            id,
            month: 1,
            rank: rank.into(),
        })
        .collect()
}

fn l(month: i64, id: i64, bonus: usize, amount: i64) -> LedgerLine {
    LedgerLine {
        month,
        id,
        bonus,
        amount,
    }
}

/// Pay `p` over the tree and `pv[month - 1][id]` both ways; they must agree.
fn pay(p: &CompiledPlan, sponsors: &[Option<i64>], pv: &[&[i64]]) -> Vec<LedgerLine> {
    let t = tree(sponsors);
    let vols = volumes(pv);
    let ledger = compute_ledger(
        p,
        &LedgerInput {
            tree: &t,
            volumes: &vols,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("compute_commissions failed: {e}"));
    // The engine month by month, as the simulation drives it.
    let n = sponsors.len();
    let sponsor: Vec<u32> = sponsors
        .iter()
        .map(|s| s.map_or(downline::downline::NO_SPONSOR, |s| s as u32))
        .collect();
    let mut e = PlanEngine::new(p);
    let mut lines = vec![];
    for (m, row) in pv.iter().enumerate() {
        e.run_month(&MonthInput {
            month: m as u16 + 1,
            sponsor: &sponsor,
            join_month: &vec![1; n],
            participating: &vec![true; n],
            own_pv: row,
            retail_pv: &vec![0; n],
            preferred_pv: &[],
            parties: &[],
        });
        for id in 0..n {
            for (b, a) in e.amounts.iter().enumerate() {
                if a[id] != 0 {
                    lines.push(l(m as i64 + 1, id as i64, b, a[id]));
                }
            }
        }
    }
    assert_eq!(ledger, lines, "compute_commissions and the engine differ");
    ledger
}

// ---------------------------------------------------------------------------------------
// 1. Qualification windows, rolling windows, accumulated volume
// ---------------------------------------------------------------------------------------

/// 0 ─ 1. Active from 100 PV, for the month of a qualifying order and the two after.
/// 10% on level 1. Id 0 orders 100 in month 1 only; id 1 orders 200 every month.
/// Id 0 is active in months 1, 2, 3 (paid 10% × 200 = 20.00), not in month 4.
#[test]
fn a_qualifying_order_keeps_one_active_for_the_window() {
    let p = plan(
        r#"
        [active]
        min_pv = "100"
        window_months = 3
        [[bonus]]
        kind = "unilevel"
        levels = ["0.10"]
    "#,
    );
    let pv: &[&[i64]] = &[&[100_00, 200_00], &[0, 200_00], &[0, 200_00], &[0, 200_00]];
    let lines = pay(&p, &[None, Some(0)], pv);
    assert_eq!(
        lines,
        vec![l(1, 0, 0, 20_00), l(2, 0, 0, 20_00), l(3, 0, 0, 20_00)]
    );
    // Without the window, only month 1.
    let p1 = plan(
        r#"
        [active]
        min_pv = "100"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.10"]
    "#,
    );
    assert_eq!(pay(&p1, &[None, Some(0)], pv), vec![l(1, 0, 0, 20_00)]);
}

/// A second qualifying order restarts the window: orders in months 1 and 3 with a
/// window of 2 keep id 0 active in months 1–4; month 5 not.
#[test]
fn a_new_qualifying_order_restarts_the_window() {
    let p = plan(
        r#"
        [active]
        min_pv = "100"
        window_months = 2
        [[bonus]]
        kind = "unilevel"
        levels = ["0.10"]
    "#,
    );
    let row = |own: i64| -> Vec<i64> { vec![own, 100_00] };
    let months: Vec<Vec<i64>> = vec![row(100_00), row(0), row(150_00), row(0), row(0)];
    let pv: Vec<&[i64]> = months.iter().map(|r| r.as_slice()).collect();
    let lines = pay(&p, &[None, Some(0)], &pv);
    let paid: Vec<i64> = lines
        .iter()
        .filter(|x| x.id == 0)
        .map(|x| x.month)
        .collect();
    assert_eq!(paid, vec![1, 2, 3, 4]);
    // Id 1 (100 PV every month) is active every month but has no downline: no lines.
    assert!(lines.iter().all(|x| x.id == 0 && x.amount == 10_00));
}

/// "GV over the last 3 months ≥ 600" for Manager, who earns 10% on level 1. Id 1 orders
/// 250 a month, id 0 nothing: id 0's window GV is 250, 500, 750, 750 → Manager from month
/// 3, paid 25.00 in months 3 and 4.
#[test]
fn a_rank_on_gv_over_a_rolling_window() {
    let p = plan(
        r#"
        [[ranks]]
        name = "Member"
        [[ranks]]
        name = "Manager"
        gv = "600"
        gv_months = 3
        [[bonus]]
        kind = "unilevel"
        rates = { Manager = ["0.10"] }
    "#,
    );
    let pv: &[&[i64]] = &[&[0, 250_00], &[0, 250_00], &[0, 250_00], &[0, 250_00]];
    assert_eq!(
        pay(&p, &[None, Some(0)], pv),
        vec![l(3, 0, 0, 25_00), l(4, 0, 0, 25_00)]
    );
    // A window of PV: "PV over 2 months ≥ 300" with 200 a month → from month 2.
    let p = plan(
        r#"
        [[ranks]]
        name = "Member"
        [[ranks]]
        name = "Manager"
        pv = "300"
        pv_months = 2
        [[bonus]]
        kind = "rank_advancement"
        amounts = { Manager = "50" }
    "#,
    );
    let pv: &[&[i64]] = &[&[200_00], &[200_00], &[200_00]];
    assert_eq!(pay(&p, &[None], pv), vec![l(2, 0, 0, 50_00)]);
}

/// A window drops what left it: 700 in month 1 alone makes a 2-month window of 700 in
/// months 1 and 2, and 0 in month 3.
#[test]
fn a_rolling_window_forgets_old_months() {
    let p = plan(
        r#"
        [[ranks]]
        name = "Member"
        [[ranks]]
        name = "Manager"
        gv = "600"
        gv_months = 2
        active_legs = 1
        [[bonus]]
        kind = "pool"
        rate = "0.5"
        shares = { Manager = 1 }
    "#,
    );
    // Id 1 buys 700 in month 1 and 10 in months 2 and 3: id 0 (no PV) has window GV
    // 700, 710, 20. The pool pays 50% of the month's volume to the one Manager (id 1 has
    // no active leg).
    let pv: &[&[i64]] = &[&[0, 700_00], &[0, 10_00], &[0, 10_00]];
    let lines = pay(&p, &[None, Some(0)], pv);
    assert_eq!(lines, vec![l(1, 0, 0, 350_00), l(2, 0, 0, 5_00)]);
}

/// "Once 400 PV accumulated, Supervisor": 150 a month reaches 450 in month 3; the rank
/// advancement of 100.00 is paid then. With the accumulation starting again every 2
/// months (150, 300 | 150, 300) it is never reached.
#[test]
fn a_rank_on_accumulated_volume() {
    let text = |period: &str| {
        format!(
            r#"
            {period}
            [[ranks]]
            name = "Member"
            [[ranks]]
            name = "Supervisor"
            accumulated_pv = "400"
            [[bonus]]
            kind = "rank_advancement"
            amounts = {{ Supervisor = "100" }}
        "#
        )
    };
    let pv: &[&[i64]] = &[&[150_00], &[150_00], &[150_00], &[150_00]];
    assert_eq!(pay(&plan(&text("")), &[None], pv), vec![l(3, 0, 0, 100_00)]);
    let p = plan(&text("[volume]\naccumulation_months = 2"));
    assert_eq!(pay(&p, &[None], pv), vec![]);
}

// ---------------------------------------------------------------------------------------
// 2. Ranks held: grace, titles, legs holding a title, given ranks and titles
// ---------------------------------------------------------------------------------------

const MANAGER_10: &str = r#"
    [[ranks]]
    name = "Member"
    [[ranks]]
    name = "Manager"
    gv = "500"
"#;

/// Manager needs GV 500 and earns 10% on level 1. Id 1 buys 600, 100, 100, 100, 600.
/// With one month of grace id 0 is paid as Manager in month 1 (60.00), in month 2 by
/// grace (10.00), not in month 3 (grace used up), not in month 4, and in month 5 (60.00).
#[test]
fn grace_keeps_the_paid_as_rank_for_k_months() {
    let text = |grace: &str| {
        format!(
            "{MANAGER_10}\n{grace}\n[[bonus]]\nkind = \"unilevel\"\nrates = {{ Manager = [\"0.10\"] }}\n"
        )
    };
    let pv: &[&[i64]] = &[
        &[0, 600_00],
        &[0, 100_00],
        &[0, 100_00],
        &[0, 100_00],
        &[0, 600_00],
    ];
    let p = plan(&text("[paid_as]\ngrace_months = 1"));
    assert_eq!(
        pay(&p, &[None, Some(0)], pv),
        vec![l(1, 0, 0, 60_00), l(2, 0, 0, 10_00), l(5, 0, 0, 60_00)]
    );
    // Two months of grace: months 2 and 3 too.
    let p = plan(&text("[paid_as]\ngrace_months = 2"));
    assert_eq!(
        pay(&p, &[None, Some(0)], pv),
        vec![
            l(1, 0, 0, 60_00),
            l(2, 0, 0, 10_00),
            l(3, 0, 0, 10_00),
            l(5, 0, 0, 60_00)
        ]
    );
    // Without grace: months 1 and 5 only.
    assert_eq!(
        pay(&plan(&text("")), &[None, Some(0)], pv),
        vec![l(1, 0, 0, 60_00), l(5, 0, 0, 60_00)]
    );
}

/// A unilevel read by title: once Manager (month 1), id 0 is paid Manager's 10% in every
/// later month whatever its GV; by paid-as rank only in month 1.
#[test]
fn a_bonus_by_title_pays_the_highest_rank_reached() {
    let text = |basis: &str| {
        format!(
            "{MANAGER_10}\n[[bonus]]\nkind = \"unilevel\"\nrates = {{ Manager = [\"0.10\"] }}\n{basis}\n"
        )
    };
    let pv: &[&[i64]] = &[&[0, 600_00], &[0, 100_00], &[0, 200_00]];
    let p = plan(&text("rank_basis = \"title\""));
    assert_eq!(
        pay(&p, &[None, Some(0)], pv),
        vec![l(1, 0, 0, 60_00), l(2, 0, 0, 10_00), l(3, 0, 0, 20_00)]
    );
    let p = plan(&text("rank_basis = \"paid_as\""));
    assert_eq!(pay(&p, &[None, Some(0)], pv), vec![l(1, 0, 0, 60_00)]);
}

/// Manager needs own PV 500; Director a leg holding the title Manager. 0 ─ 1: id 1 buys
/// 600 in month 1 and 50 in month 2, so it is Manager in month 1 only but keeps the title;
/// id 0 is Director in both months, and the one share of a 10% pool is its: 60.00, then
/// 5.00. By paid-as rank (`leg_ranks`) only in month 1.
#[test]
fn legs_holding_a_title() {
    let text = |legs: &str| {
        format!(
            "[[ranks]]\nname = \"Member\"\n[[ranks]]\nname = \"Manager\"\npv = \"500\"\n\
             [[ranks]]\nname = \"Director\"\n{legs} = {{ Manager = 1 }}\n\
             [[bonus]]\nkind = \"pool\"\nrate = \"0.10\"\nshares = {{ Director = 1 }}\n"
        )
    };
    let pv: &[&[i64]] = &[&[0, 600_00], &[0, 50_00]];
    let sponsors = [None, Some(0)];
    assert_eq!(
        pay(&plan(&text("leg_titles")), &sponsors, pv),
        vec![l(1, 0, 0, 60_00), l(2, 0, 0, 5_00)]
    );
    assert_eq!(
        pay(&plan(&text("leg_ranks")), &sponsors, pv),
        vec![l(1, 0, 0, 60_00)]
    );
}

/// A real month: id 0 does not qualify for Manager (GV 100) but the company's records
/// hold it at Manager; given that rank, it is paid Manager's 10% (10.00). A title given
/// as of the start pays a unilevel by title the same way.
#[test]
fn given_ranks_and_titles_replace_the_evaluation() {
    let text = |basis: &str| {
        format!(
            "{MANAGER_10}\n[[bonus]]\nkind = \"unilevel\"\nrates = {{ Manager = [\"0.10\"] }}\n{basis}\n"
        )
    };
    let t = tree(&[None, Some(0)]);
    let vols = volumes(&[&[0, 100_00]]);
    let p = plan(&text(""));
    let held = given(&[(0, "Manager")]);
    let input = LedgerInput {
        tree: &t,
        volumes: &vols,
        ranks: &held,
        ..Default::default()
    };
    assert_eq!(compute_ledger(&p, &input).unwrap(), vec![l(1, 0, 0, 10_00)]);
    let none = LedgerInput {
        ranks: &[],
        ..input
    };
    assert_eq!(compute_ledger(&p, &none).unwrap(), vec![]);

    let p = plan(&text("rank_basis = \"title\""));
    let titles = [TitleRow {
        id: 0,
        title: "Manager".into(),
    }];
    let input = LedgerInput {
        titles: &titles,
        ..none
    };
    assert_eq!(compute_ledger(&p, &input).unwrap(), vec![l(1, 0, 0, 10_00)]);

    // A rank the plan does not have, and a rank for someone not participating, are named.
    let bad = given(&[(0, "Diamond")]);
    let e = compute_ledger(
        &plan(&text("")),
        &LedgerInput {
            ranks: &bad,
            ..none
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("ranks row 0: id 0") && e.contains("\"Diamond\""),
        "{e}"
    );
    let late = [RankRow {
        id: 1,
        month: 0,
        rank: "Manager".into(),
    }];
    let e = compute_ledger(
        &plan(&text("")),
        &LedgerInput {
            ranks: &late,
            ..none
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("ranks row 0: id 1 has a rank in month 0"), "{e}");
}

/// Given ranks count for the upline's leg requirements, and a given rank stays in force
/// for its month only (the engine's API).
#[test]
fn given_ranks_count_for_uplines() {
    let p = plan(&format!(
        "{MANAGER_10}\n[[ranks]]\nname = \"Director\"\nleg_ranks = {{ Manager = 1 }}\n\
         [[bonus]]\nkind = \"pool\"\nrate = \"0.10\"\nshares = {{ Director = 1 }}\n"
    ));
    let sponsor = [downline::downline::NO_SPONSOR, 0];
    let mut e = PlanEngine::new(&p);
    let month = |m: u16| MonthInput {
        month: m,
        sponsor: &sponsor,
        join_month: &[1, 1],
        participating: &[true, true],
        own_pv: &[0, 100_00],
        retail_pv: &[0, 0],
        preferred_pv: &[],
        parties: &[],
    };
    e.give_ranks(&[NO_RANK, 1]);
    e.run_month(&month(1));
    assert_eq!((e.rank[0], e.rank[1]), (2, 1));
    assert_eq!(e.amounts[0][0], 10_00);
    e.run_month(&month(2));
    assert_eq!((e.rank[0], e.rank[1]), (0, 0));
}

// ---------------------------------------------------------------------------------------
// 6. Discount-ladder differential
// ---------------------------------------------------------------------------------------

/// Senior Consultant 10% (GV 500), Supervisor 25% (GV 4,000); active from 100 PV.
/// 0 Supervisor ─ 1 Senior Consultant (PV 1,000) ─ 2 no rank (PV 100); id 0 has PV 3,000.
/// GV: 0 → 4,100, 1 → 1,100.
///
/// Discount ladder: on id 1's 1,000, id 1's own 10% is its discount, id 0 earns
/// 25 − 10 = 15% = 150.00; on id 2's 100 (no discount), id 1 earns 10% = 10.00 and id 0
/// 15% = 15.00. Infinity: on id 1's 1,000 id 0 earns 25% = 250.00; on id 2's the same
/// 10.00 and 15.00.
#[test]
fn a_discount_ladder_counts_the_buyers_own_rate() {
    let text = |mode: &str| {
        format!(
            r#"
            [active]
            min_pv = "100"
            [[ranks]]
            name = "Member"
            [[ranks]]
            name = "Senior Consultant"
            gv = "500"
            [[ranks]]
            name = "Supervisor"
            gv = "4000"
            [[bonus]]
            kind = "differential"
            {mode}
            rates = {{ "Senior Consultant" = "0.10", Supervisor = "0.25" }}
        "#
        )
    };
    let pv: &[&[i64]] = &[&[3000_00, 1000_00, 100_00]];
    let sponsors = [None, Some(0), Some(1)];
    assert_eq!(
        pay(&plan(&text("mode = \"discount\"")), &sponsors, pv),
        vec![l(1, 0, 0, 165_00), l(1, 1, 0, 10_00)]
    );
    assert_eq!(
        pay(&plan(&text("")), &sponsors, pv),
        vec![l(1, 0, 0, 265_00), l(1, 1, 0, 10_00)]
    );
    // A buyer whose own rate equals the upline's leaves it nothing: id 1 a Supervisor too
    // (infinity pays id 0 its 25% on id 1's 4,000).
    let pv: &[&[i64]] = &[&[100_00, 4000_00]];
    assert_eq!(
        pay(&plan(&text("mode = \"discount\"")), &[None, Some(0)], pv),
        vec![]
    );
    assert_eq!(
        pay(&plan(&text("")), &[None, Some(0)], pv),
        vec![l(1, 0, 0, 1000_00)]
    );
}

// ---------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------

#[test]
fn the_new_fields_are_checked_by_path() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "[active]\nwindow_months = 0",
            "active.window_months",
            "outside 1 to 36",
        ),
        (
            "[paid_as]\ngrace_months = 99",
            "paid_as.grace_months",
            "outside 0 to 24",
        ),
        (
            "[volume]\naccumulation_months = 0",
            "volume.accumulation_months",
            "outside 1 to 120",
        ),
        (
            "[[ranks]]\nname = \"A\"\ngv_months = 3",
            "ranks[0].gv_months",
            "set ranks[0].gv too",
        ),
        (
            "[[ranks]]\nname = \"A\"\npv = \"1\"\npv_months = 30",
            "ranks[0].pv_months",
            "outside 1 to 24",
        ),
        (
            "[[ranks]]\nname = \"A\"\naccumulated_pv = \"-1\"",
            "ranks[0].accumulated_pv",
            "negative",
        ),
        (
            "[[ranks]]\nname = \"A\"\n[[ranks]]\nname = \"B\"\nleg_titles = { B = 1 }",
            "ranks[1].leg_titles.B",
            "not below",
        ),
        (
            "[[ranks]]\nname = \"A\"\nleg_titles = { Z = 1 }",
            "ranks[0].leg_titles.Z",
            "no rank is named",
        ),
        (
            "[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.1\"]\nrank_basis = \"best\"",
            "bonus[0].rank_basis",
            "not a rank basis",
        ),
        (
            "[[ranks]]\nname = \"A\"\n[[bonus]]\nkind = \"differential\"\nrates = { A = \"0.1\" }\nmode = \"ladder\"",
            "bonus[0].mode",
            "not a differential mode",
        ),
        (
            "[[ranks]]\nname = \"A\"\n[[bonus]]\nkind = \"differential\"\nrates = { A = \"0.1\" }\nmode = \"discount\"\nsame_rank_rate = \"0.01\"",
            "bonus[0].same_rank_rate",
            "mode = \"infinity\"",
        ),
    ];
    for (text, path, message) in cases {
        let (p, m) = plan_err(text);
        assert_eq!(&p, path, "{text}");
        assert!(m.contains(message), "{text}: {m}");
    }
}

// ---------------------------------------------------------------------------------------
// 3. Team and organisation volume, leg volumes, caps per leg and on own PV
// ---------------------------------------------------------------------------------------

/// ```text
///   0 (PV 200) ─┬─ 1 (100) ── 3 (900)      leg of 1: GV 1,000
///               ├─ 2 (600)                 leg of 2: GV   600
///               └─ 4 (50)                  leg of 4: GV    50
/// ```
/// For id 0: GV 1,850; team volume 200 + 100 + 600 + 50 = 950; organisation volume
/// without own PV 1,650; legs largest 1,000, second 600, the rest 50.
/// Whether id 0 reaches a rank with `requirement` (paid 1.00 for reaching it).
fn reaches(requirement: &str) -> bool {
    let p = plan(&format!(
        "[[ranks]]\nname = \"Member\"\n[[ranks]]\nname = \"R\"\n{requirement}\n\
         [[bonus]]\nkind = \"rank_advancement\"\namounts = {{ R = \"1\" }}\n"
    ));
    let pv: &[&[i64]] = &[&[200_00, 100_00, 600_00, 900_00, 50_00]];
    let lines = pay(&p, &[None, Some(0), Some(0), Some(1), Some(0)], pv);
    lines.iter().any(|x| x.id == 0)
}

#[test]
fn team_and_organisation_volume() {
    assert!(reaches("tv = \"950\""));
    assert!(!reaches("tv = \"950.01\""));
    assert!(reaches("ov = \"1650\""));
    assert!(!reaches("ov = \"1650.01\""));
}

#[test]
fn minimum_volumes_in_the_largest_and_second_leg() {
    assert!(reaches("leg_volumes = [\"1000\"]"));
    assert!(!reaches("leg_volumes = [\"1000.01\"]"));
    assert!(reaches("leg_volumes = [\"1000\", \"600\"]"));
    assert!(!reaches("leg_volumes = [\"1000\", \"600.01\"]"));
    // The rest (50) as a third.
    assert!(reaches("leg_volumes = [\"1000\", \"600\", \"50\"]"));
    assert!(!reaches("leg_volumes = [\"1000\", \"600\", \"50.01\"]"));
    // Two entries compare the second leg itself (600), three sort with the rest: with
    // the rest at 50 nothing changes order here, so [900, 700] fails either way.
    assert!(!reaches("leg_volumes = [\"900\", \"700\"]"));
}

/// Sorting with the rest: legs 1,000 and five of 100 (the rest, 400, outweighs the
/// second leg's 100): `[900, 400, 100]` is met by the sorted 1,000 / 400 / 100, while
/// `[900, 400]` asks the second leg itself for 400 and is not.
#[test]
fn a_strong_rest_stands_in_for_a_weak_second_leg_only_with_three_minimums() {
    let p = |need: &str| {
        plan(&format!(
            "[[ranks]]\nname = \"Member\"\n[[ranks]]\nname = \"R\"\nleg_volumes = {need}\n\
             [[bonus]]\nkind = \"rank_advancement\"\namounts = {{ R = \"1\" }}\n"
        ))
    };
    let pv: &[&[i64]] = &[&[0, 1000_00, 100_00, 100_00, 100_00, 100_00, 100_00]];
    let sponsors = [None, Some(0), Some(0), Some(0), Some(0), Some(0), Some(0)];
    let paid = |need: &str| pay(&p(need), &sponsors, pv).iter().any(|x| x.id == 0);
    assert!(paid("[\"900\", \"400\", \"100\"]"));
    assert!(!paid("[\"900\", \"400\"]"));
}

/// GV 1,850 toward 1,500 with at most 700 from one leg: 1,850 − (1,000 − 700) = 1,550,
/// met; with at most 500: 1,850 − 500 − 100 = 1,250, not met. With a share of 40% of
/// 1,500 = 600 and 700 as well, the smaller cap (600) holds: 1,850 − 400 = 1,450.
#[test]
fn an_absolute_cap_on_what_one_leg_counts() {
    assert!(reaches("gv = \"1500\"\nmax_leg_volume = \"700\""));
    assert!(!reaches("gv = \"1500\"\nmax_leg_volume = \"500\""));
    assert!(!reaches(
        "gv = \"1500\"\nmax_leg_volume = \"700\"\nmax_leg_share = \"0.4\""
    ));
}

/// GV 1,800 with own PV 200 counted only up to 100: 1,750, not met; up to 150: 1,800.
#[test]
fn own_volume_counted_only_up_to_a_limit() {
    assert!(!reaches("gv = \"1800\"\nmax_own_pv = \"100\""));
    assert!(reaches("gv = \"1800\"\nmax_own_pv = \"150\""));
    assert!(reaches("gv = \"1850\""));
}

#[test]
fn the_volume_rules_are_checked_by_path() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "[[ranks]]\nname = \"A\"\nleg_volumes = []",
            "ranks[0].leg_volumes",
            "give 1 to 3",
        ),
        (
            "[[ranks]]\nname = \"A\"\nleg_volumes = [\"1\", \"2\"]",
            "ranks[0].leg_volumes[1]",
            "largest first",
        ),
        (
            "[[ranks]]\nname = \"A\"\nmax_leg_volume = \"100\"",
            "ranks[0].max_leg_volume",
            "set ranks[0].gv",
        ),
        (
            "[[ranks]]\nname = \"A\"\nmax_own_pv = \"100\"",
            "ranks[0].max_own_pv",
            "set ranks[0].gv",
        ),
        (
            "[[ranks]]\nname = \"A\"\ntv = \"-5\"",
            "ranks[0].tv",
            "negative",
        ),
    ];
    for (text, path, message) in cases {
        let (p, m) = plan_err(text);
        assert_eq!(&p, path, "{text}");
        assert!(m.contains(message), "{text}: {m}");
    }
}

// ---------------------------------------------------------------------------------------
// 4. Compression by qualification
// ---------------------------------------------------------------------------------------

/// ```text
///   0 (PV 100) ── 1 (20) ─┬─ 2 (60)            min PV 50 to keep one's place
///                         └─ 3 (10) ── 4 (200)
///   5 (30) ── 6 (80)
/// ```
/// Compressed out: 1 (its 20 rolls up to 0), 3 (its 10 to 0, its nearest kept ancestor)
/// and 5 (a top: its 30 reaches no one). Compressed tree: 0 (PV 130) with recruits 2 and
/// 4; 6 a top (PV 80). A unilevel of 10% and 5% pays 0: 10% × (60 + 200) = 26.00.
/// Uncompressed (but with the same activity minimum) it pays 0: 10% × 20 + 5% × 70 = 5.50.
#[test]
fn compression_by_qualification_rolls_pv_up_and_reattaches_recruits() {
    let text = |compress: &str| {
        format!(
            "[active]\nmin_pv = \"50\"\n{compress}\n\
             [[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.10\", \"0.05\"]\n"
        )
    };
    let sponsors = [None, Some(0), Some(1), Some(1), Some(3), None, Some(5)];
    let pv: &[&[i64]] = &[&[100_00, 20_00, 60_00, 10_00, 200_00, 30_00, 80_00]];
    assert_eq!(
        pay(&plan(&text("[pv_compression]")), &sponsors, pv),
        vec![l(1, 0, 0, 26_00)]
    );
    assert_eq!(pay(&plan(&text("")), &sponsors, pv), vec![l(1, 0, 0, 5_50)]);

    // The compressed tree is what ranks read: team volume 130 + 60 + 200 = 390; and the
    // company's volume is all that was bought, 500.
    let p = plan(
        "[pv_compression]\nmin_pv = \"50\"\n[[ranks]]\nname = \"Member\"\n[[ranks]]\n\
         name = \"Leader\"\ntv = \"390\"\n[[bonus]]\nkind = \"pool\"\nrate = \"0.1\"\n\
         shares = { Leader = 1 }\n",
    );
    let lines = pay(&p, &sponsors, pv);
    assert_eq!(lines, vec![l(1, 0, 0, 50_00)]);
    let sponsor: Vec<u32> = sponsors
        .iter()
        .map(|s| s.map_or(downline::downline::NO_SPONSOR, |s| s as u32))
        .collect();
    let mut e = PlanEngine::new(&p);
    let t = e.run_month(&MonthInput {
        month: 1,
        sponsor: &sponsor,
        join_month: &[1; 7],
        participating: &[true; 7],
        own_pv: pv[0],
        retail_pv: &[0; 7],
        preferred_pv: &[],
        parties: &[],
    });
    assert_eq!(t.volume, 500_00);
    assert_eq!(t.payout, 50_00);
    assert_eq!((e.pv[0], e.gv[0]), (130_00, 390_00));
    assert_eq!(e.rank[1], NO_RANK, "compressed out: no rank");
}

/// A rank given for the month keeps its holder's place: id 1 (PV 20) held at Member stays
/// in the tree, and id 3 (PV 10) is compressed into it.
#[test]
fn a_given_rank_keeps_its_place_in_compression() {
    let p = plan(
        "[active]\nmin_pv = \"0\"\n[pv_compression]\nmin_pv = \"50\"\n[[ranks]]\nname = \"Member\"\n\
         [[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.10\", \"0.05\"]\n",
    );
    let t = tree(&[None, Some(0), Some(1), Some(1)]);
    let vols = volumes(&[&[100_00, 20_00, 60_00, 10_00]]);
    let held = given(&[(1, "Member")]);
    let input = LedgerInput {
        tree: &t,
        volumes: &vols,
        ranks: &held,
        ..Default::default()
    };
    // 1 kept with PV 20 + 10: 0 earns 10% × 30 + 5% × 60 = 3.00 + 3.00; 1 earns 10% × 60
    // = 6.00 on 2 (3's 10 became 1's own).
    assert_eq!(
        compute_ledger(&p, &input).unwrap(),
        vec![l(1, 0, 0, 6_00), l(1, 1, 0, 6_00)]
    );
    let (path, message) = plan_err("[placement]\nkind = \"binary\"\n[pv_compression]\n");
    assert_eq!(path, "pv_compression");
    assert!(message.contains("placement tree"), "{message}");
}

// ---------------------------------------------------------------------------------------
// Personal volume bonus, compression by rank, fast start by level, rounding per term
// ---------------------------------------------------------------------------------------

/// Tiers 5% from 50 PV, 10% from 100 PV, paid on the whole PV: 49.99 → 0; 50 → 2.50;
/// 123.45 → 12.345 → 12.35 (half away from zero). Active from 60 PV by default required:
/// the 50 is not paid unless `require_active = false`.
#[test]
fn a_personal_volume_bonus_by_tier() {
    let text = |req: &str| {
        format!(
            "[active]\nmin_pv = \"60\"\n[[bonus]]\nkind = \"personal\"\n{req}\n\
             tiers = [{{ min_pv = \"50\", rate = \"0.05\" }}, {{ min_pv = \"100\", rate = \"0.10\" }}]\n"
        )
    };
    let pv: &[&[i64]] = &[&[49_99, 50_00, 123_45]];
    let sponsors = [None, None, None];
    assert_eq!(
        pay(&plan(&text("")), &sponsors, pv),
        vec![l(1, 2, 0, 12_35)]
    );
    assert_eq!(
        pay(&plan(&text("require_active = false")), &sponsors, pv),
        vec![l(1, 1, 0, 2_50), l(1, 2, 0, 12_35)]
    );
}

/// `0 Manager ─ 1 Member (50) ─ 2 Manager (100) ─ 3 (40)`; 0 has PV 100. Compressed by
/// rank (only Managers count as a level), 0's levels: 1 and 2 at level 1 (1 is no
/// Manager), 3 at level 2: 10% × 50 + 10% × 100 + 5% × 40 = 17.00; 2 earns 10% × 40 =
/// 4.00. Compressed by activity only (everyone active): 1 at level 1, 2 at level 2:
/// 5.00 + 5.00 = 10.00.
#[test]
fn unilevel_compression_by_rank() {
    let text = |compress: &str| {
        format!(
            "[[ranks]]\nname = \"Member\"\n[[ranks]]\nname = \"Manager\"\npv = \"100\"\n\
             [[bonus]]\nkind = \"unilevel\"\nrates = {{ Manager = [\"0.10\", \"0.05\"] }}\n{compress}\n"
        )
    };
    let sponsors = [None, Some(0), Some(1), Some(2)];
    let pv: &[&[i64]] = &[&[100_00, 50_00, 100_00, 40_00]];
    assert_eq!(
        pay(&plan(&text("compress_below = \"Manager\"")), &sponsors, pv),
        vec![l(1, 0, 0, 17_00), l(1, 2, 0, 4_00)]
    );
    assert_eq!(
        pay(&plan(&text("compression = true")), &sponsors, pv),
        vec![l(1, 0, 0, 10_00), l(1, 2, 0, 4_00)]
    );
    let (p, m) = plan_err(&text("compress_below = \"Boss\""));
    assert_eq!(p, "bonus[0].compress_below");
    assert!(m.contains("no rank is named"), "{m}");
}

/// Fast start by upline level: 0 ─ 1 ─ 2, id 2 new with PV 100: 1 earns 20% = 20.00 and
/// 0 earns 5% = 5.00; with `rate` only the sponsor.
#[test]
fn fast_start_to_several_upline_levels() {
    let pv: &[&[i64]] = &[&[0, 0, 100_00]];
    let sponsors = [None, Some(0), Some(1)];
    let p = plan(
        "[[bonus]]\nkind = \"fast_start\"\nlevels = [\"0.20\", \"0.05\"]\nrequire_active = false\n",
    );
    assert_eq!(
        pay(&p, &sponsors, pv),
        vec![l(1, 0, 0, 5_00), l(1, 1, 0, 20_00)]
    );
    let (path, m) =
        plan_err("[[bonus]]\nkind = \"fast_start\"\nrate = \"0.2\"\nlevels = [\"0.2\"]\n");
    assert_eq!(path, "bonus[0].levels");
    assert!(m.contains("not both"), "{m}");
    let (path, _) = plan_err("[[bonus]]\nkind = \"fast_start\"\n");
    assert_eq!(path, "bonus[0].rate");
}

/// Three recruits of 0.10 PV at 5%: once per line 0.30 × 5% = 0.015 → 0.02; once per term
/// 0.005 → 0.01 three times = 0.03. The same for a unilevel, a differential and a fast
/// start.
#[test]
fn rounding_once_per_term() {
    let pv: &[&[i64]] = &[&[0, 10, 10, 10]];
    let sponsors = [None, Some(0), Some(0), Some(0)];
    let bonuses = [
        "[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.05\"]\n",
        "[[ranks]]\nname = \"A\"\n[[bonus]]\nkind = \"differential\"\nrates = { A = \"0.05\" }\n",
        "[[bonus]]\nkind = \"fast_start\"\nrate = \"0.05\"\n",
    ];
    for b in bonuses {
        assert_eq!(pay(&plan(b), &sponsors, pv), vec![l(1, 0, 0, 2)], "{b}");
        let per_term = format!("[rounding]\nper = \"term\"\n{b}");
        assert_eq!(
            pay(&plan(&per_term), &sponsors, pv),
            vec![l(1, 0, 0, 3)],
            "{b}"
        );
    }
    let (path, m) = plan_err("[rounding]\nper = \"order\"\n");
    assert_eq!(path, "rounding.per");
    assert!(m.contains("\"line\""), "{m}");
    let (path, m) = plan_err(
        "[rounding]\nper = \"term\"\n[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.1\"]\n\
         [[bonus]]\nkind = \"matching\"\ngenerations = [\"0.1\"]\n",
    );
    assert_eq!(path, "rounding.per");
    assert!(m.contains("bonus[1] (matching)"), "{m}");
}

/// The walking evaluations of `per = "term"` against the level passes: with whole points
/// of PV and whole-percent rates every term is a whole number of cents, so both roundings
/// must pay the same — on random trees, with and without compression (by activity and by
/// rank), in both differential modes, with a same-rank override.
#[test]
fn per_term_walks_agree_with_the_level_passes_when_terms_are_whole_cents() {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    let ranks = "[active]\nmin_pv = \"20\"\n[[ranks]]\nname = \"A\"\n[[ranks]]\nname = \"B\"\ngv = \"300\"\n\
                 [[ranks]]\nname = \"C\"\ngv = \"900\"\n";
    let bonuses = [
        "[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.05\", \"0.03\", \"0.02\"]\nrates = { C = [\"0.07\", \"0.04\", \"0.03\", \"0.01\"] }\n",
        "[[bonus]]\nkind = \"unilevel\"\ncompression = true\nlevels = [\"0.05\", \"0.03\", \"0.02\"]\n",
        "[[bonus]]\nkind = \"unilevel\"\ncompress_below = \"B\"\nrates = { B = [\"0.05\", \"0.03\"], C = [\"0.06\", \"0.04\", \"0.02\"] }\n",
        "[[bonus]]\nkind = \"differential\"\nrates = { A = \"0.02\", B = \"0.05\", C = \"0.09\" }\nsame_rank_rate = \"0.01\"\n",
        "[[bonus]]\nkind = \"differential\"\nmode = \"discount\"\nrates = { A = \"0.02\", B = \"0.05\", C = \"0.09\" }\n",
        "[[bonus]]\nkind = \"fast_start\"\nlevels = [\"0.10\", \"0.05\"]\n",
    ];
    let mut paid = [0i64; 6];
    for round in 0..40 {
        let n = 2 + next(60) as usize;
        let sponsors: Vec<Option<i64>> = (0..n)
            .map(|k| {
                if k == 0 || next(10) == 0 {
                    None
                } else {
                    Some(next(k as u64) as i64)
                }
            })
            .collect();
        let month: Vec<i64> = (0..n)
            .map(|_| next(4) as i64 * next(150) as i64 * 100)
            .collect();
        let pv: &[&[i64]] = &[&month];
        for (k, b) in bonuses.iter().enumerate() {
            let line = plan(&format!("{ranks}{b}"));
            let term = plan(&format!("[rounding]\nper = \"term\"\n{ranks}{b}"));
            let lines = pay(&line, &sponsors, pv);
            assert_eq!(lines, pay(&term, &sponsors, pv), "round {round}, {b}");
            paid[k] += lines.iter().map(|x| x.amount).sum::<i64>();
        }
    }
    // Every bonus paid something over the rounds: the comparison is not vacuous.
    assert!(paid.iter().all(|&p| p > 0), "{paid:?}");
}

/// `0 C (3%) ─ 1 B (2%) ─ 2 A (1%) ─ 3 buyer (PV 1,000)`, ranks given for the month.
/// Infinity: 10.00 each (1%, 2 − 1, 3 − 2). Cumulative: 2 takes 1% (10.00), 1 takes its
/// full 2% (20.00), and the 3% is used up before 0. From the second level: 2 is passed
/// over; cumulative, 1 takes 2% (20.00) and 0 what is left, 1% (10.00). Counting only B
/// and up as levels, from the second: 2 and 1 are passed over and 0 takes 3% (30.00).
#[test]
fn a_cumulative_differential_from_the_second_level() {
    let text = |extra: &str| {
        format!(
            "[[ranks]]\nname = \"A\"\npv = \"999999\"\n[[ranks]]\nname = \"B\"\npv = \"999999\"\n\
             [[ranks]]\nname = \"C\"\npv = \"999999\"\n[[bonus]]\nkind = \"differential\"\n{extra}\n\
             rates = {{ A = \"0.01\", B = \"0.02\", C = \"0.03\" }}\n"
        )
    };
    let t = tree(&[None, Some(0), Some(1), Some(2)]);
    let vols = volumes(&[&[0, 0, 0, 1000_00]]);
    let held = given(&[(0, "C"), (1, "B"), (2, "A")]);
    let run = |extra: &str| {
        compute_ledger(
            &plan(&text(extra)),
            &LedgerInput {
                tree: &t,
                volumes: &vols,
                ranks: &held,
                ..Default::default()
            },
        )
        .unwrap()
    };
    assert_eq!(
        run(""),
        vec![l(1, 0, 0, 10_00), l(1, 1, 0, 10_00), l(1, 2, 0, 10_00)]
    );
    assert_eq!(
        run("mode = \"cumulative\""),
        vec![l(1, 1, 0, 20_00), l(1, 2, 0, 10_00)]
    );
    assert_eq!(
        run("mode = \"cumulative\"\nfrom_level = 2"),
        vec![l(1, 0, 0, 10_00), l(1, 1, 0, 20_00)]
    );
    assert_eq!(
        run("from_level = 2"),
        vec![l(1, 0, 0, 10_00), l(1, 1, 0, 20_00)]
    );
    assert_eq!(
        run("mode = \"cumulative\"\nfrom_level = 2\ncompress_below = \"B\""),
        vec![l(1, 0, 0, 30_00)]
    );
    let (path, m) = plan_err(&text("mode = \"cumulative\"\nsame_rank_rate = \"0.01\""));
    assert_eq!(path, "bonus[0].same_rank_rate");
    assert!(m.contains("cumulative"), "{m}");
}

// ---------------------------------------------------------------------------------------
// 5. Generations ended by rank
// ---------------------------------------------------------------------------------------

/// `0 D (PV 1,000) ─ 1 (100) ─ 2 D (200) ─ 3 (300) ─ 4 D (400) ─ 5 (50)`, D = Director
/// given for the month; a generation ends at the next Director; Directors earn 10% on
/// generation 1 and 5% on generation 2. For 0: 1 is its own group (generation 0), 2 and 3
/// generation 1, 4 and 5 generation 2: 10% × 500 + 5% × 450 = 72.50. For 2: 3 is its own
/// group, 4 and 5 generation 1: 10% × 450 = 45.00. 4 has only its own group.
///
/// Active from 250 PV, 2 (200) is not active: it is not paid, and with `compression` it
/// does not end a generation: then 0's generation 1 is 4 and 5: 10% × 450 = 45.00.
#[test]
fn generations_end_at_the_next_leader() {
    let text = |extra: &str| {
        format!(
            "[active]\nmin_pv = \"{}\"\n[[ranks]]\nname = \"Member\"\n[[ranks]]\nname = \"Director\"\n\
             pv = \"999999\"\n[[bonus]]\nkind = \"generation\"\nleader = \"Director\"\n\
             rates = {{ Director = [\"0.10\", \"0.05\"] }}\n{extra}\n",
            if extra.is_empty() { "0" } else { "250" }
        )
    };
    let t = tree(&[None, Some(0), Some(1), Some(2), Some(3), Some(4)]);
    let vols = volumes(&[&[1000_00, 100_00, 200_00, 300_00, 400_00, 50_00]]);
    let held = given(&[(0, "Director"), (2, "Director"), (4, "Director")]);
    let run = |text: String| {
        compute_ledger(
            &plan(&text),
            &LedgerInput {
                tree: &t,
                volumes: &vols,
                ranks: &held,
                ..Default::default()
            },
        )
        .unwrap()
    };
    assert_eq!(run(text("")), vec![l(1, 0, 0, 72_50), l(1, 2, 0, 45_00)]);
    // 2 inactive: not paid; without compression it still ends a generation.
    assert_eq!(run(text("compression = false")), vec![l(1, 0, 0, 72_50)]);
    assert_eq!(run(text("compression = true")), vec![l(1, 0, 0, 45_00)]);
    let (path, m) = plan_err(
        "[[ranks]]\nname = \"A\"\n[[bonus]]\nkind = \"generation\"\nleader = \"B\"\ngenerations = [\"0.1\"]\n",
    );
    assert_eq!(path, "bonus[0].leader");
    assert!(m.contains("no rank is named"), "{m}");
}

/// With `from_generation = 0` the own group is paid too (a unit commission): in the tree
/// above, 0's own group is 1 (100): 13% × 100 = 13.00, then 4% on generation 1
/// (2 and 3: 500) = 20.00: 33.00; 2's own group is 3 (300): 39.00, and 4% × 450 = 18.00:
/// 57.00; 4's own group is 5 (50): 6.50.
#[test]
fn a_unit_commission_on_the_own_group() {
    let p = plan(
        "[[ranks]]\nname = \"Member\"\n[[ranks]]\nname = \"Director\"\npv = \"999999\"\n\
         [[bonus]]\nkind = \"generation\"\nleader = \"Director\"\nfrom_generation = 0\n\
         rates = { Director = [\"0.13\", \"0.04\"] }\n",
    );
    let t = tree(&[None, Some(0), Some(1), Some(2), Some(3), Some(4)]);
    let vols = volumes(&[&[1000_00, 100_00, 200_00, 300_00, 400_00, 50_00]]);
    let held = given(&[(0, "Director"), (2, "Director"), (4, "Director")]);
    let lines = compute_ledger(
        &p,
        &LedgerInput {
            tree: &t,
            volumes: &vols,
            ranks: &held,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        lines,
        vec![l(1, 0, 0, 33_00), l(1, 2, 0, 57_00), l(1, 4, 0, 6_50)]
    );
}

/// Months in which nothing happens are skipped by `compute_commissions` (a month after an
/// empty month is that month again): the ledger is the same as when every month is made
/// an event by a row of zero volume, for plans of every family that keep no state across
/// months — and those that do (a qualification window, grace) are paid month by month.
#[test]
fn sparse_months_pay_as_if_every_month_were_computed() {
    let t: Vec<TreeRow> = (0..40)
        .map(|k| TreeRow {
            id: k,
            sponsor: if k == 0 { None } else { Some((k * 7 + 3) % k) },
            join_month: [0, 0, 3, 9, 40][k as usize / 8],
            quit_month: if k % 11 == 5 { Some(60) } else { None },
        })
        .collect();
    let sparse: Vec<VolumeRow> = (0..40)
        .flat_map(|k| {
            [(12, 100_00), (55, 80_00), (300, 150_00)]
                .into_iter()
                .filter(move |&(m, _)| {
                    m >= [0, 0, 3, 9, 40][k as usize / 8] && (m < 60 || k % 11 != 5)
                })
                .map(move |(m, pv)| VolumeRow {
                    id: k,
                    month: m,
                    pv: pv + k * 100,
                    retail: 0,
                    preferred: 0,
                })
        })
        .collect();
    // The same, with a zero row for everyone participating in every month.
    let mut dense = sparse.clone();
    for r in &t {
        let end = r.quit_month.unwrap_or(301).min(301);
        for m in r.join_month..end {
            if !sparse.iter().any(|v| v.id == r.id && v.month == m) {
                dense.push(VolumeRow {
                    id: r.id,
                    month: m,
                    pv: 0,
                    retail: 0,
                    preferred: 0,
                });
            }
        }
    }
    let mut paid = 0;
    for name in [
        "unilevel.toml",
        "unilevel_pools_matching.toml",
        "stairstep_breakaway.toml",
        "career_path.toml",
        "differential_royalty.toml",
        "hybrid_praxigento.toml",
    ] {
        let p = common::example(name);
        let run = |vols: &[VolumeRow]| {
            compute_ledger(
                &p,
                &LedgerInput {
                    tree: &t,
                    volumes: vols,
                    ..Default::default()
                },
            )
            .unwrap()
        };
        let (a, b) = (run(&sparse), run(&dense));
        paid += !a.is_empty() as u32;
        assert_eq!(a, b, "{name}");
    }
    assert!(
        paid >= 5,
        "only {paid} plans paid anything: the comparison says little"
    );
}

// ---------------------------------------------------------------------------------------
// 8. Event bonuses and allowances
// ---------------------------------------------------------------------------------------

/// A team-building bonus: 50.00 to the sponsor and 10.00 to its sponsor when a recruit's
/// first order reaches 600; paid once per recruit. `0 ─ 1 ─ 2, 3`: 2 orders 700 in month
/// 1 (paid), 3 orders 300 in month 1 and 900 in month 2 (its first order was too small:
/// never paid), 2's later orders pay nothing.
#[test]
fn a_sponsoring_bonus_on_a_recruits_first_order() {
    let p = plan(
        "[[bonus]]\nkind = \"sponsoring\"\namounts = [\"50\", \"10\"]\nmin_pv = \"600\"\n\
         require_active = false\n",
    );
    let pv: &[&[i64]] = &[&[0, 0, 700_00, 300_00], &[0, 0, 800_00, 900_00]];
    assert_eq!(
        pay(&p, &[None, Some(0), Some(1), Some(1)], pv),
        vec![l(1, 0, 0, 10_00), l(1, 1, 0, 50_00)]
    );
}

/// A bonus for a recruit reaching Manager (GV 500) within 2 months of joining: 1 joins
/// in month 1 and reaches it in month 2 (paid 100.00 to 0); 2 reaches it in month 3,
/// too late. Each is paid once, however often it is Manager after.
#[test]
fn a_sponsoring_bonus_on_a_recruit_reaching_a_rank_in_time() {
    let p = plan(&format!(
        "{MANAGER_10}\n[[bonus]]\nkind = \"sponsoring\"\namounts = [\"100\"]\nrank = \"Manager\"\n\
         within_months = 2\nrequire_active = false\n"
    ));
    let pv: &[&[i64]] = &[&[0, 100_00, 0], &[0, 600_00, 0], &[0, 600_00, 600_00]];
    let lines = pay(&p, &[None, Some(0), Some(0)], pv);
    assert_eq!(lines, vec![l(2, 0, 0, 100_00)]);
    let (path, _) = plan_err(&format!(
        "{MANAGER_10}\n[[bonus]]\nkind = \"sponsoring\"\namounts = [\"1\"]\nmin_pv = \"1\"\nrank = \"Manager\"\n"
    ));
    assert_eq!(path, "bonus[0].min_pv");
}

/// A car allowance of 500.00 a month for a Manager held 2 months in a row: Manager in
/// months 1, 2, 3, not 4, then 5, 6: paid in months 2, 3 and 6.
#[test]
fn an_allowance_for_a_rank_held_months_in_a_row() {
    let p = plan(&format!(
        "{MANAGER_10}\n[[bonus]]\nkind = \"allowance\"\namounts = {{ Manager = \"500\" }}\nmonths_held = 2\n"
    ));
    let m = |gv: i64| -> Vec<i64> { vec![0, gv] };
    let months: Vec<Vec<i64>> = [600_00, 600_00, 600_00, 100_00, 600_00, 600_00]
        .iter()
        .map(|&g| m(g))
        .collect();
    let pv: Vec<&[i64]> = months.iter().map(|r| r.as_slice()).collect();
    let lines: Vec<LedgerLine> = pay(&p, &[None, Some(0)], &pv)
        .into_iter()
        .filter(|x| x.id == 0)
        .collect();
    assert_eq!(
        lines,
        vec![l(2, 0, 0, 500_00), l(3, 0, 0, 500_00), l(6, 0, 0, 500_00)]
    );
}

// ---------------------------------------------------------------------------------------
// 7. Binary as plans write it
// ---------------------------------------------------------------------------------------

/// `0` with `1` placed left (PV 700) and `2` right (PV 500), both its recruits; 0's own
/// PV given. The weak (right) leg pairs 500.
fn binary_month(extra: &str, pv0: i64) -> Vec<LedgerLine> {
    use downline::ledger::PlacementRow;
    let p = plan(&format!(
        "[placement]\nkind = \"binary\"\n[[ranks]]\nname = \"Member\"\n[[ranks]]\nname = \"Gold\"\n\
         pv = \"100\"\n[[bonus]]\nkind = \"binary\"\n{extra}\n"
    ));
    let t = tree(&[None, Some(0), Some(0)]);
    let placement = [
        PlacementRow {
            id: 0,
            parent: None,
            leg: None,
        },
        PlacementRow {
            id: 1,
            parent: Some(0),
            leg: Some(0),
        },
        PlacementRow {
            id: 2,
            parent: Some(0),
            leg: Some(1),
        },
    ];
    let vols = volumes(&[&[pv0, 700_00, 500_00], &[pv0, 0, 0]]);
    compute_ledger(
        &p,
        &LedgerInput {
            tree: &t,
            placement: Some(&placement),
            volumes: &vols,
            ..Default::default()
        },
    )
    .unwrap()
    .into_iter()
    .filter(|x| x.id == 0)
    .collect()
}

/// Cycles of 200 PV at 25.00: 500 paired makes 2 cycles (50.00), 100 short of a cycle
/// stays: month 2 holds left 300, right 100 — no cycle. By rank: a Gold (own PV 100)
/// cycle is 25.00, a Member's 10.00.
#[test]
fn binary_pays_whole_cycles() {
    assert_eq!(
        binary_month("cycle_pv = \"200\"\ncycle_value = \"25\"", 0),
        vec![l(1, 0, 0, 50_00)]
    );
    let by_rank = "cycle_pv = \"200\"\ncycle_values = { Member = \"10\", Gold = \"25\" }";
    assert_eq!(binary_month(by_rank, 100_00), vec![l(1, 0, 0, 50_00)]);
    assert_eq!(binary_month(by_rank, 0), vec![l(1, 0, 0, 20_00)]);
    // A rate by rank: Gold 10% of 500 = 50.00; a Member (below the lowest listed) none.
    assert_eq!(
        binary_month("rates = { Gold = \"0.10\" }", 100_00),
        vec![l(1, 0, 0, 50_00)]
    );
    assert_eq!(binary_month("rates = { Gold = \"0.10\" }", 0), vec![]);
}

/// Cycles of 100 at 10.00: 5 cycles, 50.00, capped at 20.00 a month; with the first 2
/// cycles outside the cap: 20.00 + min(30.00, 20.00) = 40.00.
#[test]
fn binary_cap_with_exempt_first_cycles() {
    let base = "cycle_pv = \"100\"\ncycle_value = \"10\"\ncap_per_month = \"20\"";
    assert_eq!(binary_month(base, 0), vec![l(1, 0, 0, 20_00)]);
    assert_eq!(
        binary_month(&format!("{base}\ncap_exempt_cycles = 2"), 0),
        vec![l(1, 0, 0, 40_00)]
    );
}

/// A paycut at 2% of volume value: the month sells 1,200, the binary would pay 10% of
/// 500 = 50.00, and is cut to 24.00.
#[test]
fn binary_paycut_cuts_pro_rata() {
    assert_eq!(
        binary_month("rate = \"0.10\"\npaycut = \"0.02\"", 0),
        vec![l(1, 0, 0, 24_00)]
    );
    assert_eq!(
        binary_month("rate = \"0.10\"\npaycut = \"0.05\"", 0),
        vec![l(1, 0, 0, 50_00)]
    );
    for (extra, path) in [
        ("cycle_value = \"10\"", "bonus[0].cycle_pv"),
        (
            "rate = \"0.1\"\ncycle_pv = \"100\"\ncycle_value = \"10\"",
            "bonus[0].rate",
        ),
        (
            "rate = \"0.1\"\ncap_exempt_cycles = 2",
            "bonus[0].cap_exempt_cycles",
        ),
        ("", "bonus[0].rate"),
    ] {
        let (p, _) = plan_err(&format!(
            "[placement]\nkind = \"binary\"\n[[bonus]]\nkind = \"binary\"\n{extra}\n"
        ));
        assert_eq!(p, path, "{extra}");
    }
}

/// Levels unlocked by active legs, and compression by level qualification.
/// `0 ─ 1 ─ 2 ─ 3 (PV 100)`; 0 also sponsors 4 and 5, 2 also sponsors 6 (everyone active
/// at 0 PV): active legs 0 → 3, 1 → 1, 2 → 2. Rates 10%, 5%, 2% by level. Unlocked by
/// legs: 2 (level 1, 2 legs) earns 10.00; 1 (level 2, 1 leg) is not paid; 0 (level 3, 3
/// legs) earns 2.00. Passing over the unqualified as well: 1 does not fill level 2, so 0
/// is paid level 2's 5%: 5.00.
#[test]
fn levels_unlocked_by_active_legs_and_compression_by_level_qualification() {
    let text = |extra: &str| {
        format!(
            "[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.10\", \"0.05\", \"0.02\"]\n{extra}\n"
        )
    };
    let sponsors = [None, Some(0), Some(1), Some(2), Some(0), Some(0), Some(2)];
    let pv: &[&[i64]] = &[&[0, 0, 0, 100_00, 0, 0, 0]];
    assert_eq!(
        pay(&plan(&text("levels_by_active_legs = true")), &sponsors, pv),
        vec![l(1, 0, 0, 2_00), l(1, 2, 0, 10_00)]
    );
    assert_eq!(
        pay(
            &plan(&text(
                "levels_by_active_legs = true\nskip_unqualified = true"
            )),
            &sponsors,
            pv
        ),
        vec![l(1, 0, 0, 5_00), l(1, 2, 0, 10_00)]
    );
    // Without either: 2 10.00, 1 5.00, 0 2.00.
    assert_eq!(
        pay(&plan(&text("")), &sponsors, pv),
        vec![l(1, 0, 0, 2_00), l(1, 1, 0, 5_00), l(1, 2, 0, 10_00)]
    );
    let (path, _) = plan_err(&text("skip_unqualified = true\ncompression = true"));
    assert_eq!(path, "bonus[0].skip_unqualified");
}

/// Bounds that keep money in 64-bit cents, each refused by name: a plan's amounts (at
/// most 10,000,000), the activity minimum's worth, a point's worth, a scenario's money
/// figures, and a ledger row's and month's volume.
#[test]
fn money_beyond_the_bounds_is_refused_by_name() {
    let cases: &[(&str, &str, &str)] = &[
        ("[costs]\nannual_fee = \"10000000.01\"", "costs.annual_fee", "10,000,000"),
        (
            "[[ranks]]\nname = \"A\"\n[[bonus]]\nkind = \"rank_advancement\"\namounts = { A = \"2e7\" }",
            "bonus[0].amounts.A",
            "10,000,000",
        ),
        ("[active]\nmin_pv = \"20000000\"", "active.min_pv", "worth more"),
        ("[volume]\npoint_value = \"2000000\"", "volume.point_value", "1,000,000"),
    ];
    for (text, path, message) in cases {
        let (p, m) = plan_err(text);
        assert_eq!(&p, path, "{text}");
        assert!(m.contains(message), "{text}: {m}");
    }
    // 10,000,000 itself is allowed.
    plan("[costs]\nannual_fee = \"10000000\"");
    match downline::Scenario::parse("[expenses]\nmonthly = 1e300", downline::Format::Toml) {
        Err(downline::Error::Scenario { path, message }) => {
            assert_eq!(path, "expenses.monthly");
            assert!(message.contains("10,000,000"), "{message}");
        }
        other => panic!("expected a scenario error, got {other:?}"),
    }
    let p = plan("[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.1\"]");
    let t = tree(&[None, Some(0)]);
    let big = |pv: i64| {
        compute_ledger(
            &p,
            &LedgerInput {
                tree: &t,
                volumes: &volumes(&[&[0, pv]]),
                ..Default::default()
            },
        )
    };
    // 50,000,000,000,000 points in one row.
    let e = big(5_000_000_000_000_000).unwrap_err().to_string();
    assert!(
        e.contains("volumes row 0: id 1: pv") && e.contains("the most one row may hold"),
        "{e}"
    );
    // 1,000,000,000,000 points pays exactly: 10% = 100,000,000,000.00.
    assert_eq!(
        big(100_000_000_000_000).unwrap(),
        vec![l(1, 0, 0, 10_000_000_000_000)]
    );
}
