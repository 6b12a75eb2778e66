"""Inventory in the analytics: loading, buy-backs, the net result with unsold stock valued
as the plan's buy-back would value it, and the 70% rule from modelled use and sales.

Hand-worked cases use simulations whose stock flows are forced: one founder and, where
an upline is needed, one recruit (a market of two people with a recruiting rate that
cannot miss), orders of a fixed size every month, starter packages everyone buys, and
quitting forced by the quit table and the plan's ranks (the founder reaches a rank whose
quit multiplier is 0; the recruit does not). Every amount is worked out below to the cent.
"""

from __future__ import annotations

import math
import warnings
from decimal import Decimal
from fractions import Fraction

import downline as dl
import polars as pl
import pytest
from conftest import BASELINE_TOML, EXAMPLES
from downline import analytics as an
from downline.report import load_result, save_result

# ------------------------------------------------------------------ forced stock flows

#: A founder and the one recruit the market leaves room for. Ranks: Leader needs one
#: active recruit, which only the founder ever has. Unilevel 10% on level 1.
TWO_PLAN = {
    "name": "two",
    "ranks": [{"name": "Member"}, {"name": "Leader", "active_legs": 1}],
    "bonus": [{"kind": "unilevel", "levels": ["0.10"]}],
    "costs": {"enrollment_fee": "25.00"},
    "buyback": {"refund_share": "0.9", "within_months": 12},
}


def two_scenario(**inventory) -> dict:
    """Founder joins in month 1 and recruits the only other person in month 2 (rate 50 in
    a market of 2). Quit table [0, 1]: everyone quits at the start of their second month
    after joining, times the quit multiplier of the highest rank reached — 0 for Leader
    (the founder, from month 2), 1 for Member (the recruit, who quits at the start of
    month 4). Everyone orders 100.00 every month, half of it used; a 500.00 starter
    package each; expenses 10.00 a month."""
    return {
        "market": {"founders": 1, "size": 2},
        "recruitment": {"rate": 50.0},
        "attrition": {"monthly_quit": [0.0, 1.0], "rank_multiplier": [1.0, 0.0]},
        "purchases": {"probability": 1.0, "mean": 100.0, "sigma": 0.0,
                      "consumed_share": 0.5},
        "expenses": {"monthly": 10.0},
        "inventory": {"packages": [{"cost": 500.0, "share": 1.0}], "buyback_share": 1.0,
                      **inventory},
    }


def simulate_two(plan: dict | None = None, months: int = 6, seed: int = 1, **inventory):
    return dl.simulate(dl.Plan.from_dict(plan or TWO_PLAN),
                       dl.Scenario.from_dict(two_scenario(**inventory)),
                       months=months, runs=1, seed=seed)


def by_id(df: pl.DataFrame) -> dict[int, dict]:
    return {r["id"]: r for r in df.sort("id").iter_rows(named=True)}


@pytest.fixture(scope="module")
def two():
    return simulate_two()


def test_the_forced_flows_are_what_the_hand_working_assumes(two):
    """Founder (id 0), 6 months: package 500 + 6 orders of 100 = 1,100.00 bought, 300.00
    used, 800.00 stocked and still held; paid 10% of the recruit's 600 PV in month 2 and
    100 PV in month 3 = 70.00, of which 60.00 is charged back when the recruit's 600.00 of
    stock (carrying 600 PV) comes back in month 4. Recruit (id 1): joined in month 2, quit
    in month 4; package 500 + 2 orders = 700.00 bought, 100.00 used, 600.00 stocked, all
    bought back (within 12 months), 540.00 refunded."""
    d = by_id(two.distributors)
    f, r = d[0], d[1]
    money = lambda x: Decimal(x)
    assert (f["join_month"], f["quit_month"], r["join_month"], r["quit_month"]) == (1, None, 2, 4)
    assert r["sponsor"] == 0 and f["max_rank"] == "Leader" and r["max_rank"] == "Member"
    assert [f[k] for k in ("purchases", "consumed", "stock_bought", "stock", "earnings",
                           "chargebacks", "fees", "expenses")] == [
        money(x) for x in ("1100", "300", "800", "800", "70", "60", "25", "60")]
    assert [r[k] for k in ("purchases", "consumed", "stock_bought", "bought_back", "refunds",
                           "stock", "fees", "expenses")] == [
        money(x) for x in ("700", "100", "600", "600", "540", "0", "25", "20")]


