"""A fuzz target of our own (issue 11): property-based tests of the Python entry points.

Generated and mutated plans and scenarios (dicts and TOML text), generated downlines and
volumes. The only allowed outcomes are a result or a downline error (``PlanError``,
``ScenarioError``, ``InputError``): never another exception, never a crash. Where a result
comes back, money must hold: amounts are decimals with two places, and the lines add up —
exactly to a unilevel worked out independently here, and to the payout of a simulation.

Profiles (``HYPOTHESIS_PROFILE``): ``ci`` (the default; well under a minute, run by
``make test``) and ``fuzz`` (``make fuzz``; several minutes). A failure prints the input;
add it to ``test_hostile_inputs.py`` once understood.
"""

from __future__ import annotations

import copy
import os
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import downline as dl
import polars as pl
import pytest
from conftest import CAPPED_PLAN, EXAMPLES, SMALL_SCENARIO, is_money
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

settings.register_profile(
    "ci", max_examples=200, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "fuzz", max_examples=4000, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DOWNLINE_ERRORS = (dl.PlanError, dl.ScenarioError, dl.InputError)
CENT = Decimal("0.01")

PLAN_FILES = sorted((EXAMPLES / "plans").glob("*.toml"))
SCENARIO_FILES = sorted((EXAMPLES / "scenarios").glob("*.toml"))
PLAN_SEEDS = [dl.Plan.load(p).to_dict() for p in PLAN_FILES] + [CAPPED_PLAN]
SCENARIO_SEEDS = [dl.Scenario.load(p).to_dict() for p in SCENARIO_FILES] + [SMALL_SCENARIO]


def _keys(value: Any, into: set[str]) -> set[str]:
    if isinstance(value, dict):
        into.update(value)
        for v in value.values():
            _keys(v, into)
    elif isinstance(value, list):
        for v in value:
            _keys(v, into)
    return into


#: Field names the files use, so that mutations often hit a real field.
PLAN_KEYS = sorted(_keys(PLAN_SEEDS, set()))
SCENARIO_KEYS = sorted(_keys(SCENARIO_SEEDS, set()))

#: Text that parsers of numbers trip on.
NUMBERY = ["0", "-0", "0.05", "1", "1.5", "-1", "100", "1e5", "1e400", "1e-300", "NaN", "inf",
           "-inf", "92233720368547758.07", "92233720368547758.08", "0.001", "", " 1", "1_000",
           "0x10", "\u0661", "1,5", "+1", ".5", "5.", "1e", "--1", "0." + "0" * 40 + "1"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(), st.decimals(), st.sampled_from(NUMBERY), st.text(max_size=12),
)


def values(keys: list[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), inner, max_size=4),
        max_leaves=8,
    )


def _slots(value: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key) of a nested dict/list value."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for k, v in list(items):
        out.append((value, k))
        if isinstance(v, (dict, list)):
            _slots(v, out)
    return out


def mutate(data: st.DataObject, seed: dict, keys: list[str]) -> dict:
    """One to four random edits of a copy of ``seed``: replace, delete, add or duplicate."""
    spec = copy.deepcopy(seed)
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        slots = _slots(spec, [])
        if not slots:
            break
        box, key = data.draw(st.sampled_from(slots), label="where")
        op = data.draw(st.sampled_from(["replace", "replace", "delete", "add", "dup"]),
                       label="edit")
        if op == "replace":
            box[key] = data.draw(values(keys), label="value")
        elif op == "delete":
            del box[key]
        elif op == "add" and isinstance(box, dict):
            box[data.draw(st.sampled_from(keys), label="key")] = data.draw(values(keys))
        elif op == "dup" and isinstance(box, list):
            box.append(copy.deepcopy(box[key]))
    return spec


def _accepts_or_refuses(parse, spec, error, roundtrip) -> None:
    try:
        obj = parse(spec)
    except error as e:
        assert str(e).strip(), "an error without a message"
        event("refused")
        return
    event("accepted")
    # A validated plan's or scenario's dict form validates again, to the same thing.
    again = roundtrip(obj.to_dict())
    assert again.to_dict() == obj.to_dict()


# --------------------------------------------------------------------- the file parsers


@given(st.data())
def test_plan_from_dict_mutated(data):
    spec = mutate(data, data.draw(st.sampled_from(PLAN_SEEDS), label="seed"), PLAN_KEYS)
    _accepts_or_refuses(dl.Plan.from_dict, spec, dl.PlanError, dl.Plan.from_dict)


@given(values(PLAN_KEYS))
def test_plan_from_dict_generated(spec):
    _accepts_or_refuses(dl.Plan.from_dict, spec, dl.PlanError, dl.Plan.from_dict)


@given(st.data())
def test_scenario_from_dict_mutated(data):
    spec = mutate(data, data.draw(st.sampled_from(SCENARIO_SEEDS), label="seed"),
                  SCENARIO_KEYS)
    _accepts_or_refuses(dl.Scenario.from_dict, spec, dl.ScenarioError, dl.Scenario.from_dict)


