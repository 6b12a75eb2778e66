"""Write the notebooks from their cells here and execute them, so they are committed with
outputs that read well on a code host. `python tools/build_notebooks.py`"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def md(s: str):
    return nbformat.v4.new_markdown_cell(s.strip())


def code(s: str):
    return nbformat.v4.new_code_cell(s.strip())


QUICKSTART = [
    md("""
# downline quick start

What will a compensation plan really pay, to whom, and how many people stay or lose money?
This notebook loads the example unilevel plan and the baseline scenario, simulates them
200 times over 36 months, and reads the answers as polars tables.

The plan (`examples/plans/unilevel.toml`) is the company's rules. The scenario
(`examples/scenarios/baseline.toml`) is what the world does — recruiting, quitting, buying —
set against public industry figures cited in `docs/industry-figures.md`.
"""),
    code("""
import polars as pl
import downline as dl

pl.Config.set_tbl_rows(20)
plan = dl.Plan.load("../examples/plans/unilevel.toml")
scenario = dl.Scenario.load("../examples/scenarios/baseline.toml")
plan, scenario
"""),
    md("""
## Simulate

`seed` fixes every random draw, whatever the number of threads. Each run grows its own
downline from the founders.
"""),
    code("""
res = dl.simulate(plan, scenario, months=36, runs=200, seed=7)
res.summary()
"""),
    md("""
The payout ratio is what the company pays in commissions for each dollar of volume. Plans
are usually *designed* to pay 35–45% (ByDesign; Business for Home's compilation of public
filings); what this one actually pays is lower, because most people never qualify:
**breakage**. Most people who ever joined were paid nothing.

## Month by month
"""),
    code("""
(res.monthly
   .group_by("month").agg(
       pl.col("active").median().alias("active (median)"),
       pl.col("joined").median().alias("joined"),
       pl.col("quit").median().alias("quit"),
       pl.col("payout_ratio").median().alias("payout ratio"),
   )
   .sort("month")
   .filter(pl.col("month") % 6 == 0))
"""),
    md("## Who earns what: the first run's distributors"),
    code("""
d = res.distributors.filter(pl.col("run") == 0)
(d.group_by("max_rank").agg(
    pl.len().alias("people"),
    pl.col("earnings").cast(pl.Float64).median().alias("median earnings"),
    pl.col("earnings").cast(pl.Float64).mean().alias("mean earnings"),
  ).sort("mean earnings"))
"""),
    md("""
## Two plans, the same people

Plans simulated with the same seed and scenario see the same people making the same
purchases (common random numbers), so a difference in payout is the plan's doing, not
chance. Here the unilevel rates are cut by a fifth.
"""),
    code("""
spec = plan.to_dict()
for b in spec["bonus"]:
    if b["kind"] == "unilevel":
        b["levels"] = [str(round(float(r) * 0.8, 6)) for r in b["levels"]]
        b["rates"] = {k: [str(round(float(r) * 0.8, 6)) for r in v] for k, v in b["rates"].items()}
leaner = dl.Plan.from_dict(spec)
res_b = dl.simulate(leaner, scenario, months=36, runs=200, seed=7, keep_distributors=False)
a, b = res.runs["payout_ratio"], res_b.runs["payout_ratio"]
print(f"payout ratio: {a.mean():.3%} vs {b.mean():.3%}; paired difference "
      f"{(a - b).mean():.3%} ± {1.96 * (a - b).std() / len(a) ** 0.5:.3%} (95%)")
print("same people:", res.monthly["active"].equals(res_b.monthly["active"]))
"""),
    md("""
## The engine on a downline you give it

`compute_commissions` pays the plan over a tree and volumes you provide — a client's real
month, or a case worked by hand — with the same engine, to the cent.
"""),
    code("""
tree = pl.DataFrame({"id": [1, 2, 3, 4], "sponsor": [None, 1, 1, 2], "join_month": [1, 1, 1, 1]})
volumes = pl.DataFrame({"id": [1, 2, 3, 4], "month": [1, 1, 1, 1], "pv": [100, 150, 120, 80]})
simple = dl.Plan.from_dict({"active": {"min_pv": "100"},
                            "bonus": [{"kind": "unilevel", "levels": ["0.10", "0.05"]}]})
dl.compute_commissions(simple, tree, volumes)
"""),
]


def build(name: str, cells: list) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = ROOT / "notebooks" / name
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)
    print("wrote", path)


if __name__ == "__main__":
    build("quickstart.ipynb", QUICKSTART)