def test_net_with_stock_valued_as_the_buyback_would(two):
    """net = earnings − chargebacks + retail margin − fees − expenses
           − (stock bought − sold from stock − refunds − stock value).
    Founder: still in, 800.00 held, worth 0.9 × 800 = 720.00 under the buy-back:
        70 − 60 + 0 − 25 − 60 − (800 − 0 − 0 − 720) = −155.00.
    Recruit: quit, nothing held: 0 − 0 + 0 − 25 − 20 − (600 − 0 − 540 − 0) = −105.00."""
    n = by_id(an.participant_net(two))
    assert (n[0]["stock_value"], n[0]["inventory_loading"], n[0]["unrecovered_stock"]) == (
        720.0, 800.0, 80.0)
    assert (n[0]["costs"], n[0]["net"], n[0]["outcome"]) == (225.0, -155.0, "loss")
    assert (n[1]["stock_value"], n[1]["inventory_loading"], n[1]["unrecovered_stock"]) == (
        0.0, 600.0, 60.0)
    assert (n[1]["costs"], n[1]["net"]) == (105.0, -105.0)
    assert n[0]["excess_purchases"] == n[0]["unrecovered_stock"]
    # The same in cash: earnings − chargebacks + sold + refunds + consumed + stock value
    # − purchases − fees − expenses: 70 − 60 + 0 + 0 + 300 + 720 − 1100 − 25 − 60 = −155.
    assert 70 - 60 + 0 + 0 + 300 + 720 - 1100 - 25 - 60 == n[0]["net"]
    # Stock held at cost (the most favourable reading) and at nothing:
    cost = by_id(an.participant_net(two, stock_value="cost"))
    none = by_id(an.participant_net(two, stock_value="none"))
    assert (cost[0]["net"], none[0]["net"]) == (-75.0, -875.0)
    assert cost[1]["net"] == none[1]["net"] == -105.0
    # Without the modelled stock: half of every purchase a cost, no charge-back counted:
    # founder 70 − 25 − 60 − 0.5 × 1100 = −565; recruit −25 − 20 − 0.5 × 700 = −395.
    old = by_id(an.participant_net(two, inventory=False))
    assert (old[0]["net"], old[1]["net"]) == (-565.0, -395.0)
    assert "stock_value" not in an.participant_net(two, inventory=False).columns


def test_net_results_and_the_disclosure_use_the_modelled_net(two):
    nr = an.net_results(two, per_run=True).row(0, named=True)
    assert nr["people"] == 2 and nr["share_loss"] == 1.0
    assert nr["mean_net"] == pytest.approx((-155 - 105) / 2, abs=1e-9)
    assert nr["mean_chargebacks"] == 30.0 and nr["mean_refunds"] == 270.0
    assert nr["mean_inventory_loading"] == 700.0 and nr["mean_stock_value"] == 360.0
    assert nr["mean_excess_purchases"] == pytest.approx((80 + 60) / 2, abs=1e-9)
    disc = {r["rank"]: r for r in an.income_disclosure(two, per_run=True).iter_rows(named=True)}
    assert disc["Leader"]["mean_net"] == -155.0 and disc["Member"]["mean_net"] == -105.0
    assert "modelled stock" in disc["Leader"]["basis"]


