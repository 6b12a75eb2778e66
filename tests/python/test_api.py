"""The Python API contract of downline: loading plans and scenarios, the simulation tables
and their invariants, determinism, common random numbers, compute_commissions, progress."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import downline as dl
import polars as pl
import pytest
from conftest import (
    BASELINE_TOML,
    CAPPED_PLAN,
    MONTHS,
    REFERENCE_PLAN_TOML,
    REFERENCE_SCENARIO_TOML,
    RUNS,
    SEED,
    UNILEVEL_TOML,
    is_money,
)

TABLES = ("monthly", "bonuses", "ranks", "runs", "distributors")

# --------------------------------------------------------------------------------------
# 1. Loading plans and scenarios; properties
# --------------------------------------------------------------------------------------


def test_public_names():
    for name in ("Plan", "Scenario", "SimulationResult", "simulate", "compute_commissions",
                 "PlanError", "ScenarioError", "InputError", "__version__"):
        assert hasattr(dl, name), name
    assert isinstance(dl.__version__, str) and dl.__version__


def test_plan_load_toml_properties(unilevel_plan):
    p = unilevel_plan
    assert isinstance(p, dl.Plan)
    assert p.name == "Example unilevel with ranks"
    assert p.currency == "USD"
    assert p.ranks == ["Distributor", "Builder", "Manager", "Director"]
    assert p.bonuses == [
        ("retail", "retail", False),
        ("unilevel", "unilevel", True),
        ("fast_start", "fast_start", True),
        ("rank_advancement", "rank_advancement", True),
    ]
    assert p.source == str(UNILEVEL_TOML)
    assert "Example unilevel with ranks" in repr(p)


def test_plan_load_accepts_str_and_path(unilevel_plan):
    a = dl.Plan.load(str(UNILEVEL_TOML))
    b = dl.Plan.load(UNILEVEL_TOML)
    assert a.to_dict() == b.to_dict() == unilevel_plan.to_dict()


def test_plan_defaults_when_file_is_silent():
    p = dl.Plan.from_dict({})
    assert p.name == "plan"
    assert p.currency == "USD"
    assert p.ranks == ["Distributor"]
    assert p.bonuses == []


def test_plan_from_toml_matches_load(unilevel_plan):
    p = dl.Plan.from_toml(UNILEVEL_TOML.read_text())
    assert p.to_dict() == unilevel_plan.to_dict()
    assert p.source is None


def test_plan_from_dict_matches_load(unilevel_plan):
    p = dl.Plan.from_dict(unilevel_plan.to_dict())
    assert p.to_dict() == unilevel_plan.to_dict()
    assert p.bonuses == unilevel_plan.bonuses
    assert p.ranks == unilevel_plan.ranks


def test_plan_from_dict_accepts_decimals_numbers_and_strings():
    a = dl.Plan.from_dict({"bonus": [{"kind": "unilevel", "levels": [Decimal("0.05"), 0.05, "0.05"]}]})
    assert a.to_dict()["bonus"][0]["levels"] == ["0.05", "0.05", "0.05"]


def test_plan_custom_bonus_names_and_kinds():
    p = dl.Plan.from_dict({
        "name": "named", "currency": "EUR",
        "ranks": [{"name": "A"}, {"name": "B", "pv": "50"}],
        "bonus": [
            {"kind": "unilevel", "name": "levels", "levels": ["0.1"]},
            {"kind": "retail", "name": "shop", "markup": "0.3"},
        ],
    })
    assert p.name == "named" and p.currency == "EUR"
    assert p.ranks == ["A", "B"]
    assert p.bonuses == [("levels", "unilevel", True), ("shop", "retail", False)]


def test_plan_json_file_round_trip_same_results(tmp_path, unilevel_plan, small_scenario, result):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(unilevel_plan.to_dict()))
    p = dl.Plan.load(path)
    assert p.to_dict() == unilevel_plan.to_dict()
    assert (p.name, p.currency, p.ranks, p.bonuses) == (
        unilevel_plan.name, unilevel_plan.currency, unilevel_plan.ranks, unilevel_plan.bonuses)
    r = dl.simulate(p, small_scenario, months=MONTHS, runs=RUNS, seed=SEED)
    for t in TABLES:
        assert getattr(r, t).equals(getattr(result, t)), t


def test_plan_json_extension_is_case_insensitive(tmp_path, unilevel_plan):
    path = tmp_path / "PLAN.JSON"
    path.write_text(json.dumps(unilevel_plan.to_dict()))
    assert dl.Plan.load(path).to_dict() == unilevel_plan.to_dict()


def test_reference_plan_and_scenario_load():
    p = dl.Plan.load(REFERENCE_PLAN_TOML)
    assert p.name == "reference unilevel"
    assert p.bonuses == [("unilevel", "unilevel", True)]
    s = dl.Scenario.load(REFERENCE_SCENARIO_TOML)
    assert s.founders == 100_000
    assert s.to_dict()["name"] == "reference"


def test_scenario_load_toml():
    s = dl.Scenario.load(BASELINE_TOML)
    assert isinstance(s, dl.Scenario)
    assert s.founders == 20
    d = s.to_dict()
    assert d["name"] == "baseline"
    assert d["market"]["size"] == 50_000
    assert d["recruitment"]["heterogeneity"] == 0.25
    assert d["attrition"]["monthly_quit"][0] == 0.20
    assert s.source == str(BASELINE_TOML)
    assert "baseline" in repr(s)


def test_scenario_from_toml_and_from_dict_agree():
    a = dl.Scenario.from_toml(BASELINE_TOML.read_text())
    b = dl.Scenario.load(BASELINE_TOML)
    c = dl.Scenario.from_dict(b.to_dict())
    assert a.to_dict() == b.to_dict() == c.to_dict()


def test_scenario_defaults():
    s = dl.Scenario.from_dict({})
    assert s.founders == 10
    s = dl.Scenario.from_toml("")
    assert s.founders == 10


def test_scenario_json_file_round_trip(tmp_path, small_scenario, unilevel_plan, result):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(small_scenario.to_dict()))
    s = dl.Scenario.load(path)
    assert s.to_dict() == small_scenario.to_dict()
    assert s.founders == 50
    r = dl.simulate(unilevel_plan, s, months=MONTHS, runs=RUNS, seed=SEED)
    assert r.monthly.equals(result.monthly)
    assert r.distributors.equals(result.distributors)


# --------------------------------------------------------------------------------------
# 1. The simulation tables
# --------------------------------------------------------------------------------------


def test_result_metadata(result, unilevel_plan, small_scenario):
    assert isinstance(result, dl.SimulationResult)
    assert result.months == MONTHS and result.n_runs == RUNS and result.seed == SEED
    assert result.plan is unilevel_plan and result.scenario is small_scenario
    for t in TABLES:
        assert isinstance(getattr(result, t), pl.DataFrame), t
    assert "3 runs" in repr(result)


def test_monthly_table_shape(any_result):
    m = any_result.monthly
    for c in ("run", "month", "active", "joined", "quit", "volume", "payout", "payout_ratio",
              "qualified", "retail_volume", "volume_value", "payout_before_cap", "retail_profit"):
        assert c in m.columns, c
    assert m.height == RUNS * MONTHS
    keys = m.select("run", "month")
    assert keys.n_unique() == m.height
    assert sorted(m["run"].unique().to_list()) == list(range(RUNS))
    assert sorted(m["month"].unique().to_list()) == list(range(1, MONTHS + 1))
    assert m["payout_ratio"].dtype == pl.Float64
    assert m.null_count().sum_horizontal().item() == 0


def test_money_columns_are_decimal_scale_2(any_result):
    r = any_result
    for c in ("volume", "retail_volume", "volume_value", "payout", "payout_before_cap",
              "retail_profit"):
        assert is_money(r.monthly.schema[c]), (c, r.monthly.schema[c])
    for c in ("earnings", "retail_profit", "fees", "purchases", "expenses"):
        assert is_money(r.distributors.schema[c]), (c, r.distributors.schema[c])
    assert is_money(r.bonuses.schema["amount"])
    for c in ("volume_value", "payout", "capped", "retail_profit"):
        assert is_money(r.runs.schema[c]), c


def test_distributors_table_shape(any_result):
    d = any_result.distributors
    for c in ("run", "id", "sponsor", "join_month", "quit_month", "recruits", "max_rank",
              "earnings", "retail_profit", "fees", "purchases", "expenses"):
        assert c in d.columns, c
    assert d.select("run", "id").n_unique() == d.height
    assert sorted(d["run"].unique().to_list()) == list(range(RUNS))
    # founders: no sponsor, joined in month 1, one per founder per run
    founders = d.filter(pl.col("sponsor").is_null())
    assert founders.group_by("run").len()["len"].to_list() == [50] * RUNS
    assert (founders["join_month"] == 1).all()
    # recruits have a sponsor in the same run who joined no later
    rec = d.filter(pl.col("sponsor").is_not_null()).join(
        d.select("run", pl.col("id").alias("sponsor"), pl.col("join_month").alias("sj")),
        on=["run", "sponsor"], how="left")
    assert rec["sj"].null_count() == 0
    assert (rec["sj"] <= rec["join_month"]).all()
    assert d["join_month"].is_between(1, MONTHS).all()
    q = d.filter(pl.col("quit_month").is_not_null())
    assert q.height > 0
    assert (q["quit_month"] > q["join_month"]).all()
    assert (q["quit_month"] <= MONTHS).all()


def test_max_rank_names_plan_ranks(result, unilevel_plan):
    mr = result.distributors["max_rank"].drop_nulls().unique().to_list()
    assert set(mr) <= set(unilevel_plan.ranks)


def test_still_in_matches_active_at_end(any_result):
    r = any_result
    still = r.distributors.filter(pl.col("quit_month").is_null()).group_by("run").len().sort("run")
    last = r.monthly.filter(pl.col("month") == MONTHS).sort("run")
    assert still["len"].to_list() == last["active"].to_list()
    assert r.runs.sort("run")["active_end"].to_list() == last["active"].to_list()


def test_summary(any_result):
    s = any_result.summary()
    assert s.columns == ["metric", "mean", "p05", "p50", "p95"]
    assert s["metric"].to_list() == [
        "payout_ratio", "volume_value", "payout", "capped", "retail_profit", "host_rewards",
        "ever_joined", "active_end", "mean_earnings", "median_earnings", "share_earning_nothing",
        "share_net_loss", "top1_share"]
    for c in ("mean", "p05", "p50", "p95"):
        assert s[c].dtype == pl.Float64
        assert s[c].null_count() == 0
    assert (s["p05"] <= s["p50"]).all() and (s["p50"] <= s["p95"]).all()


def test_runs_table(any_result):
    r = any_result
    runs = r.runs.sort("run")
    assert runs["run"].to_list() == list(range(RUNS))
    per_run = r.monthly.group_by("run").agg(
        pl.col("payout").sum(), pl.col("volume_value").sum(), pl.col("joined").sum(),
        (pl.col("payout_before_cap") - pl.col("payout")).sum().alias("capped"),
    ).sort("run")
    assert runs["payout"].to_list() == per_run["payout"].to_list()
    assert runs["volume_value"].to_list() == per_run["volume_value"].to_list()
    assert runs["capped"].to_list() == per_run["capped"].to_list()
    assert runs["ever_joined"].to_list() == per_run["joined"].to_list()


# --------------------------------------------------------------------------------------
# 2. Invariants
# --------------------------------------------------------------------------------------


def test_active_stock_flow(any_result):
    m = any_result.monthly.sort("run", "month").with_columns(
        prev=pl.col("active").cast(pl.Int64).shift(1, fill_value=0).over("run"))
    lhs = m["active"].cast(pl.Int64)
    rhs = m["prev"] + m["joined"].cast(pl.Int64) - m["quit"].cast(pl.Int64)
    assert (lhs == rhs).all()
    first = m.filter(pl.col("month") == 1)
    assert (first["quit"] == 0).all()
    assert (first["joined"] == 50).all()


def test_joined_sums_to_distributor_rows(any_result):
    r = any_result
    joined = r.monthly.group_by("run").agg(pl.col("joined").sum().cast(pl.Int64)).sort("run")
    rows = r.distributors.group_by("run").len().sort("run")
    assert joined["joined"].to_list() == rows["len"].cast(pl.Int64).to_list()


def test_joined_and_quit_per_month_match_distributors(any_result):
    r = any_result
    j = r.distributors.group_by("run", pl.col("join_month").alias("month")).len("j")
    q = r.distributors.filter(pl.col("quit_month").is_not_null()).group_by(
        "run", pl.col("quit_month").alias("month")).len("q")
    m = (r.monthly.join(j, on=["run", "month"], how="left")
         .join(q, on=["run", "month"], how="left").fill_null(0))
    assert (m["joined"].cast(pl.Int64) == m["j"].cast(pl.Int64)).all()
    assert (m["quit"].cast(pl.Int64) == m["q"].cast(pl.Int64)).all()


def test_cap_binds_and_holds(capped_result):
    m = capped_result.monthly
    cap = Decimal(CAPPED_PLAN["cap"]["max_payout_ratio"])
    for row in m.iter_rows(named=True):
        assert row["payout"] <= cap * row["volume_value"], row
        assert row["payout"] <= row["payout_before_cap"], row
    assert (m["payout_before_cap"] > m["payout"]).any(), "the cap never bound"
    assert (capped_result.runs["capped"] > 0).any()


def test_example_plan_cap_holds(result):
    for row in result.monthly.iter_rows(named=True):
        assert row["payout"] <= Decimal("0.45") * row["volume_value"], row


def test_bonus_table_sums_equal_monthly_payout(any_result):
    r = any_result
    b = r.bonuses
    assert {"run", "month", "bonus", "paid_by_company", "paid_to", "amount"} <= set(b.columns)
    # no party plan here: every bonus is paid to distributors (host rewards are the exception)
    assert b["paid_to"].unique().to_list() == ["distributor"]
    # one row per (run, month, bonus)
    assert b.height == RUNS * MONTHS * len(r.plan.bonuses)
    assert b.select("run", "month", "bonus").n_unique() == b.height
    kinds = {name: company for name, _, company in r.plan.bonuses}
    for name, company in b.select("bonus", "paid_by_company").unique().iter_rows():
        assert kinds[name] == company
    paid = b.filter(pl.col("paid_by_company")).group_by("run", "month").agg(
        pl.col("amount").sum().alias("bonus_sum"))
    m = r.monthly.join(paid, on=["run", "month"], how="left")
    for row in m.iter_rows(named=True):
        assert Decimal(row["bonus_sum"]) == Decimal(row["payout"]), row
    # the retail bonus is paid by customers: it is the retail profit
    retail = b.filter(~pl.col("paid_by_company")).group_by("run", "month").agg(
        pl.col("amount").sum().alias("retail_sum"))
    m = r.monthly.join(retail, on=["run", "month"], how="left")
    for row in m.iter_rows(named=True):
        assert Decimal(row["retail_sum"]) == Decimal(row["retail_profit"]), row


def test_earnings_sum_equals_payout(any_result):
    r = any_result
    e = r.distributors.group_by("run").agg(pl.col("earnings").sum()).sort("run")
    p = r.monthly.group_by("run").agg(pl.col("payout").sum()).sort("run")
    assert [Decimal(x) for x in e["earnings"]] == [Decimal(x) for x in p["payout"]]
    assert all(x > 0 for x in p["payout"])
    rp = r.distributors.group_by("run").agg(pl.col("retail_profit").sum()).sort("run")
    mp = r.monthly.group_by("run").agg(pl.col("retail_profit").sum()).sort("run")
    assert rp["retail_profit"].to_list() == mp["retail_profit"].to_list()


def test_recruits_counts_sponsored_rows(any_result):
    d = any_result.distributors
    counts = d.filter(pl.col("sponsor").is_not_null()).group_by(
        "run", pl.col("sponsor").alias("id")).len("n")
    j = d.join(counts, on=["run", "id"], how="left").with_columns(pl.col("n").fill_null(0))
    assert (j["recruits"].cast(pl.Int64) == j["n"].cast(pl.Int64)).all()
    assert (d["recruits"] > 0).any()


def test_ranks_table_counts(result, unilevel_plan):
    rk = result.ranks
    assert rk.height == RUNS * MONTHS * len(unilevel_plan.ranks)
    assert set(rk["rank"].unique().to_list()) == set(unilevel_plan.ranks)
    per = rk.group_by("run", "month").agg(pl.col("count").sum().cast(pl.Int64))
    m = result.monthly.join(per, on=["run", "month"])
    # at most everyone participating is paid as some rank
    assert (m["count"] <= m["active"].cast(pl.Int64)).all()


# --------------------------------------------------------------------------------------
# 3. Determinism
# --------------------------------------------------------------------------------------


def _all_equal(a: dl.SimulationResult, b: dl.SimulationResult) -> bool:
    return all(getattr(a, t).equals(getattr(b, t)) for t in TABLES)


def test_same_seed_same_tables(unilevel_plan, small_scenario, result):
    again = dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED)
    assert _all_equal(again, result)
    assert again.summary().equals(result.summary())


def test_threads_do_not_change_results(unilevel_plan, small_scenario, result):
    one = dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED,
                      threads=1)
    two = dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED,
                      threads=2)
    assert _all_equal(one, two)
    assert _all_equal(one, result)


def test_different_seed_different_tables(unilevel_plan, small_scenario, result):
    other = dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED + 1)
    assert not other.monthly.equals(result.monthly)
    assert not other.distributors.equals(result.distributors)


def test_runs_are_a_prefix(unilevel_plan, small_scenario, result):
    """Run k does not depend on how many runs are simulated."""
    two = dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=2, seed=SEED)
    assert two.monthly.equals(result.monthly.filter(pl.col("run") < 2))
    assert two.distributors.equals(result.distributors.filter(pl.col("run") < 2))


def test_keep_distributors_false(unilevel_plan, small_scenario, result):
    r = dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED,
                    keep_distributors=False)
    assert r.distributors.height == 0
    assert r.distributors.columns == result.distributors.columns
    for t in ("monthly", "bonuses", "ranks", "runs"):
        assert getattr(r, t).equals(getattr(result, t)), t


def test_keep_distributors_two(unilevel_plan, small_scenario, result):
    r = dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED,
                    keep_distributors=2)
    assert sorted(r.distributors["run"].unique().to_list()) == [0, 1]
    assert r.distributors.equals(result.distributors.filter(pl.col("run") < 2))
    for t in ("monthly", "bonuses", "ranks", "runs"):
        assert getattr(r, t).equals(getattr(result, t)), t


def test_keep_distributors_true_and_more_than_runs(unilevel_plan, small_scenario, result):
    r = dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED,
                    keep_distributors=10)
    assert r.distributors.equals(result.distributors)
    r = dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED,
                    keep_distributors=True)
    assert r.distributors.equals(result.distributors)


# --------------------------------------------------------------------------------------
# 4. Common random numbers
# --------------------------------------------------------------------------------------

PEOPLE = ["run", "id", "sponsor", "join_month", "quit_month", "recruits", "purchases"]
FLOWS = ["run", "month", "active", "joined", "quit"]


def _variant(base: dict, **changes) -> dl.Plan:
    d = copy.deepcopy(base)
    for path, value in changes.items():
        node = d
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        last = keys[-1]
        node[int(last) if last.isdigit() else last] = value
    return dl.Plan.from_dict(d)


@pytest.mark.parametrize("changes, money_differs", [
    ({"bonus__1__levels": ["0.20", "0.10", "0.05"], "bonus__2__rate": "0.50"}, True),
    ({"bonus__1__rates__Builder": ["0.30", "0.01"]}, True),
    ({"cap": {"max_payout_ratio": "0.05"}}, True),
    ({"cap": None}, False),
], ids=["rates", "rank-rates", "low-cap", "no-cap"])
def test_common_random_numbers(unilevel_plan, small_scenario, result, changes, money_differs):
    other = _variant(unilevel_plan.to_dict(), **changes)
    r = dl.simulate(other, small_scenario, months=MONTHS, runs=RUNS, seed=SEED)
    assert r.distributors.select(PEOPLE).equals(result.distributors.select(PEOPLE))
    assert r.monthly.select(FLOWS).equals(result.monthly.select(FLOWS))
    assert r.monthly["volume"].equals(result.monthly["volume"])
    # ... but the money differs
    if money_differs:
        assert not r.monthly["payout"].equals(result.monthly["payout"])


def test_common_random_numbers_capped_plan(capped_plan, small_scenario, capped_result):
    uncapped = dict(copy.deepcopy(CAPPED_PLAN), cap=None)
    r = dl.simulate(dl.Plan.from_dict(uncapped), small_scenario, months=MONTHS, runs=RUNS,
                    seed=SEED)
    assert r.distributors.select(PEOPLE).equals(capped_result.distributors.select(PEOPLE))
    assert r.monthly.select(FLOWS).equals(capped_result.monthly.select(FLOWS))
    # without the cap, the company pays what the capped plan paid before its cap
    assert r.monthly["payout"].equals(capped_result.monthly["payout_before_cap"])


# --------------------------------------------------------------------------------------
# 5. compute_commissions
# --------------------------------------------------------------------------------------

LEVELS_PLAN = {"bonus": [{"kind": "unilevel", "levels": ["0.10", "0.05"]}]}
TREE = pl.DataFrame({"id": [1, 2, 3, 4], "sponsor": [None, 1, 1, 2], "join_month": [1, 1, 1, 1]})
#: The ledger's columns; the tests compare rows without ``paid_to`` ("distributor" for
#: every bonus but host rewards, tested in test_party.py).
LEDGER_COLUMNS = ["month", "id", "bonus", "paid_by_company", "paid_to", "amount"]
OUT_COLUMNS = ["month", "id", "bonus", "paid_by_company", "amount"]


@pytest.fixture(scope="module")
def levels_plan() -> dl.Plan:
    return dl.Plan.from_dict(LEVELS_PLAN)


def _vol(pv, **extra) -> pl.DataFrame:
    return pl.DataFrame({"id": [1, 2, 3, 4], "month": [1, 1, 1, 1], "pv": pv, **extra})


def _rows(df: pl.DataFrame) -> list[tuple]:
    return [tuple(r) for r in df.select(OUT_COLUMNS).iter_rows()]


@pytest.mark.parametrize("pv", [
    pl.Series([100, 100, 100, 100], dtype=pl.Int64),
    pl.Series([100, 100, 100, 100], dtype=pl.Int32),
    pl.Series([100.0, 100.0, 100.0, 100.0], dtype=pl.Float64),
    pl.Series(["100", "100.00", " 100", "100.0"], dtype=pl.String),
    pl.Series([Decimal("100.00")] * 4, dtype=pl.Decimal(18, 2)),
], ids=["int64", "int32", "float", "string", "decimal"])
def test_compute_commissions_hand_checked(levels_plan, pv):
    out = dl.compute_commissions(levels_plan, TREE, _vol(pv))
    assert out.columns == LEDGER_COLUMNS
    assert out["paid_to"].to_list() == ["distributor"] * 2
    assert is_money(out.schema["amount"])
    assert _rows(out) == [
        (1, 1, "unilevel", True, Decimal("25.00")),
        (1, 2, "unilevel", True, Decimal("10.00")),
    ]


def test_compute_commissions_cents(levels_plan):
    out = dl.compute_commissions(levels_plan, TREE, _vol([12.34, 55.55, 0.01, 77.7]))
    # 1: 10% x (55.55 + 0.01) + 5% x 77.70 = 5.556 + 3.885 = 9.441 -> 9.44
    # 2: 10% x 77.70 = 7.77
    amounts = {i: a for _, i, _, _, a in _rows(out)}
    assert amounts == {1: Decimal("9.44"), 2: Decimal("7.77")}


def test_compute_commissions_retail_column(levels_plan):
    plan = dl.Plan.from_dict({"bonus": [{"kind": "retail", "markup": "0.25"}, *LEVELS_PLAN["bonus"]]})
    vol = _vol([100, 100, 100, 100], retail=[0, 40, 0, 0])
    out = dl.compute_commissions(plan, TREE, vol)
    assert _rows(out) == [
        (1, 1, "unilevel", True, Decimal("25.00")),
        (1, 2, "retail", False, Decimal("10.00")),
        (1, 2, "unilevel", True, Decimal("10.00")),
    ]
    # retail is part of pv: the unilevel pays on the whole pv, with or without the column
    no_retail = dl.compute_commissions(plan, TREE, _vol([100, 100, 100, 100]))
    assert _rows(no_retail) == [r for r in _rows(out) if r[2] != "retail"]
    # retail volume given as strings works too
    out_s = dl.compute_commissions(plan, TREE, _vol(["100"] * 4, retail=["0", "40.00", "0", "0"]))
    assert _rows(out_s) == _rows(out)


def test_compute_commissions_months_and_quit(levels_plan):
    tree = TREE.with_columns(quit_month=pl.Series([None, None, 2, None], dtype=pl.Int64))
    vol = pl.DataFrame({"id": [1, 2, 3, 4, 1, 2, 4], "month": [1, 1, 1, 1, 2, 2, 2],
                        "pv": [100] * 7})
    out = dl.compute_commissions(levels_plan, tree, vol)
    assert _rows(out) == [
        (1, 1, "unilevel", True, Decimal("25.00")),
        (1, 2, "unilevel", True, Decimal("10.00")),
        (2, 1, "unilevel", True, Decimal("15.00")),
        (2, 2, "unilevel", True, Decimal("10.00")),
    ]


def test_compute_commissions_cap_applies(levels_plan):
    plan = dl.Plan.from_dict({**LEVELS_PLAN, "cap": {"max_payout_ratio": "0.05"}})
    out = dl.compute_commissions(plan, TREE, _vol([100, 100, 100, 100]))
    total = sum(a for *_, a in _rows(out))
    assert total <= Decimal("20.00")
    assert total > Decimal("19.90")


def test_compute_commissions_order_and_zero_lines(levels_plan):
    vol = _vol([0, 100, 0, 0])  # only 2 buys: 1 earns 10% of it; nobody else earns
    out = dl.compute_commissions(levels_plan, TREE, vol)
    assert _rows(out) == [(1, 1, "unilevel", True, Decimal("10.00"))]


@pytest.mark.parametrize("tree, vol, needle", [
    (TREE.drop("sponsor"), _vol([100] * 4), "sponsor"),
    (TREE.drop("join_month"), _vol([100] * 4), "join_month"),
    (TREE, _vol([100] * 4).drop("pv"), "pv"),
    (TREE, _vol([100] * 4).drop("month"), "month"),
    (TREE.with_columns(sponsor=pl.Series([None, 9, 1, 2], dtype=pl.Int64)), _vol([100] * 4),
     "sponsor 9"),
    (TREE.with_columns(join_month=pl.Series([1, 1, 1, 2])), _vol([100] * 4),
     "id 4 has volume in month 1"),
    (TREE, _vol([100] * 4, retail=[0, 150, 0, 0]), "retail 150"),
    (TREE, _vol([100] * 4, retail=[0, 60, 0, 0], preferred=[0, 50, 0, 0]),
     "retail 60.00 + preferred 50.00 is more than pv 100.00"),
    (TREE, _vol([100] * 4, preferred=["0", "x", "0", "0"]), 'preferred "x" is not a number'),
    (TREE, _vol([100] * 4, preferred=[0, -5, 0, 0]), "negative"),
    (TREE, _vol([100] * 4, preferred=[0, None, 0, 0]), "'preferred' has missing values"),
    (TREE, _vol(["100.001", "100", "100", "100"]), "more than 2 decimal places"),
    (TREE, _vol([100.125, 100.0, 100.0, 100.0]), "more than 2 decimal places"),
    (TREE, _vol(["abc", "100", "100", "100"]), "not a number"),
    (TREE, _vol([-1, 100, 100, 100]), "negative"),
    (TREE, _vol([None, 100, 100, 100]), "missing"),
    (TREE, _vol([True] * 4), "pv"),
    (TREE, _vol([100] * 4).with_columns(id=pl.Series([1, 2, 3, 9])), "id 9 is not in the tree"),
    (pl.concat([TREE, TREE]), _vol([100] * 4), "more than once"),
    (TREE, pl.concat([_vol([100] * 4), _vol([100] * 4)]), "more than one row"),
    (TREE.with_columns(quit_month=pl.Series([None, 1, None, None], dtype=pl.Int64)),
     _vol([100] * 4), "quit_month 1"),
    (TREE.with_columns(sponsor=pl.Series([2, 1, 1, 2], dtype=pl.Int64)), _vol([100] * 4),
     "cycle"),
    (TREE.with_columns(id=pl.Series(["a", "b", "c", "d"])), _vol([100] * 4), "whole numbers"),
], ids=["no-sponsor", "no-join_month", "no-pv", "no-month", "unknown-sponsor",
        "volume-before-join", "retail-above-pv", "retail-and-preferred-above-pv",
        "preferred-not-number", "preferred-negative", "preferred-missing",
        "pv-3-decimals", "pv-float-3-decimals",
        "pv-not-number", "pv-negative", "pv-missing", "pv-bool", "volume-unknown-id",
        "duplicate-id", "duplicate-volume", "quit-before-join", "cycle", "id-not-int"])
def test_compute_commissions_input_errors(levels_plan, tree, vol, needle):
    with pytest.raises(dl.InputError) as ei:
        dl.compute_commissions(levels_plan, tree, vol)
    msg = str(ei.value)
    assert needle in msg, msg
    assert isinstance(ei.value, ValueError)


def test_compute_commissions_needs_dataframes(levels_plan):
    with pytest.raises(dl.InputError, match="polars DataFrame"):
        dl.compute_commissions(levels_plan, {"id": [1]}, _vol([100] * 4))


def test_compute_commissions_matches_simulation_style_sums(levels_plan):
    """A wider tree: the total paid equals the sum of level rates over each buyer's
    ancestors (no cap, no compression, no ranks)."""
    ids = list(range(1, 31))
    sponsors = [None] + [(i - 2) // 2 + 1 for i in ids[1:]]  # binary tree
    tree = pl.DataFrame({"id": ids, "sponsor": sponsors, "join_month": [1] * 30})
    vol = pl.DataFrame({"id": ids, "month": [1] * 30, "pv": [str(10 + i) for i in ids]})
    out = dl.compute_commissions(levels_plan, tree, vol)
    parent = dict(zip(ids, sponsors))
    expect: dict[int, Decimal] = {}
    for i in ids:
        pv = Decimal(10 + i)
        p = parent[i]
        for rate in (Decimal("0.10"), Decimal("0.05")):
            if p is None:
                break
            expect[p] = expect.get(p, Decimal(0)) + rate * pv
            p = parent[p]
    got = {i: a for _, i, _, _, a in _rows(out)}
    assert got == {k: v.quantize(Decimal("0.01")) for k, v in expect.items()}


# --------------------------------------------------------------------------------------
# 8. Progress
# --------------------------------------------------------------------------------------


def test_progress_callback(unilevel_plan, small_scenario, result):
    calls: list[tuple[int, int]] = []
    r = dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED,
                    progress=lambda done, total: calls.append((done, total)))
    assert calls, "the callback was never called"
    total = MONTHS * RUNS
    assert calls[-1] == (total, total)
    assert all(t == total for _, t in calls)
    dones = [d for d, _ in calls]
    assert dones == sorted(dones)
    assert all(0 <= d <= total for d in dones)
    assert r.monthly.equals(result.monthly)


def test_progress_false_and_none(unilevel_plan, small_scenario, result):
    for p in (False, None):
        r = dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED,
                        progress=p)
        assert r.monthly.equals(result.monthly)


def test_progress_callback_error_propagates(unilevel_plan, small_scenario):
    def boom(done, total):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        dl.simulate(unilevel_plan, small_scenario, months=3, runs=1, seed=1, progress=boom)


# --------------------------------------------------------------------------------------
# write_parquet
# --------------------------------------------------------------------------------------


def test_write_parquet_round_trip(tmp_path, result):
    paths = result.write_parquet(tmp_path / "out")
    assert [p.name for p in paths] == [f"{t}.parquet" for t in TABLES]
    for t in TABLES:
        back = pl.read_parquet(tmp_path / "out" / f"{t}.parquet")
        assert back.equals(getattr(result, t)), t
    leftovers = [n for n in (tmp_path / "out").iterdir() if n.name.endswith(".part")]
    assert leftovers == []


def test_compute_commissions_fast_start_and_rank_advancement():
    # 1 founder; 2 joins in month 1, 3 in month 2, both under 1. Active needs 50 PV.
    tree = pl.DataFrame({"id": [1, 2, 3], "sponsor": [None, 1, 1], "join_month": [1, 1, 2]})
    vol = pl.DataFrame({"id": [1, 2, 1, 2, 3, 1, 2, 3, 1, 3],
                        "month": [1, 1, 2, 2, 2, 3, 3, 3, 4, 4],
                        "pv": [100, 100, 100, 100, 100, 10, 100, 100, 100, 100]})
    fs = dl.Plan.from_dict({"active": {"min_pv": "50"},
                            "bonus": [{"kind": "fast_start", "rate": "0.2", "months": 2}]})
    # month 1: 20% of 2's 100; month 2: 20% of 2's and 3's; month 3: 1 is not active
    # (10 PV), so nothing; month 4: 3's third month is past the fast start.
    assert _rows(dl.compute_commissions(fs, tree, vol)) == [
        (1, 1, "fast_start", True, Decimal("20.00")),
        (2, 1, "fast_start", True, Decimal("40.00")),
    ]
    ra = dl.Plan.from_dict({"ranks": [{"name": "D"}, {"name": "B", "pv": "100", "active_legs": 2}],
                            "bonus": [{"kind": "rank_advancement", "amounts": {"B": "50"}}]})
    # 1 first has two active legs in month 2, and is paid once
    assert _rows(dl.compute_commissions(ra, tree, vol)) == [
        (2, 1, "rank_advancement", True, Decimal("50.00")),
    ]


def test_compute_commissions_empty_input(levels_plan):
    tree = pl.DataFrame(schema={"id": pl.Int64, "sponsor": pl.Int64, "join_month": pl.Int64})
    vol = pl.DataFrame(schema={"id": pl.Int64, "month": pl.Int64, "pv": pl.Float64})
    out = dl.compute_commissions(levels_plan, tree, vol)
    assert out.height == 0
    assert out.columns == LEDGER_COLUMNS
    assert is_money(out.schema["amount"])
