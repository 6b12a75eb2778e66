// Volumes are written as points_hundredths (100_00 = 100 points) on purpose.
#![allow(clippy::inconsistent_digit_grouping)]
//! Golden cases worked by hand.
//!
//! Every case is a small tree (3 to 10 distributors) whose ledger was computed on paper
//! from the rules documented in `src/money.rs`, `src/engine/**` and `src/ledger.rs`:
//!
//! * volumes are in hundredths of a point (`12_50` is 12.50 points), amounts in cents;
//! * with the default point value (1 currency unit per point), a line is
//!   `Σ volume × rate`, computed exactly and rounded ONCE, half away from zero, to the cent;
//! * a ledger line is `(month, id, bonus index, cents)`, ordered by month, id, bonus, and
//!   only non-zero lines appear.
//!
//! Volumes are written `NNN_CC` so that `80_30` reads "80.30 points".

use downline::{compute_commissions, CompiledPlan, Error, Format, LedgerLine, TreeRow, VolumeRow};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn plan(toml: &str) -> CompiledPlan {
    CompiledPlan::parse(toml, Format::Toml).unwrap_or_else(|e| panic!("plan should parse: {e}"))
}

fn plan_err(toml: &str) -> Error {
    match CompiledPlan::parse(toml, Format::Toml) {
        Ok(_) => panic!("plan should be rejected:\n{toml}"),
        Err(e) => e,
    }
}

/// A distributor who never quits.
fn d(id: i64, sponsor: Option<i64>, join_month: i64) -> TreeRow {
    TreeRow {
        id,
        sponsor,
        join_month,
        quit_month: None,
    }
}

/// A distributor who quits: `quit_month` is the first month it no longer participates.
fn dq(id: i64, sponsor: Option<i64>, join_month: i64, quit_month: i64) -> TreeRow {
    TreeRow {
        id,
        sponsor,
        join_month,
        quit_month: Some(quit_month),
    }
}

/// Volume of `id` in `month`: `pv` (retail included) and `retail`, hundredths of a point.
fn v(id: i64, month: i64, pv: i64, retail: i64) -> VolumeRow {
    VolumeRow {
        id,
        month,
        pv,
        retail,
        preferred: 0,
    }
}

fn l(month: i64, id: i64, bonus: usize, amount: i64) -> LedgerLine {
    LedgerLine {
        month,
        id,
        bonus,
        amount,
    }
}

fn run(p: &CompiledPlan, tree: &[TreeRow], vols: &[VolumeRow]) -> Vec<LedgerLine> {
    compute_commissions(p, tree, vols).unwrap_or_else(|e| panic!("compute_commissions failed: {e}"))
}

fn input_err(p: &CompiledPlan, tree: &[TreeRow], vols: &[VolumeRow]) -> String {
    match compute_commissions(p, tree, vols) {
        Ok(lines) => panic!("expected an input error, got {lines:?}"),
        Err(Error::Input(msg)) => msg,
        Err(e) => panic!("expected Error::Input, got {e:?}"),
    }
}

fn sum_month(lines: &[LedgerLine], month: i64, company_bonuses: &[usize]) -> i64 {
    lines
        .iter()
        .filter(|x| x.month == month && company_bonuses.contains(&x.bonus))
        .map(|x| x.amount)
        .sum()
}

// ---------------------------------------------------------------------------------------
// 1 & 2. Unilevel without and with compression
// ---------------------------------------------------------------------------------------

/// The tree of cases 1 and 2 (all join in month 1; min_pv 50):
///
/// ```text
///   1  pv 100   active
///   ├── 2  pv  20   INACTIVE (20 < 50)
///   │   ├── 3  pv 60   active
///   │   │   └── 5  pv 80   active
///   │   └── 4  pv 70   active
///   └── 6  pv 55   active
/// ```
fn tree_b_inactive() -> (Vec<TreeRow>, Vec<VolumeRow>) {
    let tree = vec![
        d(1, None, 1),
        d(2, Some(1), 1),
        d(3, Some(2), 1),
        d(4, Some(2), 1),
        d(5, Some(3), 1),
        d(6, Some(1), 1),
    ];
    let vols = vec![
        v(1, 1, 100_00, 0),
        v(2, 1, 20_00, 0),
        v(3, 1, 60_00, 0),
        v(4, 1, 70_00, 0),
        v(5, 1, 80_00, 0),
        v(6, 1, 55_00, 0),
    ];
    (tree, vols)
}

const UNILEVEL_3: &str = r#"
    [active]
    min_pv = "50"
    [[bonus]]
    kind = "unilevel"
    levels = ["0.10", "0.05", "0.02"]
"#;

const UNILEVEL_3_COMPRESSED: &str = r#"
    [active]
    min_pv = "50"
    [[bonus]]
    kind = "unilevel"
    levels = ["0.10", "0.05", "0.02"]
    compression = true
"#;

#[test]
fn unilevel_without_compression_inactive_upline_occupies_a_level() {
    // Rates: level 1 = 10%, level 2 = 5%, level 3 = 2%. No compression: every
    // distributor occupies a level, active or not.
    //
    // Distributor 1 (active, pv 100):
    //   level 1 = {2, 6}   = 20 + 55 = 75 pts  × 0.10 = 7.50
    //   level 2 = {3, 4}   = 60 + 70 = 130 pts × 0.05 = 6.50
    //   level 3 = {5}      = 80 pts            × 0.02 = 1.60
    //   exact Σ = 7500·100000 + 13000·50000 + 8000·20000 = 1 560 000 000 (µ-cents)
    //           = 15.60 → 1560 cents (no rounding needed).
    //   Note: 3 and 4 are paid to 1 at the level-2 rate, because inactive 2 still
    //   occupies level 1 between them.
    //
    // Distributor 2 (pv 20 < 50): INACTIVE → not paid. What it would have earned
    //   (level 1 {3,4} 130 × 0.10 = 13.00, level 2 {5} 80 × 0.05 = 4.00 = 17.00) is
    //   breakage: nobody else receives it.
    //
    // Distributor 3 (active): level 1 = {5} = 80 × 0.10 = 8.00 → 800.
    // Distributors 4, 5, 6 have no downline.
    let p = plan(UNILEVEL_3);
    let (tree, vols) = tree_b_inactive();
    assert_eq!(
        run(&p, &tree, &vols),
        vec![l(1, 1, 0, 1560), l(1, 3, 0, 800)]
    );
}

