// Volumes are written as points_hundredths (100_00 = 100 points) on purpose.
#![allow(clippy::inconsistent_digit_grouping)]
//! Golden cases of the binary placement tree and the binary bonus, worked by hand.
//!
//! As in `tests/golden.rs`: volumes in hundredths of a point (`12_50` = 12.50 points),
//! amounts in cents, a ledger line is `(month, id, bonus index, cents)`; every line is
//! `paired volume × rate` rounded ONCE, half away from zero, to the cent.
//!
//! Placement: every rule picks a leg of the sponsor and walks down the outside of that leg
//! to the first open slot. Legs: 0 = left, 1 = right.

use downline::downline::NO_SPONSOR;
use downline::engine::{MonthInput, MonthTotals, PlanEngine};
use downline::{
    compute_commissions, compute_commissions_placed, CompiledPlan, Error, LedgerLine, PlacementRow,
    TreeRow, VolumeRow,
};

const N: u32 = NO_SPONSOR;

mod common;
use common::{plan, plan_err};

/// A binary plan: placement `rule`, a 10% binary with the extra `fields`, min PV `min_pv`.
fn binary(rule: &str, min_pv: &str, fields: &str) -> CompiledPlan {
    plan(&format!(
        "[active]\nmin_pv = \"{min_pv}\"\n[placement]\nkind = \"binary\"\nrule = \"{rule}\"\n\
         [[bonus]]\nkind = \"binary\"\nrate = \"0.10\"\n{fields}\n"
    ))
}

/// Run the engine month by month (1, 2, …) on everyone joining in month 1 with 0-based
/// `sponsor`s, all participating; `pv[m][i]` is i's own PV in month m + 1. Returns, per
/// month, bonus 0's amount and (binary) carry `[left, right]` of each distributor, and
/// the totals.
#[allow(clippy::type_complexity)]
fn months(
    p: &CompiledPlan,
    sponsor: &[u32],
    explicit: Option<(Vec<u32>, Vec<u8>)>,
    pv: &[&[i64]],
) -> (
    Vec<Vec<(i64, [i64; 2])>>,
    Vec<MonthTotals>,
    PlanEngine<'static>,
) {
    let p: &'static CompiledPlan = Box::leak(Box::new(p.clone()));
    let n = sponsor.len();
    let mut e = PlanEngine::new(p);
    if let Some((par, leg)) = explicit {
        e.set_placement(par, leg);
    }
    let mut out = vec![];
    let mut totals = vec![];
    for (m, own) in pv.iter().enumerate() {
        let t = e.run_month(&MonthInput {
            month: m as u16 + 1,
            sponsor,
            join_month: &vec![1; n],
            participating: &vec![true; n],
            own_pv: own,
            retail_pv: &vec![0; n],
            preferred_pv: &[],
            parties: &[],
        });
        let is_binary = matches!(p.bonuses[0], downline::plan::Bonus::Binary { .. });
        out.push(
            (0..n)
                .map(|i| {
                    let c = if is_binary {
                        e.binary_carry(0, i)
                    } else {
                        [0, 0]
                    };
                    (e.amounts[0][i], c)
                })
                .collect(),
        );
        totals.push(t);
    }
    (out, totals, e)
}

fn placement(e: &PlanEngine) -> Vec<(u32, u8)> {
    let (par, leg) = e.placement();
    par.iter().zip(leg).map(|(&p, &l)| (p, l)).collect()
}

// ---------------------------------------------------------------------------------------
// Placement
// ---------------------------------------------------------------------------------------

/// Sponsor tree (0-based): 0 founds; 1, 2, 3, 4 are sponsored by 0; 5 by 1.
const SPONSORS: [u32; 6] = [N, 0, 0, 0, 0, 1];

#[test]
fn extreme_left_and_right_spillover() {
    // left: each of 0's recruits goes to the bottom of 0's outside-left line:
    //   1 under 0, 2 under 1, 3 under 2, 4 under 3 (all left);
    //   5 (sponsored by 1) goes to the bottom of 1's left line: 1 → 2 → 3 → 4, under 4.
    let zero = [0i64; 6];
    let (_, _, e) = months(&binary("left", "0", ""), &SPONSORS, None, &[&zero]);
    assert_eq!(
        placement(&e),
        vec![(N, 0), (0, 0), (1, 0), (2, 0), (3, 0), (4, 0)]
    );
    // right: the mirror image.
    let (_, _, e) = months(&binary("right", "0", ""), &SPONSORS, None, &[&zero]);
    assert_eq!(
        placement(&e),
        vec![(N, 0), (0, 1), (1, 1), (2, 1), (3, 1), (4, 1)]
    );
}

