"""What-if over a grid: one plan (or several) under a scenario whose parameters vary.

:func:`sweep` simulates every point of a grid of scenario (and plan) parameters with the
same seed, so neighbouring points see the same people and differ only by their parameters
(common random numbers). Each run is reduced where it ran to one row of headline figures;
only those rows travel and are kept (``SweepResult.runs``), summarised per point in
``SweepResult.points``. Per-distributor rows are written, if asked, to a Parquet dataset
with one file per point. With ``out=DIR`` every finished point is on disk, written whole,
and a sweep run again with the same ``out`` skips them: a sweep stopped by Ctrl-C (or a lost
machine) resumes where it was.

Parameter paths are the field paths of the scenario file (``recruitment.heterogeneity``,
``market.size``, ``attrition.monthly_quit[0]``) and, prefixed with ``plan.``, of the plan
file (``plan.active.min_pv``, ``plan.bonus[1].rates.Manager[0]``). Four multipliers scale
a whole table by tenure: ``recruitment.scale``, ``attrition.scale``, ``customers.scale``
and ``parties.scale`` (see :data:`MULTIPLIERS`). Every point is built and validated like a
file before anything runs; a wrong path or value raises :class:`~downline.ScenarioError` /
:class:`~downline.PlanError` naming the parameter and the field.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from downline.api import (
    DEFAULT_SEED,
    Plan,
    PlanError,
    Scenario,
    ScenarioError,
    _atomic_parquet,
    _progress_callback,
    simulate,
)

__all__ = ["MULTIPLIERS", "SWEEP_METRICS", "SweepResult", "load_sweep", "sweep"]

_F = pl.Float64

#: Multipliers of whole tables: ``<section>.scale`` → what it multiplies.
MULTIPLIERS = {
    "recruitment.scale": "recruitment.rate (or prospecting.contacts; with the Bass market "
    "model also market.innovation and market.imitation)",
    "attrition.scale": "attrition.monthly_quit (with a Weibull curve: the hazard, i.e. "
    "weibull.scale × factor^(−1/shape))",
    "customers.scale": "customers.acquisition_rate",
    "parties.scale": "parties.per_month",
}

#: The defaults of the tables a multiplier scales, when the scenario leaves them out
#: (docs/reference.md).
_TABLE_DEFAULTS = {"rate": 0.1, "monthly_quit": 0.05, "acquisition_rate": 0.0, "per_month": 0.0}

#: The per-run figures of a sweep: the core's run table (``SimulationResult.runs``), then
#: ``share_paid_nothing`` (the same figure as ``share_earning_nothing``: everyone who ever
#: joined and was paid nothing by the company) and ``breakage_share`` (unpaid ÷ what the
#: bonuses would have paid had everyone qualified, over the horizon).
SWEEP_METRICS = [
    "payout_ratio",
    "share_paid_nothing",
    "share_earning_nothing",
    "share_net_loss",
    "top1_share",
    "ever_joined",
    "active_end",
    "volume_value",
    "payout",
    "capped",
    "retail_profit",
    "host_rewards",
    "mean_earnings",
    "median_earnings",
    "breakage_share",
]

_STATS = ("mean", "p05", "p50", "p95")
_FORMAT = "downline-sweep/1"


# --------------------------------------------------------------------------------------
# parameter paths


_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|(\d+)")


def _split_path(path: str) -> list[str | int]:
    """``bonus[1].rates.Manager[0]`` → ``['bonus', 1, 'rates', 'Manager', 0]``."""
    keys: list[str | int] = []
    for part in path.split("."):
        pos, got = 0, 0
        while pos < len(part):
            m = _TOKEN.match(part, pos)
            if m is None or (m.group(1) and got):
                break
            keys.append(m.group(1) if m.group(1) else int(m.group(2) or m.group(3)))
            pos, got = m.end(), got + 1
        if not part or pos != len(part):
            raise ValueError(
                f"{path!r} is not a field path such as 'recruitment.heterogeneity' or "
                "'plan.bonus[1].rates.Manager[0]'"
            )
    return keys


@dataclass(frozen=True)
class Parameter:
    """One swept parameter: a field of the scenario or of the plan, or a multiplier."""

    path: str
    target: str  # "scenario", "plan" or "multiplier"
    keys: tuple[str | int, ...]

    @classmethod
    def parse(cls, path: Any) -> Parameter:
        if not isinstance(path, str):
            raise TypeError(f"parameter {path!r} is not a field path (a string)")
        if path in MULTIPLIERS:
            return cls(path, "multiplier", (path.split(".")[0],))
        if path.startswith("plan."):
            return cls(path, "plan", tuple(_split_path(path[len("plan.") :])))
        keys = tuple(_split_path(path))
        if len(keys) == 2 and keys[1] == "scale":
            raise ScenarioError(
                f"{path}: no such multiplier; the multipliers are "
                f"{', '.join(MULTIPLIERS)} (a field of the plan needs the prefix 'plan.')"
            )
        return cls(path, "scenario", keys)

    @property
    def error(self) -> type:
        return PlanError if self.target == "plan" else ScenarioError

    def current(self, spec: Mapping[str, Any]) -> Any:
        """The value in ``spec`` (1.0 for a multiplier; None when the field is unset)."""
        if self.target == "multiplier":
            return 1.0
        node: Any = spec
        for k in self.keys:
            if isinstance(node, Mapping) and isinstance(k, str):
                node = node.get(k)
            elif isinstance(node, list) and isinstance(k, int) and k < len(node):
                node = node[k]
            else:
                return None
        return node

    def set(self, spec: dict[str, Any], value: Any, where: str) -> None:
        """Write ``value`` at the path into ``spec`` (a plan or scenario dict)."""
        if self.target == "multiplier":
            _scale(spec, self.keys[0], value, self)
            return
        node: Any = spec
        walked = "plan" if self.target == "plan" else ""
        for i, k in enumerate(self.keys):
            last = i == len(self.keys) - 1
            if isinstance(node, dict) and isinstance(k, str):
                if last:
                    node[k] = value
                elif not isinstance(node.get(k), (dict, list)):
                    if node.get(k) is not None:
                        raise self.error(
                            f"{where}{self.path}: {walked}.{k} is a value, not a section"
                        )
                    node[k] = {}
            elif isinstance(node, list) and isinstance(k, int):
                if k >= len(node):
                    raise self.error(
                        f"{where}{self.path}: {walked} has {len(node)} entries, no index {k}"
                    )
                if last:
                    node[k] = value
            else:
                kind = "a list" if isinstance(node, list) else "not a section"
                raise self.error(
                    f"{where}{self.path}: {walked or 'the top level'} is {kind}; "
                    f"{k!r} does not index it"
                )
            if not last:
                node = node[k]
            walked = f"{walked}[{k}]" if isinstance(k, int) else f"{walked}.{k}".lstrip(".")


def _times(v: Any, f: float) -> Any:
    return [x * f for x in v] if isinstance(v, list) else v * f


def _scale(spec: dict[str, Any], section: str, f: Any, p: Parameter) -> None:
    """Multiply the tables of ``section`` by ``f`` (see :data:`MULTIPLIERS`)."""
    if isinstance(f, bool) or not isinstance(f, (int, float)) or not math.isfinite(f) or f < 0:
        raise ScenarioError(f"{p.path}: {f!r} is not a multiplier (a number >= 0)")
    s = spec.get(section) or {}
    spec[section] = s
    if section == "recruitment":
        if s.get("prospecting"):
            s["prospecting"]["contacts"] = _times(s["prospecting"]["contacts"], f)
        else:
            s["rate"] = _times(s.get("rate") if s.get("rate") is not None else 0.1, f)
        market = spec.get("market") or {}
        if market.get("model") == "bass":
            for k in ("innovation", "imitation"):
                if market.get(k) is not None:
                    market[k] = market[k] * f
    elif section == "attrition":
        w = s.get("weibull")
        if w:
            if f == 0:
                raise ScenarioError(
                    f"{p.path}: 0 would stop quitting under a Weibull curve; "
                    "use a positive multiplier"
                )
            w["scale"] = w["scale"] * f ** (-1.0 / w["shape"])
        else:
            s["monthly_quit"] = _times(_or_default(s, "monthly_quit"), f)
    elif section == "customers":
        s["acquisition_rate"] = _times(_or_default(s, "acquisition_rate"), f)
    else:
        s["per_month"] = _times(_or_default(s, "per_month"), f)


def _or_default(section: Mapping[str, Any], key: str) -> Any:
    v = section.get(key)
    return _TABLE_DEFAULTS[key] if v is None else v


# --------------------------------------------------------------------------------------
# points


def _check_value(path: str, v: Any) -> None:
    ok = isinstance(v, (bool, int, str)) or (isinstance(v, float) and math.isfinite(v))
    if not ok:
        raise ValueError(f"grid[{path!r}]: {v!r} is not a number, text or true/false")


def grid_points(
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The parameter paths and the points of a grid: every combination of a dict of lists
    (the first parameter varies slowest), or a list of dicts taken as given."""
    if isinstance(grid, Mapping):
        paths = list(grid)
        values = []
        for p in paths:
            vs = grid[p]
            if isinstance(vs, (str, bytes)) or not isinstance(vs, Iterable):
                raise TypeError(f"grid[{p!r}]: give a list of values, e.g. [0.5, 1, 1.5]")
            vs = list(vs)
            if not vs:
                raise ValueError(f"grid[{p!r}]: no values")
            for v in vs:
                _check_value(p, v)
            values.append(vs)
        return paths, list(itertools.product(*values))
    rows = list(grid)
    if not rows or not all(isinstance(r, Mapping) for r in rows):
        raise ValueError(
            "grid: give a dict of lists ({'recruitment.scale': [0.5, 1]}) or "
            "a non-empty list of dicts, one per point"
        )
    paths = list(rows[0])
    for i, r in enumerate(rows):
        if list(r) != paths:
            raise ValueError(f"grid[{i}]: sets {list(r)}, but the first point sets {paths}")
        for p in paths:
            _check_value(p, r[p])
    return paths, [tuple(r[p] for p in paths) for r in rows]


