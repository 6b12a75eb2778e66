// Volumes are written as points_hundredths (100_00 = 100 points) on purpose.
#![allow(clippy::inconsistent_digit_grouping)]
//! Golden cases of the plan types beyond the unilevel, worked by hand: differential
//! (infinity), matching (generation), leadership pool, stairstep-breakaway.
//!
//! As in `tests/golden.rs`: volumes in hundredths of a point (`12_50` = 12.50 points),
//! amounts in cents, a ledger line is `(month, id, bonus index, cents)` ordered by month,
//! id, bonus, only non-zero lines; every line is `Σ volume × rate` computed exactly and
//! rounded ONCE, half away from zero, to the cent.

use downline::downline::NO_SPONSOR;
use downline::engine::{MonthInput, MonthTotals, PlanEngine, Sources};
use downline::{compute_commissions, CompiledPlan, LedgerLine, TreeRow, VolumeRow};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

mod common;
use common::{example, example_scenario, plan, plan_err};

/// A distributor who joins in month 1 and never quits.
fn d(id: i64, sponsor: Option<i64>) -> TreeRow {
    TreeRow {
        id,
        sponsor,
        join_month: 1,
        quit_month: None,
    }
}

/// Month-1 volume of `id`: `pv` hundredths of a point, none from retail customers.
fn v(id: i64, pv: i64) -> VolumeRow {
    VolumeRow {
        id,
        month: 1,
        pv,
        retail: 0,
        preferred: 0,
    }
}

fn l(id: i64, bonus: usize, amount: i64) -> LedgerLine {
    LedgerLine {
        month: 1,
        id,
        bonus,
        amount,
    }
}

fn run(p: &CompiledPlan, tree: &[TreeRow], vols: &[VolumeRow]) -> Vec<LedgerLine> {
    compute_commissions(p, tree, vols).unwrap_or_else(|e| panic!("compute_commissions failed: {e}"))
}

/// One month of the engine on a tree given by 0-based sponsors (all join in month 1).
fn engine_month(p: &CompiledPlan, sponsor: &[u32], own: &[i64], retail: &[i64]) -> MonthTotals {
    common::engine_month(p, sponsor, own, retail, &[], &[])
}

// ---------------------------------------------------------------------------------------
// 1. Differential (infinity)
// ---------------------------------------------------------------------------------------

/// Ranks by own PV alone: Distributor, Manager from 200, Director from 500. Active from 50.
const DIFF_RANKS: &str = r#"
    [active]
    min_pv = "50"
    [[ranks]]
    name = "Distributor"
    [[ranks]]
    name = "Manager"
    pv = "200"
    [[ranks]]
    name = "Director"
    pv = "500"
"#;

/// ```text
///   1  Director  pv 500
///   ├── 2  Manager  pv 200
///   │   └── 3  Distributor  pv 100
///   │       └── 4  Manager  pv 250
///   │           └── 5  Distributor  pv 100
///   └── 6  Director  pv 600
///       └── 7  Director  pv 500
///           └── 8  Distributor  pv 100
/// ```
fn diff_tree() -> (Vec<TreeRow>, Vec<VolumeRow>) {
    let tree = vec![
        d(1, None),
        d(2, Some(1)),
        d(3, Some(2)),
        d(4, Some(3)),
        d(5, Some(4)),
        d(6, Some(1)),
        d(7, Some(6)),
        d(8, Some(7)),
    ];
    let vols = vec![
        v(1, 500_00),
        v(2, 200_00),
        v(3, 100_00),
        v(4, 250_00),
        v(5, 100_00),
        v(6, 600_00),
        v(7, 500_00),
        v(8, 100_00),
    ];
    (tree, vols)
}

