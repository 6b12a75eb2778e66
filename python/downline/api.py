"""The Python face of downline: plans, scenarios, simulation results as polars tables."""

from __future__ import annotations

import json
import math
import os
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Union

import polars as pl

from downline import _core
from downline._core import InputError, PlanError, ScenarioError

PathLike = Union[str, "os.PathLike[str]"]


#: How deep a plan or scenario dict may nest. The files nest a few levels; anything deeper
#: is refused with its path before anything recurses into it (no RecursionError).
MAX_DEPTH = 32


class _Encoder:
    """A plan or scenario dict as JSON text, checked value by value (each error names the
    field's path), remembering where each value's text starts and ends, so that an error
    the core reports at a column of that text can be given the path instead."""

    def __init__(self, error: type) -> None:
        self.error = error
        self.parts: list[str] = []
        self.pos = 0
        self.spans: list[tuple[int, int, str]] = []

    def put(self, text: str) -> None:
        self.parts.append(text)
        self.pos += len(text)

    def value(self, v: Any, path: str, depth: int) -> None:
        where = path or "(top level)"
        if depth > MAX_DEPTH:
            raise self.error(f"{where}: nested more than {MAX_DEPTH} levels deep; plan and "
                             "scenario files nest a few levels")
        start = self.pos
        if v is None or isinstance(v, bool):
            self.put(json.dumps(v))
        elif isinstance(v, int):
            if not -(2**63) <= v < 2**64:
                digits = int(v.bit_length() * math.log10(2)) + 1
                raise self.error(f"{where}: a whole number of about {digits} digits is too "
                                 "large for any field")
            self.put(str(int(v)))
        elif isinstance(v, float):
            if not math.isfinite(v):
                raise self.error(f"{where}: {v} is not a finite number")
            self.put(json.dumps(v))
        elif isinstance(v, Decimal):
            if not v.is_finite():
                raise self.error(f"{where}: {v} is not a finite number")
            self.put(json.dumps(str(v)))
        elif isinstance(v, str):
            self.put(json.dumps(self.text(v, where)))
        elif isinstance(v, Mapping):
            self.put("{")
            for i, (k, item) in enumerate(v.items()):
                if isinstance(k, bool) or not isinstance(k, (str, int)):
                    raise self.error(f"{where}: the key {k!r} is not text; keys are field "
                                     "or rank names")
                key = self.text(str(k), where)
                self.put((", " if i else "") + json.dumps(key) + ": ")
                self.value(item, f"{path}.{key}" if path else key, depth + 1)
            self.put("}")
        elif isinstance(v, (list, tuple)):
            self.put("[")
            for i, item in enumerate(v):
                self.put(", " if i else "")
                self.value(item, f"{path}[{i}]", depth + 1)
            self.put("]")
        else:
            raise self.error(f"{where}: {type(v).__name__} is not a plan or scenario value "
                             "(use text, numbers, true/false, lists and dicts)")
        self.spans.append((start, self.pos, path))

    def text(self, s: str, where: str) -> str:
        try:
            s.encode("utf-8")
        except UnicodeEncodeError as e:
            raise self.error(f"{where}: text with a character that is not valid Unicode "
                             f"(a lone surrogate at position {e.start})") from None
        return s

    def path_at(self, offset: int) -> str:
        """The path of the innermost value whose text holds ``offset``."""
        holding = [(end - start, path) for start, end, path in self.spans
                   if start <= offset <= end]
        return min(holding)[1] if holding else ""


def _to_json(spec: Mapping[str, Any], error: type) -> tuple[str, _Encoder]:
    if not isinstance(spec, Mapping):
        raise error(f"(top level): expected a dict, got {type(spec).__name__}")
    enc = _Encoder(error)
    enc.value(spec, "", 0)
    return "".join(enc.parts), enc


_JSON_AT = re.compile(r"^\(file\): not valid JSON: (?P<why>.*) at line 1 column (?P<col>\d+)$",
                      re.DOTALL)


