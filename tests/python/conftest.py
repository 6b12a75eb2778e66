"""Shared fixtures for the Python tests of downline: example files, small plans and
scenarios, and a few cached simulation results (small, so the suite stays fast)."""

from __future__ import annotations

import copy
from pathlib import Path

import downline as dl
import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
UNILEVEL_TOML = EXAMPLES / "plans" / "unilevel.toml"
BASELINE_TOML = EXAMPLES / "scenarios" / "baseline.toml"
REFERENCE_PLAN_TOML = ROOT / "benches" / "reference" / "plan.toml"
REFERENCE_SCENARIO_TOML = ROOT / "benches" / "reference" / "scenario.toml"

MONTHS = 12
RUNS = 3
SEED = 11

#: A small scenario: 50 founders, some recruiting and quitting, retail customers.
SMALL_SCENARIO = {
    "name": "small",
    "market": {"founders": 50, "size": 100_000},
    "recruitment": {"rate": [0.4, 0.3, 0.2], "heterogeneity": 0.5},
    "attrition": {"monthly_quit": [0.2, 0.1, 0.08]},
    "purchases": {"probability": 0.8, "mean": 100.0, "sigma": 0.5},
    "customers": {"acquisition_rate": 0.5, "churn": 0.1},
    "expenses": {"monthly": 20.0},
}

#: A plan whose low cap binds: generous rates, payout capped at 10% of volume value.
CAPPED_PLAN = {
    "name": "capped",
    "currency": "EUR",
    "bonus": [
        {"kind": "retail", "markup": "0.25"},
        {"kind": "unilevel", "levels": ["0.20", "0.20", "0.20"]},
        {"kind": "fast_start", "rate": "0.30", "months": 2},
    ],
    "cap": {"max_payout_ratio": "0.10"},
    "costs": {"enrollment_fee": "40.00"},
}


@pytest.fixture(scope="session")
def unilevel_plan() -> dl.Plan:
    return dl.Plan.load(UNILEVEL_TOML)


@pytest.fixture(scope="session")
def small_scenario() -> dl.Scenario:
    return dl.Scenario.from_dict(SMALL_SCENARIO)


@pytest.fixture(scope="session")
def capped_plan() -> dl.Plan:
    return dl.Plan.from_dict(CAPPED_PLAN)


@pytest.fixture()
def small_scenario_dict() -> dict:
    return copy.deepcopy(SMALL_SCENARIO)


@pytest.fixture(scope="session")
def result(unilevel_plan, small_scenario) -> dl.SimulationResult:
    """The example unilevel plan, small scenario, 12 months, 3 runs, seed 11."""
    return dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED)


@pytest.fixture(scope="session")
def capped_result(capped_plan, small_scenario) -> dl.SimulationResult:
    return dl.simulate(capped_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED)


@pytest.fixture(params=["unilevel", "capped"])
def any_result(request, result, capped_result) -> dl.SimulationResult:
    return result if request.param == "unilevel" else capped_result


def is_money(dtype: pl.DataType) -> bool:
    """Whether a column type is the money type: a polars Decimal with scale 2."""
    return isinstance(dtype, pl.Decimal) and dtype.scale == 2