TOML_BITS = ["[", "]", "[[", "]]", "{", "}", "=", '"', "'", ",", ".", "\n", "#", " ", "-",
             "0", "9", "1e400", "inf", "nan", "true", "\\", "\u00e9", "\x00", "\ud800",
             '"""', "[[bonus]]\n", "kind = ", "levels = [", "= 1\n", "a.b.c = 1\n"]


def mutate_text(data: st.DataObject, text: str) -> str:
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        at = data.draw(st.integers(0, len(text)), label="at")
        cut = data.draw(st.integers(0, 8), label="cut")
        put = data.draw(st.sampled_from(TOML_BITS) | st.text(max_size=4), label="put")
        text = text[:at] + put + text[at + cut:]
    return text


@given(st.data())
def test_plan_from_toml_mutated(data):
    text = mutate_text(data, data.draw(st.sampled_from(PLAN_FILES)).read_text("utf-8"))
    _accepts_or_refuses(dl.Plan.from_toml, text, dl.PlanError, dl.Plan.from_dict)


@given(st.data())
def test_scenario_from_toml_mutated(data):
    text = mutate_text(data, data.draw(st.sampled_from(SCENARIO_FILES)).read_text("utf-8"))
    _accepts_or_refuses(dl.Scenario.from_toml, text, dl.ScenarioError, dl.Scenario.from_dict)


@given(st.binary(max_size=64), st.sampled_from(["plan.toml", "plan.json", "scenario.toml"]))
def test_files_of_any_bytes(tmp_path_factory, raw, name):
    p = Path(tmp_path_factory.mktemp("f")) / name
    p.write_bytes(raw)
    cls, error = (dl.Plan, dl.PlanError) if name.startswith("plan") else (dl.Scenario,
                                                                          dl.ScenarioError)
    try:
        cls.load(p)
    except error as e:
        assert str(e).strip()


# ----------------------------------------------------------------- compute_commissions


@st.composite
def downlines(draw, valid: bool = True, max_people: int = 20):
    """(tree, volumes): people in join order with distinct ids, each sponsored by someone
    who joined before (or a founder), and volume rows in months after joining. With
    ``valid=False`` some of those rules may be broken on purpose."""
    n = draw(st.integers(1, max_people))
    ids = draw(st.lists(st.integers(1, 10**6), min_size=n, max_size=n, unique=True))
    sponsors: list[Any] = [None]
    joins = [draw(st.integers(0, 6))]
    for i in range(1, n):
        s = draw(st.none() | st.integers(0, i - 1))
        sponsors.append(None if s is None else ids[s])
        joins.append((joins[s] if s is not None else joins[0]) + draw(st.integers(0, 3)))
    last = max(joins) + draw(st.integers(0, 3))
    rows = []
    for i, pid in enumerate(ids):
        for m in range(joins[i], last + 1):
            if draw(st.booleans()):
                pv = draw(st.decimals(0, 10**6, places=2))
                rows.append((pid, m, str(pv)))
    if not rows:
        rows.append((ids[0], joins[0], "0"))
    if not valid:
        # break something: a sponsor from outside, a join before the sponsor's, a fraction,
        # a duplicate id, a row before joining, a negative or too precise volume
        k = draw(st.integers(0, n - 1))
        how = draw(st.sampled_from(["sponsor", "join", "dup", "early", "pv", "precision",
                                    "float", "huge"]))
        if how == "sponsor":
            sponsors[k] = 10**7
        elif how == "join":
            joins[k] = -1
        elif how == "dup" and n > 1:
            ids[k] = ids[k - 1]
        elif how == "early":
            rows.append((ids[k], joins[k] - 1, "1"))
        elif how == "pv":
            rows[0] = (rows[0][0], rows[0][1], "-1")
        elif how == "precision":
            rows[0] = (rows[0][0], rows[0][1], "1.005")
        elif how == "huge":
            rows[0] = (rows[0][0], rows[0][1], "1" + "0" * draw(st.integers(15, 30)))
    tree = pl.DataFrame({"id": ids, "sponsor": sponsors, "join_month": joins},
                        schema={"id": pl.Int64, "sponsor": pl.Int64, "join_month": pl.Int64})
    vol = pl.DataFrame({"id": [r[0] for r in rows], "month": [r[1] for r in rows],
                        "pv": [r[2] for r in rows]})
    if not valid and how == "float":
        tree = tree.with_columns(join_month=pl.col("join_month") + 0.5)
    return tree, vol


def _check_ledger(ledger: pl.DataFrame, plan: dl.Plan, tree: pl.DataFrame) -> None:
    assert ledger.columns == ["month", "id", "bonus", "paid_by_company", "paid_to", "amount"]
    assert is_money(ledger.schema["amount"])
    names = {n for n, _, _ in plan.bonuses}
    for month, pid, bonus, _, paid_to, amount in ledger.iter_rows():
        assert isinstance(amount, Decimal) and amount == amount.quantize(CENT), amount
        assert amount != 0, "a line of zero"
        assert bonus in names and paid_to in ("distributor", "host")
    assert set(ledger["id"].to_list()) <= set(tree["id"].to_list())


