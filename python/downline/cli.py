"""The ``downline`` command line.

    downline validate PLAN [--scenario SCENARIO]
    downline simulate PLAN SCENARIO [--months 36] [--runs 200] [--seed 7] [--threads N]
                                    [--keep-runs K] [--out DIR]

Bad input exits with status 2 and a one-line reason naming the field to fix.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Optional, Sequence

import polars as pl

import downline as dl


def _money(x: float) -> str:
    return f"{x:,.0f}"


def print_summary(res: dl.SimulationResult, seconds: Optional[float] = None) -> None:
    """Print a readable summary of a simulation."""
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

    pct = lambda v: f"{100 * v:.1f}%"  # noqa: E731
    num = lambda v: f"{v:,.0f}"  # noqa: E731
    print("The company")
    line("payout ratio (commissions ÷ volume value)", "payout_ratio", pct)
    line(f"volume value, {cur}", "volume_value", _money)
    line(f"commissions paid, {cur}", "payout", _money)
    line(f"withheld by the cap, {cur}", "capped", _money)
    print("The people")
    line("everyone who ever joined", "ever_joined", num)
    line("still in at the end", "active_end", num)
    line("paid nothing by the company", "share_earning_nothing", pct)
    line("lost money (fees + expenses > earnings)", "share_net_loss", pct)
    line(f"median commissions per person, {cur}", "median_earnings", lambda v: f"{v:,.2f}")
    line(f"mean commissions per person, {cur}", "mean_earnings", lambda v: f"{v:,.2f}")
    line("share of commissions to the top 1%", "top1_share", pct)
    by_bonus = (
        res.bonuses.group_by("bonus", maintain_order=True)
        .agg(pl.col("amount").cast(pl.Float64).sum() / res.n_runs)
    )
    print(f"Per bonus, mean over runs ({cur})")
    for name, amount in by_bonus.iter_rows():
        print(f"  {name:<44} {_money(amount):>14}")


def _cmd_validate(a: argparse.Namespace) -> int:
    plan = dl.Plan.load(a.plan)
    print(f"ok: {plan!r}")
    if a.scenario:
        scen = dl.Scenario.load(a.scenario)
        print(f"ok: {scen!r}")
    return 0


def _cmd_simulate(a: argparse.Namespace) -> int:
    plan = dl.Plan.load(a.plan)
    scen = dl.Scenario.load(a.scenario)
    keep = True if a.keep_runs is None else a.keep_runs
    t0 = time.perf_counter()
    res = dl.simulate(plan, scen, months=a.months, runs=a.runs, seed=a.seed,
                      threads=a.threads, keep_distributors=keep,
                      progress=sys.stderr.isatty())
    seconds = time.perf_counter() - t0
    print_summary(res, seconds)
    if a.out:
        paths = res.write_parquet(a.out)
        print()
        print(f"Wrote {len(paths)} Parquet files to {a.out}/: " + ", ".join(p.name for p in paths))
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="downline",
        description="Simulate what a multi-level compensation plan will really pay.",
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
    s.add_argument("--seed", type=int, default=7, help="master seed (default 7)")
    s.add_argument("--threads", type=int, default=None, help="threads (default: all cores)")
    s.add_argument("--keep-runs", type=int, default=None,
                   help="keep per-distributor rows for the first K runs only (default: all)")
    s.add_argument("--out", help="directory for Parquet files")
    s.set_defaults(func=_cmd_simulate)
    return ap


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (dl.PlanError, dl.ScenarioError, dl.InputError, ValueError) as e:
        print(f"downline: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("downline: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
