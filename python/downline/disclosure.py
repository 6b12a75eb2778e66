"""Income disclosure statements: the table a simulation implies, and fitting a scenario to
the table a company published.

A company's income disclosure statement gives, for one period (usually a calendar year),
per rank or per band of earnings: the share of participants, their mean and/or median
earnings, sometimes the share who earned nothing and how many participants there were.
Every company defines its table its own way — who is counted (everyone who was a
participant, only the "active", only those in for the whole year) and whether part-year
figures are annualised — so both functions here take the definition as explicit arguments
and state it in the table they return.

- :func:`disclosure_table` computes the simulated table from a result, per rank (or groups
  of ranks) or per band of earnings.
- :func:`calibrate_disclosure` fits named scenario parameters so that the simulated table
  matches a published one, with the machinery of :func:`downline.calibrate` (dotted
  parameter paths, the same seed for every candidate, the bounded Nelder–Mead search), and
  reports the residual of each row and the rows the model cannot reach.

Definitions, the objective and what the tests show are in ``docs/calibration.md``.
"""

from __future__ import annotations

import html
import itertools
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from downline.analytics import NO_RANK, kept_runs, people_chunks
from downline.api import DEFAULT_SEED, Plan, Scenario, ScenarioError, SimulationResult, simulate
from downline.calibrate import (
    CalibrationResult,
    _base_spec,
    _check_start,
    _fit_fields,
    _is_number,
    _parse_params,
    _scenario_at,
    _search,
)

__all__ = ["DisclosureFit", "calibrate_disclosure", "disclosure_table"]

#: Who a disclosure counts: everyone who was a participant in at least one month of the
#: period; those of them with volume (own orders or customers') in the period; those who
#: were participants in every month of it.
POPULATIONS = ("everyone", "active", "whole_period")

#: The figures a disclosure row can give, and the table-level figures.
ROW_FIGURES = ("share", "mean", "median", "share_zero")
TABLE_FIGURES = ("participants", "share_zero")
#: Every target of the objective (a figure, whatever row it is in).
TARGETS = ("share", "mean", "median", "share_zero", "participants")

#: Label of the row holding the whole population (table-level figures).
ALL = "(all)"
#: Label of the simulated people in no row of the table (ranks no row names, earnings
#: outside every band).
OTHER = "(other)"

_F = pl.Float64
_VOLUMES = ("own_volume", "customer_volume", "preferred_volume", "party_volume")


# --------------------------------------------------------------------------------------
# the rows of a table


@dataclass(frozen=True)
class _Rows:
    """How people are put into rows: by rank (each row a set of the plan's ranks, ``(none)``
    for never ranked) or by band of the disclosed amount (``low ≤ x < high``; ``high``
    None: no upper limit; ``low == high``: exactly that amount, counted there rather than
    in a band starting at it)."""

    kind: str  # "rank" or "band"
    labels: tuple[str, ...]
    ranks: tuple[tuple[str, ...], ...] = ()
    bands: tuple[tuple[float, float | None], ...] = ()
    # ranks, or ranges of amounts, that no row holds (their people go to OTHER)
    left_out: tuple[str, ...] = ()

    def assign(self) -> pl.Expr:
        """An expression giving each person's row label (OTHER for none)."""
        if self.kind == "rank":
            mapping = {r: lab for lab, rs in zip(self.labels, self.ranks) for r in rs}
            return pl.col("rank").replace_strict(mapping, default=OTHER, return_dtype=pl.String)
        x = pl.col("x")
        expr: Any = None
        # point bands first: an amount equal to a point band is counted there
        order = sorted(
            range(len(self.labels)), key=lambda i: 0 if self.bands[i][0] == self.bands[i][1] else 1
        )
        for i in order:
            lo, hi = self.bands[i]
            if hi is None:
                cond = x >= lo
            elif hi == lo:
                cond = x == lo
            else:
                cond = (x >= lo) & (x < hi)
            expr = (pl.when(cond) if expr is None else expr.when(cond)).then(
                pl.lit(self.labels[i])
            )
        return expr.otherwise(pl.lit(OTHER))

    def key_columns(self) -> dict[str, pl.Series]:
        if self.kind == "rank":
            return {"ranks": pl.Series("ranks", [list(r) for r in self.ranks],
                                       dtype=pl.List(pl.String))}
        return {
            "low": pl.Series("low", [b[0] for b in self.bands], dtype=_F),
            "high": pl.Series("high", [b[1] for b in self.bands], dtype=_F),
        }


def _plan_ranks(plan: Any) -> list[str]:
    return list(plan.ranks) if plan is not None else []


def _rank_rows(
    plan: Any, rows: Mapping[str, Any] | None, labels: Sequence[str] | None = None
) -> _Rows:
    """Rows by rank: ``rows`` maps a row's label to a plan rank or a list of them (``[]``:
    the plan has no rank for it); without it, one row per rank (``(none)`` first), or per
    label of ``labels`` naming a plan rank."""
    known = [NO_RANK, *_plan_ranks(plan)]
    if rows is None:
        chosen = list(labels) if labels is not None else known
        out_labels, out_ranks = [], []
        for lab in chosen:
            out_labels.append(lab)
            out_ranks.append((lab,))
    else:
        if not isinstance(rows, Mapping) or not rows:
            raise ValueError(
                "rows: give a dict of row labels to the plan's ranks they hold, e.g. "
                "{'Director': ['Sales Director'], 'Not eligible': ['(none)', 'Consultant']}"
            )
        out_labels, out_ranks = [], []
        for lab, rs in rows.items():
            if not isinstance(lab, str) or not lab:
                raise ValueError(f"rows: the row label {lab!r} is not a name")
            if isinstance(rs, str):
                rs = [rs]
            if not isinstance(rs, Sequence) or not all(isinstance(r, str) for r in rs):
                raise ValueError(
                    f"rows[{lab!r}]: {rs!r} is not a rank name or a list of rank names"
                )
            out_labels.append(lab)
            out_ranks.append(tuple(rs))
    unknown = sorted({r for rs in out_ranks for r in rs if r not in known})
    if unknown:
        raise ValueError(
            f"unknown rank names {unknown}: the plan's ranks are {known[1:]} "
            f"({NO_RANK!r}: never reached a rank); map the table's row names to them with "
            "rows={'row name': ['plan rank', ...]}"
        )
    seen: dict[str, str] = {}
    for lab, rs in zip(out_labels, out_ranks):
        for r in rs:
            if r in seen:
                raise ValueError(f"rows: rank {r!r} is in two rows, {seen[r]!r} and {lab!r}")
            seen[r] = lab
    if len(set(out_labels)) != len(out_labels):
        raise ValueError("rows: a row label appears more than once")
    left_out = tuple(r for r in known if r not in seen)
    return _Rows("rank", tuple(out_labels), ranks=tuple(out_ranks), left_out=left_out)


