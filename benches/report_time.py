"""How long the HTML report and the regulator's analytics take on a large result, next
to the simulation that made it, and their peak memory — measured in one run.

    .venv/bin/python benches/report_time.py [--runs 200] [--out out/bench-report]

1. simulates the demo (examples/plans/unilevel.toml under baseline, 36 months, seed 7)
   and saves it with ``downline simulate --out``'s writer; the time is that of
   ``dl.simulate`` alone;
2. writes the report of the saved directory (as ``downline report DIR`` does);
3. runs the regulator notebook's analytics on the saved directory (earnings, Lorenz, net
   results at three consumed shares, income disclosure plain and annualised, sources of
   money, compliance, and their figures).

Each step runs in a fresh Python process, which reports its wall time and its peak
resident memory (``ru_maxrss``), so one step's memory is not counted in another's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PRELUDE = """
import json, resource, sys, time
import matplotlib
matplotlib.use("Agg")
import downline as dl
from downline import analytics as an, plot, report
out = sys.argv[1]
t0 = time.perf_counter()
"""

SIMULATE = (
    PRELUDE
    + """
plan = dl.Plan.load("examples/plans/unilevel.toml")
scen = dl.Scenario.load("examples/scenarios/baseline.toml")
res = dl.simulate(plan, scen, months=36, runs=int(sys.argv[2]), seed=7)
seconds = time.perf_counter() - t0
report.save_result(res, out)
rows = res.distributors.height
"""
)

REPORT = (
    PRELUDE
    + """
res = report.load_result(out)
report.write_report(res, out + "/report.html")
seconds = time.perf_counter() - t0
rows = None
"""
)

REGULATOR = (
    PRELUDE
    + """
res = report.load_result(out)
an.earnings_distribution(res)
plot.earnings_distribution(res)
plot.lorenz(res)
an.net_results(res)
plot.net_results(res)
for cs in (1.0, 0.5, 0.0):
    an.net_results(res, consumed_share=cs)
an.income_disclosure(res)
an.income_disclosure(res, annualise=True)
an.sources_of_money(res)
plot.sources_of_money(res)
an.compliance(res)
an.retention(res)
an.retention(res, by="max_rank")
seconds = time.perf_counter() - t0
rows = None
"""
)

EPILOGUE = """
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB on Linux
print(json.dumps({"seconds": seconds, "peak_mib": peak, "rows": rows}))
"""


def step(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code + EPILOGUE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--out", default="out/bench-report")
    a = ap.parse_args()
    Path(ROOT / a.out).mkdir(parents=True, exist_ok=True)
    sim = step(SIMULATE, a.out, str(a.runs))
    rep = step(REPORT, a.out)
    reg = step(REGULATOR, a.out)
    print(f"{a.runs} runs × 36 months, {sim['rows']:,} distributor rows")
    print("| step | wall time | ÷ simulation | peak memory |")
    print("|---|---:|---:|---:|")
    steps = [
        ("simulation (dl.simulate)", sim),
        ("report (write_report of the saved directory)", rep),
        ("regulator notebook's analytics", reg),
    ]
    for name, r in steps:
        print(
            f"| {name} | {r['seconds']:.1f} s | {r['seconds'] / sim['seconds']:.2f} | "
            f"{r['peak_mib'] / 1024:.2f} GiB |"
        )


if __name__ == "__main__":
    main()
