"""Fit scenario parameters to a company's observed history, by simulation.

:func:`calibrate` takes what a company knows about its own people — monthly joins and
participants, and/or the retention of its cohorts — and finds the values of chosen scenario
parameters under which the simulation reproduces it. Every candidate is simulated with the
**same seed and runs** (common random numbers), so the difference between two candidates is
the parameters', not chance, and the objective is close to smooth in the parameters. The
search is a bounded Nelder–Mead simplex in pure Python.

The objective, the transformation of bounds and the tolerance the tests show are described
in ``docs/calibration.md``.
"""

from __future__ import annotations

import copy
import html
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from downline.api import Plan, Scenario, ScenarioError, SimulationResult, simulate

__all__ = ["CalibrationResult", "calibrate"]

#: The monthly series that can be fitted (columns of ``res.monthly``), besides retention.
MONTHLY_TARGETS = (
    "joined",
    "active",
    "quit",
    "qualified",
    "volume",
    "retail_volume",
    "volume_value",
    "payout",
    "retail_profit",
)

#: The search stops when the simplex spans less than this share of every parameter's bounds.
XTOL = 2e-3

#: Name of the retention target (a table given as ``retention=``).
RETENTION = "retention"

_F = pl.Float64


# --------------------------------------------------------------------------------------
# parameters: dotted paths into the scenario dict


@dataclass(frozen=True)
class _Param:
    path: str
    keys: tuple[str | int, ...]
    low: float
    high: float
    kind: str  # "value" (the number itself) or "multiplier" (of a table by tenure)
    base: Any  # the value in the starting scenario (a number, a list, or None)
    integer: bool  # the value is a whole number (e.g. market.founders): candidates rounded

    def start(self) -> float:
        """The starting point: the current value (1 for a multiplier), moved inside the
        bounds; the middle of the bounds when the scenario has no value."""
        if self.kind == "multiplier":
            x = 1.0
        elif self.base is None:
            x = 0.5 * (self.low + self.high)
        else:
            x = float(self.base)
        w = self.high - self.low
        return min(max(x, self.low + 0.02 * w), self.high - 0.02 * w)

    def value(self, x: float) -> Any:
        """What goes into the scenario dict for the fitted number ``x``."""
        if self.kind == "multiplier":
            return [float(v) * x for v in self.base]
        if self.integer:
            return round(x)
        return float(x)


def _split_path(path: str) -> tuple[str | int, ...]:
    keys: list[str | int] = []
    for part in path.split("."):
        if part == "":
            raise ValueError(f"params: {path!r} is not a dotted path such as 'recruitment.rate'")
        keys.append(int(part) if part.isdigit() else part)
    return tuple(keys)


def _lookup(spec: Mapping[str, Any], path: str) -> tuple[tuple[str | int, ...], Any]:
    keys = _split_path(path)
    node: Any = spec
    walked: list[str] = []
    for k in keys:
        here = ".".join(walked) or "the scenario"
        if isinstance(node, Mapping):
            if k not in node:
                known = ", ".join(sorted(str(x) for x in node)) or "none"
                raise ValueError(
                    f"params: unknown path {path!r}: {here} has no field {k!r} (fields: {known})"
                )
            node = node[k]
        elif isinstance(node, list) and isinstance(k, int):
            if k >= len(node):
                raise ValueError(
                    f"params: unknown path {path!r}: {here} has {len(node)} entries, no index {k}"
                )
            node = node[k]
        else:
            raise ValueError(f"params: unknown path {path!r}: {here} is not a section")  # noqa: TRY004
        walked.append(str(k))
    return keys, node


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _parse_params(params: Mapping[str, Any], spec: Mapping[str, Any]) -> list[_Param]:
    if not isinstance(params, Mapping) or not params:
        raise ValueError(
            "params: give the parameters to fit as a dict of dotted paths to (low, high) "
            "bounds, e.g. {'recruitment.rate': (0.01, 1.0)}"
        )
    out: list[_Param] = []
    for path, bounds in params.items():
        if not isinstance(path, str):
            raise TypeError(f"params: {path!r} is not a dotted path (a string)")
        keys, base = _lookup(spec, path)
        if (
            not isinstance(bounds, Sequence)
            or isinstance(bounds, str)
            or len(bounds) != 2
            or not all(_is_number(b) for b in bounds)
        ):
            raise ValueError(
                f"params[{path!r}]: bounds {bounds!r} must be two finite numbers (low, high)"
            )
        low, high = float(bounds[0]), float(bounds[1])
        if not low < high:
            raise ValueError(
                f"params[{path!r}]: bounds ({bounds[0]}, {bounds[1]}) are reversed or empty; "
                "give (low, high) with low < high"
            )
        if isinstance(base, list):
            if not base or not all(_is_number(v) for v in base):
                raise ValueError(f"params[{path!r}]: {path} is not a table of numbers")
            kind, integer = "multiplier", False
            if low < 0:
                raise ValueError(
                    f"params[{path!r}]: {path} is a table by tenure, fitted as a multiplier "
                    f"of the whole table; its bounds ({low}, {high}) must not be negative"
                )
        elif base is None or _is_number(base):
            kind = "value"
            integer = isinstance(base, int)
        elif isinstance(base, Mapping):
            raise ValueError(
                f"params[{path!r}]: {path} is a section, not a number; name a field in it "
                f"({', '.join(sorted(base))})"
            )
        else:
            raise ValueError(f"params[{path!r}]: {path} = {base!r} is not a number")
        out.append(_Param(path, keys, low, high, kind, copy.deepcopy(base), integer))
    paths = [p.path for p in out]
    for p in paths:
        for q in paths:
            if p != q and q.startswith(p + "."):
                raise ValueError(f"params: {p!r} and {q!r} overlap; fit one of them")
    return out


