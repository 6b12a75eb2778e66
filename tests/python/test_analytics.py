"""Tests of downline.analytics.

Most tests run on a small HAND-MADE result (two runs, nine people, months = 6) whose
figures are worked out by hand in the comments. Tests on a real simulation that need the
columns of the newer core (payout attribution, per-distributor volumes, required
purchases) skip, naming the columns, when the installed core does not have them yet.
"""

from __future__ import annotations

import math
import warnings
from decimal import Decimal as D
from pathlib import Path

import downline as dl
import polars as pl
import pytest
from downline import analytics as an

M = pl.Decimal(18, 2)
MONTHS = 6

FAKE_PLAN = {
    "name": "fake",
    "ranks": [{"name": "Bronze", "pv": "100"}, {"name": "Silver", "pv": "100", "gv": "1000"}],
    "bonus": [
        {"kind": "retail", "markup": "0.25"},
        {"kind": "unilevel", "levels": ["0.05"]},
        {"kind": "rank_advancement", "amounts": {"Bronze": "5", "Silver": "10"}},
    ],
}

# --------------------------------------------------------------------------------------
# The hand-made result.
#
# Distributors (months = 6; quit_month null = still in):
# run id sponsor join quit rank    earn  retail fees purch req  exp own cust
#  0   0   -       1   -  Silver  400.00  20    50   300    0   60 300  900
#  0   1   0       2   4  Bronze   10.00   0    50   200  100   20 200    0
#  0   2   0       2   -  -         0    150    50   100    0   50 100  100
#  0   3   1       3   4  -         0      0    50   100  100   10 100    0
#  0   4   2       6   -  -         0      0    50     0    0   10   0    0
#  1   0   -       1   3  Bronze   30.00   0    50   200    0   40 200    0
#  1   1   0       2   -  Bronze   50.00  10    50   250   50   50 250  300
#  1   2   0       2   3  -         0      0    50     0    0   10   0    0
#  1   3   1       4   -  -         0      0    50   150  150   30 150    0
DIST_ROWS = [
    (0, 0, None, 1, None, "Silver", "400.00", "20.00", "50", "300", "0", "60", "300", "900"),
    (0, 1, 0, 2, 4, "Bronze", "10.00", "0", "50", "200", "100", "20", "200", "0"),
    (0, 2, 0, 2, None, None, "0", "150.00", "50", "100", "0", "50", "100", "100"),
    (0, 3, 1, 3, 4, None, "0", "0", "50", "100", "100", "10", "100", "0"),
    (0, 4, 2, 6, None, None, "0", "0", "50", "0", "0", "10", "0", "0"),
    (1, 0, None, 1, 3, "Bronze", "30.00", "0", "50", "200", "0", "40", "200", "0"),
    (1, 1, 0, 2, None, "Bronze", "50.00", "10.00", "50", "250", "50", "50", "250", "300"),
    (1, 2, 0, 2, 3, None, "0", "0", "50", "0", "0", "10", "0", "0"),
    (1, 3, 1, 4, None, None, "0", "0", "50", "150", "150", "30", "150", "0"),
]
DIST_COLS = ["run", "id", "sponsor", "join_month", "quit_month", "max_rank", "earnings",
             "retail_profit", "fees", "purchases", "required_purchases", "expenses",
             "own_volume", "customer_volume"]
DIST_SCHEMA = {"run": pl.UInt32, "id": pl.UInt32, "sponsor": pl.UInt32, "join_month": pl.Int32,
               "quit_month": pl.Int32, "max_rank": pl.String, **{c: M for c in DIST_COLS[6:]}}

# Monthly (two months per run are enough for these formulas):
# run month active qual volume retail  payout  before  from: retail   own  down other  potential breakage
#  0    1     3     1    700    400    50.00   60.00        20.00  10.00 15.00 5.00    80.00    30.00
#  0    2     4     2   1000    600   100.01  100.01        40.00  30.01 25.00 5.00   150.01    50.00
#  1    1     2     0    200      0     0.00    0.00         0      0     0     0      20.00    20.00
#  1    2     3     1    700    300    33.33   33.33        11.11  11.11 11.11  0      43.33    10.00
# (volume_value = volume; retail_profit 10, 20, 0, 5. No preferred customers, no parties:
# preferred_volume, party_volume, host_rewards, payout_from_preferred and payout_from_party
# are 0; the party-plan tests below change them.)
MONTH_ROWS = [
    (0, 1, 3, 1, "700", "400", "50.00", "60.00", "10", "20.00", "10.00", "15.00", "5.00",
     "80.00", "30.00"),
    (0, 2, 4, 2, "1000", "600", "100.01", "100.01", "20", "40.00", "30.01", "25.00", "5.00",
     "150.01", "50.00"),
    (1, 1, 2, 0, "200", "0", "0.00", "0.00", "0", "0", "0", "0", "0", "20.00", "20.00"),
    (1, 2, 3, 1, "700", "300", "33.33", "33.33", "5", "11.11", "11.11", "11.11", "0",
     "43.33", "10.00"),
]


def dist_df(rows) -> pl.DataFrame:
    """Distributor rows as above; money given as strings, held as Decimal(18, 2)."""
    rows = [tuple(D(v) if isinstance(v, str) and i >= 6 else v for i, v in enumerate(r))
            for r in rows]
    df = pl.DataFrame(rows, schema=DIST_SCHEMA, orient="row")
    assert df.select(pl.col(DIST_COLS[6:]).null_count()).sum_horizontal()[0] == 0
    return df


def _monthly() -> pl.DataFrame:
    rows = []
    for (run, month, active, qual, vol, ret, pay, before, rp, fr, fo, fd, fx, pot, brk) in MONTH_ROWS:
        rows.append({
            "run": run, "month": month, "active": active, "joined": 0, "quit": 0,
            "qualified": qual, "volume": D(vol), "retail_volume": D(ret), "volume_value": D(vol),
            "payout": D(pay), "payout_before_cap": D(before), "retail_profit": D(rp),
            "payout_ratio": float(D(pay) / D(vol)) if D(vol) else 0.0,
            "preferred_volume": D(0), "party_volume": D(0), "host_rewards": D(0),
            "payout_from_retail": D(fr), "payout_from_preferred": D(0),
            "payout_from_party": D(0), "payout_from_own": D(fo), "payout_from_downline": D(fd),
            "payout_other": D(fx), "payout_if_all_qualified": D(pot), "breakage": D(brk),
        })
    money = ["volume", "retail_volume", "volume_value", "payout", "payout_before_cap",
             "retail_profit", "preferred_volume", "party_volume", "host_rewards",
             "payout_from_retail", "payout_from_preferred", "payout_from_party",
             "payout_from_own", "payout_from_downline", "payout_other",
             "payout_if_all_qualified", "breakage"]
    schema = {"run": pl.UInt32, "month": pl.Int32, "active": pl.UInt32, "joined": pl.UInt32,
              "quit": pl.UInt32, "qualified": pl.UInt32, **{c: M for c in money[:6]},
              "payout_ratio": pl.Float64, **{c: M for c in money[6:]}}
    return pl.DataFrame(rows, schema=schema)