#[test]
fn alternate_placement() {
    // 0 places left, right, left, right: 1 → 0.L; 2 → 0.R; 3 → bottom of 0's outside
    // left line (0 → 1) = 1.L; 4 → bottom of outside right (0 → 2) = 2.R.
    // 1's first recruit goes left: 1's outside left line is 1 → 3, so 5 → 3.L.
    let zero = [0i64; 6];
    let (_, _, e) = months(&binary("alternate", "0", ""), &SPONSORS, None, &[&zero]);
    assert_eq!(
        placement(&e),
        vec![(N, 0), (0, 0), (0, 1), (1, 0), (2, 1), (3, 0)]
    );
    // weaker_leg before any volume ties every time, and alternates: the same tree.
    let (_, _, e) = months(&binary("weaker_leg", "0", ""), &SPONSORS, None, &[&zero]);
    assert_eq!(
        placement(&e),
        vec![(N, 0), (0, 0), (0, 1), (1, 0), (2, 1), (3, 0)]
    );
}

#[test]
fn weaker_leg_placement_reads_last_months_leg_volume() {
    // Month 1: 0 founds, recruits 1 (→ 0.L, the tie alternates left first) and 2 (→ 0.R).
    // PV: 1 has 100, 2 has 50: after month 1, 0's left leg has 100, right 50.
    // Month 2: 0 recruits 3 and 4. Both see the volume through month 1 (100 vs 50), so
    // both go right: 3 → bottom of the right line (0 → 2) = 2.R; 4 → 3.R.
    let p: &'static CompiledPlan = Box::leak(Box::new(binary("weaker_leg", "0", "")));
    let mut e = PlanEngine::new(p);
    let s1 = [N, 0, 0];
    e.run_month(&MonthInput {
        month: 1,
        sponsor: &s1,
        join_month: &[1, 1, 1],
        participating: &[true; 3],
        own_pv: &[0, 100_00, 50_00],
        retail_pv: &[0; 3],
        preferred_pv: &[],
        parties: &[],
    });
    let s2 = [N, 0, 0, 0, 0];
    e.run_month(&MonthInput {
        month: 2,
        sponsor: &s2,
        join_month: &[1, 1, 1, 2, 2],
        participating: &[true; 5],
        own_pv: &[0; 5],
        retail_pv: &[0; 5],
        preferred_pv: &[],
        parties: &[],
    });
    assert_eq!(placement(&e), vec![(N, 0), (0, 0), (0, 1), (2, 1), (3, 1)]);
}

// ---------------------------------------------------------------------------------------
// Pairing
// ---------------------------------------------------------------------------------------

/// 0 on top; 1 = 0.L, 2 = 0.R; 3 = 1.L (by `alternate`: 0 sponsors 1, 2; 1 sponsors 3).
const TREE4: [u32; 4] = [N, 0, 0, 1];

#[test]
fn pairing_one_to_one_and_one_to_two() {
    // PV: 0: 100, 1: 300, 2: 300, 3: 100. Legs of 0: left = 1 + 3 = 400, right = 300.
    // 1:1 → weak = right 300, paired 300 → 300 × 10% = 30.00; carry left 100, right 0.
    //   1: left 100 (3), right 0 → nothing paired; carry left 100.
    // 1:2 → paired weak = min(300, ⌊400 × 1/2⌋) = 200, using 400 of the left:
    //   200 × 10% = 20.00; carry left 0, right 100.
    let pv: &[i64] = &[100_00, 300_00, 300_00, 100_00];
    let (m, _, _) = months(&binary("alternate", "0", ""), &TREE4, None, &[pv]);
    assert_eq!(m[0][0], (30_00, [100_00, 0]));
    assert_eq!(m[0][1], (0, [100_00, 0]));
    assert_eq!(m[0][2], (0, [0, 0]));
    let (m, _, _) = months(
        &binary("alternate", "0", "ratio = [1, 2]"),
        &TREE4,
        None,
        &[pv],
    );
    assert_eq!(m[0][0], (20_00, [0, 100_00]));
}

#[test]
fn pairing_rounds_once_to_the_cent() {
    // 12.34 points right, 50 left, at 7.5%: 12.34 × 0.075 = 0.9255 → 0.93.
    let p = plan(
        "[placement]\nkind = \"binary\"\nrule = \"alternate\"\n\
         [[bonus]]\nkind = \"binary\"\nrate = \"0.075\"\n",
    );
    let (m, _, _) = months(&p, &[N, 0, 0], None, &[&[0, 50_00, 12_34]]);
    assert_eq!(m[0][0], (93, [37_66, 0]));
}