def _set(spec: dict[str, Any], keys: Sequence[str | int], value: Any) -> None:
    node: Any = spec
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value


def _base_spec(scenario: Scenario | Mapping[str, Any]) -> dict[str, Any]:
    """The scenario as a dict (every field, defaults filled in), checked."""
    if isinstance(scenario, Scenario):
        return scenario.to_dict()
    if isinstance(scenario, Mapping):
        return Scenario.from_dict(scenario).to_dict()
    raise TypeError(
        f"scenario must be a downline.Scenario or a dict, not {type(scenario).__name__}"
    )


def _scenario_at(
    base_spec: Mapping[str, Any], plist: Sequence[_Param], xs: Sequence[float]
) -> Scenario:
    """The scenario with the parameters set to ``xs`` (ScenarioError if it is invalid)."""
    spec = copy.deepcopy(dict(base_spec))
    for p, x in zip(plist, xs):
        _set(spec, p.keys, p.value(x))
    return Scenario.from_dict(spec)


def _check_start(base_spec: Mapping[str, Any], plist: Sequence[_Param]) -> list[float]:
    """The starting values; ValueError if they give an invalid scenario."""
    x0 = [p.start() for p in plist]
    try:
        _scenario_at(base_spec, plist, x0)
    except ScenarioError as e:
        start = {p.path: x for p, x in zip(plist, x0)}
        raise ValueError(
            f"params: the starting values {start} give an invalid scenario: {e}"
        ) from None
    return x0


# --------------------------------------------------------------------------------------
# observed data


def _whole(s: pl.Series) -> pl.Series | None:
    """``s`` as Int64, or None if it holds anything but whole numbers (a strict cast would
    truncate 1.5 to 1; a fraction is refused instead). Missing values stay missing."""
    if s.dtype == pl.Boolean:
        return None
    if s.dtype.is_float() or isinstance(s.dtype, pl.Decimal):
        given = s.drop_nulls()
        if (given != given.round()).any():
            return None
    try:
        return s.cast(pl.Int64, strict=True)
    except pl.exceptions.PolarsError:
        return None


def _observed_monthly(
    observed: pl.DataFrame | None, targets: Sequence[str]
) -> tuple[pl.DataFrame | None, list[str]]:
    """observed → (month, target…) as Float64 with the targets it has; the targets used."""
    if observed is None:
        return None, []
    if not isinstance(observed, pl.DataFrame):
        raise TypeError(
            f"observed must be a polars DataFrame (month, joined, active, …), "
            f"not {type(observed).__name__}"
        )
    if "month" not in observed.columns:
        raise ValueError(
            f"observed has no 'month' column (it has {observed.columns}); give one row per "
            "month, month 1 being the founders' month"
        )
    used = [t for t in targets if t != RETENTION and t in observed.columns]
    if not used:
        return None, []
    if observed.height == 0:
        raise ValueError("observed: the table has no rows; give one row per observed month")
    month = _whole(observed["month"])
    if month is None:
        raise ValueError("observed: 'month' must be whole numbers (1 = the founders' month)")
    if month.null_count():
        raise ValueError("observed: 'month' has missing values")
    if month.min() < 1:  # type: ignore[operator]
        raise ValueError(f"observed: month {month.min()} is before month 1 (the founders' month)")
    if month.n_unique() != month.len():
        raise ValueError(
            "observed: a month appears more than once; give one row per month "
            "(aggregate several histories first)"
        )
    cols = {"month": month}
    for t in used:
        s = observed[t]
        if not (s.dtype.is_numeric() or isinstance(s.dtype, pl.Decimal)):
            raise ValueError(f"observed: column {t!r} is {s.dtype}; give numbers")
        s = s.cast(_F).fill_nan(None)  # NaN is a missing observation, as null is
        if s.is_infinite().any():
            raise ValueError(f"observed: column {t!r} has infinite values")
        if s.null_count() == s.len():
            raise ValueError(f"observed: column {t!r} has no values (all missing or NaN); "
                             "give observations or leave the target out")
        if (s.drop_nulls() < 0).any():
            raise ValueError(f"observed: column {t!r} has negative values")
        cols[t] = s
    return pl.DataFrame(cols).sort("month"), used