def _bonuses() -> pl.DataFrame:
    # company-paid: unilevel + rank_advancement = payout of each month.
    rows = [
        (0, 1, "retail", False, "10"), (0, 1, "unilevel", True, "45.00"),
        (0, 1, "rank_advancement", True, "5.00"),
        (0, 2, "retail", False, "20"), (0, 2, "unilevel", True, "95.01"),
        (0, 2, "rank_advancement", True, "5.00"),
        (1, 1, "retail", False, "0"), (1, 1, "unilevel", True, "0"),
        (1, 1, "rank_advancement", True, "0"),
        (1, 2, "retail", False, "5"), (1, 2, "unilevel", True, "33.33"),
        (1, 2, "rank_advancement", True, "0"),
    ]
    return pl.DataFrame(
        [{"run": r, "month": m, "bonus": b, "paid_by_company": p, "amount": D(a)}
         for r, m, b, p, a in rows],
        schema={"run": pl.UInt32, "month": pl.Int32, "bonus": pl.String,
                "paid_by_company": pl.Boolean, "amount": M},
    )


def _ranks() -> pl.DataFrame:
    rows = [(0, 1, "Bronze", 0, 1), (0, 1, "Silver", 1, 0), (0, 2, "Bronze", 0, 1),
            (0, 2, "Silver", 1, 1), (1, 1, "Bronze", 0, 0), (1, 1, "Silver", 1, 0),
            (1, 2, "Bronze", 0, 1), (1, 2, "Silver", 1, 0)]
    return pl.DataFrame(rows, schema={"run": pl.UInt32, "month": pl.Int32, "rank": pl.String,
                                      "rank_index": pl.UInt32, "count": pl.UInt32}, orient="row")


def make_result(distributors: pl.DataFrame | None = None, monthly: pl.DataFrame | None = None,
                months: int = MONTHS) -> dl.SimulationResult:
    d = distributors if distributors is not None else dist_df(DIST_ROWS)
    m = monthly if monthly is not None else _monthly()
    return dl.SimulationResult(
        monthly=m, bonuses=_bonuses(), ranks=_ranks(), runs=pl.DataFrame(),
        distributors=d, months=months, n_runs=d["run"].n_unique(), seed=0,
        plan=dl.Plan.from_dict(FAKE_PLAN), scenario=dl.Scenario.from_dict({}),
    )


@pytest.fixture()
def fake() -> dl.SimulationResult:
    return make_result()


def one_run(res: dl.SimulationResult, run: int = 0) -> dl.SimulationResult:
    return make_result(res.distributors.filter(pl.col("run") == run),
                       res.monthly.filter(pl.col("run") == run))


def row(df: pl.DataFrame, **eq) -> dict:
    for k, v in eq.items():
        df = df.filter(pl.col(k) == v)
    assert df.height == 1, (eq, df)
    return df.row(0, named=True)


def approx(x, rel=1e-9, abs=1e-9):
    return pytest.approx(x, rel=rel, abs=abs)


# --------------------------------------------------------------------------------------
# the company's view


def test_payout_summary_per_run(fake):
    per = an.payout_summary(fake, per_run=True)
    r0, r1 = per.row(0, named=True), per.row(1, named=True)
    # run 0: payout 50.00 + 100.01 = 150.01 over volume value 700 + 1000 = 1700
    assert r0["payout"] == D("150.01") and r0["volume_value"] == D(1700)
    assert r0["payout_ratio"] == approx(150.01 / 1700)
    # cap: before 160.01 − after 150.01 = 10.00, share 10 / 160.01
    assert r0["capped"] == D("10.00") and r0["capped_share"] == approx(10 / 160.01)
    # cost per active distributor-month: 150.01 / (3 + 4); per qualified month: / (1 + 2)
    assert r0["active_months"] == 7 and r0["cost_per_active_month"] == approx(150.01 / 7)
    assert r0["cost_per_qualified_month"] == approx(150.01 / 3)
    # breakage 30 + 50 = 80.00 of a potential 80.00 + 150.01 = 230.01; of which the cap 10.00
    # and qualification 230.01 − 160.01 = 70.00
    assert r0["breakage"] == D("80.00") and r0["potential_payout"] == D("230.01")
    assert r0["breakage_share"] == approx(80 / 230.01)
    assert r0["breakage_qualification"] == D("70.00")
    assert r0["potential_payout_ratio"] == approx(230.01 / 1700)
    # run 1: 33.33 / 900; breakage 30.00 of 63.33; nobody capped
    assert r1["payout_ratio"] == approx(33.33 / 900)
    assert r1["breakage_share"] == approx(30 / 63.33)
    assert r1["capped"] == D("0.00") and r1["capped_share"] == approx(0.0)


def test_payout_summary_across_runs(fake):
    s = an.payout_summary(fake)
    assert s.columns == ["metric", "mean", "p05", "p50", "p95", "runs"]
    r = row(s, metric="payout_ratio")
    a, b = 150.01 / 1700, 33.33 / 900
    assert r["mean"] == approx((a + b) / 2)
    # linear percentiles of two values: lo + q (hi − lo)
    lo, hi = min(a, b), max(a, b)
    assert r["p05"] == approx(lo + 0.05 * (hi - lo))
    assert r["p95"] == approx(lo + 0.95 * (hi - lo))
    assert r["runs"] == 2
    # the payout ratio of a run without payout is 0; the capped share of a run with
    # nothing before the cap would be null and not counted
    assert row(s, metric="capped_share")["runs"] == 2


def test_payout_summary_without_breakage_columns_warns(fake):
    old = make_result(monthly=fake.monthly.drop("breakage", "payout_if_all_qualified"))
    with pytest.warns(UserWarning, match="breakage"):
        s = an.payout_summary(old)
    assert "breakage" not in s["metric"].to_list()
    with pytest.raises(an.MissingColumnError, match="payout_if_all_qualified"):
        an.breakage(old)


def test_breakage(fake):
    per = an.breakage(fake, per_run=True)
    assert per["breakage"].to_list() == [D("80.00"), D("30.00")]
    # breakage = qualification part + cap part, exactly
    for r in per.iter_rows(named=True):
        assert r["breakage"] == r["breakage_qualification"] + r["capped"]
    s = an.breakage(fake)
    assert row(s, metric="breakage")["mean"] == approx(55.0)


def test_payout_monthly(fake):
    per = an.payout_monthly(fake, per_run=True)
    r = row(per, run=0, month=2)
    assert r["payout_ratio"] == approx(100.01 / 1000)
    assert r["qualified_share"] == approx(0.5) and r["cost_per_active"] == approx(100.01 / 4)
    assert r["breakage_share"] == approx(50 / 150.01)
    s = an.payout_monthly(fake)
    # month 1: ratios 50/700 and 0/200 → mean
    assert row(s, month=1, metric="payout_ratio")["mean"] == approx((50 / 700 + 0) / 2)
    assert row(s, month=1, metric="active")["mean"] == approx(2.5)


