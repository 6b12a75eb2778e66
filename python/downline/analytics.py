"""What a simulation means: the company's view, the participants' view, retention, the
regulator's view, and comparing plans on the same simulated people.

Every figure is computed **per run** and then reported **across runs**: ``mean`` and the
5th, 50th and 95th percentiles (``p05``, ``p50``, ``p95``, linear interpolation between
runs) with ``runs``, the number of runs in which the figure is defined. Summaries are long
polars DataFrames ``[keys…], metric, mean, p05, p50, p95, runs``; ``per_run=True`` returns
the per-run figures instead. Money is in currency units (Float64) in summaries; sums that
must add up exactly (payout by source, total earnings by rank) are computed on the exact
``Decimal(18, 2)`` columns and kept as decimals in the per-run tables.

Participant figures use ``res.distributors`` (one row per person who ever joined, for the
kept runs); company figures use ``res.monthly``, ``res.bonuses`` and ``res.ranks`` (all
runs). Every formula, and the sources of the regulatory thresholds, are in
``docs/analytics.md``.

A function that needs a column the result does not have (the payout attribution and
per-person volume columns come with a newer core) raises :class:`MissingColumnError`
naming the columns. Volume and host-reward columns of a source the core did not simulate
yet (preferred customers, parties) count as zero.

**Who is paid.** ``payout`` is what the company pays distributors: the bonuses with
``paid_by_company`` true and ``paid_to == "distributor"``. The retail margin is paid by
customers (``paid_by_company`` false) and host rewards are paid by the company to party
hosts, who are customers (``paid_to == "host"``): both are reported apart, never as a
share of the payout.
"""

from __future__ import annotations

import math
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import pairwise
from statistics import NormalDist
from typing import Any, Union

import numpy as np
import polars as pl

__all__ = [
    "BOOKS_OPTIONAL",
    "CUSTOMER_SOURCES",
    "INVENTORY_COLUMNS",
    "INVENTORY_COMPANY_METRICS",
    "INVENTORY_MONTHLY",
    "NO_RANK",
    "SOURCES",
    "STOCK_VALUES",
    "BuybackPolicy",
    "CompanyBooks",
    "CompanyView",
    "Comparison",
    "MissingColumnError",
    "breakage",
    "buyback_policy",
    "company_books",
    "compare",
    "compliance",
    "earnings_distribution",
    "has_inventory",
    "income_disclosure",
    "independent_difference",
    "inventory_people",
    "inventory_summary",
    "loading_bands",
    "lorenz",
    "net_results",
    "paired_difference",
    "participant_net",
    "payout",
    "payout_by_bonus",
    "payout_monthly",
    "payout_summary",
    "rank_counts",
    "retention",
    "sources_of_money",
    "t_quantile",
]

#: Label of "never paid as any rank" in tables grouped by highest rank.
NO_RANK = "(none)"

#: Half-width of the break-even band of :func:`net_results`, in currency units.
BREAK_EVEN = 1.0

_F = pl.Float64
_STATS = ["mean", "p05", "p50", "p95", "runs"]


class MissingColumnError(ValueError):
    """A table of the result lacks a column a figure needs (an older core)."""


# --------------------------------------------------------------------------------------
# helpers


def _require(res: Any, table: str, cols: Sequence[str], what: str) -> pl.DataFrame:
    df = getattr(res, table)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise MissingColumnError(
            f"res.{table} has no column(s) {missing}, which {what} needs. They come with the "
            "core that attributes payout to volume sources and records per-distributor "
            "volumes and required purchases: rebuild the extension and simulate again."
        )
    return df


def _col_or_zero(df: pl.DataFrame, col: str, like: str) -> pl.Expr:
    """``col``, or a zero of ``like``'s type when the table has no such column: a core that
    does not report a volume source (preferred customers, parties) did not simulate it."""
    if col in df.columns:
        return pl.col(col)
    return pl.lit(0).cast(df.schema[like]).alias(col)


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num ÷ den as Float64, null when den is 0 or null."""
    return pl.when(den.cast(_F) != 0).then(num.cast(_F) / den.cast(_F)).otherwise(None)


def _across_runs(
    per_run: pl.DataFrame, keys: Sequence[str], metrics: Sequence[str]
) -> pl.DataFrame:
    """Long summary over runs: [keys…], metric, mean, p05, p50, p95, runs."""
    keys = list(keys)
    order = pl.DataFrame(
        {"metric": list(metrics), "_order": list(range(len(metrics)))},
        schema={"metric": pl.String, "_order": pl.Int64},
    )
    long = per_run.select(
        ["run", *keys, *[pl.col(m).cast(_F) for m in metrics]]
    ).unpivot(index=["run", *keys], on=list(metrics), variable_name="metric", value_name="v")
    v = pl.col("v").filter(pl.col("v").is_not_null() & pl.col("v").is_not_nan())
    out = long.group_by([*keys, "metric"]).agg(
        mean=v.mean(),
        p05=v.quantile(0.05, "linear"),
        p50=v.quantile(0.5, "linear"),
        p95=v.quantile(0.95, "linear"),
        runs=v.count().cast(pl.UInt32),
    )
    out = out.join(order, on="metric").sort([*keys, "_order"]).drop("_order")
    return out.select([*keys, "metric", *_STATS])


def _runs_of(df: pl.DataFrame) -> list[int]:
    return sorted(df["run"].unique().to_list())


def _point_value(res: Any) -> float:
    """Currency value of one volume point: the plan's, else Σ volume_value ÷ Σ volume."""
    plan = getattr(res, "plan", None)
    if plan is not None and hasattr(plan, "to_dict"):
        pv = plan.to_dict().get("volume", {}).get("point_value")
        if pv is not None:
            return float(pv)
    m = res.monthly
    vol = float(m["volume"].cast(_F).sum())
    return float(m["volume_value"].cast(_F).sum()) / vol if vol else 1.0


def _months_in(months: int) -> pl.Expr:
    """Months a person participated: (quit_month, or months + 1 if still in) − join_month."""
    return (
        pl.col("quit_month").fill_null(months + 1).cast(pl.Int64)
        - pl.col("join_month").cast(pl.Int64)
    )


def _people(res: Any, cols: Sequence[str], what: str) -> pl.DataFrame:
    """The per-person rows with ``cols`` (and ``run``), as one DataFrame (all kept runs)."""
    return pl.concat([lf.collect() for lf in people_chunks(res, cols, what)])


# --------------------------------------------------------------------------------------
# per-person rows, a few runs at a time

#: About how many per-person rows the analytics hold at once: the figures of the
#: participants' view are computed per run, over chunks of whole runs of about this size, so
#: memory grows with a chunk, not with every run kept.
CHUNK_ROWS = 1_000_000

#: Per-run tables computed from a result's per-person rows, by id of the result: (a weak
#: reference to it, the per-person rows they were computed from, {key: table}).
_CACHES: dict[int, tuple[Any, Any, dict[tuple[Any, ...], Any]]] = {}


def _memo(res: Any, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """A per-run table computed from a result's per-person rows, computed once per result
    and kept while the result lives (small: a row per run, or per run and rank), so a
    report or a notebook that asks for the same figures again does not read every person
    again. The cache is tied to the per-person table it was computed from: replacing
    ``res.distributors`` starts a new one."""
    people = _people_token(res)
    k = id(res)
    entry = _CACHES.get(k)
    if entry is None or entry[0]() is not res or entry[1] is not people:
        try:
            ref = weakref.ref(res, lambda _ref, k=k: _CACHES.pop(k, None))
        except TypeError:  # an object that takes no weak reference: no cache
            return compute()
        entry = (ref, people, {})
        _CACHES[k] = entry
    if key not in entry[2]:
        entry[2][key] = compute()
    return entry[2][key]


def _people_token(res: Any) -> Any:
    """What the per-person rows are: the saved file's scan for a result read from a
    directory (the same object until the rows are read), else the DataFrame itself."""
    token = getattr(res, "people_token", None)
    return token() if callable(token) else res.distributors


def _people_scan(res: Any) -> pl.LazyFrame | None:
    """A lazy scan of the per-person rows of a result read from a directory (they are then
    read from disk a few runs at a time), else None."""
    scan = getattr(res, "people_scan", None)
    return scan() if callable(scan) else None


def _people_schema(res: Any) -> pl.Schema:
    scan = _people_scan(res)
    return scan.collect_schema() if scan is not None else res.distributors.schema


def _run_sizes(res: Any) -> pl.DataFrame:
    """``run, rows``: the kept runs, in order, with their number of per-person rows."""
    def compute() -> pl.DataFrame:
        scan = _people_scan(res)
        src = scan if scan is not None else res.distributors.lazy()
        return (src.group_by("run").agg(rows=pl.len()).sort("run")
                .collect())
    return _memo(res, ("run_sizes",), compute)


def kept_runs(res: Any) -> list[int]:
    """The runs whose per-person rows the result holds (``keep_distributors``), in order:
    the runs every figure of the participants' view is computed over."""
    return _run_sizes(res)["run"].to_list()


def people_chunks(
    res: Any, cols: Sequence[str], what: str, rows: int | None = None
) -> Iterator[pl.LazyFrame]:
    """The per-person rows of the kept runs, ``run`` and ``cols``, as LazyFrames of whole
    runs of about ``rows`` rows each, in run order: zero-copy slices of
    ``res.distributors`` (sorted by run, as the core writes it), or reads of the saved
    Parquet file for a result loaded from a directory. Raises :class:`MissingColumnError`
    for a missing column and ``ValueError`` when no per-person rows were kept."""
    schema = _people_schema(res)
    missing = [c for c in ["run", *cols] if c not in schema]
    if missing:
        raise MissingColumnError(
            f"res.distributors has no column(s) {missing}, which {what} needs. They come "
            "with the core that attributes payout to volume sources and records "
            "per-distributor volumes and required purchases: rebuild the extension and "
            "simulate again."
        )
    sizes = _run_sizes(res)
    if sizes.height == 0:
        raise ValueError(
            f"res.distributors is empty: {what} needs the per-distributor rows "
            "(simulate with keep_distributors=True or a number of runs to keep)"
        )
    rows = rows or CHUNK_ROWS
    want = list(dict.fromkeys(["run", *cols]))
    groups: list[tuple[int, int, int, int]] = []  # first run, last run, offset, length
    offset = 0
    for run, n in sizes.iter_rows():
        if groups and groups[-1][3] + n <= rows:
            first, _, off, length = groups[-1]
            groups[-1] = (first, run, off, length + n)
        else:
            groups.append((run, run, offset, n))
        offset += n
    scan = _people_scan(res)
    if scan is not None:
        for first, last, _, _ in groups:
            yield scan.filter(pl.col("run").is_between(first, last)).select(want)
        return
    d = res.distributors
    ordered = d["run"].is_sorted()
    for first, last, off, length in groups:
        if ordered:
            yield d.slice(off, length).lazy().select(want)
        else:
            yield d.lazy().filter(pl.col("run").is_between(first, last)).select(want)


def _per_run(res: Any, cols: Sequence[str], what: str,
             query: Callable[[pl.LazyFrame], pl.LazyFrame]) -> pl.DataFrame:
    """``query`` (one lazy polars query, grouped by run) over every chunk of runs."""
    return pl.concat([query(lf).collect() for lf in people_chunks(res, cols, what)],
                     how="vertical_relaxed")


def _rank_order(res: Any, labels: Sequence[str]) -> pl.DataFrame:
    """rank, rank_index: (none) = −1, the plan's ranks lowest first, then unknown labels."""
    plan = getattr(res, "plan", None)
    ranks = list(plan.ranks) if plan is not None else []
    for lab in labels:
        if lab != NO_RANK and lab not in ranks:
            ranks.append(lab)
    return pl.DataFrame(
        {"rank": [NO_RANK, *ranks], "rank_index": list(range(-1, len(ranks)))},
        schema={"rank": pl.String, "rank_index": pl.Int64},
    )


# --------------------------------------------------------------------------------------
# 1. the company's view


def payout_summary(res: Any, per_run: bool = False) -> pl.DataFrame:
    """The company's cost over the whole horizon, per run (sums over months of ``res.monthly``):

    - ``payout_ratio`` = Σ payout ÷ Σ volume_value (commissions paid by the company, after
      the cap, over the value of all volume);
    - ``volume_value``, ``payout``, ``payout_before_cap``, ``retail_profit`` (paid by
      customers, not by the company: outside the ratio);
    - ``host_rewards`` = Σ host_rewards: what the company gives party hosts (customers, not
      distributors), valued as the plan values it; outside ``payout``, the ratio and the
      cap; ``host_rewards_ratio`` = host_rewards ÷ Σ volume_value. Zero for a plan without
      host rewards;
    - ``capped`` = Σ (payout_before_cap − payout); ``capped_share`` = capped ÷ Σ
      payout_before_cap;
    - ``active_months`` = Σ active (participating distributor-months);
      ``cost_per_active_month`` = Σ payout ÷ Σ active; ``qualified_months`` and
      ``cost_per_qualified_month`` likewise with ``qualified``;
    - when the core provides them: ``potential_payout`` = Σ payout_if_all_qualified (what the
      bonuses in the payout would pay if every participant were qualified, before the cap),
      ``potential_payout_ratio`` = potential ÷ Σ volume_value, ``breakage`` = Σ breakage
      (= potential − payout), ``breakage_share`` = breakage ÷ potential, split into
      ``breakage_qualification`` = potential − Σ payout_before_cap and the cap's ``capped``.
      Without those columns the breakage rows are left out with a warning (use
      :func:`breakage` to require them).
    """
    m = res.monthly
    has_b = all(c in m.columns for c in ("payout_if_all_qualified", "breakage"))
    aggs = [
        pl.col("volume_value").sum(),
        pl.col("payout").sum(),
        pl.col("payout_before_cap").sum(),
        pl.col("retail_profit").sum(),
        _col_or_zero(m, "host_rewards", "payout").sum(),
        pl.col("active").cast(pl.Int64).sum().alias("active_months"),
        pl.col("qualified").cast(pl.Int64).sum().alias("qualified_months"),
    ]
    if has_b:
        aggs += [
            pl.col("payout_if_all_qualified").sum().alias("potential_payout"),
            pl.col("breakage").sum(),
        ]
    per = m.group_by("run").agg(aggs).sort("run")
    per = per.with_columns(
        payout_ratio=_ratio(pl.col("payout"), pl.col("volume_value")),
        capped=pl.col("payout_before_cap") - pl.col("payout"),
        host_rewards_ratio=_ratio(pl.col("host_rewards"), pl.col("volume_value")),
        cost_per_active_month=_ratio(pl.col("payout"), pl.col("active_months")),
        cost_per_qualified_month=_ratio(pl.col("payout"), pl.col("qualified_months")),
    ).with_columns(capped_share=_ratio(pl.col("capped"), pl.col("payout_before_cap")))
    metrics = [
        "payout_ratio", "volume_value", "payout", "payout_before_cap", "capped",
        "capped_share", "retail_profit", "host_rewards", "host_rewards_ratio",
        "active_months", "cost_per_active_month",
        "qualified_months", "cost_per_qualified_month",
    ]
    if has_b:
        per = per.with_columns(
            potential_payout_ratio=_ratio(pl.col("potential_payout"), pl.col("volume_value")),
            breakage_share=_ratio(pl.col("breakage"), pl.col("potential_payout")),
            breakage_qualification=pl.col("potential_payout") - pl.col("payout_before_cap"),
        )
        metrics += [
            "potential_payout", "potential_payout_ratio", "breakage", "breakage_share",
            "breakage_qualification",
        ]
    else:
        warnings.warn(
            "res.monthly has no payout_if_all_qualified/breakage columns (an older core): "
            "breakage is left out of the payout summary",
            stacklevel=2,
        )
    if per_run:
        return per.select(["run", *metrics])
    return _across_runs(per, [], metrics)


def breakage(res: Any, per_run: bool = False) -> pl.DataFrame:
    """Breakage over the horizon, per run: ``potential_payout`` = Σ payout_if_all_qualified,
    ``payout``, ``breakage`` = Σ breakage (= potential − payout, exact decimals),
    ``breakage_share`` = breakage ÷ potential, ``breakage_qualification`` = potential −
    Σ payout_before_cap (the part lost to unqualified distributors) and ``capped`` = Σ
    (payout_before_cap − payout) (the part the cap withheld). Raises
    :class:`MissingColumnError` without the core's breakage columns."""
    m = _require(
        res, "monthly", ["payout_if_all_qualified", "breakage"], "breakage"
    )
    per = (
        m.group_by("run")
        .agg(
            pl.col("payout_if_all_qualified").sum().alias("potential_payout"),
            pl.col("payout").sum(),
            pl.col("payout_before_cap").sum(),
            pl.col("breakage").sum(),
        )
        .sort("run")
        .with_columns(
            breakage_share=_ratio(pl.col("breakage"), pl.col("potential_payout")),
            breakage_qualification=pl.col("potential_payout") - pl.col("payout_before_cap"),
            capped=pl.col("payout_before_cap") - pl.col("payout"),
        )
    )
    metrics = [
        "potential_payout", "payout", "breakage", "breakage_share",
        "breakage_qualification", "capped",
    ]
    if per_run:
        return per.select(["run", *metrics])
    return _across_runs(per, [], metrics)


def payout_monthly(res: Any, per_run: bool = False) -> pl.DataFrame:
    """Month by month, per run: ``payout_ratio`` = payout ÷ volume_value (null in a month
    without volume), ``payout``, ``volume_value``, ``active``, ``qualified``,
    ``qualified_share`` = qualified ÷ active, ``cost_per_active`` = payout ÷ active and,
    when the core provides it, ``breakage`` and ``breakage_share`` = breakage ÷
    payout_if_all_qualified. Summary keyed by ``month``."""
    m = res.monthly
    has_b = all(c in m.columns for c in ("payout_if_all_qualified", "breakage"))
    per = m.sort(["run", "month"]).with_columns(
        payout_ratio=_ratio(pl.col("payout"), pl.col("volume_value")),
        qualified_share=_ratio(pl.col("qualified"), pl.col("active")),
        cost_per_active=_ratio(pl.col("payout"), pl.col("active")),
    )
    metrics = [
        "payout_ratio", "payout", "volume_value", "active", "qualified", "qualified_share",
        "cost_per_active",
    ]
    if has_b:
        per = per.with_columns(
            breakage_share=_ratio(pl.col("breakage"), pl.col("payout_if_all_qualified"))
        )
        metrics += ["breakage", "breakage_share"]
    if per_run:
        return per.select(["run", "month", *metrics])
    return _across_runs(per, ["month"], metrics)


def payout_by_bonus(res: Any, per_run: bool = False) -> pl.DataFrame:
    """Each bonus over the horizon, per run: ``amount`` = Σ amount (``res.bonuses``),
    ``share_of_payout`` = amount ÷ Σ amounts of the bonuses in the payout — paid by the
    company to distributors — (null for a bonus outside it: the retail margin, paid by
    customers, and host rewards, paid to party hosts), ``share_of_volume_value`` = amount ÷
    Σ volume_value. Keys: ``bonus_index`` (plan order), ``bonus`` (name), ``kind``,
    ``paid_by_company``, ``paid_to`` (``"host"`` for host rewards, ``"distributor"``
    otherwise; from the kind when the table has no such column)."""
    b = res.bonuses
    plan = getattr(res, "plan", None)
    spec = list(plan.bonuses) if plan is not None else []
    names = [n for n, _, _ in spec]
    for n in b["bonus"].unique(maintain_order=True).to_list():
        if n not in names:
            names.append(n)
            spec.append((n, None, None))
    meta = pl.DataFrame(
        {
            "bonus_index": list(range(len(spec))),
            "bonus": [s[0] for s in spec],
            "kind": [s[1] for s in spec],
        },
        schema={"bonus_index": pl.Int64, "bonus": pl.String, "kind": pl.String},
    )
    has_to = "paid_to" in b.columns
    per = b.group_by(["run", "bonus"]).agg(
        pl.col("amount").sum(),
        pl.col("paid_by_company").first(),
        *([pl.col("paid_to").first()] if has_to else []),
    ).join(meta, on="bonus", how="left")
    if not has_to:
        per = per.with_columns(
            paid_to=pl.when(pl.col("kind") == "host_rewards")
            .then(pl.lit("host"))
            .otherwise(pl.lit("distributor"))
        )
    in_payout = pl.col("paid_by_company") & (pl.col("paid_to") != "host")
    company = per.filter(in_payout).group_by("run").agg(
        pl.col("amount").sum().alias("_company")
    )
    vv = res.monthly.group_by("run").agg(pl.col("volume_value").sum().alias("_vv"))
    per = (
        per.join(company, on="run", how="left")
        .join(vv, on="run", how="left")
        .with_columns(
            share_of_payout=pl.when(in_payout)
            .then(_ratio(pl.col("amount"), pl.col("_company")))
            .otherwise(None),
            share_of_volume_value=_ratio(pl.col("amount"), pl.col("_vv")),
        )
        .sort(["run", "bonus_index"])
    )
    keys = ["bonus_index", "bonus", "kind", "paid_by_company", "paid_to"]
    metrics = ["amount", "share_of_payout", "share_of_volume_value"]
    if per_run:
        return per.select(["run", *keys, *metrics])
    return _across_runs(per, keys, metrics)


def rank_counts(res: Any, per_run: bool = False) -> pl.DataFrame:
    """Distributors paid as each rank, month by month, per run: ``count`` (``res.ranks``) and
    ``share_of_active`` = count ÷ participating distributors that month. Keys: ``month``,
    ``rank_index``, ``rank``."""
    r = res.ranks.join(res.monthly.select("run", "month", "active"), on=["run", "month"],
                       how="left")
    per = r.with_columns(share_of_active=_ratio(pl.col("count"), pl.col("active"))).sort(
        ["run", "month", "rank_index"]
    )
    keys = ["month", "rank_index", "rank"]
    if per_run:
        return per.select(["run", *keys, "count", "share_of_active"])
    return _across_runs(per, keys, ["count", "share_of_active"])


@dataclass(frozen=True)
class CompanyView:
    """The tables of :func:`payout`."""

    #: :func:`payout_summary`: horizon payout ratio, cap, breakage, cost per active month.
    summary: pl.DataFrame
    #: :func:`payout_monthly`: the same month by month.
    monthly: pl.DataFrame
    #: :func:`payout_by_bonus`: amount and shares per bonus (name and kind).
    by_bonus: pl.DataFrame
    #: :func:`rank_counts`: distributors paid as each rank, month by month.
    ranks: pl.DataFrame

    def _repr_html_(self) -> str:
        """In Jupyter: the horizon figures and the payout by bonus as two short tables."""
        from downline import display as d

        labels = {
            "payout_ratio": ("payout ratio (commissions ÷ volume value)", "share"),
            "volume_value": ("volume value", "money"),
            "payout": ("commissions paid by the company", "money"),
            "capped": ("withheld by the cap", "money"),
            "potential_payout_ratio": ("payout ratio had everyone qualified", "share"),
            "breakage": ("breakage", "money"),
            "breakage_share": ("breakage ÷ payout had everyone qualified", "share"),
            "retail_profit": ("retail margin (paid by customers)", "money"),
            "host_rewards": ("host rewards (paid to party hosts)", "money"),
            "cost_per_active_month": ("commissions per participant-month", "cents"),
        }
        rows = []
        for x in self.summary.iter_rows(named=True):
            if x["metric"] in labels:
                label, kind = labels[x["metric"]]
                rows.append([label, d.format_value(x["mean"], kind),
                             (f"{d.format_value(x['p05'], kind)} to "
                             f"{d.format_value(x['p95'], kind)}")])
        by = self.by_bonus.filter(pl.col("metric").is_in(["amount", "share_of_payout"]))
        bonus_rows = []
        for (name, kind, company, to), g in by.partition_by(
                ["bonus", "kind", "paid_by_company", "paid_to"], as_dict=True,
                maintain_order=True).items():
            m = {x["metric"]: x["mean"] for x in g.iter_rows(named=True)}
            who = ("customers" if not company else d.paid_by("host_rewards") if to == "host"
                   else "company")
            bonus_rows.append([name, kind or "", who, d.fmt_money(m.get("amount")),
                               d.fmt_share(m.get("share_of_payout"))
                               if company and to != "host" else "–"])
        runs = int(self.summary.filter(pl.col("metric") == "payout")["runs"][0]) \
            if self.summary.height else 0
        body = (
            f"<h3>The company's view: {runs} runs</h3>"
            + d.table(["figure", "mean of runs", "90% of runs"], rows, numeric=(1, 2))
            + "<h4>Payout by bonus (mean of runs)</h4>"
            + d.table(["bonus", "kind", "paid by", "amount", "share of commissions"],
                      bonus_rows, numeric=(3, 4))
            + '<p class="muted">Tables: .summary, .monthly (by month), .by_bonus, .ranks '
            "(paid as each rank by month).</p>"
        )
        return d._wrap(body)


def payout(res: Any) -> CompanyView:
    """The company's view: :class:`CompanyView` with ``summary`` (:func:`payout_summary`),
    ``monthly`` (:func:`payout_monthly`), ``by_bonus`` (:func:`payout_by_bonus`) and
    ``ranks`` (:func:`rank_counts`), each summarised across runs."""
    return CompanyView(
        summary=payout_summary(res),
        monthly=payout_monthly(res),
        by_bonus=payout_by_bonus(res),
        ranks=rank_counts(res),
    )


# --------------------------------------------------------------------------------------
# 1b. the company's books

#: Columns a core with inventory buy-backs may add to ``res.monthly``: what the company paid
#: back for returned product (``refunds``) and the commissions it recovered on that product
#: (``chargebacks``). Counted in the books when present, as zero otherwise.
BOOKS_OPTIONAL = ("refunds", "chargebacks")

#: Where the cost-of-goods figures come from (docs/analytics.md, docs/industry-figures.md).
COST_OF_GOODS_HINT = (
    "Pass cost_of_goods=, the cost of the product as a share of the company's revenue at "
    "its own prices: about 0.17–0.26 for supplement and skin-care companies and 0.33 for "
    "Tupperware (gross margins in their filings, compiled by Business for Home, 2019; "
    "docs/analytics.md). 0 gives the books before the cost of goods."
)

#: The lines of the books also given as a share of revenue over the horizon (``…_share``).
_SHARED_LINES = ["sales_at_retail", "fees", "cost_of_goods", "commissions", "host_rewards",
                 "refunds", "chargebacks"]


def _share_of_revenue(value: Any) -> Fraction:
    """A share given as a number or a decimal string, exactly (0.2 is 1/5, not the
    binary double nearest to it)."""
    if isinstance(value, bool):
        raise TypeError(f"cost_of_goods = {value!r}: give a share between 0 and 1")
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"cost_of_goods = {value!r}: give a share between 0 and 1, e.g. "
                         "0.2 for 20% of revenue") from None
    if not d.is_finite() or d < 0 or d > 1:
        raise ValueError(f"cost_of_goods = {value!r}: give a share between 0 and 1, e.g. "
                         "0.2 for 20% of revenue")
    return Fraction(d)