@dataclass
class _Space:
    """The base plans and scenario, and the parameters that vary over them."""

    plans: list[Plan]
    labels: list[str]
    scenario: Scenario
    params: list[Parameter]

    def build(self, values: Sequence[Any]) -> tuple[list[Plan], Scenario]:
        """The plans and scenario of one point, validated."""
        setting = list(zip(self.params, values))
        scen = self.scenario
        on_scen = [(p, v) for p, v in setting if p.target != "plan"]
        if on_scen:
            spec = self.scenario.to_dict()
            for p, v in sorted(on_scen, key=lambda pv: pv[0].target == "multiplier"):
                p.set(spec, v, "")
            scen = _validated(Scenario.from_dict, spec, ScenarioError, setting)
        on_plan = [(p, v) for p, v in setting if p.target == "plan"]
        if not on_plan:
            return self.plans, scen
        plans = []
        for plan, label in zip(self.plans, self.labels):
            spec = plan.to_dict()
            for p, v in on_plan:
                p.set(spec, v, f"plan {label!r}: ")
            plans.append(_validated(Plan.from_dict, spec, PlanError, setting))
        return plans, scen


def _validated(
    make: Callable[[dict[str, Any]], Any],
    spec: dict[str, Any],
    error: type,
    setting: Sequence[tuple[Parameter, Any]],
) -> Any:
    try:
        return make(spec)
    except error as e:
        point = ", ".join(f"{p.path} = {v!r}" for p, v in setting)
        raise error(f"{e} (at the point {point})") from None


