"""Every error path: the exception type, and a message that starts with the field path."""

from __future__ import annotations

import copy
import json

import downline as dl
import pytest
from conftest import SMALL_SCENARIO, UNILEVEL_TOML

# --------------------------------------------------------------------------------------
# Exception classes
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [dl.PlanError, dl.ScenarioError, dl.InputError])
def test_errors_are_value_errors(cls):
    assert issubclass(cls, ValueError)


def test_error_classes_are_distinct():
    assert not issubclass(dl.PlanError, dl.ScenarioError)
    assert not issubclass(dl.ScenarioError, dl.PlanError)
    assert not issubclass(dl.InputError, (dl.PlanError, dl.ScenarioError))


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


def test_missing_plan_file(tmp_path):
    path = tmp_path / "nope" / "plan.toml"
    with pytest.raises(dl.PlanError) as ei:
        dl.Plan.load(path)
    msg = str(ei.value)
    assert msg.startswith("(file): ")
    assert str(path) in msg


def test_missing_scenario_file(tmp_path):
    path = tmp_path / "nope.json"
    with pytest.raises(dl.ScenarioError) as ei:
        dl.Scenario.load(path)
    msg = str(ei.value)
    assert msg.startswith("(file): ")
    assert str(path) in msg


def test_directory_is_not_a_plan(tmp_path):
    with pytest.raises(dl.PlanError, match=r"^\(file\): cannot read"):
        dl.Plan.load(tmp_path)