def _plan_cost_of_goods(res: Any) -> Any:
    """The plan's cost of goods: ``plan.cost_of_goods``, else ``[company] cost_of_goods`` of
    its spec, else None."""
    plan = getattr(res, "plan", None)
    value = getattr(plan, "cost_of_goods", None)
    if value is None and plan is not None and hasattr(plan, "to_dict"):
        company = plan.to_dict().get("company") or {}
        value = company.get("cost_of_goods") if isinstance(company, Mapping) else None
    return value


def _packages_commissionable(res: Any) -> bool:
    """Whether the plan's starter packages carry volume (``[company]
    packages_commissionable``, default true): then what they cost is in the volume value."""
    plan = getattr(res, "plan", None)
    company = (plan.to_dict().get("company") or {}) if plan is not None and hasattr(
        plan, "to_dict") else {}
    value = company.get("packages_commissionable") if isinstance(company, Mapping) else None
    return True if value is None else bool(value)


def _money_cents(df: pl.DataFrame, col: str) -> pl.Expr:
    """A money column as Int64 cents: a decimal or float column is currency, an integer
    column cents."""
    dt = df.schema[col]
    if dt.is_integer():
        return pl.col(col).cast(pl.Int64)
    if isinstance(dt, pl.Decimal):
        return (pl.col(col).cast(pl.Decimal(38, 2)) * 100).cast(pl.Int64)
    return (pl.col(col).cast(_F) * 100).round(0).cast(pl.Int64)


def _to_money(col: str) -> pl.Expr:
    """Int64 cents back to currency, Decimal(18, 2), exactly."""
    return (pl.col(col).cast(pl.Decimal(18, 2)) / 100).cast(pl.Decimal(18, 2))


def _round_half_away(x: Fraction) -> int:
    n = abs(x)
    r = int(n)
    if n - r >= Fraction(1, 2):
        r += 1
    return r if x >= 0 else -r


def _plan_fees(res: Any) -> tuple[int, int]:
    """The plan's enrollment and annual fees, in cents."""
    plan = getattr(res, "plan", None)
    costs = (plan.to_dict().get("costs") or {}) if plan is not None and hasattr(
        plan, "to_dict") else {}

    def cents(key: str) -> int:
        v = costs.get(key)
        return int(Decimal(str(v)) * 100) if v is not None else 0
    return cents("enrollment_fee"), cents("annual_fee")


def _renewals(res: Any, months: int) -> pl.DataFrame:
    """``run, month, renewals``: people paying the annual fee each month (kept runs): in
    at 12, 24, … months after their join month."""
    def query(lf: pl.LazyFrame) -> pl.LazyFrame:
        stop = pl.min_horizontal(
            pl.col("quit_month").cast(pl.Int64).fill_null(months + 1), pl.lit(months + 1))
        return (lf.select("run", start=pl.col("join_month").cast(pl.Int64) + 12, stop=stop)
                .filter(pl.col("start") < pl.col("stop"))
                .select("run", month=pl.int_ranges("start", "stop", 12))
                .explode("month")
                .group_by("run", "month").agg(renewals=pl.len().cast(pl.Int64)))

    def compute() -> pl.DataFrame:
        return _per_run(res, ["join_month", "quit_month"], "company_books", query).with_columns(
            pl.col("run").cast(pl.Int64), pl.col("month").cast(pl.Int64))
    return _memo(res, ("renewals", months), compute)


def _fees_per_run(res: Any) -> pl.DataFrame:
    """``run, fees_cents``: Σ fees of each kept run's people."""
    def compute() -> pl.DataFrame:
        return _per_run(res, ["fees"], "company_books", lambda lf: lf.group_by("run").agg(
            fees_cents=(pl.col("fees").cast(pl.Decimal(38, 2)) * 100).cast(pl.Int64).sum()
        )).with_columns(pl.col("run").cast(pl.Int64))
    return _memo(res, ("fees_per_run",), compute)


def _books_fees(res: Any, m: pl.DataFrame) -> tuple[pl.DataFrame, list[int], str]:
    """Fees collected per (run, month) in cents — ``run, month, fees`` — the runs they are
    known for, and how they were found. The monthly table has no fees: the enrollment fee
    is paid in the join month (``joined`` × the plan's fee) and the annual fee at every 12
    months of membership (counted from the per-person join and quit months). The total of
    each run with per-person rows is checked against Σ ``fees`` of its people."""
    enroll, annual = _plan_fees(res)
    months = int(getattr(res, "months", 0) or m["month"].max() or 0)
    all_runs = sorted(int(r) for r in m["run"].unique().to_list())
    try:
        kept = set(kept_runs(res))
    except (MissingColumnError, ValueError):
        kept = set()
    base = m.select(pl.col("run").cast(pl.Int64), pl.col("month").cast(pl.Int64),
                    fees=pl.col("joined").cast(pl.Int64) * enroll)
    renewals_needed = annual > 0 and months > 12
    if renewals_needed:
        runs = [r for r in all_runs if r in kept]
        if not runs:
            raise ValueError(
                "company_books: the plan charges an annual fee, and who paid it in which "
                "month needs the per-person rows, which this result did not keep (simulate "
                "with keep_distributors=True, or a number of runs to keep)")
        ren = _renewals(res, months)
        base = (base.join(ren, on=["run", "month"], how="left")
                .with_columns(fees=pl.col("fees") + pl.col("renewals").fill_null(0) * annual)
                .drop("renewals"))
        how = ("fees: enrollment fees in the join month (joined × the plan's fee) and annual "
               "fees at every 12 months of membership (from the per-person rows)")
    else:
        runs = all_runs
        how = ("fees: enrollment fees in the join month (joined × the plan's fee)"
               + ("; the plan's annual fee falls due after the horizon" if annual else ""))
    base = base.filter(pl.col("run").is_in(runs))
    check = [r for r in runs if r in kept]
    if (enroll or annual) and check and "fees" in _people_schema(res):
        got = base.filter(pl.col("run").is_in(check)).group_by("run").agg(
            pl.col("fees").sum().alias("monthly"))
        want = _fees_per_run(res).filter(pl.col("run").is_in(check))
        bad = want.join(got, on="run", how="left").filter(
            pl.col("monthly").fill_null(0) != pl.col("fees_cents"))
        if bad.height:
            r = bad.row(0, named=True)
            raise ValueError(
                f"company_books: run {r['run']}'s fees month by month come to "
                f"{(r['monthly'] or 0) / 100:.2f} but its people paid {r['fees_cents'] / 100:.2f}:"
                " the core charges fees by a rule other than the enrollment fee in the join "
                "month and the annual fee every 12 months of membership")
        how += "; each run's total checked against Σ fees of its people"
    return base, runs, how


def _books_per_month(res: Any, cost_of_goods: Fraction) -> tuple[pl.DataFrame, list[int], str]:
    """The books per (run, month) in Int64 cents (money) — see :func:`company_books`."""
    m = _require(res, "monthly", ["run", "month", "joined", "volume_value", "payout",
                                  "retail_profit"], "company_books")
    fees, runs, how = _books_fees(res, m)
    zero = pl.lit(0, dtype=pl.Int64)
    # Starter packages sold without volume are revenue the volume value does not hold.
    packages = (_money_cents(m, "packages")
                if "packages" in m.columns and not _packages_commissionable(res) else zero)
    per = m.select(
        pl.col("run").cast(pl.Int64), pl.col("month").cast(pl.Int64),
        revenue=_money_cents(m, "volume_value") + packages,
        retail_profit=_money_cents(m, "retail_profit"),
        commissions=_money_cents(m, "payout"),
        host_rewards=_money_cents(m, "host_rewards") if "host_rewards" in m.columns else zero,
        refunds=_money_cents(m, "refunds") if "refunds" in m.columns else zero,
        chargebacks=_money_cents(m, "chargebacks") if "chargebacks" in m.columns else zero,
    ).filter(pl.col("run").is_in(runs)).join(fees, on=["run", "month"], how="left")
    per = per.with_columns(pl.col("fees").fill_null(0)).sort(["run", "month"])
    cogs = [_round_half_away(cost_of_goods * r) for r in per["revenue"].to_list()]
    per = per.with_columns(cost_of_goods=pl.Series(cogs, dtype=pl.Int64))
    per = per.with_columns(
        sales_at_retail=pl.col("revenue") + pl.col("retail_profit"),
        margin=(pl.col("revenue") + pl.col("fees") - pl.col("cost_of_goods")
                - pl.col("commissions") - pl.col("host_rewards") - pl.col("refunds")
                + pl.col("chargebacks")),
    ).with_columns(cumulative_margin=pl.col("margin").cum_sum().over("run"))
    return per, runs, how