def test_payout_by_bonus(fake):
    per = an.payout_by_bonus(fake, per_run=True)
    u = row(per, run=0, bonus="unilevel")
    # unilevel run 0: 45.00 + 95.01 = 140.01 of the company's 150.01
    assert u["amount"] == D("140.01") and u["kind"] == "unilevel"
    assert u["share_of_payout"] == approx(140.01 / 150.01)
    assert u["share_of_volume_value"] == approx(140.01 / 1700)
    ra = row(per, run=0, bonus="rank_advancement")
    assert ra["share_of_payout"] == approx(10 / 150.01) and ra["bonus_index"] == 2
    # the retail margin is paid by customers: no share of the company's payout
    rt = row(per, run=0, bonus="retail")
    assert rt["paid_by_company"] is False and rt["share_of_payout"] is None
    # company-paid shares add up to 1 in each run with payout
    sums = per.filter(pl.col("paid_by_company")).group_by("run").agg(
        pl.col("share_of_payout").sum())
    assert sums["share_of_payout"].to_list() == [approx(1.0)] * 2
    s = an.payout_by_bonus(fake)
    assert row(s, bonus="unilevel", metric="amount")["mean"] == approx((140.01 + 33.33) / 2)
    assert s["bonus"].unique(maintain_order=True).to_list() == [
        "retail", "unilevel", "rank_advancement"]


def test_rank_counts(fake):
    s = an.rank_counts(fake)
    # Silver in month 2: 1 in run 0, 0 in run 1
    assert row(s, month=2, rank="Silver", metric="count")["mean"] == approx(0.5)
    per = an.rank_counts(fake, per_run=True)
    assert row(per, run=0, month=2, rank="Bronze")["share_of_active"] == approx(1 / 4)


def test_payout_bundle(fake):
    v = an.payout(fake)
    assert isinstance(v, an.CompanyView)
    assert {"payout_ratio", "breakage_share", "cost_per_active_month"} <= set(
        v.summary["metric"].to_list())
    assert v.monthly.height and v.by_bonus.height and v.ranks.height


# --------------------------------------------------------------------------------------
# the participants' view


def test_earnings_distribution_per_run(fake):
    per = an.earnings_distribution(fake, per_run=True)
    r0, r1 = per.row(0, named=True), per.row(1, named=True)
    # run 0: earnings sorted 0, 0, 0, 10, 400: n 5, total 410, mean 82, median 0
    assert (r0["people"], r0["total"], r0["mean"], r0["median"]) == (5, 410.0, 82.0, 0.0)
    assert r0["share_zero"] == approx(3 / 5)
    # linear percentiles: p90 at position 4 × 0.9 = 3.6 → 10 + 0.6 × 390 = 244; p75 at 3 → 10
    assert r0["p90"] == approx(244.0) and r0["p75"] == approx(10.0) and r0["p25"] == 0.0
    # Gini: Σ|xi − xj| over ordered pairs = 2 (3·10 + 3·400 + 390) = 3240; ÷ (2 · 25 · 82)
    assert r0["gini"] == approx(3240 / 4100)
    # top 1% and 10%: k = ⌈5 × 1%⌉ = ⌈5 × 10%⌉ = 1 person: 400 / 410
    assert r0["top1_share"] == approx(400 / 410) and r0["top10_share"] == approx(400 / 410)
    # run 1: sorted 0, 0, 30, 50: mean 20, median (0 + 30) / 2 = 15, half paid nothing
    assert (r1["mean"], r1["median"], r1["share_zero"]) == (20.0, 15.0, 0.5)
    # Gini: 2 Σ i xᵢ / (n Σx) − (n + 1)/n = 2 (3·30 + 4·50) / (4 · 80) − 5/4 = 0.5625
    assert r1["gini"] == approx(0.5625)
    assert r1["top1_share"] == approx(50 / 80)


def test_earnings_distribution_summary_and_gross(fake):
    s = an.earnings_distribution(fake)
    m = row(s, metric="mean")
    assert m["mean"] == approx(51.0) and m["p05"] == approx(20 + 0.05 * 62)
    g = an.earnings_distribution(fake, of="gross", per_run=True)
    # gross run 0 = earnings + retail margin: 420, 10, 150, 0, 0 → total 580, zeros 2
    assert g["total"][0] == approx(580.0) and g["share_zero"][0] == approx(2 / 5)
    with pytest.raises(ValueError, match="of ="):
        an.earnings_distribution(fake, of="net")


def test_top_share_counts_whole_people():
    # 700 people, one earns 700, the rest 1 each: the top 1% is ⌈7⌉ = 7 people
    # (700 + 6) of 700 + 699 — a float 700 × 0.01 = 7.000000000000001 must not make it 8.
    rows = [(0, i, None, 1, None, None, "700" if i == 0 else "1", "0", "0", "0", "0", "0",
             "0", "0") for i in range(700)]
    res = make_result(dist_df(rows))
    r = an.earnings_distribution(res, per_run=True).row(0, named=True)
    assert r["top1_share"] == approx(706 / 1399)


def test_gini_of_equal_and_of_nothing():
    rows = [(0, i, None, 1, None, None, "5", "0", "0", "0", "0", "0", "0", "0")
            for i in range(4)]
    rows += [(1, i, None, 1, None, None, "0", "0", "0", "0", "0", "0", "0", "0")
             for i in range(3)]
    res = make_result(dist_df(rows))
    per = an.earnings_distribution(res, per_run=True)
    assert per["gini"][0] == approx(0.0)      # everyone equal
    assert per["gini"][1] is None             # nobody paid: undefined
    assert per["top1_share"][1] is None


def test_lorenz_hand_worked():
    # run 0: 1, 2, 3, 4 (total 10): L(.25) = 1/10, L(.5) = 3/10, L(.75) = 6/10
    # run 1: 1, 2, 3 (total 6): L(.25): position .75 → .75 × 1 / 6 = .125;
    #   L(.5): position 1.5 → (1 + .5 × 2) / 6 = 1/3; L(.75): 2.25 → (3 + .25 × 3) / 6 = .625
    rows = [(0, i, None, 1, None, None, str(v), "0", "0", "0", "0", "0", "0", "0")
            for i, v in enumerate([3, 1, 4, 2])]
    rows += [(1, i, None, 1, None, None, str(v), "0", "0", "0", "0", "0", "0", "0")
             for i, v in enumerate([2, 3, 1])]
    res = make_result(dist_df(rows))
    per = an.lorenz(res, points=5, per_run=True)
    assert per.filter(pl.col("run") == 0)["earnings_share"].to_list() == [
        approx(0), approx(0.1), approx(0.3), approx(0.6), approx(1)]
    assert per.filter(pl.col("run") == 1)["earnings_share"].to_list() == [
        approx(0), approx(0.125), approx(1 / 3), approx(0.625), approx(1)]
    s = an.lorenz(res, points=5)
    assert s.columns == ["population_share", "mean", "p05", "p50", "p95", "runs"]
    assert s["mean"][2] == approx((0.3 + 1 / 3) / 2)
    # pooled: 1, 1, 2, 2, 3, 3, 4 (total 16): L(.5) at position 3.5 → (1+1+2 + .5 × 2) / 16
    pooled = an.lorenz(res, points=3, pooled=True)
    assert pooled["earnings_share"].to_list() == [approx(0), approx(5 / 16), approx(1)]
    with pytest.raises(ValueError):
        an.lorenz(res, points=1)


def test_lorenz_on_fake(fake):
    # run 0: 0, 0, 0, 10, 400: L(.75) at position 3.75 → .75 × 10 / 410
    per = an.lorenz(fake, points=5, per_run=True).filter(pl.col("run") == 0)
    assert per["earnings_share"].to_list() == [0, 0, 0, approx(7.5 / 410), approx(1)]


