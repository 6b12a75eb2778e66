"""The party plan from Python: party commission and host rewards in compute_commissions
(worked by hand), the parties' input errors, and a simulation with ``[parties]`` whose
tables and analytics keep host rewards out of the distributors' payout.

Plan: examples/plans/party.toml (1 PV = 1 USD; active at 150 PV; ranks Consultant, Team
Leader (300 PV, 1,500 GV, 2 active legs), Director (500 PV, 5,000 GV, 4 active legs)):

- "personal commission" (party_commission on party sales and retail customers' orders):
  20% from 0, 22% from 750, 23% from 1,250, 25% from 2,000 PV of the month's sales, paid
  on all of them;
- "host rewards" (host_rewards, per party): 10% from 200, 15% from 500, 20% from 1,000 PV
  of the party's sales, paid by the company to the host;
- "team override" (unilevel with compression): Team Leader 4% / 2%, Director 6% / 4% / 2%.
"""

from __future__ import annotations

import copy
import warnings
from decimal import Decimal as D

import downline as dl
import polars as pl
import pytest
from conftest import EXAMPLES
from downline import analytics as an
from downline import cli
from downline.report import render_report

PARTY_TOML = EXAMPLES / "plans" / "party.toml"
LEDGER = ["month", "id", "bonus", "paid_by_company", "paid_to", "amount"]

# 1 leads 2 and 3; 2 sponsored 4. Everyone joins in month 1.
TREE = pl.DataFrame({"id": [1, 2, 3, 4], "sponsor": [None, 1, 1, 2], "join_month": [1, 1, 1, 1]})
# 1 buys 300 PV and has 100 PV of retail customers' orders (pv 400, retail 100); 4's 200 PV
# all come from preferred customers. 2 and 3 buy nothing themselves.
VOLUMES = pl.DataFrame({"id": [1, 4], "month": [1, 1], "pv": [400, 200], "retail": [100, 0],
                        "preferred": [0, 200]})
# Month 1: 2 holds parties of 300 and 600, 3 one of 150, 1 one of 1,100. Month 2: 2 one of 250.
PARTIES = pl.DataFrame({"id": [2, 2, 3, 1, 2], "month": [1, 1, 1, 1, 2],
                        "pv": [300, 600, 150, 1100, 250]})


@pytest.fixture(scope="module")
def party_plan() -> dl.Plan:
    return dl.Plan.load(PARTY_TOML)


def _rows(df: pl.DataFrame) -> list[tuple]:
    return [tuple(r) for r in df.select(LEDGER).iter_rows()]


def test_party_plan_bonuses(party_plan):
    assert party_plan.bonuses == [
        ("personal commission", "party_commission", True),
        ("host rewards", "host_rewards", True),
        ("team override", "unilevel", True),
    ]


def test_compute_commissions_with_parties_hand_worked(party_plan):
    out = dl.compute_commissions(party_plan, TREE, VOLUMES, PARTIES)
    assert out.columns == LEDGER
    # Month 1.
    # 2: parties 300 + 600 = 900 PV of sales, tier 750 → 22% of all 900 = 198.00. Host
    #    rewards: 300 reaches 200 → 10% = 30.00; 600 reaches 500 → 15% = 90.00; 120.00 to
    #    the two hosts, booked to 2. PV 900: active, but GV 900 + 200 = 1,100 < 1,500, so a
    #    Consultant (no override).
    # 3: one party of 150 → 20% = 30.00; below 200 its host earns nothing. PV 150: active.
    # 1: party 1,100 + retail 100 = 1,200 of sales, tier 750 → 22% = 264.00 (own orders pay
    #    no commission); host 20% of 1,100 = 220.00. PV 400 + 1,100 = 1,500; GV 1,500 + 900 +
    #    150 + 200 = 2,750 (< 5,000: not Director); legs 2 and 3 active → Team Leader. Team
    #    override on party volume like any PV: 4% × (900 + 150) + 2% × 200 = 42 + 4 = 46.00.
    # 4: 200 PV of preferred customers: the commission is on party and retail only → 0.
    # Month 2 (no volume rows; months run to the last party): 2's party of 250 → 20% =
    #    50.00, host 10% = 25.00. 1 has no PV (inactive): no override.
    h, d = "host", "distributor"
    assert _rows(out) == [
        (1, 1, "personal commission", True, d, D("264.00")),
        (1, 1, "host rewards", True, h, D("220.00")),
        (1, 1, "team override", True, d, D("46.00")),
        (1, 2, "personal commission", True, d, D("198.00")),
        (1, 2, "host rewards", True, h, D("120.00")),
        (1, 3, "personal commission", True, d, D("30.00")),
        (2, 2, "personal commission", True, d, D("50.00")),
        (2, 2, "host rewards", True, h, D("25.00")),
    ]
    # host rewards are the only lines paid to hosts
    assert out.filter(pl.col("paid_to") == "host")["bonus"].unique().to_list() == ["host rewards"]


