"""How many points and runs a stable Sobol estimate needs (docs/whatif.md).

    python benches/sobol_stability.py [--months 12] [--ns 32,64,128,256] [--runs 4,16]

The example plan under the baseline scenario, three parameters — recruitment.scale
(0.6, 1.4), attrition.scale (0.6, 1.4), plan.active.min_pv (50, 150) — and for each base
sample size n and runs per point, the total indices ST of two metrics estimated under two
seeds. Printed per (n, runs): the largest bootstrap half-width of ST (SALib, 95%) and the
largest difference of ST between the two seeds, over parameters.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import downline as dl
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
PARAMS = {
    "recruitment.scale": (0.6, 1.4),
    "attrition.scale": (0.6, 1.4),
    "plan.active.min_pv": (50, 150),
}
METRICS = ["payout_ratio", "share_net_loss"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--ns", default="32,64,128,256")
    ap.add_argument("--runs", default="4,16")
    ap.add_argument("--seeds", default="1,2")
    a = ap.parse_args()
    plan = dl.Plan.load(ROOT / "examples/plans/unilevel.toml")
    scen = dl.Scenario.load(ROOT / "examples/scenarios/baseline.toml")
    seeds = [int(s) for s in a.seeds.split(",")]
    print(f"{a.months} months; ST of {', '.join(METRICS)} over {', '.join(PARAMS)}")
    print(
        f"{'n':>5} {'runs':>5} {'points':>7} {'metric':<16} {'max ST half-width':>18} "
        f"{'max |ST seed1 − seed2|':>24} {'ST (seed 1)':>28}  seconds"
    )
    for runs in (int(r) for r in a.runs.split(",")):
        for n in (int(x) for x in a.ns.split(",")):
            t0 = time.perf_counter()
            tables = [
                dl.sensitivity(
                    plan,
                    scen,
                    PARAMS,
                    method="sobol",
                    n=n,
                    runs=runs,
                    months=a.months,
                    seed=s,
                    metrics=METRICS,
                    progress=False,
                ).table
                for s in seeds
            ]
            dt = time.perf_counter() - t0
            for m in METRICS:
                t = [x.filter(pl.col("metric") == m).sort("parameter") for x in tables]
                half = max(t[0]["ST_conf"].max(), t[1]["ST_conf"].max())
                diff = (t[0]["ST"] - t[1]["ST"]).abs().max()
                st = " ".join(f"{v:.2f}" for v in t[0]["ST"].to_list())
                print(
                    f"{n:>5} {runs:>5} {n * (len(PARAMS) + 2):>7} {m:<16} {half:>18.3f} "
                    f"{diff:>24.3f} {st:>28}  {dt:.0f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
