// Volumes are written as points_hundredths (100_00 = 100 points) on purpose.
#![allow(clippy::inconsistent_digit_grouping)]
//! Golden cases of the party plan, worked by hand: the consultant's commission stepped by
//! the month's sales, host rewards per party, overrides on party volume, party sales kept
//! apart as a source of the payout, host rewards outside the payout and the cap.
//!
//! As in `tests/golden.rs`: volumes in hundredths of a point (`12_50` = 12.50 points),
//! amounts in cents; every line is `Σ volume × rate` rounded once, half away from zero.

use downline::downline::NO_SPONSOR;
use downline::engine::{MonthInput, Party, PlanEngine, Sources};
use downline::simulation::{run_one, RunOptions};
use downline::{
    compute_commissions_with_parties, CompiledPlan, Error, Format, LedgerLine, PartyRow, Scenario,
    TreeRow, VolumeRow,
};

mod common;
use common::{example, plan, plan_err};

use common::engine_month as month;

fn party(distributor: u32, pv: i64) -> Party {
    Party { distributor, pv }
}

/// Commission 20% / 22% from 750 / 25% from 1,250 on party sales; host rewards 10% from
/// a 200 party, 15% + 5.00 from a 500 party; a 5% level-1 override paid to Leaders
/// (PV ≥ 300). Active from 150 PV.
const PARTY: &str = r#"
    [active]
    min_pv = "150"
    [[ranks]]
    name = "Consultant"
    [[ranks]]
    name = "Leader"
    pv = "300"
    [[bonus]]
    kind = "party_commission"
    tiers = [
      { min_pv = "0", rate = "0.20" },
      { min_pv = "750", rate = "0.22" },
      { min_pv = "1250", rate = "0.25" },
    ]
    [[bonus]]
    kind = "host_rewards"
    tiers = [
      { min_pv = "200", rate = "0.10" },
      { min_pv = "500", rate = "0.15", amount = "5" },
    ]
    [[bonus]]
    kind = "unilevel"
    rates = { Leader = ["0.05"] }
"#;

/// ```text
///   0  own 50, a party of 400                 PV 450  Leader
///   └── 1  parties of 300 and 500             PV 800  Leader
///       └── 2  own 10, a party of 120         PV 130  not active (< 150)
/// ```
fn chain() -> (Vec<u32>, Vec<i64>, Vec<Party>) {
    (
        vec![NO_SPONSOR, 0, 1],
        vec![50_00, 0, 10_00],
        vec![
            party(0, 400_00),
            party(1, 300_00),
            party(1, 500_00),
            party(2, 120_00),
        ],
    )
}

#[test]
fn commission_tiers_host_rewards_and_overrides_on_party_volume() {
    let p = plan(PARTY);
    let (sponsor, own, parties) = chain();
    let mut e = PlanEngine::new(&p);
    let t = e.run_month(&MonthInput {
        month: 1,
        sponsor: &sponsor,
        join_month: &[1, 1, 1],
        participating: &[true, true, true],
        own_pv: &own,
        retail_pv: &[0, 0, 0],
        preferred_pv: &[],
        parties: &parties,
    });
    // Commission, on each one's month of party sales:
    //   0: 400 < 750 → 20% × 400 = 80.00
    //   1: 300 + 500 = 800 ≥ 750 → 22% × 800 = 176.00 (the tier pays on all of it)
    //   2: 120 → 20% × 120 = 24.00 (not active, but the commission does not require it)
    assert_eq!(e.amounts[0][..3], [80_00, 176_00, 24_00]);
    // Host rewards, per party:
    //   0's party of 400: 10% × 400 = 40.00
    //   1's parties: 300 → 10% = 30.00; 500 → 15% × 500 + 5.00 = 80.00; together 110.00
    //   2's party of 120 is below 200: nothing
    assert_eq!(e.amounts[1][..3], [40_00, 110_00, 0]);
    // Override 5% on level 1 to Leaders, on PV including party sales:
    //   0: 5% × 800 = 40.00; 1: 5% × 130 = 6.50; 2 is not a Leader.
    assert_eq!(e.amounts[2][..3], [40_00, 6_50, 0]);
    assert_eq!(e.pv[..3], [450_00, 800_00, 130_00]);

    // The payout is the distributors' commissions only; host rewards are apart.
    assert_eq!(t.payout, 80_00 + 176_00 + 24_00 + 40_00 + 6_50);
    assert_eq!(t.host_rewards, 150_00);
    assert_eq!(t.by_bonus, vec![280_00, 150_00, 46_50]);
    assert_eq!(t.volume, 1380_00);
    assert_eq!(t.party_volume, 1320_00);
    assert_eq!(t.retail_volume, 0);
    assert_eq!(t.preferred_volume, 0);
    // Sources: on party sales alone the commission pays 280.00 and the override pays
    // 5% × 800 + 5% × 120 = 46.00; the remaining 0.50 is 1's override on 2's own 10 PV.
    assert_eq!(
        t.sources,
        Sources {
            retail: 0,
            preferred: 0,
            party: 326_00,
            own: 0,
            downline: 50,
            other: 0
        }
    );
    // Only 2 is inactive, and it has no recruits: nothing broken off.
    assert_eq!(t.potential, t.payout);
}