def _observed_retention(retention: pl.DataFrame | None) -> pl.DataFrame | None:
    if retention is None:
        return None
    if not isinstance(retention, pl.DataFrame):
        raise TypeError(
            "retention must be a polars DataFrame with 'months' (since joining) and "
            f"'survival', not {type(retention).__name__}"
        )
    missing = [c for c in ("months", "survival") if c not in retention.columns]
    if missing:
        raise ValueError(
            f"retention has no column(s) {missing} (it has {retention.columns}); give "
            "'months' since joining and 'survival' (share still in)"
        )
    months = _whole(retention["months"])
    if months is None:
        raise ValueError("retention: 'months' must be whole numbers of months since joining")
    if not (retention["survival"].dtype.is_numeric() or retention["survival"].dtype == pl.Null
            or isinstance(retention["survival"].dtype, pl.Decimal)):
        raise ValueError(f"retention: 'survival' is {retention['survival'].dtype}; give shares "
                         "between 0 and 1")
    surv = retention["survival"].cast(_F).fill_nan(None)  # NaN: not observed
    df = pl.DataFrame({"months": months, "survival": surv}).drop_nulls()
    if df.height == 0:
        raise ValueError("retention: the table has no rows with both months and survival")
    if (df["months"] < 0).any():
        raise ValueError("retention: 'months' since joining must be 0 or more")
    if ((df["survival"] < 0) | (df["survival"] > 1)).any():
        raise ValueError("retention: 'survival' is a share between 0 and 1")
    if df["months"].n_unique() != df.height:
        raise ValueError("retention: a value of 'months' appears more than once")
    return df.sort("months")


# --------------------------------------------------------------------------------------
# simulated series and the objective


def _simulated_monthly(res: SimulationResult, targets: Sequence[str]) -> pl.DataFrame:
    m = res.monthly
    return (
        m.group_by("month")
        .agg(
            *[pl.col(t).cast(_F).mean().alias(t) for t in targets],
            *[pl.col(t).cast(_F).quantile(0.05, "linear").alias(f"{t}__p05") for t in targets],
            *[pl.col(t).cast(_F).quantile(0.95, "linear").alias(f"{t}__p95") for t in targets],
        )
        .with_columns(pl.col("month").cast(pl.Int64))
    )


def _km_by_run(res: SimulationResult) -> pl.DataFrame:
    """Kaplan–Meier survival by months since joining, pooled over the runs and per run
    (the same conventions as :func:`downline.analytics.retention`): months, survival, p05,
    p95."""
    from downline.analytics import retention as km

    t = km(res)
    return t.select(
        pl.col("months").cast(pl.Int64),
        pl.col("survival").alias("sim"),
        pl.col("run_p05").alias("p05"),
        pl.col("run_p95").alias("p95"),
    )