def test_participant_net_rule(fake):
    p = an.participant_net(fake, consumed_share=0.5).filter(pl.col("run") == 0).sort("id")
    # id 0: gross 400 + 20 = 420; chosen orders 300, half consumed → 150 beyond consumption;
    #        costs 50 + 60 + 150 = 260; net +160 → profit
    # id 1: gross 10; top-up 100 + half of 100 chosen = 150; costs 50 + 20 + 150; net −210
    # id 2: gross 150; 0 + 50; costs 50 + 50 + 50 = 150; net 0 → break even
    # id 3: gross 0; top-up 100; costs 50 + 10 + 100; net −160
    # id 4: gross 0; costs 50 + 10; net −60
    assert p["excess_purchases"].to_list() == [150, 150, 50, 100, 0]
    assert p["net"].to_list() == [160, -210, 0, -160, -60]
    assert p["outcome"].to_list() == ["profit", "loss", "break_even", "loss", "loss"]
    assert p["months_in"].to_list() == [6, 2, 5, 1, 1]
    # consumed_share = 1: only the top-ups are a cost; 0: every purchase is
    p1 = an.participant_net(fake, consumed_share=1.0).filter(pl.col("run") == 0).sort("id")
    assert p1["excess_purchases"].to_list() == [0, 100, 0, 100, 0]
    p0 = an.participant_net(fake, consumed_share=0.0).filter(pl.col("run") == 0).sort("id")
    assert p0["excess_purchases"].to_list() == [300, 200, 100, 100, 0]
    with pytest.raises(ValueError, match="consumed_share"):
        an.participant_net(fake, consumed_share=1.5)


def test_break_even_band():
    # nets −1.00 (loss), −0.99 and +0.99 (break even), +1.00 (profit): gross only
    rows = [(0, i, None, 1, None, None, e, "0", f, "0", "0", "0", "0", "0")
            for i, (e, f) in enumerate([("0", "1.00"), ("0", "0.99"), ("0.99", "0"),
                                        ("1.00", "0")])]
    res = make_result(dist_df(rows))
    p = an.participant_net(res).sort("id")
    assert p["outcome"].to_list() == ["loss", "break_even", "break_even", "profit"]
    r = an.net_results(res, per_run=True).row(0, named=True)
    assert (r["share_loss"], r["share_break_even"], r["share_profit"]) == (0.25, 0.5, 0.25)


def test_net_results(fake):
    per = an.net_results(fake, per_run=True)
    r0, r1 = per.row(0, named=True), per.row(1, named=True)
    # run 0 nets: 160, −210, 0, −160, −60 → 3 losses, 1 break even, 1 profit
    assert (r0["share_loss"], r0["share_break_even"], r0["share_profit"]) == (0.6, 0.2, 0.2)
    assert r0["median_net"] == -60 and r0["mean_net"] == approx(-54.0)
    assert r0["mean_fees"] == 50 and r0["mean_excess_purchases"] == approx(90.0)
    # run 1 (consumed share .5): id 0: 30 − (50 + 40 + 100) = −160; id 1: 60 − (50 + 50 +
    # 50 + 100) = −190; id 2: −60; id 3: 0 − (50 + 30 + 150) = −230 → everyone loses
    assert r1["share_loss"] == 1.0 and r1["median_net"] == approx(-175.0)
    assert r1["mean_net"] == approx(-160.0)
    for r in (r0, r1):
        assert r["share_loss"] + r["share_break_even"] + r["share_profit"] == approx(1.0)
    s = an.net_results(fake)
    assert row(s, metric="share_loss")["mean"] == approx(0.8)


def test_missing_columns_raise(fake):
    old = make_result(fake.distributors.drop("required_purchases"))
    with pytest.raises(an.MissingColumnError, match="required_purchases"):
        an.net_results(old)
    with pytest.raises(an.MissingColumnError, match="required_purchases"):
        an.income_disclosure(old)
    old_m = make_result(monthly=fake.monthly.drop("payout_from_own"))
    with pytest.raises(an.MissingColumnError, match="payout_from_own"):
        an.sources_of_money(old_m)
    # a core whose payout_from_retail still held preferred customers' part: no split to show
    old_p = make_result(monthly=fake.monthly.drop("payout_from_preferred", "payout_from_party"))
    with pytest.raises(an.MissingColumnError, match="payout_from_preferred"):
        an.sources_of_money(old_p)
    # volume sources and host rewards a core did not report are zero, not an error
    no_parties = make_result(monthly=fake.monthly.drop("party_volume", "host_rewards",
                                                       "preferred_volume"))
    assert an.compliance(no_parties, per_run=True).equals(an.compliance(fake, per_run=True))
    assert row(an.payout_summary(no_parties, per_run=True), run=0)["host_rewards"] == 0
    # gross-only disclosure needs no new column
    assert an.income_disclosure(old, net=False).height == 3


# --------------------------------------------------------------------------------------
# retention


def test_retention_hand_worked(fake):
    # months = 6. Event (quit) at t = quit − join; still in: censored at t = 6 − join.
    # run 0: censored 5, event 2, censored 4, event 1, censored 0
    # run 1: event 2, censored 4, event 1, censored 2
    # pooled 9 people:
    #  t  at risk  quits  censored  S
    #  0     9       0       1      1
    #  1     8       2       0      6/8 = .75
    #  2     6       2       1      .75 × 4/6 = .5
    #  3     3       0       0      .5
    #  4     3       0       2      .5
    #  5     1       0       1      .5
    # Greenwood Σ d/(n(n−d)): t1: 2/(8·6) = 1/24; t2: + 2/(6·4) → 1/8
    km = an.retention(fake, ci="plain")
    assert km["months"].to_list() == [0, 1, 2, 3, 4, 5]
    assert km["at_risk"].to_list() == [9, 8, 6, 3, 3, 1]
    assert km["quits"].to_list() == [0, 2, 2, 0, 0, 0]
    assert km["censored"].to_list() == [1, 0, 1, 0, 2, 1]
    assert km["survival"].to_list() == [1, 0.75, 0.5, 0.5, 0.5, 0.5]
    z = 1.959963984540054
    se1, se2 = 0.75 * math.sqrt(1 / 24), 0.5 * math.sqrt(1 / 8)
    assert km["se"].to_list()[:3] == [0, approx(se1), approx(se2)]
    assert km["lower"][1] == approx(0.75 - z * se1) and km["upper"][1] == 1.0  # clipped
    assert km["lower"][2] == approx(0.5 - z * se2) and km["upper"][2] == approx(0.5 + z * se2)
    # log-log: S^exp(±z se/(S |log S|))
    ll = an.retention(fake)
    th = math.sqrt(1 / 24) / abs(math.log(0.75))
    assert ll["lower"][1] == approx(0.75 ** math.exp(z * th))
    assert ll["upper"][1] == approx(0.75 ** math.exp(-z * th))
    assert (ll["lower"][0], ll["upper"][0]) == (1.0, 1.0)
    # per run: run 0 at risk 5, 4, 3, 2, 2, 1 → S .75 at t1 (1 of 4), .5 at t2 (1 of 3);
    # run 1 at risk 4, 4, 3, 1, 1 → S .75, .5; only run 0 is observed at t = 5
    assert ll["run_mean"].to_list() == [1, 0.75, 0.5, 0.5, 0.5, 0.5]
    assert ll["runs"].to_list() == [2, 2, 2, 2, 2, 1]