def _from_dict(spec: Mapping[str, Any], error: type, parse: Callable[[str], Any]) -> Any:
    """Parse a dict with the core; an error the core places at a column of the JSON text
    (a dict is no file) is given the path of the field there."""
    text, enc = _to_json(spec, error)
    try:
        return parse(text)
    except error as e:
        m = _JSON_AT.match(str(e))
        if m is None:
            raise
        path = enc.path_at(int(m["col"]) - 1) or "(top level)"
        raise error(f"{path}: {m['why']}") from None


def _check_text(text: Any, error: type) -> None:
    """TOML text handed to the core must be encodable (no lone surrogates)."""
    if isinstance(text, str):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            raise error(f"(text): a character that is not valid Unicode (a lone surrogate "
                        f"at position {e.start})") from None


def _read(path: PathLike, error: type) -> tuple[str, bool]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise error(f"(file): cannot read {p}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise error(f"(file): {p} is not UTF-8 text (byte 0x{e.object[e.start]:02x} at "
                    f"position {e.start}); save it as UTF-8") from None
    return text, p.suffix.lower() == ".json"


class Plan:
    """A validated compensation plan (ranks, bonuses, cap, costs).

    Build one with :meth:`load` (a ``.toml`` or ``.json`` file), :meth:`from_toml` or
    :meth:`from_dict`. Every field is checked; a bad one raises :class:`PlanError` naming its
    path, e.g. ``bonus[1].rates.Manager[3]: 1.5 is above 1``.
    """

    def __init__(self, core: _core.Plan, source: str | None = None) -> None:
        self._core = core
        self.source = source

    @classmethod
    def load(cls, path: PathLike) -> Plan:
        """Read and validate a plan file (TOML, or JSON if the name ends in ``.json``)."""
        text, is_json = _read(path, PlanError)
        core = _core.Plan.from_json(text) if is_json else _core.Plan.from_toml(text)
        return cls(core, str(path))

    @classmethod
    def from_toml(cls, text: str) -> Plan:
        """Validate a plan written as TOML text."""
        _check_text(text, PlanError)
        return cls(_core.Plan.from_toml(text))

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Plan:
        """Validate a plan given as a dict shaped like the plan file."""
        return cls(_from_dict(spec, PlanError, _core.Plan.from_json))

    def to_dict(self) -> dict[str, Any]:
        """The plan as a dict shaped like the plan file (decimals as strings)."""
        return json.loads(self._core.to_json())

    @property
    def name(self) -> str:
        """The plan's name."""
        return self._core.name

    @property
    def currency(self) -> str:
        """Currency code of every amount."""
        return self._core.currency

    @property
    def ranks(self) -> list[str]:
        """Rank names, lowest first."""
        return self._core.ranks

    @property
    def bonuses(self) -> list[tuple[str, str, bool]]:
        """``(name, kind, paid_by_company)`` of each bonus, in payment order."""
        return self._core.bonuses

    @property
    def warnings(self) -> list[str]:
        """What the plan allows that is probably a mistake, in words: bonuses that can pay
        more than 100% of the volume, ranks that can never be paid as (listed highest
        first), bonuses that can never pay. The plan is still valid."""
        return self._core.warnings

    @property
    def cost_of_goods(self) -> float | None:
        """Cost of goods as a share of the volume's value (``[company] cost_of_goods``),
        for the company's books; None when the plan does not say."""
        return self._core.cost_of_goods

    def __reduce__(self) -> tuple[Any, tuple[str, str | None]]:
        # Pickled through the plan's JSON form (decimals as text), validated again when
        # loaded: Dask, multiprocessing and Ray can ship a plan, and it comes back equal.
        return (_plan_from_json, (self._core.to_json(), self.source))

    def _repr_html_(self) -> str:
        from downline.display import plan_html

        return plan_html(self)

    def __repr__(self) -> str:
        kinds = ", ".join(f"{n} ({k})" for n, k, _ in self.bonuses) or "no bonuses"
        return f"<downline.Plan {self.name!r}: {len(self.ranks)} ranks; {kinds}>"


class Scenario:
    """Validated assumptions about people: market, recruiting, quitting, buying, customers.

    Build one with :meth:`load`, :meth:`from_toml` or :meth:`from_dict`; a bad field raises
    :class:`ScenarioError` naming its path.
    """

    def __init__(self, core: _core.Scenario, source: str | None = None) -> None:
        self._core = core
        self.source = source

    @classmethod
    def load(cls, path: PathLike) -> Scenario:
        """Read and validate a scenario file (TOML, or JSON if the name ends in ``.json``)."""
        text, is_json = _read(path, ScenarioError)
        core = _core.Scenario.from_json(text) if is_json else _core.Scenario.from_toml(text)
        return cls(core, str(path))

    @classmethod
    def from_toml(cls, text: str) -> Scenario:
        """Validate a scenario written as TOML text."""
        _check_text(text, ScenarioError)
        return cls(_core.Scenario.from_toml(text))

    @classmethod
    def preset(cls, name: str) -> Scenario:
        """A named preset: ``baseline``, ``one_on_one_era``, ``social_media_era``,
        ``careful_process``, ``shotgun``, ``party_plan`` (see :meth:`presets`). Each is a file in
        ``examples/scenarios/`` whose comments cite the public figures it was set against."""
        return cls(_core.Scenario.preset(name), f"preset:{name}")

    @staticmethod
    def presets() -> list[str]:
        """The names of the presets."""
        return list(_core.Scenario.preset_names())

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Scenario:
        """Validate a scenario given as a dict shaped like the scenario file."""
        return cls(_from_dict(spec, ScenarioError, _core.Scenario.from_json))

    def to_dict(self) -> dict[str, Any]:
        """The scenario as a dict shaped like the scenario file."""
        return json.loads(self._core.to_json())

    @property
    def founders(self) -> int:
        """Distributors in month 1."""
        return self._core.founders

    def __reduce__(self) -> tuple[Any, tuple[str, str | None]]:
        # Pickled through the scenario's JSON form, validated again when loaded.
        return (_scenario_from_json, (self._core.to_json(), self.source))

    def _repr_html_(self) -> str:
        from downline.display import scenario_html

        return scenario_html(self)

    def __repr__(self) -> str:
        return f"<downline.Scenario {self.to_dict().get('name') or ''!r}: {self.founders} founders>"


def _plan_from_json(text: str, source: str | None) -> Plan:
    return Plan(_core.Plan.from_json(text), source)


def _scenario_from_json(text: str, source: str | None) -> Scenario:
    return Scenario(_core.Scenario.from_json(text), source)


#: The master seed when none is given, the same in Python and on the command line, so
#: ``simulate(plan, scenario)`` reproduces ``downline simulate PLAN SCENARIO``.
DEFAULT_SEED = 7

#: The per-run figures that :meth:`SimulationResult.summary` reports.
SUMMARY_METRICS = [
    "payout_ratio",
    "volume_value",
    "payout",
    "capped",
    "retail_profit",
    "host_rewards",
    "ever_joined",
    "active_end",
    "mean_earnings",
    "median_earnings",
    "share_earning_nothing",
    "share_net_loss",
    "top1_share",
]


@dataclass
class SimulationResult:
    """The tables of a simulation, as polars DataFrames (money columns ``Decimal(18, 2)``;
    ``docs/reference.md`` lists every column).

    - ``monthly``: one row per (run, month): active (participating), joined, quit,
      qualified (PV ≥ the plan's minimum), volume (points: own + retail + preferred + party),
      retail_volume, preferred_volume, party_volume (points), volume_value, payout (what the
      company pays distributors, after the cap), payout_before_cap, retail_profit (paid by
      customers), host_rewards (paid by the company to party hosts, not part of payout),
      payout_ratio, and where the payout came from — payout_from_retail (retail customers
      only), payout_from_preferred, payout_from_party, payout_from_own,
      payout_from_downline, payout_other, which add up to payout to the cent — then
      payout_if_all_qualified and breakage.
    - ``bonuses``: one row per (run, month, bonus): amount, paid_by_company (false for the
      retail margin), paid_to (``"host"`` for host rewards, ``"distributor"`` otherwise).
      The amounts of the bonuses paid by the company to distributors add up to payout; host
      rewards add up to host_rewards.
    - ``ranks``: one row per (run, month, rank): count of distributors paid as it.
    - ``runs``: one row per run: the headline figures (see :data:`SUMMARY_METRICS`).
    - ``distributors``: one row per (run, distributor) of the kept runs: id, sponsor (null
      for founders), join_month, quit_month (null if still in), recruits, max_rank,
      earnings (host rewards are not a distributor's earnings), retail_profit, fees,
      purchases, expenses, months_active, own_volume, customer_volume (retail customers),
      preferred_volume, party_volume (sales of the parties the distributor held; points),
      required_purchases, qualifying_purchases.
    """

    monthly: pl.DataFrame
    bonuses: pl.DataFrame
    ranks: pl.DataFrame
    runs: pl.DataFrame
    distributors: pl.DataFrame
    months: int
    n_runs: int
    seed: int
    plan: Plan = field(repr=False)
    scenario: Scenario = field(repr=False)

    def summary(self) -> pl.DataFrame:
        """Each headline figure across runs: ``metric, mean, p05, p50, p95``.

        Money figures are in currency units; shares are fractions of everyone who ever joined.
        ``host_rewards`` (paid by the company to party hosts) is outside ``payout``. A figure
        the runs table lacks (a result saved by an older core) is left out.
        """
        metrics = [m for m in SUMMARY_METRICS if m in self.runs.columns]
        runs = self.runs.select([pl.col(m).cast(pl.Float64) for m in metrics])
        rows = []
        for m in metrics:
            s = runs[m]
            rows.append(
                {
                    "metric": m,
                    "mean": s.mean(),
                    "p05": s.quantile(0.05, "linear"),
                    "p50": s.quantile(0.5, "linear"),
                    "p95": s.quantile(0.95, "linear"),
                }
            )
        return pl.DataFrame(rows, schema={"metric": pl.String, "mean": pl.Float64,
                                          "p05": pl.Float64, "p50": pl.Float64,
                                          "p95": pl.Float64})

    def write_parquet(self, directory: PathLike) -> list[Path]:
        """Write the result to ``directory`` as ``downline simulate --out`` does: every
        table as ``<table>.parquet`` (seed, months, runs, version, run id and the plan's and
        scenario's hashes in the file metadata), ``plan.json``, ``scenario.json`` and a
        ``manifest.json`` naming each file's SHA-256. The directory is written whole into a
        new directory and renamed into place, so an interrupted write leaves what was there
        before; an existing ``directory`` must be empty or a saved result, and is replaced.
        Read it back with :func:`downline.report.load_result`. Returns the Parquet paths."""
        from downline.report import save_result

        return save_result(self, directory)

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # Pickled through Arrow: each table as an Arrow IPC stream (exact decimals and
        # integer types), the plan and scenario through their JSON forms.
        state: dict[str, Any] = {t: _ipc_bytes(getattr(self, t)) for t in _RESULT_TABLES}
        state.update(months=self.months, n_runs=self.n_runs, seed=self.seed,
                     plan=self.plan, scenario=self.scenario)
        return (_result_from_state, (state,))

    def _repr_html_(self) -> str:
        from downline.display import result_html

        return result_html(self)

    def __repr__(self) -> str:
        return (
            f"<downline.SimulationResult {self.n_runs} runs × {self.months} months, seed "
            f"{self.seed}; {self.distributors.height} distributor rows>"
        )


_RESULT_TABLES = ("monthly", "bonuses", "ranks", "runs", "distributors")


def _ipc_bytes(df: pl.DataFrame) -> bytes:
    buf = df.write_ipc_stream(None)
    return buf.getvalue()


def _result_from_state(state: dict[str, Any]) -> SimulationResult:
    import io

    tables = {t: pl.read_ipc_stream(io.BytesIO(state[t])) for t in _RESULT_TABLES}
    return SimulationResult(
        **tables, months=state["months"], n_runs=state["n_runs"], seed=state["seed"],
        plan=state["plan"], scenario=state["scenario"],
    )


def _atomic_parquet(df: pl.DataFrame, path: Path) -> Path:
    # A temporary name beside the target (same file system, so the rename is atomic),
    # created with the usual permissions.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        df.write_parquet(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _progress_callback(progress: bool | Callable[[int, int], Any] | None):
    if progress is None or progress is False:
        return None, None
    if callable(progress):
        return progress, None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is optional
        return None, None
    bar = tqdm(total=1, unit="month", desc="simulating", leave=False)

    def cb(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return cb, bar


def simulate(
    plan: Plan,
    scenario: Scenario,
    months: int = 36,
    runs: int = 100,
    seed: int = DEFAULT_SEED,
    threads: int | None = None,
    keep_distributors: bool | int = True,
    progress: bool | Callable[[int, int], Any] | None = None,
    client: Any = None,
    chunk_runs: int | None = None,
    max_memory: int | None = None,
) -> SimulationResult:
    """Simulate ``runs`` Monte Carlo runs of ``plan`` under ``scenario`` for ``months`` months.

    The same ``seed`` gives the same tables for any ``threads`` (``None``: all cores), and two
    plans simulated with the same seed and scenario see the same people (common random
    numbers). ``keep_distributors`` bounds memory: ``True`` keeps one row per distributor for
    every run, ``False`` for none, an integer ``k`` for the first ``k`` runs; the monthly,
    bonus, rank and run tables stay complete. ``progress`` is ``True`` for a tqdm bar, or a
    callable ``f(done_months, total_months)``. The GIL is released while it runs; Ctrl-C
    stops it within a fraction of a second and raises ``KeyboardInterrupt``.

    ``client``: a ``dask.distributed.Client`` (``pip install downline[dask]``) spreads the
    runs over its workers in chunks of ``chunk_runs`` runs (default: about four tasks per
    worker thread), one thread per task; the tables are identical to those of the same call
    without a client (``threads`` then does not apply).

    Before anything is allocated, the memory the call needs is estimated (the runs running
    at once, the kept per-person rows, the tables) and a call past ``max_memory`` bytes
    (default: what this process can still have) raises ``ValueError`` naming what to
    lower — rather than letting the allocator abort Python.
    """
    if not isinstance(plan, Plan):
        raise TypeError("plan must be a downline.Plan (use Plan.load or Plan.from_dict)")
    if not isinstance(scenario, Scenario):
        raise TypeError("scenario must be a downline.Scenario (use Scenario.load or from_dict)")
    if isinstance(keep_distributors, bool):
        keep = None if keep_distributors else 0
    elif isinstance(keep_distributors, int) and 0 <= keep_distributors <= 10**9:
        keep = keep_distributors
    else:
        raise ValueError(f"keep_distributors = {keep_distributors!r}: use True, False or a "
                         "number of runs from 0 to 1000000000")
    for name, value, low, high in (("months", months, 1, 600), ("runs", runs, 1, 10**9)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name} = {value!r}: use a whole number from {low} to {high}")
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= 4096
    ):
        raise ValueError(f"threads = {threads!r}: use a whole number from 1, or None for all cores")
    if not isinstance(seed, int) or seed < 0 or seed >= 2**64:
        raise ValueError(f"seed = {seed!r}: use a whole number from 0 to 2**64 - 1")
    _warn_without_parties(plan, scenario)
    cb, bar = _progress_callback(progress)
    try:
        if client is not None:
            tables = _simulate_on_client(client, plan, scenario, months, runs, seed, keep,
                                         chunk_runs, cb)
        else:
            tables = _core.simulate(
                plan._core, scenario._core, months, runs, seed, threads, keep, cb, max_memory
            )
    finally:
        if bar is not None:
            bar.close()
    return SimulationResult(
        monthly=pl.DataFrame(tables["monthly"]),
        bonuses=pl.DataFrame(tables["bonuses"]),
        ranks=pl.DataFrame(tables["ranks"]),
        runs=pl.DataFrame(tables["runs"]),
        distributors=pl.DataFrame(tables["distributors"]),
        months=months,
        n_runs=runs,
        seed=seed,
        plan=plan,
        scenario=scenario,
    )


def _simulate_on_client(
    client: Any, plan: Plan, scenario: Scenario, months: int, runs: int, seed: int,
    keep: int | None, chunk_runs: int | None, cb: Callable[[int, int], Any] | None,
) -> dict[str, pl.DataFrame]:
    from downline.cluster import simulate_on_client

    total, done = months * runs, [0]

    def on_chunk(n_runs: int) -> None:
        done[0] += n_runs * months
        if cb is not None:
            cb(done[0], total)

    with warnings.catch_warnings():  # warned once above, not again per chunk
        warnings.simplefilter("ignore")
        return simulate_on_client(client, plan, scenario, months, runs, seed, keep,
                                  chunk_runs, on_chunk)


def _warn_without_parties(plan: Plan, scenario: Scenario) -> None:
    """Warn when the plan pays on party sales but the scenario holds no parties: its party
    bonuses would then pay nothing on parties, silently."""
    on_parties = [
        b["name"] or b["kind"]
        for b in plan.to_dict()["bonus"]
        if b["kind"] == "host_rewards"
        or (b["kind"] == "party_commission" and "party" in (b.get("on") or ["party"]))
    ]
    if not on_parties:
        return
    p = scenario.to_dict().get("parties") or {}
    rate = p.get("per_month")
    rates = rate if isinstance(rate, list) else [rate or 0]
    if any(r > 0 for r in rates) and (p.get("hosting_share") is None or p["hosting_share"] > 0):
        return
    warnings.warn(
        f"the plan pays {', '.join(on_parties)} on party sales, but the scenario holds no "
        "parties: they will pay nothing on parties. Give the scenario a [parties] section "
        "(per_month, hosting_share, sales_mean), or use the 'party_plan' preset.",
        stacklevel=3,
    )


def _volume_strings(s: pl.Series, name: str, what: str = "volumes") -> list[str]:
    if s.null_count():
        raise InputError(f"{what}: column {name!r} has missing values")
    if s.dtype == pl.String:
        return s.to_list()
    if s.dtype == pl.Float32:
        # the shortest text that reads back as the same 32-bit float: 50.1, not 50.09999847
        return s.cast(pl.String).to_list()
    if s.dtype.is_numeric() or isinstance(s.dtype, pl.Decimal):
        return [str(v) for v in s.to_list()]
    raise InputError(f"{what}: column {name!r} is {s.dtype}; give numbers (points)")


def _require(df: pl.DataFrame, what: str, cols: list[str]) -> None:
    if not isinstance(df, pl.DataFrame):
        raise InputError(f"{what} must be a polars DataFrame")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(f"{what}: missing column(s) {missing}; it needs {cols}")


def _whole_numbers(
    df: pl.DataFrame, what: str, cols: list[str], missing_ok: tuple[str, ...] = ()
) -> list[list[Any]]:
    """The columns ``cols`` of ``df`` as whole numbers; only those in ``missing_ok`` may
    have missing values (None)."""
    out = []
    for c in cols:
        col = df[c]
        if col.dtype == pl.Boolean:
            raise InputError(f"{what}: {c} must be whole numbers, not true/false")
        if col.dtype.is_float() or isinstance(col.dtype, pl.Decimal):
            # A strict cast still truncates 2.5 to 2: a fraction is refused first.
            given = col.drop_nulls()
            fractional = given.filter(given != given.round())
            if fractional.len():
                raise InputError(f"{what}: {c} must be whole numbers (one is {fractional[0]})")
        try:
            values = col.cast(pl.Int64, strict=True).to_list()
        except pl.exceptions.PolarsError as e:
            raise InputError(f"{what}: {c} must be whole numbers ({e})") from None
        if c not in missing_ok and any(v is None for v in values):
            raise InputError(f"{what}: {c} may not be missing")
        out.append(values)
    return out


def _names(s: pl.Series, what: str, col: str) -> list[str]:
    """A column of rank names, none missing."""
    if s.dtype != pl.String or s.null_count():
        raise InputError(f"{what}: {col} must be rank names (text), none missing")
    return s.to_list()


def compute_commissions(
    plan: Plan,
    tree: pl.DataFrame,
    volumes: pl.DataFrame,
    parties: pl.DataFrame | None = None,
    ranks: pl.DataFrame | None = None,
    titles: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Pay ``plan`` over a given downline — the deterministic engine, no randomness.

    ``tree``: ``id, sponsor`` (null for founders)``, join_month`` and optionally
    ``quit_month`` (first month no longer in). ``volumes``: ``id, month, pv`` and optionally
    ``retail`` and ``preferred`` (the parts of ``pv`` from retail customers and from
    preferred customers; together at most ``pv``), in points with at most two decimals;
    ``pv`` does not include party sales.

    ``parties`` (party plans): one row per party, ``id`` (the distributor who held it, who
    must participate that month), ``month`` and ``pv`` (the party's sales, in points, at
    most two decimals). A party's sales count as volume of the distributor who held it, as
    a source of their own (``party_commission`` pays on them; every bonus paid on PV or GV
    sees them), and each party earns its host the plan's ``host_rewards``. Months run from
    the first join month to the last month with volume or a party.

    For a plan with a placement tree (``[placement]``, binary or forced matrix), ``tree``
    may also give ``placement`` (the placement parent's id, null for a top) and ``leg``
    (binary: 0 left, 1 right; matrix: slot 0 to width − 1; null: the first open one) for
    every row; without them the plan's placement rule places everyone.

    ``ranks`` (to reconcile a real month): ``id, month, rank`` — a paid-as rank given for
    that distributor in that month (a held or forced rank from the company's records,
    named as in the plan); it replaces the plan's evaluation and counts for the uplines'
    leg requirements. ``titles``: ``id, title`` — the title (highest rank reached) each
    holds before the first month, for bonuses and requirements that read titles.

    Returns ``month, id, bonus, paid_by_company, paid_to, amount`` (``pl.Decimal(18, 2)``),
    one line per non-zero amount, ordered by month, id and the plan's bonus order.
    ``paid_to`` is ``"host"`` for host rewards — booked to the distributor who held the
    party, but paid by the company to the party's host, so not that distributor's income
    and not under the cap — and ``"distributor"`` otherwise.
    """
    _require(tree, "tree", ["id", "sponsor", "join_month"])
    _require(volumes, "volumes", ["id", "month", "pv"])
    if parties is not None:
        _require(parties, "parties", ["id", "month", "pv"])
    extra: dict[str, Any] = {}
    # Ids and months are whole numbers: 2.5 or 1.7 is refused, never truncated.
    optional = [c for c in ("quit_month", "placement", "leg") if c in tree.columns]
    ids, sponsors, joins, *more = _whole_numbers(
        tree, "tree", ["id", "sponsor", "join_month", *optional],
        missing_ok=("sponsor", "quit_month", "placement", "leg"))
    given = dict(zip(optional, more))
    quits = given.get("quit_month")
    extra.update({c: given[c] for c in ("placement", "leg") if c in given})
    vids, vmonths = _whole_numbers(volumes, "volumes", ["id", "month"])
    pv = _volume_strings(volumes["pv"], "pv")
    retail = _volume_strings(volumes["retail"], "retail") if "retail" in volumes.columns else None
    if "preferred" in volumes.columns:
        extra["preferred"] = _volume_strings(volumes["preferred"], "preferred")
    if parties is not None:
        pids, pmonths = _whole_numbers(parties, "parties", ["id", "month"])
        extra["party_ids"] = pids
        extra["party_months"] = pmonths
        extra["party_pv"] = _volume_strings(parties["pv"], "pv", "parties")
    if ranks is not None:
        _require(ranks, "ranks", ["id", "month", "rank"])
        extra["rank_ids"], extra["rank_months"] = _whole_numbers(ranks, "ranks", ["id", "month"])
        extra["ranks"] = _names(ranks["rank"], "ranks", "rank")
    if titles is not None:
        _require(titles, "titles", ["id", "title"])
        (extra["title_ids"],) = _whole_numbers(titles, "titles", ["id"])
        extra["titles"] = _names(titles["title"], "titles", "title")
    table = _core.compute_commissions(
        plan._core, ids, sponsors, joins, quits, vids, vmonths, pv, retail, **extra
    )
    return pl.DataFrame(table)
