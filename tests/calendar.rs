//! Shocks in calendar time (`[[events]]`): each effect changes the world from its month
//! on and nothing before it — the same seed gives the same people, orders and customers
//! until the event starts (common random numbers), so a recession is compared with the
//! world without it on the same people.

use downline::metrics::MonthRow;
use downline::simulation::{run_one, RunOptions};
use downline::{CompiledPlan, Error, Format, RunOutput, Scenario};

const BASE: &str = r#"
[market]
founders = 300
size = 20000
[recruitment]
rate = [0.6, 0.4, 0.3, 0.2]
heterogeneity = 0.5
[attrition]
monthly_quit = [0.2, 0.12, 0.08]
[purchases]
probability = 0.6
mean = 100.0
sigma = 0.5
[customers]
acquisition_rate = 0.4
churn = 0.1
order_probability = 0.5
order_mean = 60.0
"#;

fn plan() -> CompiledPlan {
    CompiledPlan::parse(
        "[active]\nmin_pv = \"50\"\n[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.05\", \"0.03\"]\n",
        Format::Toml,
    )
    .unwrap()
}

fn run_with(base: &str, events: &str, months: u16) -> RunOutput {
    let s = Scenario::parse(&format!("{base}\n{events}"), Format::Toml)
        .unwrap_or_else(|e| panic!("{e}"));
    run_one(
        &plan(),
        &s,
        0,
        RunOptions {
            months,
            seed: 21,
            keep_distributors: true,
        },
        None,
    )
    .unwrap()
}

fn run(events: &str) -> RunOutput {
    run_with(BASE, events, 30)
}

/// Own purchases' volume of a month.
fn own(r: &MonthRow) -> i64 {
    r.volume - r.retail_volume - r.preferred_volume - r.party_volume
}

/// The months before `from` are the same; returns the rows from `from` on, with and
/// without the event.
fn split<'a>(
    with: &'a RunOutput,
    without: &'a RunOutput,
    from: usize,
) -> (&'a [MonthRow], &'a [MonthRow]) {
    assert_eq!(
        with.monthly[..from - 1],
        without.monthly[..from - 1],
        "the months before the event must be the same"
    );
    (&with.monthly[from - 1..], &without.monthly[from - 1..])
}

#[test]
fn a_recession_from_month_18_leaves_the_first_17_months_alone() {
    let base = run("");
    let recession = run(
        "[[events]]\nname = \"recession\"\nfrom = 18\nrecruiting = 0.5\nquitting = 1.5\n\
         order_probability = 0.8\norder_size = 0.9\ncustomer_acquisition = 0.7\n",
    );
    let (after, before) = split(&recession, &base, 18);
    let sum = |rows: &[MonthRow], f: fn(&MonthRow) -> i64| rows.iter().map(f).sum::<i64>();
    assert!(sum(after, |r| r.joined as i64) < sum(before, |r| r.joined as i64));
    assert!(sum(after, |r| r.volume) < sum(before, |r| r.volume));
    assert!(sum(after, |r| r.payout) < sum(before, |r| r.payout));
    assert!(after.last().unwrap().active < before.last().unwrap().active);
}

#[test]
fn recruiting_stops_between_from_and_until() {
    let base = run("");
    let r = run("[[events]]\nfrom = 10\nuntil = 12\nrecruiting = 0\n");
    let (after, _) = split(&r, &base, 10);
    assert!(
        after[..3].iter().all(|x| x.joined == 0),
        "{:?}",
        &after[..3]
    );
    assert!(after[3..].iter().any(|x| x.joined > 0));
}

/// Doubling the order size doubles own volume exactly from the event on: the same people
/// draw the same orders (order sizes are whole cents times 2).
#[test]
fn order_size_scales_the_same_orders() {
    let base = run("");
    let r = run("[[events]]\nfrom = 8\norder_size = 2.0\n");
    let (after, before) = split(&r, &base, 8);
    for (a, b) in after.iter().zip(before) {
        assert_eq!(own(a), 2 * own(b), "month {}", a.month);
        assert_eq!(a.active, b.active);
        assert_eq!(a.retail_volume, b.retail_volume);
    }
}

#[test]
fn no_orders_while_the_probability_is_zero() {
    let r = run("[[events]]\nfrom = 5\nuntil = 6\norder_probability = 0\n");
    assert!(own(&r.monthly[3]) > 0);
    assert_eq!(own(&r.monthly[4]), 0);
    assert_eq!(own(&r.monthly[5]), 0);
    assert!(own(&r.monthly[6]) > 0);
}