def test_retention_by_join_month_and_rank(fake):
    km = an.retention(fake, by="join_month")
    # cohort 2: r0 id1 event 2, r0 id2 censored 4, r1 id1 censored 4, r1 id2 event 1:
    # t1: 1 of 4 quits → .75; t2: 1 of 3 → .5; t3, t4: .5
    c2 = km.filter(pl.col("join_month") == 2)
    assert c2["survival"].to_list() == [1, 0.75, 0.5, 0.5, 0.5]
    assert c2["at_risk"].to_list() == [4, 4, 3, 2, 2]
    byr = an.retention(fake, by="max_rank")
    # rows in rank order: (none), Bronze, Silver
    assert byr["max_rank"].unique(maintain_order=True).to_list() == ["(none)", "Bronze", "Silver"]
    # Bronze: r0 id1 event 2, r1 id0 event 2, r1 id1 censored 4 → S(2) = 1/3
    b = byr.filter(pl.col("max_rank") == "Bronze")
    assert b.filter(pl.col("months") == 2)["survival"][0] == approx(1 / 3)
    with pytest.raises(ValueError, match="by ="):
        an.retention(fake, by="sponsor")


def test_retention_everyone_quits_gives_zero_with_zero_width():
    rows = [(0, i, None, 1, q, None, "0", "0", "0", "0", "0", "0", "0", "0")
            for i, q in enumerate([2, 3])]
    res = make_result(dist_df(rows))
    km = an.retention(res)
    # t1: 1 of 2 → .5; t2: 1 of 1 → 0 (Greenwood term undefined; the interval is [0, 0])
    assert km["survival"].to_list() == [1, 0.5, 0]
    assert (km["lower"][2], km["upper"][2], km["se"][2]) == (0, 0, 0)


# --------------------------------------------------------------------------------------
# the regulator's view


def test_income_disclosure_per_run(fake):
    per = an.income_disclosure(fake, per_run=True)
    # run 0: (none) ids 2, 3, 4 (0 each); Bronze id 1 (10); Silver id 0 (400)
    r0 = per.filter(pl.col("run") == 0)
    assert r0["rank"].to_list() == ["(none)", "Bronze", "Silver"]
    assert r0["people"].to_list() == [3, 1, 1]
    assert r0["share"].to_list() == [0.6, 0.2, 0.2]
    assert r0["mean_gross"].to_list() == [0, 10, 400]
    assert r0["total_gross"].to_list() == [D(0), D("10.00"), D("400.00")]
    # net (see test_participant_net_rule): (none) 0, −160, −60; Bronze −210; Silver 160
    assert r0["mean_net"].to_list() == [approx(-220 / 3), -210, 160]
    assert r0["median_net"].to_list() == [-60, -210, 160]
    assert r0["share_losing_money"].to_list() == [approx(2 / 3), 1, 0]
    # run 1: nobody reached Silver: a zero row with undefined means
    s1 = row(per, run=1, rank="Silver")
    assert (s1["people"], s1["share"], s1["mean_gross"]) == (0, 0.0, None)
    b1 = row(per, run=1, rank="Bronze")
    assert (b1["people"], b1["mean_gross"], b1["median_gross"]) == (2, 40, 40)
    assert "not annualised" in per["basis"][0]


def test_income_disclosure_adds_up(fake):
    d = fake.distributors
    per = an.income_disclosure(fake, per_run=True)
    for run, part in per.partition_by("run", as_dict=True).items():
        people = d.filter(pl.col("run") == run[0])
        assert part["people"].sum() == people.height
        assert part["share"].sum() == approx(1.0)
        assert part["total_gross"].sum() == people["earnings"].sum()
        for r in part.filter(pl.col("people") > 0).iter_rows(named=True):
            assert r["mean_gross"] * r["people"] == approx(float(r["total_gross"]))


def test_income_disclosure_wide_and_annualised(fake):
    w = an.income_disclosure(fake, net=False)
    assert w.columns[:4] == ["rank_index", "rank", "people", "people_p05"]
    silver = row(w, rank="Silver")
    # 1 person in run 0, 0 in run 1 → mean .5; mean gross over the run that has one: 400
    assert silver["people"] == 0.5 and silver["mean_gross"] == 400
    assert w["share"].sum() == approx(1.0)
    a = an.income_disclosure(fake, annualise=True, per_run=True)
    # run 0 Silver: id 0 in 6 months → 400 × 12/6 = 800; Bronze id 1 in 2 months → 10 × 6;
    # net annualised too: 160 × 2, −210 × 6
    assert row(a, run=0, rank="Silver")["mean_gross"] == approx(800)
    assert row(a, run=0, rank="Bronze")["mean_gross"] == approx(60)
    assert row(a, run=0, rank="Silver")["mean_net"] == approx(320)
    assert row(a, run=0, rank="Bronze")["mean_net"] == approx(-1260)
    assert "annualised" in a["basis"][0] and "not annualised" not in a["basis"][0]
    long = an.income_disclosure(fake, layout="long")
    assert row(long, rank="Silver", metric="mean_gross")["runs"] == 1


def test_sources_of_money(fake):
    per = an.sources_of_money(fake, per_run=True)
    r0 = per.filter(pl.col("run") == 0)
    assert r0["source"].to_list() == an.SOURCES
    # run 0: retail 20 + 40, preferred 0, party 0, own 10 + 30.01, downline 15 + 25, fees 0,
    # other 5 + 5
    assert r0["amount"].to_list() == [D("60.00"), D(0), D(0), D("40.01"), D("40.00"), D(0),
                                      D("10.00")]
    assert r0["share"][0] == approx(60 / 150.01)
    for run, part in per.partition_by("run", as_dict=True).items():
        total = fake.monthly.filter(pl.col("run") == run[0])["payout"].sum()
        assert part["amount"].sum() == total          # to the cent
        assert part["share"].sum() == approx(1.0)
    s = an.sources_of_money(fake)
    assert row(s, source="fees", metric="share")["mean"] == 0.0
    assert row(s, source="retail_customers", metric="share")["mean"] == approx(
        (60 / 150.01 + 11.11 / 33.33) / 2)


def test_sources_of_money_flags_a_gap(fake):
    bad = make_result(monthly=fake.monthly.with_columns(
        pl.when(pl.col("month") == 1).then(pl.col("payout_other") - D("0.01"))
        .otherwise(pl.col("payout_other")).alias("payout_other")))
    with pytest.warns(UserWarning, match="unattributed"):
        per = an.sources_of_money(bad, per_run=True)
    assert row(per, run=0, source="unattributed")["amount"] == D("0.01")


# --------------------------------------------------------------------------------------
# party plans: preferred customers, party sales and host rewards on the hand-made result
#
# The payout of each month is the same as above; what was paid on customers is split
# between retail customers, preferred customers and party sales, and the company also pays
# host rewards (outside the payout):
# run month  payout  from: retail  preferred  party   own   down  other   host rewards
#  0    1     50.00         8.00      5.00    7.00  10.00  15.00  5.00        6.00
#  0    2    100.01        10.00     10.00   20.00  30.01  25.00  5.00        9.00
#  1    1      0.00         0         0       0      0      0     0           0
#  1    2     33.33        11.11      0       0     11.11  11.11  0           3.00
# Customers' volume of each month is split likewise (retail + preferred + party = the old
# retail_volume): run 0 month 1 400 = 250 + 50 + 100, month 2 600 = 300 + 100 + 200.