def test_without_parties_the_same_people_earn_little(party_plan):
    # Without the parties, only 1's retail customers pay a commission: 20% × 100 = 20.00.
    # 2 and 3 have no PV, so 1 has no active legs and GV 600: no Team Leader, no override.
    out = dl.compute_commissions(party_plan, TREE, VOLUMES)
    assert _rows(out) == [(1, 1, "personal commission", True, "distributor", D("20.00"))]
    # an empty parties table is no parties
    empty = pl.DataFrame(schema={"id": pl.Int64, "month": pl.Int64, "pv": pl.Float64})
    assert dl.compute_commissions(party_plan, TREE, VOLUMES, empty).equals(out)


def test_commission_on_preferred_customers(party_plan):
    spec = copy.deepcopy(party_plan.to_dict())
    spec["bonus"][0]["on"] = ["party", "retail", "preferred"]
    plan = dl.Plan.from_dict(spec)
    out = dl.compute_commissions(plan, TREE, VOLUMES, PARTIES)
    # 4's 200 PV of preferred customers now pay 20% = 40.00; nothing else changes
    four = out.filter(pl.col("id") == 4)
    assert _rows(four) == [(1, 4, "personal commission", True, "distributor", D("40.00"))]
    base = dl.compute_commissions(party_plan, TREE, VOLUMES, PARTIES)
    assert out.filter(pl.col("id") != 4).equals(base)
    # without the preferred column the 200 PV are 4's own orders: no commission
    own = dl.compute_commissions(plan, TREE, VOLUMES.drop("preferred"), PARTIES)
    assert own.filter(pl.col("id") == 4).height == 0


def test_cap_scales_commissions_not_host_rewards(party_plan):
    spec = copy.deepcopy(party_plan.to_dict())
    spec["cap"] = {"max_payout_ratio": "0.10"}
    out = dl.compute_commissions(dl.Plan.from_dict(spec), TREE, VOLUMES, PARTIES)
    m1 = out.filter(pl.col("month") == 1)
    # month 1 volume value 400 + 200 + 900 + 150 + 1,100 = 2,750 → cap 275.00; the
    # distributors' bonuses (538.00 before the cap) are scaled to exactly 275.00
    paid = m1.filter(pl.col("paid_to") == "distributor")["amount"].sum()
    assert paid == D("275.00")
    # the hosts' 220.00 + 120.00 are outside the payout and the cap
    hosts = m1.filter(pl.col("paid_to") == "host").select("id", "amount").rows()
    assert hosts == [(1, D("220.00")), (2, D("120.00"))]


def test_host_rewards_fixed_amount_per_party():
    plan = dl.Plan.from_dict({"bonus": [{"kind": "host_rewards", "tiers": [
        {"min_pv": "200", "rate": "0.10", "amount": "5"},
        {"min_pv": "500", "rate": "0.15", "amount": "12.50"}]}]})
    # 2's parties: 300 → 10% + 5 = 35.00; 600 → 15% + 12.50 = 102.50; 137.50 in all.
    # 3's 150 is below 200: nothing. 1's 1,100 → 15% + 12.50 = 177.50. Month 2: 250 → 30.00.
    out = dl.compute_commissions(plan, TREE, VOLUMES, PARTIES)
    assert out.select("month", "id", "amount").rows() == [
        (1, 1, D("177.50")), (1, 2, D("137.50")), (2, 2, D("30.00"))]
    assert out["paid_to"].unique().to_list() == ["host"]


@pytest.mark.parametrize("parties, needle", [
    (PARTIES.with_columns(id=pl.Series([2, 2, 3, 1, 9])), "parties row 4: id 9 is not in the tree"),
    (PARTIES.with_columns(pv=pl.Series([300, 600, -1, 1100, 250])),
     "parties row 2: id 3: the party's sales are negative"),
    (PARTIES.with_columns(pv=pl.Series(["300", "abc", "150", "1100", "250"])),
     'parties row 1: pv "abc" is not a number'),
    (PARTIES.with_columns(pv=pl.Series(["300", "600.001", "150", "1100", "250"])),
     "more than 2 decimal places"),
    (PARTIES.with_columns(pv=pl.Series([True] * 5)), "parties: column 'pv' is Boolean"),
    (PARTIES.with_columns(pv=pl.Series([300, None, 150, 1100, 250])),
     "parties: column 'pv' has missing values"),
    (PARTIES.drop("pv"), "parties: missing column(s) ['pv']"),
    (PARTIES.drop("month"), "parties: missing column(s) ['month']"),
    (PARTIES.with_columns(id=pl.Series([2, None, 3, 1, 2])),
     "parties: id may not be missing"),
    (PARTIES.with_columns(id=pl.Series(["a", "b", "c", "d", "e"])),
     "parties: id must be whole numbers"),
    (PARTIES.with_columns(month=pl.Series([1, 1, 1, 1, 0])),
     "held a party in month 0, when it does not participate"),
], ids=["unknown-id", "negative", "not-a-number", "3-decimals", "bool", "missing-pv", "no-pv",
        "no-month", "missing-id", "id-not-int", "before-joining"])