#[test]
fn carry_over_across_three_months() {
    // 0 with 1 = 0.L and 2 = 0.R; 1:1, 10%, no maximum, no expiry.
    // Month 1: L 500, R 200 → pays 200 → 20.00; carry L 300, R 0.
    // Month 2: L 300 + 100 = 400, R 300 → pays 300 → 30.00; carry L 100, R 0.
    // Month 3: L 100 + 0 = 100, R 250 → weak is now the left: pays 100 → 10.00;
    //          carry L 0, R 150.
    let (m, _, _) = months(
        &binary("alternate", "0", ""),
        &[N, 0, 0],
        None,
        &[&[0, 500_00, 200_00], &[0, 100_00, 300_00], &[0, 0, 250_00]],
    );
    assert_eq!(m[0][0], (20_00, [300_00, 0]));
    assert_eq!(m[1][0], (30_00, [100_00, 0]));
    assert_eq!(m[2][0], (10_00, [0, 150_00]));

    // The same through compute_commissions (ledger lines), sponsor ids 10, 11, 12.
    let tree: Vec<TreeRow> = [(10, None), (11, Some(10)), (12, Some(10))]
        .iter()
        .map(|&(id, sponsor)| TreeRow {
            id,
            sponsor,
            join_month: 1,
            quit_month: None,
        })
        .collect();
    let vol = |id, month, pv| VolumeRow {
        id,
        month,
        pv,
        retail: 0,
        preferred: 0,
    };
    let vols = vec![
        vol(11, 1, 500_00),
        vol(12, 1, 200_00),
        vol(11, 2, 100_00),
        vol(12, 2, 300_00),
        vol(12, 3, 250_00),
    ];
    let lines = compute_commissions(&binary("alternate", "0", ""), &tree, &vols).unwrap();
    let l = |month, id, amount| LedgerLine {
        month,
        id,
        bonus: 0,
        amount,
    };
    assert_eq!(
        lines,
        vec![l(1, 10, 20_00), l(2, 10, 30_00), l(3, 10, 10_00)]
    );
}

#[test]
fn max_carry_trims_each_leg() {
    // max_carry 250: month 1 L 500, R 200 → 20.00; L keeps 300 → trimmed to 250.
    // Month 2: L 250, R 300 → pays 250 → 25.00 (30.00 without the maximum); R keeps 50.
    let pvs: [&[i64]; 2] = [&[0, 500_00, 200_00], &[0, 0, 300_00]];
    let (m, _, _) = months(
        &binary("alternate", "0", "max_carry = 250"),
        &[N, 0, 0],
        None,
        &pvs,
    );
    assert_eq!(m[0][0], (20_00, [250_00, 0]));
    assert_eq!(m[1][0], (25_00, [0, 50_00]));
    let (m, _, _) = months(&binary("alternate", "0", ""), &[N, 0, 0], None, &pvs);
    assert_eq!(m[1][0], (30_00, [0, 0]));
}

#[test]
fn inactive_distributors_flush_or_keep_accumulating() {
    // min_pv 50. 0 has PV 100, then 0 (inactive in month 2), then 100.
    // Month 1: L 500, R 200 → 20.00; carry L 300.
    // Month 2: legs L 100, R 100; 0 is inactive, paid nothing.
    //   flush_if_inactive: carry and the month's volume are dropped → L 0, R 0.
    //   otherwise:         it keeps accumulating → L 400, R 100.
    // Month 3: legs L 100, R 200.
    //   flush: L 100, R 200 → 10.00; carry R 100.
    //   keep:  L 500, R 300 → 30.00; carry L 200.
    let pvs: [&[i64]; 3] = [
        &[100_00, 500_00, 200_00],
        &[0, 100_00, 100_00],
        &[100_00, 100_00, 200_00],
    ];
    let (m, _, _) = months(
        &binary("alternate", "50", "flush_if_inactive = true"),
        &[N, 0, 0],
        None,
        &pvs,
    );
    assert_eq!(m[0][0], (20_00, [300_00, 0]));
    assert_eq!(m[1][0], (0, [0, 0]));
    assert_eq!(m[2][0], (10_00, [0, 100_00]));
    let (m, _, _) = months(&binary("alternate", "50", ""), &[N, 0, 0], None, &pvs);
    assert_eq!(m[1][0], (0, [400_00, 100_00]));
    assert_eq!(m[2][0], (30_00, [200_00, 0]));
}