def test_invalid_toml_plan(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("name = \n")
    with pytest.raises(dl.PlanError) as ei:
        dl.Plan.load(path)
    assert str(ei.value).startswith("(file): not valid TOML")
    with pytest.raises(dl.PlanError, match=r"^\(file\): not valid TOML"):
        dl.Plan.from_toml("[[bonus]\nkind = 'unilevel'\n")


def test_invalid_toml_scenario():
    with pytest.raises(dl.ScenarioError) as ei:
        dl.Scenario.from_toml("[market\nfounders = 3\n")
    assert str(ei.value).startswith("(file): not valid TOML")
    assert "unclosed table" in str(ei.value)


def test_invalid_json_files(tmp_path):
    p = tmp_path / "plan.json"
    p.write_text("{ not json")
    with pytest.raises(dl.PlanError, match=r"^\(file\): not valid JSON"):
        dl.Plan.load(p)
    s = tmp_path / "scenario.json"
    s.write_text("[1, 2")
    with pytest.raises(dl.ScenarioError, match=r"^\(file\): not valid JSON"):
        dl.Scenario.load(s)


def test_toml_plan_is_not_read_as_json(tmp_path):
    """A .json name is parsed as JSON even when the text is TOML."""
    p = tmp_path / "plan.json"
    p.write_text(UNILEVEL_TOML.read_text())
    with pytest.raises(dl.PlanError, match=r"^\(file\): not valid JSON"):
        dl.Plan.load(p)


def test_plan_file_errors_name_the_field(tmp_path):
    p = tmp_path / "plan.toml"
    p.write_text(UNILEVEL_TOML.read_text().replace('max_payout_ratio = "0.45"',
                                                   'max_payout_ratio = "1.45"'))
    with pytest.raises(dl.PlanError) as ei:
        dl.Plan.load(p)
    assert str(ei.value) == "cap.max_payout_ratio: 1.45 is above 1"


def test_plan_error_is_a_plan_error_not_scenario(tmp_path):
    with pytest.raises(dl.PlanError):
        dl.Plan.from_dict({"cap": {"max_payout_ratio": "2"}})
    with pytest.raises(dl.ScenarioError):
        dl.Scenario.from_dict({"market": {"founders": 0}})


# --------------------------------------------------------------------------------------
# Plan validation: every rule of src/plan/compile.rs and the plan file's shape
# --------------------------------------------------------------------------------------

U = {"kind": "unilevel", "levels": ["0.05"]}
RANKS_AM = [{"name": "A"}, {"name": "Manager"}]

PLAN_CASES = [
    # [volume], [active]
    ({"volume": {"point_value": "0"}}, "volume.point_value: 0 must be above 0"),
    ({"volume": {"point_value": "-1"}}, "volume.point_value: -1 must be above 0"),
    ({"volume": {"point_value": "0.0000001"}}, "volume.point_value: "),
    ({"active": {"min_pv": "-1"}}, "active.min_pv: -1 is negative"),
    ({"active": {"min_pv": "1.001"}}, "active.min_pv: 1.001 has more than 2 decimal places"),
    # [[ranks]]
    ({"ranks": [{"name": f"R{i}"} for i in range(65)]}, "ranks: 65 ranks; at most 64"),
    ({"ranks": [{"name": "  "}]}, "ranks[0].name: is empty"),
    ({"ranks": [{"name": "A"}, {"name": "A"}]}, 'ranks[1].name: "A" is already the name of ranks[0]'),
    ({"ranks": [{"pv": "1"}]}, "ranks[0]: missing field `name`"),
    ({"ranks": [{"name": "A", "pv": "-5"}]}, "ranks[0].pv: -5 is negative"),
    ({"ranks": [{"name": "A", "pv": "5.555"}]}, "ranks[0].pv: 5.555 has more than 2 decimal places"),
    ({"ranks": [{"name": "A", "gv": "-5"}]}, "ranks[0].gv: -5 is negative"),
    ({"ranks": [{"name": "A", "active_legs": -1}]}, "ranks[0].active_legs: "),
    ({"ranks": [{"name": "A", "leg_ranks": {"B": 1}}, {"name": "B"}]},
     'ranks[0].leg_ranks.B: "B" is not below "A"'),
    ({"ranks": [{"name": "A", "leg_ranks": {"A": 1}}]}, 'ranks[0].leg_ranks.A: "A" is not below "A"'),
    ({"ranks": [{"name": "A"}, {"name": "B", "leg_ranks": {"Zed": 1}}]},
     'ranks[1].leg_ranks.Zed: no rank is named "Zed"'),
    ({"ranks": [{"name": "A"}, {"name": "B", "leg_ranks": {"A": 0}}]}, "ranks[1].leg_ranks.A: 0 legs"),
    ({"ranks": [{"name": "A", "gv": "100", "max_leg_share": "1.5"}]},
     "ranks[0].max_leg_share: 1.5 is above 1"),
    ({"ranks": [{"name": "A", "gv": "100", "max_leg_share": "-0.5"}]},
     "ranks[0].max_leg_share: -0.5 is below 0"),
    ({"ranks": [{"name": "A", "gv": "100", "max_leg_share": "0"}]},
     "ranks[0].max_leg_share: 0 would let no leg count"),
    ({"ranks": [{"name": "A", "max_leg_share": "0.5"}]},
     "ranks[0].max_leg_share: needs a group volume requirement: set ranks[0].gv"),
    # [[bonus]]: common
    ({"bonus": [{"kind": "unilevel", "name": " ", "levels": ["0.1"]}]}, "bonus[0].name: is empty"),
    ({"bonus": [U, U]}, 'bonus[1].name: "unilevel" is already the name of bonus[0]'),
    ({"bonus": [U, {"kind": "fast_start", "name": "unilevel", "rate": "0.1"}]},
     'bonus[1].name: "unilevel" is already the name of bonus[0]'),
    ({"bonus": [{"kind": "pyramid"}]}, "bonus[0].kind: \"pyramid\" is not a bonus kind"),
    ({"bonus": [{"levels": ["0.1"]}]}, "bonus[0].kind: is missing"),
    # retail
    ({"bonus": [{"kind": "retail", "markup": "0.1"}, {"kind": "retail", "name": "r2", "markup": "0.1"}]},
     "bonus[1]: a plan has at most one retail bonus"),
    ({"bonus": [{"kind": "retail", "markup": "11"}]}, "bonus[0].markup: 11 is outside 0 to 10"),
    ({"bonus": [{"kind": "retail", "markup": "-1"}]}, "bonus[0].markup: -1 is outside 0 to 10"),
    ({"bonus": [{"kind": "retail", "markup": "0.1234567"}]}, "bonus[0].markup: "),
    ({"bonus": [{"kind": "retail"}]}, "bonus[0]: missing field `markup`"),
    # unilevel
    ({"bonus": [{"kind": "unilevel"}]}, "bonus[0]: a unilevel needs `levels`"),
    ({"bonus": [{"kind": "unilevel", "levels": []}]}, "bonus[0].levels: has no levels"),
    ({"bonus": [{"kind": "unilevel", "levels": ["0.01"] * 101}]},
     "bonus[0].levels: 101 levels; at most 100"),
    ({"bonus": [{"kind": "unilevel", "levels": ["0.1", "-0.1"]}]}, "bonus[0].levels[1]: -0.1 is below 0"),
    ({"bonus": [{"kind": "unilevel", "levels": ["0.1", "1.5"]}]}, "bonus[0].levels[1]: 1.5 is above 1"),
    ({"ranks": RANKS_AM, "bonus": [{"kind": "retail", "markup": "0.1"},
                                   {"kind": "unilevel", "rates": {"Manager": ["0.1", "0.1", "0.1", "1.5"]}}]},
     "bonus[1].rates.Manager[3]: 1.5 is above 1"),
    ({"ranks": RANKS_AM, "bonus": [{"kind": "unilevel", "rates": {"Manager": []}}]},
     "bonus[0].rates.Manager: has no levels"),
    ({"bonus": [{"kind": "unilevel", "rates": {"Nope": ["0.1"]}}]},
     'bonus[0].rates.Nope: no rank is named "Nope"; the ranks are ["Distributor"]'),
    # fast_start
    ({"bonus": [{"kind": "fast_start", "rate": "0.1", "months": 0}]}, "bonus[0].months: 0 is outside 1 to 120"),
    ({"bonus": [{"kind": "fast_start", "rate": "0.1", "months": 121}]},
     "bonus[0].months: 121 is outside 1 to 120"),
    ({"bonus": [{"kind": "fast_start", "rate": "2"}]}, "bonus[0].rate: 2 is above 1"),
    ({"bonus": [{"kind": "fast_start", "rate": "-0.2"}]}, "bonus[0].rate: -0.2 is below 0"),
    ({"bonus": [{"kind": "fast_start"}]}, "bonus[0].rate: is missing"),
    # rank_advancement
    ({"bonus": [{"kind": "rank_advancement", "amounts": {}}]}, "bonus[0].amounts: is empty"),
    ({"bonus": [{"kind": "rank_advancement", "amounts": {"Zed": "5"}}]},
     'bonus[0].amounts.Zed: no rank is named "Zed"'),
    ({"bonus": [{"kind": "rank_advancement", "amounts": {"Distributor": "-5"}}]},
     "bonus[0].amounts.Distributor: -5 is negative"),
    ({"bonus": [{"kind": "rank_advancement", "amounts": {"Distributor": "5.001"}}]},
     "bonus[0].amounts.Distributor: 5.001 has more than 2 decimal places"),
    # [cap]
    ({"cap": {"max_payout_ratio": "0"}}, "cap.max_payout_ratio: 0 would pay nothing"),
    ({"cap": {"max_payout_ratio": "1.2"}}, "cap.max_payout_ratio: 1.2 is above 1"),
    ({"cap": {"max_payout_ratio": "-0.2"}}, "cap.max_payout_ratio: -0.2 is below 0"),
    ({"cap": {"max_payout_ratio": "lots"}}, 'cap.max_payout_ratio: "lots" is not a decimal number'),
    ({"cap": {}}, "cap: missing field `max_payout_ratio`"),
    # [costs]
    ({"costs": {"enrollment_fee": "-1"}}, "costs.enrollment_fee: -1 is negative"),
    ({"costs": {"annual_fee": "-1"}}, "costs.annual_fee: -1 is negative"),
    ({"costs": {"min_monthly_purchase": "-1"}}, "costs.min_monthly_purchase: -1 is negative"),
    ({"costs": {"annual_fee": "abc"}}, 'costs.annual_fee: "abc" is not a decimal number'),
    ({"costs": {"enrollment_fee": "0.001"}}, "costs.enrollment_fee: 0.001 has more than 2 decimal places"),
    # unknown fields and wrong types
    ({"colour": "red"}, "colour: unknown field `colour`"),
    ({"volume": {"pointvalue": "1"}}, "volume.pointvalue: unknown field `pointvalue`"),
    ({"active": {"min": "1"}}, "active.min: unknown field `min`"),
    ({"ranks": [{"name": "A", "bogus": 1}]}, "ranks[0].bogus: unknown field `bogus`"),
    ({"cap": {"max_payout_ratio": "0.4", "x": 1}}, "cap.x: unknown field `x`"),
    ({"costs": {"monthly_fee": "1"}}, "costs.monthly_fee: unknown field `monthly_fee`"),
    ({"name": 5}, "name: invalid type"),
    ({"ranks": {"name": "A"}}, "ranks: invalid type"),
]


def _case_id(case):
    return case[1].split(":")[0]


@pytest.mark.parametrize("spec, prefix", PLAN_CASES, ids=[_case_id(c) for c in PLAN_CASES])
def test_plan_validation(spec, prefix):
    with pytest.raises(dl.PlanError) as ei:
        dl.Plan.from_dict(spec)
    msg = str(ei.value)
    assert msg.startswith(prefix), msg
    assert "\n" not in msg


def test_plan_rule_message_exact():
    spec = {"ranks": RANKS_AM,
            "bonus": [{"kind": "retail", "markup": "0.1"},
                      {"kind": "unilevel", "rates": {"Manager": ["0.1", "0.1", "0.1", "1.5"]}}]}
    with pytest.raises(dl.PlanError) as ei:
        dl.Plan.from_dict(spec)
    assert str(ei.value) == "bonus[1].rates.Manager[3]: 1.5 is above 1"


def test_plan_validation_from_toml():
    with pytest.raises(dl.PlanError) as ei:
        dl.Plan.from_toml('[[bonus]]\nkind = "unilevel"\nlevels = ["0.05", "7"]\n')
    assert str(ei.value) == "bonus[0].levels[1]: 7 is above 1"
    with pytest.raises(dl.PlanError, match=r"^cap\.limit: unknown field `limit`"):
        dl.Plan.from_toml("[cap]\nlimit = 0.4\n")


@pytest.mark.parametrize("spec, prefix", [
    ({"bonus": [{"kind": "unilevel", "levels": ["0.1"], "depth": 3}]}, "bonus[0].depth: "),
    ({"bonus": [{"kind": "retail", "markup": "0.1", "margin": "0.2"}]}, "bonus[0].margin: "),
    ({"bonus": [{"kind": "fast_start", "rate": "x"}]}, "bonus[0].rate: "),
    ({"bonus": [{"kind": "fast_start", "rate": "0.1", "require_active": "yes"}]},
     "bonus[0].require_active: "),
], ids=["unknown-field-unilevel", "unknown-field-retail", "bad-decimal", "bad-bool"])
def test_plan_bonus_field_paths(spec, prefix):
    with pytest.raises(dl.PlanError) as ei:
        dl.Plan.from_dict(spec)
    assert str(ei.value).startswith(prefix), str(ei.value)


@pytest.mark.parametrize("spec, needle", [
    ({"bonus": [{"kind": "unilevel", "levels": ["0.1"], "depth": 3}]}, "`depth`"),
    ({"bonus": [{"kind": "fast_start", "rate": "x"}]}, '"x" is not a decimal number'),
])
def test_plan_bonus_errors_say_what(spec, needle):
    """Whatever the path, the message says what is wrong and where (bonus[0])."""
    with pytest.raises(dl.PlanError) as ei:
        dl.Plan.from_dict(spec)
    assert str(ei.value).startswith("bonus[0]")
    assert needle in str(ei.value)


# --------------------------------------------------------------------------------------
# Scenario validation: every rule of src/scenario/spec.rs
# --------------------------------------------------------------------------------------

SCENARIO_CASES = [
    ({"market": {"founders": 0}}, "market.founders: 0 founders"),
    ({"market": {"founders": 50_000_001}}, "market.founders: 50000001 is more than 50,000,000"),
    ({"market": {"founders": -1}}, "market.founders: invalid value"),
    ({"market": {"founders": 2.5}}, "market.founders: invalid type"),
    ({"market": {"founders": 10, "size": 5}}, "market.size: 5 is smaller than the 10 founders"),
    ({"market": {"size": 9}}, "market.size: 9 is smaller than the 10 founders"),
    ({"recruitment": {"rate": []}}, "recruitment.rate: is an empty table"),
    ({"recruitment": {"rate": [0.1] * 1201}}, "recruitment.rate: 1201 entries; at most 1200"),
    ({"recruitment": {"rate": [0.1, -1]}}, "recruitment.rate[1]: -1 is negative"),
    ({"recruitment": {"rate": -0.5}}, "recruitment.rate: -0.5 is negative"),
    ({"recruitment": {"rate": 51}}, "recruitment.rate: 51 recruits a month is more than 50"),
    ({"recruitment": {"rate": [1, 2, 60]}}, "recruitment.rate[2]: 60 recruits a month is more than 50"),
    ({"recruitment": {"rate": "high"}}, "recruitment.rate: "),
    ({"recruitment": {"heterogeneity": 0}}, "recruitment.heterogeneity: 0 must be above 0"),
    ({"recruitment": {"heterogeneity": -1}}, "recruitment.heterogeneity: -1 must be above 0"),
    ({"attrition": {"monthly_quit": [0.1, 0.1, 1.5]}}, "attrition.monthly_quit[2]: 1.5 is above 1"),
    ({"attrition": {"monthly_quit": [0.1, -0.5]}}, "attrition.monthly_quit[1]: -0.5 is below 0"),
    ({"attrition": {"monthly_quit": 1.5}}, "attrition.monthly_quit: 1.5 is above 1"),
    ({"attrition": {"monthly_quit": []}}, "attrition.monthly_quit: is an empty table"),
    ({"attrition": {"monthly_quit": [0.1] * 1201}}, "attrition.monthly_quit: 1201 entries"),
    ({"purchases": {"probability": 2}}, "purchases.probability: 2 is above 1"),
    ({"purchases": {"probability": -0.1}}, "purchases.probability: -0.1 is below 0"),
    ({"purchases": {"mean": -2}}, "purchases.mean: -2 is negative"),
    ({"purchases": {"sigma": -1}}, "purchases.sigma: -1 is negative"),
    ({"purchases": {"sigma": 6}}, "purchases.sigma: 6 is above 5"),
    ({"customers": {"acquisition_rate": -1}}, "customers.acquisition_rate: -1 is negative"),
    ({"customers": {"acquisition_rate": 101}}, "customers.acquisition_rate: 101 is above 100 a month"),
    ({"customers": {"churn": 1.1}}, "customers.churn: 1.1 is above 1"),
    ({"customers": {"order_probability": -0.1}}, "customers.order_probability: -0.1 is below 0"),
    ({"customers": {"order_mean": -1}}, "customers.order_mean: -1 is negative"),
    ({"customers": {"order_sigma": -1}}, "customers.order_sigma: -1 is negative"),
    ({"customers": {"order_sigma": 5.5}}, "customers.order_sigma: 5.5 is above 5"),
    ({"expenses": {"monthly": -1}}, "expenses.monthly: -1 is negative"),
    # unknown fields, wrong types
    ({"weather": 1}, "weather: unknown field `weather`"),
    ({"market": {"founder": 3}}, "market.founder: unknown field `founder`"),
    ({"recruitment": {"rates": 0.1}}, "recruitment.rates: unknown field `rates`"),
    ({"attrition": {"quit": 0.1}}, "attrition.quit: unknown field `quit`"),
    ({"purchases": {"median": 1}}, "purchases.median: unknown field `median`"),
    ({"customers": {"size": 1}}, "customers.size: unknown field `size`"),
    ({"expenses": {"yearly": 1}}, "expenses.yearly: unknown field `yearly`"),
    ({"purchases": {"mean": "100"}}, "purchases.mean: invalid type"),
    ({"name": ["x"]}, "name: invalid type"),
]


@pytest.mark.parametrize("spec, prefix", SCENARIO_CASES, ids=[_case_id(c) for c in SCENARIO_CASES])
def test_scenario_validation(spec, prefix):
    with pytest.raises(dl.ScenarioError) as ei:
        dl.Scenario.from_dict(spec)
    msg = str(ei.value)
    assert msg.startswith(prefix), msg
    assert "\n" not in msg


def test_scenario_validation_from_toml():
    with pytest.raises(dl.ScenarioError) as ei:
        dl.Scenario.from_toml("[attrition]\nmonthly_quit = [0.2, 0.1, 1.2]\n")
    assert str(ei.value) == (
        "attrition.monthly_quit[2]: 1.2 is above 1; a probability is between 0 and 1")


def test_scenario_file_errors_name_the_field(tmp_path):
    d = copy.deepcopy(SMALL_SCENARIO)
    d["recruitment"]["heterogeneity"] = 0
    p = tmp_path / "s.json"
    p.write_text(json.dumps(d))
    with pytest.raises(dl.ScenarioError, match=r"^recruitment\.heterogeneity: 0 must be above 0"):
        dl.Scenario.load(p)


@pytest.mark.parametrize("toml, prefix", [
    ("[purchases]\nmean = inf\n", "purchases.mean: "),
    ("[purchases]\nsigma = nan\n", "purchases.sigma: "),
    ("[expenses]\nmonthly = inf\n", "expenses.monthly: "),
], ids=["mean-inf", "sigma-nan", "expenses-inf"])
def test_scenario_toml_non_finite_rejected(toml, prefix):
    with pytest.raises(dl.ScenarioError) as ei:
        dl.Scenario.from_toml(toml)
    assert str(ei.value).startswith(prefix)


def test_scenario_from_dict_non_finite_names_field():
    with pytest.raises(dl.ScenarioError) as ei:
        dl.Scenario.from_dict({"purchases": {"mean": float("nan")}})
    assert str(ei.value).startswith("purchases.mean: ")


def test_scenario_from_dict_non_finite_is_rejected():
    """Even if the message is imprecise, a NaN does not pass silently from a dict."""
    with pytest.raises(dl.ScenarioError):
        dl.Scenario.from_dict({"purchases": {"mean": float("nan")}})


def test_plan_toml_nan_is_rejected():
    with pytest.raises(dl.PlanError, match=r"^cap\.max_payout_ratio: "):
        dl.Plan.from_toml("[cap]\nmax_payout_ratio = nan\n")


# --------------------------------------------------------------------------------------
# simulate() arguments
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny():
    return dl.Plan.from_dict({"bonus": [{"kind": "unilevel", "levels": ["0.05"]}]}), \
        dl.Scenario.from_dict({"market": {"founders": 5}})


@pytest.mark.parametrize("kwargs, needle", [
    ({"months": 0}, "months = 0"),
    ({"months": 601}, "months = 601"),
    ({"runs": 0}, "runs = 0"),
    ({"threads": 0}, "threads = 0"),
    ({"seed": -1}, "seed = -1"),
    ({"seed": 2**64}, "seed = "),
    ({"seed": 1.5}, "seed = 1.5"),
    ({"keep_distributors": -1}, "keep_distributors"),
    ({"keep_distributors": 1.5}, "keep_distributors"),
], ids=lambda x: str(x))
def test_simulate_bad_arguments(tiny, kwargs, needle):
    plan, scen = tiny
    args = {"months": 2, "runs": 1, "seed": 0, **kwargs}
    with pytest.raises(ValueError) as ei:
        dl.simulate(plan, scen, **args)
    assert needle in str(ei.value)


def test_simulate_largest_seed_is_fine(tiny):
    plan, scen = tiny
    r = dl.simulate(plan, scen, months=2, runs=1, seed=2**64 - 1)
    assert r.monthly.height == 2


@pytest.mark.parametrize("kwargs", [{"months": -1}, {"runs": -1}, {"threads": -1}],
                         ids=["months", "runs", "threads"])
def test_simulate_negative_counts_raise_value_error(tiny, kwargs):
    plan, scen = tiny
    with pytest.raises(ValueError):
        dl.simulate(plan, scen, **{"months": 2, "runs": 1, **kwargs})


def test_simulate_type_errors(tiny):
    plan, scen = tiny
    with pytest.raises(TypeError, match="plan must be"):
        dl.simulate(plan._core, scen, months=2, runs=1)
    with pytest.raises(TypeError, match="scenario must be"):
        dl.simulate(plan, {"market": {"founders": 5}}, months=2, runs=1)
