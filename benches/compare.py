"""downline against the vectorised NumPy baseline on the reference workload, in one run.

    python benches/compare.py [--rounds 5]

Runs `reference.py` and `numpy_reference.py` alternately, each in a fresh process on one
core, and prints one JSON line with the median of each and their ratio. Alternating in one
run is what makes the ratio trustworthy on a shared machine whose speed drifts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def once(script: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, str(HERE / script), *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    ours, theirs = [], []
    for _ in range(a.rounds):
        ours.append(once("reference.py", "--runs", "1", "--threads", "1"))
        theirs.append(once("numpy_reference.py"))
    dl = statistics.median(r["per_second"] for r in ours)
    npy = statistics.median(r["per_second"] for r in theirs)
    print(json.dumps({
        "rounds": a.rounds,
        "downline_per_second": round(dl),
        "downline_seconds": round(statistics.median(r["seconds"] for r in ours), 3),
        "numpy_per_second": round(npy),
        "numpy_seconds": round(statistics.median(r["seconds"] for r in theirs), 3),
        "speedup": round(dl / npy, 2),
        "downline_payout_ratio": round(ours[0]["payout_ratio"], 5),
        "numpy_payout_ratio": round(theirs[0]["payout_ratio"], 5),
    }))


if __name__ == "__main__":
    main()