#[test]
fn carried_volume_expires() {
    // Month 1: L 500, R 200 → 20.00; L carries 300 (carried 1 month so far).
    // Month 2: L 300 (old), R 100 → pays 100, oldest first → 10.00; L has 200 of
    //   month 1's volume left.
    // Month 3: R 150.
    //   carry_months = 1: month 1's volume may be carried one month only: gone → L 0,
    //     nothing paired; R carries 150.
    //   carry_months = 2: L 200 still there → pays 150 → 15.00; L keeps 50, which
    //     expires at the end of month 3.
    //   carry_months = 0: no carry at all: month 2 pairs L 0 with R 100 → nothing.
    let pvs: [&[i64]; 3] = [&[0, 500_00, 200_00], &[0, 0, 100_00], &[0, 0, 150_00]];
    let (m, _, _) = months(
        &binary("alternate", "0", "carry_months = 1"),
        &[N, 0, 0],
        None,
        &pvs,
    );
    assert_eq!(m[0][0], (20_00, [300_00, 0]));
    assert_eq!(m[1][0], (10_00, [0, 0]));
    assert_eq!(m[2][0], (0, [0, 150_00]));
    let (m, _, _) = months(
        &binary("alternate", "0", "carry_months = 2"),
        &[N, 0, 0],
        None,
        &pvs,
    );
    assert_eq!(m[1][0], (10_00, [200_00, 0]));
    assert_eq!(m[2][0], (15_00, [0, 0]));
    let (m, _, _) = months(
        &binary("alternate", "0", "carry_months = 0"),
        &[N, 0, 0],
        None,
        &pvs,
    );
    assert_eq!(m[0][0], (20_00, [0, 0]));
    assert_eq!(m[1][0], (0, [0, 0]));
}

#[test]
fn per_distributor_monthly_cap() {
    // cap_per_month 25: month 1 L 500, R 400 → 400 × 10% = 40.00, capped to 25.00; the
    // paired 400 is used up all the same: carry L 100. Month 2: R 100 → 10.00.
    let (m, _, _) = months(
        &binary("alternate", "0", "cap_per_month = \"25\""),
        &[N, 0, 0],
        None,
        &[&[0, 500_00, 400_00], &[0, 0, 100_00]],
    );
    assert_eq!(m[0][0], (25_00, [100_00, 0]));
    assert_eq!(m[1][0], (10_00, [0, 0]));
}

#[test]
fn plan_wide_cap_scales_binary_lines() {
    // 50% binary, payout capped at 15% of volume value.
    // Tree (alternate): 1 = 0.L, 2 = 0.R; 3 = 1.L, 4 = 1.R.
    // PV: 0: 100, 1: 100, 2: 400, 3: 200, 4: 200 → total 1,000 points → cap 150.00.
    // 1: L 200, R 200 → 200 × 50% = 100.00. 0: L 1 + 3 + 4 = 500, R 400 → 200.00.
    // Before the cap 300.00; scaled by 150/300: 0 → 100.00, 1 → 50.00.
    // Binary pays on carried volume: attributed to "other", all of it.
    let p = plan(
        "[placement]\nkind = \"binary\"\nrule = \"alternate\"\n\
         [[bonus]]\nkind = \"binary\"\nrate = \"0.5\"\n[cap]\nmax_payout_ratio = \"0.15\"\n",
    );
    let (m, t, _) = months(
        &p,
        &[N, 0, 0, 1, 1],
        None,
        &[&[100_00, 100_00, 400_00, 200_00, 200_00]],
    );
    assert_eq!(m[0][0].0, 100_00);
    assert_eq!(m[0][1].0, 50_00);
    assert_eq!(t[0].payout_before_cap, 300_00);
    assert_eq!(t[0].payout, 150_00);
    assert_eq!(t[0].by_bonus, vec![150_00]);
    assert_eq!(t[0].sources.other, 150_00);
    // Carry is not touched by the plan-wide cap: 0 carries L 100.
    assert_eq!(m[0][0].1, [100_00, 0]);
}

// ---------------------------------------------------------------------------------------
// Explicit placement through compute_commissions
// ---------------------------------------------------------------------------------------

fn row(id: i64, sponsor: Option<i64>) -> TreeRow {
    TreeRow {
        id,
        sponsor,
        join_month: 1,
        quit_month: None,
    }
}

fn prow(id: i64, parent: Option<i64>, leg: Option<i64>) -> PlacementRow {
    PlacementRow { id, parent, leg }
}

#[test]
fn explicit_placement_is_paid_as_given() {
    // Everyone sponsored by 1, placed by hand: 2 = 1.R, 3 = 2.L, 4 = 1.(first open = L).
    // PV: 2: 100, 3: 300, 4: 150 → 1: L 150 (4), R 400 (2 + 3) → 150 × 10% = 15.00.
    // 2: L 300, R 0 → nothing. (By the `left` rule 1 would have one leg only: nothing.)
    let p = binary("left", "0", "");
    let tree = vec![
        row(1, None),
        row(2, Some(1)),
        row(3, Some(1)),
        row(4, Some(1)),
    ];
    let vols: Vec<VolumeRow> = [(2, 100_00), (3, 300_00), (4, 150_00)]
        .iter()
        .map(|&(id, pv)| VolumeRow {
            id,
            month: 1,
            pv,
            retail: 0,
            preferred: 0,
        })
        .collect();
    let placed = vec![
        prow(1, None, None),
        prow(2, Some(1), Some(1)),
        prow(3, Some(2), Some(0)),
        prow(4, Some(1), None),
    ];
    let lines = compute_commissions_placed(&p, &tree, Some(&placed), &vols).unwrap();
    assert_eq!(
        lines,
        vec![LedgerLine {
            month: 1,
            id: 1,
            bonus: 0,
            amount: 15_00
        }]
    );
    assert_eq!(compute_commissions(&p, &tree, &vols).unwrap(), vec![]);
}