def test_a_buyback_window_leaves_older_stock_with_the_quitter():
    """within_months = 1: of the recruit's 600.00, only month 3's 50.00 was bought in the
    last month before quitting in month 4: 50.00 comes back (45.00 refunded, 5.00 — 10% of
    its 50 PV — charged back from the founder), 550.00 stays with the quitter, worth
    nothing to the company:
        recruit: −25 − 20 − (600 − 0 − 45 − 0) = −600.00; at cost: −25 − 20 − 5 = −50.00.
    The founder, still in, holds 800.00 bought over six months: the valuation does not
    apply the window to people still in (an upper bound): 0.9 × 800 = 720.00, and
        70 − 5 − 25 − 60 − (800 − 720) = −100.00."""
    plan = {**TWO_PLAN, "buyback": {"refund_share": "0.9", "within_months": 1}}
    res = simulate_two(plan)
    d = by_id(res.distributors)
    assert [d[1][k] for k in ("bought_back", "refunds", "stock")] == [
        Decimal(50), Decimal(45), Decimal(550)]
    assert d[0]["chargebacks"] == Decimal(5)
    n = by_id(an.participant_net(res))
    assert (n[1]["stock_value"], n[1]["unrecovered_stock"], n[1]["net"]) == (0.0, 555.0, -600.0)
    assert (n[0]["stock_value"], n[0]["net"]) == (720.0, -100.0)
    assert by_id(an.participant_net(res, stock_value="cost"))[1]["net"] == -50.0
    s = an.inventory_summary(res, per_run=True).row(0, named=True)
    assert s["stock_held_at_quitting"] == Decimal(550)
    assert s["share_quitters_holding"] == 1.0 and s["quitters"] == 1
    # A plan without [buyback]: nothing comes back, and stock held is worth nothing.
    res = simulate_two({k: v for k, v in TWO_PLAN.items() if k != "buyback"})
    n = by_id(an.participant_net(res))
    assert (n[0]["stock_value"], n[0]["net"]) == (0.0, 70 - 0 - 25 - 60 - 800.0)
    assert (n[1]["unrecovered_stock"], n[1]["net"]) == (600.0, -645.0)
    assert an.buyback_policy(res) is None


def test_the_buyback_value_is_rounded_once_half_away_from_zero():
    """0.9 × 850.05 = 765.045 → 765.05 (the core's rounding of a refund)."""
    plan = {**TWO_PLAN, "buyback": {"refund_share": "0.9"}}
    scen = two_scenario()
    scen["purchases"]["mean"] = 100.01       # 50.005 used → 50.01 (rounded by the core)
    res = dl.simulate(dl.Plan.from_dict(plan), dl.Scenario.from_dict(scen), months=6,
                      runs=1, seed=1)
    f = by_id(res.distributors)[0]
    # stocked each month: 100.01 − 50.01 = 50.00; 500 package + 6 × 50 = 800.00
    assert f["stock"] == Decimal("800.00")
    plan["buyback"]["refund_share"] = "0.95"
    res = dl.simulate(dl.Plan.from_dict(plan), dl.Scenario.from_dict(scen), months=6,
                      runs=1, seed=1)
    n = by_id(an.participant_net(res))
    assert n[0]["stock_value"] == 760.0      # 0.95 × 800
    scen["inventory"]["packages"] = [{"cost": 550.05, "share": 1.0}]
    res = dl.simulate(dl.Plan.from_dict(plan), dl.Scenario.from_dict(scen), months=6,
                      runs=1, seed=1)
    assert by_id(res.distributors)[0]["stock"] == Decimal("850.05")
    # 0.95 × 850.05 = 807.5475 → 807.55
    assert by_id(an.participant_net(res))[0]["stock_value"] == 807.55