#[test]
fn unilevel_with_compression_inactive_distributor_is_not_a_level() {
    // Same tree, compression = true. Inactive 2 is not a level: the level of j for an
    // ancestor a is 1 + (number of ACTIVE distributors strictly between a and j), and
    // the PV of the inactive 2 itself still counts, at the level it would have
    // (1 + 0 active between 1 and 2 = level 1 of distributor 1).
    //
    // Distributor 1:
    //   level 1 = 2 (own pv 20, inactive) + 3 (60) + 4 (70) + 6 (55) = 205 pts × 0.10 = 20.50
    //             (3 and 4 moved up from level 2: only inactive 2 is between them and 1)
    //   level 2 = 5 (80; active 3 is between)                         =  80 pts × 0.05 =  4.00
    //   level 3 = nothing
    //   exact Σ = 20500·100000 + 8000·50000 = 2 450 000 000 → 24.50 → 2450.
    //
    // Distributor 2: inactive → not paid (and its 20 pts counted only once: at level 1 of 1).
    // Distributor 3: level 1 = {5} = 80 × 0.10 = 8.00 → 800.
    let p = plan(UNILEVEL_3_COMPRESSED);
    let (tree, vols) = tree_b_inactive();
    assert_eq!(
        run(&p, &tree, &vols),
        vec![l(1, 1, 0, 2450), l(1, 3, 0, 800)]
    );
}

#[test]
fn unilevel_compression_through_a_chain_of_inactives() {
    // min_pv 50, levels 10% / 5% / 2%; all join in month 1.
    //
    //   1  pv 100  active
    //   └── 2  pv 10   INACTIVE
    //       └── 3  (no volume row: pv 0)  INACTIVE
    //           └── 4  pv 60  active
    //               └── 5  pv 30  INACTIVE
    //                   └── 6  pv 90  active
    //                       └── 7  pv 75  active
    //
    // --- compression = true ---
    // Levels seen from 1 (1 + active strictly between):
    //   2 → L1 (10), 3 → L1 (0), 4 → L1 (60), 5 → L2 (4 between; 30), 6 → L2 (90),
    //   7 → L3 (4 and 6 between; 75)
    //   1: L1 70 × 0.10 = 7.00; L2 120 × 0.05 = 6.00; L3 75 × 0.02 = 1.50 → 14.50 → 1450
    // Seen from 4:
    //   5 → L1 (30), 6 → L1 (90), 7 → L2 (75)
    //   4: L1 120 × 0.10 = 12.00; L2 75 × 0.05 = 3.75 → 15.75 → 1575
    // Seen from 6: 7 → L1: 75 × 0.10 = 7.50 → 750
    // 2, 3, 5 inactive: not paid; 7 has no downline.
    //
    // --- compression = false ---
    //   1: L1 = 2 (10) × 0.10 = 1.00; L2 = 3 (0); L3 = 4 (60) × 0.02 = 1.20 → 2.20 → 220
    //   4: L1 = 5 (30) × 0.10 = 3.00; L2 = 6 (90) × 0.05 = 4.50; L3 = 7 (75) × 0.02 = 1.50
    //      → 9.00 → 900
    //   6: L1 = 7 (75) × 0.10 = 7.50 → 750
    let tree = vec![
        d(1, None, 1),
        d(2, Some(1), 1),
        d(3, Some(2), 1),
        d(4, Some(3), 1),
        d(5, Some(4), 1),
        d(6, Some(5), 1),
        d(7, Some(6), 1),
    ];
    let vols = vec![
        v(1, 1, 100_00, 0),
        v(2, 1, 10_00, 0),
        v(4, 1, 60_00, 0),
        v(5, 1, 30_00, 0),
        v(6, 1, 90_00, 0),
        v(7, 1, 75_00, 0),
    ];
    assert_eq!(
        run(&plan(UNILEVEL_3_COMPRESSED), &tree, &vols),
        vec![l(1, 1, 0, 1450), l(1, 4, 0, 1575), l(1, 6, 0, 750)]
    );
    assert_eq!(
        run(&plan(UNILEVEL_3), &tree, &vols),
        vec![l(1, 1, 0, 220), l(1, 4, 0, 900), l(1, 6, 0, 750)]
    );
}

// ---------------------------------------------------------------------------------------
// 3. Unilevel by paid-as rank; rank requirements
// ---------------------------------------------------------------------------------------

const RANKED: &str = r#"
    [active]
    min_pv = "50"

    [[ranks]]
    name = "Distributor"

    [[ranks]]
    name = "Consultant"
    pv = "50"
    gv = "300"
    active_legs = 2

    [[ranks]]
    name = "Manager"
    pv = "100"
    gv = "1000"
    leg_ranks = { Consultant = 1 }

    [[bonus]]
    kind = "unilevel"
    levels = ["0.05", "0.03"]
    rates = { Consultant = ["0.07", "0.04", "0.02"], Manager = ["0.10", "0.06", "0.04"] }
"#;

/// As RANKED, but Manager counts at most 50% of its 1000 GV (500 pts) from any one leg.
const RANKED_LEG_SHARE: &str = r#"
    [active]
    min_pv = "50"

    [[ranks]]
    name = "Distributor"

    [[ranks]]
    name = "Consultant"
    pv = "50"
    gv = "300"
    active_legs = 2

    [[ranks]]
    name = "Manager"
    pv = "100"
    gv = "1000"
    leg_ranks = { Consultant = 1 }
    max_leg_share = "0.5"

    [[bonus]]
    kind = "unilevel"
    levels = ["0.05", "0.03"]
    rates = { Consultant = ["0.07", "0.04", "0.02"], Manager = ["0.10", "0.06", "0.04"] }
"#;

/// The ranked tree (all join in month 1):
///
/// ```text
///   1
///   ├── 2
///   │   ├── 4
///   │   └── 5
///   ├── 3
///   │   └── 6
///   │       └── 8
///   └── 7
/// ```
fn ranked_tree() -> Vec<TreeRow> {
    vec![
        d(1, None, 1),
        d(2, Some(1), 1),
        d(3, Some(1), 1),
        d(4, Some(2), 1),
        d(5, Some(2), 1),
        d(6, Some(3), 1),
        d(7, Some(1), 1),
        d(8, Some(6), 1),
    ]
}

/// Month volumes of the ranked tree: pv of ids 1..=8 in points (×100).
fn ranked_month(month: i64, pvs: [i64; 8]) -> Vec<VolumeRow> {
    (0..8)
        .map(|k| v(k as i64 + 1, month, pvs[k] * 100, 0))
        .collect()
}