PARTY_PLAN = {
    "name": "fake party",
    "ranks": FAKE_PLAN["ranks"],
    "bonus": [
        {"kind": "retail", "markup": "0.25"},
        {"kind": "party_commission", "name": "commission",
         "tiers": [{"min_pv": "0", "rate": "0.2"}]},
        {"kind": "host_rewards", "name": "host rewards",
         "tiers": [{"min_pv": "200", "rate": "0.1"}]},
        {"kind": "rank_advancement", "amounts": {"Bronze": "5", "Silver": "10"}},
    ],
}
SPLIT = {  # (run, month): retail, preferred, party, host rewards (money); volumes
    (0, 1): ("8.00", "5.00", "7.00", "6.00", "250", "50", "100"),
    (0, 2): ("10.00", "10.00", "20.00", "9.00", "300", "100", "200"),
    (1, 1): ("0", "0", "0", "0", "0", "0", "0"),
    (1, 2): ("11.11", "0", "0", "3.00", "300", "0", "0"),
}


def _party_monthly() -> pl.DataFrame:
    m = _monthly()
    cols = ["payout_from_retail", "payout_from_preferred", "payout_from_party", "host_rewards",
            "retail_volume", "preferred_volume", "party_volume"]
    keys = pl.DataFrame(
        [{"run": r, "month": mo, **{c: D(v) for c, v in zip(cols, vals)}}
         for (r, mo), vals in SPLIT.items()],
        schema={"run": pl.UInt32, "month": pl.Int32, **{c: M for c in cols}},
    )
    return m.drop(cols).join(keys, on=["run", "month"]).select(m.columns)


def _party_bonuses(with_paid_to: bool = True) -> pl.DataFrame:
    # commission + rank_advancement = payout of each month; host rewards apart
    rows = [
        (0, 1, "retail", "10"), (0, 1, "commission", "45.00"), (0, 1, "host rewards", "6.00"),
        (0, 1, "rank_advancement", "5.00"),
        (0, 2, "retail", "20"), (0, 2, "commission", "95.01"), (0, 2, "host rewards", "9.00"),
        (0, 2, "rank_advancement", "5.00"),
        (1, 1, "retail", "0"), (1, 1, "commission", "0"), (1, 1, "host rewards", "0"),
        (1, 1, "rank_advancement", "0"),
        (1, 2, "retail", "5"), (1, 2, "commission", "33.33"), (1, 2, "host rewards", "3.00"),
        (1, 2, "rank_advancement", "0"),
    ]
    df = pl.DataFrame(
        [{"run": r, "month": m, "bonus": b, "paid_by_company": b != "retail",
          "paid_to": "host" if b == "host rewards" else "distributor", "amount": D(a)}
         for r, m, b, a in rows],
        schema={"run": pl.UInt32, "month": pl.Int32, "bonus": pl.String,
                "paid_by_company": pl.Boolean, "paid_to": pl.String, "amount": M},
    )
    return df if with_paid_to else df.drop("paid_to")


def party_result(with_paid_to: bool = True) -> dl.SimulationResult:
    res = make_result(monthly=_party_monthly())
    res.bonuses = _party_bonuses(with_paid_to)
    res.plan = dl.Plan.from_dict(PARTY_PLAN)
    return res


def test_sources_of_money_splits_customers():
    res = party_result()
    per = an.sources_of_money(res, per_run=True)
    r0 = per.filter(pl.col("run") == 0)
    # run 0: retail 8 + 10, preferred 5 + 10, party 7 + 20, own 10 + 30.01, downline 15 + 25,
    # fees 0, other 5 + 5 = 150.01, the payout, to the cent
    assert r0["source"].to_list() == an.SOURCES
    assert r0["amount"].to_list() == [D("18.00"), D("15.00"), D("27.00"), D("40.01"),
                                      D("40.00"), D(0), D("10.00")]
    assert r0["amount"].sum() == D("150.01")
    # the customers together: what payout_from_retail held before the split, 60.00
    cust = r0.filter(pl.col("source").is_in(an.CUSTOMER_SOURCES))
    assert cust["amount"].sum() == D("60.00")
    assert cust["share"].sum() == approx(60 / 150.01)
    s = an.sources_of_money(res)
    assert row(s, source="party_sales", metric="share")["mean"] == approx((27 / 150.01 + 0) / 2)


def test_payout_summary_reports_host_rewards_apart():
    per = an.payout_summary(party_result(), per_run=True)
    r0, r1 = per.row(0, named=True), per.row(1, named=True)
    # host rewards 6 + 9 = 15.00 over volume value 1700; the payout is unchanged
    assert r0["host_rewards"] == D("15.00") and r0["host_rewards_ratio"] == approx(15 / 1700)
    assert r0["payout"] == D("150.01") and r0["payout_ratio"] == approx(150.01 / 1700)
    assert r1["host_rewards"] == D("3.00") and r1["host_rewards_ratio"] == approx(3 / 900)
    s = an.payout_summary(party_result())
    assert row(s, metric="host_rewards")["mean"] == approx(9.0)


@pytest.mark.parametrize("with_paid_to", [True, False], ids=["paid_to", "from-kind"])
def test_payout_by_bonus_leaves_host_rewards_out_of_the_payout(with_paid_to):
    per = an.payout_by_bonus(party_result(with_paid_to), per_run=True)
    c = row(per, run=0, bonus="commission")
    # commission run 0: 45.00 + 95.01 = 140.01 of the payout 150.01 (not of 150.01 + 15.00)
    assert c["amount"] == D("140.01") and c["paid_to"] == "distributor"
    assert c["share_of_payout"] == approx(140.01 / 150.01)
    h = row(per, run=0, bonus="host rewards")
    assert h["kind"] == "host_rewards" and h["paid_to"] == "host" and h["paid_by_company"]
    assert h["amount"] == D("15.00") and h["share_of_payout"] is None
    assert h["share_of_volume_value"] == approx(15 / 1700)
    in_payout = per.filter(pl.col("paid_by_company") & (pl.col("paid_to") == "distributor"))
    sums = in_payout.group_by("run").agg(pl.col("share_of_payout").sum(), pl.col("amount").sum())
    assert sums.sort("run")["share_of_payout"].to_list() == [approx(1.0)] * 2
    assert sums.sort("run")["amount"].to_list() == [D("150.01"), D("33.33")]