#[test]
fn explicit_placement_is_checked() {
    let p = binary("left", "0", "");
    let tree = vec![row(1, None), row(2, Some(1)), row(3, Some(1))];
    let bad = |placed: Vec<PlacementRow>, want: &str| match compute_commissions_placed(
        &p,
        &tree,
        Some(&placed),
        &[],
    ) {
        Err(Error::Input(m)) => assert!(m.contains(want), "{m:?} should say {want:?}"),
        other => panic!("expected an input error, got {other:?}"),
    };
    bad(
        vec![prow(1, None, None), prow(2, Some(1), Some(0))],
        "id 3 has no placement row",
    );
    bad(
        vec![
            prow(1, None, None),
            prow(2, Some(1), Some(0)),
            prow(3, Some(1), Some(0)),
        ],
        "left leg of 1 is given twice",
    );
    bad(
        vec![
            prow(1, None, None),
            prow(2, Some(1), Some(2)),
            prow(3, Some(1), None),
        ],
        "leg 2 is not 0 (left) or 1 (right)",
    );
    bad(
        vec![
            prow(1, Some(3), None),
            prow(2, Some(1), None),
            prow(3, Some(1), None),
        ],
        "does not come before it",
    );
    bad(
        vec![
            prow(1, None, None),
            prow(2, Some(9), None),
            prow(3, Some(1), None),
        ],
        "placement parent 9 of id 2 is not in the tree",
    );
    // A plan without a binary placement takes no placement.
    let uni = plan("[[bonus]]\nkind = \"unilevel\"\nlevels = [\"0.05\"]\n");
    match compute_commissions_placed(&uni, &tree, Some(&[]), &[]) {
        Err(Error::Input(m)) => assert!(m.contains("no placement tree"), "{m}"),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Bad plans name the field
// ---------------------------------------------------------------------------------------

#[test]
fn bad_binary_plans_name_the_field() {
    let (path, msg) = plan_err("[[bonus]]\nkind = \"binary\"\nrate = \"0.1\"\n");
    assert_eq!(path, "bonus[0].kind");
    assert!(msg.contains("binary placement"), "{msg}");
    let pl = "[placement]\nkind = \"binary\"\n";
    let (path, _) = plan_err(&format!(
        "{pl}[[bonus]]\nkind = \"binary\"\nrate = \"1.5\"\n"
    ));
    assert_eq!(path, "bonus[0].rate");
    let (path, _) = plan_err(&format!(
        "{pl}[[bonus]]\nkind = \"binary\"\nrate = \"0.1\"\nratio = [0, 1]\n"
    ));
    assert_eq!(path, "bonus[0].ratio[0]");
    let (path, _) = plan_err(&format!(
        "{pl}[[bonus]]\nkind = \"binary\"\nrate = \"0.1\"\nmax_carry = -5\n"
    ));
    assert_eq!(path, "bonus[0].max_carry");
    let (path, _) = plan_err(&format!(
        "{pl}[[bonus]]\nkind = \"binary\"\nrate = \"0.1\"\ncap_per_month = 0\n"
    ));
    assert_eq!(path, "bonus[0].cap_per_month");
    let (path, _) = plan_err(&format!(
        "{pl}[[bonus]]\nkind = \"binary\"\nrate = \"0.1\"\ncarry_months = 1000\n"
    ));
    assert_eq!(path, "bonus[0].carry_months");
    let (path, msg) = plan_err("[placement]\nkind = \"binary\"\nrule = \"random\"\n");
    assert_eq!(path, "placement.rule");
    assert!(msg.contains("weaker_leg"), "{msg}");
    let (path, _) = plan_err("[placement]\nkind = \"ternary\"\n");
    assert_eq!(path, "placement.kind");
    let (path, _) = plan_err("[placement]\nkind = \"binary\"\nwidth = 3\n");
    assert_eq!(path, "placement.width");
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

/// A small deterministic generator (splitmix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn pairs_never_pay_more_than_the_weak_leg_allows_and_carry_stays_under_its_maximum() {
    let rules = ["weaker_leg", "alternate", "left", "right"];
    let ratios = [[1u32, 1], [1, 2], [2, 3]];
    let mut rng = Rng(7);
    for case in 0..60 {
        let rule = rules[case % 4];
        let [a, b] = ratios[case % 3];
        let max_carry = 100 + rng.below(900) as i64; // points
        let expiry = match rng.below(3) {
            0 => String::new(),
            k => format!("carry_months = {k}"),
        };
        let flush = rng.below(2) == 1;
        let p: &'static CompiledPlan = Box::leak(Box::new(binary(
            rule,
            "20",
            &format!(
                "ratio = [{a}, {b}]\nmax_carry = {max_carry}\n{expiry}\nflush_if_inactive = {flush}\n"
            ),
        )));
        let mut e = PlanEngine::new(p);
        let mut sponsor: Vec<u32> = vec![N];
        let mut join: Vec<u16> = vec![1];
        let mut prev_carry: Vec<[i64; 2]> = vec![[0, 0]];
        let mut paid_total = 0i64;
        let mut weak_total = 0i128;
        for month in 1..=8u16 {
            for _ in 0..rng.below(12) {
                sponsor.push(rng.below(sponsor.len() as u64) as u32);
                join.push(month);
                prev_carry.push([0, 0]);
            }
            let n = sponsor.len();
            let own: Vec<i64> = (0..n).map(|_| rng.below(200_00) as i64).collect();
            e.run_month(&MonthInput {
                month,
                sponsor: &sponsor,
                join_month: &join,
                participating: &vec![true; n],
                own_pv: &own,
                retail_pv: &vec![0; n],
                preferred_pv: &[],
                parties: &[],
            });
            // Legs by hand from the placement.
            let (par, leg) = e.placement();
            let mut sub = own.clone();
            let mut legs = vec![[0i64; 2]; n];
            for i in (0..n).rev() {
                if par[i] != N {
                    assert!((par[i] as usize) < i);
                    sub[par[i] as usize] += sub[i];
                    legs[par[i] as usize][leg[i] as usize] = sub[i];
                }
            }
            for i in 0..n {
                let held = [prev_carry[i][0] + legs[i][0], prev_carry[i][1] + legs[i][1]];
                let (weak, strong) = if held[1] < held[0] {
                    (held[1], held[0])
                } else {
                    (held[0], held[1])
                };
                let w = weak.min(strong * a as i64 / b as i64);
                let pay = e.amounts[0][i];
                // 10% of at most w, rounded half up: never more.
                assert!(
                    pay * 1000 <= w * 100 + 500,
                    "case {case} month {month} i {i}"
                );
                paid_total += pay;
                weak_total += w as i128;
                let c = e.binary_carry(0, i);
                for k in 0..2 {
                    assert!(
                        c[k] >= 0 && c[k] <= max_carry * 100,
                        "carry {c:?} > {max_carry}"
                    );
                    assert!(
                        c[k] <= held[k],
                        "carry {c:?} is more than was held {held:?}"
                    );
                }
                prev_carry[i] = c;
            }
        }
        assert!(paid_total as i128 * 1000 <= weak_total * 100 + 500 * 10_000);
    }
}