PLANS = [dl.Plan.load(p) for p in PLAN_FILES] + [dl.Plan.from_dict(CAPPED_PLAN)]


@given(downlines(valid=False, max_people=12), st.sampled_from(PLANS))
def test_compute_commissions_result_or_error(downline, plan):
    tree, vol = downline
    try:
        ledger = dl.compute_commissions(plan, tree, vol)
    except DOWNLINE_ERRORS as e:
        assert str(e).strip()
        event("refused")
        return
    event("accepted")
    _check_ledger(ledger, plan, tree)


@given(downlines(max_people=16), st.sampled_from(PLANS))
def test_compute_commissions_of_example_plans_hold_money(downline, plan):
    tree, vol = downline
    ledger = dl.compute_commissions(plan, tree, vol)
    _check_ledger(ledger, plan, tree)
    assert (ledger["amount"] > 0).all() if ledger.height else True


def _half_away(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)  # ROUND_HALF_UP is away from zero


def unilevel_by_hand(tree: pl.DataFrame, vol: pl.DataFrame,
                     levels: list[Decimal]) -> dict[tuple[int, int], Decimal]:
    """Each (month, id): Σ over levels k of rate k × the PV of those k levels below,
    rounded once, half away from zero, to the cent. Everyone is active (no minimum)."""
    sponsor = dict(zip(tree["id"], tree["sponsor"]))
    joined = dict(zip(tree["id"], tree["join_month"]))
    owed: dict[tuple[int, int], Decimal] = {}
    for pid, month, pv in vol.iter_rows():
        up = sponsor[pid]
        for rate in levels:
            if up is None:
                break
            if joined[up] <= month:
                owed[(month, up)] = owed.get((month, up), Decimal(0)) + rate * Decimal(pv)
            up = sponsor[up]
    return {k: _half_away(v) for k, v in owed.items() if _half_away(v) != 0}


@given(downlines(), st.lists(st.decimals(0, 1, places=4), min_size=1, max_size=4))
def test_unilevel_lines_are_exact(downline, levels):
    tree, vol = downline
    plan = dl.Plan.from_dict({"bonus": [{"kind": "unilevel",
                                         "levels": [str(r) for r in levels]}]})
    ledger = dl.compute_commissions(plan, tree, vol)
    _check_ledger(ledger, plan, tree)
    got = {(m, i): a for m, i, _, _, _, a in ledger.iter_rows()}
    want = unilevel_by_hand(tree, vol, levels)
    assert got == want
    assert sum(got.values(), Decimal(0)) == sum(want.values(), Decimal(0))


# ------------------------------------------------------------------------- simulate


@pytest.mark.filterwarnings("ignore:the plan pays")  # a party plan under a plain scenario
@given(st.sampled_from(PLANS), st.sampled_from(SCENARIO_SEEDS), st.integers(1, 40),
       st.integers(1, 8), st.integers(0, 2**64 - 1))
def test_simulated_payout_is_the_sum_of_its_lines(plan, scen, founders, months, seed):
    """Whatever plan and scenario: the company's payout each month is exactly the sum of
    the bonus lines paid by it to distributors, host rewards the sum of those paid to
    hosts, and each run's payout the sum of its months."""
    spec = copy.deepcopy(scen)
    spec.setdefault("market", {})
    spec["market"] = {**(spec["market"] or {}), "founders": founders}
    if (spec["market"].get("size") or founders) < founders:
        spec["market"]["size"] = founders
    try:
        scenario = dl.Scenario.from_dict(spec)
    except dl.ScenarioError:
        assume(False)
    res = dl.simulate(plan, scenario, months=months, runs=2, seed=seed, threads=1)
    b = res.bonuses
    lines = (
        b.filter(pl.col("paid_by_company") & (pl.col("paid_to") == "distributor"))
        .group_by("run", "month").agg(pl.col("amount").sum().alias("lines"))
    )
    m = res.monthly.join(lines, on=["run", "month"], how="left").with_columns(
        pl.col("lines").fill_null(Decimal(0)))
    assert (m["payout"] == m["lines"]).all()
    hosts = b.filter(pl.col("paid_to") == "host")["amount"].sum()
    assert Decimal(hosts or 0) == Decimal(res.monthly["host_rewards"].sum() or 0)
    per_run = res.monthly.group_by("run").agg(pl.col("payout").sum()).sort("run")
    assert per_run["payout"].to_list() == res.runs.sort("run")["payout"].to_list()
    for t in (res.monthly, res.bonuses, res.runs, res.distributors):
        for name, dtype in t.schema.items():
            if isinstance(dtype, pl.Decimal):
                assert dtype.scale == 2, name
    assert (res.monthly["payout"] >= 0).all()