def _money_label(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def _band_rows(bands: Any) -> _Rows:
    """Rows by band: ``bands`` is a list of edges ``[e0, e1, …, ek]`` (rows [e0, e1), …,
    [ek, ∞)) or of ``(low, high)`` pairs (``high`` None: no upper limit; ``low == high``:
    exactly that amount)."""
    if isinstance(bands, (str, bytes)) or not isinstance(bands, Sequence) or len(bands) == 0:
        raise ValueError(
            "bands: give the edges of the bands, e.g. [0, 1, 1000, 10000], or (low, high) "
            "pairs, e.g. [(0, 0), (0, 1000), (1000, None)]"
        )
    pairs: list[tuple[float, float | None]] = []
    if all(_is_number(b) for b in bands):
        edges = [float(b) for b in bands]
        if any(b < a for a, b in itertools.pairwise(edges)) or len(set(edges)) != len(edges):
            raise ValueError(f"bands: the edges {list(bands)} must increase")
        pairs = [(a, b) for a, b in itertools.pairwise(edges)] + [(edges[-1], None)]
    else:
        for b in bands:
            if (
                isinstance(b, (str, bytes))
                or not isinstance(b, Sequence)
                or len(b) != 2
                or not _is_number(b[0])
                or not (b[1] is None or _is_number(b[1]) or b[1] == math.inf)
            ):
                raise ValueError(
                    f"bands: {b!r} is not a band; give (low, high) with high None for no "
                    "upper limit, or a list of edges"
                )
            hi = None if b[1] is None or b[1] == math.inf else float(b[1])
            pairs.append((float(b[0]), hi))
    return _check_bands(pairs)


def _check_bands(pairs: list[tuple[float, float | None]]) -> _Rows:
    for lo, hi in pairs:
        if lo < 0:
            raise ValueError(f"bands: the band ({lo:g}, {hi}) starts below 0; earnings are ≥ 0")
        if hi is not None and hi < lo:
            raise ValueError(f"bands: the band ({lo:g}, {hi:g}) ends before it starts")
    if len(set(pairs)) != len(pairs):
        raise ValueError("bands: a band appears more than once")
    spans = sorted((lo, hi) for lo, hi in pairs if hi is None or hi > lo)
    for (a_lo, a_hi), (b_lo, b_hi) in itertools.pairwise(spans):
        if a_hi is None or b_lo < a_hi:
            raise ValueError(
                f"bands: [{_money_label(a_lo)}, {'∞' if a_hi is None else _money_label(a_hi)}) "
                f"and [{_money_label(b_lo)}, {'∞' if b_hi is None else _money_label(b_hi)}) "
                "overlap"
            )
    for lo, hi in pairs:
        if hi == lo:
            inside = [s for s in spans if s[0] < lo and (s[1] is None or lo < s[1])]
            if inside:
                raise ValueError(
                    f"bands: the amount {_money_label(lo)} (a band of its own) lies inside "
                    f"the band starting at {_money_label(inside[0][0])}; a band of one "
                    "amount may only sit at the start of another"
                )
    # what no band holds (amounts are cents: a gap of less than a cent holds nothing)
    points = {lo for lo, hi in pairs if hi == lo}
    gaps: list[str] = []
    at = 0.0
    for lo, hi in spans:
        if lo > at and not (at in points and lo <= at + 0.01 + 1e-9):
            gaps.append(f"[{_money_label(at)}, {_money_label(lo)})")
        at = math.inf if hi is None else max(at, hi)
    if not spans:
        gaps = ["every amount but " + ", ".join(_money_label(p) for p in sorted(points))]
    elif at != math.inf:
        gaps.append(f"[{_money_label(at)}, ∞)")
    labels = []
    for lo, hi in pairs:
        if hi is None:
            labels.append(f"{_money_label(lo)}+")
        elif hi == lo:
            labels.append(_money_label(lo))
        else:
            labels.append(f"{_money_label(lo)} to {_money_label(hi)}")
    return _Rows("band", tuple(labels), bands=tuple(pairs), left_out=tuple(gaps))


def _rows_for(plan: Any, by: str | None, bands: Any, rows: Mapping[str, Any] | None) -> _Rows:
    if bands is not None:
        if by not in (None, "band"):
            raise ValueError(f"by = {by!r} with bands: rows are either by rank or by band")
        if rows is not None:
            raise ValueError("rows maps rank rows; a table by band takes bands only")
        return _band_rows(bands)
    if by in (None, "rank"):
        return _rank_rows(plan, rows)
    if by == "band":
        raise ValueError("by = 'band' needs bands=[edges] or bands=[(low, high), …]")
    raise ValueError(f"by = {by!r}: use 'rank' or give bands=[…]")


# --------------------------------------------------------------------------------------
# the people of the period


def _check_definition(population: Any, annualised: Any, of: Any) -> None:
    if population not in POPULATIONS:
        raise ValueError(
            f"population = {population!r}: say whom the table counts: 'everyone' (every "
            "participant of the period), 'active' (those with volume in it) or "
            "'whole_period' (those in for all of it)"
        )
    if not isinstance(annualised, bool):
        raise ValueError(  # noqa: TRY004 - a value to choose, not an object of a wrong type
            f"annualised = {annualised!r}: say whether the table annualises part-period "
            "figures (True) or gives what was paid in the period (False)"
        )
    if of not in ("earnings", "gross"):
        raise ValueError(
            f"of = {of!r}: use 'earnings' (commissions and bonuses paid by the company) or "
            "'gross' (earnings + retail margin)"
        )


def _period_of(res: SimulationResult, period: Any) -> int:
    if period is None:
        return res.months
    if isinstance(period, bool) or not isinstance(period, int) or not 1 <= period <= res.months:
        raise ValueError(
            f"period = {period!r}: use a whole number of months from 1 to the "
            f"{res.months} months simulated (or None for all of them)"
        )
    return period


def _start_of(res: SimulationResult, period: int, start: SimulationResult | None
              ) -> SimulationResult | None:
    """The same simulation stopped at the month before the period: given, or simulated
    again (same plan, scenario, seed; the kept runs only)."""
    if period == res.months:
        if start is not None:
            raise ValueError("start: the period is the whole horizon; there is nothing before it")
        return None
    at = res.months - period
    runs = kept_runs(res)
    if not runs:
        raise ValueError(
            "res.distributors is empty: a disclosure needs the per-person rows (simulate "
            "with keep_distributors=True or a number of runs to keep)"
        )
    if start is None:
        return simulate(
            res.plan, res.scenario, months=at, runs=max(runs) + 1, seed=res.seed,
            keep_distributors=True,
        )
    if not isinstance(start, SimulationResult):
        raise TypeError(
            f"start must be a downline.SimulationResult, not {type(start).__name__}"
        )
    if start.months != at:
        raise ValueError(
            f"start: {start.months} months simulated; the period of {period} months starts "
            f"after month {at}: simulate the same plan and scenario for {at} months"
        )
    missing = sorted(set(runs) - set(kept_runs(start)))
    if missing:
        raise ValueError(f"start: the per-person rows of runs {missing} were not kept")
    cols = ["run", "month", "joined", "active", "quit", "payout"]
    a = res.monthly.filter(pl.col("month") <= at, pl.col("run").is_in(runs)).select(cols)
    b = start.monthly.filter(pl.col("run").is_in(runs)).select(cols)
    if not a.sort("run", "month").equals(b.sort("run", "month")):
        raise ValueError(
            f"start is not the same simulation stopped after month {at} (its months differ "
            "from the result's): use the same plan, scenario and seed"
        )
    return start


def _people(
    res: SimulationResult,
    start: SimulationResult | None,
    period: int,
    population: str,
    annualised: bool,
    of: str,
) -> pl.DataFrame:
    """run, rank, x (the amount disclosed), one row per person of the population."""
    months = res.months
    p0 = months - period + 1
    money = ["earnings"] + (["retail_profit"] if of == "gross" else [])
    vols = list(_VOLUMES) if population == "active" else []
    cols = ["id", "join_month", "quit_month", "max_rank", *money, *vols]
    what = "disclosure_table"

    def amount() -> pl.Expr:
        return pl.sum_horizontal([pl.col(c).cast(_F) for c in money])

    def volume() -> pl.Expr:
        return pl.sum_horizontal([pl.col(c).cast(_F) for c in vols])

    parts = []
    for lf in people_chunks(res, cols, what):
        d = lf.filter(
            pl.col("quit_month").is_null() | (pl.col("quit_month").cast(pl.Int64) > p0)
        ).with_columns(
            months_in=(
                pl.col("quit_month").fill_null(months + 1).cast(pl.Int64).clip(upper_bound=months + 1)
                - pl.col("join_month").cast(pl.Int64).clip(lower_bound=p0)
            ),
            x=amount(),
            v=volume() if vols else pl.lit(0.0),
        )
        if start is not None:
            d = d.collect()
            runs = d["run"].unique().to_list()
            s = (
                start.distributors.lazy()
                .filter(pl.col("run").is_in(runs))
                .select(
                    "run", "id",
                    x0=amount(),
                    v0=volume() if vols else pl.lit(0.0),
                )
                .collect()
            )
            d = (
                d.join(s, on=["run", "id"], how="left")
                .with_columns(
                    x=pl.col("x") - pl.col("x0").fill_null(0.0),
                    v=pl.col("v") - pl.col("v0").fill_null(0.0),
                )
                .lazy()
            )
        if population == "active":
            d = d.filter(pl.col("v").round(2) > 0)
        elif population == "whole_period":
            d = d.filter(pl.col("months_in") >= period)
        # amounts are cents: differences and sums of them are rounded back to the cent
        d = d.with_columns(x=pl.col("x").round(2))
        if annualised:
            d = d.with_columns(x=pl.col("x") * 12.0 / pl.col("months_in").cast(_F))
        parts.append(
            d.select(pl.col("run").cast(pl.Int64), rank=pl.col("max_rank").fill_null(NO_RANK),
                     x="x").collect()
        )
    return pl.concat(parts) if parts else pl.DataFrame(
        schema={"run": pl.Int64, "rank": pl.String, "x": _F})


# --------------------------------------------------------------------------------------
# the figures


def _figures(people: pl.DataFrame, rows: _Rows, runs: Sequence[int]) -> pl.DataFrame:
    """One row per table row (then OTHER if anyone is in it, then ALL): people per run,
    share, mean, median, share_zero over the runs pooled, with each figure's p05 and p95
    over the runs, runs_with_people and runs."""
    d = people.with_columns(row=rows.assign())
    labels = list(rows.labels)
    if OTHER not in labels and (d["row"] == OTHER).any():
        labels.append(OTHER)
    order = pl.DataFrame({"row": [*labels, ALL], "_order": list(range(len(labels) + 1))},
                         schema={"row": pl.String, "_order": pl.Int64})
    everyone = d.with_columns(row=pl.lit(ALL))
    both = pl.concat([d, everyone])

    def stats() -> list[pl.Expr]:
        return [
            pl.len().cast(pl.Int64).alias("people"),
            pl.col("x").mean().alias("mean"),
            pl.col("x").median().alias("median"),
            (pl.col("x") == 0).mean().alias("share_zero"),
        ]

    n_runs = len(runs)
    pop_run = d.group_by("run").agg(pl.len().cast(pl.Int64).alias("_pop"))
    total = d.height
    pooled = both.group_by("row").agg(stats()).with_columns(
        share=(pl.col("people") / total) if total else pl.lit(None, _F)
    )
    grid = pl.DataFrame({"run": list(runs)}, schema={"run": pl.Int64}).join(
        order.select("row"), how="cross")
    per_run = (
        grid.join(both.group_by("run", "row").agg(stats()), on=["run", "row"],
                  how="left")
        .join(pop_run, on="run", how="left")
        .with_columns(pl.col("people").fill_null(0), pl.col("_pop").fill_null(0))
        .with_columns(
            share=pl.when(pl.col("_pop") > 0).then(pl.col("people") / pl.col("_pop"))
        )
    )
    spread = per_run.group_by("row").agg(
        *[
            e
            for m in ("share", "mean", "median", "share_zero")
            for e in (
                pl.col(m).drop_nulls().quantile(0.05, "linear").alias(f"{m}_p05"),
                pl.col(m).drop_nulls().quantile(0.95, "linear").alias(f"{m}_p95"),
            )
        ],
        runs_with_people=(pl.col("people") > 0).sum().cast(pl.Int64),
        people_p05=pl.col("people").cast(_F).quantile(0.05, "linear"),
        people_p95=pl.col("people").cast(_F).quantile(0.95, "linear"),
    )
    out = (
        order.join(pooled, on="row", how="left")
        .join(spread, on="row", how="left")
        .with_columns(
            people=pl.col("people").fill_null(0).cast(_F) / max(n_runs, 1),
            share=pl.col("share").fill_null(0.0) if total else pl.col("share"),
            runs_with_people=pl.col("runs_with_people").fill_null(0),
            runs=pl.lit(n_runs, pl.Int64),
        )
        .sort("_order")
        .drop("_order")
    )
    cols = ["row", "people", "people_p05", "people_p95"]
    for m in ("share", "mean", "median", "share_zero"):
        cols += [m, f"{m}_p05", f"{m}_p95"]
    return out.select(*cols, "runs_with_people", "runs")


def _basis(res: SimulationResult, period: int, population: str, annualised: bool, of: str,
           rows: _Rows) -> str:
    first = res.months - period + 1
    who = {
        "everyone": "everyone who was a participant in at least one month of the period "
        "(quitters and people paid nothing included)",
        "active": "participants with volume (own orders or their customers') in the period",
        "whole_period": "participants in every month of the period",
    }[population]
    amount = (
        "commissions and bonuses paid by the company" if of == "earnings"
        else "commissions and bonuses + retail margin"
    )
    how = (
        "annualised: each person's amount × 12 ÷ the months they were in during the period"
        if annualised else "what was paid in the period, not annualised"
    )
    by = (
        "rows by the highest rank reached by the end of the period" if rows.kind == "rank"
        else "rows by band of the amount (low ≤ amount < high)"
    )
    return (
        f"months {first}–{res.months} of {res.months} simulated ({period} months); "
        f"population {population!r}: {who}; "
        f"amount = {amount}, {how}; {by}; figures over the {len(kept_runs(res))} kept runs "
        "pooled, p05/p95 of each run's own figure"
    )


def disclosure_table(
    result: SimulationResult,
    by: str | None = None,
    *,
    bands: Sequence[Any] | None = None,
    rows: Mapping[str, Any] | None = None,
    population: str = "everyone",
    annualised: bool = False,
    period: int | None = None,
    start: SimulationResult | None = None,
    of: str = "earnings",
) -> pl.DataFrame:
    """The income disclosure statement a simulation implies, defined the way a company's
    table defines it.

    **Rows.** ``by="rank"`` (the default, unless ``bands`` is given): one row per rank of the plan, ``(none)`` (never
    reached a rank) first, by the **highest rank reached by the end of the period**
    (``res.distributors.max_rank``: the core keeps no rank by month); ``rows`` groups them
    as the company's table does, ``{"Director": ["Sales Director"], "Others": ["(none)",
    "Consultant"]}`` (a row mapped to ``[]`` has no rank in the plan). ``bands=`` gives rows
    by band of the disclosed amount instead: edges ``[0, 1, 1000]`` (rows [0, 1),
    [1, 1000), [1000, ∞)) or ``(low, high)`` pairs, ``high`` None for no upper limit and
    ``low == high`` for exactly that amount (``(0, 0)``: earned nothing; counted there, not
    in a band starting at 0). People in no row (ranks no row holds, amounts outside the
    bands) are counted in a row ``(other)``; the last row, ``(all)``, is the whole
    population.

    **Definition** (say which the company used):

    - ``period``: the last ``period`` months of the result (a calendar-year table:
      ``period=12``); None: the whole horizon. Each person's amount is what they were paid
      in the period: the total at the end minus the total after month ``months − period``,
      read from ``start``, the same simulation stopped then (same plan, scenario and seed;
      the simulation is causal, so its months are the result's first months). Without
      ``start`` it is simulated again for the kept runs.
    - ``population``: ``"everyone"`` (a participant in at least one month of the period,
      people who quit during it and people paid nothing included), ``"active"`` (of those,
      the ones with volume — own orders or their customers' — in the period), or
      ``"whole_period"`` (a participant in every month of it).
    - ``annualised``: False — what was paid in the period; True — each person's amount
      × 12 ÷ the months they were in during the period (which overstates what short-stayers
      would have earned in a year).
    - ``of``: ``"earnings"`` (commissions and bonuses paid by the company, what disclosures
      report) or ``"gross"`` (earnings + retail margin).

    **Figures**, over the people of all kept runs pooled (each run is one company; pooled,
    rare ranks are not undefined in half the runs): ``people`` (mean per run), ``share`` =
    people in the row ÷ the population, ``mean``, ``median``, ``share_zero`` (share of the
    row paid nothing), each with ``_p05``/``_p95``, the spread of each run's own figure
    (over the runs where it is defined); ``runs_with_people``, ``runs``; key columns
    ``ranks`` (rank rows) or ``low``, ``high`` (band rows; null for ``(other)``/``(all)``);
    ``basis`` states the definition.
    """
    if not isinstance(result, SimulationResult):
        raise TypeError(
            f"result must be a downline.SimulationResult, not {type(result).__name__}"
        )
    _check_definition(population, annualised, of)
    spec = _rows_for(result.plan, by, bands, rows)
    per = _period_of(result, period)
    st = _start_of(result, per, start)
    people = _people(result, st, per, population, annualised, of)
    return _table(result, people, spec, per, population, annualised, of)


def _table(res: SimulationResult, people: pl.DataFrame, spec: _Rows, period: int,
           population: str, annualised: bool, of: str) -> pl.DataFrame:
    fig = _figures(people, spec, kept_runs(res))
    keys = pl.DataFrame({"row": list(spec.labels), **spec.key_columns()})
    out = fig.join(keys, on="row", how="left", maintain_order="left")
    key_cols = ["ranks"] if spec.kind == "rank" else ["low", "high"]
    front = ["row", *key_cols]
    return out.select(*front, *[c for c in fig.columns if c != "row"]).with_columns(
        basis=pl.lit(_basis(res, period, population, annualised, of, spec))
    )


# --------------------------------------------------------------------------------------
# the published table


@dataclass
class _Published:
    rows: _Rows
    # long: row, target, observed (the published figures, nulls dropped)
    targets: pl.DataFrame
    # rows the plan has no rank for: label → reason
    unreachable: dict[str, str]


def _as_frame(disclosure: Any) -> pl.DataFrame:
    if isinstance(disclosure, pl.DataFrame):
        return disclosure
    if isinstance(disclosure, (Mapping, list)):
        try:
            return pl.DataFrame(disclosure)
        except Exception as e:  # noqa: BLE001 - any failure to read it is the same problem
            raise ValueError(f"disclosure: cannot read it as a table: {e}") from None
    raise ValueError(
        "disclosure must be a polars DataFrame (or a dict of columns): one row per rank "
        "('rank') or band ('low', 'high') with any of share, mean, median, share_zero; "
        f"not {type(disclosure).__name__}"
    )


def _numbers(df: pl.DataFrame, col: str) -> pl.Series:
    s = df[col]
    if not (s.dtype.is_numeric() or s.dtype == pl.Null or isinstance(s.dtype, pl.Decimal)):
        raise ValueError(f"disclosure: column {col!r} is {s.dtype}; give numbers")
    s = s.cast(_F).fill_nan(None)
    if s.is_infinite().any():
        raise ValueError(f"disclosure: column {col!r} has infinite values")
    if (s.drop_nulls() < 0).any():
        raise ValueError(f"disclosure: column {col!r} has negative values")
    return s


def _published(
    disclosure: Any,
    plan: Plan,
    rows: Mapping[str, Any] | None,
    share_tolerance: float,
    participants: Any,
    share_zero: Any,
) -> _Published:
    df = _as_frame(disclosure)
    if df.height == 0 or df.width == 0:
        raise ValueError("disclosure: the table has no rows; give one row per rank or band")
    has_rank = "rank" in df.columns
    has_band = "low" in df.columns or "high" in df.columns
    if has_rank and has_band:
        raise ValueError("disclosure: give rows by 'rank' or by band ('low', 'high'), not both")
    if not has_rank and not has_band:
        raise ValueError(
            f"disclosure has no 'rank' column (rows by rank) nor 'low' and 'high' columns "
            f"(rows by band of earnings); it has {df.columns}"
        )
    if has_band and not ("low" in df.columns and "high" in df.columns):
        raise ValueError(
            "disclosure: rows by band need both 'low' and 'high' (high null: no upper limit)"
        )
    figures = [c for c in ROW_FIGURES if c in df.columns]
    if "people" in df.columns and "share" not in df.columns:
        figures = ["people", *figures]
    keys = {"rank"} if has_rank else {"low", "high"}
    unknown = [
        c for c in df.columns
        if c not in keys and c not in ROW_FIGURES and c != "people"
        and (df[c].dtype.is_numeric() or isinstance(df[c].dtype, pl.Decimal))
    ]
    if unknown:
        raise ValueError(
            f"disclosure: unknown column(s) {unknown}; the figures are {list(ROW_FIGURES)} "
            "(share of the population, mean and median amount, share paid nothing) or "
            "'people' (counts, for the shares)"
        )
    if not figures:
        raise ValueError(
            f"disclosure has none of the figures {list(ROW_FIGURES)} (or 'people'); it has "
            f"{df.columns}"
        )
    values = {c: _numbers(df, c) for c in figures}
    if "people" in values:
        n = values.pop("people")
        if n.null_count():
            raise ValueError("disclosure: 'people' has missing values; the shares need all")
        if n.sum() <= 0:
            raise ValueError("disclosure: 'people' adds up to 0")
        values = {"share": n / n.sum(), **values}
    if all(s.null_count() == s.len() for s in values.values()):
        raise ValueError(
            "disclosure: every figure is missing (all null or NaN); give at least one"
        )
    for c in ("share", "share_zero"):
        if c in values and (values[c].drop_nulls() > 1).any():
            big = values[c].max()
            raise ValueError(
                f"disclosure: {c!r} holds shares between 0 and 1, but its largest is {big:g}"
                + (" (percentages? divide by 100)" if c == "share" or big <= 100 else "")
            )
    if "share" in values:
        s = values["share"]
        total = float(s.drop_nulls().sum())
        if s.null_count() == 0 and abs(total - 1) > share_tolerance:
            raise ValueError(
                f"disclosure: the shares add up to {total:.4g}, not 1 (± {share_tolerance:g}); "
                "a table's rows cover its whole population"
            )
        if s.null_count() and total > 1 + share_tolerance:
            raise ValueError(f"disclosure: the shares given add up to {total:.4g}, above 1")

    # the rows
    if has_rank:
        r = df["rank"]
        if r.dtype != pl.String:
            raise ValueError(f"disclosure: 'rank' is {r.dtype}; give the ranks' names")
        if r.null_count():
            raise ValueError("disclosure: 'rank' has missing names")
        labels = r.to_list()
        if len(set(labels)) != len(labels):
            dup = sorted({x for x in labels if labels.count(x) > 1})
            raise ValueError(f"disclosure: ranks {dup} appear more than once")
        if rows is None:
            spec = _rank_rows(plan, None, labels)
        else:
            if not isinstance(rows, Mapping):
                raise ValueError(
                    "rows: give a dict of row labels to the plan's ranks they hold, e.g. "
                    "{'Director': ['Sales Director'], 'Not eligible': ['(none)', 'Consultant']}"
                )
            known = {NO_RANK, *_plan_ranks(plan)}
            missing = [x for x in labels if x not in rows and x not in known]
            if missing:
                raise ValueError(
                    f"unknown rank names {missing}: neither the plan's ranks "
                    f"{_plan_ranks(plan)} nor rows of `rows` (which has {list(rows)})"
                )
            # a row named after a plan rank and not in `rows` holds that rank
            spec = _rank_rows(plan, {**rows, **{x: [x] for x in labels if x not in rows}})
            extra = [x for x in spec.labels if x not in labels]
            if extra:
                raise ValueError(f"rows: {extra} are not rows of the disclosure ({labels})")
            order = [spec.labels.index(x) for x in labels]
            spec = _Rows("rank", tuple(labels), ranks=tuple(spec.ranks[i] for i in order),
                         left_out=spec.left_out)
        if "share" in values and spec.left_out:
            raise ValueError(
                f"disclosure: the plan's ranks {list(spec.left_out)} are in no row of the table, "
                "whose shares cover everyone; say which row holds them with "
                "rows={'row name': ['plan rank', ...]} (people who never reach a rank are "
                f"{NO_RANK!r})"
            )
        unreachable = {
            lab: "the plan has no rank for this row" for lab, rs in zip(spec.labels, spec.ranks)
            if not rs
        }
    else:
        if rows is not None:
            raise ValueError("rows maps rank rows; a table by band gives 'low' and 'high'")
        lo = _numbers(df, "low")
        hi = _numbers(df, "high")
        if lo.null_count():
            raise ValueError("disclosure: 'low' has missing values; every band has a start")
        spec = _check_bands([(a, b) for a, b in zip(lo.to_list(), hi.to_list())])
        if "share" in values and spec.left_out:
            raise ValueError(
                f"disclosure: the bands leave out {list(spec.left_out)}, but the shares cover "
                "everyone; add bands (or widen them) so that every amount has one"
            )
        unreachable = {}

    long = []
    for c, s in values.items():
        long.append(pl.DataFrame({"row": list(spec.labels), "target": c, "observed": s}))
    if participants is not None:
        if not _is_number(participants) or participants <= 0:
            raise ValueError(f"participants = {participants!r}: give a positive count")
        long.append(pl.DataFrame({"row": [ALL], "target": ["participants"],
                                  "observed": [float(participants)]}))
    if share_zero is not None:
        if not _is_number(share_zero) or not 0 <= share_zero <= 1:
            raise ValueError(f"share_zero = {share_zero!r}: give a share between 0 and 1")
        long.append(pl.DataFrame({"row": [ALL], "target": ["share_zero"],
                                  "observed": [float(share_zero)]}))
    targets = pl.concat(long).drop_nulls("observed")
    usable = targets.filter(~pl.col("row").is_in(list(unreachable)))
    if usable.height == 0:
        raise ValueError(
            "disclosure: no figure is left to fit: every row with figures is one the plan "
            f"cannot reach ({sorted(unreachable)})"
        )
    return _Published(spec, targets, unreachable)


# --------------------------------------------------------------------------------------
# comparing a simulated table with the published one


def _compare(
    sim: pl.DataFrame,
    pub: _Published,
    share_floor: float,
    money_floor: float,
) -> pl.DataFrame:
    """row, target, observed, simulated, error, simulated_p05, simulated_p95, in_objective,
    note. Shares: error = log((simulated + floor) ÷ (observed + floor)); money and counts:
    the same with ``money_floor`` (1 currency unit) or 1 person. A row with no simulated
    people counts its mean and median as 0 (nobody there earned anything)."""
    longs = []
    for m in ("share", "mean", "median", "share_zero"):
        longs.append(sim.select("row", "runs_with_people", target=pl.lit(m),
                                simulated=pl.col(m), simulated_p05=pl.col(f"{m}_p05"),
                                simulated_p95=pl.col(f"{m}_p95")))
    longs.append(sim.filter(pl.col("row") == ALL).select(
        "row", "runs_with_people", target=pl.lit("participants"), simulated=pl.col("people"),
        simulated_p05=pl.col("people_p05"), simulated_p95=pl.col("people_p95")))
    s = pl.concat(longs)
    j = pub.targets.join(s, on=["row", "target"], how="left", maintain_order="left")
    share_like = pl.col("target").is_in(["share", "share_zero"])
    floor = pl.when(share_like).then(share_floor).otherwise(money_floor)
    empty = pl.col("runs_with_people").fill_null(0) == 0
    sim_v = pl.when(empty & pl.col("target").is_in(["mean", "median"])).then(0.0).otherwise(
        pl.col("simulated"))
    unreachable = pl.col("row").is_in(list(pub.unreachable))
    j = j.with_columns(
        error=pl.when(unreachable).then(None).otherwise(
            ((sim_v.fill_null(0.0) + floor) / (pl.col("observed") + floor)).log()),
        in_objective=~unreachable,
        note=pl.when(unreachable).then(pl.lit("the plan has no rank for this row"))
        .when(empty & (pl.col("row") != ALL)).then(pl.lit("no simulated people in this row"))
        .otherwise(None),
    )
    return j.select("row", "target", "observed", "simulated", "error", "simulated_p05",
                    "simulated_p95", "in_objective", "note")


def _disclosure_objective(report: pl.DataFrame, weights: Mapping[str, float]
                          ) -> tuple[float, dict[str, float]]:
    per = report.filter(pl.col("in_objective")).group_by("target").agg(
        (pl.col("error") ** 2).mean().alias("e"))
    parts = {r["target"]: float(r["e"]) for r in per.iter_rows(named=True)}
    return sum(weights[t] * parts.get(t, 0.0) for t in weights), parts


# --------------------------------------------------------------------------------------
# the result


@dataclass
class DisclosureFit(CalibrationResult):
    """What :func:`calibrate_disclosure` found: everything a :class:`CalibrationResult`
    holds (``scenario``, ``params``, ``error``, ``errors`` by figure, ``history``,
    ``converged``, ``simulation``…), with

    - ``report``: one row per published figure: ``row, target`` (share, mean, median,
      share_zero, participants), ``observed``, ``simulated`` (at the fit), ``error`` (the
      log ratio the objective squares), ``simulated_p05``/``simulated_p95`` (spread between
      runs), ``in_objective``, ``note``;
    - ``unreachable``: the rows the model cannot reach: ``row, reason`` — the plan has no
      rank for it, nobody reached it at any of the values tried, or nobody at the fit;
    - ``table``: the simulated disclosure at the fit (:func:`disclosure_table`);
    - ``definition``: how the table was computed (its ``basis``).
    """

    unreachable: pl.DataFrame = field(default_factory=pl.DataFrame)
    table: pl.DataFrame = field(default_factory=pl.DataFrame, repr=False)
    definition: str = ""

    def residuals(self) -> pl.DataFrame:
        """The report with the figures side by side: one row per table row, ``observed_*``,
        ``simulated_*`` and ``error_*`` per figure."""
        r = self.report
        out = r.select("row").unique(maintain_order=True)
        for t in r["target"].unique(maintain_order=True).to_list():
            part = r.filter(pl.col("target") == t).select(
                "row", pl.col("observed").alias(f"observed_{t}"),
                pl.col("simulated").alias(f"simulated_{t}"), pl.col("error").alias(f"error_{t}"))
            out = out.join(part, on="row", how="left", maintain_order="left")
        return out

    def __repr__(self) -> str:
        base = super().__repr__()[:-1].replace("downline.CalibrationResult", "downline.DisclosureFit")
        lines = [base]
        for row in self.unreachable.iter_rows(named=True):
            lines.append(f"  cannot reach {row['row']!r}: {row['reason']}")
        return "\n".join(lines) + ">"

    def _repr_html_(self) -> str:
        esc = html.escape
        def kind(p: str) -> str:
            return "multiplier of the table" if self.kinds.get(p) == "multiplier" else "value"

        prow = "".join(
            f"<tr><td>{esc(p)}</td><td>{kind(p)}</td>"
            f"<td class=n>{self.start.get(p, float('nan')):.4g}</td>"
            f"<td class=n><b>{v:.4g}</b></td></tr>"
            for p, v in self.params.items()
        )

        def num(v: Any, t: str) -> str:
            if v is None or (isinstance(v, float) and math.isnan(v)):
                return "–"
            if t in ("share", "share_zero"):
                return f"{100 * v:.3g}%"
            return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}"

        def err(v: Any) -> str:
            return "–" if v is None else f"{v:+.2f}"

        rrow = "".join(
            f"<tr><td>{esc(r['row'])}</td><td>{esc(r['target'])}</td>"
            f"<td class=n>{num(r['observed'], r['target'])}</td>"
            f"<td class=n>{num(r['simulated'], r['target'])}</td>"
            f"<td class=n>{err(r['error'])}</td>"
            f"<td class=n>{num(r['simulated_p05'], r['target'])} – "
            f"{num(r['simulated_p95'], r['target'])}</td>"
            f"<td>{esc(r['note'] or '')}</td></tr>"
            for r in self.report.iter_rows(named=True)
        )
        unreach = "".join(
            f"<li><b>{esc(r['row'])}</b>: {esc(r['reason'])}</li>"
            for r in self.unreachable.iter_rows(named=True)
        )
        status = "converged" if self.converged else "stopped at max_evals"
        style = (
            "<style>.dl-cal table{border-collapse:collapse;margin:.2em 0 .6em}"
            ".dl-cal th,.dl-cal td{border-bottom:1px solid #ddd;padding:2px 8px;"
            "text-align:left}.dl-cal .n{text-align:right;font-variant-numeric:tabular-nums}"
            "</style>"
        )
        return (
            f'{style}<div class="dl-cal"><h4>Calibration to a disclosure: error '
            f"{self.error:.4g}, {self.evaluations} simulations, {status}, "
            f"{self.seconds:.1f} s</h4>"
            "<table><tr><th>parameter</th><th>fitted as</th><th class=n>start</th>"
            f"<th class=n>fitted</th></tr>{prow}</table>"
            "<table><tr><th>row</th><th>figure</th><th class=n>published</th>"
            "<th class=n>simulated</th><th class=n>error (log ratio)</th>"
            f"<th class=n>runs p05 – p95</th><th></th></tr>{rrow}</table>"
            + (f"<p>Rows the model cannot reach:</p><ul>{unreach}</ul>" if unreach else "")
            + f"<p><small>{esc(self.definition)}</small></p></div>"
        )