def _plans_and_labels(plans: Any) -> tuple[list[Plan], list[str]]:
    if isinstance(plans, Plan):
        return [plans], [plans.name]
    if isinstance(plans, Mapping):
        items = list(plans.items())
    else:
        items = [(None, p) for p in plans]
    if not items or not all(isinstance(p, Plan) for _, p in items):
        raise TypeError("plans: give a downline.Plan, a list of them or a dict label → Plan")
    labels: list[str] = []
    for label, p in items:
        name = str(label) if label is not None else p.name
        k = 2
        base = name
        while name in labels:
            name, k = f"{base} ({k})", k + 1
        labels.append(name)
    return [p for _, p in items], labels


# --------------------------------------------------------------------------------------
# the figures of each run


def run_metrics(runs: pl.DataFrame, monthly: pl.DataFrame) -> pl.DataFrame:
    """One row per run: ``run`` and :data:`SWEEP_METRICS` (those the core provides)."""
    out = runs
    if "share_earning_nothing" in out.columns:
        out = out.with_columns(share_paid_nothing=pl.col("share_earning_nothing"))
    if {"payout_if_all_qualified", "breakage"} <= set(monthly.columns):
        # Decimal sums are exact whatever the order of the rows, so the figure of a run
        # does not depend on how its runs were chunked; one division at the end.
        b = monthly.group_by("run").agg(
            pl.col("breakage").sum().alias("_b"),
            pl.col("payout_if_all_qualified").sum().alias("_p"),
        )
        b = b.select(
            "run",
            (pl.col("_b").cast(_F) / pl.col("_p").cast(_F)).fill_nan(None).alias("breakage_share"),
        )
        out = out.join(b, on="run", how="left")
    return out.select(["run", *[m for m in SWEEP_METRICS if m in out.columns]])


