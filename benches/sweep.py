"""What a sweep costs, against the simulations it runs, and how it scales on Dask.

    python benches/sweep.py                 # both measurements, the issue's workload
    python benches/sweep.py --part ratio    # sweep ÷ the sum of plain simulate calls
    python benches/sweep.py --part dask     # LocalCluster of 2 workers vs 1 worker

The workload (issue 12): the example plan (examples/plans/unilevel.toml) under the baseline
scenario, a 5 × 5 grid of recruitment.scale × attrition.scale, 50 runs a point, 36 months,
seed 7.

- ratio: ``dl.sweep`` (local, all cores) against the same points simulated one by one with
  plain ``dl.simulate(…, keep_distributors=False)`` — the same work, so the ratio is the
  sweep's own overhead (building and validating the points, reducing each run to its
  figures, progress). The two alternate, ``--rounds`` times each.
- dask: the same sweep with ``client=`` a ``LocalCluster`` of 1 worker process and of 2
  worker processes (1 thread each); cluster start-up is not timed. Alternates as well.

The machine is shared: the script prints the load average before and after each timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import downline as dl
from downline.sweep import Parameter, _Space, grid_points

ROOT = Path(__file__).resolve().parents[1]
GRID = {
    "recruitment.scale": [0.6, 0.8, 1.0, 1.2, 1.4],
    "attrition.scale": [0.6, 0.8, 1.0, 1.2, 1.4],
}


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def timed(label: str, f):
    before = load()
    t0 = time.perf_counter()
    out = f()
    dt = time.perf_counter() - t0
    print(f"  {label:<34} {dt:8.2f} s   load avg before {before}, after {load()}", flush=True)
    return dt, out


def plain_calls(plan, scen, months: int, runs: int, seed: int) -> None:
    paths, values = grid_points(GRID)
    space = _Space([plan], [plan.name], scen, [Parameter.parse(p) for p in paths])
    for v in values:
        plans, s = space.build(v)
        dl.simulate(plans[0], s, months=months, runs=runs, seed=seed, keep_distributors=False)


def part_ratio(plan, scen, a) -> None:
    print(
        f"sweep vs plain simulate calls: 25 points × {a.runs} runs × {a.months} months, "
        f"{os.cpu_count()} cores"
    )
    sweeps, plains = [], []
    for r in range(a.rounds):
        print(f" round {r + 1}")
        order = ("sweep", "plain") if r % 2 == 0 else ("plain", "sweep")
        for what in order:
            if what == "sweep":
                dt, _ = timed(
                    "dl.sweep",
                    lambda: dl.sweep(
                        plan, scen, GRID, months=a.months, runs=a.runs, seed=a.seed, progress=False
                    ),
                )
                sweeps.append(dt)
            else:
                dt, _ = timed(
                    "25 × dl.simulate", lambda: plain_calls(plan, scen, a.months, a.runs, a.seed)
                )
                plains.append(dt)
    ratios = [s / p for s, p in zip(sweeps, plains)]
    print(
        f" sweep ÷ plain: median {statistics.median(ratios):.3f} "
        f"(rounds: {', '.join(f'{x:.3f}' for x in ratios)}); "
        f"median sweep {statistics.median(sweeps):.1f} s, plain {statistics.median(plains):.1f} s"
    )


def part_dask(plan, scen, a) -> None:
    from distributed import Client, LocalCluster, get_task_stream

    print(
        f"LocalCluster: 2 workers vs 1 worker (1 thread each), 25 points × {a.runs} runs × "
        f"{a.months} months"
    )
    times: dict[int, list[float]] = {1: [], 2: []}
    results = {}
    for r in range(a.rounds):
        print(f" round {r + 1}")
        for n in (1, 2) if r % 2 == 0 else (2, 1):
            with (
                LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
                ) as cluster,
                Client(cluster) as client,
            ):
                client.run(lambda: __import__("downline"))  # import on the workers first
                with get_task_stream(client) as ts:
                    dt, sw = timed(
                        f"{n} worker{'s' if n > 1 else ''}",
                        lambda c=client: dl.sweep(
                            plan,
                            scen,
                            GRID,
                            months=a.months,
                            runs=a.runs,
                            seed=a.seed,
                            client=c,
                            progress=False,
                        ),
                    )
            tasks = [
                sum(x["stop"] - x["start"] for x in t["startstops"] if x["action"] == "compute")
                for t in ts.data
            ]
            # busy: the share of the workers' wall time spent computing tasks; a task that
            # takes longer with 2 workers than with 1 was slowed by the machine, not by Dask
            print(
                f"    {len(tasks)} tasks, mean {statistics.mean(tasks):.2f} s each; workers "
                f"busy {sum(tasks) / (n * dt):.0%} of the wall time"
            )
            times[n].append(dt)
            results[n] = sw
    speedups = [one / two for one, two in zip(times[1], times[2])]
    same = results[1].runs.equals(results[2].runs)
    print(
        f" 1 worker ÷ 2 workers: median {statistics.median(speedups):.2f}× "
        f"(rounds: {', '.join(f'{x:.2f}' for x in speedups)}); identical results: {same}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--part", choices=("ratio", "dask", "all"), default="all")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    plan = dl.Plan.load(ROOT / "examples/plans/unilevel.toml")
    scen = dl.Scenario.load(ROOT / "examples/scenarios/baseline.toml")
    if a.part in ("ratio", "all"):
        part_ratio(plan, scen, a)
    if a.part in ("dask", "all"):
        part_dask(plan, scen, a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
