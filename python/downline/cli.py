"""The ``downline`` command line.

    downline validate PLAN [--scenario SCENARIO]
    downline simulate PLAN SCENARIO [--months 36] [--runs 200] [--seed 7] [--threads N]
                                    [--keep-runs K] [--out DIR] [--cost-of-goods S]
    downline report DIR [--html FILE] [--consumed-share 0.5] [--cost-of-goods S]
    downline compare PLAN PLAN... --scenario SCENARIO [--months 36] [--runs 100] [--seed 7]
                                 [--csv FILE] [--html FILE] [--keep-runs K]
    downline sweep PLAN SCENARIO --grid PATH=V1,V2,... [--grid ...] [--months 36] [--runs 50]
                                 [--seed 7] [--out DIR] [--distributors] [--scheduler ADDRESS]

``simulate --out DIR`` writes one Parquet file per table, each with the seed, the package
version, the months, the runs, a run id and the SHA-256 of the plan and of the scenario in
its file metadata, ``plan.json`` / ``scenario.json`` beside them and a ``manifest.json``
with every file's SHA-256: ``report DIR`` needs nothing else, and refuses a directory that
is not one whole result. DIR is written whole (into a new directory renamed into place), so
an interrupted write leaves the old result or none. Bad input exits with status 2 and a
one-line reason naming the field to fix.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

import downline as dl
from downline.api import DEFAULT_SEED
from downline.display import has_host_rewards


def _money(x: float) -> str:
    return f"{x:,.0f}"


#: Who pays a bonus kind, and to whom, in the summary's per-bonus lines. Commissions (the
#: payout) are "company → distributors"; host rewards are paid by the company to party
#: hosts, who are customers, and are not part of the commissions.
_PAID_BY = {
    "retail": "customers → distributors (retail margin, not commissions)",
    "host_rewards": "company → hosts (not commissions)",
}


#: Help of ``--cost-of-goods``.
COST_OF_GOODS_HELP = (
    "cost of the product as a share of the company's revenue, for the company's books, "
    "e.g. 0.25 (supplement and skin-care companies report 0.17-0.26, Tupperware 0.33; "
    "default: the plan's, else the books stop before the cost of goods)")


#: The one definition of "lost money", as in the report and the result's display:
#: analytics.participant_net (fees, expenses and purchases beyond own use above gross).
LOST_MONEY = "lost money (costs incl. purchases > pay)"
#: The core's per-run figure, which counts no purchase as a cost, labelled as what it is.
CORE_LOSS = "fees + expenses > pay (purchases not counted)"


def lost_money(res: dl.SimulationResult) -> dict[str, float] | None:
    """``p05, p50, p95`` across the kept runs of the share who lost money
    (:func:`downline.analytics.net_results`), or None without per-person rows."""
    from downline import analytics

    try:
        t = analytics.net_results(res).filter(pl.col("metric") == "share_loss")
    except (analytics.MissingColumnError, ValueError):
        return None
    return t.select("p05", "p50", "p95").row(0, named=True)


def print_books(res: dl.SimulationResult, cost_of_goods: Any = None) -> None:
    """Print the company's books (:func:`downline.analytics.company_books`): median and 90%
    of runs of each line, and where the plan makes the company lose money. Without a cost
    of goods (given, or the plan's) the books stop before it, and say so."""
    from downline.report import books_breakeven_words, books_for, books_losses_words

    cur = res.plan.currency
    try:
        books, known = books_for(res, cost_of_goods)
    except ValueError as e:
        why = ("the plan's annual fees need the per-person rows, which were not kept "
               "(leave out --keep-runs 0)" if "per-person rows" in str(e)
               else " ".join(str(e).split()))
        print(f"The company's books: not available ({why})")
        return
    s = {r["metric"]: r for r in books.summary.iter_rows(named=True)}
    which = (f"cost of goods {100 * books.cost_of_goods:g}% of revenue" if known
             else "before the cost of goods: give it with --cost-of-goods S")
    k = len(books.runs)
    runs = ("" if k == res.n_runs
            else f"; the {k} run{'s' if k > 1 else ''} with per-person rows")
    print(f"The company's books (median of the runs; {which}{runs})")

    def line(label: str, key: str, fmt) -> None:
        r = s[key]
        print(f"  {label:<44} {fmt(r['p50']):>14}   (90% of runs: {fmt(r['p05'])} to "
              f"{fmt(r['p95'])})")

    pct = lambda v: f"{100 * v:.1f}%"
    line(f"revenue at the company's prices, {cur}", "revenue", _money)
    line(f"fees collected, {cur}", "fees", _money)
    if known:
        line(f"cost of goods, {cur}", "cost_of_goods", _money)
    line(f"commissions, {cur}", "commissions", _money)
    if has_host_rewards(res.plan):
        line(f"host rewards, {cur}", "host_rewards", _money)
    for col, label in (("refunds", "refunds for returned product"),
                       ("chargebacks", "commissions charged back")):
        if col in res.monthly.columns:
            line(f"{label}, {cur}", col, _money)
    what = "margin left to the company" if known else "margin before the cost of goods"
    line(f"{what}, {cur}", "margin", _money)
    line(f"{what} ÷ revenue", "margin_share", pct)
    if known:
        line("cost of goods at which the margin is zero", "breakeven_cost_of_goods", pct)
    line("months in which the company lost money", "loss_months", lambda v: f"{v:,.0f}")
    print("  " + books_losses_words(books))
    if not known:
        print("  " + books_breakeven_words(books))


def print_inventory(res: dl.SimulationResult) -> None:
    """Print the stock, inventory loading, buy-backs and the 70% rule
    (:func:`downline.analytics.inventory_summary`) of a result simulated with the scenario's
    ``[inventory]``: median and 90% of runs. Nothing for a result without stock."""
    from downline import analytics

    if not analytics.has_inventory(res):
        return
    cur = res.plan.currency
    s = {r["metric"]: r for r in analytics.inventory_summary(res).iter_rows(named=True)}
    print("Inventory and buy-backs (median of the runs; at cost)")

    def line(label: str, key: str, fmt) -> None:
        r = s[key]
        if not r["runs"]:
            return
        print(f"  {label:<44} {fmt(r['p50']):>14}   (90% of runs: {fmt(r['p05'])} to "
              f"{fmt(r['p95'])})")

    pct = lambda v: f"{100 * v:.1f}%"
    line(f"starter packages bought, {cur}", "packages", _money)
    line(f"added to stock, {cur}", "stock_bought", _money)
    line(f"sold from stock to retail customers, {cur}", "sold_from_stock", _money)
    line(f"bought back from quitters, {cur}", "bought_back", _money)
    line(f"refunded for it, {cur}", "refunds", _money)
    line(f"commissions charged back on it, {cur}", "chargebacks", _money)
    line(f"stock held by participants at the end, {cur}", "stock_held_end", _money)
    if not s["share_loading_over_500"]["runs"]:
        print("  inventory loading and the 70% rule need the per-person rows, which were not "
              "kept (leave out --keep-runs 0)")
        return
    line(f"bought, neither used nor sold: over 500 {cur}", "share_loading_over_500", pct)
    line(f"bought, neither used nor sold: over 1,000 {cur}", "share_loading_over_1000", pct)
    line("buyers using or selling 70% (Amway rule)", "share_meeting_70", pct)
    line("all bought through participants: used/sold", "company_used_or_sold_share", pct)


def print_summary(res: dl.SimulationResult, seconds: float | None = None,
                  cost_of_goods: Any = None) -> None:
    """Print a readable summary of a simulation (``cost_of_goods``: for the company's
    books, a share of revenue)."""
    plan, scen = res.plan, res.scenario
    s = {r["metric"]: r for r in res.summary().iter_rows(named=True)}
    cur = plan.currency
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    print(f"{plan.name} under {scen.to_dict().get('name') or 'scenario'}: "
          f"{res.n_runs} runs × {res.months} months, seed {res.seed}{took}")
    print()

    def line(label: str, key: str, fmt) -> None:
        r = s[key]
        print(f"  {label:<44} {fmt(r['p50']):>14}   (90% of runs: {fmt(r['p05'])} to {fmt(r['p95'])})")

    pct = lambda v: f"{100 * v:.1f}%"
    num = lambda v: f"{v:,.0f}"
    print("The company (median of the runs)")
    line("payout ratio (commissions ÷ volume value)", "payout_ratio", pct)
    line(f"volume value, {cur}", "volume_value", _money)
    line(f"commissions paid, {cur}", "payout", _money)
    line(f"withheld by the cap, {cur}", "capped", _money)
    if has_host_rewards(plan) and "host_rewards" in s:
        line(f"host rewards to party hosts, {cur}", "host_rewards", _money)
    print_books(res, cost_of_goods)
    print("The people (median of the runs)")
    line("everyone who ever joined", "ever_joined", num)
    line("still in at the end", "active_end", num)
    line("paid nothing by the company", "share_earning_nothing", pct)
    loss = lost_money(res)
    if loss is not None:
        s["_lost_money"] = loss
        line(LOST_MONEY, "_lost_money", pct)
    line(CORE_LOSS, "share_net_loss", pct)
    line(f"median commissions per person, {cur}", "median_earnings", lambda v: f"{v:,.2f}")
    line(f"mean commissions per person, {cur}", "mean_earnings", lambda v: f"{v:,.2f}")
    line("share of commissions to the top 1%", "top1_share", pct)
    print_inventory(res)
    kinds = {name: kind for name, kind, _ in plan.bonuses}
    by_bonus = (
        res.bonuses.group_by("bonus", maintain_order=True)
        .agg(pl.col("amount").cast(pl.Float64).sum() / res.n_runs)
    )
    print(f"Per bonus, mean over runs ({cur}; who pays → who is paid)")
    for name, amount in by_bonus.iter_rows():
        who = _PAID_BY.get(kinds.get(name) or "", "company → distributors")
        print(f"  {name:<44} {_money(amount):>14}   {who}")


def _cmd_validate(a: argparse.Namespace) -> int:
    plan = dl.Plan.load(a.plan)
    print(f"ok: {plan!r}")
    for w in plan.warnings:
        print(f"warning: {w}")
    if a.scenario:
        scen = dl.Scenario.load(a.scenario)
        print(f"ok: {scen!r}")
    return 0


def _cmd_simulate(a: argparse.Namespace) -> int:
    plan = dl.Plan.load(a.plan)
    scen = dl.Scenario.load(a.scenario)
    if a.out is not None:  # refused before the simulation, not after it: '' included
        from downline.report import check_save_target

        check_save_target(a.out)
    if a.cost_of_goods is not None:  # refused before the simulation, not after it
        from downline.analytics import _share_of_revenue

        _share_of_revenue(a.cost_of_goods)
    keep = True if a.keep_runs is None else a.keep_runs
    t0 = time.perf_counter()
    res = dl.simulate(plan, scen, months=a.months, runs=a.runs, seed=a.seed,
                      threads=a.threads, keep_distributors=keep,
                      progress=sys.stderr.isatty())
    seconds = time.perf_counter() - t0
    print_summary(res, seconds, a.cost_of_goods)
    if a.out is not None:
        from downline.report import save_result

        paths = save_result(res, a.out)
        print()
        print(f"Wrote {len(paths)} Parquet files to {a.out}/: " + ", ".join(p.name for p in paths)
              + "; plan.json, scenario.json, manifest.json")
        print(f"Make a report with: downline report {a.out}")
    return 0


def _cmd_report(a: argparse.Namespace) -> int:
    from downline.report import load_result, write_report

    res = load_result(a.dir)
    out = Path(a.html) if a.html else Path(a.dir) / "report.html"
    if out.is_dir():
        raise ValueError(f"--html {out}: is a directory; give a file name such as report.html")
    if not out.parent.is_dir():
        raise ValueError(f"--html {out}: the directory {out.parent} does not exist")
    _use_agg()
    t0 = time.perf_counter()
    write_report(res, out, consumed_share=a.consumed_share, cost_of_goods=a.cost_of_goods)
    print(f"Wrote {out} ({out.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")
    return 0


def _use_agg() -> None:
    # The command line never opens a window: draw off screen.
    import matplotlib

    matplotlib.use("Agg")


_COMPARE_METRICS = [
    ("payout_ratio", "payout ratio (commissions ÷ volume value)", "share"),
    ("payout", "commissions paid by the company", "money"),
    ("volume_value", "volume value", "money"),
    ("capped", "withheld by the cap", "money"),
    ("share_earning_nothing", "paid nothing by the company", "share"),
    ("share_net_loss", "fees + expenses above earnings + retail margin (purchases not counted)",
     "share"),
    ("median_earnings", "median commissions per person", "cents"),
    ("mean_earnings", "mean commissions per person", "cents"),
    ("top1_share", "share of commissions to the top 1%", "share"),
    ("ever_joined", "everyone who ever joined", "count"),
    ("active_end", "still in at the end", "count"),
]


def _fmt(v: Any, kind: str, signed: bool = False) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    sign = "+" if signed and v > 0 else ""
    if kind == "share":
        return f"{sign}{100 * v:.2f} pp" if signed else f"{100 * v:.1f}%"
    if kind == "cents":
        return f"{sign}{v:,.2f}"
    return f"{sign}{v:,.0f}"


def _cmd_compare(a: argparse.Namespace) -> int:
    from downline import analytics

    if len(a.plans) < 2:
        raise ValueError("compare: give at least two plan files")
    plans = [dl.Plan.load(p) for p in a.plans]
    scen = dl.Scenario.load(a.scenario)
    t0 = time.perf_counter()
    metrics = list(_COMPARE_METRICS)
    if a.html:
        # the per-person rows are kept for the report, so "lost money" has its one meaning
        k = next(i for i, (m, _, _) in enumerate(metrics) if m == "share_earning_nothing") + 1
        metrics.insert(k, ("share_losing_money", LOST_MONEY, "share"))
        out = Path(a.html)
        if out.is_dir() or not out.parent.is_dir():
            raise ValueError(f"--html {out}: give a file name in an existing directory")
        _use_agg()
    if any(has_host_rewards(p) for p in plans):
        k = next(i for i, (m, _, _) in enumerate(metrics) if m == "capped") + 1
        metrics.insert(k, ("host_rewards", "host rewards paid to party hosts (not commissions)",
                           "money"))
    keep = (True if a.keep_runs is None else a.keep_runs) if a.html else False
    specs = {m: (analytics._share_losing_money if m == "share_losing_money" else m)
             for m, _, _ in metrics}
    cmp = analytics.compare(plans, scen, months=a.months, runs=a.runs, seed=a.seed,
                            metrics=specs, threads=a.threads, keep_distributors=keep)
    table = cmp.table
    seconds = time.perf_counter() - t0
    cur = plans[0].currency
    names = table.filter(pl.col("metric") == "payout_ratio")["plan"].to_list()
    print(f"{len(plans)} plans under {scen.to_dict().get('name') or 'scenario'}: {a.runs} runs × "
          f"{a.months} months, seed {a.seed}, the same simulated people for every plan "
          f"({seconds:.1f} s)")
    for i, (path, name) in enumerate(zip(a.plans, names)):
        print(f"  [{i}] {name}  ({path})")
    print()
    print("Per metric: the median across runs (90% of runs), and for each plan after the "
          "first the mean of its per-run differences from [0] with a 95% interval. "
          f"Money in {cur}.")
    width = max(len(n) for n in names) + 4
    for metric, label, kind in metrics:
        rows = table.filter(pl.col("metric") == metric).sort("plan_index")
        print()
        print(label)
        for r in rows.iter_rows(named=True):
            name = f"[{r['plan_index']}] {r['plan']}"
            line = (f"  {name:<{width}} {_fmt(r['p50'], kind):>14}   "
                    f"({_fmt(r['p05'], kind)} to {_fmt(r['p95'], kind)})")
            if r["plan_index"] > 0:
                line += (f"   vs [0]: {_fmt(r['diff_mean'], kind, True)} "
                         f"[{_fmt(r['diff_low'], kind, True)}, {_fmt(r['diff_high'], kind, True)}]")
            print(line)
    if a.csv:
        table.write_csv(a.csv)
        print()
        print(f"Wrote {a.csv}")
    if a.html:
        t1 = time.perf_counter()
        cmp.write_report(a.html)
        print()
        print(f"Wrote {a.html} ({Path(a.html).stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - t1:.1f} s")
    return 0


def _grid_value(text: str) -> Any:
    t = text.strip()
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    for kind in (int, float):
        try:
            return kind(t)
        except ValueError:
            pass
    return t


def _parse_grid(items: Sequence[str]) -> dict[str, list[Any]]:
    grid: dict[str, list[Any]] = {}
    for item in items:
        path, eq, values = item.partition("=")
        if not eq or not path.strip() or not values.strip():
            raise ValueError(f"--grid {item!r}: write PATH=V1,V2,... e.g. "
                             "recruitment.scale=0.5,1,1.5")
        if path.strip() in grid:
            raise ValueError(f"--grid: {path.strip()} is given twice")
        grid[path.strip()] = [_grid_value(v) for v in values.split(",")]
    return grid


def _cmd_sweep(a: argparse.Namespace) -> int:
    plan = dl.Plan.load(a.plan)
    scen = dl.Scenario.load(a.scenario)
    grid = _parse_grid(a.grid or [])
    client = None
    if a.scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise ValueError("--scheduler needs Dask: pip install 'downline[dask]'") from None
        client = Client(a.scheduler)
    t0 = time.perf_counter()
    try:
        sw = dl.sweep(plan, scen, grid, months=a.months, runs=a.runs, seed=a.seed,
                      client=client, out=a.out, distributors=a.distributors,
                      threads=a.threads, progress=sys.stderr.isatty())
    finally:
        if client is not None:
            client.close()
    seconds = time.perf_counter() - t0
    print(f"{plan.name} under {scen.to_dict().get('name') or 'scenario'}: "
          f"{sw.points.height} points × {a.runs} runs × {a.months} months, seed {a.seed}, "
          f"the same simulated people at every point ({seconds:.1f} s)")
    print("Mean over runs (90% of runs in brackets).")
    shown = [("payout_ratio", "payout ratio", "share"),
             ("share_paid_nothing", "paid nothing", "share"),
             ("share_net_loss", "fees+expenses > pay", "share"),
             ("ever_joined", "ever joined", "count")]
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_hide_dataframe_shape=True,
                   tbl_hide_column_data_types=True, fmt_str_lengths=40, tbl_width_chars=200):
        table = sw.points.select(
            *sw.parameters,
            *[pl.struct(f"{m}_mean", f"{m}_p05", f"{m}_p95").map_elements(
                lambda r, m=m, k=kind: (f"{_fmt(r[f'{m}_mean'], k)} "
                                        f"[{_fmt(r[f'{m}_p05'], k)}, {_fmt(r[f'{m}_p95'], k)}]"),
                return_dtype=pl.String).alias(label)
              for m, label, kind in shown if m in sw.metrics],
        )
        print(table)
    if a.out:
        _use_agg()
        report = sw.write_report(Path(a.out) / "report.html")
        print(f"Wrote {a.out}/: points.parquet, runs/ (one file per point)"
              + (", distributors/" if a.distributors else "") + f"; {report.name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="downline",
        description="Simulate what a multi-level compensation plan will really pay, to whom, "
        "and how many people stay or lose money.",
        epilog="Example: downline simulate examples/plans/unilevel.toml "
        "examples/scenarios/baseline.toml --runs 200 --out out/demo && downline report "
        "out/demo --html report.html. Bad input exits with status 2 and a one-line reason.",
    )
    sub = ap.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check a plan (and a scenario) file")
    v.add_argument("plan", help="plan file (.toml or .json)")
    v.add_argument("--scenario", help="scenario file to check as well")
    v.set_defaults(func=_cmd_validate)
    s = sub.add_parser("simulate", help="run a Monte Carlo simulation and print a summary")
    s.add_argument("plan", help="plan file (.toml or .json)")
    s.add_argument("scenario", help="scenario file (.toml or .json)")
    s.add_argument("--months", type=int, default=36, help="months per run (default 36)")
    s.add_argument("--runs", type=int, default=200, help="Monte Carlo runs (default 200)")
    s.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"master seed (default {DEFAULT_SEED}, as in Python)")
    s.add_argument("--threads", type=int, default=None, help="threads (default: all cores)")
    s.add_argument("--keep-runs", type=int, default=None,
                   help="keep per-distributor rows for the first K runs only (default: all)")
    s.add_argument("--out", metavar="DIR",
                   help="directory for the Parquet files (with the seed, version and hashes "
                   "in their metadata) and copies of the plan and scenario")
    s.add_argument("--cost-of-goods", type=float, default=None, metavar="S",
                   help=COST_OF_GOODS_HELP)
    s.set_defaults(func=_cmd_simulate)
    r = sub.add_parser(
        "report", help="write a self-contained HTML report of a `simulate --out` directory",
        description="Write one HTML file (inline figures, no network needed) from a directory "
        "written by `downline simulate PLAN SCENARIO --out DIR`: the plan and scenario in "
        "words, the company's and the participants' view, the income disclosure table, "
        "sources of money, compliance checks and the assumptions.")
    r.add_argument("dir", help="directory written by `downline simulate --out DIR`")
    r.add_argument("--html", metavar="FILE", help="report file (default: DIR/report.html)")
    r.add_argument("--consumed-share", type=float, default=None, metavar="S",
                   help="share of the orders people chose that counts as their own "
                   "consumption in net results (default: the scenario's "
                   "purchases.consumed_share, else 0.5)")
    r.add_argument("--cost-of-goods", type=float, default=None, metavar="S",
                   help=COST_OF_GOODS_HELP)
    r.set_defaults(func=_cmd_report)
    c = sub.add_parser(
        "compare", help="simulate several plans on the same people and compare them",
        description="Simulate every plan under one scenario with the same seed, so every plan "
        "sees the same simulated people (common random numbers), and print each headline "
        "figure per plan with the paired difference from the first plan and its 95% interval.")
    c.add_argument("plans", nargs="+", metavar="PLAN", help="two or more plan files")
    c.add_argument("--scenario", required=True, help="scenario file (.toml or .json)")
    c.add_argument("--months", type=int, default=36, help="months per run (default 36)")
    c.add_argument("--runs", type=int, default=100, help="Monte Carlo runs (default 100)")
    c.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"master seed (default {DEFAULT_SEED}, as in Python)")
    c.add_argument("--threads", type=int, default=None, help="threads (default: all cores)")
    c.add_argument("--csv", metavar="FILE", help="also write the comparison table as CSV")
    c.add_argument("--html", metavar="FILE",
                   help="also write the comparison report: both plans in words, the paired "
                   "differences, earnings, retention and compliance side by side")
    c.add_argument("--keep-runs", type=int, default=None, metavar="K",
                   help="with --html: keep per-person rows of the first K runs only "
                   "(default: all)")
    c.set_defaults(func=_cmd_compare)
    w = sub.add_parser(
        "sweep", help="simulate a plan over a grid of scenario (and plan) parameters",
        description="Simulate the plan at every combination of the --grid values, with the "
        "same seed at every point (common random numbers), and print the headline figures per "
        "point. With --out DIR every finished point is written whole, and the same command "
        "run again resumes where it stopped.")
    w.add_argument("plan", help="plan file (.toml or .json)")
    w.add_argument("scenario", help="scenario file (.toml or .json)")
    w.add_argument("--grid", action="append", metavar="PATH=V1,V2,...",
                   help="a parameter and its values, e.g. recruitment.scale=0.5,1,1.5 or "
                   "plan.active.min_pv=50,100 (repeat for more parameters)")
    w.add_argument("--months", type=int, default=36, help="months per run (default 36)")
    w.add_argument("--runs", type=int, default=50, help="runs per point (default 50)")
    w.add_argument("--seed", type=int, default=7, help="master seed (default 7)")
    w.add_argument("--threads", type=int, default=None, help="threads (default: all cores)")
    w.add_argument("--out", metavar="DIR",
                   help="directory for the points (resumable) and report.html")
    w.add_argument("--distributors", action="store_true",
                   help="also write per-distributor rows, one Parquet file per point (needs --out)")
    w.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (pip install "
                   "'downline[dask]')")
    w.set_defaults(func=_cmd_sweep)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (dl.PlanError, dl.ScenarioError, dl.InputError, ValueError) as e:
        msg = " ".join(str(e).split())  # one line, whatever the message
        print(f"downline: {type(e).__name__}: {msg}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"downline: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("downline: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
