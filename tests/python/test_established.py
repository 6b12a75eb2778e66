"""examples/scenarios/established.toml: the baseline with the two behaviours of an
established field (docs/industry-figures.md §11) — earners stay, autoship at the
qualification minimum — and nothing else changed; on the same people it lifts the example
unilevel's payout ratio and qualified share as the section says."""

from __future__ import annotations

import warnings

import downline as dl
import polars as pl
import pytest
from conftest import BASELINE_TOML, EXAMPLES, UNILEVEL_TOML

ESTABLISHED_TOML = EXAMPLES / "scenarios" / "established.toml"


def _load(path) -> dict:
    return dl.Scenario.load(path).to_dict()


def test_established_is_the_baseline_plus_two_behaviours():
    base, est = _load(BASELINE_TOML), _load(ESTABLISHED_TOML)
    # the quit table of a month after a covered month: the baseline's × 0.4
    assert est["attrition"]["monthly_quit"] == [
        pytest.approx(0.4 * q) for q in base["attrition"]["monthly_quit"]]
    # after an uncovered month, × 2.5: the baseline's again
    assert est["attrition"]["unprofitable_months"] == 1
    assert est["attrition"]["unprofitable_multiplier"] * 0.4 == pytest.approx(1.0)
    assert est["purchases"]["buy_to_qualify"] == 0.8
    assert not base["attrition"]["unprofitable_months"]
    assert not base["purchases"]["buy_to_qualify"]
    # everything else as in the baseline
    for section in base:
        if section in ("name", "attrition", "purchases"):
            continue
        assert est[section] == base[section], section
    for section, changed in (("attrition", ("monthly_quit", "unprofitable_months",
                                            "unprofitable_multiplier")),
                             ("purchases", ("buy_to_qualify",))):
        keep = [k for k in base[section] if k not in changed]
        assert {k: est[section][k] for k in keep} == {k: base[section][k] for k in keep}
    assert est["name"] == "established"


def _figures(scenario_path) -> tuple[float, float]:
    plan = dl.Plan.load(UNILEVEL_TOML)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = dl.simulate(plan, dl.Scenario.load(scenario_path), months=24, runs=2, seed=7,
                          keep_distributors=False)
    m = res.monthly
    ratio = float(m["payout"].cast(pl.Float64).sum() / m["volume_value"].cast(pl.Float64).sum())
    qualified = float(m["qualified"].sum() / m["active"].sum())
    return ratio, qualified


def test_established_pays_more_on_the_same_people():
    base_ratio, base_qual = _figures(BASELINE_TOML)
    est_ratio, est_qual = _figures(ESTABLISHED_TOML)
    # §11: about 58% → 92% qualified, and a clearly higher payout ratio
    assert base_qual < 0.7
    assert est_qual > 0.85
    assert est_ratio > base_ratio + 0.05