#[test]
fn the_cap_applies_to_commissions_not_to_host_rewards() {
    // 20% of 1,380 = 276.00 < 326.50: the commissions are scaled to 276.00; the hosts
    // still get 150.00. Party source: floor(326.00 × 276.00 / 326.50) = 275.57;
    // downline takes the rest, 0.43.
    let p = plan(&format!("{PARTY}\n[cap]\nmax_payout_ratio = \"0.20\"\n"));
    let (sponsor, own, parties) = chain();
    let t = month(&p, &sponsor, &own, &[0, 0, 0], &[], &parties);
    assert_eq!(t.payout_before_cap, 326_50);
    assert_eq!(t.payout, 276_00);
    assert_eq!(t.host_rewards, 150_00);
    assert_eq!(t.by_bonus[1], 150_00);
    assert_eq!(t.by_bonus[0] + t.by_bonus[2], 276_00);
    assert_eq!(t.sources.party, 275_57);
    assert_eq!(t.sources.downline, 43);
}

#[test]
fn require_active_and_the_sources_a_commission_is_paid_on() {
    // The commission on party sales and retail customers' orders, active only:
    //   0: party 600 + retail 200 = 800 ≥ 750 → 22% on all 800 = 176.00;
    //      preferred 100 is not in `on`: it counts toward PV but earns no commission.
    //   1: party 100, own 20 → PV 120 < 150: not active, no commission.
    let p = plan(
        r#"
        [active]
        min_pv = "150"
        [[bonus]]
        kind = "party_commission"
        on = ["party", "retail"]
        require_active = true
        tiers = [{ min_pv = "0", rate = "0.20" }, { min_pv = "750", rate = "0.22" }]
    "#,
    );
    let t = month(
        &p,
        &[NO_SPONSOR, 0],
        &[0, 20_00],
        &[200_00, 0],
        &[100_00, 0],
        &[party(0, 600_00), party(1, 100_00)],
    );
    assert_eq!(t.payout, 176_00);
    // Traced by source at the tier of the real month: retail 22% × 200 = 44.00,
    // party 22% × 600 = 132.00.
    assert_eq!(
        t.sources,
        Sources {
            retail: 44_00,
            preferred: 0,
            party: 132_00,
            own: 0,
            downline: 0,
            other: 0
        }
    );
    // Had 1 been active it would have earned 20% × 100 = 20.00: breakage.
    assert_eq!(t.potential, 196_00);
}

#[test]
fn every_source_is_kept_apart_in_an_override() {
    // 0 ← 1. Unilevel 10% on level 1. 1 has own 50, retail 30, preferred 20 and a party of
    // 100: PV 200. 0 earns 10% × 200 = 20.00: retail 3.00, preferred 2.00, party 10.00 and
    // 5.00 on 1's own purchases (downline).
    let p = plan("[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.10\"]\n");
    let t = month(
        &p,
        &[NO_SPONSOR, 0],
        &[100_00, 50_00],
        &[0, 30_00],
        &[0, 20_00],
        &[party(1, 100_00)],
    );
    assert_eq!(t.payout, 20_00);
    assert_eq!(
        t.sources,
        Sources {
            retail: 3_00,
            preferred: 2_00,
            party: 10_00,
            own: 0,
            downline: 5_00,
            other: 0
        }
    );
    assert_eq!(t.volume, 300_00);
    assert_eq!(
        (t.retail_volume, t.preferred_volume, t.party_volume),
        (30_00, 20_00, 100_00)
    );
}

