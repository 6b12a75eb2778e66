"""A simulation to run under a profiler (benches/PROFILE.md): one plan, one thread, no tables.

    python benches/profile_workload.py unilevel [--runs 40] [--months 36] [--seed 7]
    python benches/profile_workload.py reference [--runs 8] [--founders 1000000]
    perf record -g -o unilevel.data -- .venv/bin/python benches/profile_workload.py unilevel

A plan is a stem of examples/plans/*.toml (or a path), simulated under
examples/scenarios/baseline.toml; ``reference`` is the reference workload (README,
"Benchmark"). Per-person tables are not kept (``keep_distributors=False``), so that the
time is the month step's, not the tables'. Prints one JSON line, as the other benches.
"""

from __future__ import annotations

import argparse
import json
import warnings

import downline as dl
from benchlib import ROOT, load, reference_workload, timed_simulate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("plan", help="a stem of examples/plans/*.toml, a path, or 'reference'")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--founders", type=int, default=None,
                    help="the reference workload's founders (default 100,000)")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    if a.plan == "reference":
        plan, scen = reference_workload(a.founders)
    else:
        path = a.plan if a.plan.endswith(".toml") else ROOT / "examples" / "plans" / f"{a.plan}.toml"
        plan = dl.Plan.load(path)
        scen = dl.Scenario.load(ROOT / "examples" / "scenarios" / "baseline.toml")
    before = load()
    t = timed_simulate(plan, scen, months=a.months, runs=a.runs, seed=a.seed, threads=1,
                       keep_distributors=False)
    print(json.dumps({"plan": a.plan, "runs": a.runs, **t, "load_before": before,
                      "load_after": load()}))


if __name__ == "__main__":
    main()