def _report(
    res: SimulationResult,
    obs_m: pl.DataFrame | None,
    monthly_targets: Sequence[str],
    obs_r: pl.DataFrame | None,
) -> pl.DataFrame:
    """month, target, observed, simulated, error, simulated_p05, simulated_p95.

    Counts: error = log((simulated + 1) ÷ (observed + 1)); retention: error = simulated −
    observed survival, and ``month`` is the months since joining."""
    parts = []
    schema = {
        "month": pl.Int64,
        "target": pl.String,
        "observed": _F,
        "simulated": _F,
        "error": _F,
        "simulated_p05": _F,
        "simulated_p95": _F,
    }
    if obs_m is not None and monthly_targets:
        sim = _simulated_monthly(res, monthly_targets)
        for t in monthly_targets:
            o = obs_m.select("month", pl.col(t).alias("observed")).drop_nulls()
            j = o.join(
                sim.select(
                    "month",
                    pl.col(t).alias("simulated"),
                    pl.col(f"{t}__p05").alias("simulated_p05"),
                    pl.col(f"{t}__p95").alias("simulated_p95"),
                ),
                on="month",
                how="left",
            )
            j = j.with_columns(
                target=pl.lit(t),
                error=((pl.col("simulated") + 1.0) / (pl.col("observed") + 1.0)).log(),
            )
            parts.append(j.select(list(schema)).cast(schema))  # type: ignore[arg-type]
    if obs_r is not None:
        sim = _km_by_run(res)
        j = obs_r.rename({"survival": "observed"}).join(sim, on="months", how="left")
        # beyond the last simulated tenure (nobody at risk): the last value carries on
        j = j.sort("months").with_columns(
            pl.col("sim").forward_fill(),
            pl.col("p05").forward_fill(),
            pl.col("p95").forward_fill(),
        )
        j = j.select(
            pl.col("months").alias("month"),
            target=pl.lit(RETENTION),
            observed="observed",
            simulated="sim",
            error=pl.col("sim") - pl.col("observed"),
            simulated_p05="p05",
            simulated_p95="p95",
        )
        parts.append(j.cast(schema))  # type: ignore[arg-type]
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def _objective(report: pl.DataFrame, weights: Mapping[str, float]) -> tuple[float, dict]:
    """Σ over targets of weight × mean over rows of error²; a row the simulation has no
    value for counts as an error of 1 (log scale) or 1 (survival)."""
    per = report.group_by("target").agg(
        (pl.col("error").fill_null(1.0).fill_nan(1.0) ** 2).mean().alias("e")
    )
    parts = {r["target"]: float(r["e"]) for r in per.iter_rows(named=True)}
    total = sum(weights[t] * parts.get(t, 0.0) for t in weights)
    return total, parts


# --------------------------------------------------------------------------------------
# a bounded Nelder–Mead simplex (bounds by a logit transform)


def _to_z(x: float, low: float, high: float) -> float:
    u = (x - low) / (high - low)
    u = min(max(u, 1e-9), 1 - 1e-9)
    return math.log(u / (1 - u))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _to_x(z: float, low: float, high: float) -> float:
    return low + (high - low) * _sigmoid(z)


def _nelder_mead(
    f: Callable[[list[float]], float],
    z0: list[float],
    steps: list[float],
    max_evals: int,
    ftol: float,
    xtol: float,
    stall_rel: float = 0.01,
    stall_calls: int = 3,
) -> tuple[list[float], float, int, str]:
    """Minimise f over logit coordinates z from z0, with a first simplex z0 + steps[i]·e_i.
    Standard coefficients (reflection 1, expansion 2, contraction ½, shrink ½). Stops after
    ``max_evals`` calls, or when the vertices differ by less than ``xtol`` of the bound width
    (sigmoid(z)) in every coordinate, or their values by less than ``ftol`` × (1 + best), or
    when the best value has not fallen by ``stall_rel`` (relative) in ``stall_calls`` × (n + 1)
    calls: a simplex stalled by noise, which the caller restarts.
    Returns (best z, best f, calls, why it stopped: "converged", "stalled" or "max_evals")."""
    n = len(z0)
    evals = 0

    def call(z: list[float]) -> float:
        nonlocal evals
        evals += 1
        v = f(z)
        return v if math.isfinite(v) else math.inf

    simplex = [list(z0)]
    for i in range(n):
        z = list(z0)
        z[i] += steps[i]
        simplex.append(z)
    values = []
    for z in simplex:
        if evals >= max_evals:
            break
        values.append(call(z))
    if len(values) < len(simplex):
        i = min(range(len(values)), key=values.__getitem__)
        return simplex[i], values[i], evals, "max_evals"
    why = "max_evals"
    best_seen, best_at = min(values), evals
    while evals < max_evals:
        order = sorted(range(n + 1), key=values.__getitem__)
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        spread_f = values[-1] - values[0]
        # the simplex's size as a share of each parameter's bound width
        spread_x = max(
            abs(_sigmoid(a) - _sigmoid(b)) for z in simplex[1:] for a, b in zip(z, simplex[0])
        )
        small_f = math.isfinite(spread_f) and spread_f <= ftol * (1 + abs(values[0]))
        if values[0] < best_seen * (1 - stall_rel) - ftol:
            best_seen, best_at = values[0], evals
        # stalled: no real progress for a while (a noisy objective can trap a simplex)
        if spread_x <= xtol or small_f:
            why = "converged"
            break
        if evals - best_at >= stall_calls * (n + 1) + 5:
            why = "stalled"
            break
        centroid = [sum(z[j] for z in simplex[:-1]) / n for j in range(n)]
        worst = simplex[-1]

        def toward(t: float, centroid=centroid, worst=worst) -> list[float]:
            return [c + t * (w - c) for c, w in zip(centroid, worst)]

        zr = toward(-1.0)
        fr = call(zr)
        if fr < values[0]:
            if evals >= max_evals:
                simplex[-1], values[-1] = zr, fr
                break
            ze = toward(-2.0)
            fe = call(ze)
            if fe < fr:
                simplex[-1], values[-1] = ze, fe
            else:
                simplex[-1], values[-1] = zr, fr
        elif fr < values[-2]:
            simplex[-1], values[-1] = zr, fr
        else:
            if evals >= max_evals:
                break
            if fr < values[-1]:
                zc = toward(-0.5)  # outside contraction
                fc = call(zc)
                accept = fc <= fr
            else:
                zc = toward(0.5)  # inside contraction
                fc = call(zc)
                accept = fc < values[-1]
            if accept:
                simplex[-1], values[-1] = zc, fc
            else:
                best = simplex[0]
                for i in range(1, n + 1):
                    if evals >= max_evals:
                        break
                    simplex[i] = [b + 0.5 * (z - b) for b, z in zip(best, simplex[i])]
                    values[i] = call(simplex[i])
    i = min(range(n + 1), key=values.__getitem__)
    return simplex[i], values[i], evals, why