def test_compliance_counts_preferred_and_party_as_customers(fake):
    """Moving customers' volume between retail, preferred and party sales changes no
    figure: all three are sales to people outside the plan."""
    base = an.compliance(one_run(fake, 0), personal_cap_per_month=50, per_run=True)
    # run 0 monthly as in SPLIT; person 0's customers 900 = retail 400 + preferred 200 +
    # party 300, person 2's 100 = party 100
    d = dist_df(DIST_ROWS).filter(pl.col("run") == 0).with_columns(
        customer_volume=pl.when(pl.col("id") == 0).then(D(400)).when(pl.col("id") == 2)
        .then(D(0)).otherwise(pl.col("customer_volume")).cast(M),
        preferred_volume=pl.when(pl.col("id") == 0).then(D(200)).otherwise(D(0)).cast(M),
        party_volume=pl.when(pl.col("id") == 0).then(D(300)).when(pl.col("id") == 2)
        .then(D(100)).otherwise(D(0)).cast(M),
    )
    res = make_result(d, _party_monthly().filter(pl.col("run") == 0))
    split = an.compliance(res, personal_cap_per_month=50, per_run=True)
    assert split["figure"].to_list() == [approx(x) for x in base["figure"].to_list()]
    fig = dict(zip(split["check"], split["figure"]))
    # R = (250 + 50 + 100) + (300 + 100 + 200) = 1000, as in test_compliance_hand_worked;
    # counting retail customers alone (550) would give 550 / 1100 instead
    assert fig["herbalife_retail_share"] == approx(1000 / 1550)
    assert fig["vemma_nonparticipant_share"] == approx(1000 / 1700)
    assert fig["amway_70_sold_or_consumed"] == approx(1250 / 1700)


def test_compliance_hand_worked(fake):
    res = one_run(fake, 0)
    per = an.compliance(res, personal_cap_per_month=50, per_run=True)
    fig = dict(zip(per["check"], per["figure"]))
    ok = dict(zip(per["check"], per["pass"]))
    # R = retail volume 400 + 600 = 1000; S = 1700. Personal consumption capped at 50 a
    # month in: id0 min(300, 6×50) = 300, id1 min(200, 2×50) = 100, id2 min(100, 5×50) =
    # 100, id3 min(100, 50) = 50, id4 0 → PC = 550
    assert fig["herbalife_retail_share"] == approx(1000 / 1550) and not ok[
        "herbalife_retail_share"]
    assert fig["herbalife_rewardable_share"] == approx(1550 / 1700) and ok[
        "herbalife_rewardable_share"]
    assert fig["vemma_nonparticipant_share"] == approx(1000 / 1700) and ok[
        "vemma_nonparticipant_share"]
    # downlines (customers vs own): id3 0/100, id4 0/0, id1 0/300, id2 100/100 (not a
    # majority), id0 900+0+100 = 1000 vs 300+300+100 = 700 → majority. Paid: id0 400 of 410
    assert fig["vemma_commissions_to_majority_downlines"] == approx(400 / 410)
    # 70%: (C + .5 V) / (C + P) = (1000 + .5 × 500) / (1000 + 700)
    assert fig["amway_70_sold_or_consumed"] == approx(1250 / 1700)
    # per person: id0 (900 + 150)/1200 = .875 ok; id1 50/200 no; id2 150/200 ok; id3 0 no;
    # id4 bought nothing: ok → commissions to compliant 400 / 410
    assert fig["amway_70_commissions_to_compliant"] == approx(400 / 410)
    assert fig["share_losing_money"] == approx(0.6) and not ok["share_losing_money"]
    s = an.compliance(res, personal_cap_per_month=50)
    assert s.columns[:7] == ["check", "figure", "p05", "p95", "comparison", "threshold", "pass"]
    h = row(s, check="herbalife_retail_share")
    assert h["threshold"] == approx(2 / 3) and h["pass"] is False and h["runs_passing"] == 0
    assert "Herbalife" in h["source"]
    # thresholds are the user's
    s2 = an.compliance(res, personal_cap_per_month=50, retail_share_min=0.6,
                       loss_share_max=0.7)
    assert row(s2, check="herbalife_retail_share")["pass"] is True
    assert row(s2, check="share_losing_money")["pass"] is True


def test_compliance_majority_is_strict():
    # one person, customers 100 = own 100: not a majority (the Vemma test is > 50%)
    rows = [(0, 0, None, 1, None, None, "5", "0", "0", "100", "0", "0", "100", "100")]
    m = _monthly().filter(pl.col("run") == 0).with_columns(
        volume=pl.lit(D(100)).cast(M), retail_volume=pl.lit(D(50)).cast(M),
        volume_value=pl.lit(D(100)).cast(M))
    res = make_result(dist_df(rows), m)
    per = an.compliance(res, per_run=True)
    r = row(per, check="vemma_nonparticipant_share")
    assert r["figure"] == 0.5 and r["pass"] is False
    assert row(per, check="vemma_commissions_to_majority_downlines")["figure"] == 0.0


# --------------------------------------------------------------------------------------
# comparing plans: statistics


@pytest.mark.parametrize("q, df, t", [(0.975, 1, 12.706204736), (0.975, 9, 2.262157163),
                                      (0.975, 30, 2.042272456), (0.95, 5, 2.015048373),
                                      (0.5, 3, 0.0), (0.025, 9, -2.262157163),
                                      (0.975, 1e6, 1.959966)])
def test_t_quantile(q, df, t):
    assert an.t_quantile(q, df) == pytest.approx(t, abs=2e-6)


def test_paired_and_independent_difference():
    a, b = [1.0, 2.0, 3.0, 4.0], [1.5, 2.4, 3.6, 4.5]
    # d = .5, .4, .6, .5: mean .5, sd √(.02/3), se sd/2, t(.975, 3) = 3.182446
    p = an.paired_difference(a, b)
    se = math.sqrt(0.02 / 3) / 2
    assert p["mean"] == approx(0.5) and p["se"] == approx(se)
    assert p["low"] == approx(0.5 - 3.182446305 * se, rel=1e-6)
    ind = an.independent_difference(a, b)
    assert ind["mean"] == approx(0.5)
    assert ind["high"] - ind["low"] > p["high"] - p["low"]


# --------------------------------------------------------------------------------------
# real simulations

SMALL = {
    "name": "small",
    "market": {"founders": 60, "size": 100_000},
    "recruitment": {"rate": [0.4, 0.3, 0.2], "heterogeneity": 0.5},
    "attrition": {"monthly_quit": [0.2, 0.1, 0.08]},
    "purchases": {"probability": 0.8, "mean": 100.0, "sigma": 0.5},
    "customers": {"acquisition_rate": 0.5, "churn": 0.1},
    "expenses": {"monthly": 20.0},
}

NEW_MONTHLY = ["payout_from_retail", "payout_from_own", "payout_from_downline", "payout_other",
               "payout_if_all_qualified", "breakage"]
NEW_DIST = ["months_active", "own_volume", "customer_volume", "required_purchases"]


def needs_new_core(res: dl.SimulationResult, monthly=(), distributors=()):
    missing = [c for c in monthly if c not in res.monthly.columns]
    missing += [c for c in distributors if c not in res.distributors.columns]
    # The core has had these columns since the analytics landed: their absence is a bug.
    assert not missing, f"the core's tables lack {missing}"


@pytest.fixture(scope="module")
def sim() -> dl.SimulationResult:
    plan = dl.Plan.load(Path(__file__).resolve().parents[2] / "examples/plans/unilevel.toml")
    return dl.simulate(plan, dl.Scenario.from_dict(SMALL), months=12, runs=4, seed=5)


