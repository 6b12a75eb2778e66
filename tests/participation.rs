//! The engine reused month after month against a fresh engine for each month alone.
//!
//! The forward pass visits only those participating, and clears those who participated the
//! month before and not this one (`PlanEngine::clear_the_rest`). Here participation
//! switches on and off at random — people stop, come back, stop again, as a company's
//! records may say — and the tree grows. For plans whose months do not depend on earlier
//! ones, every array and total of each month must be what an engine that has seen no
//! other month computes.

mod common;

use downline::downline::NO_SPONSOR;
use downline::engine::{MonthInput, PlanEngine};
use downline::CompiledPlan;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Plans without history: ranks by this month's PV, GV, legs and leg ranks (with a leg
/// cap), none (everyone paid as the one rank), and compression by qualification (the
/// stages see a tree rebuilt each month).
const PLANS: [&str; 3] = [
    r#"
[active]
min_pv = "50"
[[ranks]]
name = "Member"
[[ranks]]
name = "Builder"
pv = "50"
gv = "300"
active_legs = 2
[[ranks]]
name = "Leader"
pv = "50"
gv = "900"
leg_ranks = { Builder = 1 }
max_leg_share = "0.6"
[[bonus]]
kind = "retail"
markup = "0.25"
[[bonus]]
kind = "unilevel"
compression = true
levels = ["0.05", "0.03"]
[bonus.rates]
Builder = ["0.06", "0.05", "0.04"]
Leader = ["0.08", "0.06", "0.05", "0.04"]
"#,
    r#"
[[bonus]]
kind = "unilevel"
levels = ["0.05", "0.05", "0.05"]
"#,
    r#"
[active]
min_pv = "50"
[pv_compression]
[[ranks]]
name = "Member"
[[ranks]]
name = "Builder"
pv = "50"
gv = "300"
[[bonus]]
kind = "unilevel"
levels = ["0.05", "0.03"]
[bonus.rates]
Builder = ["0.07", "0.05", "0.03"]
"#,
];

struct Month {
    sponsor: Vec<u32>,
    join: Vec<u16>,
    part: Vec<bool>,
    own: Vec<i64>,
    retail: Vec<i64>,
}

impl Month {
    fn input(&self, month: u16) -> MonthInput<'_> {
        MonthInput {
            month,
            sponsor: &self.sponsor,
            join_month: &self.join,
            participating: &self.part,
            own_pv: &self.own,
            retail_pv: &self.retail,
            preferred_pv: &[],
            parties: &[],
        }
    }
}

/// Twelve months of a tree that grows by a few people a month, each participating with
/// probability 0.6 in any month (so many stop and come back), with volumes drawn anew.
fn months(seed: u64) -> Vec<Month> {
    let mut r = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut sponsor: Vec<u32> = vec![NO_SPONSOR; 3];
    let mut join: Vec<u16> = vec![1; 3];
    let mut out = vec![];
    for m in 1..=12u16 {
        if m > 1 {
            for _ in 0..r.random_range(0..8) {
                sponsor.push(r.random_range(0..sponsor.len() as u32));
                join.push(m);
            }
        }
        let n = sponsor.len();
        let part: Vec<bool> = (0..n).map(|_| r.random_bool(0.6)).collect();
        let own: Vec<i64> = (0..n).map(|_| r.random_range(0..3) * 4_000).collect();
        let retail: Vec<i64> = (0..n).map(|_| r.random_range(0..2) * 2_500).collect();
        out.push(Month {
            sponsor: sponsor.clone(),
            join: join.clone(),
            part,
            own,
            retail,
        });
    }
    out
}

fn check(plan: &CompiledPlan, seed: u64) {
    let months = months(seed);
    let mut reused = PlanEngine::new(plan);
    reused.keep_group_volume();
    for (k, mo) in months.iter().enumerate() {
        let m = k as u16 + 1;
        let t = reused.run_month(&mo.input(m));
        let mut fresh = PlanEngine::new(plan);
        fresh.keep_group_volume();
        let want = fresh.run_month(&mo.input(m));
        let at = format!("seed {seed}, month {m}");
        assert_eq!(t, want, "{at}: totals");
        assert_eq!(reused.pv, fresh.pv, "{at}: PV");
        assert_eq!(reused.gv, fresh.gv, "{at}: GV");
        assert_eq!(reused.child_pv, fresh.child_pv, "{at}: recruits' PV");
        assert_eq!(reused.qualified, fresh.qualified, "{at}: active");
        assert_eq!(reused.rank, fresh.rank, "{at}: paid-as ranks");
        assert_eq!(reused.amounts, fresh.amounts, "{at}: amounts");
    }
}

#[test]
fn a_reused_engine_computes_each_month_as_a_fresh_one() {
    for (p, toml) in PLANS.iter().enumerate() {
        let plan = common::plan(toml);
        for seed in 0..40 {
            check(&plan, 1000 * p as u64 + seed);
        }
    }
}

/// The test above would pass if nobody ever stopped: make sure its months have people
/// who stop and come back, and people who hold PV and then stop.
#[test]
fn the_months_switch_participation_on_and_off() {
    let ms = months(3);
    let (mut stopped, mut returned) = (0, 0);
    for w in ms.windows(3) {
        for i in 0..w[0].part.len() {
            if w[0].part[i] && w[0].own[i] > 0 && !w[1].part[i] {
                stopped += 1;
                if w[2].part[i] {
                    returned += 1;
                }
            }
        }
    }
    assert!(
        stopped > 10 && returned > 5,
        "{stopped} stopped, {returned} came back"
    );
}