def test_party_input_errors(party_plan, parties, needle):
    with pytest.raises(dl.InputError) as ei:
        dl.compute_commissions(party_plan, TREE, VOLUMES, parties)
    assert needle in str(ei.value), str(ei.value)


def test_party_after_quitting_is_an_error(party_plan):
    tree = TREE.with_columns(quit_month=pl.Series([None, 2, None, None], dtype=pl.Int64))
    with pytest.raises(dl.InputError, match="id 2 held a party in month 2"):
        dl.compute_commissions(party_plan, tree, VOLUMES, PARTIES)


def test_parties_must_be_a_dataframe(party_plan):
    with pytest.raises(dl.InputError, match="parties must be a polars DataFrame"):
        dl.compute_commissions(party_plan, TREE, VOLUMES, {"id": [1], "month": [1], "pv": [1]})


# --------------------------------------------------------------------------------------
# a simulation with [parties]

PARTY_SCENARIO = {
    "name": "parties",
    "market": {"founders": 40, "size": 100_000},
    "recruitment": {"rate": [0.4, 0.3, 0.2], "heterogeneity": 0.5},
    "attrition": {"monthly_quit": [0.15, 0.1, 0.08]},
    "purchases": {"probability": 0.5, "mean": 60.0},
    "customers": {"acquisition_rate": 0.5, "churn": 0.1, "preferred_share": 0.3},
    "parties": {"per_month": 2, "sales_mean": 450.0},
}
SOURCES = ["payout_from_retail", "payout_from_preferred", "payout_from_party", "payout_from_own",
           "payout_from_downline", "payout_other"]


@pytest.fixture(scope="module")
def sim(party_plan) -> dl.SimulationResult:
    return dl.simulate(party_plan, dl.Scenario.from_dict(PARTY_SCENARIO), months=12, runs=3,
                       seed=3)


def test_sources_add_up_to_the_payout_every_month(sim):
    m = sim.monthly
    for c in (*SOURCES, "host_rewards", "party_volume", "preferred_volume"):
        assert c in m.columns, c
    for r in m.iter_rows(named=True):
        assert sum(r[c] for c in SOURCES) == r["payout"], r
    assert m["payout_from_party"].sum() > 0
    assert m["payout_from_preferred"].sum() > 0  # the override pays on preferred customers' PV
    assert (m["party_volume"] > 0).all()
    assert m["host_rewards"].sum() > 0
    # volume = own + retail + preferred + party: the customers' parts are in it
    assert (m["retail_volume"] + m["preferred_volume"] + m["party_volume"] <= m["volume"]).all()


def test_host_rewards_are_outside_the_payout(sim):
    b = sim.bonuses
    assert b.select("bonus", "paid_to").unique().sort("bonus").rows() == [
        ("host rewards", "host"), ("personal commission", "distributor"),
        ("team override", "distributor")]
    by = b.group_by("run", "month").agg(
        payout=pl.col("amount").filter(pl.col("paid_by_company")
                                       & (pl.col("paid_to") == "distributor")).sum(),
        hosts=pl.col("amount").filter(pl.col("paid_to") == "host").sum(),
    )
    m = sim.monthly.join(by, on=["run", "month"])
    assert (m["payout"] == m["payout_right"]).all()
    assert (m["host_rewards"] == m["hosts"]).all()
    # the payout ratio does not count host rewards
    for r in m.iter_rows(named=True):
        assert r["payout_ratio"] == pytest.approx(float(r["payout"] / r["volume_value"]))
    # nor do the distributors' earnings
    e = sim.distributors.group_by("run").agg(pl.col("earnings").sum()).sort("run")
    runs = sim.runs.sort("run")
    assert e["earnings"].to_list() == runs["payout"].to_list()
    per_run = m.group_by("run").agg(pl.col("host_rewards").sum()).sort("run")
    assert runs["host_rewards"].to_list() == per_run["host_rewards"].to_list()