# --------------------------------------------------------------------------------------
# the search, shared by calibrate and calibrate_disclosure


@dataclass
class _Found:
    """What :func:`_search` found: the best values, their objective and its parts, what
    ``score`` returned with them, one row per evaluation, and whether the search settled."""

    xs: list[float]
    f: float
    parts: dict[str, float]
    payload: Any
    history: pl.DataFrame
    converged: bool


def _search(
    plist: Sequence[_Param],
    score: Callable[[list[float]], tuple[float, dict[str, float], str | None, Any]],
    targets: Sequence[str],
    max_evals: int,
    tol: float,
    name: str,
) -> _Found:
    """Minimise ``score`` over the parameters' values, within their bounds.

    ``score(xs)`` returns (objective, its part from each target, a note — why the candidate
    was refused, else None — and anything to keep for the best candidate). Candidates
    already scored are not simulated again. A Nelder–Mead simplex on the logit of each
    parameter's position within its bounds, first reaching a quarter of each bound width,
    restarted from the best point with a tenth of the width when it stalls; stops as
    described in ``docs/calibration.md``. ValueError (naming ``name``) if every candidate
    was refused."""
    history: list[dict[str, Any]] = []
    cache: dict[tuple[float, ...], float] = {}
    best: dict[str, Any] = {"f": math.inf}

    def evaluate_x(xs: list[float]) -> float:
        key = tuple(round(x, 12) for x in xs)
        if key in cache:
            return cache[key]
        row: dict[str, Any] = {"evaluation": len(history) + 1}
        row.update({p.path: x for p, x in zip(plist, xs)})
        f, parts, note, payload = score(xs)
        if note is None and f < best["f"]:
            best.update(f=f, xs=list(xs), parts=parts, payload=payload)
        row["error"] = f
        for t in targets:
            row[f"error_{t}"] = parts.get(t)
        row["note"] = note
        history.append(row)
        cache[key] = f
        return f

    def evaluate_z(zs: list[float]) -> float:
        return evaluate_x([_to_x(z, p.low, p.high) for z, p in zip(zs, plist)])

    def steps_at(zs: list[float], du: float) -> list[float]:
        # a first simplex reaching ``du`` of each parameter's bound width, toward the middle
        out = []
        for z, p in zip(zs, plist):
            u = (_to_x(z, p.low, p.high) - p.low) / (p.high - p.low)
            u1 = u + du if u < 0.5 else u - du
            out.append(_to_z(p.low + u1 * (p.high - p.low), p.low, p.high) - z)
        return out

    z = [_to_z(p.start(), p.low, p.high) for p in plist]
    fz, calls, converged, idle = math.inf, 0, False, 0
    du = 0.25
    while calls < max_evals:
        z1, f1, used, why = _nelder_mead(
            evaluate_z, z, steps_at(z, du), max_evals=max_evals - calls, ftol=tol, xtol=XTOL
        )
        calls += used
        improved = f1 < fz - tol * (1.0 + abs(f1))
        if f1 < fz:
            z, fz = z1, f1
        # Restart from the best point with a smaller simplex: a simplex can stall on a
        # ridge, or on the small steps that common random numbers leave in the objective.
        # Done when a simplex has shrunk onto a point that a restart does not improve, or
        # after two restarts in a row without improvement.
        idle = 0 if improved else idle + 1
        if why == "converged" and not improved and du < 0.25:
            converged = True
            break
        if why == "max_evals" or idle >= 2:
            converged = why != "max_evals"
            break
        du = 0.1
    if "xs" not in best:
        raise ValueError(
            f"{name}: every candidate gave an invalid scenario; narrow the bounds "
            f"(last problem: {history[-1]['note']})"
        )
    schema: dict[str, Any] = {"evaluation": pl.Int64}
    schema.update({p.path: _F for p in plist})
    schema["error"] = _F
    schema.update({f"error_{t}": _F for t in targets})
    schema["note"] = pl.String
    return _Found(
        xs=best["xs"],
        f=float(best["f"]),
        parts=best["parts"],
        payload=best["payload"],
        history=pl.DataFrame(history, schema=schema),
        converged=converged,
    )