#[test]
fn unilevel_rates_by_paid_as_rank() {
    // Rates: Distributor uses `levels` = 5%, 3% (and 0% at level 3, the table being 3
    // deep); Consultant 7% / 4% / 2%; Manager 10% / 6% / 4%.
    // Ranks: Consultant = pv 50, gv 300, 2 active legs;
    //        Manager    = pv 100, gv 1000, one leg holding Consultant or higher.
    //
    // ===== Month 1: pv 1:100 2:100 3:200 4:150 5:60 6:400 7:80 8:100 (all ≥ 50: active)
    //   GV: 4=150, 5=60, 2=100+150+60=310, 8=100, 6=400+100=500, 3=200+500=700, 7=80,
    //       1=100+310+700+80=1190.
    //   Ranks (bottom-up):
    //     4: 0 active legs → Distributor.  5, 7, 8: Distributor.
    //     6: pv 400, gv 500, but 1 active leg (< 2) → Distributor (active_legs binds).
    //     3: pv 200, gv 700, 1 active leg → Distributor (active_legs binds).
    //     2: pv 100, gv 310 ≥ 300, 2 active legs (4, 5) → Consultant; gv < 1000 → not Manager.
    //     1: pv 100, gv 1190 ≥ 1000, leg 2 holds Consultant → Manager.
    //   Unilevel:
    //     1 (Manager): L1 {2,3,7} = 100+200+80 = 380 × 0.10 = 38.00
    //                  L2 {4,5,6} = 150+60+400 = 610 × 0.06 = 36.60
    //                  L3 {8}     = 100           × 0.04 =  4.00  → 78.60 → 7860
    //     2 (Consultant): L1 {4,5} = 210 × 0.07 = 14.70 → 1470
    //     3 (Distributor): L1 {6} = 400 × 0.05 = 20.00; L2 {8} = 100 × 0.03 = 3.00 → 2300
    //     6 (Distributor): L1 {8} = 100 × 0.05 = 5.00 → 500
    //
    // ===== Month 2: as month 1 but 4 has pv 50 (exactly min_pv: still active)
    //   2: gv 100+50+60 = 210 < 300 → NOT Consultant (gv binds) → Distributor.
    //   1: pv 100, gv 1090 ≥ 1000, but no leg holds Consultant (leg_ranks binds) → not
    //      Manager; Consultant (pv 100, gv 1090, 3 active legs).
    //   Unilevel:
    //     1 (Consultant): L1 380 × 0.07 = 26.60; L2 {4,5,6} 50+60+400 = 510 × 0.04 = 20.40;
    //                     L3 100 × 0.02 = 2.00 → 49.00 → 4900
    //     2 (Distributor): L1 {4,5} 110 × 0.05 = 5.50 → 550
    //     3: 2300 as before; 6: 500 as before.
    //
    // ===== Month 3: as month 1 but 1 has pv 90 (active, < Manager's 100)
    //   1: gv 1180, leg 2 is Consultant again, but pv 90 < 100 (pv binds) → Consultant.
    //     1 (Consultant): L1 380 × 0.07 = 26.60; L2 610 × 0.04 = 24.40; L3 100 × 0.02 = 2.00
    //                     → 53.00 → 5300
    //     2 (Consultant): 1470; 3: 2300; 6: 500.
    let p = plan(RANKED);
    let mut vols = ranked_month(1, [100, 100, 200, 150, 60, 400, 80, 100]);
    vols.extend(ranked_month(2, [100, 100, 200, 50, 60, 400, 80, 100]));
    vols.extend(ranked_month(3, [90, 100, 200, 150, 60, 400, 80, 100]));
    assert_eq!(
        run(&p, &ranked_tree(), &vols),
        vec![
            l(1, 1, 0, 7860),
            l(1, 2, 0, 1470),
            l(1, 3, 0, 2300),
            l(1, 6, 0, 500),
            l(2, 1, 0, 4900),
            l(2, 2, 0, 550),
            l(2, 3, 0, 2300),
            l(2, 6, 0, 500),
            l(3, 1, 0, 5300),
            l(3, 2, 0, 1470),
            l(3, 3, 0, 2300),
            l(3, 6, 0, 500),
        ]
    );
}

#[test]
fn max_leg_share_makes_a_distributor_miss_a_rank_plain_gv_would_give() {
    // Month 1 of the ranked tree, with and without Manager's max_leg_share = 0.5.
    //   pv 1:100 2:100 3:200 4:150 5:60 6:400 7:80 8:100
    //   Legs of 1: leg 2 = 310, leg 3 = 700, leg 7 = 80 → plain GV = 100 + 1090 = 1190.
    //
    // Without max_leg_share: 1190 ≥ 1000 → 1 is Manager → 7860 (see the previous test).
    //
    // With max_leg_share 0.5: at most 1000 × 0.5 = 500 pts from any one leg:
    //   counted GV = pv 100 + min(310,500) + min(700,500) + min(80,500)
    //              = 100 + 310 + 500 + 80 = 990 < 1000 → NOT Manager.
    //   1 is Consultant (pv 100 ≥ 50, gv ≥ 300, 3 active legs):
    //     L1 380 × 0.07 = 26.60; L2 610 × 0.04 = 24.40; L3 100 × 0.02 = 2.00 → 53.00 → 5300.
    //   Nobody else is affected: 2 Consultant 1470, 3 2300, 6 500.
    let vols = ranked_month(1, [100, 100, 200, 150, 60, 400, 80, 100]);
    assert_eq!(
        run(&plan(RANKED), &ranked_tree(), &vols),
        vec![
            l(1, 1, 0, 7860),
            l(1, 2, 0, 1470),
            l(1, 3, 0, 2300),
            l(1, 6, 0, 500)
        ]
    );
    assert_eq!(
        run(&plan(RANKED_LEG_SHARE), &ranked_tree(), &vols),
        vec![
            l(1, 1, 0, 5300),
            l(1, 2, 0, 1470),
            l(1, 3, 0, 2300),
            l(1, 6, 0, 500)
        ]
    );
}

#[test]
fn max_leg_share_counts_a_balanced_group_in_full() {
    // Manager with max_leg_share 0.5 reached when no leg exceeds 500 pts.
    //
    //   1  pv 150
    //   ├── 2  pv 100
    //   │   ├── 4  pv 150
    //   │   └── 5  pv 100
    //   └── 3  pv 400
    //       └── 6  pv 100
    //
    //   GV: 2 = 100 + 150 + 100 = 350, 3 = 400 + 100 = 500, 1 = 150 + 350 + 500 = 1000.
    //   Counted for Manager = 150 + min(350, 500) + min(500, 500) = 1000 ≥ 1000: the
    //   biggest leg is exactly at the 500 limit, so nothing is cut → Manager
    //   (pv 150 ≥ 100; leg 2 holds Consultant: pv 100, gv 350, active legs 4 & 5).
    //   3: pv 400, gv 500, 1 active leg → Distributor. 4, 5, 6: Distributor.
    //
    //   1 (Manager): L1 {2,3} 500 × 0.10 = 50.00; L2 {4,5,6} 350 × 0.06 = 21.00 → 7100
    //   2 (Consultant): L1 {4,5} 250 × 0.07 = 17.50 → 1750
    //   3 (Distributor): L1 {6} 100 × 0.05 = 5.00 → 500
    let tree = vec![
        d(1, None, 1),
        d(2, Some(1), 1),
        d(3, Some(1), 1),
        d(4, Some(2), 1),
        d(5, Some(2), 1),
        d(6, Some(3), 1),
    ];
    let vols = vec![
        v(1, 1, 150_00, 0),
        v(2, 1, 100_00, 0),
        v(3, 1, 400_00, 0),
        v(4, 1, 150_00, 0),
        v(5, 1, 100_00, 0),
        v(6, 1, 100_00, 0),
    ];
    assert_eq!(
        run(&plan(RANKED_LEG_SHARE), &tree, &vols),
        vec![l(1, 1, 0, 7100), l(1, 2, 0, 1750), l(1, 3, 0, 500)]
    );
}