def test_party_volume_per_distributor(sim):
    d = sim.distributors
    assert d["party_volume"].sum() > 0
    # each run's per-person volumes add up to its monthly volumes
    people = d.group_by("run").agg(
        pl.col("party_volume").sum(),
        pl.sum_horizontal("own_volume", "customer_volume", "preferred_volume",
                          "party_volume").sum().alias("volume"),
    ).sort("run")
    months = sim.monthly.group_by("run").agg(pl.col("party_volume").sum(),
                                             pl.col("volume").sum()).sort("run")
    assert people["party_volume"].to_list() == months["party_volume"].to_list()
    assert people["volume"].to_list() == months["volume"].to_list()


def test_analytics_on_a_party_plan(sim):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 'unattributed' gap
        src = an.sources_of_money(sim, per_run=True)
    for (run,), part in src.partition_by("run", as_dict=True).items():
        assert part["amount"].sum() == sim.monthly.filter(pl.col("run") == run)["payout"].sum()
    party = src.filter(pl.col("source") == "party_sales")
    assert (party["amount"] > 0).all()
    by = an.payout_by_bonus(sim, per_run=True)
    hosts = by.filter(pl.col("paid_to") == "host")
    assert hosts["share_of_payout"].null_count() == hosts.height
    shares = by.filter(pl.col("paid_to") == "distributor").group_by("run").agg(
        pl.col("share_of_payout").sum())
    assert shares["share_of_payout"].to_list() == [pytest.approx(1.0)] * sim.n_runs
    s = an.payout_summary(sim, per_run=True).sort("run")
    runs = sim.runs.sort("run")
    assert s["host_rewards"].to_list() == runs["host_rewards"].to_list()
    assert s["payout"].to_list() == runs["payout"].to_list()
    # company-wide sales to non-participants: retail + preferred customers + party guests
    c = an.compliance(sim, per_run=True).filter(pl.col("check") == "vemma_nonparticipant_share")
    vol = sim.monthly.group_by("run").agg(
        (pl.col("retail_volume") + pl.col("preferred_volume") + pl.col("party_volume")).sum()
        .cast(pl.Float64).alias("c"),
        pl.col("volume").sum().cast(pl.Float64).alias("v")).sort("run")
    expect = [a / b for a, b in zip(vol["c"], vol["v"])]
    assert c.sort("run")["figure"].to_list() == [pytest.approx(x) for x in expect]
    assert min(expect) > 0.5  # party sales dominate this plan's volume


def test_summary_and_report_show_host_rewards(sim, capsys):
    s = sim.summary()
    assert row_of(s, "host_rewards")["mean"] > 0
    html_ = render_report(sim)
    assert "company → hosts" in html_
    assert "host rewards (paid by the company to party hosts)" in html_
    assert "party sales (guests&#x27; orders)" in html_
    cli.print_summary(sim)
    out = capsys.readouterr().out
    assert "host rewards to party hosts" in out
    assert "company → hosts (not commissions)" in out
    assert "company → distributors" in out


def row_of(df: pl.DataFrame, metric: str) -> dict:
    return df.filter(pl.col("metric") == metric).row(0, named=True)


def test_no_parties_no_party_volume(party_plan):
    scen = {k: v for k, v in PARTY_SCENARIO.items() if k != "parties"}
    with pytest.warns(UserWarning, match="personal commission, host rewards on party sales"):
        res = dl.simulate(party_plan, dl.Scenario.from_dict(scen), months=6, runs=1, seed=3)
    m = res.monthly
    assert m["party_volume"].sum() == 0 and m["host_rewards"].sum() == 0
    assert m["payout_from_party"].sum() == 0
    assert res.distributors["party_volume"].sum() == 0


def test_plots_keep_host_rewards_apart(sim):
    from downline import plot

    fig = plot.payout_by_bonus(sim)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["personal commission", "team override"]  # no host rewards, no cap
    fig = plot.fan_chart(sim, "host_rewards")
    assert "host rewards" in fig.axes[0].get_ylabel()
    fig = plot.sources_of_money(sim)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "party sales" in ticks and "preferred customers' purchases" in ticks


def test_no_warning_when_the_scenario_holds_parties_or_the_plan_pays_none(party_plan):
    scen = dl.Scenario.from_dict(PARTY_SCENARIO)
    plain = dl.Plan.load(EXAMPLES / "plans" / "unilevel.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dl.simulate(party_plan, scen, months=2, runs=1, seed=3)
        dl.simulate(plain, dl.Scenario.preset("baseline"), months=2, runs=1, seed=3)
    # hosting_share = 0: nobody holds a party
    spec = copy.deepcopy(PARTY_SCENARIO)
    spec["parties"]["hosting_share"] = 0.0
    with pytest.warns(UserWarning, match="holds no parties"):
        dl.simulate(party_plan, dl.Scenario.from_dict(spec), months=2, runs=1, seed=3)