def _fit_fields(found: Any, plist: Sequence[_Param], x0: Sequence[float],
                targets: Iterable[str], scenario: Any, report: Any, simulation: Any,
                t0: float) -> dict[str, Any]:
    """The fields every fit's result shares (:class:`CalibrationResult` and the
    disclosure fit): the fitted scenario and values, the search's record, the time."""
    return {
        "scenario": scenario,
        "params": _fitted_values(plist, found.xs),
        "report": report,
        "error": found.f,
        "evaluations": found.history.height,
        "history": found.history,
        "errors": {t: float(found.parts.get(t, float("nan"))) for t in targets},
        "start": {p.path: float(x) for p, x in zip(plist, x0)},
        "kinds": {p.path: p.kind for p in plist},
        "converged": found.converged,
        "simulation": simulation,
        "seconds": time.perf_counter() - t0,
    }


def _fitted_values(plist: Sequence[_Param], xs: Sequence[float]) -> dict[str, float]:
    """{path: fitted value}: the value written into the scenario (rounded for a whole
    number), or the multiplier of a table."""
    return {
        p.path: (float(p.value(x)) if p.kind == "value" else float(x))
        for p, x in zip(plist, xs)
    }


# --------------------------------------------------------------------------------------
# the result


@dataclass
class CalibrationResult:
    """What :func:`calibrate` found.

    - ``scenario``: the fitted :class:`~downline.Scenario` (the starting scenario with the
      fitted parameters written in);
    - ``params``: ``{path: fitted value}``; for a table by tenure, the fitted multiplier of
      the table (the table itself is in ``scenario``);
    - ``report``: the observed and simulated series side by side: ``month, target,
      observed, simulated, error, simulated_p05, simulated_p95``. ``simulated`` is the mean
      across runs (for retention, the Kaplan–Meier survival pooled over the runs; ``month``
      is then the months since joining); ``error`` is log((simulated + 1) ÷ (observed + 1))
      for counts and simulated − observed for survival; p05/p95 are the spread between runs;
    - ``error``: the objective at the fit (Σ over targets of the mean squared ``error``);
    - ``evaluations``: simulations run by the search; ``history``: one row per evaluation
      (``evaluation``, each parameter, ``error``, ``error_<target>``…);
    - ``errors``: the objective's part from each target; ``start``: the starting values;
      ``converged``: whether the search settled (a simplex shrank onto a point, or restarts
      stopped improving) before ``max_evals``; ``simulation``: the simulation at the fitted values (same seed, runs);
      ``seconds``: wall time.
    """

    scenario: Scenario
    params: dict[str, float]
    report: pl.DataFrame
    error: float
    evaluations: int
    history: pl.DataFrame
    errors: dict[str, float] = field(default_factory=dict)
    start: dict[str, float] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    converged: bool = False
    simulation: SimulationResult | None = field(default=None, repr=False)
    seconds: float = 0.0

    def summary(self) -> pl.DataFrame:
        """One row per fitted parameter: ``param, kind, start, fitted``."""
        return pl.DataFrame(
            {
                "param": list(self.params),
                "kind": [self.kinds.get(p, "value") for p in self.params],
                "start": [self.start.get(p) for p in self.params],
                "fitted": list(self.params.values()),
            },
            schema={"param": pl.String, "kind": pl.String, "start": _F, "fitted": _F},
        )

    def __repr__(self) -> str:
        stop = "" if self.converged else " (stopped at max_evals)"
        lines = [
            f"<downline.CalibrationResult: error {self.error:.4g} after {self.evaluations} "
            + f"simulations{stop}"
        ]
        for p, v in self.params.items():
            what = " × the table" if self.kinds.get(p) == "multiplier" else ""
            lines.append(f"  {p} = {v:.4g}{what} (start {self.start.get(p, float('nan')):.4g})")
        for t, e in self.errors.items():
            lines.append(f"  {t}: mean squared error {e:.4g}")
        return "\n".join(lines) + ">"

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = []
        for p, v in self.params.items():
            kind = "multiplier of the table" if self.kinds.get(p) == "multiplier" else "value"
            rows.append(
                f"<tr><td>{esc(p)}</td><td>{esc(kind)}</td>"
                f"<td class=n>{self.start.get(p, float('nan')):.4g}</td>"
                f"<td class=n><b>{v:.4g}</b></td></tr>"
            )
        trows = []
        for t, e in self.errors.items():
            sub = self.report.filter(pl.col("target") == t)
            scale = "log ratio" if t != RETENTION else "survival difference"
            rms = math.sqrt(e) if e >= 0 else float("nan")
            trows.append(
                f"<tr><td>{esc(t)}</td><td class=n>{sub.height}</td>"
                f"<td class=n>{rms:.3g}</td><td>{scale}</td></tr>"
            )
        status = "converged" if self.converged else "stopped at max_evals"
        style = (
            "<style>.dl-cal table{border-collapse:collapse;margin:.2em 0 .6em}"
            ".dl-cal th,.dl-cal td{border-bottom:1px solid #ddd;padding:2px 8px;"
            "text-align:left}.dl-cal .n{text-align:right;font-variant-numeric:tabular-nums}"
            "</style>"
        )
        return (
            f'{style}<div class="dl-cal"><h4>Calibration: error {self.error:.4g}, '
            f"{self.evaluations} simulations, {status}, {self.seconds:.1f} s</h4>"
            "<table><tr><th>parameter</th><th>fitted as</th><th class=n>start</th>"
            f"<th class=n>fitted</th></tr>{''.join(rows)}</table>"
            "<table><tr><th>target</th><th class=n>points</th><th class=n>RMS error</th>"
            f"<th>scale</th></tr>{''.join(trows)}</table>"
            "<p>The series side by side: <code>.report</code>; every evaluation: "
            "<code>.history</code>; the fitted scenario: <code>.scenario</code>.</p></div>"
        )