# --------------------------------------------------------------------------------------
# calibrate_disclosure


def calibrate_disclosure(
    plan: Plan,
    scenario: Scenario | Mapping[str, Any],
    disclosure: pl.DataFrame | Mapping[str, Any],
    params: Mapping[str, tuple[float, float]],
    *,
    population: str | None = None,
    annualised: bool | None = None,
    period: int = 12,
    months: int | None = None,
    rows: Mapping[str, Any] | None = None,
    of: str = "earnings",
    participants: float | None = None,
    share_zero: float | None = None,
    weights: Mapping[str, float] | None = None,
    share_floor: float = 1e-3,
    money_floor: float = 1.0,
    share_tolerance: float = 0.02,
    runs: int = 10,
    seed: int = DEFAULT_SEED,
    max_evals: int = 60,
    threads: int | None = None,
    tol: float = 1e-4,
) -> DisclosureFit:
    """Fit scenario parameters so that the simulated income disclosure matches a published
    one.

    ``disclosure``: one row per rank (column ``rank``) or band of earnings (``low``,
    ``high``; high null = no upper limit; ``low == high``: exactly that amount, e.g. the
    "$0" row) with any of ``share`` (of the population, 0–1; or ``people``, counts),
    ``mean``, ``median`` (amount per person in the period) and ``share_zero`` (share of the
    row paid nothing); a missing figure is null or NaN. Rank names are the plan's ranks
    (``(none)``: never reached a rank), or the keys of ``rows``, which maps the company's
    row names to the plan's ranks: ``{"Sales Director": ["Sales Director"], "Not eligible":
    ["(none)", "Beauty Consultant"], "National Sales Director": []}`` (``[]``: the plan has
    no such rank; the row is reported as unreachable and left out of the objective). With
    shares, the rows must cover everyone (shares adding up to 1 ± ``share_tolerance``;
    every rank in a row; bands covering every amount). ``participants`` and ``share_zero``
    are the table's own figures, if it gives them: the period's participant count (the
    simulated company's size is set by ``market.founders`` and ``market.size``: fit one of
    them, or leave this out) and the share of the population paid nothing.

    **How the company's table counts** — required, since every company differs:
    ``population`` (``"everyone"``, ``"active"`` or ``"whole_period"``) and ``annualised``
    (True/False); ``period`` (months the table covers, default 12) and ``of``
    (``"earnings"`` or ``"gross"``) as in :func:`disclosure_table`. The disclosure period is
    the last ``period`` months of a ``months``-month simulation (default ``period + 24``):
    the simulated company's age matters, since ranks take time to reach.

    ``params``, ``runs``, ``seed``, ``max_evals``, ``threads``, ``tol``: as in
    :func:`downline.calibrate` (each candidate simulated with the same seed; for a period
    shorter than ``months`` the first ``months − period`` months are simulated too, for
    each person's amount at the start of the period).

    The objective is Σ over figures of w × mean over rows of e², with e = log((simulated +
    f) ÷ (published + f)): f = ``share_floor`` (0.001) for shares, ``money_floor`` (1
    currency unit) for amounts, 1 for the participant count; ``weights`` = {figure: w}
    (default 1 each). A row nobody reaches in the simulation counts its mean and median as
    0. A candidate the scenario or the simulator refuses (a probability above 1, a memory
    estimate above ``max_memory``) scores infinity, with the reason in ``history["note"]``.

    Returns a :class:`DisclosureFit`: the fitted scenario and values, ``report`` (each
    figure published vs simulated, with its error), ``residuals()``, ``unreachable`` (rows
    the model cannot reach and why), ``table`` (the simulated disclosure at the fit).
    """
    t0 = time.perf_counter()
    if not isinstance(plan, Plan):
        raise TypeError(f"plan must be a downline.Plan, not {type(plan).__name__}")
    if population is None or annualised is None:
        raise ValueError(
            "say how the company's table counts people: population='everyone' (every "
            "participant of the period), 'active' or 'whole_period', and annualised=True "
            "or False (part-period figures scaled to a year, or what was paid)"
        )
    _check_definition(population, annualised, of)
    for name, value, low in (("runs", runs, 1), ("max_evals", max_evals, 1),
                             ("period", period, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} = {value!r}: use a whole number from {low}")
    if months is None:
        months = period + 24
    elif isinstance(months, bool) or not isinstance(months, int) or months < period:
        raise ValueError(f"months = {months!r}: use a whole number of at least period = {period}")
    for name, value in (("share_floor", share_floor), ("money_floor", money_floor),
                        ("share_tolerance", share_tolerance), ("tol", tol)):
        if not _is_number(value) or value < 0:
            raise ValueError(f"{name} = {value!r}: use a number ≥ 0")
    if share_floor == 0 or money_floor == 0:
        raise ValueError("share_floor and money_floor must be above 0 (a share of 0 has no log)")

    base_spec = _base_spec(scenario)
    plist = _parse_params(params, base_spec)
    pub = _published(disclosure, plan, rows, share_tolerance, participants, share_zero)

    present = pub.targets.filter(~pl.col("row").is_in(list(pub.unreachable)))["target"]
    used = [t for t in TARGETS if t in present.to_list()]
    w_in = dict(weights or {})
    for t, w in w_in.items():
        if t not in TARGETS:
            raise ValueError(f"weights: unknown figure {t!r}; use any of {list(TARGETS)}")
        if not _is_number(w) or w <= 0:
            raise ValueError(f"weights[{t!r}]: {w!r} must be a positive number")
    wts = {t: float(w_in.get(t, 1.0)) for t in used}
    x0 = _check_start(base_spec, plist)
    reached: dict[str, bool] = {lab: False for lab in pub.rows.labels}

    def table_of(sc: Scenario) -> tuple[SimulationResult, pl.DataFrame]:
        res = simulate(plan, sc, months=months, runs=runs, seed=seed, threads=threads)
        st = None
        if period < months:
            st = simulate(plan, sc, months=months - period, runs=runs, seed=seed,
                          threads=threads)
        people = _people(res, st, period, population, annualised, of)
        return res, _table(res, people, pub.rows, period, population, annualised, of)

    def score(xs: list[float]) -> tuple[float, dict[str, float], str | None, Any]:
        try:
            sc = _scenario_at(base_spec, plist, xs)
        except ScenarioError as e:
            return math.inf, {}, str(e), None
        try:
            res, tab = table_of(sc)
        except ValueError as e:  # the simulator refuses it (its memory estimate, say)
            return math.inf, {}, str(e), None
        for r in tab.filter(pl.col("runs_with_people") > 0)["row"].to_list():
            if r in reached:
                reached[r] = True
        rep = _compare(tab, pub, share_floor, money_floor)
        f, parts = _disclosure_objective(rep, wts)
        return f, parts, None, (sc, res, tab, rep)

    found = _search(plist, score, used, max_evals, tol, "calibrate_disclosure")
    sc_fit, res_fit, tab_fit, rep_fit = found.payload

    at_fit = set(tab_fit.filter(pl.col("runs_with_people") > 0)["row"].to_list())
    unreach: list[tuple[str, str]] = []
    for lab in pub.rows.labels:
        if lab in pub.unreachable:
            unreach.append((lab, pub.unreachable[lab]))
        elif not reached[lab]:
            tried = found.history.height
            unreach.append((lab, f"nobody in this row at any of the {tried} values tried"))
        elif lab not in at_fit:
            unreach.append((lab, "nobody in this row at the fitted values (reached at others)"))
    return DisclosureFit(
        **_fit_fields(found, plist, x0, wts, sc_fit, rep_fit, res_fit, t0),
        unreachable=pl.DataFrame(unreach, schema={"row": pl.String, "reason": pl.String},
                                 orient="row"),
        table=tab_fit,
        definition=tab_fit["basis"][0],
    )