// ---------------------------------------------------------------------------------------
// Simulation
// ---------------------------------------------------------------------------------------

#[test]
fn a_binary_plan_simulates() {
    let (p, out) = common::simulate_example("binary.toml", 12, 5);
    let b = p.bonuses.iter().position(|b| b.name() == "binary").unwrap();
    let binary: i64 = out.monthly.iter().map(|m| m.by_bonus[b]).sum();
    assert!(binary > 0, "the binary paid nothing");
    for m in &out.monthly {
        let s = m.sources;
        assert_eq!(s.total(), m.payout);
        assert!(m.payout <= m.payout_before_cap);
    }
}

// ---------------------------------------------------------------------------------------
// Forced matrix
// ---------------------------------------------------------------------------------------

fn matrix(width: u32, depth: u32, levels: &str) -> CompiledPlan {
    plan(&format!(
        "[placement]\nkind = \"matrix\"\nwidth = {width}\ndepth = {depth}\n\
         [[bonus]]\nkind = \"matrix\"\nlevels = {levels}\n"
    ))
}

/// 0 founds; 0 sponsors 1, 2, 3, 4 and later 6; 1 sponsors 5.
const MSPONSORS: [u32; 7] = [N, 0, 0, 0, 0, 1, 0];

#[test]
fn matrix_spills_over_breadth_first_left_to_right() {
    // 2 wide. 1 → 0.slot0, 2 → 0.slot1; 0 is full, so 3 spills to the first open slot
    // under 0, breadth first: 1.slot0; 4 → 1.slot1. 5 (sponsored by 1): 1 is full; its
    // children 3 then 4: 3.slot0. 6 (sponsored by 0): 0 full, 1 full, 2 open → 2.slot0.
    let zero = [0i64; 7];
    let (_, _, e) = months(&matrix(2, 3, "[\"0.1\"]"), &MSPONSORS, None, &[&zero]);
    assert_eq!(
        placement(&e),
        vec![(N, 0), (0, 0), (0, 1), (1, 0), (1, 1), (3, 0), (2, 0)]
    );
}

