"""The company's books (downline.analytics.company_books): hand-computed small cases to the
cent, loss months flagged, refunds and chargebacks counted when the monthly table has them
(in currency or in cents) and as zero otherwise, fees month by month checked against the
per-person totals, the cost of goods never assumed — and the same books in the CLI
summary and the HTML report."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D

import downline as dl
import polars as pl
import pytest
from downline import analytics as an
from downline import cli, report

M = pl.Decimal(18, 2)

#: A plan charging a 40.00 enrollment fee and a 25.00 annual fee.
PLAN = {
    "name": "books",
    "bonus": [{"kind": "retail", "markup": "0.25"}, {"kind": "unilevel", "levels": ["0.10"]}],
    "costs": {"enrollment_fee": "40.00", "annual_fee": "25.00"},
}

# --------------------------------------------------------------------------------------
# The hand-made result: two runs × three months, cost of goods 25% of revenue.
#
# run month joined revenue  payout  retail_profit host | fees  cogs    margin   cumulative
#  0    1     2    1000.00  150.00      50.00      0   | 80.00 250.00  680.00     680.00
#  0    2     1    2000.00  900.50     100.00    20.00 | 40.00 500.00  619.50    1299.50
#  0    3     0     500.00  480.00       0         0   |  0    125.00 -105.00    1194.50  loss
#  1    1     2       0.00  100.00       0         0   | 80.00   0     -20.00     -20.00  loss
#  1    2     0     100.10   90.00       0         0   |  0     25.03  -14.93     -34.93  loss
#  1    3     0     300.00   10.00       0         0   |  0     75.00  215.00     180.07
#
# margin = revenue + fees − cogs − payout − host rewards. The cost of goods of 100.10 is
# 25.025, rounded half away from zero to 25.03 (a binary double would give 25.02). Month 1
# of run 1 pays 100.00 with no volume (a rank bonus, say): the company is 20.00 down.
MONTH_ROWS = [
    (0, 1, 2, "1000.00", "150.00", "50.00", "0"),
    (0, 2, 1, "2000.00", "900.50", "100.00", "20.00"),
    (0, 3, 0, "500.00", "480.00", "0", "0"),
    (1, 1, 2, "0.00", "100.00", "0", "0"),
    (1, 2, 0, "100.10", "90.00", "0", "0"),
    (1, 3, 0, "300.00", "10.00", "0", "0"),
]
# People: run 0 has three (joined in months 1, 1, 2), run 1 two (month 1); each paid the
# 40.00 enrollment fee; with 3 months nobody reaches the annual fee.
PEOPLE = [(0, 0, 1, None, "40.00"), (0, 1, 1, None, "40.00"), (0, 2, 2, 3, "40.00"),
          (1, 0, 1, None, "40.00"), (1, 1, 1, 3, "40.00")]


def monthly(rows=MONTH_ROWS, **extra) -> pl.DataFrame:
    """A monthly table with the columns the books read (others as in the core), plus
    ``extra`` columns (name → (values, dtype))."""
    df = pl.DataFrame(
        [{"run": r, "month": m, "active": 3, "joined": j, "quit": 0, "qualified": 1,
          "volume": D(v), "retail_volume": D(0), "preferred_volume": D(0),
          "party_volume": D(0), "volume_value": D(v), "payout": D(p),
          "payout_before_cap": D(p), "retail_profit": D(rp), "host_rewards": D(h)}
         for r, m, j, v, p, rp, h in rows],
        schema={"run": pl.UInt32, "month": pl.Int32, "active": pl.UInt32,
                "joined": pl.UInt32, "quit": pl.UInt32, "qualified": pl.UInt32,
                **{c: M for c in ("volume", "retail_volume", "preferred_volume",
                                  "party_volume", "volume_value", "payout",
                                  "payout_before_cap", "retail_profit", "host_rewards")}},
    )
    for name, (values, dtype) in extra.items():
        df = df.with_columns(pl.Series(name, values, dtype=dtype))
    return df


def people(rows=PEOPLE) -> pl.DataFrame:
    return pl.DataFrame(
        [{"run": r, "id": i, "join_month": j, "quit_month": q, "fees": D(f)}
         for r, i, j, q, f in rows],
        schema={"run": pl.UInt32, "id": pl.UInt32, "join_month": pl.Int32,
                "quit_month": pl.Int32, "fees": M},
    )


def make(m: pl.DataFrame | None = None, d: pl.DataFrame | None = None, months: int = 3,
         plan: dict | None = None) -> dl.SimulationResult:
    m = monthly() if m is None else m
    d = people() if d is None else d
    return dl.SimulationResult(
        monthly=m, bonuses=pl.DataFrame(), ranks=pl.DataFrame(), runs=pl.DataFrame(),
        distributors=d, months=months, n_runs=m["run"].n_unique(), seed=0,
        plan=dl.Plan.from_dict(plan or PLAN), scenario=dl.Scenario.from_dict({}),
    )


def row(df: pl.DataFrame, **eq) -> dict:
    for k, v in eq.items():
        df = df.filter(pl.col(k) == v)
    assert df.height == 1, (eq, df)
    return df.row(0, named=True)


# --------------------------------------------------------------------------------------
# by hand


def test_books_month_by_month_to_the_cent():
    b = an.company_books(make(), cost_of_goods=0.25, per_run=True)
    got = {(r["run"], r["month"]): r for r in b.monthly.iter_rows(named=True)}
    want = {  # fees, cogs, margin, cumulative, loss
        (0, 1): ("80.00", "250.00", "680.00", "680.00", False),
        (0, 2): ("40.00", "500.00", "619.50", "1299.50", False),
        (0, 3): ("0.00", "125.00", "-105.00", "1194.50", True),
        (1, 1): ("80.00", "0.00", "-20.00", "-20.00", True),
        (1, 2): ("0.00", "25.03", "-14.93", "-34.93", True),
        (1, 3): ("0.00", "75.00", "215.00", "180.07", False),
    }
    assert set(got) == set(want)
    for key, (fees, cogs, margin, cum, loss) in want.items():
        r = got[key]
        assert (r["fees"], r["cost_of_goods"], r["margin"], r["cumulative_margin"]) == (
            D(fees), D(cogs), D(margin), D(cum)), key
        assert r["loss"] is loss, key
        assert r["refunds"] == D(0) and r["chargebacks"] == D(0)
    assert got[(0, 2)]["sales_at_retail"] == D("2100.00")  # revenue + retail margin
    assert got[(0, 2)]["host_rewards"] == D("20.00")
    assert got[(0, 2)]["margin_share"] == pytest.approx(619.50 / 2000)
    assert got[(1, 1)]["margin_share"] is None  # no revenue that month
    assert b.monthly.schema["margin"] == M


def test_books_over_the_horizon_to_the_cent():
    b = an.company_books(make(), cost_of_goods="0.25", per_run=True)
    r0, r1 = row(b.summary, run=0), row(b.summary, run=1)
    assert r0["revenue"] == D("3500.00") and r0["fees"] == D("120.00")
    assert r0["cost_of_goods"] == D("875.00") and r0["commissions"] == D("1530.50")
    assert r0["sales_at_retail"] == D("3650.00") and r0["host_rewards"] == D("20.00")
    # 3500 + 120 − 875 − 1530.50 − 20 = 1194.50, the sum of the months
    assert r0["margin"] == D("1194.50")
    assert r0["margin_share"] == pytest.approx(1194.50 / 3500)
    assert r0["commissions_share"] == pytest.approx(1530.50 / 3500)
    assert r0["breakeven_cost_of_goods"] == pytest.approx((1194.50 + 875) / 3500)
    assert (r0["loss"], r0["loss_months"], r0["any_loss_month"]) == (False, 1, True)
    assert r0["first_loss_month"] == 3 and r0["worst_month_margin"] == D("-105.00")
    assert r0["deepest_cumulative_loss"] == D("0.00")
    # run 1: 400.10 + 80 − 100.03 − 200 = 180.07; down 34.93 at its lowest
    assert r1["revenue"] == D("400.10") and r1["cost_of_goods"] == D("100.03")
    assert r1["margin"] == D("180.07")
    assert (r1["loss"], r1["loss_months"], r1["first_loss_month"]) == (False, 2, 1)
    assert r1["worst_month_margin"] == D("-20.00")
    assert r1["deepest_cumulative_loss"] == D("34.93")


def test_books_across_runs_and_the_loss_months():
    b = an.company_books(make(), cost_of_goods=0.25)
    assert b.summary.columns == ["metric", "mean", "p05", "p50", "p95", "runs"]
    margin = row(b.summary, metric="margin")
    assert margin["mean"] == pytest.approx((1194.50 + 180.07) / 2)
    lo, hi = 180.07, 1194.50
    assert margin["p05"] == pytest.approx(lo + 0.05 * (hi - lo))
    assert margin["p95"] == pytest.approx(lo + 0.95 * (hi - lo))
    assert row(b.summary, metric="loss")["mean"] == 0.0  # no run lost over the horizon
    assert row(b.summary, metric="any_loss_month")["mean"] == 1.0  # both had a bad month
    # month by month: the share of runs losing money is the mean of ``loss``
    assert row(b.monthly, month=1, metric="loss")["mean"] == 0.5
    assert row(b.monthly, month=2, metric="margin")["p50"] == pytest.approx(
        (619.50 - 14.93) / 2)
    # where the company lost money: each month, in one of the two runs
    assert b.losses.to_dicts() == [
        {"month": 1, "runs": 2, "runs_losing": 1, "share_of_runs": 0.5,
         "median_margin": pytest.approx((680 - 20) / 2)},
        {"month": 2, "runs": 2, "runs_losing": 1, "share_of_runs": 0.5,
         "median_margin": pytest.approx((619.50 - 14.93) / 2)},
        {"month": 3, "runs": 2, "runs_losing": 1, "share_of_runs": 0.5,
         "median_margin": pytest.approx((-105 + 215) / 2)},
    ]
    assert b.cost_of_goods == 0.25 and b.runs == (0, 1) and b.n_runs == 2


def test_without_a_loss_nothing_is_flagged():
    rows = [(0, 1, 1, "100.00", "10.00", "0", "0"), (0, 2, 0, "100.00", "10.00", "0", "0")]
    d = people([(0, 0, 1, None, "40.00")])
    b = an.company_books(make(monthly(rows), d, months=2), cost_of_goods=0.5)
    assert b.losses.height == 0
    assert row(b.summary, metric="loss_months")["p95"] == 0
    assert row(b.summary, metric="first_loss_month")["runs"] == 0  # undefined: no loss
    # 200 + 40 − 100 − 20 = 120
    assert row(b.summary, metric="margin")["mean"] == pytest.approx(120.0)


# --------------------------------------------------------------------------------------
# refunds and chargebacks (a core with inventory buy-backs)


def test_refunds_and_chargebacks_in_currency_or_cents():
    # run 0 month 3 refunds 30.00 and charges back 12.00; run 1 month 2 refunds 5.01
    refunds = ["0", "0", "30.00", "0", "5.01", "0"]
    charge = ["0", "0", "12.00", "0", "0", "0"]
    dec = make(monthly(refunds=([D(x) for x in refunds], M),
                       chargebacks=([D(x) for x in charge], M)))
    cents = make(monthly(refunds=([int(D(x) * 100) for x in refunds], pl.Int64),
                         chargebacks=([int(D(x) * 100) for x in charge], pl.Int64)))
    a = an.company_books(dec, 0.25, per_run=True)
    b = an.company_books(cents, 0.25, per_run=True)
    assert a.monthly.equals(b.monthly) and a.summary.equals(b.summary)
    r = row(a.monthly, run=0, month=3)
    assert r["refunds"] == D("30.00") and r["chargebacks"] == D("12.00")
    assert r["margin"] == D("-123.00")  # −105 − 30 + 12
    assert row(a.summary, run=0)["margin"] == D("1176.50")
    assert row(a.summary, run=1)["margin"] == D("175.06")  # 180.07 − 5.01
    assert row(a.summary, run=1)["refunds_share"] == pytest.approx(5.01 / 400.10)


class _PlanCompany:
    """A plan whose ``[company]`` section (a newer core's) says whether starter packages
    carry volume."""

    def __init__(self, plan: dl.Plan, commissionable: bool | None) -> None:
        self._plan, self._c = plan, commissionable

    def to_dict(self) -> dict:
        d = self._plan.to_dict()
        d["company"] = {"cost_of_goods": None, "packages_commissionable": self._c}
        return d

    def __getattr__(self, name: str):
        return getattr(self._plan, name)


def test_starter_packages_without_volume_are_revenue():
    # run 0 month 1 sells 200.00 of starter packages
    m = monthly(packages=([D("200.00"), D(0), D(0), D(0), D(0), D(0)], M))
    res = make(m)
    without = dataclasses.replace(res, plan=_PlanCompany(res.plan, False))
    r = row(an.company_books(without, 0.25, per_run=True).monthly, run=0, month=1)
    # revenue 1000 + 200; cost of goods 25% of it, 300.00; margin 680 + 200 − 50 = 830.00
    assert (r["revenue"], r["cost_of_goods"], r["margin"]) == (
        D("1200.00"), D("300.00"), D("830.00"))
    # packages with volume (the default) are in the volume value already
    for plan in (res.plan, _PlanCompany(res.plan, True), _PlanCompany(res.plan, None)):
        r = row(an.company_books(dataclasses.replace(res, plan=plan), 0.25,
                                 per_run=True).monthly, run=0, month=1)
        assert r["revenue"] == D("1000.00") and r["margin"] == D("680.00")


def test_only_one_of_them_present():
    m = monthly(chargebacks=([D(0), D(0), D("1.00"), D(0), D(0), D(0)], M))
    b = an.company_books(make(m), 0.25, per_run=True)
    assert row(b.monthly, run=0, month=3)["refunds"] == D("0.00")
    assert row(b.monthly, run=0, month=3)["margin"] == D("-104.00")


# --------------------------------------------------------------------------------------
# fees month by month


def renewal_case(fees_of_4: str = "65.00") -> dl.SimulationResult:
    """One run, 14 months, five people (enrollment 40.00, annual 25.00):

    id join quit | annual fee due in       fees
     0    1   -  | 13                      65.00
     1    1  13  | (quits at the start of 13)   40.00
     2    1  14  | 13                      65.00
     3    2  14  | (quits at the start of 14)   40.00
     4    2   -  | 14                      65.00
    so month 1: 3 × 40, month 2: 2 × 40, month 13: 2 × 25, month 14: 1 × 25."""
    rows = [(0, m, {1: 3, 2: 2}.get(m, 0), "100.00", "0", "0", "0") for m in range(1, 15)]
    d = people([(0, 0, 1, None, "65.00"), (0, 1, 1, 13, "40.00"), (0, 2, 1, 14, "65.00"),
                (0, 3, 2, 14, "40.00"), (0, 4, 2, None, fees_of_4)])
    return make(monthly(rows), d, months=14)


def test_annual_fees_fall_due_every_twelve_months_of_membership():
    b = an.company_books(renewal_case(), 0, per_run=True)
    fees = dict(zip(b.monthly["month"].to_list(), b.monthly["fees"].to_list()))
    assert fees[1] == D("120.00") and fees[2] == D("80.00")
    assert fees[13] == D("50.00") and fees[14] == D("25.00")
    assert all(fees[m] == 0 for m in range(3, 13))
    assert row(b.summary, run=0)["fees"] == D("275.00")
    assert "checked against" in b.fees_basis
    # cost of goods 0: the books before it
    assert row(b.summary, run=0)["cost_of_goods"] == D("0.00")


def test_fees_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError, match="other than the enrollment fee"):
        an.company_books(renewal_case(fees_of_4="65.01"), 0.2)


def test_annual_fees_need_the_per_person_rows():
    res = renewal_case()
    none = dataclasses.replace(res, distributors=res.distributors.clear())
    with pytest.raises(ValueError, match="keep_distributors"):
        an.company_books(none, 0.2)
    # within 12 months no annual fee falls due: the monthly table is enough
    short = make(d=people().clear())
    assert row(an.company_books(short, 0.25, per_run=True).summary, run=0)["fees"] == D(
        "120.00")


def test_books_use_the_kept_runs_and_say_so():
    rows = [(r, m, 1 if m == 1 else 0, "100.00", "0", "0", "0")
            for r in (0, 1) for m in range(1, 14)]
    d = people([(0, 0, 1, None, "65.00")])  # run 1's people were not kept
    res = make(monthly(rows), d, months=13)
    with pytest.warns(UserWarning, match="the 1 of 2 runs"):
        b = an.company_books(res, 0.1, per_run=True)
    assert b.runs == (0,) and b.n_runs == 2
    assert b.monthly["run"].unique().to_list() == [0]


# --------------------------------------------------------------------------------------
# the cost of goods is never assumed


class _PlanWithCost:
    """A plan that knows its cost of goods (as a core with ``[company] cost_of_goods``
    would), delegating everything else."""

    def __init__(self, plan: dl.Plan, cost: str) -> None:
        self._plan, self.cost_of_goods = plan, cost

    def __getattr__(self, name: str):
        return getattr(self._plan, name)


def test_cost_of_goods_is_asked_for_not_assumed():
    res = make()
    with pytest.raises(ValueError, match="needs the cost of goods"):
        an.company_books(res)
    with_cost = dataclasses.replace(res, plan=_PlanWithCost(res.plan, "0.25"))
    assert an.company_books(with_cost).summary.equals(an.company_books(res, 0.25).summary)
    # given explicitly, it wins over the plan's
    assert an.company_books(with_cost, 0.5).cost_of_goods == 0.5


@pytest.mark.parametrize("bad", [-0.1, 1.5, "a fifth", float("nan"), float("inf")])
def test_cost_of_goods_must_be_a_share(bad):
    with pytest.raises(ValueError, match="between 0 and 1"):
        an.company_books(make(), bad)


def test_cost_of_goods_is_not_a_boolean():
    with pytest.raises(TypeError):
        an.company_books(make(), True)


def test_exported():
    assert "company_books" in an.__all__ and dl.analytics.company_books is an.company_books


# --------------------------------------------------------------------------------------
# on a real simulation


def test_real_simulation_books_add_up(result):
    """The example unilevel plan (enrollment 50, annual 25), 12 months: revenue is the
    volume value, commissions the payout, fees the people's fees, each run to the cent."""
    b = an.company_books(result, 0.2, per_run=True)
    runs = result.runs.sort("run")
    s = b.summary.sort("run")
    assert s["revenue"].to_list() == runs["volume_value"].to_list()
    assert s["commissions"].to_list() == runs["payout"].to_list()
    fees = result.distributors.group_by("run").agg(pl.col("fees").sum()).sort("run")
    assert s["fees"].to_list() == fees["fees"].to_list()
    monthly_sum = b.monthly.group_by("run").agg(pl.col("margin").sum()).sort("run")
    assert s["margin"].to_list() == monthly_sum["margin"].to_list()
    for r in s.iter_rows(named=True):
        assert r["margin"] == (r["revenue"] + r["fees"] - r["cost_of_goods"]
                               - r["commissions"] - r["host_rewards"])


def test_real_simulation_annual_fees_match_the_people(unilevel_plan, small_scenario):
    """26 months: the annual fee falls due twice for those who stay; the month-by-month
    fees add up to what each run's people paid (the books check it, and so does this)."""
    res = dl.simulate(unilevel_plan, small_scenario, months=26, runs=2, seed=5)
    b = an.company_books(res, 0.2, per_run=True)
    fees = res.distributors.group_by("run").agg(pl.col("fees").sum()).sort("run")
    assert b.summary.sort("run")["fees"].to_list() == fees["fees"].to_list()
    m = b.monthly
    renewals = m.filter(pl.col("month").is_in([13, 25]))["fees"]
    joined = res.monthly.filter(pl.col("month").is_in([13, 25])).sort("run", "month")["joined"]
    # in months 13 and 25, the annual fees come on top of the enrollment fees
    assert all(f > j * 50 for f, j in zip(renewals.to_list(), joined.to_list()))


# --------------------------------------------------------------------------------------
# shown in the CLI summary and the report


def test_cli_summary_shows_the_books(result, capsys):
    cli.print_summary(result, cost_of_goods=0.25)
    out = capsys.readouterr().out
    assert "The company's books (median of the runs; cost of goods 25% of revenue)" in out
    b = an.company_books(result, 0.25)
    margin = row(b.summary, metric="margin")["p50"]
    assert f"{margin:,.0f}" in out.split("The company's books")[1].split("The people")[0]
    cli.print_summary(result)
    out = capsys.readouterr().out
    assert "before the cost of goods: give it with --cost-of-goods S" in out
    assert "stays below" in out


def test_cli_refuses_a_bad_cost_of_goods_before_simulating(capsys, tmp_path):
    from conftest import BASELINE_TOML, UNILEVEL_TOML

    code = cli.main(["simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), "--runs", "1",
                     "--months", "2", "--cost-of-goods", "1.5"])
    assert code == 2
    assert "between 0 and 1" in capsys.readouterr().err


def books_section(res, cost_of_goods=None) -> tuple[str, list[str]]:
    """The report's books section and key finding for ``res``, as HTML."""
    import matplotlib

    matplotlib.use("Agg")
    r = report._Report(res, None, cost_of_goods)
    report._books(r)
    return "".join(r.parts), report._books_finding(r)


def test_report_shows_the_books_and_the_loss_months():
    section, finding = books_section(make(), 0.25)
    assert "Cost of goods: 25% of revenue" in section
    assert "margin the plan leaves the company" in section
    assert "months 1–3 in at least one run" in section
    # the median of the two runs' margins, (1194.50 + 180.07) ÷ 2, and of their margin
    # shares, (1194.50 ÷ 3500 + 180.07 ÷ 400.10) ÷ 2
    assert ">687<" in section and ">39.6%<" in section
    assert section.count('<figure class="fig"') == 2
    assert 'class="note"' not in section
    assert len(finding) == 1 and "less than nothing in months 1–3" in finding[0]
    section, finding = books_section(make())
    assert "The cost of goods was not given" in section
    assert "margin before the cost of goods" in section
    assert "it loses money only if the product costs more than" in finding[0]


def test_report_of_a_real_simulation_has_the_books(result, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    out = report.write_report(result, tmp_path / "r.html", cost_of_goods=0.3)
    html_ = out.read_text(encoding="utf-8")
    assert '<h2 id="books">' in html_
    section = html_.split('<h2 id="books">')[1].split("<h2")[0]
    b = an.company_books(result, 0.3)
    assert report.fmt_share(row(b.summary, metric="margin_share")["p50"]) in section
    with pytest.raises(ValueError, match="between 0 and 1"):
        report.write_report(result, tmp_path / "r2.html", cost_of_goods=2)


def test_cli_report_takes_the_cost_of_goods(tmp_path, capsys):
    from conftest import BASELINE_TOML, UNILEVEL_TOML

    out = tmp_path / "sim"
    assert cli.main(["simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), "--runs", "2",
                     "--months", "6", "--out", str(out), "--cost-of-goods", "0.3"]) == 0
    assert "cost of goods 30% of revenue" in capsys.readouterr().out
    html = tmp_path / "r.html"
    assert cli.main(["report", str(out), "--html", str(html), "--cost-of-goods", "0.3"]) == 0
    section = html.read_text(encoding="utf-8").split('<h2 id="books">')[1].split("<h2")[0]
    assert "Cost of goods: 30% of revenue" in section
    assert cli.main(["report", str(out), "--html", str(html), "--cost-of-goods", "-1"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err