def test_inventory_summary_of_the_forced_flows(two):
    """Company: packages 1,000; stocked 550 + 600 + 100 + 3 × 50 = 1,400; 600 bought back,
    540 refunded, 60 charged back; 800 held at the end. People: loading 800 and 600 (both
    above 500, neither above 1,000); the 70% rule: 300 of 1,100 and 100 of 700 used, no
    sales — nobody meets it, and the company's share is 400 ÷ 1,800."""
    s = an.inventory_summary(two, per_run=True).row(0, named=True)
    expect = {"packages": "1000", "stock_bought": "1400", "sold_from_stock": "0",
              "bought_back": "600", "refunds": "540", "chargebacks": "60",
              "stock_held_end": "800"}
    for k, v in expect.items():
        assert s[k] == Decimal(v), k
    assert s["refund_rate"] == 0.9 and s["bought_back_share"] == 600 / 1400
    assert (s["people"], s["buyers"], s["quitters"]) == (2, 2, 1)
    assert s["package_share"] == 1.0
    assert (s["purchases"], s["consumed"]) == (Decimal(1800), Decimal(400))
    assert s["inventory_loading"] == 1400.0 and s["loading_share"] == 1400 / 1800
    assert (s["mean_loading"], s["median_loading"]) == (700.0, 700.0)
    assert s["share_loading_over_500"] == 1.0 and s["share_loading_over_1000"] == 0.0
    assert s["share_quitters_holding"] == 0.0 and s["mean_loading_quitters"] == 600.0
    assert s["mean_unrecovered_stock"] == 70.0
    assert s["share_meeting_70"] == 0.0
    assert s["company_used_or_sold_share"] == 400 / 1800
    t = an.inventory_summary(two, loading_thresholds=(650,))
    assert t.filter(pl.col("metric") == "share_loading_over_650")["mean"][0] == 0.5
    p = by_id(an.inventory_people(two))
    assert (p[0]["bought"], p[0]["used_or_sold"], p[0]["meets_70"]) == (1100.0, 300.0, False)
    assert p[0]["used_or_sold_share"] == 300 / 1100
    c = {r["check"]: r for r in an.compliance(two).iter_rows(named=True)}
    assert c["amway_70_sold_or_consumed"]["figure"] == pytest.approx(400 / 1800, abs=1e-12)
    assert "modelled" in c["amway_70_sold_or_consumed"]["note"]
    assert c["amway_70_commissions_to_compliant"]["figure"] == 0.0
    # the assumed 50% of chosen orders instead: (0 + 0.5 × 1,800) ÷ 1,800
    old = {r["check"]: r for r in an.compliance(two, inventory=False).iter_rows(named=True)}
    assert old["amway_70_sold_or_consumed"]["figure"] == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize(("consumed", "meets"), [(0.7, True), (0.69, False)])
def test_the_70_percent_rule_is_exact_at_the_threshold(consumed, meets):
    """Orders of 100.00 a month, 70.00 used: exactly 70% — the rule is met (≥), even
    though 0.7 × 600.0 is 419.99999999999994 in floating point. At 69.00, not met."""
    scen = two_scenario(packages=[])
    scen["purchases"]["consumed_share"] = consumed
    res = dl.simulate(dl.Plan.from_dict(TWO_PLAN), dl.Scenario.from_dict(scen), months=6,
                      runs=1, seed=1)
    p = by_id(an.inventory_people(res))
    assert p[0]["bought"] == 600.0 and p[0]["used_or_sold"] == round(600 * consumed, 2)
    assert p[0]["meets_70"] is meets and p[1]["meets_70"] is meets
    s = an.inventory_summary(res, per_run=True).row(0, named=True)
    assert s["share_meeting_70"] == (1.0 if meets else 0.0)
    assert s["package_share"] == 0.0
    c = an.compliance(res, per_run=True).filter(
        pl.col("check") == "amway_70_commissions_to_compliant")
    assert c["figure"][0] == (1.0 if meets else 0.0)


# ------------------------------------------------- a kit sold from stock, then returned

KIT_PLAN = {"name": "kit", "bonus": [{"kind": "retail", "markup": "0.25"}],
            "buyback": {"refund_share": "0.9", "within_months": 12}}
