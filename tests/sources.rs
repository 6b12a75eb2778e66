// Volumes are written as points_hundredths (100_00 = 100 points) on purpose.
#![allow(clippy::inconsistent_digit_grouping)]
//! Where the money comes from, and breakage, worked by hand.
//!
//! A chain 1 ← 2 ← 3 (0-based indices 0, 1, 2). Unilevel 10% on level 1, 5% on level 2;
//! active from 50 PV. Volumes in hundredths of a point; amounts in cents.

use downline::downline::NO_SPONSOR;
use downline::engine::{MonthInput, MonthTotals, PlanEngine, Sources};
use downline::{CompiledPlan, Format};

fn month(plan_toml: &str, own: [i64; 3], retail: [i64; 3]) -> MonthTotals {
    let plan = CompiledPlan::parse(plan_toml, Format::Toml).unwrap();
    let mut e = PlanEngine::new(&plan);
    e.run_month(&MonthInput {
        month: 1,
        sponsor: &[NO_SPONSOR, 0, 1],
        join_month: &[1, 1, 1],
        participating: &[true, true, true],
        own_pv: &own,
        retail_pv: &retail,
        preferred_pv: &[],
        parties: &[],
    })
}

const UNILEVEL: &str = r#"
[active]
min_pv = "50"
[[bonus]]
kind = "unilevel"
levels = ["0.10", "0.05"]
"#;

#[test]
fn retail_and_downline_shares() {
    // 1: 100 own. 2: 60 own + 40 retail = 100. 3: 30 own (not active).
    // 1 earns 10% × 100 + 5% × 30 = 11.50; 2 earns 10% × 30 = 3.00. Payout 14.50.
    // On retail volume alone (only 2's 40 points): 1 earns 10% × 40 = 4.00.
    let t = month(UNILEVEL, [100_00, 60_00, 30_00], [0, 40_00, 0]);
    assert_eq!(t.payout, 1450);
    assert_eq!(
        t.sources,
        Sources {
            retail: 400,
            preferred: 0,
            party: 0,
            own: 0,
            downline: 1050,
            other: 0
        }
    );
    // 3 has no recruits: had it been active it would earn nothing more.
    assert_eq!(t.potential, 1450);
}

#[test]
fn breakage_is_what_inactive_distributors_would_have_earned() {
    // 2 now has 20 own + 10 retail = 30 points: not active, so not paid.
    // 1 earns 10% × 30 + 5% × 30 = 4.50 (1.00 of it on 2's retail 10 points).
    // Had 2 been active it would earn 10% × 30 = 3.00: potential 7.50, breakage 3.00.
    let t = month(UNILEVEL, [100_00, 20_00, 30_00], [0, 10_00, 0]);
    assert_eq!(t.payout, 450);
    assert_eq!(
        t.sources,
        Sources {
            retail: 100,
            preferred: 0,
            party: 0,
            own: 0,
            downline: 350,
            other: 0
        }
    );
    assert_eq!(t.potential, 750);
}

#[test]
fn the_cap_scales_every_source_alike() {
    // Volume 230 points, cap 5% = 11.50 of 14.50. Retail: floor(400 × 1150 / 1450) = 317;
    // downline takes the rest: 833.
    let plan = format!("{UNILEVEL}\n[cap]\nmax_payout_ratio = \"0.05\"\n");
    let t = month(&plan, [100_00, 60_00, 30_00], [0, 40_00, 0]);
    assert_eq!(t.payout, 1150);
    assert_eq!(
        t.sources,
        Sources {
            retail: 317,
            preferred: 0,
            party: 0,
            own: 0,
            downline: 833,
            other: 0
        }
    );
    assert_eq!(t.sources.total(), t.payout);
}

#[test]
fn rank_advancement_is_not_paid_on_volume() {
    // 1 and 2 reach Leader (100 PV): 2 × 5.00 = 10.00 "other"; payout 24.50.
    // Capped at 11.50: retail floor(400 × 1150 / 2450) = 187, other floor(1000 × 1150 /
    // 2450) = 469, downline 1150 − 187 − 469 = 494.
    let plan = r#"
[active]
min_pv = "50"
[[ranks]]
name = "Distributor"
[[ranks]]
name = "Leader"
pv = "100"
[[bonus]]
kind = "unilevel"
levels = ["0.10", "0.05"]
[[bonus]]
kind = "rank_advancement"
amounts = { Leader = "5" }
[cap]
max_payout_ratio = "0.05"
"#;
    let t = month(plan, [100_00, 60_00, 30_00], [0, 40_00, 0]);
    assert_eq!(t.payout_before_cap, 2450);
    assert_eq!(t.payout, 1150);
    assert_eq!(
        t.sources,
        Sources {
            retail: 187,
            preferred: 0,
            party: 0,
            own: 0,
            downline: 494,
            other: 469
        }
    );
    // potential: the volume bonuses with everyone active (14.50) plus the other pay (10.00)
    assert_eq!(t.potential, 2450);
}

#[test]
fn with_compression_and_rank_rates_breakage_can_be_negative() {
    // Compression, rates for Leaders only (PV ≥ 100): 10% on level 1, 5% on level 2.
    // 0 ← 1 ← 2 with PV 100, 20 (not active), 200.
    // Paid: 1 is inactive, so it does not count as a level: 0 earns 10% × 20 (1's PV at
    // level 1) + 10% × 200 (2 compressed up to level 1) = 22.00.
    // Everyone active (at the ranks earned: 1 is a Distributor, rate 0): 2 is at level 2
    // for 0: 10% × 20 + 5% × 200 = 12.00, and 1 earns nothing. Breakage −10.00: making
    // 1 active would cost its upline the compression and pay 1 nothing.
    let plan = r#"
[active]
min_pv = "50"
[[ranks]]
name = "Distributor"
[[ranks]]
name = "Leader"
pv = "100"
[[bonus]]
kind = "unilevel"
compression = true
rates = { Leader = ["0.10", "0.05"] }
"#;
    let t = month(plan, [100_00, 20_00, 200_00], [0, 0, 0]);
    assert_eq!(t.payout, 22_00);
    assert_eq!(t.potential, 12_00);
}