@dataclass(frozen=True)
class CompanyBooks:
    """What :func:`company_books` returns."""

    #: The horizon: a row per run (``per_run=True``) or each figure across runs.
    summary: pl.DataFrame
    #: Month by month: a row per (run, month), or each figure per month across runs.
    monthly: pl.DataFrame
    #: Where the company loses money: ``month, runs, runs_losing, share_of_runs,
    #: median_margin`` for every month with a loss in at least one run.
    losses: pl.DataFrame
    #: The cost of goods used, as a share of revenue.
    cost_of_goods: float
    #: The runs the books use, and the result's number of runs.
    runs: tuple[int, ...]
    n_runs: int
    #: How the fees of each month were found.
    fees_basis: str
    currency: str = ""

    def _repr_html_(self) -> str:
        from downline import display as d

        s = self.summary
        if "metric" not in s.columns:
            return d._wrap(d.table(list(s.columns), [list(r) for r in s.head(20).rows()]))
        rows = []
        for metric, label, kind in BOOKS_LABELS:
            x = s.filter(pl.col("metric") == metric)
            if not x.height:
                continue
            r = x.row(0, named=True)
            rows.append([label, d.format_value(r["p50"], kind),
                         (f"{d.format_value(r['p05'], kind)} to "
                          f"{d.format_value(r['p95'], kind)}")])
        cog = f"{100 * self.cost_of_goods:g}%"
        body = (f"<h3>The company's books: {len(self.runs)} runs, cost of goods {cog} of "
                "revenue</h3>"
                + d.table(["figure", "median of runs", "90% of runs"], rows, numeric=(1, 2))
                + '<p class="muted">Tables: .summary, .monthly (by month), .losses (months '
                "with a loss in some run).</p>")
        return d._wrap(body)


#: Labels and formats of the books' horizon figures, in the order the report shows them.
BOOKS_LABELS = [
    ("revenue", "revenue: product at the company's prices", "money"),
    ("sales_at_retail", "the same product at what its end buyers paid", "money"),
    ("fees", "fees collected (enrollment, annual)", "money"),
    ("cost_of_goods", "cost of goods", "money"),
    ("commissions", "commissions paid to distributors", "money"),
    ("host_rewards", "host rewards given to party hosts", "money"),
    ("refunds", "refunds for returned product", "money"),
    ("chargebacks", "commissions charged back on returns", "money"),
    ("margin", "margin the plan leaves the company", "money"),
    ("margin_share", "margin ÷ revenue", "share"),
    ("breakeven_cost_of_goods", "cost of goods at which the margin is zero", "share"),
    ("loss_months", "months with a loss", "count"),
    ("deepest_cumulative_loss", "deepest cumulative loss", "money"),
]


def company_books(res: Any, cost_of_goods: Any = None, per_run: bool = False) -> CompanyBooks:
    """The company's books: what the plan leaves the company, month by month and over the
    horizon, per run, with intervals across runs.

    Per (run, month), exactly to the cent (``res.monthly``; the fees from the plan and the
    per-person rows):

    - ``revenue`` = volume_value: the product the company sold, at its own prices (what
      distributors pay for their own and their retail customers' orders, preferred
      customers' orders, the product value of party sales), plus the ``packages`` column
      (starter packages bought) when the plan's packages carry no volume
      (``[company] packages_commissionable = false``) — with volume they are in it;
    - ``sales_at_retail`` = revenue + retail_profit: the same product at what its end
      buyers paid (retail customers pay the distributor's margin on top);
    - ``fees`` = enrollment fees (``joined`` × the plan's fee) + annual fees (people in at
      12, 24, … months after joining × the plan's fee);
    - ``cost_of_goods`` = round(cost_of_goods × revenue), half away from zero;
    - ``commissions`` = payout (after the cap); ``host_rewards``;
    - ``refunds`` and ``chargebacks`` when ``res.monthly`` has them (a core with inventory
      buy-backs; currency, or cents for an integer column), else 0;
    - ``margin`` = revenue + fees − cost_of_goods − commissions − host_rewards − refunds +
      chargebacks; ``margin_share`` = margin ÷ revenue; ``loss`` = margin < 0;
      ``cumulative_margin`` = Σ margin up to the month.

    Per run over the horizon: the sums; each line ÷ revenue (``fees_share``,
    ``cost_of_goods_share``, ``commissions_share`` …, ``margin_share``);
    ``breakeven_cost_of_goods`` =
    (margin + cost_of_goods) ÷ revenue, the cost of goods at which the plan leaves nothing;
    ``loss`` (the horizon's margin < 0); ``loss_months``; ``any_loss_month``;
    ``first_loss_month``; ``worst_month_margin``; ``deepest_cumulative_loss`` = the most
    the cumulative margin was below zero (0 if never). Across runs, the mean of a yes/no
    figure (``loss``, ``any_loss_month``) is the share of runs.

    ``cost_of_goods``: a share of revenue; None reads the plan's (``plan.cost_of_goods``)
    and raises ``ValueError`` when the plan has none — there is no default. The margin is
    before the company's own operating costs (staff, shipping, marketing, rent). Money is
    ``Decimal(18, 2)`` in the per-run tables, Float64 in the summaries.

    Runs: every run when the fees of a month follow from ``res.monthly`` (no annual fee, or
    a horizon of 12 months or less); otherwise the runs whose per-person rows were kept,
    with a warning when that is fewer than all.
    """
    if cost_of_goods is None:
        cost_of_goods = _plan_cost_of_goods(res)
        if cost_of_goods is None:
            raise ValueError("company_books needs the cost of goods, and the plan has none. "
                             + COST_OF_GOODS_HINT)
    cog = _share_of_revenue(cost_of_goods)
    per, runs, how = _books_per_month(res, cog)
    n_runs = len(res.monthly["run"].unique())
    if len(runs) < n_runs:
        warnings.warn(f"company_books: the books use the {len(runs)} of {n_runs} runs whose "
                      "per-person rows were kept (the annual fees of a month need them)",
                      stacklevel=2)
    money = ["revenue", "sales_at_retail", "fees", "cost_of_goods", "commissions",
             "host_rewards", "refunds", "chargebacks", "margin"]
    horizon = per.group_by("run").agg(
        *[pl.col(c).sum() for c in money],
        loss_months=(pl.col("margin") < 0).sum().cast(pl.Int64),
        first_loss_month=pl.col("month").filter(pl.col("margin") < 0).min(),
        worst_month_margin=pl.col("margin").min(),
        deepest_cumulative_loss=pl.max_horizontal(-pl.col("cumulative_margin").min(),
                                                  pl.lit(0)),
    ).sort("run").with_columns(
        *[_ratio(pl.col(c), pl.col("revenue")).alias(f"{c}_share") for c in _SHARED_LINES],
        margin_share=_ratio(pl.col("margin"), pl.col("revenue")),
        breakeven_cost_of_goods=_ratio(pl.col("margin") + pl.col("cost_of_goods"),
                                       pl.col("revenue")),
        loss=pl.col("margin") < 0,
        any_loss_month=pl.col("loss_months") > 0,
    )
    h_money = [*money, "worst_month_margin", "deepest_cumulative_loss"]
    horizon = horizon.with_columns(*[_to_money(c) for c in h_money])
    h_metrics = [*money, *[f"{c}_share" for c in _SHARED_LINES], "margin_share",
                 "breakeven_cost_of_goods", "loss", "loss_months",
                 "any_loss_month", "first_loss_month", "worst_month_margin",
                 "deepest_cumulative_loss"]
    monthly = per.with_columns(
        margin_share=_ratio(pl.col("margin"), pl.col("revenue")),
        loss=pl.col("margin") < 0,
    ).with_columns(*[_to_money(c) for c in [*money, "cumulative_margin"]])
    m_metrics = [*money, "margin_share", "loss", "cumulative_margin"]
    losses = (monthly.group_by("month").agg(
        runs=pl.len().cast(pl.Int64),
        runs_losing=pl.col("loss").sum().cast(pl.Int64),
        median_margin=pl.col("margin").cast(_F).median(),
    ).filter(pl.col("runs_losing") > 0)
        .with_columns(share_of_runs=pl.col("runs_losing") / pl.col("runs"))
        .sort("month").select("month", "runs", "runs_losing", "share_of_runs",
                              "median_margin"))
    if per_run:
        summary = horizon.select("run", *h_metrics)
        monthly_out = monthly.select("run", "month", *m_metrics)
    else:
        summary = _across_runs(horizon, [], h_metrics)
        monthly_out = _across_runs(monthly, ["month"], m_metrics)
    plan = getattr(res, "plan", None)
    return CompanyBooks(summary=summary, monthly=monthly_out, losses=losses,
                        cost_of_goods=float(cog), runs=tuple(runs), n_runs=n_runs,
                        fees_basis=how, currency=getattr(plan, "currency", "") or "")


# --------------------------------------------------------------------------------------
# 2. the participants' view

_PCTS = [10, 25, 75, 90, 95, 99]


def _income_expr(of: str) -> tuple[pl.Expr, list[str]]:
    """The income ``x`` of each person and the columns it reads."""
    if of == "earnings":
        return pl.col("earnings").cast(_F), ["earnings"]
    if of == "gross":
        return (pl.col("earnings") + pl.col("retail_profit")).cast(_F), [
            "earnings", "retail_profit"]
    raise ValueError(f"of = {of!r}: use 'earnings' (paid by the company) or 'gross' "
                     "(earnings + retail margin)")


_LORENZ_POINTS = 101


def _q_sorted(xs: np.ndarray, q: float) -> float:
    """The q-quantile of sorted values, linear between order statistics (as polars'
    ``quantile(q, "linear")``)."""
    pos = q * (xs.size - 1)
    lo = int(pos)
    hi = min(lo + 1, xs.size - 1)
    return float(xs[lo] + (pos - lo) * (xs[hi] - xs[lo]))


