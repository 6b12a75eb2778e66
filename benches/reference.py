"""The reference workload through the public Python API; prints one JSON line.

    python benches/reference.py [--runs 1] [--threads 1] [--months 36] [--seed 7]

Workload (README, "Benchmark"): 100,000 founders, 36 months; each month every distributor
active at its start quits with probability 0.05; each remaining one recruits Poisson(0.1)
new ones, active from that month; everyone active buys PV lognormal with mean 100 and
sigma 0.5; a unilevel pays 5% of PV to each of the first five sponsor ancestors that are
active (no compression, no rank or PV requirement); GV is rolled up.

``seconds`` is the wall time of the ``simulate`` call, tables included (``--no-tables``: none
kept); ``payout_ratio``
is commissions ÷ PV value over the whole run.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal

import downline as dl
from benchlib import REFERENCE_PLAN, REFERENCE_SCENARIO, scenario_with, timed_simulate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--founders", type=int, default=None, help="override 100,000 (smoke tests)")
    ap.add_argument("--plan", default=REFERENCE_PLAN, help="another plan")
    ap.add_argument("--scenario", default=REFERENCE_SCENARIO, help="another scenario")
    ap.add_argument("--no-tables", action="store_true",
                    help="keep no per-person table (as the NumPy baseline builds none)")
    a = ap.parse_args()
    plan = dl.Plan.load(a.plan)
    scen = scenario_with(dl.Scenario.load(a.scenario), a.founders)
    t = timed_simulate(plan, scen, months=a.months, runs=a.runs, seed=a.seed, threads=a.threads,
                       keep_distributors=not a.no_tables)
    print(
        json.dumps(
            {
                "impl": "downline",
                "runs": a.runs,
                "threads": a.threads,
                "tables": not a.no_tables,
                "active_distributor_months": t["active_distributor_months"],
                "seconds": t["seconds"],
                "per_second": t["per_second"],
                "payout_ratio": float(Decimal(t["payout"]) / Decimal(t["volume_value"])),
            }
        )
    )


if __name__ == "__main__":
    main()
