"""What the benchmark scripts share: fresh processes, the reference workload, one timing.

The scripts run as ``python benches/<script>.py``, so this module is importable from them
as ``benchlib``. It imports ``downline`` only inside the functions that simulate, so that
a child process started with ``PYTHONPATH=DIR`` (an earlier build, ``--old DIR``) times
that build's package: the parent never needs one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REFERENCE_PLAN = HERE / "reference" / "plan.toml"
REFERENCE_SCENARIO = HERE / "reference" / "scenario.toml"


def load() -> str:
    """The load average (1, 5, 15 minutes), as `uptime` prints it."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_json(script: str, *args: str, pythonpath: str | None = None) -> list[dict]:
    """Run ``benches/<script>`` in a fresh Python process; its JSON lines, in order.

    With ``pythonpath`` (a directory holding an earlier build's ``downline`` package), the
    child imports that package instead of this tree's.
    """
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    p = subprocess.run([sys.executable, str(HERE / script), *args], check=False,
                       capture_output=True, text=True, env=env, cwd=HERE)
    if p.returncode != 0:
        raise SystemExit(f"{script} {' '.join(args)} failed"
                         f"{' with PYTHONPATH=' + pythonpath if pythonpath else ''}:\n{p.stderr}")
    return [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]


def once(script: str, *args: str, pythonpath: str | None = None) -> dict:
    """The last JSON line of ``benches/<script>`` run in a fresh process (see `run_json`)."""
    return run_json(script, *args, pythonpath=pythonpath)[-1]


def scenario_with(scenario: Any, founders: int | None = None, **market: Any) -> Any:
    """``scenario`` with ``market.founders`` (and any other ``market`` field) replaced."""
    import downline as dl

    if founders is None and not market:
        return scenario
    d = scenario.to_dict()
    if founders is not None:
        d["market"]["founders"] = founders
    d["market"].update(market)
    return dl.Scenario.from_dict(d)


def reference_workload(founders: int | None = None) -> tuple[Any, Any]:
    """The reference workload's plan and scenario (README, "Benchmark"); 100,000 founders
    unless ``founders`` is given."""
    import downline as dl

    plan = dl.Plan.load(REFERENCE_PLAN)
    return plan, scenario_with(dl.Scenario.load(REFERENCE_SCENARIO), founders)


def timed_simulate(plan: Any, scenario: Any, *, months: int, runs: int, seed: int,
                   threads: int = 1, keep_distributors: bool = True) -> dict:
    """Time one ``simulate`` call (wall time, the tables included).

    Returns ``active_distributor_months`` (the monthly table's ``active`` summed over runs
    and months), ``seconds``, ``per_second`` (the first ÷ the second), ``people`` (everyone
    who ever joined, summed over runs), and the whole call's ``payout`` and
    ``volume_value`` (exact decimals, as text), which identify the result: two builds that
    simulate alike give the same figures.
    """
    import downline as dl

    t0 = time.perf_counter()
    res = dl.simulate(plan, scenario, months=months, runs=runs, seed=seed, threads=threads,
                      keep_distributors=keep_distributors)
    seconds = time.perf_counter() - t0
    adm = int(res.monthly["active"].sum())
    return {
        "active_distributor_months": adm,
        "seconds": seconds,
        "per_second": adm / seconds,
        "people": int(res.runs["ever_joined"].sum()),
        "payout": str(res.monthly["payout"].sum()),
        "volume_value": str(res.monthly["volume_value"].sum()),
    }