#[test]
fn matrix_pays_levels_of_the_placement_tree_to_its_depth() {
    // The 2-wide matrix above, everyone 100 points, rates 10%, 5% (2 levels):
    //   0: level 1 = 1, 2 = 200 → 20.00; level 2 = 3, 4, 6 = 300 → 15.00; level 3
    //      (5) is not paid → 35.00.
    //   1: level 1 = 3, 4 = 200 → 20.00; level 2 = 5 → 5.00 → 25.00.
    //   2: level 1 = 6 → 10.00.   3: level 1 = 5 → 10.00.
    let pv = [100_00i64; 7];
    let (m, t, _) = months(
        &matrix(2, 3, "[\"0.10\", \"0.05\"]"),
        &MSPONSORS,
        None,
        &[&pv],
    );
    let paid: Vec<i64> = m[0].iter().map(|x| x.0).collect();
    assert_eq!(paid, vec![35_00, 25_00, 10_00, 10_00, 0, 0, 0]);
    assert_eq!(t[0].payout, 80_00);
    // A third level at 2% adds 5's 100 points to 0: 35.00 + 2.00.
    let (m, _, _) = months(
        &matrix(2, 3, "[\"0.10\", \"0.05\", \"0.02\"]"),
        &MSPONSORS,
        None,
        &[&pv],
    );
    assert_eq!(m[0][0].0, 37_00);
}

#[test]
fn matrix_pay_is_traced_to_retail_volume() {
    // As above, but 3's 100 points are all from its retail customers: 3 pays 1 (level 1,
    // 10.00) and 0 (level 2, 5.00): 15.00 of the 80.00 came from retail.
    let p: &'static CompiledPlan = Box::leak(Box::new(matrix(2, 3, "[\"0.10\", \"0.05\"]")));
    let mut e = PlanEngine::new(p);
    let mut own = [100_00i64; 7];
    own[3] = 0;
    let mut retail = [0i64; 7];
    retail[3] = 100_00;
    let t = e.run_month(&MonthInput {
        month: 1,
        sponsor: &MSPONSORS,
        join_month: &[1; 7],
        participating: &[true; 7],
        own_pv: &own,
        retail_pv: &retail,
        preferred_pv: &[],
        parties: &[],
    });
    assert_eq!(t.payout, 80_00);
    assert_eq!(t.sources.retail, 15_00);
    assert_eq!(t.sources.downline, 65_00);
}

#[test]
fn matrix_explicit_placement_and_bad_plans() {
    // 3 wide, by hand: 2 under 1 (first open slot), 3 under 2 in slot 2. 2 has 50 points,
    // 3 has 80: with one level at 10%, 1 earns 5.00 on 2 and 2 earns 8.00 on 3.
    let p = matrix(3, 2, "[\"0.10\"]");
    let tree = vec![row(1, None), row(2, Some(1)), row(3, Some(1))];
    let vols = vec![
        VolumeRow {
            id: 2,
            month: 1,
            pv: 50_00,
            retail: 0,
            preferred: 0,
        },
        VolumeRow {
            id: 3,
            month: 1,
            pv: 80_00,
            retail: 0,
            preferred: 0,
        },
    ];
    let placed = vec![
        prow(1, None, None),
        prow(2, Some(1), None),
        prow(3, Some(2), Some(2)),
    ];
    let lines = compute_commissions_placed(&p, &tree, Some(&placed), &vols).unwrap();
    let l = |id, amount| LedgerLine {
        month: 1,
        id,
        bonus: 0,
        amount,
    };
    assert_eq!(lines, vec![l(1, 5_00), l(2, 8_00)]);
    let placed = vec![
        prow(1, None, None),
        prow(2, Some(1), Some(3)),
        prow(3, Some(1), None),
    ];
    match compute_commissions_placed(&p, &tree, Some(&placed), &vols) {
        Err(Error::Input(m)) => assert!(m.contains("leg 3 is outside 0 to 2"), "{m}"),
        other => panic!("{other:?}"),
    }

    let mx = "[placement]\nkind = \"matrix\"\n";
    let (path, _) = plan_err(&format!("{mx}width = 0\ndepth = 7\n"));
    assert_eq!(path, "placement.width");
    let (path, _) = plan_err(&format!("{mx}width = 1\ndepth = 7\n"));
    assert_eq!(path, "placement.width");
    let (path, _) = plan_err(&format!("{mx}depth = 7\n"));
    assert_eq!(path, "placement.width");
    let (path, _) = plan_err(&format!("{mx}width = 3\ndepth = 0\n"));
    assert_eq!(path, "placement.depth");
    let (path, _) = plan_err(&format!("{mx}width = 3\ndepth = 7\nrule = \"left\"\n"));
    assert_eq!(path, "placement.rule");
    let (path, msg) = plan_err("[[bonus]]\nkind = \"matrix\"\nlevels = [\"0.1\"]\n");
    assert_eq!(path, "bonus[0].kind");
    assert!(msg.contains("matrix placement"), "{msg}");
    let (path, _) = plan_err(&format!(
        "{mx}width = 3\ndepth = 7\n[[bonus]]\nkind = \"binary\"\nrate = \"0.1\"\n"
    ));
    assert_eq!(path, "bonus[0].kind");
    let (path, msg) = plan_err(&format!(
        "{mx}width = 3\ndepth = 1\n[[bonus]]\nkind = \"matrix\"\nlevels = [\"0.1\", \"0.1\"]\n"
    ));
    assert_eq!(path, "bonus[0].levels");
    assert!(msg.contains("placement.depth"), "{msg}");
    let (path, _) = plan_err(&format!(
        "{mx}width = 3\ndepth = 2\n[[bonus]]\nkind = \"matrix\"\nlevels = [\"0.1\", \"2\"]\n"
    ));
    assert_eq!(path, "bonus[0].levels[1]");
}