#[test]
fn differential_pays_the_rate_difference_to_unlimited_depth() {
    // Manager 4%, Director 7%, Distributor 0. On each distributor's PV, walking up its
    // line, an upline earns its rate less the highest rate already paid below it.
    //
    //   PV of 2 (200): 1 (Dir) 7%                                   → 1: 14.00
    //   PV of 3 (100): 2 (Mgr) 4%; 1: 7% − 4% = 3%                  → 2: 4.00, 1: 3.00
    //   PV of 4 (250): 3 (Distributor, 0%) 0; 2: 4%; 1: 3%          → 2: 10.00, 1: 7.50
    //   PV of 5 (100): 4 (Mgr) 4%; 3: 0; 2 (Mgr): 4% − 4% = 0 — blocked by the equal
    //                  rank 4 below it; 1: 7% − 4% = 3%              → 4: 4.00, 1: 3.00
    //   PV of 6 (600): 1 (Dir) 7%                                   → 1: 42.00
    //   PV of 7 (500): 6 (Dir) 7%; 1: 7% − 7% = 0 (blocked)         → 6: 35.00
    //   PV of 8 (100): 7 (Dir) 7%; 6 and 1 blocked                  → 7: 7.00
    //
    //   1: 14 + 3 + 7.50 + 3 + 42 = 69.50; 2: 14.00; 4: 4.00; 6: 35.00; 7: 7.00.
    //   No volume pays more than the top rate, 7%: e.g. PV of 5 pays 4% + 3% = 7%.
    let p = plan(&format!(
        "{DIFF_RANKS}
        [[bonus]]
        kind = \"differential\"
        rates = {{ Manager = \"0.04\", Director = \"0.07\" }}
    "
    ));
    let (tree, vols) = diff_tree();
    assert_eq!(
        run(&p, &tree, &vols),
        vec![
            l(1, 0, 69_50),
            l(2, 0, 14_00),
            l(4, 0, 4_00),
            l(6, 0, 35_00),
            l(7, 0, 7_00)
        ]
    );
}

#[test]
fn differential_same_rank_override_goes_to_the_first_equal_rank_upline_only() {
    // As above, with same_rank_rate = 1%. The override is paid to an upline of rank R
    // when the paid distributors strictly between it and the volume hold no rank above R
    // and exactly one of them holds R.
    //
    //   PV of 5 (100): between 2 (Mgr) and 5 are 4 (Mgr) and 3: one Manager → 2: +1.00.
    //                  1 (Dir): the highest rank between is Manager, not Director → no.
    //   PV of 8 (100): between 6 (Dir) and 8 is 7 (Dir): one Director → 6: +1.00.
    //                  1 (Dir): two Directors between (7 and 6) → not the first → no.
    //   PV of 4: between 2 and 4 is only 3 (Distributor): no Manager → no override
    //            (4 itself is the source, not on its own line).
    //   PV of 7: nothing between 6 and 7; 1 has one Director (6) between → 1: +5.00.
    //   PV of 3: 1 has 2 (Manager) between: not its rank → no.
    //
    //   1: 69.50 + 5.00 = 74.50; 2: 14.00 + 1.00 = 15.00; 6: 35.00 + 1.00 = 36.00.
    let p = plan(&format!(
        "{DIFF_RANKS}
        [[bonus]]
        kind = \"differential\"
        rates = {{ Manager = \"0.04\", Director = \"0.07\" }}
        same_rank_rate = \"0.01\"
    "
    ));
    let (tree, vols) = diff_tree();
    assert_eq!(
        run(&p, &tree, &vols),
        vec![
            l(1, 0, 74_50),
            l(2, 0, 15_00),
            l(4, 0, 4_00),
            l(6, 0, 36_00),
            l(7, 0, 7_00)
        ]
    );
}

#[test]
fn differential_inactive_uplines_are_transparent() {
    // Manager from 20 PV, active from 50: 2 (pv 30) is paid as Manager but inactive, so
    // it is not paid and does not count as "already paid" on the line.
    //
    //   1 Director pv 500 ── 2 Manager pv 30 (INACTIVE) ── 3 Manager pv 100 ── 4 pv 10
    //                                                      (4: no rank, inactive)
    //
    //   PV of 2 (30):  1: 7%                       → 1: 2.10
    //   PV of 3 (100): 2 not paid; 1: 7%           → 1: 7.00
    //   PV of 4 (10):  3: 4%; 2 skipped; 1: 3%     → 3: 0.40, 1: 0.30
    //   1: 2.10 + 7.00 + 0.30 = 9.40; 3: 0.40.
    let p = plan(
        r#"
        [active]
        min_pv = "50"
        [[ranks]]
        name = "Manager"
        pv = "20"
        [[ranks]]
        name = "Director"
        pv = "500"
        [[bonus]]
        kind = "differential"
        rates = { Manager = "0.04", Director = "0.07" }
    "#,
    );
    let tree = vec![d(1, None), d(2, Some(1)), d(3, Some(2)), d(4, Some(3))];
    let vols = vec![v(1, 500_00), v(2, 30_00), v(3, 100_00), v(4, 10_00)];
    assert_eq!(run(&p, &tree, &vols), vec![l(1, 0, 9_40), l(3, 0, 40)]);
}

#[test]
fn differential_an_unlisted_rank_takes_the_rate_of_the_rank_below() {
    // Ranks Manager (pv 200), Senior (pv 300), Director (pv 500); rates for Manager and
    // Director only: Senior has Manager's 4%.
    //   1 Director pv 500 ── 2 Senior pv 300 ── 3 Manager pv 200 ── 4 pv 100 (no rank)
    //   PV of 2 (300): 1: 7%                 → 21.00
    //   PV of 3 (200): 2: 4%; 1: 3%          → 2: 8.00, 1: 6.00
    //   PV of 4 (100): 3: 4%; 2: 4% − 4% = 0; 1: 3% → 3: 4.00, 1: 3.00
    //   1: 30.00; 2: 8.00; 3: 4.00.
    let p = plan(
        r#"
        [[ranks]]
        name = "Manager"
        pv = "200"
        [[ranks]]
        name = "Senior"
        pv = "300"
        [[ranks]]
        name = "Director"
        pv = "500"
        [[bonus]]
        kind = "differential"
        rates = { Manager = "0.04", Director = "0.07" }
    "#,
    );
    let tree = vec![d(1, None), d(2, Some(1)), d(3, Some(2)), d(4, Some(3))];
    let vols = vec![v(1, 500_00), v(2, 300_00), v(3, 200_00), v(4, 100_00)];
    assert_eq!(
        run(&p, &tree, &vols),
        vec![l(1, 0, 30_00), l(2, 0, 8_00), l(3, 0, 4_00)]
    );
}

#[test]
fn differential_rates_that_fall_with_rank_are_rejected() {
    let (path, msg) = plan_err(&format!(
        "{DIFF_RANKS}
        [[bonus]]
        kind = \"differential\"
        rates = {{ Manager = \"0.08\", Director = \"0.05\" }}
    "
    ));
    assert_eq!(path, "bonus[0].rates.Director");
    assert!(msg.contains("Manager"), "{msg}");
    let (path, _) = plan_err(&format!(
        "{DIFF_RANKS}
        [[bonus]]
        kind = \"differential\"
        rates = {{ Boss = \"0.08\" }}
    "
    ));
    assert_eq!(path, "bonus[0].rates.Boss");
    let (path, _) = plan_err(&format!(
        "{DIFF_RANKS}
        [[bonus]]
        kind = \"differential\"
        rates = {{ Manager = \"0.04\" }}
        same_rank_rate = \"1.5\"
    "
    ));
    assert_eq!(path, "bonus[0].same_rank_rate");
}

// ---------------------------------------------------------------------------------------
// 2. Matching (generation)
// ---------------------------------------------------------------------------------------

/// A chain 1 ← 2 ← 3 ← 4 ← 5 (each sponsors the next), PVs with cents.
fn chain() -> (Vec<TreeRow>, Vec<VolumeRow>) {
    let tree = vec![
        d(1, None),
        d(2, Some(1)),
        d(3, Some(2)),
        d(4, Some(3)),
        d(5, Some(4)),
    ];
    let vols = vec![
        v(1, 100_00),
        v(2, 123_45),
        v(3, 77_77),
        v(4, 50_00),
        v(5, 33_33),
    ];
    (tree, vols)
}

const MATCHING: &str = r#"
    [[bonus]]
    kind = "unilevel"
    levels = ["0.10"]
    [[bonus]]
    kind = "matching"
    generations = ["0.10", "0.05"]
"#;

#[test]
fn matching_pays_on_the_rounded_earnings_of_two_generations() {
    // Unilevel (bonus 0), 10% of level 1, each line rounded:
    //   1: 10% × 123.45 = 12.345 → 12.35      2: 10% × 77.77 = 7.777 → 7.78
    //   3: 10% × 50.00 = 5.00                 4: 10% × 33.33 = 3.333 → 3.33
    //   5: nothing below.
    // Matching (bonus 1): 10% of generation 1's unilevel, 5% of generation 2's, in cents:
    //   1: 10% × 7.78 + 5% × 5.00 = 0.778 + 0.25 = 1.028 → 1.03
    //   2: 10% × 5.00 + 5% × 3.33 = 0.50 + 0.1665 = 0.6665 → 0.67
    //   3: 10% × 3.33 + 5% × 0 = 0.333 → 0.33
    //   4: 10% × 0 = 0.
    let p = plan(MATCHING);
    let (tree, vols) = chain();
    assert_eq!(
        run(&p, &tree, &vols),
        vec![
            l(1, 0, 12_35),
            l(1, 1, 1_03),
            l(2, 0, 7_78),
            l(2, 1, 67),
            l(3, 0, 5_00),
            l(3, 1, 33),
            l(4, 0, 3_33),
        ]
    );
}

#[test]
fn matching_pays_only_active_distributors_and_matches_only_what_was_paid() {
    // Active from 60 PV: 4 (50) and 5 (33.33) are inactive.
    // Unilevel: 1: 12.35, 2: 7.78, 3: 10% × 50 = 5.00; 4 inactive → 0 (3.33 is breakage).
    // Matching: 1: 10% × 7.78 + 5% × 5.00 = 1.028 → 1.03
    //           2: 10% × 5.00 + 5% × 0 (4 was paid nothing) = 0.50
    //           3: 10% × 0 = 0; 4: inactive.
    let p = plan(&format!("[active]\nmin_pv = \"60\"\n{MATCHING}"));
    let (tree, vols) = chain();
    assert_eq!(
        run(&p, &tree, &vols),
        vec![
            l(1, 0, 12_35),
            l(1, 1, 1_03),
            l(2, 0, 7_78),
            l(2, 1, 50),
            l(3, 0, 5_00),
        ]
    );
}

#[test]
fn matching_by_rank_on_the_bonuses_it_names() {
    // Ranks by PV: Member, Leader from 100. Bonus 0 unilevel 10%; bonus 1 fast start 20%
    // (everyone joins in month 1: every recruit is in its first month); bonus 2 matches
    // only the unilevel (`on`), Leader 50% on generation 1, Member nothing.
    //
    // Fast start: 1: 20% × 123.45 = 24.69; 2: 20% × 77.77 = 15.554 → 15.55;
    //             3: 20% × 50 = 10.00;    4: 20% × 33.33 = 6.666 → 6.67.
    // Matching (unilevel amounts 12.35, 7.78, 5.00, 3.33, 0):
    //   1 (pv 100, Leader): 50% × 7.78 = 3.89
    //   2 (Leader): 50% × 5.00 = 2.50
    //   3 (pv 77.77, Member): nothing; 4: Member.
    let p = plan(
        r#"
        [[ranks]]
        name = "Member"
        [[ranks]]
        name = "Leader"
        pv = "100"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.10"]
        [[bonus]]
        kind = "fast_start"
        rate = "0.20"
        [[bonus]]
        kind = "matching"
        on = ["unilevel"]
        rates = { Leader = ["0.50"] }
    "#,
    );
    let (tree, vols) = chain();
    assert_eq!(
        run(&p, &tree, &vols),
        vec![
            l(1, 0, 12_35),
            l(1, 1, 24_69),
            l(1, 2, 3_89),
            l(2, 0, 7_78),
            l(2, 1, 15_55),
            l(2, 2, 2_50),
            l(3, 0, 5_00),
            l(3, 1, 10_00),
            l(4, 0, 3_33),
            l(4, 1, 6_67),
        ]
    );
}

#[test]
fn matching_of_volume_bonuses_is_traced_to_retail_volume() {
    // 0 ← 1 ← 2 (0-based). Unilevel 10% level 1; matching 50% generation 1.
    // 0: 100 own; 1: 100 own; 2: 60 own + 40 retail.
    //   Unilevel: 0: 10% × 100 = 10.00; 1: 10% × 100 = 10.00. Matching: 0: 50% × 10 = 5.00.
    //   Payout 25.00. On retail volume alone (2's 40 points): unilevel 1: 4.00, matching
    //   0: 50% × 4.00 = 2.00 → retail 6.00; the rest, 19.00, on downline purchases.
    let p = plan(
        r#"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.10"]
        [[bonus]]
        kind = "matching"
        generations = ["0.50"]
    "#,
    );
    let t = engine_month(
        &p,
        &[NO_SPONSOR, 0, 1],
        &[100_00, 100_00, 60_00],
        &[0, 0, 40_00],
    );
    assert_eq!(t.payout, 25_00);
    assert_eq!(
        t.sources,
        Sources {
            retail: 6_00,
            preferred: 0,
            party: 0,
            own: 0,
            downline: 19_00,
            other: 0
        }
    );
    // Matching a rank-advancement amount is not paid on volume: "other".
    let p = plan(
        r#"
        [[ranks]]
        name = "Star"
        pv = "100"
        [[bonus]]
        kind = "rank_advancement"
        amounts = { Star = "10" }
        [[bonus]]
        kind = "matching"
        generations = ["0.50"]
    "#,
    );
    // 0, 1 and 2 (100 points each) become Star: 10.00 each; 0 matches 50% of 1's 10.00
    // and 1 50% of 2's: 5.00 each. Payout 40.00, all "other".
    let t = engine_month(
        &p,
        &[NO_SPONSOR, 0, 1],
        &[100_00, 100_00, 60_00],
        &[0, 0, 40_00],
    );
    assert_eq!(t.payout, 40_00);
    assert_eq!(t.sources.other, 40_00);
}

#[test]
fn matching_names_only_earlier_company_paid_bonuses() {
    let (path, _) = plan_err(
        r#"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.10"]
        [[bonus]]
        kind = "matching"
        generations = ["0.10"]
        on = ["unilevel", "nope"]
    "#,
    );
    assert_eq!(path, "bonus[1].on[1]");
    let (path, msg) = plan_err(
        r#"
        [[bonus]]
        kind = "retail"
        markup = "0.25"
        [[bonus]]
        kind = "matching"
        generations = ["0.10"]
        on = ["retail"]
    "#,
    );
    assert_eq!(path, "bonus[1].on[0]");
    assert!(msg.contains("customers"), "{msg}");
    let (path, _) = plan_err(
        r#"
        [[bonus]]
        kind = "matching"
        generations = ["0.10"]
        [[bonus]]
        kind = "unilevel"
        levels = ["0.10"]
    "#,
    );
    assert_eq!(path, "bonus[0]");
    let (path, _) = plan_err(
        r#"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.10"]
        [[bonus]]
        kind = "matching"
        generations = ["0.10", "2"]
    "#,
    );
    assert_eq!(path, "bonus[1].generations[1]");
}

// ---------------------------------------------------------------------------------------
// 3. Leadership pool
// ---------------------------------------------------------------------------------------

const POOL: &str = r#"
    [active]
    min_pv = "50"
    [[ranks]]
    name = "Distributor"
    [[ranks]]
    name = "Director"
    pv = "200"
    [[ranks]]
    name = "Diamond"
    pv = "500"
    [[bonus]]
    kind = "pool"
    rate = "0.03"
    shares = { Director = 1, Diamond = 2 }
"#;

#[test]
fn pool_pays_out_exactly_with_largest_remainders_and_ties_to_the_earlier() {
    //   1 Diamond pv 500 ── 2 Director pv 300 ── 4 pv 100
    //                    └─ 3 Director pv 200 ── 5 pv 34
    // Company volume 500 + 300 + 200 + 100 + 34 = 1134 points; pool 3% = 34.02 → 3402 c.
    // Shares: 1 has 2, 2 and 3 have 1 each: 4 in all.
    //   1: 3402 × 2 / 4 = 1701 exactly.   2, 3: 3402 / 4 = 850, remainder 2 (of 4) each.
    //   Floors 1701 + 850 + 850 = 3401; 1 cent left: the remainders of 2 and 3 tie, and it
    //   goes to the earlier, 2 → 8.51. Paid 17.01 + 8.51 + 8.50 = 34.02, the pool.
    let p = plan(POOL);
    let tree = vec![
        d(1, None),
        d(2, Some(1)),
        d(3, Some(1)),
        d(4, Some(2)),
        d(5, Some(3)),
    ];
    let vols = vec![
        v(1, 500_00),
        v(2, 300_00),
        v(3, 200_00),
        v(4, 100_00),
        v(5, 34_00),
    ];
    assert_eq!(
        run(&p, &tree, &vols),
        vec![l(1, 0, 17_01), l(2, 0, 8_51), l(3, 0, 8_50)]
    );
    // With 5 at 33.67 points: volume 1133.67, pool 34.0101 → 34.01 = 3401 c.
    //   1: 6802 / 4 = 1700 r 2; 2, 3: 850 r 1. Floors 3400; the cent goes to the
    //   largest remainder, 1's → 17.01, 8.50, 8.50.
    let mut vols = vols;
    vols[4] = v(5, 33_67);
    assert_eq!(
        run(&p, &tree, &vols),
        vec![l(1, 0, 17_01), l(2, 0, 8_50), l(3, 0, 8_50)]
    );
}

#[test]
fn pool_with_no_qualifier_pays_nothing() {
    // No one reaches Director (200): the pool is breakage.
    let p = plan(POOL);
    let tree = vec![d(1, None), d(2, Some(1))];
    let vols = vec![v(1, 199_99), v(2, 150_00)];
    assert_eq!(run(&p, &tree, &vols), vec![]);
    let t = engine_month(&p, &[NO_SPONSOR, 0], &[199_99, 150_00], &[0, 0]);
    assert_eq!((t.payout, t.potential), (0, 0));
}

#[test]
fn pool_inactive_rank_holders_do_not_share() {
    // Director from 20 PV, active from 50: 2 (pv 30) is paid as Director but inactive.
    // Volume 250 + 30 = 280; pool 10% = 28.00, all to 1. Had 2 been active: 14.00 each,
    // so the potential is the same pool (28.00) and the breakage is 0.
    let p = plan(
        r#"
        [active]
        min_pv = "50"
        [[ranks]]
        name = "Director"
        pv = "20"
        [[bonus]]
        kind = "pool"
        rate = "0.10"
        shares = { Director = 1 }
    "#,
    );
    let tree = vec![d(1, None), d(2, Some(1))];
    let vols = vec![v(1, 250_00), v(2, 30_00)];
    assert_eq!(run(&p, &tree, &vols), vec![l(1, 0, 28_00)]);
}

#[test]
fn pool_bad_shares_are_rejected() {
    let (path, _) = plan_err(&POOL.replace("Director = 1", "Director = 0"));
    assert_eq!(path, "bonus[0].shares.Director");
    let (path, _) = plan_err(&POOL.replace("Director = 1", "Dirctor = 1"));
    assert_eq!(path, "bonus[0].shares.Dirctor");
    let (path, _) = plan_err(&POOL.replace("\"0.03\"", "\"-0.03\""));
    assert_eq!(path, "bonus[0].rate");
}

// ---------------------------------------------------------------------------------------
// 4. Stairstep-breakaway
// ---------------------------------------------------------------------------------------

const STAIRSTEP: &str = r#"
    [[bonus]]
    kind = "stairstep"
    tiers = [
        { gv = "100", rate = "0.03" },
        { gv = "300", rate = "0.06" },
        { gv = "600", rate = "0.09" },
        { gv = "1000", rate = "0.12" },
    ]
    generation_rates = ["0.04", "0.02"]
"#;

#[test]
fn stairstep_pays_the_difference_between_tiers() {
    //   1 pv 100
    //   ├── 2 pv 200 ── 4 pv 50
    //   └── 3 pv 150
    // Group volumes: 4: 50 (below the first tier, 0%); 2: 250 (3%); 3: 150 (3%);
    //   1: 100 + 250 + 150 = 500 (6%).
    // 2: 3% × 250 = 7.50. 3: 3% × 150 = 4.50. 4: nothing.
    // 1: 6% × 500 − (3% × 250 + 3% × 150) = 30.00 − 12.00 = 18.00.
    let p = plan(STAIRSTEP);
    let tree = vec![d(1, None), d(2, Some(1)), d(3, Some(1)), d(4, Some(2))];
    let vols = vec![v(1, 100_00), v(2, 200_00), v(3, 150_00), v(4, 50_00)];
    assert_eq!(
        run(&p, &tree, &vols),
        vec![l(1, 0, 18_00), l(2, 0, 7_50), l(3, 0, 4_50)]
    );
}

#[test]
fn stairstep_breakaway_exactly_at_the_tier_and_a_breakaway_inside_a_breakaway() {
    //   1 pv 100
    //   ├── 2 pv 400
    //   │   └── 3 pv 700
    //   │       ├── 4 pv 1000      exactly the top tier: breaks away
    //   │       └── 6 pv 300
    //   └── 5 pv 999.99            one cent of volume short: does not break away
    //
    // Group volumes (a breakaway's group does not count upward):
    //   4: 1000 → 12%, breaks away.   6: 300 → 6%.
    //   3: 700 + 300 = 1000 (4 excluded) → 12%, breaks away (a breakaway inside 1's).
    //   2: 400 (3 excluded) → 6%.     5: 999.99 → 9%.
    //   1: 100 + 400 + 999.99 = 1499.99 → 12%.
    // Performance bonus:
    //   4: 12% × 1000 = 120.00                    6: 6% × 300 = 18.00
    //   3: 12% × 1000 − 6% × 300 = 102.00         2: 6% × 400 = 24.00
    //   5: 9% × 999.99 = 89.9991 → 90.00
    //   1: 12% × 1499.99 − (6% × 400 + 9% × 999.99) = 179.9988 − 113.9991 = 65.9997
    // Generation overrides (4%, 2%) to those at the breakaway rate themselves:
    //   1: generation 1 = 3 (the first breakaway on its line; 2 did not break away):
    //      4% × 1000 = 40.00; generation 2 = 4 (below 3): 2% × 1000 = 20.00.
    //      Line: 65.9997 + 60 = 125.9997 → 126.00 (rounded once).
    //   3: generation 1 = 4: 4% × 1000 = 40.00 → 102 + 40 = 142.00.
    //   2 (6%) earns no override on 3.
    let p = plan(STAIRSTEP);
    let tree = vec![
        d(1, None),
        d(2, Some(1)),
        d(3, Some(2)),
        d(4, Some(3)),
        d(5, Some(1)),
        d(6, Some(3)),
    ];
    let vols = vec![
        v(1, 100_00),
        v(2, 400_00),
        v(3, 700_00),
        v(4, 1000_00),
        v(5, 999_99),
        v(6, 300_00),
    ];
    assert_eq!(
        run(&p, &tree, &vols),
        vec![
            l(1, 0, 126_00),
            l(2, 0, 24_00),
            l(3, 0, 142_00),
            l(4, 0, 120_00),
            l(5, 0, 90_00),
            l(6, 0, 18_00),
        ]
    );
}

#[test]
fn stairstep_breakaway_at_a_lower_tier_and_inactive_payees() {
    // breakaway_rate = 9%: a leg breaks away from 600 PGV. One generation, 5%.
    // Active from 50 PV.
    //   1 pv 700 ── 2 pv 40 (INACTIVE) ── 3 pv 650
    //   3: 650 → 9%, breaks away. 2: 40 (3 excluded) → 0%. 1: 700 + 40 = 740 → 9%.
    //   3: 9% × 650 = 58.50.  2: below the first tier, and inactive: nothing.
    //   1: 9% × 740 − 0 (2 earns 0%) = 66.60; generation 1 = 3 (through the inactive 2):
    //      5% × 650 = 32.50 → 99.10.
    let p = plan(
        r#"
        [active]
        min_pv = "50"
        [[bonus]]
        kind = "stairstep"
        tiers = [
            { gv = "100", rate = "0.03" },
            { gv = "300", rate = "0.06" },
            { gv = "600", rate = "0.09" },
            { gv = "1000", rate = "0.12" },
        ]
        breakaway_rate = "0.09"
        generation_rates = ["0.05"]
    "#,
    );
    let tree = vec![d(1, None), d(2, Some(1)), d(3, Some(2))];
    let vols = vec![v(1, 700_00), v(2, 40_00), v(3, 650_00)];
    assert_eq!(run(&p, &tree, &vols), vec![l(1, 0, 99_10), l(3, 0, 58_50)]);
}

#[test]
fn stairstep_own_purchases_and_retail_are_traced() {
    // 0 ← 1 (0-based). Tiers 100 → 5%, 1000 → 10% (breakaway).
    // 0: 100 own. 1: 60 own + 40 retail. PGV 1: 100 (5%); 0: 200 (5%).
    //   1: 5% × 100 = 5.00; 0: 5% × 200 − 5% × 100 = 5.00. Payout 10.00.
    //   Own purchases: 0: 5% × 100 = 5.00; 1: 5% × 60 = 3.00 → own 8.00.
    //   Retail (tiers held): 1: 5% × 40 = 2.00; 0: 5% × 40 − 5% × 40 = 0 → retail 2.00.
    //   Downline: 10.00 − 8.00 − 2.00 = 0.
    let p = plan(
        r#"
        [[bonus]]
        kind = "stairstep"
        tiers = [{ gv = "100", rate = "0.05" }, { gv = "1000", rate = "0.10" }]
    "#,
    );
    let t = engine_month(&p, &[NO_SPONSOR, 0], &[100_00, 60_00], &[0, 40_00]);
    assert_eq!(t.payout, 10_00);
    assert_eq!(
        t.sources,
        Sources {
            retail: 2_00,
            preferred: 0,
            party: 0,
            own: 8_00,
            downline: 0,
            other: 0
        }
    );
}

#[test]
fn stairstep_tiers_out_of_order_are_rejected_by_field() {
    let (path, msg) = plan_err(
        r#"
        [[bonus]]
        kind = "stairstep"
        tiers = [{ gv = "300", rate = "0.03" }, { gv = "100", rate = "0.06" }]
    "#,
    );
    assert_eq!(path, "bonus[0].tiers[1].gv");
    assert!(msg.contains("increasing"), "{msg}");
    let (path, _) = plan_err(
        r#"
        [[bonus]]
        kind = "stairstep"
        tiers = [{ gv = "100", rate = "0.06" }, { gv = "300", rate = "0.03" }]
    "#,
    );
    assert_eq!(path, "bonus[0].tiers[1].rate");
    let (path, _) = plan_err(
        r#"
        [[bonus]]
        kind = "stairstep"
        tiers = [{ gv = "100", rate = "0.03" }, { gv = "300", rate = "0.06" }]
        breakaway_rate = "0.05"
    "#,
    );
    assert_eq!(path, "bonus[0].breakaway_rate");
    let (path, _) = plan_err(
        r#"
        [[bonus]]
        kind = "stairstep"
        tiers = []
    "#,
    );
    assert_eq!(path, "bonus[0].tiers");
    let (path, _) = plan_err(
        r#"
        [[bonus]]
        kind = "stairstep"
        tiers = [{ gv = "100", rate = "0.03" }]
        generation_rates = ["0.04", "-1"]
    "#,
    );
    assert_eq!(path, "bonus[0].generation_rates[1]");
}

// ---------------------------------------------------------------------------------------
// Properties on random trees, against naive reference implementations
// ---------------------------------------------------------------------------------------

// Reference implementations loop over parallel arrays by index on purpose.
#[allow(clippy::needless_range_loop)]
mod properties {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus as R;

    /// Rank thresholds by own PV (points): R0 from 0, R1 from 200, R2 from 500, R3 from 800.
    const RANK_PV: [i64; 4] = [0, 200_00, 500_00, 800_00];
    const RANKS: &str = r#"
        [active]
        min_pv = "50"
        [[ranks]]
        name = "R0"
        [[ranks]]
        name = "R1"
        pv = "200"
        [[ranks]]
        name = "R2"
        pv = "500"
        [[ranks]]
        name = "R3"
        pv = "800"
    "#;

    struct Case {
        sponsor: Vec<u32>,
        pv: Vec<i64>,
        /// participating
        on: Vec<bool>,
    }

    impl Case {
        fn draw(r: &mut R) -> Case {
            let n = r.random_range(1..80usize);
            let mut sponsor = vec![];
            for i in 0..n {
                sponsor.push(if i == 0 || r.random_bool(0.05) {
                    u32::MAX
                } else {
                    // Deep trees: usually one of the last few.
                    let lo = i.saturating_sub(if r.random_bool(0.7) { 3 } else { i });
                    r.random_range(lo..i) as u32
                });
            }
            let on: Vec<bool> = (0..n).map(|_| r.random_bool(0.9)).collect();
            let pv = (0..n)
                .map(|i| {
                    if on[i] {
                        r.random_range(0..1_200_00)
                    } else {
                        0
                    }
                })
                .collect();
            Case { sponsor, pv, on }
        }
        fn n(&self) -> usize {
            self.sponsor.len()
        }
        fn rank(&self, i: usize) -> Option<usize> {
            if !self.on[i] {
                return None;
            }
            (0..4).rev().find(|&k| self.pv[i] >= RANK_PV[k])
        }
        fn paid(&self, i: usize) -> bool {
            self.on[i] && self.pv[i] >= 50_00
        }
        fn parent(&self, i: usize) -> Option<usize> {
            let s = self.sponsor[i];
            (s != u32::MAX).then_some(s as usize)
        }
        fn month(&self, p: &CompiledPlan) -> (Vec<Vec<i64>>, MonthTotals) {
            let n = self.n();
            let mut e = PlanEngine::new(p);
            let t = e.run_month(&MonthInput {
                month: 1,
                sponsor: &self.sponsor,
                join_month: &vec![1; n],
                participating: &self.on,
                own_pv: &self.pv,
                retail_pv: &vec![0; n],
                preferred_pv: &[],
                parties: &[],
            });
            (e.amounts.iter().map(|a| a[..n].to_vec()).collect(), t)
        }
    }

    fn cents(acc: i128) -> i64 {
        let q = acc / 1_000_000;
        let r = acc % 1_000_000;
        (q + if 2 * r.abs() >= 1_000_000 {
            acc.signum()
        } else {
            0
        }) as i64
    }

    fn rate_str(x: i64) -> String {
        format!("\"0.{x:06}\"")
    }

    #[test]
    fn differential_matches_a_walk_up_the_line_and_never_pays_above_the_top_rate() {
        for seed in 0..300u64 {
            let mut r = R::seed_from_u64(seed);
            let c = Case::draw(&mut r);
            // Non-decreasing rates for R1..R3 (R0 unlisted: 0), sometimes equal.
            let mut rates = [0i64; 4];
            for k in 1..4 {
                rates[k] = rates[k - 1] + r.random_range(0..3) * 10_000;
            }
            let same = if r.random_bool(0.5) {
                r.random_range(0..20_000)
            } else {
                0
            };
            let p = plan(&format!(
                "{RANKS}\n[[bonus]]\nkind = \"differential\"\nrates = {{ R1 = {}, R2 = {}, R3 = {} }}\nsame_rank_rate = {}\n",
                rate_str(rates[1]),
                rate_str(rates[2]),
                rate_str(rates[3]),
                rate_str(same)
            ));
            let n = c.n();
            let mut acc = vec![0i128; n];
            for j in 0..n {
                let v = c.pv[j] as i128;
                let (mut m, mut top_rank, mut count) = (0i64, None::<usize>, 0);
                let mut paid_on_j = 0i64;
                let mut a = c.parent(j);
                while let Some(x) = a {
                    if c.paid(x) {
                        let k = c.rank(x).unwrap();
                        if rates[k] > m {
                            acc[x] += (rates[k] - m) as i128 * v;
                            paid_on_j += rates[k] - m;
                            m = rates[k];
                        }
                        if same > 0 && rates[k] > 0 && top_rank == Some(k) && count == 1 {
                            acc[x] += same as i128 * v;
                        }
                        match top_rank {
                            Some(t) if t == k => count += 1,
                            Some(t) if t > k => {}
                            _ => {
                                top_rank = Some(k);
                                count = 1;
                            }
                        }
                    }
                    a = c.parent(x);
                }
                assert!(paid_on_j <= rates[3], "seed {seed}: {paid_on_j} > top rate");
            }
            let want: Vec<i64> = acc.iter().map(|&a| cents(a)).collect();
            let (got, _) = c.month(&p);
            assert_eq!(got[0], want, "seed {seed}");
        }
    }

    #[test]
    fn matching_matches_a_walk_up_the_sponsor_line() {
        for seed in 0..300u64 {
            let mut r = R::seed_from_u64(seed);
            let c = Case::draw(&mut r);
            let gens: Vec<i64> = (0..r.random_range(1..5))
                .map(|_| r.random_range(0..300_000))
                .collect();
            let list: Vec<String> = gens.iter().map(|&g| rate_str(g)).collect();
            let p = plan(&format!(
                "{RANKS}\n[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.10\", \"0.05\"]\n[[bonus]]\nkind = \"matching\"\nrates = {{ R2 = [{}], R3 = [{}] }}\n",
                list.join(", "),
                list.join(", ")
            ));
            let n = c.n();
            let (got, _) = c.month(&p);
            let uni = &got[0];
            let mut acc = vec![0i128; n];
            for j in 0..n {
                let mut a = c.parent(j);
                let mut g = 0;
                while let Some(x) = a {
                    if g >= gens.len() {
                        break;
                    }
                    if c.paid(x) && c.rank(x).unwrap() >= 2 {
                        acc[x] += gens[g] as i128 * uni[j] as i128;
                    }
                    g += 1;
                    a = c.parent(x);
                }
            }
            let want: Vec<i64> = acc.iter().map(|&a| cents(a)).collect();
            assert_eq!(got[1], want, "seed {seed}");
        }
    }

    #[test]
    fn pools_pay_out_exactly_the_pool() {
        for seed in 0..300u64 {
            let mut r = R::seed_from_u64(seed);
            let c = Case::draw(&mut r);
            let rate = r.random_range(1..100_000);
            let (s1, s2, s3) = (
                r.random_range(1..4),
                r.random_range(1..6),
                r.random_range(1..9),
            );
            let p = plan(&format!(
                "{RANKS}\n[[bonus]]\nkind = \"pool\"\nrate = {}\nshares = {{ R1 = {s1}, R2 = {s2}, R3 = {s3} }}\n",
                rate_str(rate)
            ));
            let n = c.n();
            let total_pv: i128 = c.pv.iter().map(|&x| x as i128).sum();
            let pool = cents(total_pv * rate as i128);
            let sh = |i: usize| -> i64 {
                if !c.paid(i) {
                    return 0;
                }
                [0, s1, s2, s3][c.rank(i).unwrap()]
            };
            let total_shares: i64 = (0..n).map(sh).sum();
            let (got, t) = c.month(&p);
            let paid: i64 = got[0].iter().sum();
            if total_shares == 0 {
                assert_eq!(paid, 0, "seed {seed}");
                continue;
            }
            assert_eq!(paid, pool, "seed {seed}");
            assert_eq!(t.payout, pool, "seed {seed}");
            for i in 0..n {
                // Within one cent of the exact share, and never a cent to a non-qualifier.
                let exact = pool as i128 * sh(i) as i128;
                let a = got[0][i] as i128 * total_shares as i128;
                assert!(
                    a >= exact - total_shares as i128 && a < exact + total_shares as i128
                        || sh(i) == 0 && got[0][i] == 0,
                    "seed {seed} i {i}"
                );
            }
        }
    }

    #[test]
    fn stairstep_matches_a_recursive_reference() {
        for seed in 0..300u64 {
            let mut r = R::seed_from_u64(seed);
            let c = Case::draw(&mut r);
            let tiers: [(i64, i64); 4] = [
                (100_00, 30_000),
                (300_00, 60_000),
                (600_00, 90_000),
                (1000_00, 120_000),
            ];
            let bk_tier = r.random_range(1..4usize);
            let gens: Vec<i64> = (0..r.random_range(0..4))
                .map(|_| r.random_range(0..50_000))
                .collect();
            let list: Vec<String> = gens.iter().map(|&g| rate_str(g)).collect();
            let p = plan(&format!(
                "[active]\nmin_pv = \"50\"\n[[bonus]]\nkind = \"stairstep\"\ntiers = [{}]\nbreakaway_rate = {}\ngeneration_rates = [{}]\n",
                tiers.iter().map(|&(g, t)| format!("{{ gv = \"{}.{:02}\", rate = {} }}", g / 100, g % 100, rate_str(t))).collect::<Vec<_>>().join(", "),
                rate_str(tiers[bk_tier].1),
                list.join(", ")
            ));
            let n = c.n();
            let kids: Vec<Vec<usize>> = (0..n)
                .map(|i| (0..n).filter(|&k| c.parent(k) == Some(i)).collect())
                .collect();
            fn pgv(
                i: usize,
                c: &Case,
                kids: &[Vec<usize>],
                rate: &dyn Fn(i64) -> i64,
                bk: i64,
            ) -> i64 {
                c.pv[i]
                    + kids[i]
                        .iter()
                        .map(|&k| pgv(k, c, kids, rate, bk))
                        .filter(|&g| rate(g) < bk)
                        .sum::<i64>()
            }
            let rate = |g: i64| {
                tiers
                    .iter()
                    .filter(|t| t.0 <= g)
                    .map(|t| t.1)
                    .next_back()
                    .unwrap_or(0)
            };
            let bk = tiers[bk_tier].1;
            let g: Vec<i64> = (0..n).map(|i| pgv(i, &c, &kids, &rate, bk)).collect();
            // Generation-`k` breakaways below `i`: depth-first, counting breakaways passed.
            fn gen_vol(
                x: usize,
                k: usize,
                kids: &[Vec<usize>],
                g: &[i64],
                brk: &dyn Fn(usize) -> bool,
                out: &mut [i64],
            ) {
                for &y in &kids[x] {
                    if brk(y) {
                        if k < out.len() {
                            out[k] += g[y];
                            gen_vol(y, k + 1, kids, g, brk, out);
                        }
                    } else {
                        gen_vol(y, k, kids, g, brk, out);
                    }
                }
            }
            let brk = |i: usize| rate(g[i]) >= bk;
            let want: Vec<i64> = (0..n)
                .map(|i| {
                    if !c.paid(i) {
                        return 0;
                    }
                    let mut a = rate(g[i]) as i128 * g[i] as i128;
                    for &k in &kids[i] {
                        if !brk(k) {
                            a -= rate(g[k]) as i128 * g[k] as i128;
                        }
                    }
                    assert!(a >= 0, "seed {seed}");
                    if rate(g[i]) >= bk {
                        let mut gv = vec![0i64; gens.len()];
                        gen_vol(i, 0, &kids, &g, &brk, &mut gv);
                        for (k, &gr) in gens.iter().enumerate() {
                            a += gr as i128 * gv[k] as i128;
                        }
                    }
                    cents(a)
                })
                .collect();
            let (got, _) = c.month(&p);
            assert_eq!(got[0], want, "seed {seed}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// The example plans
// ---------------------------------------------------------------------------------------

#[test]
fn every_example_plan_loads_and_simulates() {
    use downline::{simulate, KeepDistributors, SimulateOptions};
    let dir = format!("{}/examples/plans", env!("CARGO_MANIFEST_DIR"));
    let scen = example_scenario("baseline.toml");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 4, "{names:?}");
    for name in names {
        let p = example(&name);
        let opts = SimulateOptions {
            months: 12,
            runs: 2,
            seed: 3,
            threads: Some(1),
            keep_distributors: KeepDistributors::None,
            max_memory: None,
        };
        let runs = simulate(&p, &scen, &opts, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        for r in &runs {
            let payout: i64 = r.monthly.iter().map(|m| m.payout).sum();
            assert!(payout > 0, "{name} paid nothing");
        }
    }
}

#[test]
fn example_stairstep_breakaway_on_a_small_tree() {
    // examples/plans/stairstep_breakaway.toml: bonus 0 retail (no retail volume here),
    // bonus 1 the performance bonus (3% from 200 … 21% from 10,000; 4% leadership bonus).
    //
    //   1 ── 2 pv 10,000   (21%: breaks away)
    //    └── 3 pv 700      (6%)
    //
    // Month 1, 1 has pv 3,000: PGV(1) = 3,000 + 700 = 3,700 (2 excluded) → 12%.
    //   2: 21% × 10,000 = 2,100.00;  3: 6% × 700 = 42.00;
    //   1: 12% × 3,700 − 6% × 700 = 444.00 − 42.00 = 402.00, and no leadership bonus: it
    //      is not at 21% itself.
    // Month 2, 1 has pv 10,000: PGV(1) = 10,700 → 21%.
    //   1: 21% × 10,700 − 42.00 = 2,247.00 − 42.00 = 2,205.00, plus 4% × 10,000 = 400.00
    //      on the broken-away 2 → 2,605.00. 2 and 3 as before.
    let p = example("stairstep_breakaway.toml");
    let tree = vec![d(1, None), d(2, Some(1)), d(3, Some(1))];
    let mut vols = vec![];
    for (month, pv1) in [(1, 3_000_00), (2, 10_000_00)] {
        for (id, pv) in [(1, pv1), (2, 10_000_00), (3, 700_00)] {
            vols.push(VolumeRow {
                id,
                month,
                pv,
                retail: 0,
                preferred: 0,
            });
        }
    }
    let m = |month, id, amount| LedgerLine {
        month,
        id,
        bonus: 1,
        amount,
    };
    assert_eq!(
        run(&p, &tree, &vols),
        vec![
            m(1, 1, 402_00),
            m(1, 2, 2_100_00),
            m(1, 3, 42_00),
            m(2, 1, 2_605_00),
            m(2, 2, 2_100_00),
            m(2, 3, 42_00),
        ]
    );
}