/// No one quits while quitting is multiplied by 0 — with lifetimes drawn at joining and
/// with quitting decided month by month (when it reads the plan).
#[test]
fn no_one_quits_while_quitting_is_zero() {
    for extra in ["", "unprofitable_months = 3\n"] {
        let base = BASE.replace("[attrition]\n", &format!("[attrition]\n{extra}"));
        let without = run_with(&base, "", 30);
        let r = run_with(
            &base,
            "[[events]]\nfrom = 6\nuntil = 15\nquitting = 0\n",
            30,
        );
        let (after, _) = split(&r, &without, 6);
        assert!(
            after[..10].iter().all(|x| x.quit == 0),
            "{extra}: {:?}",
            &after[..10]
        );
        assert!(after[10..].iter().any(|x| x.quit > 0));
    }
}

/// A one-off shock removes about its share of those in at the start of the month.
#[test]
fn a_one_off_shock_removes_a_share() {
    let base = run("");
    let r = run("[[events]]\nfrom = 12\nremove_share = 0.3\n");
    let (after, before) = split(&r, &base, 12);
    let was = r.monthly[10].active as f64; // active in month 11
    let extra = after[0].quit as f64 - before[0].quit as f64;
    // Those who would have quit anyway are not removed twice: about 30% of the others.
    let stay = was - before[0].quit as f64;
    let want = 0.3 * stay;
    let se = (stay * 0.3 * 0.7).sqrt();
    assert!((extra - want).abs() < 5.0 * se, "{extra} vs {want} ± {se}");
    // All of them: no one is left, and no one joins.
    let all = run("[[events]]\nfrom = 12\nremove_share = 1\n");
    assert_eq!(all.monthly[11].active, 0);
    assert_eq!(all.monthly[11].joined, 0);
}

/// The market shrinks to half: no one joins once the market is past its new size.
#[test]
fn a_smaller_market_stops_joining() {
    let base = run_with(&BASE.replace("20000", "3000"), "", 30);
    let ever = |r: &RunOutput, m: usize| -> u32 { r.monthly[..m].iter().map(|x| x.joined).sum() };
    let m = (1..=30)
        .find(|&m| ever(&base, m) > 1600)
        .expect("grows past 1,600");
    let r = run_with(
        &BASE.replace("20000", "3000"),
        &format!("[[events]]\nfrom = {}\nmarket_size = 0.5\n", m + 1),
        30,
    );
    assert!(r.monthly[m..].iter().all(|x| x.joined == 0));
    assert!(ever(&base, 30) > ever(&r, 30));
}

#[test]
fn new_customers_stop_with_acquisition_at_zero() {
    let base = run("");
    let r = run("[[events]]\nfrom = 10\ncustomer_acquisition = 0\n");
    let (after, before) = split(&r, &base, 10);
    let retail = |rows: &[MonthRow]| rows.iter().map(|x| x.retail_volume).sum::<i64>();
    assert!(
        retail(after) * 2 < retail(before),
        "{} vs {}",
        retail(after),
        retail(before)
    );
}

/// An event whose multipliers are all 1 changes nothing (a sweep's "no shock" point).
#[test]
fn an_event_of_factor_one_is_the_world_without_it() {
    let base = run("");
    let r = run("[[events]]\nfrom = 5\nrecruiting = 1.0\nquitting = 1\n");
    assert_eq!(base.monthly, r.monthly);
}

#[test]
fn events_are_checked_by_path() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "[[events]]\nfrom = 0\nrecruiting = 1.5",
            "events[0].from",
            "outside 1 to 60000",
        ),
        (
            "[[events]]\nfrom = 5\nuntil = 4\nrecruiting = 1.5",
            "events[0].until",
            "before `from`",
        ),
        (
            "[[events]]\nfrom = 5\nrecruiting = -1",
            "events[0].recruiting",
            "multiplier of 0 or more",
        ),
        (
            "[[events]]\nfrom = 5\nremove_share = 1.5",
            "events[0].remove_share",
            "between 0 and 1",
        ),
        (
            "[[events]]\nfrom = 5\nuntil = 7\nremove_share = 0.5",
            "events[0].remove_share",
            "one-off",
        ),
        ("[[events]]\nrecruiting = 2", "events[0]", "from"),
        (
            "[[events]]\nfrom = 3\nrecession = 2",
            "events[0].recession",
            "unknown field",
        ),
    ];
    for (text, path, message) in cases {
        match Scenario::parse(text, Format::Toml) {
            Err(Error::Scenario {
                path: p,
                message: m,
            }) => {
                assert_eq!(&p, path, "{text}: {m}");
                assert!(m.contains(message), "{text}: {m}");
            }
            other => panic!("{text}: expected a scenario error, got {other:?}"),
        }
    }
    // A market-size event needs a market size.
    match Scenario::parse("[[events]]\nfrom = 3\nmarket_size = 0.5", Format::Toml) {
        Err(Error::Scenario { path, message }) => {
            assert_eq!(path, "events[0].market_size");
            assert!(message.contains("market.size"), "{message}");
        }
        other => panic!("expected an error, got {other:?}"),
    }
}