def _earnings_pass(res: Any, of: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One pass over the people: each run's income sorted once, and from it the figures of
    :func:`earnings_distribution` and the points of :func:`lorenz`."""
    x_expr, cols = _income_expr(of)
    rows: list[dict[str, Any]] = []
    lor_runs: list[int] = []
    lor: list[float | None] = []
    run_dtype = _people_schema(res)["run"]
    for lf in people_chunks(res, cols, "earnings_distribution"):
        part = lf.select("run", x=x_expr).collect()
        run = part["run"].to_numpy()
        x = part["x"].to_numpy()
        if not (np.diff(run) >= 0).all():
            keep = np.argsort(run, kind="stable")
            run, x = run[keep], x[keep]
        bounds = np.flatnonzero(np.diff(run)) + 1
        for a, b in zip(np.r_[0, bounds], np.r_[bounds, run.size]):
            xs = np.sort(x[a:b])
            n = xs.size
            total = float(xs.sum())
            paid = xs[np.searchsorted(xs, 0.0, side="right"):]
            k1, k10 = (n + 99) // 100, (n * 10 + 99) // 100
            rows.append({
                "run": int(run[a]), "people": n, "total": total, "mean": total / n,
                "median": _q_sorted(xs, 0.5),
                **{f"p{p}": _q_sorted(xs, p / 100) for p in _PCTS},
                "share_zero": float((xs == 0).sum()) / n,
                "median_paid": _q_sorted(paid, 0.5) if paid.size else None,
                "_ix": float(np.dot(np.arange(1, n + 1, dtype=np.float64), xs)),
                "_top1": float(xs[n - k1:].sum()), "_top10": float(xs[n - k10:].sum()),
            })
            lor_runs += [int(run[a])] * _LORENZ_POINTS
            lor += _lorenz_np(xs, _LORENZ_POINTS)
    schema = {"run": run_dtype, "people": pl.Int64, "total": _F, "mean": _F, "median": _F,
              **{f"p{p}": _F for p in _PCTS}, "share_zero": _F, "median_paid": _F,
              "_ix": _F, "_top1": _F, "_top10": _F}
    per = pl.DataFrame(rows, schema=schema).sort("run")
    tot = pl.col("total")
    per = per.with_columns(
        gini=pl.when(tot != 0)
        .then(2 * pl.col("_ix") / (pl.col("people") * tot) - (pl.col("people") + 1)
              / pl.col("people"))
        .otherwise(None),
        top1_share=_ratio(pl.col("_top1"), tot),
        top10_share=_ratio(pl.col("_top10"), tot),
    )
    grid = [k / (_LORENZ_POINTS - 1) for k in range(_LORENZ_POINTS)]
    curves = pl.DataFrame(
        {"run": lor_runs, "population_share": grid * len(rows), "earnings_share": lor},
        schema={"run": pl.Int64, "population_share": _F, "earnings_share": _F},
    ).sort(["run", "population_share"])
    return per, curves


def _earnings_per_run(res: Any, of: str) -> pl.DataFrame:
    return _memo(res, ("earnings", of), lambda: _earnings_pass(res, of))[0]


def earnings_distribution(res: Any, of: str = "earnings", per_run: bool = False) -> pl.DataFrame:
    """How earnings are spread over **everyone who ever joined** (quitters and people paid
    nothing included), per run. ``of="earnings"``: commissions paid by the company over the
    horizon; ``of="gross"``: earnings + retail margin. With x₁ ≤ … ≤ xₙ one run's values:

    - ``people`` = n, ``total`` = Σ x, ``mean`` = Σ x ÷ n;
    - ``median`` and ``p10 … p99``: percentiles with linear interpolation between order
      statistics (the median of an even n is the mean of the middle two);
    - ``share_zero`` = #{x = 0} ÷ n (paid nothing); ``median_paid`` = the median of the
      x > 0 (null when nobody was paid);
    - ``gini`` = Σᵢ Σⱼ |xᵢ − xⱼ| ÷ (2 n² mean) = 2 Σᵢ i xᵢ ÷ (n Σ x) − (n + 1) ÷ n
      (null when Σ x = 0);
    - ``top1_share``, ``top10_share`` = the sum of the k largest values ÷ Σ x with k =
      ⌈n × 1%⌉, ⌈n × 10%⌉ (null when Σ x = 0).

    Computed run by run (:func:`people_chunks`), over the kept runs.
    """
    per = _earnings_per_run(res, of)
    metrics = [
        "people", "total", "mean", "median", *[f"p{p}" for p in _PCTS], "share_zero",
        "median_paid", "gini", "top1_share", "top10_share",
    ]
    if per_run:
        return per.select(["run", *metrics])
    return _across_runs(per, [], metrics)


def earnings_histogram(res: Any, of: str = "earnings", per_decade: int = 8) -> pl.DataFrame:
    """Binned counts of the people paid something (x > 0, ``of`` as in
    :func:`earnings_distribution`), the kept runs together, on a log scale:
    ``lower, upper`` (bin edges, ``per_decade`` bins a decade on a fixed grid:
    10^(k ÷ per_decade)), ``people`` (count in the bin, all kept runs), ``share`` = people ÷
    everyone who ever joined in the kept runs (people paid nothing included, so the shares
    add up to 1 − the share paid nothing). Only non-empty bins between the first and the
    last non-empty one are listed. Counted where the data is, run by run: nothing per
    person is handed to a plotting library."""
    if isinstance(per_decade, bool) or not isinstance(per_decade, int) or per_decade < 1:
        raise ValueError(f"per_decade = {per_decade!r}: use a whole number ≥ 1")
    x_expr, cols = _income_expr(of)

    def query(lf: pl.LazyFrame) -> pl.LazyFrame:
        x = lf.select(x=x_expr)
        return x.filter(pl.col("x") > 0).group_by(
            k=(pl.col("x").log10() * per_decade).floor().cast(pl.Int64)
        ).agg(people=pl.len())

    def compute() -> pl.DataFrame:
        counts = (_per_run(res, cols, "earnings_histogram", query)
                  .group_by("k").agg(pl.col("people").sum()).sort("k"))
        total = int(_run_sizes(res)["rows"].sum())
        if counts.height == 0:
            return pl.DataFrame(schema={"lower": _F, "upper": _F, "people": pl.Int64,
                                        "share": _F})
        ks = pl.DataFrame({"k": list(range(counts["k"].min(), counts["k"].max() + 1))})
        t = ks.join(counts, on="k", how="left").with_columns(pl.col("people").fill_null(0))
        return t.select(
            lower=pl.lit(10.0).pow(pl.col("k") / per_decade),
            upper=pl.lit(10.0).pow((pl.col("k") + 1) / per_decade),
            people=pl.col("people").cast(pl.Int64),
            share=pl.col("people") / total,
        )
    return _memo(res, ("earnings_histogram", of, per_decade), compute)


def _lorenz_np(xs: np.ndarray, points: int) -> list[float | None]:
    """L(k/(points−1)) for k = 0…points−1 of sorted values: the piecewise-linear Lorenz
    curve through (i/n, Sᵢ/Sₙ), Sᵢ = sum of the i smallest values."""
    n = xs.size
    cs = np.concatenate([[0.0], np.cumsum(xs)])
    total = cs[n] if n else 0.0
    if n == 0 or total == 0:
        return [None] * points
    seg = points - 1
    k = np.arange(points)
    idx = (k * n) // seg
    lo = cs[idx]
    hi = cs[np.minimum(idx + 1, n)]
    frac = (k * n - idx * seg) / seg
    return ((lo + frac * (hi - lo)) / total).tolist()


def _lorenz_points(values: pl.Series, points: int) -> list[float | None]:
    return _lorenz_np(np.sort(values.cast(_F).to_numpy()), points)


def lorenz(
    res: Any,
    points: int = 101,
    of: str = "earnings",
    pooled: bool = False,
    per_run: bool = False,
) -> pl.DataFrame:
    """Lorenz curve of earnings over everyone who ever joined: ``population_share`` p =
    k ÷ (points − 1) (poorest first) and ``earnings_share`` L(p) = the share of all
    earnings received by the poorest p, linear between the points (i/n, Sᵢ ÷ Sₙ), where Sᵢ
    is the sum of the i smallest values. ``of`` as in :func:`earnings_distribution`.

    Default: one curve per run, summarised across runs at each p (``mean, p05, p50, p95,
    runs``). ``per_run=True``: ``run, population_share, earnings_share``.
    ``pooled=True``: a single curve over the people of all kept runs together.
    """
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ValueError(f"points = {points!r}: use a whole number ≥ 2")
    x_expr, cols = _income_expr(of)
    grid = [k / (points - 1) for k in range(points)]
    if pooled:
        xs = [lf.select(x=x_expr).collect()["x"].to_numpy()
              for lf in people_chunks(res, cols, "lorenz")]
        return pl.DataFrame(
            {"population_share": grid,
             "earnings_share": _lorenz_np(np.sort(np.concatenate(xs)), points)},
            schema={"population_share": _F, "earnings_share": _F},
        )

    def compute() -> pl.DataFrame:
        runs: list[int] = []
        shares: list[float | None] = []
        for lf in people_chunks(res, cols, "lorenz"):
            part = lf.select("run", x=x_expr).sort(["run", "x"]).collect()
            run = part["run"].to_numpy()
            x = part["x"].to_numpy()
            bounds = np.flatnonzero(np.diff(run)) + 1
            for a, b in zip(np.r_[0, bounds], np.r_[bounds, run.size]):
                runs += [int(run[a])] * points
                shares += _lorenz_np(x[a:b], points)
        return pl.DataFrame(
            {"run": runs, "population_share": grid * (len(runs) // points),
             "earnings_share": shares},
            schema={"run": pl.Int64, "population_share": _F, "earnings_share": _F},
        ).sort(["run", "population_share"])

    if points == _LORENZ_POINTS:
        per = _memo(res, ("earnings", of), lambda: _earnings_pass(res, of))[1]
    else:
        per = _memo(res, ("lorenz", points, of), compute)
    if per_run:
        return per
    out = _across_runs(per, ["population_share"], ["earnings_share"])
    return out.drop("metric")


def _consumed_share(res: Any, value: float | None) -> float:
    """``value``, or the scenario's ``purchases.consumed_share``, or 0.5."""
    if value is not None:
        return value
    scen = getattr(res, "scenario", None)
    if scen is not None:
        v = scen.to_dict().get("purchases", {}).get("consumed_share")
        if v is not None:
            return float(v)
    return 0.5


def _check_share(name: str, v: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} = {v!r}: use a share from 0 to 1")
    return float(v)


_NET_COLS = ["earnings", "retail_profit", "fees", "purchases", "expenses", "required_purchases",
             "join_month", "quit_month"]

#: Per-person columns of a result simulated with the scenario's ``[inventory]``, in
#: currency at cost (what the stock cost at wholesale): ``stock`` held at the end or at
#: quitting (after any buy-back), the starter ``package``, ``stock_bought`` (everything
#: stocked, the package included), ``consumed`` (own orders used by the person),
#: ``sold_from_stock`` (served to retail customers), ``bought_back``, ``refunds`` and
#: ``chargebacks`` (commissions charged back from the person as an upline of a return).
INVENTORY_COLUMNS = ("stock", "package", "stock_bought", "consumed", "sold_from_stock",
                     "bought_back", "refunds", "chargebacks")
#: Monthly columns of such a result (currency): starter ``packages`` bought,
#: ``stock_added``, ``sold_from_stock``, ``returns`` (bought back, at cost), ``refunds``,
#: ``chargebacks``, ``stock_held`` (by participants at the month's end).
INVENTORY_MONTHLY = ("packages", "stock_added", "sold_from_stock", "returns", "refunds",
                     "chargebacks", "stock_held")
#: How :func:`participant_net` values stock still held: ``"buyback"`` (what the plan's
#: buy-back would refund), ``"cost"`` (what it cost) or ``"none"`` (nothing).
STOCK_VALUES = ("buyback", "cost", "none")
_STOCK_VALUE_WORDS = {"buyback": "as the plan's buy-back would refund it", "cost": "at cost",
                      "none": "at nothing"}


def has_inventory(res: Any) -> bool:
    """Whether ``res`` was simulated with the scenario's ``[inventory]``: its monthly table
    has the stock columns (:data:`INVENTORY_MONTHLY`). The per-person columns
    (:data:`INVENTORY_COLUMNS`) come with them for the runs whose people were kept."""
    return all(c in res.monthly.columns for c in INVENTORY_MONTHLY)


def _people_have_inventory(res: Any) -> bool:
    schema = _people_schema(res)
    return all(c in schema for c in INVENTORY_COLUMNS)


def _no_inventory(what: str) -> MissingColumnError:
    return MissingColumnError(
        f"{what} needs the stock columns {list(INVENTORY_COLUMNS)} of res.distributors "
        "(and the monthly ones), which a result has only when its scenario has an "
        "[inventory] table: add one (docs/reference.md, '[inventory]') and simulate again.")


@dataclass(frozen=True)
class BuybackPolicy:
    """The plan's ``[buyback]``: ``refund_share`` of the cost of returned stock is refunded
    (exact), for stock bought within ``within_months`` before quitting (None: any), and
    with ``charge_back`` the commissions paid on the returned volume are taken back."""

    refund_share: Fraction
    within_months: int | None
    charge_back: bool


def buyback_policy(res_or_plan: Any) -> BuybackPolicy | None:
    """The plan's buy-back policy (of a result or a plan), defaults filled in (refund 0.9,
    any month, charge-back on), or None when the plan has no ``[buyback]``."""
    plan = getattr(res_or_plan, "plan", res_or_plan)
    spec = plan.to_dict().get("buyback") if hasattr(plan, "to_dict") else None
    if not isinstance(spec, dict):
        return None
    share = spec.get("refund_share")
    charge = spec.get("charge_back")
    return BuybackPolicy(
        refund_share=Fraction(str(share)) if share is not None else Fraction(9, 10),
        within_months=spec.get("within_months"),
        charge_back=True if charge is None else bool(charge),
    )


@dataclass(frozen=True)
class _NetMode:
    """How a net result is computed: the assumed consumption of chosen orders (``cs``,
    results without stock), or the stock the simulation modelled (``inventory``), with
    stock still held valued as ``stock_value`` says (``refund``: the buy-back's share)."""

    cs: float
    inventory: bool = False
    stock_value: str = "buyback"
    refund: Fraction = Fraction(0)


def _net_mode(res: Any, consumed_share: float | None, inventory: bool | None = None,
              stock_value: str = "buyback") -> _NetMode:
    cs = _check_share("consumed_share", _consumed_share(res, consumed_share))
    if stock_value not in STOCK_VALUES:
        raise ValueError(f"stock_value = {stock_value!r}: use one of {list(STOCK_VALUES)}")
    have = _people_have_inventory(res)
    if inventory is None:
        inventory = have
    elif inventory and not have:
        raise _no_inventory("the net result with modelled stock (inventory=True)")
    if not inventory:
        return _NetMode(cs)
    modelled = _consumed_share(res, None)
    if consumed_share is not None and abs(consumed_share - modelled) > 1e-12:
        warnings.warn(
            f"consumed_share = {consumed_share:g} is not used: this result models stock, and "
            f"the simulation already used its scenario's consumed_share = {modelled:g} to "
            "split each chosen order into used and stocked. Pass inventory=False to count "
            "purchases by the assumed share instead.", UserWarning, stacklevel=3)
    policy = buyback_policy(res)
    refund = policy.refund_share if policy is not None else Fraction(0)
    return _NetMode(modelled, True, stock_value, refund)


def _cents(col: str) -> pl.Expr:
    """A currency column as exact integer cents."""
    return (pl.col(col) * 100).cast(pl.Int64)


def _money_of_cents(cents: pl.Expr | str) -> pl.Expr:
    """Integer cents as currency (Float64), the nearest double to the decimal amount
    (through a decimal: polars divides a float by a constant as a multiplication by its
    reciprocal, 143835 × 0.01 = 1438.3500000000001)."""
    e = pl.col(cents) if isinstance(cents, str) else cents
    return (e.cast(pl.Decimal(38, 0)) * pl.lit(Decimal("0.01"), pl.Decimal(38, 2))).cast(_F)


def _stock_value_cents(mode: _NetMode) -> pl.Expr:
    """What the stock a person still holds is worth, in cents (see participant_net)."""
    if mode.stock_value == "none":
        return pl.lit(0, pl.Int64)
    if mode.stock_value == "cost":
        return _cents("stock")
    p, q = mode.refund.numerator, mode.refund.denominator
    if p == 0:
        return pl.lit(0, pl.Int64)
    # round(stock × refund_share) half away from zero (stock ≥ 0), as the core refunds
    refund = ((_cents("stock").cast(pl.Int128) * (2 * p) + q) // (2 * q)).cast(pl.Int64)
    return pl.when(pl.col("quit_month").is_null()).then(refund).otherwise(pl.lit(0, pl.Int64))


def _net_cols(mode: _NetMode) -> list[str]:
    return _NET_COLS + (list(INVENTORY_COLUMNS) if mode.inventory else [])


def _outcome() -> pl.Expr:
    return (pl.when(pl.col("net") <= -BREAK_EVEN).then(pl.lit("loss"))
            .when(pl.col("net") >= BREAK_EVEN).then(pl.lit("profit"))
            .otherwise(pl.lit("break_even")))


def _with_net(lf: pl.LazyFrame, mode: _NetMode | float, months: int) -> pl.LazyFrame:
    """The columns of :func:`participant_net` added to per-person rows."""
    if not isinstance(mode, _NetMode):
        mode = _NetMode(float(mode))
    vol = (pl.col("purchases") - pl.col("required_purchases")).cast(_F)
    if not mode.inventory:
        cs = mode.cs
        return lf.with_columns(
            gross=(pl.col("earnings") + pl.col("retail_profit")).cast(_F),
            voluntary_purchases=vol,
            excess_purchases=pl.col("required_purchases").cast(_F) + (1.0 - cs) * vol,
            months_in=_months_in(months),
        ).with_columns(
            costs=pl.col("fees").cast(_F) + pl.col("expenses").cast(_F)
            + pl.col("excess_purchases")
        ).with_columns(net=pl.col("gross") - pl.col("costs")).with_columns(outcome=_outcome())
    # Exact in cents, then currency: a net of exactly −1.00 is a loss, as written.
    loading = _cents("stock_bought") - _cents("sold_from_stock")
    value = _stock_value_cents(mode)
    return lf.with_columns(
        _gross_c=_cents("earnings") + _cents("retail_profit"),
        _loading_c=loading,
        _value_c=value,
        _unrecovered_c=loading - _cents("refunds") - value,
    ).with_columns(
        _costs_c=_cents("fees") + _cents("expenses") + _cents("chargebacks")
        + pl.col("_unrecovered_c"),
    ).with_columns(
        gross=_money_of_cents("_gross_c"),
        voluntary_purchases=vol,
        inventory_loading=_money_of_cents("_loading_c"),
        stock_value=_money_of_cents("_value_c"),
        unrecovered_stock=_money_of_cents("_unrecovered_c"),
        excess_purchases=_money_of_cents("_unrecovered_c"),
        months_in=_months_in(months),
        costs=_money_of_cents("_costs_c"),
        net=_money_of_cents(pl.col("_gross_c") - pl.col("_costs_c")),
    ).drop("_gross_c", "_loading_c", "_value_c", "_unrecovered_c", "_costs_c").with_columns(
        outcome=_outcome())


def participant_net(res: Any, consumed_share: float | None = None,
                    inventory: bool | None = None, stock_value: str = "buyback") -> pl.DataFrame:
    """One row per person who ever joined (``res.distributors``) with their net result over
    the horizon, in currency units (Float64):

    - ``gross`` = earnings (paid by the company) + retail_profit (margin paid by customers);
    - ``voluntary_purchases`` = purchases − required_purchases (the orders the person chose);
    - ``excess_purchases`` = required_purchases + (1 − consumed_share) × voluntary_purchases:
      the purchases beyond what the person would have consumed anyway. A top-up to the
      plan's monthly minimum was bought only because the plan required it, so none of it
      counts as consumption; of the orders the person chose, ``consumed_share`` is taken as
      product they would have bought for their own use at that price and the rest as a cost
      of the business (stock, orders placed to qualify);
    - ``costs`` = fees + expenses + excess_purchases;
    - ``net`` = gross − costs;
    - ``months_in`` = (quit_month, or months + 1 if still in) − join_month;
    - ``outcome``: ``"loss"`` if net ≤ −1, ``"break_even"`` if |net| < 1, ``"profit"`` if
      net ≥ 1 (one currency unit either side of zero).

    Customers' orders are not in ``purchases`` (the customer pays the company; the
    distributor keeps the margin), so nothing is subtracted for resale.
    ``consumed_share = 1`` counts only the top-ups as a cost; ``0`` counts every purchase.
    This is the one definition of "lost money" used everywhere (:func:`net_results`, the
    report, the command line, the result's display).

    **With modelled stock** (a scenario with ``[inventory]``; ``inventory=None`` uses it
    whenever the columns are there, ``False`` keeps the formula above): the simulation
    recorded what each person used (``consumed``: the scenario's ``consumed_share`` of each
    chosen order) and what became stock, so nothing is assumed. Every purchase is used or
    stocked (purchases = consumed + stock_bought), and stock is sold to retail customers,
    bought back, or still held (stock_bought = sold_from_stock + bought_back + stock). Then,
    exactly to the cent:

    - ``inventory_loading`` = stock_bought − sold_from_stock (= bought_back + stock): what
      was bought and neither used nor sold;
    - ``stock_value`` = what the stock still held is worth (``stock_value=``):
      ``"buyback"`` (default) — for a person still in at the end, round(refund_share ×
      stock), half away from zero, what the plan's ``[buyback]`` would refund were they to
      quit and ask (0 if the plan has none); for a quitter, 0: the buy-back is made at
      quitting, and what was not returned then (not asked for, or bought outside the
      window) is worth nothing to the company. The window is not applied to people still
      in: the stock they hold is their newest, all of it within ``within_months`` for
      anyone who joined within that many months of the end, but possibly older for others,
      so for them this is an upper bound of the buy-back and the losses are, if anything,
      understated. ``"cost"`` — all stock held at what it cost (the most favourable
      reading: as if all of it will still be used or sold); ``"none"`` — 0;
    - ``unrecovered_stock`` = inventory_loading − refunds − stock_value, and
      ``excess_purchases`` = unrecovered_stock (the purchases that are a cost);
    - ``costs`` = fees + expenses + chargebacks + unrecovered_stock;
    - ``net`` = earnings − chargebacks + retail_profit − fees − expenses −
      (stock_bought − sold_from_stock − refunds − stock_value)
      = earnings − chargebacks + retail_profit + sold_from_stock + refunds + consumed +
      stock_value − purchases − fees − expenses: cash in (commissions kept, the retail
      price of what was sold — its cost and margin —, refunds) plus what the person keeps
      (what they used, at cost, as product they would have bought anyway; the stock's
      value), less cash out.

    What was ordered from the company for retail customers is not in ``purchases`` and
    counts only through its margin, as without stock. ``consumed_share`` given with
    modelled stock is not used (a warning says so when it differs from the scenario's).
    """
    mode = _net_mode(res, consumed_share, inventory, stock_value)
    schema = _people_schema(res)
    d = _people(res, list(schema.names()), "the net result (participant_net)")
    return _with_net(d.lazy(), mode, res.months).collect()


_INVENTORY_NET_METRICS = ["mean_chargebacks", "mean_inventory_loading", "mean_refunds",
                          "mean_stock_value"]


def _net_per_run(res: Any, mode: _NetMode | float) -> pl.DataFrame:
    if not isinstance(mode, _NetMode):
        mode = _NetMode(float(mode))
    n = pl.len()
    aggs = [
        n.cast(pl.Int64).alias("people"),
        ((pl.col("outcome") == "loss").sum() / n).alias("share_loss"),
        ((pl.col("outcome") == "break_even").sum() / n).alias("share_break_even"),
        ((pl.col("outcome") == "profit").sum() / n).alias("share_profit"),
        pl.col("net").median().alias("median_net"),
        pl.col("net").mean().alias("mean_net"),
        pl.col("net").quantile(0.01, "linear").alias("p01_net"),
        pl.col("net").quantile(0.1, "linear").alias("p10_net"),
        pl.col("net").quantile(0.9, "linear").alias("p90_net"),
        pl.col("net").quantile(0.99, "linear").alias("p99_net"),
        pl.col("gross").mean().alias("mean_gross"),
        pl.col("fees").cast(_F).mean().alias("mean_fees"),
        pl.col("expenses").cast(_F).mean().alias("mean_expenses"),
        pl.col("excess_purchases").mean().alias("mean_excess_purchases"),
    ]
    if mode.inventory:
        aggs += [
            pl.col("chargebacks").cast(_F).mean().alias("mean_chargebacks"),
            pl.col("inventory_loading").mean().alias("mean_inventory_loading"),
            pl.col("refunds").cast(_F).mean().alias("mean_refunds"),
            pl.col("stock_value").mean().alias("mean_stock_value"),
        ]

    def query(lf: pl.LazyFrame) -> pl.LazyFrame:
        return _with_net(lf, mode, res.months).group_by("run").agg(aggs)

    return _memo(res, ("net", mode), lambda: _per_run(
        res, _net_cols(mode), "the net result (net_results)", query).sort("run"))


def net_results(res: Any, consumed_share: float | None = None, per_run: bool = False,
                inventory: bool | None = None, stock_value: str = "buyback") -> pl.DataFrame:
    """Who loses money, per run, over everyone who ever joined, with ``net`` as in
    :func:`participant_net`: ``people``; ``share_loss`` = #{net ≤ −1} ÷ n,
    ``share_break_even`` = #{|net| < 1} ÷ n, ``share_profit`` = #{net ≥ 1} ÷ n (they add
    up to 1); ``median_net``, ``mean_net``, ``p01_net``, ``p10_net``, ``p90_net``,
    ``p99_net``; and the mean of each part: ``mean_gross``, ``mean_fees``,
    ``mean_expenses``, ``mean_excess_purchases``. With modelled stock (``inventory``, as in
    :func:`participant_net`) also ``mean_chargebacks``, ``mean_inventory_loading``,
    ``mean_refunds`` and ``mean_stock_value``. Computed run by run over the kept runs."""
    mode = _net_mode(res, consumed_share, inventory, stock_value)
    per = _net_per_run(res, mode)
    metrics = [c for c in per.columns if c != "run"]
    if per_run:
        return per
    return _across_runs(per, [], metrics)


def net_histogram(res: Any, consumed_share: float | None = None,
                  bins: int = 60, inventory: bool | None = None,
                  stock_value: str = "buyback") -> pl.DataFrame:
    """Binned counts of each person's net result (:func:`participant_net`), the kept runs
    together, between the 1st and the 99th percentile (the means across runs of each run's
    percentiles): ``lower, upper, people, share`` (share of everyone who ever joined in the
    kept runs). Zero is always a bin edge, so losses and gains never share a bin; about
    ``bins`` bins in all."""
    mode = _net_mode(res, consumed_share, inventory, stock_value)
    per = _net_per_run(res, mode)
    lo = float(per["p01_net"].mean())
    hi = float(per["p99_net"].mean())
    if not hi > lo:
        hi = lo + 1.0
    if lo < 0 < hi:
        neg = max(2, round(bins * -lo / (hi - lo)))
        edges = np.concatenate([np.linspace(lo, 0.0, neg + 1),
                                np.linspace(0.0, hi, max(2, bins - neg) + 1)[1:]])
    else:
        edges = np.linspace(lo, hi, bins + 1)

    def compute() -> pl.DataFrame:
        counts = np.zeros(edges.size - 1, dtype=np.int64)
        for lf in people_chunks(res, _net_cols(mode), "net_histogram"):
            net = _with_net(lf, mode, res.months).select("net").collect()["net"].to_numpy()
            counts += np.histogram(net, bins=edges)[0]
        total = int(_run_sizes(res)["rows"].sum())
        return pl.DataFrame({"lower": edges[:-1], "upper": edges[1:], "people": counts,
                             "share": counts / total})
    return _memo(res, ("net_histogram", mode, bins), compute)


# --------------------------------------------------------------------------------------
# 3. retention


def _km(counts: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Kaplan–Meier by keys. counts: keys…, time (months since joining), quits, censored
    (people whose event or censoring time is ``time``). Returns keys…, months, at_risk,
    quits, censored, survival, greenwood (Σ d/(n(n−d)))."""
    counts = counts.group_by([*keys, "time"]).agg(
        pl.col("quits").sum().cast(pl.Int64), pl.col("censored").sum().cast(pl.Int64)
    )
    groups = counts.group_by(keys).agg(
        _n=(pl.col("quits") + pl.col("censored")).sum(), _tmax=pl.col("time").max()
    )
    grid = groups.with_columns(time=pl.int_ranges(0, pl.col("_tmax") + 1)).explode("time")
    t = (
        grid.join(counts, on=[*keys, "time"], how="left")
        .with_columns(pl.col("quits").fill_null(0), pl.col("censored").fill_null(0))
        .sort([*keys, "time"])
    )
    left = (pl.col("quits") + pl.col("censored")).cum_sum().over(keys)
    t = t.with_columns(
        at_risk=pl.col("_n") - (left - pl.col("quits") - pl.col("censored"))
    ).filter(pl.col("at_risk") > 0)
    d, n = pl.col("quits").cast(_F), pl.col("at_risk").cast(_F)
    t = t.with_columns(
        survival=(1.0 - d / n).cum_prod().over(keys),
        greenwood=pl.when(n > d).then(d / (n * (n - d))).otherwise(0.0).cum_sum().over(keys),
    )
    return t.select(
        [*keys, pl.col("time").alias("months"), "at_risk", "quits", "censored", "survival",
         "greenwood"]
    )


def _event_counts(res: Any, by: str | None) -> pl.DataFrame:
    """``run, [by], time, quits, censored``: people per event or censoring time (see
    :func:`retention`), counted run by run."""
    months = int(res.months)
    cols = ["join_month", "quit_month"] + ([by] if by else [])
    key = [by] if by else []

    def query(lf: pl.LazyFrame) -> pl.LazyFrame:
        ev = lf.with_columns(
            time=pl.when(pl.col("quit_month").is_null())
            .then(months - pl.col("join_month").cast(pl.Int64))
            .otherwise(pl.col("quit_month").cast(pl.Int64)
                       - pl.col("join_month").cast(pl.Int64)),
            event=pl.col("quit_month").is_not_null(),
        )
        if by == "max_rank":
            ev = ev.with_columns(pl.col("max_rank").fill_null(NO_RANK))
        elif by == "join_month":
            ev = ev.with_columns(pl.col("join_month").cast(pl.Int64))
        return ev.group_by(["run", *key, "time"]).agg(
            quits=pl.col("event").sum().cast(pl.Int64),
            censored=(~pl.col("event")).sum().cast(pl.Int64),
        )

    def compute() -> pl.DataFrame:
        c = _per_run(res, cols, "retention", query)
        if c.filter((pl.col("time") < 0) | ((pl.col("time") < 1) & (pl.col("quits") > 0))).height:
            raise ValueError("res.distributors: quit_month must be after join_month, and "
                             "join_month at most the horizon")
        return c
    return _memo(res, ("events", by), compute)


def retention(
    res: Any,
    by: str | None = None,
    conf: float = 0.95,
    ci: str = "log-log",
) -> pl.DataFrame:
    """Kaplan–Meier survival of participation by months since joining, optionally by
    ``"join_month"`` (cohorts) or ``"max_rank"`` (highest rank reached; ``(none)`` for
    never ranked — note that reaching a rank takes time, so this split favours stayers).

    *Time.* Quitting happens at the start of a month. Someone who joined in month j and
    quit in month q (``quit_month``, the first month no longer in) was in for q − j months:
    an event at t = q − j. Someone still in at the horizon (``quit_month`` null) has been in
    for ``months − j + 1`` months and has so far faced ``months − j`` quit points without
    quitting (their next is at the start of month ``months + 1``, unobserved): censored at
    t = months − j, i.e. known to survive t quit points. (Counting them at risk at
    months − j + 1 would credit them with surviving a quit point nobody observed and bias
    survival upward.) ``survival`` at ``months`` = t is S(t) = P(still in t months after
    joining) = Πₛ≤ₜ (1 − dₛ ÷ nₛ), where nₛ (``at_risk``) counts everyone with event or
    censoring time ≥ s and dₛ (``quits``) the quits at s. t = 0 has S = 1.

    *Counts.* The curve pools the people of all kept runs, so ``at_risk``, ``quits`` and
    ``censored`` are totals over those runs; ``at_risk_per_run`` = at_risk ÷ the number of
    kept runs is what one simulated company holds, and ``people_per_run`` the group's size
    in one company (everyone counted at t = 0, ÷ kept runs).

    *Intervals.* ``run_mean``, ``run_p05``, ``run_p50``, ``run_p95`` and ``runs`` (runs with
    someone at risk at t) describe the spread of each run's own Kaplan–Meier S(t): what
    one company of this size could see — the honest interval to quote. The pooled curve's
    Greenwood interval (Var S(t) = S(t)² Σₛ≤ₜ dₛ ÷ (nₛ (nₛ − dₛ)), ``se`` its root;
    ``ci="log-log"`` (default; stays within [0, 1]): S^exp(±z se ÷ (S |log S|));
    ``ci="plain"``: S ± z se clipped to [0, 1]; z = the normal quantile of (1 + conf) ÷ 2)
    is ``lower``/``upper``: how precisely the simulation pins the model's S(t) down, which
    shrinks with every run added — not a range of outcomes.
    """
    if by not in (None, "join_month", "max_rank"):
        raise ValueError(f"by = {by!r}: use None, 'join_month' or 'max_rank'")
    if ci not in ("log-log", "plain"):
        raise ValueError(f"ci = {ci!r}: use 'log-log' or 'plain'")
    if not 0.0 < conf < 1.0:
        raise ValueError(f"conf = {conf!r}: use a level between 0 and 1, e.g. 0.95")
    counts = _event_counts(res, by)
    n_runs = counts["run"].n_unique()
    if by is None:
        counts = counts.with_columns(_all=pl.lit(0))
        keys = ["_all"]
    else:
        keys = [by]
    pooled = _km(counts.drop("run"), keys)
    z = NormalDist().inv_cdf((1.0 + conf) / 2.0)
    s, v = pl.col("survival"), pl.col("greenwood")
    pooled = pooled.with_columns(se=s * v.sqrt())
    if ci == "plain":
        pooled = pooled.with_columns(
            lower=(s - z * pl.col("se")).clip(0.0, 1.0),
            upper=(s + z * pl.col("se")).clip(0.0, 1.0),
        )
    else:
        inner = (s > 0) & (s < 1)
        theta = pl.when(inner).then(v.sqrt() / (s.log().abs())).otherwise(None)
        pooled = pooled.with_columns(
            lower=pl.when(inner).then(s.pow((z * theta).exp())).otherwise(s),
            upper=pl.when(inner).then(s.pow((-z * theta).exp())).otherwise(s),
        )
    pooled = pooled.with_columns(
        at_risk_per_run=pl.col("at_risk") / n_runs,
        people_per_run=pl.col("at_risk").first().over(keys) / n_runs,
    )
    per = _km(counts, ["run", *keys])
    spread = per.group_by([*keys, "months"]).agg(
        run_mean=pl.col("survival").mean(),
        run_p05=pl.col("survival").quantile(0.05, "linear"),
        run_p50=pl.col("survival").quantile(0.5, "linear"),
        run_p95=pl.col("survival").quantile(0.95, "linear"),
        runs=pl.len().cast(pl.UInt32),
    )
    out = pooled.join(spread, on=[*keys, "months"], how="left")
    if by == "max_rank":
        order = _rank_order(res, out["max_rank"].unique().to_list()).rename(
            {"rank": "max_rank"}
        )
        out = out.join(order, on="max_rank", how="left").sort(["rank_index", "months"])
        out = out.drop("rank_index")
    else:
        out = out.sort([*keys, "months"])
    out = out.drop("greenwood")
    if by is None:
        out = out.drop("_all")
    return out


# --------------------------------------------------------------------------------------
# 4. the regulator's view

_ID_METRICS = ["people", "share", "mean_gross", "median_gross"]
_ID_NET = ["mean_net", "median_net", "share_losing_money"]


def income_disclosure(
    res: Any,
    net: bool = True,
    consumed_share: float | None = None,
    annualise: bool = False,
    per_run: bool = False,
    layout: str = "wide",
    inventory: bool | None = None,
    stock_value: str = "buyback",
) -> pl.DataFrame:
    """An income disclosure statement in the form the FTC staff's 2024 review of 70 MLM
    income disclosure statements asked for: **everyone** who ever joined is counted
    (people paid nothing and people who quit included), grouped by the highest rank
    reached (``(none)`` = never paid as any rank, its own row), and costs are shown.

    Per run and rank: ``people`` = count; ``share`` = people ÷ everyone who ever joined;
    ``mean_gross`` and ``median_gross`` of earnings (commissions paid by the company);
    ``total_gross`` (per-run table only, exact decimals) = Σ earnings, so mean × people =
    total; with ``net=True`` also ``mean_net``, ``median_net`` and ``share_losing_money``
    (net ≤ −1) with net as in :func:`participant_net` (``consumed_share``, ``inventory``
    and ``stock_value`` passed on: with modelled stock, the net counts it).

    Figures are **totals over the simulated horizon** (``res.months`` months), not annual,
    unless ``annualise=True``: then each person's gross and net are scaled by 12 ÷ the
    months they were in — which overstates what short-stayers would have earned in a year,
    the practice the FTC staff questioned; the ``basis`` column says which was used.

    ``layout="wide"`` (default): one row per rank with each figure's mean across runs and
    its ``_p05`` / ``_p95``, then ``runs_with_people`` (the kept runs in which someone
    reached the rank) and ``runs`` (the kept runs): ``people`` is a mean count per run, so
    a rank reached by 2 people in 200 runs shows 0.01 people, in 2 of 200 runs; ``layout="long"``: ``rank_index, rank, metric, mean, p05, p50,
    p95, runs``. Means and medians of a rank nobody reached in a run are null for that run
    and are summarised over the runs where someone did (``runs`` in the long layout).
    """
    if layout not in ("wide", "long"):
        raise ValueError(f"layout = {layout!r}: use 'wide' or 'long'")
    mode = (_net_mode(res, consumed_share, inventory, stock_value) if net else
            _NetMode(_check_share("consumed_share", _consumed_share(res, consumed_share))))
    consumed_share = mode.cs
    cols = ["earnings", "max_rank", "join_month", "quit_month"] + (
        _net_cols(mode) if net else [])
    aggs = [
        pl.len().cast(pl.Int64).alias("people"),
        pl.col("g").mean().alias("mean_gross"),
        pl.col("g").median().alias("median_gross"),
        pl.col("earnings").sum().alias("total_gross"),
    ]
    metrics = list(_ID_METRICS)
    if net:
        aggs += [
            pl.col("net").mean().alias("mean_net"),
            pl.col("net").median().alias("median_net"),
            (pl.col("outcome") == "loss").mean().alias("share_losing_money"),
        ]
        metrics += _ID_NET

    def query(lf: pl.LazyFrame) -> pl.LazyFrame:
        if net:
            lf = _with_net(lf, mode, res.months)
        else:
            lf = lf.with_columns(months_in=_months_in(res.months))
        lf = lf.with_columns(rank=pl.col("max_rank").fill_null(NO_RANK),
                             g=pl.col("earnings").cast(_F))
        if annualise:
            factor = 12.0 / pl.col("months_in").cast(_F)
            lf = lf.with_columns(g=pl.col("g") * factor)
            if net:
                lf = lf.with_columns(pl.col("net") * factor)
        return lf.group_by(["run", "rank"]).agg(aggs)

    per = _memo(res, ("disclosure", net, mode, annualise),
                lambda: _per_run(res, cols, "income_disclosure", query))
    runs = kept_runs(res)
    order = _rank_order(res, per["rank"].unique().to_list())
    grid = pl.DataFrame({"run": runs}, schema={"run": per.schema["run"]}).join(
        order, how="cross")
    total_people = per.group_by("run").agg(pl.col("people").sum().alias("_all"))
    zero = pl.lit(0).cast(per.schema["total_gross"])
    per = (
        grid.join(per, on=["run", "rank"], how="left")
        .join(total_people, on="run", how="left")
        .with_columns(pl.col("people").fill_null(0), pl.col("total_gross").fill_null(zero))
        .with_columns(share=pl.col("people") / pl.col("_all"))
        .sort(["run", "rank_index"])
    )
    basis = (
        f"{res.months} months simulated; "
        + ("annualised: each person's figures × 12 ÷ months in; " if annualise
           else "totals over the horizon, not annualised; ")
        + "everyone who ever joined (quitters and people paid nothing included); "
        + "gross = commissions paid by the company"
        + ((f"; net = gross − charge-backs + retail margin − fees − expenses − stock bought "
            f"and neither used nor sold, less refunds and the stock's value "
            f"({_STOCK_VALUE_WORDS[mode.stock_value]}; modelled stock)") if net and mode.inventory else
           f"; net = gross + retail margin − fees − expenses − purchases beyond consumption "
           f"(consumed_share = {consumed_share:g})" if net else "")
    )
    keys = ["rank_index", "rank"]
    if per_run:
        return per.select(["run", *keys, *metrics[:2], "total_gross", *metrics[2:]]).with_columns(
            basis=pl.lit(basis)
        )
    long = _across_runs(per, keys, metrics)
    if layout == "long":
        return long.with_columns(basis=pl.lit(basis))
    with_people = per.group_by(keys).agg(
        runs_with_people=(pl.col("people") > 0).sum().cast(pl.Int64))
    wide = order.select(keys)
    for m in metrics:
        part = long.filter(pl.col("metric") == m).select(
            *keys, pl.col("mean").alias(m), pl.col("p05").alias(f"{m}_p05"),
            pl.col("p95").alias(f"{m}_p95"),
        )
        wide = wide.join(part, on=keys, how="left")
    wide = wide.join(with_people, on=keys, how="left").with_columns(
        pl.col("runs_with_people").fill_null(0), runs=pl.lit(len(runs), pl.Int64))
    return wide.sort("rank_index").with_columns(basis=pl.lit(basis))


#: The sources of :func:`sources_of_money`, in order.
SOURCES = ["retail_customers", "preferred_customers", "party_sales", "own_purchases",
           "downline_purchases", "fees", "other"]
#: The sources of :data:`SOURCES` that are purchases by customers — people outside the
#: plan: retail customers, preferred customers and party guests.
CUSTOMER_SOURCES = ["retail_customers", "preferred_customers", "party_sales"]
_SOURCE_COLS = {
    "retail_customers": "payout_from_retail",
    "preferred_customers": "payout_from_preferred",
    "party_sales": "payout_from_party",
    "own_purchases": "payout_from_own",
    "downline_purchases": "payout_from_downline",
    "fees": "payout_from_fees",
    "other": "payout_other",
}


def sources_of_money(res: Any, per_run: bool = False) -> pl.DataFrame:
    """Where the commissions come from, per run: each commission the company paid
    (after the cap) is attributed by the core to the volume it was paid on, and summed over
    the horizon (exact decimals):

    - ``retail_customers`` = Σ payout_from_retail: on retail customers' volume (they buy
      at retail from the distributor);
    - ``preferred_customers`` = Σ payout_from_preferred: on preferred customers' volume
      (they buy from the company at the member price);
    - ``party_sales`` = Σ payout_from_party: on the sales of the parties distributors held
      (party guests' orders);
    - ``own_purchases`` = Σ payout_from_own: on the payee's own purchases;
    - ``downline_purchases`` = Σ payout_from_downline: on downline participants' own
      purchases;
    - ``fees`` = Σ payout_from_fees if the core reports it, else 0.00: no bonus of the plan
      format is paid on enrollment or annual fees (the company keeps them), so none of the
      commissions come from fees; the row is kept so that a plan paying on fees shows up;
    - ``other`` = Σ payout_other: bonuses not paid on volume (rank advancement).

    The first three (:data:`CUSTOMER_SOURCES`) are purchases by customers, people outside
    the plan; add them up for "paid on sales to non-participants". Host rewards are not
    part of the payout and so are in no source.

    ``amount`` of each source and ``share`` = amount ÷ Σ payout; the amounts add up to
    Σ payout to the cent in every run and the shares to 1 (a warning and an
    ``unattributed`` row otherwise). Summary keyed by ``source`` with metrics ``share`` and
    ``amount``. Raises :class:`MissingColumnError` for a result without
    ``payout_from_preferred`` and ``payout_from_party`` (an older core, whose
    ``payout_from_retail`` also held what was paid on preferred customers' volume).
    """
    need = [c for s, c in _SOURCE_COLS.items() if s != "fees"]
    m = _require(res, "monthly", need, "sources_of_money")
    has_fees = "payout_from_fees" in m.columns
    aggs = [pl.col(c).sum().alias(s) for s, c in _SOURCE_COLS.items() if s != "fees" or has_fees]
    per = m.group_by("run").agg(pl.col("payout").sum().alias("_total"), *aggs).sort("run")
    if not has_fees:
        per = per.with_columns(fees=pl.lit(0).cast(m.schema["payout"]))
    total_sources = per.select(pl.sum_horizontal(SOURCES)).to_series()
    per = per.with_columns(unattributed=pl.col("_total") - total_sources)
    sources = list(SOURCES)
    if (per["unattributed"] != 0).any():
        warnings.warn(
            "payout by source does not add up to payout in some runs; the difference is "
            "reported as 'unattributed'",
            stacklevel=2,
        )
        sources.append("unattributed")
    long = (
        per.unpivot(index=["run", "_total"], on=sources, variable_name="source",
                    value_name="amount")
        .with_columns(share=_ratio(pl.col("amount"), pl.col("_total")))
    )
    order = pl.DataFrame({"source": sources, "_o": list(range(len(sources)))})
    long = long.join(order, on="source").sort(["run", "_o"])
    if per_run:
        return long.select("run", "source", "amount", "share")
    out = _across_runs(long.with_columns(source_index=pl.col("_o")), ["source_index", "source"],
                       ["share", "amount"])
    return out.drop("source_index")


def _subtree_arrays(run: np.ndarray, ids: np.ndarray, sponsor: np.ndarray,
                    values: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each of ``values`` summed over the person and their whole sponsor downline, per row.
    ``sponsor`` holds −1 for a founder. One pass per generation with vectorised sums:
    depth by pointer jumping, then from the deepest generation up each person's total is
    added to their sponsor's."""
    n = run.size
    idx = np.arange(n)
    has_sponsor = sponsor >= 0
    starts = np.r_[0, np.flatnonzero(np.diff(run)) + 1]
    sizes = np.diff(np.r_[starts, n])
    first = np.repeat(starts, sizes)
    if n and (np.diff(run) >= 0).all() and np.array_equal(ids, idx - first):
        # the core's layout: sorted by run, ids 0, 1, … within a run
        order = idx
        parent = first + np.where(has_sponsor, sponsor, 0)
        if (has_sponsor & (parent >= first + sizes.repeat(sizes))).any():
            raise ValueError("res.distributors: some sponsors are not in the table (not a tree)")
    else:
        key = (run.astype(np.uint64) << np.uint64(32)) | ids.astype(np.uint64)
        order = np.argsort(key, kind="stable")
        skey = key[order]
        has_sponsor = has_sponsor[order]
        pkey = (run[order].astype(np.uint64) << np.uint64(32)) | np.where(
            has_sponsor, sponsor[order], 0).astype(np.uint64)
        parent = np.searchsorted(skey, pkey)
        found = has_sponsor & (parent < n)
        found[found] = skey[parent[found]] == pkey[found]
        if (has_sponsor & ~found).any():
            raise ValueError("res.distributors: some sponsors are not in the table (not a "
                             "tree)")
    parent = np.where(has_sponsor, parent, idx)
    depth = (parent != idx).astype(np.int64)
    jump = parent
    while True:
        nxt = jump[jump]
        if np.array_equal(nxt, jump):
            break
        depth = depth + depth[jump]
        jump = nxt
    # depth < 2¹⁵ always (a sponsor joins before the recruit): a radix sort
    by_depth = np.argsort(-depth.astype(np.int16), kind="stable")
    levels = np.flatnonzero(np.diff(depth[by_depth])) + 1
    sums = [np.asarray(v)[order].copy() for v in values]
    for rows in np.split(by_depth, levels):
        if depth[rows[0]] == 0:
            break
        for acc in sums:
            np.add.at(acc, parent[rows], acc[rows])
    out = []
    for acc in sums:
        back = np.empty(n, dtype=acc.dtype)
        back[order] = acc
        out.append(back)
    return out


def _subtree_sums(d: pl.DataFrame, cols: Sequence[str]) -> pl.DataFrame:
    """Per (run, id): each column summed over the person and their whole sponsor downline."""
    sums = _subtree_arrays(
        d["run"].to_numpy(), d["id"].to_numpy(),
        d["sponsor"].fill_null(-1).cast(pl.Int64).to_numpy(),
        [d[c].cast(_F).to_numpy() for c in cols])
    return d.select("run", "id").with_columns(
        [pl.Series(c, s, dtype=_F) for c, s in zip(cols, sums)])


#: Customers' volume (points) in ``res.monthly`` and, per person, in ``res.distributors``:
#: retail customers, preferred customers, party guests — everyone who buys without being
#: a participant.
_CUSTOMER_VOLUME_MONTHLY = ("retail_volume", "preferred_volume", "party_volume")
_CUSTOMER_VOLUME_PEOPLE = ("customer_volume", "preferred_volume", "party_volume")


@dataclass(frozen=True)
class _Check:
    name: str
    comparison: str
    threshold: float
    source: str
    note: str


def compliance(
    res: Any,
    retail_share_min: float = 2 / 3,
    rewardable_share_min: float = 0.8,
    personal_cap_per_month: float = 200.0,
    nonparticipant_share_min: float = 0.5,
    majority_downline_commission_min: float = 1.0,
    sold_or_consumed_min: float = 0.7,
    seventy_rule_commission_min: float = 1.0,
    loss_share_max: float = 0.5,
    consumed_share: float | None = None,
    per_run: bool = False,
    inventory: bool | None = None,
    stock_value: str = "buyback",
) -> pl.DataFrame:
    """Regulatory tests as computed figures with a pass/fail against thresholds you can
    change. Per run, with R = value of customers' volume (Σ (retail_volume +
    preferred_volume + party_volume) × point value), P = Σ own purchases, V = P − Σ
    required purchases (chosen orders), S = Σ volume_value (all sales), and per person i
    over the horizon:

    *Customers* are everyone who buys without being a participant: retail customers,
    preferred customers (who order from the company at the member price) and the guests of
    parties. Every check below is about sales to people outside the plan, so all three
    count as customer (retail, non-participant, "sold") volume; none of them is in anyone's
    ``purchases``. Host rewards are product given to hosts, not a sale: they count nowhere.

    1. ``herbalife_retail_share`` = R ÷ (R + PC) ≥ 2/3, where the rewardable personal
       consumption PC = Σᵢ min(purchasesᵢ, cap × months inᵢ), cap = $200 a month
       (FTC v. Herbalife, 2016 stipulated order: two-thirds of rewardable sales must be
       verifiable retail sales; personal consumption rewardable up to $200 a month). The
       monthly cap is applied to horizon totals, which can only overstate PC.
    2. ``herbalife_rewardable_share`` = (R + PC) ÷ S ≥ 0.8 (the same order: 80% of sales
       must be retail sales or rewardable personal consumption).
    3. ``vemma_nonparticipant_share`` = R ÷ S > 0.5 (FTC v. Vemma, 2016 order: no
       compensation unless the majority of the revenue of the participant and their
       downline is from sales to non-participants), company-wide.
    4. ``vemma_commissions_to_majority_downlines`` = Σ earnings of the people whose own +
       whole downline's customers' volume exceeds its own-purchase volume ÷ Σ earnings
       ≥ 1 (the order allows no exception). Horizon totals stand in for each pay period.
    5. ``amway_70_sold_or_consumed`` = (C + consumed_share × V) ÷ (C + P) ≥ 0.7, C = value
       of the customers' volume of the people, Cᵢ = (customer_volume + preferred_volume +
       party_volume)ᵢ × point value (Amway, FTC 1979: 70% of the product bought in a
       month must be sold or consumed). Products are not resold between distributors in
       the model, so "sold" is customers' volume, and "consumed" is the share of the
       chosen orders taken as consumption in :func:`participant_net`; top-ups to a purchase
       minimum count as neither.
    6. ``amway_70_commissions_to_compliant`` = Σ earnings of the people whose own ratio
       (Cᵢ + consumed_share × Vᵢ) ÷ (Cᵢ + Pᵢ) ≥ 0.7 (or who bought nothing) ÷ Σ earnings
       ≥ 1: the rule conditions each distributor's bonus.
    7. ``share_losing_money`` = share of everyone who ever joined with net ≤ −1
       (:func:`participant_net`) ≤ 0.5. Not a legal threshold: a default for "most people
       lose money", the finding of the FTC's pyramid cases (e.g. Fortune Hi-Tech).

    Summary: ``check, figure`` (mean across runs), ``p05, p95, comparison, threshold,
    pass`` (the mean against the threshold), ``runs_passing`` (share of runs that pass),
    ``source, note``. ``per_run=True``: ``run, check, figure, pass``.

    **With modelled stock** (a scenario with ``[inventory]``; ``inventory=None`` uses it
    whenever the columns are there): what a person sold to retail customers from stock,
    ``sold_from_stock`` (at cost, i.e. wholesale), is a sale to a non-participant, though
    the company sold it as the person's own purchase. So R and Cᵢ add it (R: Σ of the
    monthly ``sold_from_stock``); the personal consumption of the Herbalife tests is
    capped from purchasesᵢ − sold_from_stockᵢ; the per-person Vemma test compares, in
    cents, customers' revenue Cᵢ + sold_from_stockᵢ with the participant's own,
    purchasesᵢ − sold_from_stockᵢ. The 70% rule uses the modelled figures instead of
    ``consumed_share``: ``amway_70_sold_or_consumed`` = (C + consumed + sold_from_stock) ÷
    (C + P), and each person's ratio alike (:func:`inventory_people`, exact to the cent).
    ``share_losing_money`` uses the net with stock (``stock_value`` as in
    :func:`participant_net`).
    """
    mode = _net_mode(res, consumed_share, inventory, stock_value)
    cs, stock = mode.cs, mode.inventory
    schema = _people_schema(res)
    customer_cols = [c for c in _CUSTOMER_VOLUME_PEOPLE if c in schema]
    cols = ["id", "sponsor", "earnings", "purchases", "required_purchases", "own_volume",
            "customer_volume", "join_month", "quit_month", *customer_cols,
            *(["consumed", "sold_from_stock"] if stock else [])]
    pv = _point_value(res)
    seventy = Fraction(str(sold_or_consumed_min))

    def people_part(lf: pl.LazyFrame) -> pl.DataFrame:
        sold = pl.col("sold_from_stock").cast(_F) if stock else pl.lit(0.0)
        # exact: hundredths of a point, so that ties compare as ties
        c_hundredths = pl.sum_horizontal((pl.col(c) * 100).cast(pl.Int64) for c in customer_cols)
        d = lf.select(
            "run", "id", "sponsor",
            P=pl.col("purchases").cast(_F),
            V=(pl.col("purchases") - pl.col("required_purchases")).cast(_F),
            C=pl.sum_horizontal(pl.col(c).cast(_F) for c in customer_cols) * pv + sold,
            U=pl.col("consumed").cast(_F) if stock else pl.lit(0.0),
            Sd=sold,
            O=pl.col("own_volume").cast(_F) * pv,
            E=pl.col("earnings").cast(_F),
            PC=pl.min_horizontal(
                pl.col("purchases").cast(_F) - sold,
                personal_cap_per_month * _months_in(res.months).cast(_F),
            ),
            **({
                # cents of value: customers' volume × point value (+ sold from stock)
                "cust_c": (c_hundredths.cast(_F) * pv).round().cast(pl.Int64),
                "sold_c": _cents("sold_from_stock"),
                "used_c": _cents("consumed"),
                "bought_c": _cents("purchases"),
            } if stock else {
                "c_exact": c_hundredths,
                "o_exact": (pl.col("own_volume") * 100).cast(pl.Int64),
            }),
        ).collect()
        if stock:
            d = d.with_columns(c_exact=pl.col("cust_c") + pl.col("sold_c"),
                               o_exact=pl.col("bought_c") - pl.col("sold_c"))
        sub_c, sub_o = _subtree_arrays(
            d["run"].to_numpy(), d["id"].to_numpy(),
            d["sponsor"].fill_null(-1).cast(pl.Int64).to_numpy(),
            [d["c_exact"].to_numpy(), d["o_exact"].to_numpy()])
        if stock:
            # (C + consumed + sold) ÷ (C + P) ≥ the threshold, in cents, exactly
            used = (pl.col("c_exact") + pl.col("used_c")).cast(pl.Int128)
            bought = (pl.col("cust_c") + pl.col("bought_c")).cast(pl.Int128)
            amway_ok = (pl.when(bought > 0)
                        .then(used * seventy.denominator >= bought * seventy.numerator)
                        .otherwise(True))
        else:
            amway_ok = (pl.when((pl.col("C") + pl.col("P")) > 0)
                        .then((pl.col("C") + cs * pl.col("V"))
                              >= sold_or_consumed_min * (pl.col("C") + pl.col("P")))
                        .otherwise(True))
        d = d.with_columns(sub_C=pl.Series(sub_c), sub_O=pl.Series(sub_o)).with_columns(
            vemma_ok=pl.col("sub_C") > pl.col("sub_O"),
            amway_ok=amway_ok,
        )
        return d.group_by("run").agg(
            PC=pl.col("PC").sum(),
            P=pl.col("P").sum(),
            V=pl.col("V").sum(),
            C=pl.col("C").sum(),
            U=pl.col("U").sum(),
            Sd=pl.col("Sd").sum(),
            E=pl.col("E").sum(),
            E_vemma=pl.col("E").filter(pl.col("vemma_ok")).sum(),
            E_amway=pl.col("E").filter(pl.col("amway_ok")).sum(),
        )

    people = _memo(
        res, ("compliance", mode, personal_cap_per_month, sold_or_consumed_min),
        lambda: pl.concat([people_part(lf) for lf in people_chunks(res, cols, "compliance")]))
    runs = people["run"].to_list()
    m = res.monthly.filter(pl.col("run").is_in(runs))
    customers_m = pl.sum_horizontal(
        _col_or_zero(m, c, "retail_volume").cast(_F) for c in _CUSTOMER_VOLUME_MONTHLY
    )
    sold_m = (pl.col("sold_from_stock").cast(_F).sum() if stock and "sold_from_stock" in m.columns
              else pl.lit(0.0))
    company = m.group_by("run").agg(
        R=customers_m.sum() * pv + sold_m,
        S=pl.col("volume_value").cast(_F).sum(),
    )
    net = _net_per_run(res, mode).select("run", loss="share_loss")
    # the 70% rule: sold (customers' volume, and from stock) or consumed (modelled with
    # stock, else the assumed share of the chosen orders)
    # (C holds what was sold from stock, which P holds too: counted once in what was bought)
    used_or_sold = pl.col("C") + (pl.col("U") if stock else cs * pl.col("V"))
    bought = pl.col("C") - pl.col("Sd") + pl.col("P")
    per = (
        company.join(people, on="run").join(net, on="run").sort("run")
        .with_columns(
            herbalife_retail_share=_ratio(pl.col("R"), pl.col("R") + pl.col("PC")),
            herbalife_rewardable_share=_ratio(pl.col("R") + pl.col("PC"), pl.col("S")),
            vemma_nonparticipant_share=_ratio(pl.col("R"), pl.col("S")),
            vemma_commissions_to_majority_downlines=_ratio(pl.col("E_vemma"), pl.col("E")),
            amway_70_sold_or_consumed=_ratio(used_or_sold, bought),
            amway_70_commissions_to_compliant=_ratio(pl.col("E_amway"), pl.col("E")),
            share_losing_money=pl.col("loss"),
        )
    )
    herb = "FTC v. Herbalife, No. 2:16-cv-05217 (C.D. Cal.), stipulated order, July 2016"
    vemma = "FTC v. Vemma Nutrition Co., No. 2:15-cv-01578 (D. Ariz.), stipulated order, Dec 2016"
    amway = "In re Amway Corp., 93 F.T.C. 618 (1979): the 70% rule of Amway's safeguards"
    checks = [
        _Check("herbalife_retail_share", ">=", retail_share_min, herb,
               "customer sales (retail, preferred, party guests"
               + (", sold from stock" if stock else "")
               + f") ÷ (customer sales + personal consumption capped at "
               f"{personal_cap_per_month:g} a month, cap applied to horizon totals)"),
        _Check("herbalife_rewardable_share", ">=", rewardable_share_min, herb,
               "(customer sales + capped personal consumption) ÷ all sales"),
        _Check("vemma_nonparticipant_share", ">", nonparticipant_share_min, vemma,
               "customers' volume (retail, preferred, party guests"
               + (", sold from stock" if stock else "") + ") ÷ all volume, company-wide"),
        _Check("vemma_commissions_to_majority_downlines", ">=",
               majority_downline_commission_min, vemma,
               "share of commissions paid to people whose own + downline revenue is mostly "
               "from non-participants (retail, preferred, party guests"
               + (", sold from stock; compared in cents" if stock else "")
               + "; horizon totals, not each pay period)"),
        _Check("amway_70_sold_or_consumed", ">=", sold_or_consumed_min, amway,
               "(customers' volume + sold from stock + consumed) ÷ (customers' volume + "
               "purchases), all modelled: what each person used and sold from their stock "
               "was simulated; customers' volume = retail + preferred + party guests"
               if stock else
               f"(customers' volume + {cs:g} × chosen orders) ÷ (customers' volume + "
               "purchases); customers' volume = retail + preferred + party guests; top-ups "
               "count as neither sold nor consumed"),
        _Check("amway_70_commissions_to_compliant", ">=", seventy_rule_commission_min, amway,
               "share of commissions paid to people meeting the 70% rule themselves"
               + (" (modelled use and sales)" if stock else "")),
        _Check("share_losing_money", "<=", loss_share_max, "not a legal threshold",
               (f"net ≤ −1 with modelled stock, stock held valued "
                f"{_STOCK_VALUE_WORDS[mode.stock_value]} (participant_net)") if stock else
               f"net ≤ −1 with consumed_share = {cs:g} (participant_net)"),
    ]

    def passes(fig: pl.Expr, c: _Check) -> pl.Expr:
        if c.comparison == ">=":
            return fig >= c.threshold
        if c.comparison == ">":
            return fig > c.threshold
        return fig <= c.threshold

    rows = []
    for c in checks:
        rows.append(
            per.select(
                "run", pl.lit(c.name).alias("check"), pl.col(c.name).alias("figure")
            ).with_columns(**{"pass": passes(pl.col("figure"), c)})
        )
    long = pl.concat(rows)
    if per_run:
        return long.sort(["run"], maintain_order=True)
    out = []
    for c in checks:
        part = long.filter(pl.col("check") == c.name)
        vals = part["figure"].drop_nulls()
        mean = vals.mean() if vals.len() else None
        ok = None
        if mean is not None:
            ok = bool(
                mean >= c.threshold if c.comparison == ">=" else
                mean > c.threshold if c.comparison == ">" else mean <= c.threshold
            )
        out.append({
            "check": c.name,
            "figure": mean,
            "p05": vals.quantile(0.05, "linear") if vals.len() else None,
            "p95": vals.quantile(0.95, "linear") if vals.len() else None,
            "comparison": c.comparison,
            "threshold": float(c.threshold),
            "pass": ok,
            "runs_passing": part["pass"].drop_nulls().cast(_F).mean(),
            "source": c.source,
            "note": c.note,
        })
    return pl.DataFrame(out, schema={
        "check": pl.String, "figure": _F, "p05": _F, "p95": _F, "comparison": pl.String,
        "threshold": _F, "pass": pl.Boolean, "runs_passing": _F, "source": pl.String,
        "note": pl.String,
    })


# --------------------------------------------------------------------------------------
# 4b. inventory: loading, buy-backs and the 70% rule from modelled use and sales

#: Per-person columns :func:`inventory_people` needs besides :data:`INVENTORY_COLUMNS`.
_INVENTORY_PEOPLE_COLS = ["id", "join_month", "quit_month", "purchases", "earnings",
                          "customer_volume"]


def _threshold_name(t: float) -> str:
    return str(int(t)) if float(t).is_integer() else f"{t:g}"


def _inventory_people_lf(lf: pl.LazyFrame, res: Any, customer_cols: Sequence[str],
                         seventy: Fraction, mode: _NetMode) -> pl.LazyFrame:
    """Per-person stock figures (see :func:`inventory_people`), with exact cents columns
    ``*_c`` kept for the per-run sums."""
    pv = _point_value(res)
    hundredths = pl.sum_horizontal((pl.col(c) * 100).cast(pl.Int64) for c in customer_cols)
    loading = _cents("stock_bought") - _cents("sold_from_stock")
    value = _stock_value_cents(mode)
    lf = lf.with_columns(
        customer_sales_c=(hundredths.cast(_F) * pv).round().cast(pl.Int64),
        inventory_loading_c=loading,
        stock_value_c=value,
        unrecovered_stock_c=loading - _cents("refunds") - value,
        quitter=pl.col("quit_month").is_not_null(),
    ).with_columns(
        bought_c=pl.col("customer_sales_c") + _cents("purchases"),
        used_or_sold_c=pl.col("customer_sales_c") + _cents("consumed")
        + _cents("sold_from_stock"),
    )
    bought = pl.col("bought_c").cast(pl.Int128)
    used = pl.col("used_or_sold_c").cast(pl.Int128)
    return lf.with_columns(
        customer_sales=_money_of_cents("customer_sales_c"),
        bought=_money_of_cents("bought_c"),
        used_or_sold=_money_of_cents("used_or_sold_c"),
        used_or_sold_share=_ratio(pl.col("used_or_sold_c"), pl.col("bought_c")),
        meets_70=pl.when(bought > 0).then(
            used * seventy.denominator >= bought * seventy.numerator).otherwise(None),
        inventory_loading=_money_of_cents("inventory_loading_c"),
        stock_value=_money_of_cents("stock_value_c"),
        unrecovered_stock=_money_of_cents("unrecovered_stock_c"),
    )


def _inventory_setup(res: Any, seventy_min: float, stock_value: str,
                     what: str) -> tuple[list[str], list[str], Fraction, _NetMode]:
    if isinstance(seventy_min, bool) or not isinstance(seventy_min, (int, float)) or not (
            0 < seventy_min <= 1):
        raise ValueError(f"seventy_min = {seventy_min!r}: use a share above 0, at most 1")
    if stock_value not in STOCK_VALUES:
        raise ValueError(f"stock_value = {stock_value!r}: use one of {list(STOCK_VALUES)}")
    schema = _people_schema(res)
    if not all(c in schema for c in INVENTORY_COLUMNS):
        if has_inventory(res) and _run_sizes(res).height == 0:
            raise ValueError(
                f"res.distributors is empty: {what} needs the per-distributor rows "
                "(simulate with keep_distributors=True or a number of runs to keep)")
        raise _no_inventory(what)
    customer_cols = [c for c in _CUSTOMER_VOLUME_PEOPLE if c in schema]
    cols = list(dict.fromkeys([*_INVENTORY_PEOPLE_COLS, *customer_cols, *INVENTORY_COLUMNS]))
    mode = _net_mode(res, None, True, stock_value)
    return cols, customer_cols, Fraction(str(seventy_min)), mode


def inventory_people(res: Any, seventy_min: float = 0.7,
                     stock_value: str = "buyback") -> pl.DataFrame:
    """One row per person who ever joined (the kept runs) with their stock over the
    horizon, for a result simulated with the scenario's ``[inventory]``; currency (Float64,
    exact to the cent) at cost:

    - ``run, id, join_month, quit_month``, and the person's ``package``, ``purchases``
      (= consumed + stock_bought), ``consumed``, ``stock_bought``, ``sold_from_stock``,
      ``bought_back``, ``refunds``, ``chargebacks``, ``stock`` (held at the end, or at
      quitting after any buy-back);
    - ``customer_sales`` = what the person's customers ordered from the company (retail
      customers' orders not served from stock, preferred customers' orders, party sales):
      (customer_volume + preferred_volume + party_volume) × point value;
    - **the 70% rule**: ``bought`` = purchases + customer_sales (everything bought through
      the person), ``used_or_sold`` = customer_sales + consumed + sold_from_stock,
      ``used_or_sold_share`` = used_or_sold ÷ bought (null if nothing was bought), and
      ``meets_70`` = used_or_sold ≥ ``seventy_min`` × bought, exactly (null if nothing was
      bought). Horizon totals stand in for the rule's months, which favours the
      participant: a package bought in the join month and sold over a year passes here,
      though its month would not;
    - ``inventory_loading`` = stock_bought − sold_from_stock (= bought_back + stock): what
      was bought and neither used nor sold;
    - ``stock_value`` and ``unrecovered_stock`` = inventory_loading − refunds −
      stock_value, as in :func:`participant_net` (``stock_value=``).
    """
    cols, customer_cols, seventy, mode = _inventory_setup(
        res, seventy_min, stock_value, "inventory_people")
    out = []
    for lf in people_chunks(res, cols, "inventory_people"):
        q = _inventory_people_lf(lf, res, customer_cols, seventy, mode)
        out.append(q.select(
            "run", "id", "join_month", "quit_month",
            *[pl.col(c).cast(_F) for c in ("package", "purchases", "consumed",
                                           "stock_bought", "sold_from_stock", "bought_back",
                                           "refunds", "chargebacks", "stock")],
            "customer_sales", "bought", "used_or_sold", "used_or_sold_share", "meets_70",
            "inventory_loading", "stock_value", "unrecovered_stock",
        ).collect())
    return pl.concat(out)


def loading_bands(res: Any, edges: Sequence[float] = (100, 500, 1000, 2000, 5000),
                  per_run: bool = False) -> pl.DataFrame:
    """Everyone who ever joined (the kept runs) by their inventory loading (stock bought
    and neither used nor sold, :func:`inventory_people`): a band of none (0), then
    (0, e₁], (e₁, e₂], …, above the last edge. Per run and band: ``people`` and ``share`` =
    people ÷ everyone who ever joined (the shares add up to 1); across runs ``band, lower,
    upper, share`` (mean) with ``share_p05``, ``share_p95`` and ``people`` (mean per run).
    ``share_loading_over_t`` of :func:`inventory_summary` is the sum of the bands above t
    when t is an edge."""
    bounds = [float(e) for e in edges]
    if any(b <= 0 for b in bounds) or bounds != sorted(set(bounds)):
        raise ValueError(f"edges = {list(edges)!r}: give rising amounts above 0")
    cols, customer_cols, seventy, mode = _inventory_setup(res, 0.7, "buyback", "loading_bands")
    cents = [round(b * 100) for b in bounds]
    names = ["none", *[f"up to {_threshold_name(bounds[0])}"],
             *[f"{_threshold_name(a)} to {_threshold_name(b)}"
               for a, b in pairwise(bounds)], f"over {_threshold_name(bounds[-1])}"]
    lowers = [0.0, 0.0, *bounds]
    uppers = [0.0, *bounds, None]
    band = pl.when(pl.col("inventory_loading_c") <= 0).then(pl.lit(0))
    for k, c in enumerate(cents):
        band = band.when(pl.col("inventory_loading_c") <= c).then(pl.lit(k + 1))
    band = band.otherwise(pl.lit(len(cents) + 1))

    def query(lf: pl.LazyFrame) -> pl.LazyFrame:
        return (_inventory_people_lf(lf, res, customer_cols, seventy, mode)
                .with_columns(band_index=band).group_by("run", "band_index")
                .agg(people=pl.len().cast(pl.Int64)))

    def compute() -> pl.DataFrame:
        counts = _per_run(res, cols, "loading_bands", query)
        runs = pl.DataFrame({"run": kept_runs(res)}, schema={"run": counts.schema["run"]})
        grid = runs.join(pl.DataFrame({"band_index": list(range(len(names)))},
                                      schema={"band_index": pl.Int32}), how="cross")
        return (grid.join(counts.with_columns(pl.col("band_index").cast(pl.Int32)),
                          on=["run", "band_index"], how="left")
                .with_columns(pl.col("people").fill_null(0))
                .with_columns(share=pl.col("people") / pl.col("people").sum().over("run"))
                .sort("run", "band_index"))
    per = _memo(res, ("loading_bands", tuple(cents)), compute)
    labels = pl.DataFrame({"band_index": list(range(len(names))), "band": names,
                           "lower": lowers, "upper": uppers},
                          schema={"band_index": pl.Int32, "band": pl.String, "lower": _F,
                                  "upper": _F})
    per = per.join(labels, on="band_index").sort("run", "band_index")
    if per_run:
        return per.select("run", "band_index", "band", "lower", "upper", "people", "share")
    return (per.group_by("band_index", "band", "lower", "upper")
            .agg(share=pl.col("share").mean(),
                 share_p05=pl.col("share").quantile(0.05, "linear"),
                 share_p95=pl.col("share").quantile(0.95, "linear"),
                 people=pl.col("people").cast(_F).mean())
            .sort("band_index").drop("band_index"))


#: Company figures of :func:`inventory_summary` (from ``res.monthly``, every run).
INVENTORY_COMPANY_METRICS = [
    "packages", "stock_bought", "sold_from_stock", "bought_back", "refunds", "chargebacks",
    "stock_held_end", "sold_share", "bought_back_share", "refund_rate",
]


def inventory_summary(res: Any, per_run: bool = False,
                      loading_thresholds: Sequence[float] = (500, 1000),
                      seventy_min: float = 0.7, stock_value: str = "buyback") -> pl.DataFrame:
    """Stock, inventory loading, buy-backs and the 70% rule of a result simulated with the
    scenario's ``[inventory]``, per run and across runs (``metric, mean, p05, p50, p95,
    runs``; ``per_run=True``: one row per run). Currency at cost.

    From ``res.monthly``, every run: ``packages`` (starter packages bought),
    ``stock_bought`` (Σ stock_added: everything stocked, packages included),
    ``sold_from_stock`` (served to retail customers), ``bought_back`` (Σ returns),
    ``refunds``, ``chargebacks``, ``stock_held_end`` (held by participants at the end: the
    last month's ``stock_held``); ``sold_share`` = sold_from_stock ÷ stock_bought,
    ``bought_back_share`` = bought_back ÷ stock_bought, ``refund_rate`` = refunds ÷
    bought_back.

    From the people of the kept runs (null in other runs), per person as in
    :func:`inventory_people`: ``people`` (everyone who ever joined), ``buyers`` (bought
    anything: purchases + customer_sales > 0), ``package_share`` (share of people who
    bought a starter package), ``purchases``, ``consumed``, ``stock_held_at_quitting`` (Σ
    stock of quitters, after any buy-back), ``inventory_loading`` (Σ), ``loading_share`` =
    Σ inventory_loading ÷ Σ purchases; over everyone who ever joined ``mean_loading``,
    ``median_loading``, ``p90_loading``, and for each threshold t of
    ``loading_thresholds`` ``share_loading_over_t`` = #{inventory_loading > t} ÷ people;
    ``quitters``, ``share_quitters_holding`` (quitters left holding stock ÷ quitters),
    ``mean_loading_quitters`` (their mean loading), ``mean_unrecovered_stock``
    (inventory_loading − refunds − stock_value); **the 70% rule**:
    ``share_meeting_70`` = #{meets_70} ÷ buyers, ``company_used_or_sold_share`` =
    Σ used_or_sold ÷ Σ bought (the company's product bought through participants that was
    used or sold to customers).
    """
    if not has_inventory(res):
        raise _no_inventory("inventory_summary")
    thresholds = [float(t) for t in loading_thresholds]
    m = res.monthly
    last = m.group_by("run").agg(pl.col("month").max().alias("_last"))
    money = [pl.col(c).sum() for c in ("packages", "sold_from_stock", "refunds", "chargebacks")]
    company = (
        m.join(last, on="run")
        .group_by("run").agg(
            *money,
            stock_bought=pl.col("stock_added").sum(),
            bought_back=pl.col("returns").sum(),
            stock_held_end=pl.col("stock_held").filter(pl.col("month") == pl.col("_last"))
            .sum(),
        )
        .with_columns(
            sold_share=_ratio(pl.col("sold_from_stock"), pl.col("stock_bought")),
            bought_back_share=_ratio(pl.col("bought_back"), pl.col("stock_bought")),
            refund_rate=_ratio(pl.col("refunds"), pl.col("bought_back")),
        )
        .select("run", *INVENTORY_COMPANY_METRICS)
        .sort("run")
    )
    over = [f"share_loading_over_{_threshold_name(t)}" for t in thresholds]
    people_metrics = [
        "people", "buyers", "package_share", "purchases", "consumed", "stock_held_at_quitting",
        "inventory_loading", "loading_share", "mean_loading", "median_loading", "p90_loading",
        *over, "quitters", "share_quitters_holding", "mean_loading_quitters",
        "mean_unrecovered_stock", "share_meeting_70", "company_used_or_sold_share",
    ]
    try:
        people = _inventory_per_run(res, thresholds, over, seventy_min, stock_value)
    except ValueError as e:  # no per-person rows kept: the company figures only
        if isinstance(e, MissingColumnError) or "distributors is empty" not in str(e):
            raise
        people = pl.DataFrame(schema={"run": company.schema["run"],
                                      **{k: _F for k in people_metrics}})
    per = company.join(people.with_columns(pl.col("run").cast(company.schema["run"])),
                       on="run", how="left")
    per = per.select("run", *INVENTORY_COMPANY_METRICS, *people_metrics)
    if per_run:
        return per
    return _across_runs(per, [], [*INVENTORY_COMPANY_METRICS, *people_metrics])


def _inventory_per_run(res: Any, thresholds: list[float], over: list[str],
                       seventy_min: float, stock_value: str) -> pl.DataFrame:
    cols, customer_cols, seventy, mode = _inventory_setup(
        res, seventy_min, stock_value, "inventory_summary")
    n = pl.len()
    loading = pl.col("inventory_loading")
    quitter = pl.col("quitter")

    def dec(col: str, where: pl.Expr | None = None) -> pl.Expr:
        x = pl.col(col) if where is None else pl.col(col).filter(where)
        return x.sum()

    aggs = [
        n.cast(pl.Int64).alias("people"),
        (pl.col("bought_c") > 0).sum().cast(pl.Int64).alias("buyers"),
        (pl.col("package") > 0).mean().alias("package_share"),
        dec("purchases").alias("purchases"),
        dec("consumed").alias("consumed"),
        dec("stock", quitter).alias("stock_held_at_quitting"),
        _money_of_cents(pl.col("inventory_loading_c").sum()).alias("inventory_loading"),
        _ratio(pl.col("inventory_loading_c").sum(), _cents("purchases").sum())
        .alias("loading_share"),
        loading.mean().alias("mean_loading"),
        loading.median().alias("median_loading"),
        loading.quantile(0.9, "linear").alias("p90_loading"),
        *[((pl.col("inventory_loading_c") > round(t * 100)).sum() / n).alias(name)
          for t, name in zip(thresholds, over)],
        quitter.sum().cast(pl.Int64).alias("quitters"),
        _ratio((quitter & (pl.col("stock") > 0)).sum(), quitter.sum())
        .alias("share_quitters_holding"),
        loading.filter(quitter).mean().alias("mean_loading_quitters"),
        pl.col("unrecovered_stock").mean().alias("mean_unrecovered_stock"),
        _ratio(pl.col("meets_70").sum(), (pl.col("bought_c") > 0).sum())
        .alias("share_meeting_70"),
        _ratio(pl.col("used_or_sold_c").sum(), pl.col("bought_c").sum())
        .alias("company_used_or_sold_share"),
    ]

    def query(lf: pl.LazyFrame) -> pl.LazyFrame:
        return _inventory_people_lf(lf, res, customer_cols, seventy, mode).group_by(
            "run").agg(aggs)

    key = ("inventory", tuple(thresholds), seventy, mode)
    return _memo(res, key, lambda: _per_run(res, cols, "inventory_summary", query)
                 .sort("run"))


# --------------------------------------------------------------------------------------
# 5. comparing plans


def _betacf(a: float, b: float, x: float) -> float:
    # Continued fraction of the incomplete beta function (modified Lentz).
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, dd = 1.0, 1.0 - qab * x / qap
    dd = 1.0 / (dd if abs(dd) > tiny else tiny)
    h = dd
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        dd = 1.0 + aa * dd
        dd = 1.0 / (dd if abs(dd) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= dd * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        dd = 1.0 + aa * dd
        dd = 1.0 / (dd if abs(dd) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = dd * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(
        1.0 - x
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1.0 - x) / b


def _t_cdf(t: float, df: float) -> float:
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(q: float, df: float) -> float:
    """Quantile of Student's t with ``df`` degrees of freedom (e.g. ``t_quantile(0.975, 9)``
    = 2.2622), by bisection on the CDF written with the regularized incomplete beta."""
    if not 0.0 < q < 1.0 or not df > 0:
        raise ValueError("t_quantile: q in (0, 1) and df > 0")
    if q == 0.5:
        return 0.0
    if q < 0.5:
        return -t_quantile(1.0 - q, df)
    hi = 1.0
    while _t_cdf(hi, df) < q:
        hi *= 2.0
    lo = 0.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if _t_cdf(mid, df) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return (lo + hi) / 2.0


def _values(x: pl.Series | Sequence[float]) -> list[float]:
    s = x if isinstance(x, pl.Series) else pl.Series(list(x), dtype=_F)
    return s.cast(_F).to_list()


def paired_difference(
    a: pl.Series | Sequence[float],
    b: pl.Series | Sequence[float],
    conf: float = 0.95,
) -> dict[str, float | None]:
    """Paired difference of two per-run samples on the same runs (common random numbers):
    dᵣ = bᵣ − aᵣ; ``mean`` = mean d; ``se`` = sd(d) ÷ √n (sample sd, n − 1);
    ``low, high`` = mean ∓ t₍₁₊conf₎/₂,ₙ₋₁ × se (the t-interval of the mean difference);
    ``p05, p95`` = percentiles of the per-run differences. ``se`` and the interval are null
    for n < 2."""
    xa, xb = _values(a), _values(b)
    if len(xa) != len(xb):
        raise ValueError("paired_difference: both samples need the same runs")
    d = pl.Series([y - x for x, y in zip(xa, xb)], dtype=_F)
    n = d.len()
    mean = d.mean() if n else None
    out: dict[str, float | None] = {"mean": mean, "se": None, "low": None, "high": None,
                                       "p05": None, "p95": None}
    if n:
        out["p05"] = d.quantile(0.05, "linear")
        out["p95"] = d.quantile(0.95, "linear")
    if n >= 2:
        se = float(d.std(ddof=1)) / math.sqrt(n)
        t = t_quantile((1.0 + conf) / 2.0, n - 1)
        out.update(se=se, low=mean - t * se, high=mean + t * se)
    return out


def independent_difference(
    a: pl.Series | Sequence[float],
    b: pl.Series | Sequence[float],
    conf: float = 0.95,
) -> dict[str, float | None]:
    """Difference of means of two independent samples (different seeds), Welch:
    ``mean`` = mean b − mean a, ``se`` = √(s_a² ÷ n_a + s_b² ÷ n_b), ``low, high`` = mean ∓ t
    × se with Welch–Satterthwaite degrees of freedom. What comparing plans would cost
    without common random numbers."""
    xa = pl.Series(_values(a), dtype=_F)
    xb = pl.Series(_values(b), dtype=_F)
    na, nb = xa.len(), xb.len()
    if na < 2 or nb < 2:
        raise ValueError("independent_difference: at least two runs in each sample")
    va, vb = float(xa.var(ddof=1)) / na, float(xb.var(ddof=1)) / nb
    se = math.sqrt(va + vb)
    mean = float(xb.mean()) - float(xa.mean())
    if se == 0:
        return {"mean": mean, "se": 0.0, "low": mean, "high": mean}
    df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    t = t_quantile((1.0 + conf) / 2.0, df)
    return {"mean": mean, "se": se, "low": mean - t * se, "high": mean + t * se}


MetricSpec = Union[str, Callable[[Any], Any]]  # noqa: UP007 (a runtime alias on 3.10)


def _metric_values(res: Any, name: str, spec: MetricSpec) -> list[float]:
    """One value per run, in run order. A function's values are paired run by run across
    plans, so it must give one value for each run (a Series), or for each of some runs
    named in a ``run`` column (a DataFrame: e.g. the runs whose people were kept)."""
    if isinstance(spec, str):
        if spec not in res.runs.columns:
            raise ValueError(f"metric {name!r}: res.runs has no column {spec!r}")
        return res.runs.sort("run")[spec].cast(_F).to_list()
    out = spec(res)
    runs = res.runs["run"]
    if isinstance(out, pl.DataFrame):
        if "run" not in out.columns or out.width != 2:
            raise ValueError(f"metric {name!r}: return a DataFrame (run, value) or a Series")
        if out["run"].null_count() or out["run"].n_unique() != out.height:
            raise ValueError(f"metric {name!r}: the DataFrame names a run twice or not at "
                             "all; give one row per run")
        if not out["run"].is_in(runs.implode()).all():
            raise ValueError(f"metric {name!r}: the DataFrame names runs the result does "
                             f"not have (it has runs 0 to {runs.len() - 1})")
        col = next(c for c in out.columns if c != "run")
        return out.sort("run")[col].cast(_F).to_list()
    if isinstance(out, (str, bytes)) or not isinstance(out, (pl.Series, Sequence)):
        raise TypeError(f"metric {name!r}: returned {type(out).__name__}; return one value "
                         "per run (a Series in run order, or a DataFrame run, value)")
    values = _values(out)
    if len(values) != runs.len():
        raise ValueError(f"metric {name!r}: returned {len(values)} value(s) for "
                         f"{runs.len()} runs; return one value per run (a Series in run "
                         "order, or a DataFrame run, value)")
    return values


def compare(
    plans: Sequence[Any],
    scenario: Any,
    months: int = 36,
    runs: int = 100,
    seed: int = 7,
    metrics: Sequence[str] | Mapping[str, MetricSpec] | None = None,
    conf: float = 0.95,
    return_results: bool = False,
    **kw: Any,
) -> Any:
    """Simulate every plan under ``scenario`` with the **same seed** — the same people
    making the same purchases (common random numbers) — and compare them per run.

    ``metrics``: names of ``res.runs`` columns (default: every headline figure of
    ``SimulationResult.summary``), or a mapping name → column name or a function
    ``f(res)`` returning one value per run (a Series in run order, or a DataFrame ``run,
    value``). Other keyword arguments go to :func:`downline.simulate` (``threads``,
    ``keep_distributors``, …).

    Returns one row per (metric, plan): ``metric, plan_index, plan, mean, p05, p50, p95,
    runs`` across runs, and for every plan after the first the paired difference with the
    first, per run (dᵣ = plan − first): ``diff_mean``, ``diff_se``, ``diff_low`` /
    ``diff_high`` (t-interval at ``conf`` of the mean difference), ``diff_p05`` /
    ``diff_p95`` (spread of the per-run differences); see :func:`paired_difference`.
    Returns a :class:`Comparison` (the table as ``.table``, the simulations as
    ``.results``); with ``return_results=True``, the pair ``(table, [SimulationResult, …])``
    instead. When per-person rows are kept, the default figures include
    ``share_losing_money`` (:func:`net_results`), the one definition of "lost money".
    """
    from downline.api import SUMMARY_METRICS, simulate

    plans = list(plans)
    if not plans:
        raise ValueError("compare: give at least one plan")
    keep = kw.get("keep_distributors", True)
    if metrics is None:
        specs: dict[str, MetricSpec] = {m: m for m in SUMMARY_METRICS}
        if keep is not False and keep != 0:
            specs["share_losing_money"] = _share_losing_money
    elif isinstance(metrics, Mapping):
        specs = dict(metrics)
    else:
        specs = {m: m for m in metrics}
    results = [simulate(p, scenario, months=months, runs=runs, seed=seed, **kw) for p in plans]
    names = [getattr(p, "name", f"plan {i}") for i, p in enumerate(plans)]
    labels = [n if names.count(n) == 1 else f"{n} [{i}]" for i, n in enumerate(names)]
    rows = []
    for metric, spec in specs.items():
        vals = [_metric_values(r, metric, spec) for r in results]
        for i, v in enumerate(vals):
            s = pl.Series(v, dtype=_F).drop_nulls()
            row: dict[str, Any] = {
                "metric": metric,
                "plan_index": i,
                "plan": labels[i],
                "mean": s.mean(),
                "p05": s.quantile(0.05, "linear"),
                "p50": s.quantile(0.5, "linear"),
                "p95": s.quantile(0.95, "linear"),
                "runs": s.len(),
            }
            if i == 0:
                diff: dict[str, float | None] = dict.fromkeys(
                    ["mean", "se", "low", "high", "p05", "p95"]
                )
            else:
                diff = paired_difference(vals[0], v, conf)
            row.update({f"diff_{k}": diff[k] for k in ("mean", "se", "low", "high", "p05",
                                                       "p95")})
            rows.append(row)
    schema = {"metric": pl.String, "plan_index": pl.Int64, "plan": pl.String, "mean": _F,
              "p05": _F, "p50": _F, "p95": _F, "runs": pl.Int64, "diff_mean": _F,
              "diff_se": _F, "diff_low": _F, "diff_high": _F, "diff_p05": _F, "diff_p95": _F}
    table = pl.DataFrame(rows, schema=schema)
    if return_results:
        return table, results
    return Comparison(table=table, results=results, labels=labels, conf=conf)


#: Labels and formats of the figures a :class:`Comparison` shows, in order.
COMPARE_LABELS = {
    "payout_ratio": ("payout ratio (commissions ÷ volume value)", "share"),
    "volume_value": ("volume value", "money"),
    "payout": ("commissions paid by the company", "money"),
    "capped": ("withheld by the cap", "money"),
    "retail_profit": ("retail margin (paid by customers)", "money"),
    "host_rewards": ("host rewards (paid to party hosts, not commissions)", "money"),
    "ever_joined": ("everyone who ever joined", "count"),
    "active_end": ("still in at the end", "count"),
    "mean_earnings": ("mean commissions per person", "cents"),
    "median_earnings": ("median commissions per person", "cents"),
    "share_earning_nothing": ("paid nothing by the company", "share"),
    "share_losing_money": ("lost money (costs incl. purchases beyond own use > pay)", "share"),
    "share_net_loss": (("fees + expenses above earnings + retail margin (purchases not "
                       "counted)"), "share"),
    "top1_share": ("share of commissions to the top 1%", "share"),
}


def _share_losing_money(res: Any) -> pl.DataFrame:
    return net_results(res, per_run=True).select("run", "share_loss")


@dataclass
class Comparison:
    """What :func:`compare` returns: plans simulated on the same people, compared.

    ``table`` is the long table (``metric, plan_index, plan, mean, p05, p50, p95, runs``
    and the paired differences from the first plan, ``diff_*``); ``results`` the
    simulations, in plan order; ``labels`` the plans' names. In Jupyter it shows as one
    compact table (a row per figure, a column per plan, the difference with its interval);
    :meth:`write_report` writes the A-vs-B report for a client. Reading a column or calling
    a DataFrame method on it reads the table (``cmp["plan"]``, ``cmp.filter(…)``)."""

    table: pl.DataFrame
    results: list[Any]
    labels: list[str]
    conf: float = 0.95

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("table", "results", "labels", "conf"):
            raise AttributeError(name)
        return getattr(self.table, name)

    def __getitem__(self, key: Any) -> Any:
        return self.table[key]

    def __len__(self) -> int:
        return self.table.height

    def rows(self) -> list[tuple[str, str, list[dict[str, Any]]]]:
        """``(metric, label, [row of each plan])`` in display order."""
        out = []
        metrics = self.table["metric"].unique(maintain_order=True).to_list()
        order = [m for m in COMPARE_LABELS if m in metrics] + [
            m for m in metrics if m not in COMPARE_LABELS]
        hosts = any(kind == "host_rewards" for r in self.results
                    for _, kind, _ in getattr(r.plan, "bonuses", []))
        for m in order:
            if m == "host_rewards" and not hosts:
                continue
            part = self.table.filter(pl.col("metric") == m).sort("plan_index")
            label = COMPARE_LABELS.get(m, (m, "number"))[0]
            out.append((m, label, list(part.iter_rows(named=True))))
        return out

    def html_table(self) -> str:
        """One row per figure: each plan's median (90% of runs), then each later plan's
        paired difference from the first (mean, and its interval)."""
        from downline import display as d

        letters = [chr(65 + i) if i < 26 else str(i) for i in range(len(self.labels))]
        head = ["figure", *[f"{x}: median (90% of runs)" for x in letters]]
        head += [f"{x} − A: mean ({self.conf:.0%} interval)" for x in letters[1:]]
        body = []
        for m, label, rows in self.rows():
            kind = COMPARE_LABELS.get(m, (m, "number"))[1]
            cells = [label]
            for r in rows:
                cells.append(f'{d.esc(_fmt_value(r["p50"], kind))}<br><span class="muted">'
                             f'{d.esc(_fmt_value(r["p05"], kind))} to '
                             f'{d.esc(_fmt_value(r["p95"], kind))}</span>')
            for r in rows[1:]:
                cells.append(
                    f'<b>{d.esc(_fmt_diff(r["diff_mean"], kind))}</b><br><span class="muted">'
                    f'{d.esc(_fmt_diff(r["diff_low"], kind))} to '
                    f'{d.esc(_fmt_diff(r["diff_high"], kind))}</span>')
            body.append([d.esc(cells[0]), *cells[1:]])
        names = "; ".join(f"<b>{x}</b> = {d.esc(lab)}" for x, lab in zip(letters, self.labels))
        return (f'<p class="plans-key">{names}</p>'
                + d.table(head, body, numeric=tuple(range(1, len(head))), raw=True))

    def _repr_html_(self) -> str:
        from downline import display as d

        r0 = self.results[0]
        scen = r0.scenario.to_dict().get("name") or "scenario"
        head = (f"<h3>{len(self.labels)} plans under {d.esc(scen)}: {r0.n_runs} runs × "
                f"{r0.months} months, seed {r0.seed}, the same simulated people</h3>")
        foot = ('<p class="muted">Differences are paired run by run (common random numbers). '
                "<code>.table</code>: the long table; <code>.results</code>: the "
                "simulations; <code>.write_report(path)</code>: the A-vs-B report.</p>")
        return d._wrap(head + self.html_table() + foot)

    def write_report(self, path: Any, title: str | None = None) -> Any:
        """Write the comparison report (one self-contained HTML file) to ``path``: both
        plans in words, the paired differences with their intervals, the earnings
        distributions, Lorenz curves and retention side by side, and the compliance checks
        for both. Returns the path."""
        from downline.report import write_comparison_report

        return write_comparison_report(self, path, title=title)


def _fmt_value(v: Any, kind: str) -> str:
    from downline import display as d

    return d.format_value(v, kind) if kind != "number" else (
        "–" if v is None else f"{v:.3g}")


def _fmt_diff(v: Any, kind: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    sign = "+" if v > 0 else "−" if v < 0 else "±"
    a = abs(v)
    if kind == "share":
        return f"{sign}{100 * a:.2f} pp"
    if kind == "cents":
        return f"{sign}{a:,.2f}"
    if kind == "number":
        return f"{sign}{a:.3g}"
    return f"{sign}{a:,.0f}"
