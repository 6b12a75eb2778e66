"""downline against the vectorised NumPy baseline on the reference workload, in one run.

    python benches/compare.py [--rounds 5]
    python benches/compare.py --old DIR [--rounds 10] [--plan PLAN --scenario SCENARIO]

Runs `reference.py` (with its per-person table, and without: `--no-tables`) and
`numpy_reference.py` alternately, each in a fresh process on one core, and prints one JSON
line with the median of each and their ratios. Alternating in one
run is what makes the ratio trustworthy on a shared machine whose speed drifts.

With `--old DIR`, compares this build against an earlier one instead: DIR holds a copy of
an earlier build's `downline` package (e.g. `cp -r python/downline /tmp/old/` before a
change); both run the same workload alternately and the line gives new ÷ old. To time
the engine alone, give DIR this tree's Python package with the earlier `_core` library
(the Python layer's own cost then cancels out); the example plans' runs under the
baseline are short (~0.1 s), so time several (`--runs 10`).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from benchlib import once


def old_vs_new(old: str, rounds: int, extra: list[str], runs: int = 1) -> None:
    """Alternate this build and the one in `old` on the same workload; print new ÷ old."""
    args = ["--runs", str(runs), "--threads", "1", *extra]
    new_runs, old_runs = [], []
    for _ in range(rounds):
        new_runs.append(once("reference.py", *args))
        old_runs.append(once("reference.py", *args, pythonpath=old))
    new = statistics.median(r["per_second"] for r in new_runs)
    was = statistics.median(r["per_second"] for r in old_runs)
    print(json.dumps({
        "rounds": rounds,
        "workload": extra or "reference",
        "new_per_second": round(new),
        "old_per_second": round(was),
        "new_over_old": round(new / was, 3),
        "same_payout_ratio": new_runs[0]["payout_ratio"] == old_runs[0]["payout_ratio"],
    }))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--old", help="a directory holding an earlier build's downline package")
    ap.add_argument("--plan", help="with --old: a plan instead of the reference plan")
    ap.add_argument("--scenario", help="with --old: a scenario instead of the reference one")
    ap.add_argument("--founders", type=int, help="with --old: override the founders")
    ap.add_argument("--runs", type=int, default=1,
                    help="with --old: runs per timing (one thread), for short workloads")
    a = ap.parse_args()
    if a.old:
        extra = []
        for flag in ("plan", "scenario", "founders"):
            if getattr(a, flag):
                extra += [f"--{flag}", str(Path(str(getattr(a, flag))).resolve())
                          if flag != "founders" else str(a.founders)]
        old_vs_new(str(Path(a.old).resolve()), a.rounds, extra, a.runs)
        return
    ours, bare, theirs = [], [], []
    for _ in range(a.rounds):
        ours.append(once("reference.py", "--runs", "1", "--threads", "1"))
        bare.append(once("reference.py", "--runs", "1", "--threads", "1", "--no-tables"))
        theirs.append(once("numpy_reference.py"))
    dl = statistics.median(r["per_second"] for r in ours)
    dl_bare = statistics.median(r["per_second"] for r in bare)
    npy = statistics.median(r["per_second"] for r in theirs)
    print(json.dumps({
        "rounds": a.rounds,
        "downline_per_second": round(dl),
        "downline_seconds": round(statistics.median(r["seconds"] for r in ours), 3),
        # The NumPy baseline builds no per-person table: the same run without one.
        "downline_no_tables_per_second": round(dl_bare),
        "numpy_per_second": round(npy),
        "numpy_seconds": round(statistics.median(r["seconds"] for r in theirs), 3),
        "speedup": round(dl / npy, 2),
        "speedup_no_tables": round(dl_bare / npy, 2),
        "downline_payout_ratio": round(ours[0]["payout_ratio"], 5),
        "numpy_payout_ratio": round(theirs[0]["payout_ratio"], 5),
    }))


if __name__ == "__main__":
    main()