#[test]
fn highest_rank_without_requirements_is_the_paid_as_rank() {
    // Documented rule (src/engine/ranks.rs): "A distributor is paid as the highest rank
    // whose every requirement it meets this month". Here NEITHER rank has a requirement,
    // so every participating distributor meets both and must be paid as "Senior".
    //
    //   1  pv 100
    //   └── 2  pv 100
    //
    //   1 (Senior): L1 {2} 100 × 0.10 = 10.00 → 1000   (bonus 0)
    //   Rank advancement (bonus 1): first month at Senior, from no rank:
    //     Junior 0.00 + Senior 5.00 → 500 for each of 1 and 2.
    let p = plan(
        r#"
        [[ranks]]
        name = "Junior"
        [[ranks]]
        name = "Senior"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.01"]
        rates = { Senior = ["0.10"] }
        [[bonus]]
        kind = "rank_advancement"
        amounts = { Senior = "5" }
        "#,
    );
    let tree = vec![d(1, None, 1), d(2, Some(1), 1)];
    let vols = vec![v(1, 1, 100_00, 0), v(2, 1, 100_00, 0)];
    assert_eq!(
        run(&p, &tree, &vols),
        vec![l(1, 1, 0, 1000), l(1, 1, 1, 500), l(1, 2, 1, 500)]
    );
}

// ---------------------------------------------------------------------------------------
// 4. Rounding
// ---------------------------------------------------------------------------------------

#[test]
fn rounding_exact_half_cent_goes_away_from_zero() {
    // min_pv 10, one level at 5%. Two founders, each with one recruit:
    //
    //   1  pv 20              3  pv 20
    //   └── 2  pv 12.50       └── 4  pv 12.49
    //
    //   1: 12.50 × 0.05 = 0.625 exactly (1250 × 50000 = 62 500 000 µ-cents = 62.5 cents)
    //      → half away from zero → 63 (half-to-even or truncation would give 62).
    //   3: 12.49 × 0.05 = 0.6245 (62.45 cents) → 62.
    let p = plan(
        r#"
        [active]
        min_pv = "10"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.05"]
        "#,
    );
    let tree = vec![
        d(1, None, 1),
        d(2, Some(1), 1),
        d(3, None, 1),
        d(4, Some(3), 1),
    ];
    let vols = vec![
        v(1, 1, 20_00, 0),
        v(2, 1, 12_50, 0),
        v(3, 1, 20_00, 0),
        v(4, 1, 12_49, 0),
    ];
    assert_eq!(run(&p, &tree, &vols), vec![l(1, 1, 0, 63), l(1, 3, 0, 62)]);

    // Same rule through a point value of 1.25 (the 128-bit path):
    //   1 → 2, pv of 2 = 10.00 pts: 10.00 × 0.05 × 1.25 = 0.625 → 63.
    //   (1000 × 50000 × 1 250 000 / 10¹² = 62.5 cents.)
    let p = plan(
        r#"
        [volume]
        point_value = "1.25"
        [active]
        min_pv = "10"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.05"]
        "#,
    );
    let tree = vec![d(1, None, 1), d(2, Some(1), 1)];
    let vols = vec![v(1, 1, 20_00, 0), v(2, 1, 10_00, 0)];
    assert_eq!(run(&p, &tree, &vols), vec![l(1, 1, 0, 63)]);
}

#[test]
fn rounding_once_per_line_not_per_level() {
    // min_pv 10, levels 5% / 3%.
    //
    //   1  pv 50
    //   └── 2  pv 12.50
    //       └── 3  pv 10.50
    //
    //   1: L1 = 12.50 × 0.05 = 0.625    (62.5 cents)
    //      L2 = 10.50 × 0.03 = 0.315    (31.5 cents)
    //      exact line = 0.940 → 94 cents.
    //      Rounding each level first would give 63 + 32 = 95: the line is rounded once.
    //   2: L1 = 10.50 × 0.05 = 0.525 (52.5 cents) → 53 (half away from zero; half-even: 52).
    let p = plan(
        r#"
        [active]
        min_pv = "10"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.05", "0.03"]
        "#,
    );
    let tree = vec![d(1, None, 1), d(2, Some(1), 1), d(3, Some(2), 1)];
    let vols = vec![v(1, 1, 50_00, 0), v(2, 1, 12_50, 0), v(3, 1, 10_50, 0)];
    assert_eq!(run(&p, &tree, &vols), vec![l(1, 1, 0, 94), l(1, 2, 0, 53)]);
}

// ---------------------------------------------------------------------------------------
// 5. Fast start
// ---------------------------------------------------------------------------------------