KIT_SCENARIO = {
    "market": {"founders": 1},
    "recruitment": {"rate": 0.0},
    "attrition": {"monthly_quit": [0.0, 0.0, 1.0]},
    "purchases": {"probability": 0.0},
    "customers": {"acquisition_rate": 2.0, "churn": 0.0, "order_probability": 1.0,
                  "order_mean": 60.0, "order_sigma": 0.0},
    "inventory": {"packages": [{"cost": 1000.0, "share": 1.0}], "buyback_share": 1.0},
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_kit_partly_sold_then_bought_back(seed):
    """One founder buys a 1,000.00 kit and orders nothing else; customers order 60.00 at
    retail (48.00 at wholesale, 12.00 of margin). Month 1's orders come before the kit and
    go to the company (customer volume); later ones are served from the kit. The founder
    quits in month 4 and returns the rest at 90%. With N orders, k of them from stock:
        loading = 1,000 − 48k; refund = round(0.9 × (1,000 − 48k));
        net = 12N − (1,000 − 48k − refund) (no fees, no expenses, still held: nothing);
        70% rule: (C + 48k) ÷ (C + 1,000), C = the orders the company served."""
    res = dl.simulate(dl.Plan.from_dict(KIT_PLAN), dl.Scenario.from_dict(KIT_SCENARIO),
                      months=6, runs=1, seed=seed)
    d = by_id(res.distributors)[0]
    sold, company = d["sold_from_stock"], d["customer_volume"]
    assert sold % 48 == 0 and company % 48 == 0 and 0 < sold <= 1000 - 48
    k, n_orders = int(sold / 48), int((sold + company) / 48)
    refund = (Decimal(1000) - sold) * Decimal("0.9")
    refund = refund.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert d["refunds"] == refund and d["stock"] == 0 and d["quit_month"] == 4
    net = by_id(an.participant_net(res))[0]
    assert net["inventory_loading"] == 1000 - 48 * k
    assert net["net"] == float(12 * n_orders - (1000 - 48 * k) + refund)
    p = by_id(an.inventory_people(res))[0]
    assert p["customer_sales"] == float(company)
    assert p["used_or_sold"] == float(company + sold)
    assert p["used_or_sold_share"] == pytest.approx(float((company + sold) / (company + 1000)))
    assert p["meets_70"] is ((company + sold) * 10 >= (company + 1000) * 7)
    s = an.inventory_summary(res, per_run=True).row(0, named=True)
    assert s["sold_from_stock"] == sold and s["sold_share"] == float(sold) / 1000
    # what was sold from stock is a retail sale in the Herbalife and Vemma checks
    c = {r["check"]: r["figure"] for r in an.compliance(res).iter_rows(named=True)}
    assert c["vemma_nonparticipant_share"] == pytest.approx(
        float((company + sold) / (company + 1000)))
    old = {r["check"]: r["figure"] for r in an.compliance(res, inventory=False).iter_rows(
        named=True)}
    assert old["vemma_nonparticipant_share"] == pytest.approx(
        float(company / (company + 1000)))


# ------------------------------------------------------------ a company with stock


@pytest.fixture(scope="module")
def company():
    """The Mary Kay–style career path with its buy-back under the inventory-loading
    example, 12 months, 3 runs, 2 of them kept."""
    plan = dl.Plan.load(EXAMPLES / "plans" / "career_path.toml")
    scen = dl.Scenario.load(EXAMPLES / "scenarios" / "inventory_loading.toml")
    return dl.simulate(plan, scen, months=12, runs=3, seed=5, keep_distributors=2)


def test_the_stock_adds_up_person_by_person_and_month_by_month(company):
    d = company.distributors
    assert d.filter(pl.col("purchases") != pl.col("consumed") + pl.col("stock_bought")).height == 0
    assert d.filter(pl.col("stock_bought") != pl.col("sold_from_stock") + pl.col("bought_back")
                    + pl.col("stock")).height == 0
    s = an.inventory_summary(company, per_run=True)
    assert s.height == 3 and s["people"].null_count() == 1
    m = company.monthly
    for run in an.kept_runs(company):
        people = d.filter(pl.col("run") == run)
        row = s.filter(pl.col("run") == run).row(0, named=True)
        for total, col in [("stock_bought", "stock_bought"), ("sold_from_stock", "sold_from_stock"),
                           ("bought_back", "bought_back"), ("refunds", "refunds"),
                           ("chargebacks", "chargebacks"), ("packages", "package")]:
            assert row[total] == people[col].sum(), total
        assert row["stock_held_end"] == people.filter(pl.col("quit_month").is_null())[
            "stock"].sum()
        assert row["stock_held_end"] == m.filter((pl.col("run") == run)
                                                 & (pl.col("month") == 12))["stock_held"][0]
        assert Decimal(str(row["inventory_loading"])) == (people["bought_back"].sum()
                                                          + people["stock"].sum())
    assert s["refunds"].sum() > 0 and s["chargebacks"].sum() > 0


def test_the_net_is_the_cash_identity_for_everyone(company):
    """net = earnings − chargebacks + retail margin + sold from stock + refunds + consumed
    + stock value − purchases − fees − expenses, to the cent, for every person."""
    n = an.participant_net(company)
    cash = (pl.col("earnings") - pl.col("chargebacks") + pl.col("retail_profit")
            + pl.col("sold_from_stock") + pl.col("refunds") + pl.col("consumed")
            - pl.col("purchases") - pl.col("fees") - pl.col("expenses")).cast(pl.Float64)
    gap = n.select((cash + pl.col("stock_value") - pl.col("net")).abs().max()).item()
    assert gap < 1e-6
    # stock of people still in is valued at 90%, rounded half up to the cent; of quitters
    # at nothing
    still = n.filter(pl.col("quit_month").is_null() & (pl.col("stock") > 0))
    assert still.height > 0
    cent = Decimal("0.01")
    assert still["stock_value"].to_list() == [
        float((s * Decimal("0.9")).quantize(cent, rounding="ROUND_HALF_UP"))
        for s in still["stock"]]
    assert n.filter(pl.col("quit_month").is_not_null())["stock_value"].abs().max() == 0


def test_the_summary_agrees_with_the_people_and_the_checks(company):
    p = an.inventory_people(company)
    s = an.inventory_summary(company, per_run=True).drop_nulls("people")
    c = an.compliance(company, per_run=True).filter(pl.col("check") == "amway_70_sold_or_consumed")
    for row in s.iter_rows(named=True):
        q = p.filter(pl.col("run") == row["run"])
        buyers = q.filter(pl.col("bought") > 0)
        assert row["buyers"] == buyers.height
        assert row["share_meeting_70"] == buyers["meets_70"].sum() / buyers.height
        assert row["share_loading_over_500"] == (q["inventory_loading"] > 500).mean()
        assert row["company_used_or_sold_share"] == pytest.approx(
            q["used_or_sold"].sum() / q["bought"].sum(), rel=1e-12)
        assert row["company_used_or_sold_share"] == pytest.approx(
            c.filter(pl.col("run") == row["run"])["figure"][0], rel=1e-9)
    summary = {r["metric"]: r for r in an.inventory_summary(company).iter_rows(named=True)}
    assert summary["refunds"]["runs"] == 3 and summary["share_meeting_70"]["runs"] == 2
    assert 0 < summary["share_meeting_70"]["mean"] < 1
    assert 0 < summary["share_loading_over_1000"]["mean"] < summary["share_loading_over_500"][
        "mean"] < 1


def test_a_saved_result_gives_the_same_figures(company, tmp_path):
    save_result(company, tmp_path / "run")
    back = load_result(tmp_path / "run")
    assert an.inventory_summary(back).equals(an.inventory_summary(company))
    assert an.net_results(back).equals(an.net_results(company))


def test_without_the_people_the_company_figures_remain():
    plan = dl.Plan.load(EXAMPLES / "plans" / "career_path.toml")
    scen = dl.Scenario.load(EXAMPLES / "scenarios" / "inventory_loading.toml")
    res = dl.simulate(plan, scen, months=6, runs=2, seed=5, keep_distributors=False)
    s = {r["metric"]: r for r in an.inventory_summary(res).iter_rows(named=True)}
    assert s["packages"]["runs"] == 2 and s["packages"]["mean"] > 0
    assert s["share_meeting_70"]["runs"] == 0 and s["share_meeting_70"]["mean"] is None


def test_modelled_stock_with_nothing_sold_or_valued_is_the_assumed_share():
    """No packages, customers or buy-back: the stock is the unused half of each order, so
    the modelled net valuing held stock at nothing is the assumed-share net (0.5 of every
    purchase a cost) up to the core's rounding of each month's half to the cent."""
    scen = dl.Scenario.load(BASELINE_TOML).to_dict()
    scen["customers"]["acquisition_rate"] = 0.0
    scen["inventory"] = {"sell_from_stock": False}
    res = dl.simulate(dl.Plan.load(EXAMPLES / "plans" / "unilevel.toml"),
                      dl.Scenario.from_dict(scen), months=12, runs=1, seed=3)
    a = an.participant_net(res, stock_value="none")
    b = an.participant_net(res, inventory=False)
    gap = (a["net"] - b["net"]).abs()
    months = a["months_in"].cast(pl.Float64)
    assert (gap <= 0.005 * months + 1e-9).all()
    assert gap.max() > 0  # the rounding is there, and bounded


# ------------------------------------------------------------ results without stock


def test_results_without_inventory_are_unchanged(result):
    assert not an.has_inventory(result)
    net = an.participant_net(result)
    cs = 0.5
    d = result.distributors
    vol = (d["purchases"] - d["required_purchases"]).cast(pl.Float64)
    excess = d["required_purchases"].cast(pl.Float64) + (1 - cs) * vol
    expected = ((d["earnings"] + d["retail_profit"]).cast(pl.Float64)
                - d["fees"].cast(pl.Float64) - d["expenses"].cast(pl.Float64) - excess)
    assert (net["net"] - expected).abs().max() < 1e-9
    assert "stock_value" not in net.columns
    assert an.participant_net(result, inventory=False).equals(net)
    assert an.net_results(result, inventory=False).equals(an.net_results(result))
    assert "mean_chargebacks" not in an.net_results(result)["metric"].to_list()
    assert an.compliance(result, inventory=False).equals(an.compliance(result))
    with pytest.raises(an.MissingColumnError, match=r"\[inventory\]"):
        an.participant_net(result, inventory=True)
    with pytest.raises(an.MissingColumnError, match=r"\[inventory\]"):
        an.inventory_summary(result)
    with pytest.raises(an.MissingColumnError, match=r"\[inventory\]"):
        an.inventory_people(result)


def test_bad_arguments_are_refused(two):
    with pytest.raises(ValueError, match="stock_value"):
        an.participant_net(two, stock_value="market")
    with pytest.raises(ValueError, match="seventy_min"):
        an.inventory_summary(two, seventy_min=1.5)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        an.participant_net(two, consumed_share=0.3)
    assert any("not used" in str(x.message) for x in w)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        an.participant_net(two, consumed_share=0.5)  # the scenario's own: no warning


def test_the_example_scenario_cites_its_figures():
    text = (EXAMPLES / "scenarios" / "inventory_loading.toml").read_text(encoding="utf-8")
    for needle in ("dsa.org", "marykay.com", "pinktruth.com", "90", "12 months"):
        assert needle in text, needle
    scen = dl.Scenario.load(EXAMPLES / "scenarios" / "inventory_loading.toml").to_dict()
    packages = scen["inventory"]["packages"]
    assert math.isclose(sum(p["share"] for p in packages), 1.0)
    assert max(p["cost"] for p in packages) == 4800
    plan = dl.Plan.load(EXAMPLES / "plans" / "career_path.toml")
    assert an.buyback_policy(plan) == an.BuybackPolicy(Fraction(9, 10), 12, True)


# ------------------------------------------------------------ report, command line, words


def test_loading_bands_add_up_and_agree_with_the_summary(company):
    per = an.loading_bands(company, per_run=True)
    assert per.group_by("run").agg(pl.col("share").sum())["share"].to_list() == pytest.approx(
        [1.0, 1.0])
    s = an.inventory_summary(company, per_run=True).drop_nulls("people")
    for run in an.kept_runs(company):
        bands = per.filter(pl.col("run") == run)
        row = s.filter(pl.col("run") == run).row(0, named=True)
        assert bands["people"].sum() == row["people"]
        above = bands.filter(pl.col("lower") >= 500)["share"].sum()
        assert above == pytest.approx(row["share_loading_over_500"], abs=1e-12)
    bands = an.loading_bands(company)
    assert bands["band"].to_list()[0] == "none" and bands["upper"][-1] is None
    with pytest.raises(ValueError, match="edges"):
        an.loading_bands(company, edges=(500, 100))


def test_the_report_has_an_inventory_section_only_with_stock(company, result):
    from downline import report

    html = report.render_report(company)
    assert '<h2 id="inventory">Inventory and buy-backs</h2>' in html
    assert "The 70% rule from modelled use and sales" in html
    assert "Inventory loading:" in html  # the figure's title
    assert "A quitter who asks is refunded 90% of the cost of the stock" in html
    assert "no share of purchases is assumed" in html  # the net with stock
    s = {r["metric"]: r for r in an.inventory_summary(company).iter_rows(named=True)}
    assert display_share(s["share_meeting_70"]["p50"]) in html
    plain = report.render_report(result)
    assert 'id="inventory"' not in plain and "no share of purchases is assumed" not in plain
    # a consumed share given for a result with stock is not used, and the report says so
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        html = report.render_report(company, consumed_share=0.3)
    assert "The consumed share given (0.3) is not used" in html


def display_share(x: float) -> str:
    from downline.display import fmt_share

    return fmt_share(x)


def test_the_command_line_prints_the_inventory(company, result, capsys):
    from downline.cli import print_summary

    print_summary(company)
    out = capsys.readouterr().out
    assert "Inventory and buy-backs (median of the runs; at cost)" in out
    assert "buyers using or selling 70% (Amway rule)" in out
    s = {r["metric"]: r for r in an.inventory_summary(company).iter_rows(named=True)}
    assert f"{100 * s['share_loading_over_1000']['p50']:.1f}%" in out
    print_summary(result)
    assert "Inventory" not in capsys.readouterr().out
    plan = dl.Plan.load(EXAMPLES / "plans" / "career_path.toml")
    scen = dl.Scenario.load(EXAMPLES / "scenarios" / "inventory_loading.toml")
    res = dl.simulate(plan, scen, months=6, runs=2, seed=5, keep_distributors=False)
    print_summary(res)
    out = capsys.readouterr().out
    assert "refunded for it" in out and "need the per-person rows" in out


def test_the_plan_and_scenario_in_words():
    from downline import display

    plan = dl.Plan.load(EXAMPLES / "plans" / "career_path.toml")
    words = " ".join(display.plan_sentences(plan))
    assert ("refunded 90% of the cost of the stock they still hold bought within the 12 "
            "months before quitting") in words
    scen = dl.Scenario.load(EXAMPLES / "scenarios" / "inventory_loading.toml")
    text = " ".join(display.scenario_sentences(scen))
    assert "37% none; 25% 600" in text and "mean 1,026" in text
    assert "25% of those who quit holding stock ask" in text
    assert "Further settings" not in text  # [inventory] is laid out, not dumped
    assert "buy-back" not in " ".join(display.plan_sentences(
        dl.Plan.load(EXAMPLES / "plans" / "unilevel.toml")))
