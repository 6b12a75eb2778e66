"""Which assumption matters most: one-at-a-time swings and Sobol indices over a sweep.

Both methods simulate their points with :func:`downline.sweep` — the same seed at every
point (common random numbers), so the figure of a point is a smooth, repeatable function of
its parameters and the differences between points are the parameters', not chance.

- ``method="oat"`` moves each parameter to its low and its high bound with the others at
  their base value (the scenario's own value, or 1 for a multiplier; the middle of the
  bounds when that lies outside them): ``1 + 2·D`` points. ``swing = high − low`` comes
  with the 95% interval of the paired difference over the runs.
- ``method="sobol"`` samples the box of bounds with SALib's Sobol sequence (Saltelli's
  scheme, ``n·(D + 2)`` points) and estimates first-order (``S1``) and total (``ST``) Sobol
  indices with SALib's analyser, with its bootstrap intervals. ``docs/whatif.md`` says how
  many points and runs a stable estimate needs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from downline import analytics
from downline.api import DEFAULT_SEED, Plan, PlanError, Scenario
from downline.sweep import Parameter, SweepResult, _plans_and_labels, _Space, sweep

__all__ = ["SensitivityResult", "sensitivity"]

_F = pl.Float64


@dataclass
class SensitivityResult:
    """The table of a sensitivity analysis and the sweep it was computed from.

    ``table`` (``method="oat"``): ``parameter, metric, value_low, value_base, value_high``
    (the parameter's settings), ``low, base, high`` (the metric's mean over the runs at
    each), ``swing = high − low`` and ``swing_ci_low, swing_ci_high`` (95% interval of the
    paired difference). ``method="sobol"``: ``parameter, metric, S1, S1_conf, S1_low,
    S1_high, ST, ST_conf, ST_low, ST_high`` (``conf``: half-width of SALib's bootstrap
    interval at ``conf_level``; null for a metric that does not vary).
    """

    table: pl.DataFrame
    method: str
    parameters: list[str]
    bounds: dict[str, tuple[float, float]]
    sweep: SweepResult

    def __repr__(self) -> str:
        return (
            f"<downline.SensitivityResult {self.method}: {len(self.parameters)} parameters "
            f"× {self.table['metric'].n_unique()} metrics, {self.sweep.points.height} "
            f"points × {self.sweep.n_runs} runs>"
        )

    def _repr_html_(self) -> str:
        return self.table._repr_html_()


def _bounds(params: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    if not isinstance(params, Mapping) or not params:
        raise ValueError("params: give {path: (low, high)}, e.g. {'recruitment.scale': (0.5, 1.5)}")
    out = {}
    for path, b in params.items():
        ok = (
            isinstance(b, Sequence)
            and not isinstance(b, str)
            and len(b) == 2
            and all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                for x in b
            )
        )
        if not ok:
            raise ValueError(f"params[{path!r}]: {b!r} is not two finite numbers (low, high)")
        if not b[0] < b[1]:
            raise ValueError(
                f"params[{path!r}]: ({b[0]}, {b[1]}) is empty or reversed; "
                "give (low, high) with low < high"
            )
        out[path] = (b[0], b[1])
    return out


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def _base_value(p: Parameter, space: _Space, low: float, high: float) -> float:
    if p.target == "plan":
        v = _number(p.current(space.plans[0].to_dict()))
    else:
        v = _number(p.current(space.scenario.to_dict()))
    return v if v is not None and low <= v <= high else (low + high) / 2


def _whole(p: Parameter, space: _Space) -> bool:
    """Whether the field holds whole numbers (as ``market.founders`` does)."""
    spec = space.plans[0].to_dict() if p.target == "plan" else space.scenario.to_dict()
    v = p.current(spec)
    return isinstance(v, int) and not isinstance(v, bool)


def _places(p: Parameter, space: _Space, x: float) -> int | None:
    """For a plan field: the decimals it accepts (the plan keeps money and rates exact)."""
    if p.target != "plan":
        return None
    for d in (6, 4, 2, 0):
        try:
            _Space(space.plans, space.labels, space.scenario, [p]).build([round(x, d)])
            return d
        except PlanError as e:
            if "decimal places" not in str(e):
                return d
    return 0


def _settle(values: list[float], p: Parameter, space: _Space) -> list[Any]:
    """Sampled numbers as the field takes them: whole, or rounded to the plan's decimals."""
    if _whole(p, space):
        return [round(v) for v in values]
    d = _places(p, space, values[0]) if values else None
    if d is None:
        return [float(v) for v in values]
    return [round(v, d) if d else float(round(v)) for v in values]


def sensitivity(
    plans: Plan | Sequence[Plan],
    scenario: Scenario,
    params: Mapping[str, tuple[float, float]],
    method: str = "oat",
    months: int = 36,
    runs: int = 20,
    seed: int = DEFAULT_SEED,
    client: Any = None,
    *,
    n: int = 64,
    metrics: Sequence[str] | None = None,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    out: str | Path | None = None,
    threads: int | None = None,
    chunk_runs: int | None = None,
    progress: bool | Callable[[int, int], Any] | None = True,
) -> SensitivityResult:
    """How much each parameter in ``params`` (``{path: (low, high)}``, paths as in
    :func:`downline.sweep`) moves each headline figure, by ``method="oat"`` (one at a time)
    or ``"sobol"`` (variance-based, SALib; ``n`` base samples, a power of 2, give
    ``n·(D + 2)`` points). Every point runs ``runs`` runs of ``months`` months with ``seed``;
    ``client``, ``out``, ``threads``, ``chunk_runs`` and ``progress`` are :func:`sweep`'s.
    One plan (a list of one is accepted)."""
    plan_list, labels = _plans_and_labels(plans)
    if len(plan_list) != 1:
        raise ValueError("sensitivity: give one plan (compare plans with dl.sweep)")
    bounds = _bounds(params)
    ps = [Parameter.parse(path) for path in bounds]
    space = _Space(plan_list, labels, scenario, ps)
    common = {
        "months": months,
        "runs": runs,
        "seed": seed,
        "client": client,
        "out": out,
        "threads": threads,
        "chunk_runs": chunk_runs,
        "progress": progress,
    }
    if method == "oat":
        return _oat(plan_list[0], scenario, space, ps, bounds, metrics, common)
    if method == "sobol":
        return _sobol(
            plan_list[0],
            scenario,
            space,
            ps,
            bounds,
            metrics,
            n,
            conf_level,
            num_resamples,
            seed,
            common,
        )
    raise ValueError(f"method = {method!r}: use 'oat' or 'sobol'")