#[test]
fn fast_start_first_months_require_active_true_and_false() {
    // min_pv 50.
    //   bonus 0 "fast_start":     20% of recruits' PV, months = 2, require_active = true
    //   bonus 1 "fast_start_any": 10% of recruits' PV, months = 2, require_active = false
    //
    //   1  (joins month 1)
    //   ├── 2  (joins month 1)
    //   │   └── 4  (joins month 3)
    //   └── 3  (joins month 2)
    //
    //   pv      month 1   month 2   month 3
    //   1         100        30        70
    //   2          80        60        40
    //   3          —        120        90
    //   4          —         —        150
    //
    // A recruit counts in month m if it joined in m-1 or m (join month = first month).
    //
    // Month 1: recruits in window: 2 (1st month, 80). Sponsor 1 active (100).
    //   bonus 0: 80 × 0.20 = 16.00 → 1600 to 1;  bonus 1: 80 × 0.10 = 8.00 → 800 to 1.
    // Month 2: in window: 2 (2nd month, 60), 3 (1st month, 120). Sponsor 1 pv 30: INACTIVE
    //   but participating.
    //   bonus 0: nothing (1 not active);  bonus 1: (60 + 120) × 0.10 = 18.00 → 1800 to 1.
    // Month 3: in window: 3 (2nd month, 90), 4 (1st month, 150). 2 is in its 3rd month:
    //   its 40 no longer counts.
    //   Sponsor 1 active (70): bonus 0: 90 × 0.20 = 18.00 → 1800; bonus 1: 90 × 0.10 = 900.
    //   Sponsor 2 inactive (40): bonus 0: nothing; bonus 1: 150 × 0.10 = 15.00 → 1500.
    let p = plan(
        r#"
        [active]
        min_pv = "50"
        [[bonus]]
        kind = "fast_start"
        rate = "0.20"
        months = 2
        require_active = true
        [[bonus]]
        kind = "fast_start"
        name = "fast_start_any"
        rate = "0.10"
        months = 2
        require_active = false
        "#,
    );
    let tree = vec![
        d(1, None, 1),
        d(2, Some(1), 1),
        d(3, Some(1), 2),
        d(4, Some(2), 3),
    ];
    let vols = vec![
        v(1, 1, 100_00, 0),
        v(2, 1, 80_00, 0),
        v(1, 2, 30_00, 0),
        v(2, 2, 60_00, 0),
        v(3, 2, 120_00, 0),
        v(1, 3, 70_00, 0),
        v(2, 3, 40_00, 0),
        v(3, 3, 90_00, 0),
        v(4, 3, 150_00, 0),
    ];
    assert_eq!(
        run(&p, &tree, &vols),
        vec![
            l(1, 1, 0, 1600),
            l(1, 1, 1, 800),
            l(2, 1, 1, 1800),
            l(3, 1, 0, 1800),
            l(3, 1, 1, 900),
            l(3, 2, 1, 1500),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// 6. Rank advancement
// ---------------------------------------------------------------------------------------

#[test]
fn rank_advancement_paid_once_jumps_pay_every_rank_passed() {
    // Ranks by pv only: Distributor (none), Bronze ≥ 50, Silver ≥ 100, Gold ≥ 200.
    // Amounts: Bronze 10.00, Silver 25.00, Gold 100.00 (Distributor: nothing).
    //
    //   1 (joins 1)
    //   ├── 2 (joins 1)
    //   └── 3 (joins 2)
    //
    //   pv     m1    m2    m3     m4
    //   1      60   200    40    210
    //   2     250    20   300     —
    //   3      —    120  99.99   100
    //
    //   rank   m1        m2        m3        m4
    //   1      Bronze    Gold      Distr.    Gold
    //   2      Gold      Distr.    Gold      Distr.
    //   3      —         Silver    Bronze    Silver
    //
    // m1: 1 reaches Bronze for the first time → 10.00 → 1000.
    //     2 jumps from nothing to Gold: Bronze + Silver + Gold = 10 + 25 + 100 = 135.00 → 13500.
    // m2: 1 jumps Bronze → Gold, passing Silver and Gold: 25 + 100 = 125.00 → 12500.
    //     3 reaches Silver first: 10 + 25 = 35.00 → 3500.  2 drops: nothing.
    // m3: 2 regains Gold: nothing (already reached). 3 drops to Bronze: nothing.
    // m4: 1 regains Gold, 3 regains Silver: nothing.
    let p = plan(
        r#"
        [[ranks]]
        name = "Distributor"
        [[ranks]]
        name = "Bronze"
        pv = "50"
        [[ranks]]
        name = "Silver"
        pv = "100"
        [[ranks]]
        name = "Gold"
        pv = "200"
        [[bonus]]
        kind = "rank_advancement"
        amounts = { Bronze = "10", Silver = "25", Gold = "100" }
        "#,
    );
    let tree = vec![d(1, None, 1), d(2, Some(1), 1), d(3, Some(1), 2)];
    let vols = vec![
        v(1, 1, 60_00, 0),
        v(2, 1, 250_00, 0),
        v(1, 2, 200_00, 0),
        v(2, 2, 20_00, 0),
        v(3, 2, 120_00, 0),
        v(1, 3, 40_00, 0),
        v(2, 3, 300_00, 0),
        v(3, 3, 99_99, 0),
        v(1, 4, 210_00, 0),
        v(3, 4, 100_00, 0),
    ];
    assert_eq!(
        run(&p, &tree, &vols),
        vec![
            l(1, 1, 0, 1000),
            l(1, 2, 0, 13500),
            l(2, 1, 0, 12500),
            l(2, 3, 0, 3500)
        ]
    );
}

// ---------------------------------------------------------------------------------------
// 7. Retail
// ---------------------------------------------------------------------------------------

#[test]
fn retail_markup_is_paid_by_customers_and_not_capped() {
    // bonus 0 = unilevel 10% (one level); bonus 1 = retail, markup 25%. min_pv 50.
    //
    //   1  pv 100.00 (retail 40.00)
    //   ├── 2  pv 80.30 (retail 80.30: all of it from customers)
    //   └── 3  pv 60.00 (retail 0)
    //
    // Retail (bonus 1) = markup × retail volume:
    //   1: 40.00 × 0.25 = 10.00 → 1000
    //   2: 80.30 × 0.25 = 20.075 (8030 × 250000 = 2 007 500 000 µ-cents) → 2008 (half up)
    //   3: no retail → no line.
    // Unilevel (bonus 0): pv includes retail volume:
    //   1: L1 {2,3} = 80.30 + 60.00 = 140.30 × 0.10 = 14.03 → 1403
    //
    // Without a cap: (1,1,0,1403), (1,1,1,1000), (1,2,1,2008).
    //
    // With [cap] max_payout_ratio = 0.05:
    //   volume = 100.00 + 80.30 + 60.00 = 240.30 pts → value 240.30 = 24030 cents
    //   cap = floor(24030 × 0.05) = floor(1201.5) = 1201
    //   company-paid lines: only the unilevel 1403 > 1201 → binds → 1403 becomes 1201.
    //   Retail is paid by customers: 1000 and 2008 unchanged (were it capped, the total
    //   1403 + 3008 would have been scaled instead).
    let uncapped = plan(
        r#"
        [active]
        min_pv = "50"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.10"]
        [[bonus]]
        kind = "retail"
        markup = "0.25"
        "#,
    );
    let capped = plan(
        r#"
        [active]
        min_pv = "50"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.10"]
        [[bonus]]
        kind = "retail"
        markup = "0.25"
        [cap]
        max_payout_ratio = "0.05"
        "#,
    );
    let tree = vec![d(1, None, 1), d(2, Some(1), 1), d(3, Some(1), 1)];
    let vols = vec![
        v(1, 1, 100_00, 40_00),
        v(2, 1, 80_30, 80_30),
        v(3, 1, 60_00, 0),
    ];
    assert_eq!(
        run(&uncapped, &tree, &vols),
        vec![l(1, 1, 0, 1403), l(1, 1, 1, 1000), l(1, 2, 1, 2008)]
    );
    let lines = run(&capped, &tree, &vols);
    assert_eq!(
        lines,
        vec![l(1, 1, 0, 1201), l(1, 1, 1, 1000), l(1, 2, 1, 2008)]
    );
    assert_eq!(sum_month(&lines, 1, &[0]), 1201);
}

// ---------------------------------------------------------------------------------------
// 8. Cap
// ---------------------------------------------------------------------------------------

const CAPPED: &str = r#"
    [active]
    min_pv = "50"
    [[bonus]]
    kind = "unilevel"
    levels = ["0.30", "0.20"]
    [[bonus]]
    kind = "fast_start"
    rate = "0.25"
    [cap]
    max_payout_ratio = "0.40"
"#;

#[test]
fn cap_binds_pro_rata_with_largest_remainders() {
    // bonus 0 = unilevel 30% / 20%; bonus 1 = fast start 25% (join month only); cap 40%.
    //
    //   1  pv 100
    //   ├── 2  pv 100
    //   │   └── 3  pv 100
    //   └── 4  pv 100          (all join in month 1)
    //
    // ===== Month 1
    //   unilevel 1: L1 {2,4} 200 × 0.30 = 60.00; L2 {3} 100 × 0.20 = 20.00 → 8000
    //   unilevel 2: L1 {3} 100 × 0.30 = 30.00 → 3000
    //   fast start 1: recruits 2, 4: 200 × 0.25 = 50.00 → 5000
    //   fast start 2: recruit 3: 100 × 0.25 = 25.00 → 2500
    //   total = 18500. Volume 400 pts = 40000 cents; cap = floor(40000 × 0.40) = 16000.
    //   18500 > 16000 → scale by 16000/18500 = 32/37:
    //     line           exact                  floor   remainder (/37)
    //     (b0, 1) 8000   256000/37 = 6918.92    6918    34
    //     (b0, 2) 3000    96000/37 = 2594.59    2594    22
    //     (b1, 1) 5000   160000/37 = 4324.32    4324    12
    //     (b1, 2) 2500    80000/37 = 2162.16    2162     6
    //   Σ floors = 15998; 2 cents left → the two largest remainders: (b0,1), (b0,2).
    //   → 6919, 2595, 4324, 2162; Σ = 16000 = cap.
    //
    // ===== Month 2 (same volumes; nobody is in its join month → no fast start)
    //   unilevel only: 8000 + 3000 = 11000 ≤ cap 16000 → not binding, unchanged.
    let p = plan(CAPPED);
    let tree = vec![
        d(1, None, 1),
        d(2, Some(1), 1),
        d(3, Some(2), 1),
        d(4, Some(1), 1),
    ];
    let mut vols = vec![];
    for m in 1..=2 {
        for id in 1..=4 {
            vols.push(v(id, m, 100_00, 0));
        }
    }
    let lines = run(&p, &tree, &vols);
    assert_eq!(
        lines,
        vec![
            l(1, 1, 0, 6919),
            l(1, 1, 1, 4324),
            l(1, 2, 0, 2595),
            l(1, 2, 1, 2162),
            l(2, 1, 0, 8000),
            l(2, 2, 0, 3000),
        ]
    );
    assert_eq!(sum_month(&lines, 1, &[0, 1]), 16000);
}

#[test]
fn cap_that_does_not_bind_leaves_lines_unchanged() {
    // Month 1 of the previous case: lines 8000, 3000, 5000, 2500 = 18500; volume 40000 cents.
    //   ratio 0.50:   cap = 20000 > 18500 → unchanged.
    //   ratio 0.4625: cap = floor(40000 × 0.4625) = 18500 = total → "binds" only when the
    //                 total EXCEEDS the cap → unchanged.
    //   ratio 0.4624: cap = floor(18496.0) = 18496 < 18500 → binds; scale 18496/18500:
    //     8000 → 147968000/18500 = 7998.27 → 7998 (rem 5000)
    //     3000 →  55488000/18500 = 2999.35 → 2999 (rem 6500)
    //     5000 →  92480000/18500 = 4998.92 → 4998 (rem 17000)
    //     2500 →  46240000/18500 = 2499.46 → 2499 (rem 8500)
    //     Σ floors = 18494; 2 cents → largest remainders (b1,1) 17000 and (b1,2) 8500
    //     → 7998, 2999, 4999, 2500; Σ = 18496.
    let tree = vec![
        d(1, None, 1),
        d(2, Some(1), 1),
        d(3, Some(2), 1),
        d(4, Some(1), 1),
    ];
    let vols: Vec<VolumeRow> = (1..=4).map(|id| v(id, 1, 100_00, 0)).collect();
    let unchanged = vec![
        l(1, 1, 0, 8000),
        l(1, 1, 1, 5000),
        l(1, 2, 0, 3000),
        l(1, 2, 1, 2500),
    ];
    for ratio in ["0.50", "0.4625"] {
        let p = plan(&CAPPED.replace("\"0.40\"", &format!("\"{ratio}\"")));
        assert_eq!(run(&p, &tree, &vols), unchanged, "ratio {ratio}");
    }
    let p = plan(&CAPPED.replace("\"0.40\"", "\"0.4624\""));
    let lines = run(&p, &tree, &vols);
    assert_eq!(
        lines,
        vec![
            l(1, 1, 0, 7998),
            l(1, 1, 1, 4999),
            l(1, 2, 0, 2999),
            l(1, 2, 1, 2500)
        ]
    );
    assert_eq!(sum_month(&lines, 1, &[0, 1]), 18496);
}

#[test]
fn cap_ties_go_to_the_earlier_bonus_then_the_earlier_distributor_in_join_order() {
    // bonus 0 = unilevel 10% (one level); bonus 1 = fast start 10%; cap 0.1001.
    // Ids are NOT in join order: the tree rows are given as 10, 20, 30, but
    //
    //   30  pv 100  (founder)
    //   └── 10  pv 100
    //       └── 20  pv 100        (all join in month 1)
    //
    // so join order is 30, 10, 20 (sponsor before recruit).
    //
    //   unilevel 30: L1 {10} 100 × 0.10 = 10.00 → 1000
    //   unilevel 10: L1 {20} 100 × 0.10 = 10.00 → 1000
    //   fast start 30: recruit 10: 1000;  fast start 10: recruit 20: 1000
    //   total 4000. Volume 300 pts = 30000 cents; cap = floor(30000 × 0.1001) = 3003.
    //   Each line: 1000 × 3003 / 4000 = 750.75 → floor 750, all remainders equal (3000).
    //   Σ floors = 3000; 3 cents left, all ties, given in the order
    //     (b0, 30), (b0, 10), (b1, 30), (b1, 10)
    //   (earlier bonus first; within a bonus, earlier in join order: 30 before 10).
    //   → b0/30 = 751, b0/10 = 751, b1/30 = 751, b1/10 = 750. Σ = 3003.
    let p = plan(
        r#"
        [active]
        min_pv = "50"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.10"]
        [[bonus]]
        kind = "fast_start"
        rate = "0.10"
        [cap]
        max_payout_ratio = "0.1001"
        "#,
    );
    let tree = vec![d(10, Some(30), 1), d(20, Some(10), 1), d(30, None, 1)];
    let vols = vec![
        v(10, 1, 100_00, 0),
        v(20, 1, 100_00, 0),
        v(30, 1, 100_00, 0),
    ];
    let lines = run(&p, &tree, &vols);
    assert_eq!(
        lines,
        vec![
            l(1, 10, 0, 751),
            l(1, 10, 1, 750),
            l(1, 30, 0, 751),
            l(1, 30, 1, 751)
        ]
    );
    assert_eq!(sum_month(&lines, 1, &[0, 1]), 3003);
}

#[test]
fn cap_also_scales_rank_advancement() {
    // Rank advancement is company-paid, so the cap applies to it too.
    // Ranks: Distributor (no requirement, amount 5.00), Leader (pv 100, amount 20.00).
    // Cap 50% of volume value.
    //
    //   1  pv 10 (month 1)
    //   └── 2  (no volume)
    //
    //   Both participate and reach Distributor for the first time: 500 + 500 = 1000.
    //   Volume 10 pts = 1000 cents; cap = floor(1000 × 0.5) = 500 < 1000 → binds:
    //   each 500 × 500 / 1000 = 250 exactly (no remainder) → 250, 250; Σ = 500.
    let p = plan(
        r#"
        [[ranks]]
        name = "Distributor"
        [[ranks]]
        name = "Leader"
        pv = "100"
        [[bonus]]
        kind = "rank_advancement"
        amounts = { Distributor = "5", Leader = "20" }
        [cap]
        max_payout_ratio = "0.5"
        "#,
    );
    let tree = vec![d(1, None, 1), d(2, Some(1), 1)];
    let vols = vec![v(1, 1, 10_00, 0)];
    assert_eq!(
        run(&p, &tree, &vols),
        vec![l(1, 1, 0, 250), l(1, 2, 0, 250)]
    );
}

// ---------------------------------------------------------------------------------------
// 9. quit_month
// ---------------------------------------------------------------------------------------

const QUIT_PLAN: &str = r#"
    [active]
    min_pv = "50"
    [[bonus]]
    kind = "unilevel"
    levels = ["0.10", "0.05"]
    compression = COMPRESSION
    [[bonus]]
    kind = "fast_start"
    rate = "0.20"
    months = 3
    require_active = false
"#;

#[test]
fn quit_distributor_earns_nothing_after_quitting() {
    // bonus 0 = unilevel 10% / 5%; bonus 1 = fast start 20%, 3 months, require_active false.
    //
    //   1  (joins 1)
    //   └── 2  (joins 1, quit_month 3: participates in months 1 and 2 only)
    //       └── 3  (joins 1)
    //
    //   pv: months 1 and 2: 1, 2, 3 = 100 each; month 3: 1 = 100, 3 = 100.
    //
    // Months 1 and 2 (everyone active):
    //   unilevel 1: L1 {2} 100 × 0.10 = 10.00; L2 {3} 100 × 0.05 = 5.00 → 1500
    //   unilevel 2: L1 {3} 100 × 0.10 = 10.00 → 1000
    //   fast start 1: recruit 2 (100) × 0.20 = 20.00 → 2000
    //   fast start 2: recruit 3 (100) × 0.20 = 20.00 → 2000
    // Month 3: 2 has quit: pv 0, not active, not participating.
    //   unilevel 2, fast start 2: nothing (even with require_active false, the sponsor
    //   must still participate).
    //   fast start 1: recruit 2 has no volume → nothing.
    //   unilevel 1, no compression: 2 still occupies level 1 (pv 0);
    //     L2 {3} 100 × 0.05 = 5.00 → 500
    //   unilevel 1, compression: 2 is not active → not a level; 3 moves to level 1:
    //     100 × 0.10 = 10.00 → 1000
    let tree = vec![d(1, None, 1), dq(2, Some(1), 1, 3), d(3, Some(2), 1)];
    let mut vols = vec![];
    for m in 1..=2 {
        for id in 1..=3 {
            vols.push(v(id, m, 100_00, 0));
        }
    }
    vols.push(v(1, 3, 100_00, 0));
    vols.push(v(3, 3, 100_00, 0));
    let months_1_2 = |m| {
        vec![
            l(m, 1, 0, 1500),
            l(m, 1, 1, 2000),
            l(m, 2, 0, 1000),
            l(m, 2, 1, 2000),
        ]
    };

    let p = plan(&QUIT_PLAN.replace("COMPRESSION", "false"));
    let mut want = months_1_2(1);
    want.extend(months_1_2(2));
    want.push(l(3, 1, 0, 500));
    assert_eq!(run(&p, &tree, &vols), want);

    let p = plan(&QUIT_PLAN.replace("COMPRESSION", "true"));
    let mut want = months_1_2(1);
    want.extend(months_1_2(2));
    want.push(l(3, 1, 0, 1000));
    assert_eq!(run(&p, &tree, &vols), want);
}

#[test]
fn volume_after_quitting_is_an_error() {
    let p = plan(&QUIT_PLAN.replace("COMPRESSION", "false"));
    let tree = vec![d(1, None, 1), dq(2, Some(1), 1, 3), d(3, Some(2), 1)];
    // Row 2 is id 2 in month 3, its quit month: it no longer participates.
    let vols = vec![v(1, 1, 100_00, 0), v(2, 2, 100_00, 0), v(2, 3, 100_00, 0)];
    assert_eq!(
        input_err(&p, &tree, &vols),
        "volumes row 2: id 2 has volume in month 3, when it does not participate"
    );
    // Month 4, later still.
    let vols = vec![v(2, 4, 1_00, 0)];
    assert_eq!(
        input_err(&p, &tree, &vols),
        "volumes row 0: id 2 has volume in month 4, when it does not participate"
    );
    // Before joining is the same error.
    let tree = vec![d(1, None, 1), d(2, Some(1), 2)];
    let vols = vec![v(2, 1, 1_00, 0)];
    assert_eq!(
        input_err(&p, &tree, &vols),
        "volumes row 0: id 2 has volume in month 1, when it does not participate"
    );
    // A quit month that is not after the join month.
    let tree = vec![d(1, None, 1), dq(2, Some(1), 2, 2)];
    assert_eq!(
        input_err(&p, &tree, &[]),
        "tree: id 2: quit_month 2 must be after join_month 2"
    );
}

// ---------------------------------------------------------------------------------------
// 10. Input errors of compute_commissions
// ---------------------------------------------------------------------------------------

#[test]
fn input_errors_name_the_offending_row() {
    let p = plan(UNILEVEL_3);

    // Unknown sponsor.
    let tree = vec![d(1, None, 1), d(5, Some(99), 1)];
    let msg = input_err(&p, &tree, &[]);
    assert_eq!(msg, "tree: the sponsor 99 of id 5 is not in the tree");

    // Sponsor joining after its recruit.
    let tree = vec![d(1, None, 2), d(2, Some(1), 1)];
    let msg = input_err(&p, &tree, &[]);
    assert_eq!(
        msg,
        "tree: id 2 joined in month 1, before its sponsor 1 (month 2)"
    );

    // Duplicate id.
    let tree = vec![d(1, None, 1), d(3, Some(1), 1), d(3, Some(1), 1)];
    let msg = input_err(&p, &tree, &[]);
    assert_eq!(msg, "tree: id 3 appears more than once");

    // A cycle of sponsors (possible only within one join month).
    let tree = vec![d(1, Some(2), 1), d(2, Some(1), 1)];
    let msg = input_err(&p, &tree, &[]);
    assert!(msg.contains("cycle"), "{msg}");

    let tree = vec![d(1, None, 1), d(2, Some(1), 1)];

    // Duplicate (id, month) volume row: the second row (index 2) is named.
    let vols = vec![v(1, 1, 100_00, 0), v(2, 1, 100_00, 0), v(1, 1, 50_00, 0)];
    let msg = input_err(&p, &tree, &vols);
    assert_eq!(msg, "volumes row 2: id 1 has more than one row for month 1");

    // Retail above pv.
    let vols = vec![v(1, 1, 100_00, 0), v(2, 1, 50_00, 50_01)];
    let msg = input_err(&p, &tree, &vols);
    assert_eq!(
        msg,
        "volumes row 1: id 2: retail 50.01 is more than pv 50.00; pv includes retail volume"
    );

    // Volume of an id not in the tree.
    let vols = vec![v(7, 1, 100_00, 0)];
    let msg = input_err(&p, &tree, &vols);
    assert_eq!(msg, "volumes row 0: id 7 is not in the tree");

    // Negative volume.
    let vols = vec![v(2, 1, -1, 0)];
    let msg = input_err(&p, &tree, &vols);
    assert_eq!(msg, "volumes row 0: id 2: volume is negative");
}

// ---------------------------------------------------------------------------------------
// Plan validation errors
// ---------------------------------------------------------------------------------------

fn plan_path(e: &Error) -> (&str, &str) {
    match e {
        Error::Plan { path, message } => (path.as_str(), message.as_str()),
        other => panic!("expected Error::Plan, got {other:?}"),
    }
}

#[test]
fn plan_error_rate_above_one_names_the_field() {
    let e = plan_err(
        r#"
        [[ranks]]
        name = "Distributor"
        [[ranks]]
        name = "Manager"
        gv = "1000"
        [[bonus]]
        kind = "retail"
        markup = "0.25"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.05"]
        rates = { Manager = ["0.10", "0.05", "0.02", "1.5"] }
        "#,
    );
    assert_eq!(
        e,
        Error::Plan {
            path: "bonus[1].rates.Manager[3]".into(),
            message: "1.5 is above 1".into()
        }
    );
    assert_eq!(e.to_string(), "bonus[1].rates.Manager[3]: 1.5 is above 1");
}

#[test]
fn plan_error_unknown_field_is_named() {
    let e = plan_err(
        r#"
        [[bonus]]
        kind = "unilevel"
        levls = ["0.05"]
        "#,
    );
    let (path, message) = plan_path(&e);
    assert_eq!(path, "bonus[0].levls");
    assert!(
        message.contains("unknown field `levls`"),
        "message {message:?}"
    );

    // A misspelt top-level table.
    let e = plan_err(
        r#"
        [activ]
        min_pv = "50"
        "#,
    );
    let (_, message) = plan_path(&e);
    assert!(
        message.contains("unknown field `activ`"),
        "message {message:?}"
    );

    // A misspelt key in a rank.
    let e = plan_err(
        r#"
        [[ranks]]
        name = "Distributor"
        [[ranks]]
        name = "Manager"
        gvv = "1000"
        "#,
    );
    let (path, message) = plan_path(&e);
    assert!(path.starts_with("ranks[1]"), "path {path:?}");
    assert!(
        message.contains("unknown field `gvv`"),
        "message {message:?}"
    );
}

#[test]
fn plan_error_misspelt_rank_in_rates() {
    let e = plan_err(
        r#"
        [[ranks]]
        name = "Distributor"
        [[ranks]]
        name = "Manager"
        gv = "1000"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.05"]
        rates = { Manger = ["0.10"] }
        "#,
    );
    assert_eq!(
        e,
        Error::Plan {
            path: "bonus[0].rates.Manger".into(),
            message: r#"no rank is named "Manger"; the ranks are ["Distributor", "Manager"]"#
                .into(),
        }
    );
}

#[test]
fn plan_error_max_leg_share_needs_gv() {
    let e = plan_err(
        r#"
        [[ranks]]
        name = "Distributor"
        [[ranks]]
        name = "Manager"
        pv = "100"
        max_leg_share = "0.5"
        "#,
    );
    assert_eq!(
        e,
        Error::Plan {
            path: "ranks[1].max_leg_share".into(),
            message: "needs a group volume requirement: set ranks[1].gv".into(),
        }
    );
}

#[test]
fn plan_error_leg_ranks_must_name_a_lower_rank() {
    let e = plan_err(
        r#"
        [[ranks]]
        name = "Consultant"
        leg_ranks = { Manager = 1 }
        [[ranks]]
        name = "Manager"
        gv = "1000"
        "#,
    );
    assert_eq!(
        e,
        Error::Plan {
            path: "ranks[0].leg_ranks.Manager".into(),
            message: r#""Manager" is not below "Consultant"; a rank can only require legs of a lower rank"#
                .into(),
        }
    );
    // Naming itself is not lower either.
    let e = plan_err(
        r#"
        [[ranks]]
        name = "Consultant"
        [[ranks]]
        name = "Manager"
        leg_ranks = { Manager = 2 }
        "#,
    );
    let (path, message) = plan_path(&e);
    assert_eq!(path, "ranks[1].leg_ranks.Manager");
    assert!(message.contains("is not below"), "{message}");
}

#[test]
fn plan_error_rate_with_seven_decimal_places() {
    let e = plan_err(
        r#"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.05", "0.0500001"]
        "#,
    );
    assert_eq!(
        e,
        Error::Plan {
            path: "bonus[0].levels[1]".into(),
            message: "0.0500001 has more than 6 decimal places".into(),
        }
    );
    // Six places are fine.
    plan(
        r#"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.05", "0.050001"]
        "#,
    );
}

#[test]
fn plan_error_negative_fee() {
    let e = plan_err(
        r#"
        [costs]
        enrollment_fee = "-49.95"
        "#,
    );
    assert_eq!(
        e,
        Error::Plan {
            path: "costs.enrollment_fee".into(),
            message: "-49.95 is negative; an amount must be 0 or more".into(),
        }
    );
    assert_eq!(
        e.to_string(),
        "costs.enrollment_fee: -49.95 is negative; an amount must be 0 or more"
    );
}

#[test]
fn plan_error_other_paths() {
    // Two bonuses with the same (default) name.
    let e = plan_err(
        r#"
        [[bonus]]
        kind = "fast_start"
        rate = "0.1"
        [[bonus]]
        kind = "fast_start"
        rate = "0.2"
        "#,
    );
    let (path, _) = plan_path(&e);
    assert_eq!(path, "bonus[1].name");

    // A negative rate.
    let e = plan_err(
        r#"
        [[bonus]]
        kind = "fast_start"
        rate = "-0.1"
        "#,
    );
    assert_eq!(
        e,
        Error::Plan {
            path: "bonus[0].rate".into(),
            message: "-0.1 is below 0".into()
        }
    );

    // An amount for an unknown rank in rank advancement.
    let e = plan_err(
        r#"
        [[ranks]]
        name = "Distributor"
        [[bonus]]
        kind = "rank_advancement"
        amounts = { Gold = "100" }
        "#,
    );
    let (path, message) = plan_path(&e);
    assert_eq!(path, "bonus[0].amounts.Gold");
    assert!(message.contains("no rank is named \"Gold\""), "{message}");

    // A cap ratio above 1.
    let e = plan_err(
        r#"
        [cap]
        max_payout_ratio = "1.01"
        "#,
    );
    assert_eq!(
        e,
        Error::Plan {
            path: "cap.max_payout_ratio".into(),
            message: "1.01 is above 1".into()
        }
    );
}
