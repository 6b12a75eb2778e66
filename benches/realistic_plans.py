"""Every example plan under the baseline scenario, against the reference workload, in one run.

    python benches/realistic_plans.py [--plans unilevel,binary] [--runs 4] [--months 36]
                                      [--founders N] [--repeat 3] [--seed 7]
    python benches/realistic_plans.py --old DIR [--repeat 5]

Each plan of examples/plans/ is simulated under examples/scenarios/baseline.toml (``--runs``
runs × ``--months`` months, one thread, seed ``--seed``; ``--founders`` replaces the
scenario's 20, up to its market size of 50,000), and so is the reference workload (README,
"Benchmark": 100,000 founders, 36 months, one run, the reference plan; as
``benches/reference.py`` measures it). Both keep their per-person tables (the default of
``simulate``); the time is the wall time of the ``simulate`` call, tables included.

A round is one fresh process that times the reference workload, then each plan once
(after an untimed warm-up call). ``--repeat`` rounds are run and the median taken. One
JSON line per workload, the reference first: ``plan``, ``active_distributor_months``,
``seconds`` and ``rate`` (active distributor-months a second; medians over rounds),
``ratio_to_reference`` (median over rounds of the plan's rate ÷ the reference workload's
rate in the same process) and the 1-minute load average seen during the rounds.

With ``--old DIR`` (DIR holds an earlier build's ``downline`` package, as for
``benches/compare.py --old``), each round runs this build and that one in turn, in
alternating order, and each line adds ``old_rate``, ``old_ratio_to_reference``,
``new_over_old`` (median over rounds of new ÷ old rate) and ``same_result`` (identical
payout and volume in every round). The party plan holds no parties under the baseline:
it is timed as it runs there (its warning is silenced).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import warnings
from pathlib import Path

from benchlib import ROOT, reference_workload, run_json, scenario_with, timed_simulate

PLANS = ROOT / "examples" / "plans"
BASELINE = ROOT / "examples" / "scenarios" / "baseline.toml"


def plan_paths(spec: str | None) -> list[Path]:
    """The plans named by ``--plans``: file stems of examples/plans or paths, by commas."""
    if not spec:
        return sorted(PLANS.glob("*.toml"))
    out = []
    for name in spec.split(","):
        p = Path(name) if name.endswith(".toml") else PLANS / f"{name}.toml"
        if not p.is_file():
            raise SystemExit(f"no plan {name!r} (looked for {p})")
        out.append(p.resolve())
    return out


def worker(a: argparse.Namespace) -> None:
    """One round in this process: the reference workload, then each plan; JSON lines."""
    import downline as dl

    warnings.simplefilter("ignore")
    ref_plan, ref_scen = reference_workload(a.reference_founders)
    scen = scenario_with(dl.Scenario.load(a.scenario), a.founders)
    # Untimed warm-up: the first call pays for lazy imports and first-touch of the pools.
    timed_simulate(ref_plan, scenario_with(ref_scen, 1_000), months=3, runs=1, seed=a.seed)
    work = [("reference", ref_plan, ref_scen, 36, 1)]
    work += [(p.stem, dl.Plan.load(p), scen, a.months, a.runs) for p in plan_paths(a.plans)]
    for name, plan, s, months, runs in work:
        before = os.getloadavg()[0]
        t = timed_simulate(plan, s, months=months, runs=runs, seed=a.seed, threads=1)
        print(json.dumps({"plan": name, **t, "load": round(max(before, os.getloadavg()[0]), 2)}),
              flush=True)


def summarise(rounds: list[list[dict]]) -> dict[str, dict]:
    """Medians over rounds, per workload, and each round's rate ÷ the reference's."""
    out: dict[str, dict] = {}
    for rows in rounds:
        ref = next(r for r in rows if r["plan"] == "reference")
        for r in rows:
            s = out.setdefault(r["plan"], {"rows": [], "ratios": []})
            s["rows"].append(r)
            s["ratios"].append(r["per_second"] / ref["per_second"])
    for s in out.values():
        rows = s["rows"]
        s["adm"] = rows[0]["active_distributor_months"]
        s["seconds"] = statistics.median(r["seconds"] for r in rows)
        s["rate"] = statistics.median(r["per_second"] for r in rows)
        s["ratio"] = statistics.median(s["ratios"])
        s["loads"] = [r["load"] for r in rows]
        s["results"] = {(r["payout"], r["volume_value"]) for r in rows}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", help="comma-separated: stems of examples/plans/*.toml or paths "
                    "(default: every example plan)")
    ap.add_argument("--scenario", default=str(BASELINE), help="another scenario")
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--founders", type=int, help="replace the scenario's founders")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="rounds; medians are reported")
    ap.add_argument("--old", help="a directory holding an earlier build's downline package")
    ap.add_argument("--reference-founders", type=int, default=None,
                    help="shrink the reference workload (smoke tests only)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a)
        return
    args = ["--worker", "--runs", str(a.runs), "--months", str(a.months), "--seed", str(a.seed),
            "--scenario", str(Path(a.scenario).resolve())]
    if a.plans:
        args += ["--plans", ",".join(str(p) for p in plan_paths(a.plans))]
    if a.founders:
        args += ["--founders", str(a.founders)]
    if a.reference_founders:
        args += ["--reference-founders", str(a.reference_founders)]
    old = str(Path(a.old).resolve()) if a.old else None
    new_rounds: list[list[dict]] = []
    old_rounds: list[list[dict]] = []
    for r in range(a.repeat):
        builds = [(None, new_rounds)] + ([(old, old_rounds)] if old else [])
        for path, rounds in builds if r % 2 == 0 else builds[::-1]:
            rounds.append(run_json("realistic_plans.py", *args, pythonpath=path))
    new = summarise(new_rounds)
    was = summarise(old_rounds) if old else {}
    for name, s in new.items():
        line = {
            "plan": name,
            "active_distributor_months": s["adm"],
            "seconds": round(s["seconds"], 4),
            "rate": round(s["rate"]),
            "ratio_to_reference": round(s["ratio"], 3),
            "rounds": a.repeat,
            "load_1min": [min(s["loads"]), max(s["loads"])],
        }
        if old:
            o = was[name]
            pairs = zip(s["rows"], o["rows"])
            line |= {
                "old_rate": round(o["rate"]),
                "old_ratio_to_reference": round(o["ratio"], 3),
                "new_over_old": round(statistics.median(
                    n["per_second"] / w["per_second"] for n, w in pairs), 3),
                "same_result": s["results"] == o["results"] and len(s["results"]) == 1,
            }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