#[test]
fn a_party_of_someone_who_has_quit_counts_for_nothing() {
    let p = plan(PARTY);
    let mut e = PlanEngine::new(&p);
    let t = e.run_month(&MonthInput {
        month: 2,
        sponsor: &[NO_SPONSOR, 0],
        join_month: &[1, 1],
        participating: &[true, false],
        own_pv: &[0, 0],
        retail_pv: &[0, 0],
        preferred_pv: &[],
        parties: &[party(1, 900_00)],
    });
    assert_eq!(
        (t.volume, t.party_volume, t.payout, t.host_rewards),
        (0, 0, 0, 0)
    );
}

fn row(id: i64, sponsor: Option<i64>, join: i64, quit: Option<i64>) -> TreeRow {
    TreeRow {
        id,
        sponsor,
        join_month: join,
        quit_month: quit,
    }
}

fn line(month: i64, id: i64, bonus: usize, amount: i64) -> LedgerLine {
    LedgerLine {
        month,
        id,
        bonus,
        amount,
    }
}

#[test]
fn ledger_with_parties_matches_the_engine() {
    // The chain of the first case with ids 10, 20, 30, and a second month in which only
    // 20 holds a party (of 1,300: 25% = 325.00; host 15% + 5.00 = 200.00; 10 earns 5% ×
    // 1,300 = 65.00 as a Leader only if active: 10 has no volume in month 2, so nothing).
    let p = plan(PARTY);
    let tree = [
        row(10, None, 1, None),
        row(20, Some(10), 1, None),
        row(30, Some(20), 1, None),
    ];
    let vols = [
        VolumeRow {
            id: 10,
            month: 1,
            pv: 50_00,
            retail: 0,
            preferred: 0,
        },
        VolumeRow {
            id: 30,
            month: 1,
            pv: 10_00,
            retail: 0,
            preferred: 0,
        },
    ];
    let pr = |id, month, pv| PartyRow { id, month, pv };
    let parties = [
        pr(10, 1, 400_00),
        pr(20, 1, 300_00),
        pr(20, 1, 500_00),
        pr(30, 1, 120_00),
        pr(20, 2, 1300_00),
    ];
    let lines = compute_commissions_with_parties(&p, &tree, None, &vols, &parties).unwrap();
    assert_eq!(
        lines,
        vec![
            line(1, 10, 0, 80_00),
            line(1, 10, 1, 40_00),
            line(1, 10, 2, 40_00),
            line(1, 20, 0, 176_00),
            line(1, 20, 1, 110_00),
            line(1, 20, 2, 6_50),
            line(1, 30, 0, 24_00),
            line(2, 20, 0, 325_00),
            line(2, 20, 1, 200_00),
        ]
    );
}