#[test]
fn a_matrix_plan_simulates() {
    let (p, out) = common::simulate_example("matrix_3x7.toml", 12, 5);
    let b = p.bonuses.iter().position(|b| b.name() == "matrix").unwrap();
    let paid: i64 = out.monthly.iter().map(|m| m.by_bonus[b]).sum();
    assert!(paid > 0, "the matrix paid nothing");
    for m in &out.monthly {
        let s = m.sources;
        assert_eq!(s.total(), m.payout);
    }
}

#[test]
fn sponsored_legs_qualification() {
    // Alternate placement; sponsors 0 ← 1, 0 ← 2, 1 ← 3: 1 goes to 0's left, 2 to 0's
    // right, 3 to 1's left. Active from 50 PV; 10% binary.
    let sponsors = [N, 0, 0, 1];
    let with = binary("alternate", "50", "require_sponsored_legs = true");
    let without = binary("alternate", "50", "");
    // Month 1: 2 has 40 PV (inactive). 0's legs: left 100 + 100 = 200, right 40.
    //   Without the rule 0 pairs 40: 4.00, carry [160, 0].
    //   With it 0 has no active personal recruit on the right: unpaid, carry [200, 40].
    // Month 2: 2 has 60 PV (active). With the rule: left 200 + 200 = 400, right 40 + 60
    //   = 100: 0 pairs 100: 10.00, carry [300, 0].
    // 1 never qualifies: its only recruit (3) is on its left, and its right leg is empty.
    let pv: [&[i64]; 2] = [
        &[100_00, 100_00, 40_00, 100_00],
        &[100_00, 100_00, 60_00, 100_00],
    ];
    let (a, _, _) = months(&without, &sponsors, None, &pv);
    assert_eq!(a[0][0], (4_00, [160_00, 0]));
    let (b, _, _) = months(&with, &sponsors, None, &pv);
    assert_eq!(b[0][0], (0, [200_00, 40_00]));
    assert_eq!(b[1][0], (10_00, [300_00, 0]));
    assert_eq!(b[1][1], (0, [200_00, 0]));

    // A personal recruit counts at any depth of the leg: with a given placement 1 under 0
    // (left), 2 under 1 (left, two deep in 0's left leg), 3 under 0 (right); all
    // sponsored by 0. 1 has no volume (inactive), 2 and 3 are active: 0 qualifies with 2
    // on the left and 3 on the right. Legs: left 0 + 100, right 100: 10.00.
    let explicit = (vec![N, 0, 1, 0], vec![0, 0, 0, 1]);
    let (c, _, _) = months(
        &with,
        &[N, 0, 0, 0],
        Some(explicit),
        &[&[100_00, 0, 100_00, 100_00]],
    );
    assert_eq!(c[0][0], (10_00, [0, 0]));
    // 3 placed under 2 instead (deep in 0's left leg): 0's active personal recruits (2, 3)
    // are both on its left, none on its right: unpaid.
    let explicit = (vec![N, 0, 1, 2], vec![0, 0, 0, 1]);
    let (d, _, _) = months(
        &with,
        &[N, 0, 0, 0],
        Some(explicit),
        &[&[100_00, 0, 100_00, 100_00]],
    );
    assert_eq!(d[0][0].0, 0);
}