def _sweep_chunk(
    plan: Plan,
    scenario: Scenario,
    months: int,
    seed: int,
    start: int,
    stop: int,
    distributors: bool,
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Runs ``[start, stop)`` of one point on a worker: their figures, and their
    per-distributor rows only when asked."""
    from downline.cluster import simulate_runs

    t = simulate_runs(
        plan, scenario, months, seed, start, stop, keep_distributors=None if distributors else 0
    )
    return run_metrics(t["runs"], t["monthly"]), (t["distributors"] if distributors else None)


# --------------------------------------------------------------------------------------
# the result


@dataclass
class SweepResult:
    """What a sweep found.

    - ``points``: one row per (point, plan): ``point``, ``plan``, the parameters, ``runs``,
      then for each of :data:`SWEEP_METRICS` its ``_mean``, ``_p05``, ``_p50`` and ``_p95``
      over the runs (floats; money in the plan's currency, shares as fractions);
    - ``runs``: one row per (point, plan, run) with the figures of that run (money as exact
      decimals, as in ``SimulationResult.runs``).
    """

    points: pl.DataFrame
    runs: pl.DataFrame
    parameters: list[str]
    plans: list[str]
    months: int
    n_runs: int
    seed: int
    out: Path | None = None
    metrics: list[str] = field(default_factory=list)

    def column(self, metric: str, stat: str = "mean") -> str:
        """The ``points`` column of a metric and statistic (``mean``, ``p05``, ``p50``,
        ``p95``)."""
        if metric not in self.metrics:
            raise ValueError(f"metric {metric!r}: the sweep has {', '.join(self.metrics)}")
        if stat not in _STATS:
            raise ValueError(f"stat {stat!r}: use one of {', '.join(_STATS)}")
        return f"{metric}_{stat}"

    def distributors(self) -> pl.LazyFrame:
        """The per-distributor rows written with ``distributors=True`` and ``out=DIR``: a
        lazy scan of ``DIR/distributors/*.parquet`` (columns ``point``, ``plan``, then those
        of ``SimulationResult.distributors``)."""
        d = None if self.out is None else self.out / "distributors"
        if d is None or not d.is_dir():
            raise ValueError("no per-distributor rows: sweep with distributors=True and out=DIR")
        return pl.scan_parquet(d / "*.parquet")

    def html(self, metric: str = "payout_ratio", sensitivity: Any = None) -> str:
        """An HTML section: a heatmap of ``metric``, the tornado of ``sensitivity`` if
        given, and the table of the points."""
        return _section_html(self, metric, sensitivity)

    def write_report(
        self, path: str | Path, metric: str = "payout_ratio", sensitivity: Any = None
    ) -> Path:
        """Write a self-contained HTML page with :meth:`html` (figures inline)."""
        p = Path(path)
        page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>downline sweep"
            f"</title><style>{_CSS}</style></head><body>{self.html(metric, sensitivity)}"
            "</body></html>\n"
        )
        tmp = p.with_name(f".{p.name}.part")
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(p)
        return p

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return (
            f"<downline.SweepResult {self.points.height} points × {self.n_runs} runs × "
            f"{self.months} months, seed {self.seed}; parameters {self.parameters}>"
        )


def _points_table(runs: pl.DataFrame, keys: list[str], metrics: list[str]) -> pl.DataFrame:
    aggs: list[pl.Expr] = [pl.len().alias("runs")]
    for m in metrics:
        c = pl.col(m).cast(_F)
        aggs += [
            c.mean().alias(f"{m}_mean"),
            c.quantile(0.05, "linear").alias(f"{m}_p05"),
            c.quantile(0.5, "linear").alias(f"{m}_p50"),
            c.quantile(0.95, "linear").alias(f"{m}_p95"),
        ]
    return runs.group_by(keys, maintain_order=True).agg(aggs)


def _result(
    parts: dict[tuple[int, int], pl.DataFrame],
    params: list[str],
    labels: list[str],
    months: int,
    runs: int,
    seed: int,
    out: Path | None,
) -> SweepResult:
    table = pl.concat([parts[k] for k in sorted(parts)], how="vertical_relaxed")
    metrics = [m for m in SWEEP_METRICS if m in table.columns]
    points = _points_table(table, ["point", "plan", *params], metrics)
    return SweepResult(
        points=points,
        runs=table,
        parameters=params,
        plans=labels,
        months=months,
        n_runs=runs,
        seed=seed,
        out=out,
        metrics=metrics,
    )


# --------------------------------------------------------------------------------------
# the output directory


class _Store:
    """Where finished points go: memory, and ``DIR`` when given (resumable)."""

    def __init__(
        self,
        out: Path | None,
        spec: dict[str, Any],
        point_values: list[tuple],
        params: list[str],
        labels: list[str],
    ) -> None:
        self.out, self.params, self.labels = out, params, labels
        self.values = point_values
        self.dtypes = [_dtype([v[k] for v in point_values]) for k in range(len(params))]
        self.parts: dict[tuple[int, int], pl.DataFrame] = {}
        if out is not None:
            self._open(out, spec)

    def _open(self, out: Path, spec: dict[str, Any]) -> None:
        text = json.dumps(spec, sort_keys=True, indent=1)
        meta = out / "sweep.json"
        if meta.is_file():
            old = json.loads(meta.read_text(encoding="utf-8"))
            if old != json.loads(text):
                diff = [k for k in sorted(set(old) | set(spec)) if old.get(k) != spec.get(k)]
                raise ValueError(
                    f"{out} holds another sweep ({', '.join(diff)} differ); "
                    "give another out= directory to start a new one"
                )
        (out / "runs").mkdir(parents=True, exist_ok=True)
        if not meta.is_file():
            tmp = out / ".sweep.json.part"
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(meta)
        for i in range(len(self.values)):
            for j in range(len(self.labels)):
                f = self._file("runs", i, j)
                if f.is_file():
                    self.parts[(i, j)] = pl.read_parquet(f)

    def _file(self, kind: str, point: int, plan: int) -> Path:
        assert self.out is not None
        return self.out / kind / f"point-{point:05d}.plan-{plan}.parquet"

    def _label(self, df: pl.DataFrame, point: int, plan: int) -> pl.DataFrame:
        cols = [
            pl.lit(point, dtype=pl.UInt32).alias("point"),
            pl.lit(self.labels[plan]).alias("plan"),
        ]
        cols += [
            pl.lit(v, dtype=t).alias(p)
            for p, v, t in zip(self.params, self.values[point], self.dtypes)
        ]
        return df.select([*cols, pl.all()])

    def save(
        self, point: int, plan: int, metrics: pl.DataFrame, distributors: pl.DataFrame | None
    ) -> None:
        """Keep a finished point; on disk, its distributors first, then its figures (whose
        file marks the point done)."""
        rows = self._label(metrics, point, plan)
        if self.out is not None:
            if distributors is not None:
                (self.out / "distributors").mkdir(exist_ok=True)
                _atomic_parquet(
                    self._label(distributors, point, plan), self._file("distributors", point, plan)
                )
            _atomic_parquet(rows, self._file("runs", point, plan))
        self.parts[(point, plan)] = rows


def _dtype(values: Sequence[Any]) -> pl.DataType:
    """One column type for a parameter's values: whole numbers stay whole."""
    if all(isinstance(v, bool) for v in values):
        return pl.Boolean()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pl.Int64()
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return pl.Float64()
    return pl.String()


def _spec(
    space: _Space,
    params: list[str],
    values: list[tuple],
    months: int,
    runs: int,
    seed: int,
    distributors: bool,
) -> dict[str, Any]:
    return {
        "format": _FORMAT,
        "plans": [{"label": lab, "plan": p.to_dict()} for p, lab in zip(space.plans, space.labels)],
        "scenario": space.scenario.to_dict(),
        "parameters": params,
        "points": [list(v) for v in values],
        "months": months,
        "runs": runs,
        "seed": seed,
        "distributors": distributors,
    }


def load_sweep(directory: str | Path) -> SweepResult:
    """Read the points finished so far in a sweep's ``out`` directory."""
    d = Path(directory)
    meta = d / "sweep.json"
    if not meta.is_file():
        raise ValueError(f"{d}: no sweep.json; it is not a sweep's out= directory")
    spec = json.loads(meta.read_text(encoding="utf-8"))
    files = sorted((d / "runs").glob("point-*.parquet"))
    if not files:
        raise ValueError(f"{d}: no finished point yet")
    parts = {}
    for f in files:
        m = re.fullmatch(r"point-(\d+)\.plan-(\d+)\.parquet", f.name)
        if m:
            parts[(int(m.group(1)), int(m.group(2)))] = pl.read_parquet(f)
    labels = [p["label"] for p in spec["plans"]]
    return _result(parts, spec["parameters"], labels, spec["months"], spec["runs"], spec["seed"], d)


# --------------------------------------------------------------------------------------
# running


def _check_args(months: int, runs: int, seed: int) -> None:
    for name, value, low, high in (("months", months, 1, 600), ("runs", runs, 1, 10**9)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name} = {value!r}: use a whole number from {low} to {high}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        raise ValueError(f"seed = {seed!r}: use a whole number from 0 to 2**64 - 1")


def sweep(
    plans: Plan | Sequence[Plan] | Mapping[str, Plan],
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    months: int = 36,
    runs: int = 50,
    seed: int = DEFAULT_SEED,
    client: Any = None,
    *,
    out: str | Path | None = None,
    distributors: bool = False,
    threads: int | None = None,
    chunk_runs: int | None = None,
    progress: bool | Callable[[int, int], Any] | None = True,
) -> SweepResult:
    """Simulate ``plans`` under ``scenario`` at every point of ``grid``, with the same
    ``seed`` at every point (common random numbers), and return a :class:`SweepResult`.

    ``grid``: ``{path: [values]}`` (every combination; the first path varies slowest) or a
    list of ``{path: value}`` dicts, one per point. Paths are described in the module doc:
    scenario fields, ``plan.``-prefixed plan fields, and the multipliers in
    :data:`MULTIPLIERS`. Several plans (a list, or a dict label → plan) are each simulated
    at every point on the same people.

    ``out=DIR`` keeps every finished point in ``DIR`` (``runs/point-NNNNN.plan-J.parquet``,
    written whole) and resumes a sweep found there (the same plans, scenario, grid, months,
    runs and seed; otherwise ``ValueError``). ``distributors=True`` also writes each point's
    per-distributor rows to ``DIR/distributors/`` (never gathered in memory).

    ``client``: a ``dask.distributed.Client``; each point's runs are split into tasks of
    ``chunk_runs`` runs (default: one task per point, split until there are about four tasks
    per worker thread); the result is identical to ``client=None``. Without a client each
    point is one ``simulate`` call on ``threads`` threads (``None``: all cores).
    ``progress``: a tqdm bar over the whole sweep (``True``), off, or ``f(done, total)`` in
    run-months. Ctrl-C stops the sweep (cancelling queued tasks) and raises
    ``KeyboardInterrupt``; the points written to ``out`` stay.
    """
    _check_args(months, runs, seed)
    if not isinstance(scenario, Scenario):
        raise TypeError("scenario must be a downline.Scenario (use Scenario.load or from_dict)")
    plan_list, labels = _plans_and_labels(plans)
    paths, values = grid_points(grid)
    params = [Parameter.parse(p) for p in paths]
    space = _Space(plan_list, labels, scenario, params)
    if distributors and out is None:
        raise ValueError(
            "distributors=True needs out=DIR: per-distributor rows of a sweep are "
            "written to disk, one file per point, never gathered in memory"
        )
    built = [space.build(v) for v in values]  # every point validated before anything runs
    out_dir = Path(out) if out is not None else None
    store = _Store(
        out_dir,
        _spec(space, paths, values, months, runs, seed, distributors),
        values,
        paths,
        labels,
    )
    todo = [
        (i, j) for i in range(len(values)) for j in range(len(labels)) if (i, j) not in store.parts
    ]
    cb, bar = _progress_callback(progress)
    if bar is not None:
        bar.set_description("sweep")
        bar.unit = "run-month"
    total = len(todo) * runs * months
    try:
        if client is None:
            _run_local(built, todo, store, months, runs, seed, threads, distributors, cb, total)
        else:
            _run_on_client(
                client,
                built,
                todo,
                store,
                months,
                runs,
                seed,
                distributors,
                chunk_runs,
                len(values) * len(labels),
                cb,
                total,
            )
    except KeyboardInterrupt:
        if out_dir is not None:
            print(
                f"sweep stopped: {len(store.parts)} of {len(values) * len(labels)} points "
                f"are in {out_dir}; run it again with out={str(out_dir)!r} to go on",
                file=sys.stderr,
            )
        raise
    finally:
        if bar is not None:
            bar.close()
    res = _result(store.parts, paths, labels, months, runs, seed, out_dir)
    if out_dir is not None:
        _atomic_parquet(res.points, out_dir / "points.parquet")
    return res


def _run_local(
    built: list,
    todo: list[tuple[int, int]],
    store: _Store,
    months: int,
    runs: int,
    seed: int,
    threads: int | None,
    distributors: bool,
    cb: Callable[[int, int], Any] | None,
    total: int,
) -> None:
    base = 0
    for i, j in todo:
        plans, scen = built[i]

        def step(done: int, _total: int, base: int = base) -> None:
            if cb is not None:
                cb(base + done, total)

        res = simulate(
            plans[j],
            scen,
            months=months,
            runs=runs,
            seed=seed,
            threads=threads,
            keep_distributors=distributors,
            progress=step if cb else None,
        )
        store.save(
            i, j, run_metrics(res.runs, res.monthly), res.distributors if distributors else None
        )
        base += runs * months


def _run_on_client(
    client: Any,
    built: list,
    todo: list[tuple[int, int]],
    store: _Store,
    months: int,
    runs: int,
    seed: int,
    distributors: bool,
    chunk_runs: int | None,
    groups: int,
    cb: Callable[[int, int], Any] | None,
    total: int,
) -> None:
    from downline import cluster

    cluster.check_chunk(chunk_runs)
    chunk = chunk_runs or cluster.auto_chunk(runs, groups, cluster.client_threads(client))
    ranges = cluster.chunk_ranges(runs, chunk)
    futures, where = [], {}
    for i, j in todo:
        plans, scen = built[i]
        for c, (a, b) in enumerate(ranges):
            f = client.submit(
                _sweep_chunk, plans[j], scen, months, seed, a, b, distributors, pure=False
            )
            futures.append(f)
            where[f.key] = (i, j, c)
    pending: dict[tuple[int, int], dict[int, tuple]] = {}
    done = 0
    try:
        for f in cluster.as_completed(client, futures):
            i, j, c = where[f.key]
            got = pending.setdefault((i, j), {})
            got[c] = f.result()
            f.release()
            a, b = ranges[c]
            done += (b - a) * months
            if cb is not None:
                cb(done, total)
            if len(got) == len(ranges):
                del pending[(i, j)]
                metrics = pl.concat([got[k][0] for k in range(len(ranges))])
                dist = pl.concat([got[k][1] for k in range(len(ranges))]) if distributors else None
                store.save(i, j, metrics, dist)
    except BaseException:
        cluster.cancel(client, futures)
        raise


# --------------------------------------------------------------------------------------
# HTML


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}"
    "table.dl-sweep{border-collapse:collapse;font-size:0.85em}"
    "table.dl-sweep td,table.dl-sweep th{border-bottom:1px solid #ddd;padding:2px 8px;"
    "text-align:right}figure{margin:1em 0}"
)


def _fmt(v: Any, metric: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, float) and (
        metric.startswith("share") or metric.endswith(("ratio", "_share"))
    ):
        return f"{100 * v:.1f}%"
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"
    return html.escape(str(v))


def _section_html(sw: SweepResult, metric: str, sens: Any) -> str:
    from downline import plot
    from downline.report import svg

    parts = [
        (
            f"<section class='dl-sweep'><h2>What if: {sw.points.height} points × "
            f"{sw.n_runs} runs × {sw.months} months (seed {sw.seed})</h2>"
        ),
        (
            "<p>Every point is simulated with the same seed, so the points differ only by "
            "their parameters (common random numbers).</p>"
        ),
    ]
    if metric in sw.metrics and 1 <= len(sw.parameters) <= 2:
        for label in sw.plans:
            fig = plot.heatmap(sw, metric, plan=label if len(sw.plans) > 1 else None)
            parts.append(f"<figure>{svg(fig)}</figure>")
    if sens is not None and metric in set(sens.table["metric"].to_list()):
        parts.append(f"<figure>{svg(plot.tornado(sens, metric))}</figure>")
    shown = ["payout_ratio", "share_paid_nothing", "share_net_loss", "top1_share", "ever_joined"]
    cols = [c for c in ("plan", *sw.parameters) if c in sw.points.columns]
    heads = cols + [f"{m} (mean [p05, p95])" for m in shown if m in sw.metrics]
    rows = []
    for r in sw.points.iter_rows(named=True):
        cells = [html.escape(str(r[c])) for c in cols]
        cells += [
            f"{_fmt(r[m + '_mean'], m)} [{_fmt(r[m + '_p05'], m)}, {_fmt(r[m + '_p95'], m)}]"
            for m in shown
            if m in sw.metrics
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    parts.append(
        "<table class='dl-sweep'><thead><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in heads)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section>"
    )
    return "".join(parts)