def test_real_company_and_participant_views(sim):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an older core has no breakage columns
        s = an.payout_summary(sim, per_run=True)
    # the horizon payout ratio agrees with the core's per-run figure
    assert s["payout_ratio"].to_list() == [
        approx(v, rel=1e-12) for v in sim.runs.sort("run")["payout_ratio"].to_list()]
    e = an.earnings_distribution(sim, per_run=True)
    runs = sim.runs.sort("run")
    assert e["people"].to_list() == runs["ever_joined"].to_list()
    assert e["share_zero"].to_list() == [approx(v) for v in runs["share_earning_nothing"]]
    assert e["top1_share"].to_list() == [approx(v) for v in runs["top1_share"]]
    assert e["median"].to_list() == [approx(v) for v in runs["median_earnings"]]
    # company-paid bonus amounts add up to the payout, to the cent
    b = an.payout_by_bonus(sim, per_run=True).filter(pl.col("paid_by_company"))
    tot = b.group_by("run").agg(pl.col("amount").sum()).sort("run")
    assert tot["amount"].to_list() == runs["payout"].to_list()
    assert an.lorenz(sim).height == 101
    assert an.rank_counts(sim).height > 0


def test_real_retention_is_unbiased():
    # constant 20% monthly quit: S(t) = .8^t. People still in at the horizon are censored
    # at months − join (quit points faced); counting them at risk one month longer would
    # pull the estimate up by several standard errors here.
    scen = dl.Scenario.from_dict({
        "market": {"founders": 3000}, "recruitment": {"rate": 0.4},
        "attrition": {"monthly_quit": 0.2}, "purchases": {"probability": 1.0},
    })
    plan = dl.Plan.from_dict({"bonus": [{"kind": "unilevel", "levels": ["0.05"]}]})
    res = dl.simulate(plan, scen, months=6, runs=2, seed=3)
    km = an.retention(res)
    assert km["months"].max() == 5
    for r in km.filter(pl.col("months").is_between(1, 5)).iter_rows(named=True):
        assert abs(r["survival"] - 0.8 ** r["months"]) < 4 * r["se"], r
    # the biased convention, for contrast: stayers censored at months − join + 1 is what
    # a horizon one month longer with nobody quitting in it would give
    naive = dl.SimulationResult(**{**res.__dict__, "months": res.months + 1})
    s1 = an.retention(naive).filter(pl.col("months") == 1).row(0, named=True)
    assert s1["survival"] - 0.8 > 4 * s1["se"]


def test_real_income_disclosure_adds_up(sim):
    needs_new_core(sim, distributors=["required_purchases"])
    per = an.income_disclosure(sim, per_run=True)
    d = sim.distributors
    for (run,), part in per.partition_by("run", as_dict=True).items():
        people = d.filter(pl.col("run") == run)
        assert part["people"].sum() == people.height
        assert part["share"].sum() == approx(1.0)
        assert part["total_gross"].sum() == people["earnings"].sum()
        for r in part.filter(pl.col("people") > 0).iter_rows(named=True):
            assert r["mean_gross"] * r["people"] == approx(float(r["total_gross"]), rel=1e-9)


def test_real_sources_of_money_add_up_to_the_cent(sim):
    needs_new_core(sim, monthly=NEW_MONTHLY)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        per = an.sources_of_money(sim, per_run=True)
        with_warning = [x for x in w if "unattributed" in str(x.message)]
    assert not with_warning
    for (run,), part in per.partition_by("run", as_dict=True).items():
        assert part["amount"].sum() == sim.monthly.filter(pl.col("run") == run)["payout"].sum()
        assert part["share"].drop_nulls().sum() == approx(1.0)
    # the monthly breakage column is potential − payout
    m = sim.monthly
    assert (m["breakage"] == m["payout_if_all_qualified"] - m["payout"]).all()


def test_real_net_and_compliance(sim):
    needs_new_core(sim, distributors=NEW_DIST)
    n = an.net_results(sim, per_run=True)
    assert (n["share_loss"] + n["share_break_even"] + n["share_profit"]).to_list() == [
        approx(1.0)] * sim.n_runs
    c = an.compliance(sim)
    assert c.height == 7 and c["figure"].null_count() == 0
    # the required purchases are part of the purchases
    d = sim.distributors
    assert (d["required_purchases"] <= d["purchases"]).all()


def test_compare_paired_interval_is_narrower():
    root_plan = {
        "name": "A",
        "active": {"min_pv": "100"},
        "bonus": [{"kind": "unilevel", "levels": ["0.05", "0.05", "0.05"]},
                  {"kind": "fast_start", "rate": "0.2"}],
    }
    plan_b = {**root_plan, "name": "B",
              "bonus": [{"kind": "unilevel", "levels": ["0.06", "0.05", "0.04"]},
                        {"kind": "fast_start", "rate": "0.2"}]}
    a, b = dl.Plan.from_dict(root_plan), dl.Plan.from_dict(plan_b)
    scen = dl.Scenario.from_dict(SMALL)
    runs = 20
    table, results = an.compare([a, b], scen, months=12, runs=runs, seed=1,
                                metrics=["payout", "payout_ratio"], return_results=True,
                                keep_distributors=False)
    assert table.height == 4 and table["plan"].to_list() == ["A", "B", "A", "B"]
    first = row(table, metric="payout", plan="A")
    assert first["diff_mean"] is None
    pb = row(table, metric="payout", plan="B")
    assert pb["diff_mean"] == approx(pb["mean"] - first["mean"], rel=1e-9)
    # same seed: same people, so the two plans' per-run payouts move together
    other_b = dl.simulate(b, scen, months=12, runs=runs, seed=2, keep_distributors=False)
    for metric in ("payout", "payout_ratio"):
        paired = row(table, metric=metric, plan="B")
        ind = an.independent_difference(results[0].runs.sort("run")[metric],
                                        other_b.runs.sort("run")[metric])
        assert paired["diff_high"] - paired["diff_low"] < ind["high"] - ind["low"], metric
        assert paired["diff_low"] <= paired["diff_mean"] <= paired["diff_high"]
    # custom metrics: a function of the result, one value per run
    t2 = an.compare([a, a], scen, months=6, runs=3, seed=1, metrics={
        "gini": lambda r: an.earnings_distribution(r, per_run=True).select("run", "gini")})
    assert t2["plan"].to_list() == ["A [0]", "A [1]"]
    assert row(t2, plan="A [1]")["diff_mean"] == 0.0


def test_exports():
    assert dl.analytics is an and dl.compare is an.compare


def test_consumed_share_comes_from_the_scenario():
    """purchases.consumed_share in the scenario is the default of the net-result rule."""
    plan = dl.Plan.from_dict({"active": {"min_pv": "50"},
                              "bonus": [{"kind": "unilevel", "levels": ["0.05"]}],
                              "costs": {"enrollment_fee": "10"}})
    base = {"market": {"founders": 50}, "recruitment": {"rate": 0.1},
            "purchases": {"mean": 80.0}}
    res = dl.simulate(plan, dl.Scenario.from_dict(base), months=12, runs=2, seed=1)
    all_consumed = dict(base, purchases={"mean": 80.0, "consumed_share": 1.0})
    res1 = dl.simulate(plan, dl.Scenario.from_dict(all_consumed), months=12, runs=2, seed=1)
    a = an.net_results(res, per_run=True)
    b = an.net_results(res1, per_run=True)
    assert b["share_loss"].mean() < a["share_loss"].mean()
    assert an.net_results(res, consumed_share=1.0, per_run=True)["share_loss"].equals(
        b["share_loss"])
    with pytest.raises(dl.ScenarioError, match=r"^purchases\.consumed_share: "):
        dl.Scenario.from_dict({"purchases": {"consumed_share": 1.5}})