#[test]
fn ledger_rejects_bad_parties_by_row() {
    let p = plan(PARTY);
    let tree = [row(1, None, 1, None), row(2, Some(1), 1, Some(3))];
    let bad = |parties: &[PartyRow]| match compute_commissions_with_parties(
        &p,
        &tree,
        None,
        &[],
        parties,
    ) {
        Err(Error::Input(m)) => m,
        other => panic!("expected an input error, got {other:?}"),
    };
    let pr = |id, month, pv| PartyRow { id, month, pv };
    assert_eq!(
        bad(&[pr(1, 1, 10_00), pr(7, 1, 10_00)]),
        "parties row 1: id 7 is not in the tree"
    );
    assert_eq!(
        bad(&[pr(2, 3, 10_00)]),
        "parties row 0: id 2 held a party in month 3, when it does not participate"
    );
    assert_eq!(
        bad(&[pr(1, 1, -1)]),
        "parties row 0: id 1: the party's sales are negative"
    );
    // preferred volume is part of pv, like retail
    let v = VolumeRow {
        id: 1,
        month: 1,
        pv: 10_00,
        retail: 5_00,
        preferred: 6_00,
    };
    match compute_commissions_with_parties(&p, &tree, None, &[v], &[]) {
        Err(Error::Input(m)) => assert!(
            m.contains("retail 5.00 + preferred 6.00 is more than pv 10.00"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn party_plan_errors_name_the_field() {
    let head = "[[bonus]]\nkind = \"party_commission\"\n";
    let (path, msg) = plan_err(&format!(
        "{head}tiers = [{{ min_pv = \"500\", rate = \"0.2\" }}, {{ min_pv = \"500\", rate = \"0.25\" }}]\n"
    ));
    assert_eq!(path, "bonus[0].tiers[1].min_pv");
    assert!(msg.contains("increasing min_pv"), "{msg}");
    let (path, msg) = plan_err(&format!(
        "{head}tiers = [{{ min_pv = \"0\", rate = \"0.2\", amount = \"5\" }}]\n"
    ));
    assert_eq!(path, "bonus[0].tiers[0].amount");
    assert!(msg.contains("host_rewards"), "{msg}");
    let (path, msg) = plan_err(&format!(
        "{head}on = [\"party\", \"wholesale\"]\ntiers = [{{ min_pv = \"0\", rate = \"0.2\" }}]\n"
    ));
    assert_eq!(path, "bonus[0].on[1]");
    assert!(msg.contains("\"wholesale\" is not a source"), "{msg}");
    let (path, _) = plan_err(&format!("{head}tiers = []\n"));
    assert_eq!(path, "bonus[0].tiers");
    let (path, msg) = plan_err(
        "[[bonus]]\nkind = \"host_rewards\"\ntiers = [{ min_pv = \"200\", rate = \"1.5\" }]\n",
    );
    assert_eq!(path, "bonus[0].tiers[0].rate");
    assert!(msg.contains("above 1"), "{msg}");
    let (path, _) = plan_err("[[bonus]]\nkind = \"host_rewards\"\ntiers = [{ min_pv = \"200\", rate = \"0.1\", bonus = 1 }]\n");
    assert_eq!(path, "bonus[0].tiers[0].bonus");
    // Matching pays on distributors' earnings: host rewards are not theirs.
    let (path, msg) = plan_err(
        r#"
        [[bonus]]
        kind = "unilevel"
        levels = ["0.05"]
        [[bonus]]
        kind = "host_rewards"
        tiers = [{ min_pv = "200", rate = "0.1" }]
        [[bonus]]
        kind = "matching"
        on = ["host_rewards"]
        generations = ["0.1"]
    "#,
    );
    assert_eq!(path, "bonus[2].on[0]");
    assert!(msg.contains("party hosts"), "{msg}");
}

#[test]
fn scenario_errors_name_the_field() {
    let err = |t: &str| match Scenario::parse(t, Format::Toml) {
        Err(Error::Scenario { path, message }) => (path, message),
        other => panic!("expected a scenario error, got {other:?}"),
    };
    assert_eq!(err("[parties]\nper_month = -1\n").0, "parties.per_month");
    assert_eq!(
        err("[parties]\nper_month = [2, 1, -1]\n").0,
        "parties.per_month[2]"
    );
    assert_eq!(
        err("[parties]\nhosting_share = 1.5\n").0,
        "parties.hosting_share"
    );
    assert_eq!(err("[parties]\nsales_sigma = 9\n").0, "parties.sales_sigma");
    assert_eq!(err("[parties]\nguests = 9\n").0, "parties.guests");
}

/// The example party plan (examples/plans/party.toml) on a small tree, by hand.
#[test]
fn example_party_plan_on_a_small_tree() {
    let p = example("party.toml");
    // Bonuses: 0 personal commission (party + retail; 20% / 22% from 750 / 23% from 1,250 /
    // 25% from 2,000), 1 host rewards (10% from 200, 15% from 500, 20% from 1,000),
    // 2 team override (Team Leader 4%, 2%; Director 6%, 4%, 2%).
    // Ranks: Team Leader PV 300, GV 1,500, 2 active recruits; Director PV 500, GV 5,000,
    // 4 active recruits. Active from 150.
    //
    //   0  parties 1,200 + 900                       PV 2,100  GV 2,100 + 1,600 = 3,700
    //   ├── 1  party 500, retail 200                  PV 700
    //   ├── 2  party 800                              PV 800
    //   └── 3  own 100 (not active)                   PV 100
    //
    // 0 is a Team Leader (PV 2,100 ≥ 300, GV 3,700 ≥ 1,500, 2 active recruits; not a
    // Director: 4 are needed). 1 and 2 are Consultants.
    // Commission: 0: 2,100 ≥ 2,000 → 25% = 525.00; 1: 500 + 200 = 700 → 20% = 140.00;
    //   2: 800 → 22% = 176.00.
    // Hosts: 1,200 → 20% = 240.00, 900 → 15% = 135.00 (0's parties: 375.00);
    //   500 → 15% = 75.00; 800 → 15% = 120.00.
    // Override: 0 gets 4% × (700 + 800 + 100) = 64.00.
    let t = {
        let n = 4;
        let mut e = PlanEngine::new(&p);
        let t = e.run_month(&MonthInput {
            month: 1,
            sponsor: &[NO_SPONSOR, 0, 0, 0],
            join_month: &vec![1; n],
            participating: &vec![true; n],
            own_pv: &[0, 0, 0, 100_00],
            retail_pv: &[0, 200_00, 0, 0],
            preferred_pv: &[],
            parties: &[
                party(0, 1200_00),
                party(0, 900_00),
                party(1, 500_00),
                party(2, 800_00),
            ],
        });
        assert_eq!(e.rank[..4], [1, 0, 0, 0]);
        assert_eq!(e.amounts[0][..4], [525_00, 140_00, 176_00, 0]);
        assert_eq!(e.amounts[1][..4], [375_00, 75_00, 120_00, 0]);
        assert_eq!(e.amounts[2][..4], [64_00, 0, 0, 0]);
        t
    };
    assert_eq!(t.payout, 525_00 + 140_00 + 176_00 + 64_00);
    assert_eq!(t.host_rewards, 570_00);
    // Sources: retail: 20% × 200 + 4% × 200 = 48.00; party: 525 + 100 + 176 + 4% × 1,300
    // = 853.00; downline: 4% × 100 = 4.00.
    assert_eq!(
        t.sources,
        Sources {
            retail: 48_00,
            preferred: 0,
            party: 853_00,
            own: 0,
            downline: 4_00,
            other: 0
        }
    );
}

fn party_scenario(extra: &str) -> Scenario {
    Scenario::parse(
        &format!(
            "[market]\nfounders = 200\nsize = 5000\n[recruitment]\nrate = 0.15\n\
             [customers]\nacquisition_rate = 0.3\npreferred_share = 0.3\n{extra}"
        ),
        Format::Toml,
    )
    .unwrap()
}

fn simulate(p: &CompiledPlan, s: &Scenario) -> downline::RunOutput {
    run_one(
        p,
        s,
        0,
        RunOptions {
            months: 18,
            seed: 21,
            keep_distributors: true,
        },
        None,
    )
    .unwrap()
}

#[test]
fn simulated_parties_are_kept_apart_and_hosts_are_not_distributors() {
    let p = example("party.toml");
    let with = party_scenario("[parties]\nper_month = 2\nhosting_share = 0.6\nsales_mean = 450\n");
    let without = party_scenario("");
    let a = simulate(&p, &with);
    let b = simulate(&p, &without);
    let (da, db) = (
        a.distributors.as_ref().unwrap(),
        b.distributors.as_ref().unwrap(),
    );
    // Parties draw from their own stream: the same people join, sponsor and quit.
    assert_eq!(da.sponsor, db.sponsor);
    assert_eq!(da.join_month, db.join_month);
    assert_eq!(da.quit_month, db.quit_month);
    assert_eq!(da.customer_volume, db.customer_volume);
    assert!(db.party_volume.iter().all(|&v| v == 0));

    let sum = |f: fn(&downline::MonthRow) -> i64| a.monthly.iter().map(f).sum::<i64>();
    let party_volume = sum(|m| m.party_volume);
    assert!(party_volume > 0);
    assert_eq!(da.party_volume.iter().sum::<i64>(), party_volume);
    for m in &a.monthly {
        let s = m.sources;
        assert_eq!(s.total(), m.payout, "month {}", m.month);
        // host rewards are the host_rewards bonus, outside the payout
        assert_eq!(m.host_rewards, m.by_bonus[1]);
        assert_eq!(m.payout, m.by_bonus[0] + m.by_bonus[2]);
    }
    // Distributors earn the payout, never the hosts' rewards.
    assert_eq!(da.earnings.iter().sum::<i64>(), sum(|m| m.payout));
    assert!(sum(|m| m.host_rewards) > 0);
    assert_eq!(a.summary.host_rewards, sum(|m| m.host_rewards));
    // Most of the commission is paid on party sales.
    assert!(sum(|m| m.sources.party) * 2 > sum(|m| m.payout));

    // About 60% hold parties, about 2 a month each, of about 450 each. The mean party is
    // lognormal with that mean (1 PV = $1).
    let months_in: u64 = da
        .join_month
        .iter()
        .zip(&da.quit_month)
        .map(|(&j, &q)| (q.min(19) as u64).saturating_sub(j as u64))
        .sum();
    let per_person_month = party_volume as f64 / 100.0 / months_in as f64;
    // 0.6 × 2 × 450 = 540 a month per participant
    assert!(
        (per_person_month - 540.0).abs() < 540.0 * 0.06,
        "party sales per participant-month {per_person_month:.1}"
    );
}

/// Random trees, volumes and parties against a naive evaluation of the party bonuses: host
/// rewards are exactly Σ over parties of their tier; the commission never pays above the
/// top rate; the sources add up to the payout; the cap holds and leaves hosts alone.
#[test]
fn property_party_bonuses_against_a_naive_evaluation() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
    for case in 0..300 {
        // Random increasing tiers.
        let k = rng.random_range(1..4);
        let mut min_pv = vec![];
        let mut rate = vec![];
        let mut amount = vec![];
        let mut at = 0i64;
        for _ in 0..k {
            at += rng.random_range(0..600) * 100;
            min_pv.push(at);
            at += 100;
            rate.push(rng.random_range(0..=30) * 1_000 * 10); // 0% to 30%, whole percent
            amount.push(rng.random_range(0..3) * 500);
        }
        let tiers = |with_amount: bool| -> String {
            (0..k)
                .map(|t| {
                    let a = if with_amount {
                        format!(", amount = \"{}\"", amount[t] as f64 / 100.0)
                    } else {
                        String::new()
                    };
                    format!(
                        "{{ min_pv = \"{}\", rate = \"{}\"{a} }}",
                        min_pv[t] as f64 / 100.0,
                        rate[t] as f64 / 1e6
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let cap = rng.random_bool(0.3);
        let toml = format!(
            "[active]\nmin_pv = \"50\"\n[[bonus]]\nkind = \"party_commission\"\non = [\"party\", \"preferred\"]\n\
             tiers = [{}]\n[[bonus]]\nkind = \"host_rewards\"\ntiers = [{}]\n[[bonus]]\nkind = \"unilevel\"\n\
             levels = [\"0.05\", \"0.03\"]\n{}",
            tiers(false),
            tiers(true),
            if cap { "[cap]\nmax_payout_ratio = \"0.1\"\n" } else { "" }
        );
        let p = plan(&toml);
        let n = rng.random_range(1..30usize);
        let sponsor: Vec<u32> = (0..n)
            .map(|i| {
                if i == 0 {
                    NO_SPONSOR
                } else {
                    rng.random_range(0..i as u32)
                }
            })
            .collect();
        let participating: Vec<bool> = (0..n).map(|_| rng.random_bool(0.85)).collect();
        let own: Vec<i64> = (0..n).map(|_| rng.random_range(0..200) * 100).collect();
        let retail: Vec<i64> = (0..n).map(|_| rng.random_range(0..50) * 37).collect();
        let preferred: Vec<i64> = (0..n).map(|_| rng.random_range(0..50) * 41).collect();
        let parties: Vec<Party> = (0..rng.random_range(0..40))
            .map(|_| party(rng.random_range(0..n as u32), rng.random_range(0..150_000)))
            .collect();
        let mut e = PlanEngine::new(&p);
        let t = e.run_month(&MonthInput {
            month: 1,
            sponsor: &sponsor,
            join_month: &vec![1; n],
            participating: &participating,
            own_pv: &own,
            retail_pv: &retail,
            preferred_pv: &preferred,
            parties: &parties,
        });
        let tier = |v: i64| min_pv.iter().rposition(|&m| m <= v);
        // Host rewards, naively.
        let mut hosts = vec![0i64; n];
        for q in &parties {
            let d = q.distributor as usize;
            if let (true, Some(t)) = (participating[d], tier(q.pv)) {
                // rate × pv (hundredths of a point at 1 currency a point): cents, rounded
                let x = q.pv as i128 * rate[t] as i128;
                hosts[d] += ((x + 500_000) / 1_000_000) as i64 + amount[t];
            }
        }
        assert_eq!(e.amounts[1][..n], hosts[..], "case {case}");
        assert_eq!(t.host_rewards, hosts.iter().sum::<i64>(), "case {case}");
        // The commission, before any cap, never above the top rate of the sales.
        let top = *rate.iter().max().unwrap() as i128;
        for i in 0..n {
            let sales: i64 = parties
                .iter()
                .filter(|q| q.distributor as usize == i)
                .map(|q| q.pv)
                .sum::<i64>()
                + preferred[i];
            let bound = (sales as i128 * top + 999_999) / 1_000_000;
            assert!(e.amounts[0][i] as i128 <= bound, "case {case}, {i}");
            if !participating[i] {
                assert_eq!(e.amounts[0][i], 0);
            }
        }
        let s = t.sources;
        assert_eq!(s.total(), t.payout, "case {case}");
        assert!(s.retail >= 0 && s.preferred >= 0 && s.party >= 0 && s.downline >= 0);
        assert_eq!(t.payout, t.by_bonus[0] + t.by_bonus[2], "case {case}");
        if cap {
            assert!(t.payout * 10 <= t.volume + 9, "case {case}");
        }
    }
}

/// The party-plan preset against the figures it cites (docs/industry-figures.md §9), with
/// the example party plan: half hold about 2 parties a month of about $450 (so about $450
/// of party sales per participant-month); most volume is party sales; 72.6% of a year's
/// consultants in for only part of it.
#[test]
fn party_plan_preset_against_its_figures() {
    let p = example("party.toml");
    let s = Scenario::preset("party_plan").unwrap();
    let (mut party, mut volume, mut payout, mut hosts, mut value) = (0i64, 0i64, 0i64, 0i64, 0i64);
    let mut participant_months = 0u64;
    let (mut in_year, mut part_year) = (0u64, 0u64);
    for run in 0..2 {
        let o = run_one(
            &p,
            &s,
            run,
            RunOptions {
                months: 36,
                seed: 4,
                keep_distributors: true,
            },
            None,
        )
        .unwrap();
        for m in &o.monthly {
            party += m.party_volume;
            volume += m.volume;
            payout += m.payout;
            hosts += m.host_rewards;
            value += m.volume_value;
            participant_months += m.active as u64;
        }
        // Consultants of the third year, and how many of them were in for only part of it.
        let d = o.distributors.unwrap();
        for i in 0..d.join_month.len() {
            let (j, q) = (d.join_month[i] as u32, d.quit_month[i] as u32);
            if j <= 36 && q > 25 {
                in_year += 1;
                part_year += (j > 25 || q <= 36) as u64;
            }
        }
    }
    let per_month = party as f64 / 100.0 / participant_months as f64;
    assert!(
        (per_month - 450.0).abs() < 450.0 * 0.08,
        "party sales per participant-month {per_month:.1}"
    );
    let party_share = party as f64 / volume as f64;
    let payout_ratio = payout as f64 / value as f64;
    let host_ratio = hosts as f64 / value as f64;
    let part_year = part_year as f64 / in_year as f64;
    eprintln!(
        "party share {party_share:.3}, payout ratio {payout_ratio:.3}, host rewards {host_ratio:.3}, part-year {part_year:.3}"
    );
    assert!(party_share > 0.75, "party share of volume {party_share:.3}");
    // Scentsy's disclosures: 20% to 36% of personal sales in commissions and bonuses.
    assert!(
        (0.18..=0.36).contains(&payout_ratio),
        "payout ratio {payout_ratio:.3}"
    );
    // Host rewards of 10–15% of the parties that qualify.
    assert!(
        (0.05..=0.15).contains(&host_ratio),
        "host rewards {host_ratio:.3}"
    );
    // Scentsy 2020: 72.6% of the year's consultants were in for only part of it (the
    // preset's quit table is calibrated to it).
    assert!(
        (part_year - 0.726).abs() < 0.05,
        "part-year share {part_year:.3}"
    );
}
