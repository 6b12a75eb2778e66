"""The plan rules of real plans through the Python API: given ranks and titles in
compute_commissions, the discount ladder, windows and grace through simulate."""

from decimal import Decimal

import downline as dl
import polars as pl
import pytest

MANAGER = """
[[ranks]]
name = "Member"
[[ranks]]
name = "Manager"
gv = "500"
[[bonus]]
kind = "unilevel"
rates = { Manager = ["0.10"] }
"""

TREE = pl.DataFrame({"id": [1, 2], "sponsor": [None, 1], "join_month": [1, 1]})
VOLUMES = pl.DataFrame({"id": [2], "month": [1], "pv": ["100"]})


def amounts(ledger: pl.DataFrame) -> list[tuple[int, int, Decimal]]:
    return list(zip(ledger["month"], ledger["id"], ledger["amount"]))


def test_a_given_rank_replaces_the_evaluation():
    plan = dl.Plan.from_toml(MANAGER)
    assert dl.compute_commissions(plan, TREE, VOLUMES).height == 0
    ranks = pl.DataFrame({"id": [1], "month": [1], "rank": ["Manager"]})
    ledger = dl.compute_commissions(plan, TREE, VOLUMES, ranks=ranks)
    assert amounts(ledger) == [(1, 1, Decimal("10.00"))]


def test_a_title_as_of_the_start_pays_a_bonus_by_title():
    plan = dl.Plan.from_toml(MANAGER + 'rank_basis = "title"\n')
    titles = pl.DataFrame({"id": [1], "title": ["Manager"]})
    ledger = dl.compute_commissions(plan, TREE, VOLUMES, titles=titles)
    assert amounts(ledger) == [(1, 1, Decimal("10.00"))]


def test_given_ranks_are_checked_by_row():
    plan = dl.Plan.from_toml(MANAGER)
    with pytest.raises(dl.InputError, match=r'ranks row 0: id 1: "Diamond" is not a rank'):
        dl.compute_commissions(
            plan, TREE, VOLUMES, ranks=pl.DataFrame({"id": [1], "month": [1], "rank": ["Diamond"]})
        )
    with pytest.raises(dl.InputError, match="ranks: month must be whole numbers"):
        dl.compute_commissions(
            plan,
            TREE,
            VOLUMES,
            ranks=pl.DataFrame({"id": [1], "month": [1.5], "rank": ["Manager"]}),
        )
    with pytest.raises(dl.InputError, match="titles: title must be rank names"):
        dl.compute_commissions(plan, TREE, VOLUMES, titles=pl.DataFrame({"id": [1], "title": [3]}))


def test_the_herbalife_example_pays_a_supervisor_150_on_a_senior_consultants_1000():
    plan = dl.Plan.load("examples/plans/differential_royalty.toml")
    tree = pl.DataFrame({"id": [1, 2], "sponsor": [None, 1], "join_month": [1, 1]})
    vols = pl.DataFrame({"id": [1, 2], "month": [1, 1], "pv": ["3000", "1000"]})
    # Id 2 holds the title Senior Consultant (1,000 GV alone would make it a Success
    # Builder); id 1's GV of 4,000 makes it a Supervisor.
    ranks = pl.DataFrame({"id": [2], "month": [1], "rank": ["Senior Consultant"]})
    ledger = dl.compute_commissions(plan, tree, vols, ranks=ranks)
    wholesale = ledger.filter(pl.col("bonus") == "wholesale_profit")
    assert amounts(wholesale) == [(1, 1, Decimal("150.00"))]
    # As a Success Builder (17%), id 2 leaves id 1 the difference 25% − 17% = 80.00.
    ledger = dl.compute_commissions(plan, tree, vols)
    wholesale = ledger.filter(pl.col("bonus") == "wholesale_profit")
    assert amounts(wholesale) == [(1, 1, Decimal("80.00"))]


def test_windows_and_grace_simulate_with_money_that_adds_up():
    text = """
    [active]
    min_pv = "100"
    window_months = 3
    [paid_as]
    grace_months = 2
    [[ranks]]
    name = "Member"
    [[ranks]]
    name = "Manager"
    gv = "1500"
    gv_months = 3
    [[bonus]]
    kind = "unilevel"
    levels = ["0.05", "0.03"]
    rates = { Manager = ["0.08", "0.05"] }
    """
    windowed = dl.Plan.from_toml(text)
    plain = dl.Plan.from_toml(text.replace("window_months = 3", "").replace("grace_months = 2", ""))
    scen = dl.Scenario.preset("baseline")
    d = scen.to_dict()
    d["market"]["founders"] = 200
    scen = dl.Scenario.from_dict(d)
    a = dl.simulate(windowed, scen, months=12, runs=2, seed=5)
    b = dl.simulate(plain, scen, months=12, runs=2, seed=5)
    # Same people (common random numbers), more of them active with the window.
    assert a.monthly["volume"].to_list() == b.monthly["volume"].to_list()
    assert (a.monthly["qualified"] >= b.monthly["qualified"]).all()
    assert a.monthly["qualified"].sum() > b.monthly["qualified"].sum()
    assert a.monthly["payout"].sum() > b.monthly["payout"].sum()
    # The payout is the sum of the bonuses, and of the people's earnings.
    assert a.monthly["payout"].sum() == a.bonuses["amount"].sum()
    assert a.distributors["earnings"].sum() == a.monthly["payout"].sum()