def _metrics(sw: SweepResult, metrics: Sequence[str] | None) -> list[str]:
    if metrics is None:
        return [m for m in sw.metrics if m != "share_earning_nothing"]
    bad = [m for m in metrics if m not in sw.metrics]
    if bad:
        raise ValueError(f"metrics {bad}: the sweep has {', '.join(sw.metrics)}")
    return list(metrics)


def _oat(
    plan: Plan,
    scenario: Scenario,
    space: _Space,
    ps: list[Parameter],
    bounds: dict[str, tuple[float, float]],
    metrics: Sequence[str] | None,
    common: dict[str, Any],
) -> SensitivityResult:
    base = {}
    lows, highs = {}, {}
    for p in ps:
        lo, hi = bounds[p.path]
        b = _base_value(p, space, lo, hi)
        lows[p.path], base[p.path], highs[p.path] = _settle([lo, b, hi], p, space)
    points = [dict(base)]
    for p in ps:
        points += [{**base, p.path: lows[p.path]}, {**base, p.path: highs[p.path]}]
    sw = sweep(plan, scenario, points, **common)
    ms = _metrics(sw, metrics)
    runs = sw.runs.sort(["point", "run"])
    per_point = {i: runs.filter(pl.col("point") == i) for i in range(len(points))}
    rows = []
    for k, p in enumerate(ps):
        at_base, at_low, at_high = per_point[0], per_point[1 + 2 * k], per_point[2 + 2 * k]
        for m in ms:
            d = analytics.paired_difference(at_low[m].cast(_F), at_high[m].cast(_F))
            rows.append(
                {
                    "parameter": p.path,
                    "metric": m,
                    "value_low": float(lows[p.path]),
                    "value_base": float(base[p.path]),
                    "value_high": float(highs[p.path]),
                    "low": at_low[m].cast(_F).mean(),
                    "base": at_base[m].cast(_F).mean(),
                    "high": at_high[m].cast(_F).mean(),
                    "swing": d["mean"],
                    "swing_ci_low": d["low"],
                    "swing_ci_high": d["high"],
                }
            )
    schema = {
        "parameter": pl.String,
        "metric": pl.String,
        **{
            c: _F
            for c in (
                "value_low",
                "value_base",
                "value_high",
                "low",
                "base",
                "high",
                "swing",
                "swing_ci_low",
                "swing_ci_high",
            )
        },
    }
    return SensitivityResult(
        pl.DataFrame(rows, schema=schema), "oat", [p.path for p in ps], bounds, sw
    )


def _sobol(
    plan: Plan,
    scenario: Scenario,
    space: _Space,
    ps: list[Parameter],
    bounds: dict[str, tuple[float, float]],
    metrics: Sequence[str] | None,
    n: int,
    conf_level: float,
    num_resamples: int,
    seed: int,
    common: dict[str, Any],
) -> SensitivityResult:
    try:
        import numpy as np
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import sobol as sobol_sample
    except ImportError:
        raise ImportError(
            "method='sobol' needs SALib: pip install 'downline[sensitivity]'"
        ) from None
    if isinstance(n, bool) or not isinstance(n, int) or n < 2 or n & (n - 1):
        raise ValueError(f"n = {n!r}: use a power of 2 (e.g. 64, 128, 256) base samples")
    problem = {
        "num_vars": len(ps),
        "names": [p.path for p in ps],
        "bounds": [list(bounds[p.path]) for p in ps],
    }
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed % 2**32)
    columns = [_settle(x[:, k].tolist(), p, space) for k, p in enumerate(ps)]
    points = [{p.path: columns[k][i] for k, p in enumerate(ps)} for i in range(len(x))]
    sw = sweep(plan, scenario, points, **common)
    ms = _metrics(sw, metrics)
    means = sw.points.sort("point")
    rows = []
    for m in ms:
        y = means[f"{m}_mean"].cast(_F).fill_null(float("nan")).to_numpy()
        si = None
        if np.all(np.isfinite(y)) and float(np.var(y)) > 0:
            si = sobol_analyze.analyze(
                problem,
                y,
                calc_second_order=False,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=seed % 2**32,
            )
        for k, p in enumerate(ps):
            row: dict[str, Any] = {"parameter": p.path, "metric": m}
            for s in ("S1", "ST"):
                v = None if si is None else float(si[s][k])
                c = None if si is None else float(si[f"{s}_conf"][k])
                row.update(
                    {
                        s: v,
                        f"{s}_conf": c,
                        f"{s}_low": None if v is None else v - c,
                        f"{s}_high": None if v is None else v + c,
                    }
                )
            rows.append(row)
    schema = {
        "parameter": pl.String,
        "metric": pl.String,
        **{f"{s}{suffix}": _F for s in ("S1", "ST") for suffix in ("", "_conf", "_low", "_high")},
    }
    return SensitivityResult(
        pl.DataFrame(rows, schema=schema), "sobol", [p.path for p in ps], bounds, sw
    )
