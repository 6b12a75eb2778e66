"""A big company: the rate and the bytes per person at 100,000 and 1,000,000 founders, and
what a second thread gives.

    python benches/big_company.py [--founders 100000,1000000] [--months 36] [--seed 7]
    python benches/big_company.py --part size          # or: --part threads
    python benches/big_company.py --workload reference # the reference workload, scaled

Workload (default ``--workload baseline``): examples/plans/unilevel.toml (or ``--plan``) under
examples/scenarios/baseline.toml with ``market.founders`` replaced — and ``market.size``,
which must be at least the founders (docs/reference.md), set to ``--market-per-founder``
(10) × founders: about 9.8 people join per founder in 36 months, a market nearly filled as
the baseline's own 50,000 is. ``--workload reference`` scales the reference workload
instead (its plan and scenario, no market limit; about 8.7 people per founder).

Every measurement runs in a fresh process, so that its peak RSS is its own, and keeps no
per-person table (``keep_distributors=False``):

- ``size``: one run, one thread, at each ``--founders``. ``rate`` is active
  distributor-months a second (wall time of ``simulate``); ``bytes_per_person`` is the
  process's peak RSS during the call over its RSS after importing downline (the peak is
  reset there, through /proc/self/clear_refs), ÷ the people who ever joined.
- ``threads``: ``--thread-runs`` (4) runs at ``--thread-founders`` (default: the largest
  size) with 1 and with 2 threads, alternately, ``--repeat`` times; ``ratio`` is the
  median of one-thread time ÷ two-thread time.
- ``reference``: the reference workload as ``benches/reference.py`` measures it (one
  run, one thread, tables kept), first, so that each rate has its ratio to it.

One JSON line per measurement, each with the 1-minute load average before and after.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
from pathlib import Path

from benchlib import ROOT, load, once, reference_workload, run_json, scenario_with, timed_simulate

UNILEVEL = ROOT / "examples" / "plans" / "unilevel.toml"
BASELINE = ROOT / "examples" / "scenarios" / "baseline.toml"


def status_bytes(field: str) -> int:
    """A field of /proc/self/status (VmRSS, VmHWM) in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak() -> bool:
    """Reset this process's peak RSS (VmHWM) to its current RSS; False if not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def workload(a: argparse.Namespace, founders: int):
    import downline as dl

    if a.workload == "reference":
        return reference_workload(founders)
    scen = scenario_with(dl.Scenario.load(BASELINE), founders,
                         size=float(founders * a.market_per_founder))
    return dl.Plan.load(a.plan), scen


def worker(a: argparse.Namespace) -> None:
    """One measurement in this process; one JSON line."""
    plan, scen = workload(a, a.one)
    gc.collect()
    before = load()
    if a.worker == "size":
        rss0 = status_bytes("VmRSS")
        reset = reset_peak()
        t = timed_simulate(plan, scen, months=a.months, runs=1, seed=a.seed, threads=1,
                           keep_distributors=False)
        peak = status_bytes("VmHWM")
        if not reset:
            rss0 = min(rss0, peak)
        over = peak - rss0
        print(json.dumps({
            "measure": "size", "workload": a.workload,
            "plan": Path(a.plan).stem if a.workload == "baseline" else "reference",
            "founders": a.one, "months": a.months,
            "people": t["people"], "active_distributor_months": t["active_distributor_months"],
            "seconds": round(t["seconds"], 3), "rate": round(t["per_second"]),
            "rss_after_import": rss0, "peak_rss_over_import": over, "peak_reset": reset,
            "bytes_per_person": round(over / t["people"], 1),
            "load_before": before, "load_after": load(),
        }))
    else:
        t = timed_simulate(plan, scen, months=a.months, runs=a.thread_runs, seed=a.seed,
                           threads=a.threads, keep_distributors=False)
        print(json.dumps({**t, "load_before": before, "load_after": load()}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--founders", default="100000,1000000", help="sizes, by commas")
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workload", choices=["baseline", "reference"], default="baseline")
    ap.add_argument("--market-per-founder", type=int, default=10,
                    help="baseline workload: market.size ÷ founders")
    ap.add_argument("--plan", default=str(UNILEVEL), help="baseline workload: another plan")
    ap.add_argument("--part", choices=["all", "size", "threads"], default="all")
    ap.add_argument("--thread-runs", type=int, default=4)
    ap.add_argument("--thread-founders", type=int, help="default: the largest --founders")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of 1 vs 2 threads")
    ap.add_argument("--worker", choices=["size", "threads"], help=argparse.SUPPRESS)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a)
        return
    sizes = [int(f) for f in a.founders.split(",")]
    common = ["--months", str(a.months), "--seed", str(a.seed), "--workload", a.workload,
              "--market-per-founder", str(a.market_per_founder),
              "--plan", str(Path(a.plan).resolve())]
    before = load()
    ref = once("reference.py", "--runs", "1", "--threads", "1", "--seed", str(a.seed))
    ref_rate = ref["per_second"]
    print(json.dumps({"measure": "reference", "rate": round(ref_rate),
                      "seconds": round(ref["seconds"], 3), "load_before": before,
                      "load_after": load()}), flush=True)
    if a.part in ("all", "size"):
        rates = {}
        for f in sizes:
            line = run_json("big_company.py", "--worker", "size", "--one", str(f), *common)[-1]
            line["ratio_to_reference"] = round(line["rate"] / ref_rate, 3)
            rates[f] = line["rate"]
            print(json.dumps(line), flush=True)
        if len(sizes) > 1:
            print(json.dumps({"measure": "size_ratio", "rate_at": max(sizes),
                              "over_rate_at": min(sizes),
                              "ratio": round(rates[max(sizes)] / rates[min(sizes)], 3)}),
                  flush=True)
    if a.part in ("all", "threads"):
        f = a.thread_founders or max(sizes)
        times: dict[int, list[float]] = {1: [], 2: []}
        loads = []
        for r in range(a.repeat):
            for threads in (1, 2) if r % 2 == 0 else (2, 1):
                t = run_json("big_company.py", "--worker", "threads", "--one", str(f),
                             "--threads", str(threads), "--thread-runs", str(a.thread_runs),
                             *common)[-1]
                times[threads].append(t["seconds"])
                loads += [t["load_before"], t["load_after"]]
        one, two = statistics.median(times[1]), statistics.median(times[2])
        print(json.dumps({
            "measure": "threads", "workload": a.workload, "founders": f,
            "runs": a.thread_runs, "rounds": a.repeat,
            "seconds_1_thread": round(one, 3), "seconds_2_threads": round(two, 3),
            "rate_1_thread": round(t["active_distributor_months"] / one),
            "ratio": round(one / two, 3), "loads": loads,
        }), flush=True)


if __name__ == "__main__":
    main()