# --------------------------------------------------------------------------------------
# calibrate


def calibrate(
    observed: pl.DataFrame | None,
    scenario: Scenario | Mapping[str, Any],
    params: Mapping[str, tuple[float, float]],
    plan: Plan | None = None,
    months: int | None = None,
    runs: int = 20,
    seed: int = 7,
    targets: Sequence[str] | Mapping[str, float] = ("joined", "active"),
    retention: pl.DataFrame | None = None,
    method: str = "nelder-mead",
    max_evals: int = 60,
    threads: int | None = None,
    tol: float = 1e-4,
) -> CalibrationResult:
    """Fit scenario parameters to a company's observed history, by simulation.

    ``observed``: a polars DataFrame, one row per month (``month``; 1 = the founders'
    month), with any of the monthly series named in ``targets`` (``joined``, ``active``, …;
    the columns of ``res.monthly``). ``retention``: optionally, a cohort retention table
    with ``months`` since joining and ``survival`` (the share still in, e.g. from the
    company's own Kaplan–Meier); it adds the target ``"retention"``.

    ``params``: ``{dotted path into Scenario.to_dict(): (low, high)}``, e.g.
    ``{"recruitment.rate": (0.01, 1.0), "attrition.monthly_quit": (0.01, 0.5)}``. A path
    whose value is a number (or unset) is fitted as that number. A path whose value is a
    **table by tenure** (a list) is fitted as a **multiplier of the whole table**, keeping its
    shape, and its bounds apply to the multiplier. A whole-number field (``market.founders``)
    is rounded. An index picks one entry: ``"attrition.monthly_quit.0"``.

    Every candidate is simulated with the same ``seed`` and ``runs`` for ``months`` months
    (default: the last observed month, or one more than the longest retention tenure if that
    is later) under ``plan`` (default: a plan with no bonuses; joining and quitting do not
    depend on it unless a plan-dependent behaviour is switched on). The objective is

        Σ over targets of w × mean over observed months of e²

    with e = log((simulated mean + 1) ÷ (observed + 1)) for monthly series (about the
    relative error) and e = simulated − observed survival for retention; ``targets`` may be a
    dict ``{name: weight w}`` (default weight 1). It is minimised by a Nelder–Mead simplex
    on the logit of each parameter's position within its bounds, for at most ``max_evals``
    simulations, stopping sooner when the simplex's values differ by less than ``tol``.
    A candidate the scenario rejects (a probability above 1, say) scores infinity.

    Targets listed but absent from ``observed`` are left out; ``ValueError`` if none is left,
    for an unknown path, reversed bounds, or an ``observed`` without ``month``.

    Returns a :class:`CalibrationResult`: ``.scenario`` (fitted), ``.params``, ``.report``
    (observed and simulated side by side), ``.error``, ``.evaluations``, ``.history``.
    """
    t0 = time.perf_counter()
    if method not in ("nelder-mead", "nelder_mead", "neldermead"):
        raise ValueError(f"method = {method!r}: use 'nelder-mead'")
    for name, value, low in (("runs", runs, 1), ("max_evals", max_evals, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} = {value!r}: use a whole number from {low}")
    if not _is_number(tol) or tol < 0:
        raise ValueError(f"tol = {tol!r}: use a number ≥ 0")

    # the scenario and the parameters
    base_spec = _base_spec(scenario)
    plist = _parse_params(params, base_spec)

    # targets and weights
    if isinstance(targets, str):
        targets = (targets,)
    if isinstance(targets, Mapping):
        weights_in = {str(k): v for k, v in targets.items()}
    elif isinstance(targets, Sequence):
        weights_in = {str(t): 1.0 for t in targets}
    else:
        raise TypeError(f"targets = {targets!r}: give names, e.g. ('joined', 'active')")
    for t, w in weights_in.items():
        if t != RETENTION and t not in MONTHLY_TARGETS:
            raise ValueError(
                f"targets: unknown target {t!r}; use any of {', '.join(MONTHLY_TARGETS)} "
                f"(columns of observed) or {RETENTION!r} (with a retention table)"
            )
        if not _is_number(w) or w <= 0:
            raise ValueError(f"targets[{t!r}]: weight {w!r} must be a positive number")
    if observed is None and retention is None:
        raise ValueError("no targets: give observed (month, joined, active…) or retention")
    obs_m, monthly_targets = _observed_monthly(observed, list(weights_in))
    obs_r = _observed_retention(retention)
    if RETENTION in weights_in and obs_r is None:
        raise ValueError(
            "targets: 'retention' is a target but no retention table was given "
            "(retention=pl.DataFrame(months, survival))"
        )
    weights = {t: float(weights_in[t]) for t in monthly_targets}
    if obs_r is not None:
        weights[RETENTION] = float(weights_in.get(RETENTION, 1.0))
    if not weights:
        have = [] if observed is None else [c for c in observed.columns if c != "month"]
        raise ValueError(
            f"no targets: observed has none of the targets {list(weights_in)} "
            f"(its columns besides month: {have}) and no retention table was given"
        )

    # the horizon
    need = 1
    if obs_m is not None:
        need = max(need, int(obs_m["month"].max()))  # type: ignore[arg-type]
    if obs_r is not None:
        need = max(need, int(obs_r["months"].max()) + 1)  # type: ignore[arg-type]
    if months is None:
        months = need
    elif isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError(f"months = {months!r}: use a whole number from 1")
    elif months < need:
        raise ValueError(
            f"months = {months}: the observed data need at least {need} months "
            "(the last observed month, or the longest retention tenure + 1)"
        )
    if plan is None:
        plan = Plan.from_dict({"name": "calibration"})
    elif not isinstance(plan, Plan):
        raise TypeError(f"plan must be a downline.Plan or None, not {type(plan).__name__}")
    keep: bool | int = obs_r is not None

    def scenario_at(xs: Sequence[float]) -> Scenario:
        return _scenario_at(base_spec, plist, xs)

    def run(sc: Scenario) -> SimulationResult:
        return simulate(
            plan,
            sc,
            months=months,
            runs=runs,
            seed=seed,
            threads=threads,
            keep_distributors=keep,
        )

    x0 = _check_start(base_spec, plist)

    def score(xs: list[float]) -> tuple[float, dict[str, float], str | None, Any]:
        try:
            sc = scenario_at(xs)
        except ScenarioError as e:
            return math.inf, {}, str(e), None
        res = run(sc)
        rep = _report(res, obs_m, monthly_targets, obs_r)
        f, parts = _objective(rep, weights)
        return f, parts, None, (sc, res, rep)

    found = _search(plist, score, list(weights), max_evals, tol, "calibrate")
    sc_fit, res_fit, rep_fit = found.payload
    return CalibrationResult(**_fit_fields(found, plist, x0, weights, sc_fit, rep_fit,
                                           res_fit, t0))
