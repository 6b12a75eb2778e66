"""One self-contained HTML report of a simulation, and the directory a simulation is saved
in so that a report can be made from it later.

- :func:`save_result` writes a result's tables as Parquet with the seed, the package
  version, the months, the runs, a run id and a SHA-256 hash of the plan and of the
  scenario in each file's metadata, and ``plan.json`` / ``scenario.json`` beside them (the
  hashes are those files' SHA-256), so the directory alone is enough to reproduce or
  report the run. The directory is written whole or not at all, with a ``manifest.json``
  naming every file's SHA-256 (:mod:`downline.resultdir`).
- :func:`load_result` reads such a directory back into a :class:`~downline.SimulationResult`,
  refusing one that is not one whole result.
- :func:`write_report` writes the report: inline SVG figures and inline CSS, no scripts,
  nothing fetched from the network; written to a temporary file and renamed, so a reader
  never sees half a report.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import io
import json
import os
import re
import subprocess
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Union

import polars as pl

import downline as dl
from downline import analytics, display
from downline.display import esc, fmt_count, fmt_money, fmt_share, table
from downline.resultdir import (
    ResultDirError,
    check_target,
    new_run_id,
    pid_alive,
    read_manifest,
    write_whole,
)

PathLike = Union[str, "os.PathLike[str]"]

TABLES = ("monthly", "bonuses", "ranks", "runs", "distributors")
#: Keys of the Parquet file metadata written by :func:`save_result`.
META_KEYS = ("downline.version", "downline.seed", "downline.months", "downline.runs",
             "downline.plan_sha256", "downline.scenario_sha256")


# ----------------------------------------------------------------------------- saving


def canonical_json(spec: dict[str, Any]) -> str:
    """The JSON text a plan or scenario is saved as (sorted keys, so it hashes stably)."""
    return json.dumps(spec, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def spec_hash(obj: Any) -> str:
    """SHA-256 (hex) of a Plan's or Scenario's canonical JSON: the same plan gives the same
    hash whatever file format or field order it was written in."""
    return hashlib.sha256(canonical_json(obj.to_dict()).encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=1)
def build_id() -> str:
    """Which build of downline is running: ``git describe --always --dirty`` of the source
    tree the package is imported from when that is a git checkout (``make build`` installs
    it in place), else the commit a VCS install recorded (PEP 610 ``direct_url.json``),
    else ``"unknown"``. Read on the Python side: the core does not record its commit."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True, text=True, timeout=10, check=False)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        text = distribution("downline").read_text("direct_url.json") or "{}"
        commit = (json.loads(text).get("vcs_info") or {}).get("commit_id")
    except (PackageNotFoundError, ValueError, AttributeError):  # no or odd metadata
        commit = None
    return str(commit)[:12] if commit else "unknown"


def run_ranges(runs: Sequence[int]) -> str:
    """Runs as ranges: [0, 1, 2, 5] → ``"0–2, 5"``; none → ``"none"``."""
    runs = sorted(runs)
    if not runs:
        return "none"
    parts, start, prev = [], runs[0], runs[0]
    for x in [*runs[1:], None]:
        if x is not None and x == prev + 1:
            prev = x
            continue
        parts.append(f"{start}" if start == prev else f"{start}–{prev}")
        if x is not None:
            start = prev = x
    return ", ".join(parts)


def result_metadata(res: Any) -> dict[str, str]:
    """The key-value metadata written into every Parquet file of a saved result: the
    version and build (:func:`build_id`) of downline, the seed, months and runs, the
    hashes and names of the plan and scenario, and ``downline.people_runs``: the runs whose
    per-person rows were kept (:func:`run_ranges`)."""
    return {
        "downline.version": dl.__version__,
        "downline.build": build_id(),
        "downline.people_runs": run_ranges(analytics.kept_runs(res)),
        "downline.seed": str(res.seed),
        "downline.months": str(res.months),
        "downline.runs": str(res.n_runs),
        "downline.plan_sha256": spec_hash(res.plan),
        "downline.scenario_sha256": spec_hash(res.scenario),
        "downline.plan_name": res.plan.name,
        "downline.scenario_name": res.scenario.to_dict().get("name") or "",
    }


def _atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    _remove_stale_parts(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


#: Every file of a saved result besides ``manifest.json``.
RESULT_FILES = (*(f"{t}.parquet" for t in TABLES), "plan.json", "scenario.json")


def _remove_stale_parts(path: Path) -> None:
    """Remove the temporary files of writers of ``path`` that were killed (SIGKILL leaves
    no chance to clean up): ``.NAME.<pid>.part`` whose process no longer runs."""
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(\d+)\.part$")
    if not path.parent.is_dir():
        return
    for entry in path.parent.iterdir():
        m = pattern.match(entry.name)
        if m and int(m[1]) != os.getpid() and not pid_alive(int(m[1])):
            entry.unlink(missing_ok=True)


def save_result(res: Any, directory: PathLike) -> list[Path]:
    """Write ``<table>.parquet`` for each table (with :func:`result_metadata` and one
    ``downline.run_id`` in the file metadata), ``plan.json``, ``scenario.json`` and last
    ``manifest.json`` (every file's size and SHA-256, and the run id), into a new directory
    renamed into place: ``directory`` is then the whole new result, or — if the write is
    interrupted — what it was before. An existing ``directory`` must be empty or a saved
    result (with the report made from it); it is replaced as a whole. Returns the Parquet
    paths."""
    run_id = new_run_id()
    meta = {**result_metadata(res), "downline.run_id": run_id}
    def parquet(df: pl.DataFrame) -> Callable[[Path], None]:
        return lambda p: df.write_parquet(p, metadata=meta)

    files = [(f"{name}.parquet", parquet(getattr(res, name))) for name in TABLES]
    for name, obj in (("plan.json", res.plan), ("scenario.json", res.scenario)):
        text = canonical_json(obj.to_dict())
        files.append((name, lambda p, text=text: p.write_text(text, encoding="utf-8")))
    d = write_whole(directory, run_id, files, replaceable=_REPLACEABLE)
    return [d / f"{t}.parquet" for t in TABLES]


#: What a saved result's directory may hold besides its own files and still be replaced.
_REPLACEABLE = ("report.html",)


def check_save_target(directory: PathLike) -> Path:
    """Raise :class:`ResultDirError` now if :func:`save_result` could not write to
    ``directory`` (an empty name, a file, a directory holding other files); returns the
    absolute path. Lets the command line refuse ``--out`` before a long simulation."""
    return check_target(directory, (*RESULT_FILES, *_REPLACEABLE))


def read_metadata(directory: PathLike) -> dict[str, str]:
    """The downline metadata of a saved result (from ``runs.parquet``)."""
    p = Path(directory) / "runs.parquet"
    try:
        meta = pl.read_parquet_metadata(p)
    except Exception as e:  # noqa: BLE001 - polars raises several kinds for a bad file
        raise ResultDirError(f"{p}: cannot read Parquet metadata ({e})") from None
    return {k: v for k, v in meta.items() if k.startswith("downline.")}


class SavedResult(dl.SimulationResult):
    """A result read back from a ``downline simulate --out`` directory by
    :func:`load_result`. Its per-person rows stay on disk until ``distributors`` is first
    read; the analytics read them a few runs at a time (:meth:`people_scan`), so a report
    on a large result needs memory for one chunk of runs, not for every person."""

    def __init__(self, directory: Path, **kw: Any) -> None:
        self._dir = Path(directory)
        self._people: pl.DataFrame | None = None
        super().__init__(distributors=None, **kw)

    @property  # type: ignore[override]
    def distributors(self) -> pl.DataFrame:
        """One row per (run, distributor) of the kept runs, read from disk when first used."""
        if self._people is None:
            self._people = pl.read_parquet(self._people_file())
        return self._people

    @distributors.setter
    def distributors(self, value: pl.DataFrame | None) -> None:
        self._people = value

    def people_token(self) -> Any:
        """What identifies the per-person rows, for the analytics' cache: the file until
        they are read, then the DataFrame."""
        return self._dir if self._people is None else self._people

    def people_scan(self) -> pl.LazyFrame | None:
        """A lazy scan of the per-person rows, or None once they are in memory."""
        if self._people is not None:
            return None
        return pl.scan_parquet(self._people_file())

    def _people_file(self) -> Path:
        """The per-person file, after checking that it still belongs to the result that
        was loaded (the directory may have been replaced by a new result since)."""
        p = self._dir / "distributors.parquet"
        want = (getattr(self, "metadata", None) or {}).get("downline.run_id")
        if want is not None:
            try:
                theirs = pl.read_parquet_metadata(p).get("downline.run_id")
            except Exception:  # noqa: BLE001 - a missing or unreadable file
                theirs = None
            if theirs != want:
                raise ResultDirError(f"{p}: no longer belongs to the result loaded from "
                                     f"{self._dir} (run {want}); load the directory again")
        return p

    def __repr__(self) -> str:
        return (f"<downline.SimulationResult {self.n_runs} runs × {self.months} months, seed "
                f"{self.seed}; per-person rows in {self._dir / 'distributors.parquet'}>")


def load_result(directory: PathLike) -> dl.SimulationResult:
    """Read a directory written by :func:`save_result` (``downline simulate --out DIR``).
    Checks that it is one whole result — ``manifest.json`` names every file with the
    SHA-256 it still has, and every table carries the manifest's run id — that the metadata
    is present and that ``plan.json`` and ``scenario.json`` still hash to what the tables
    were simulated with; raises :class:`ResultDirError` otherwise. The per-person rows are
    read when first needed (:class:`SavedResult`)."""
    d = Path(directory)
    if not d.is_dir():
        raise ResultDirError(f"{d}: no such directory (make one with `downline simulate "
                             "PLAN SCENARIO --out DIR`)")
    run_id = read_manifest(d, RESULT_FILES)["run_id"]
    for t in TABLES:
        p = d / f"{t}.parquet"
        try:
            theirs = pl.read_parquet_metadata(p).get("downline.run_id")
        except Exception as e:  # noqa: BLE001 - polars raises several kinds for a bad file
            raise ResultDirError(f"{p}: cannot read Parquet metadata ({e})") from None
        if theirs != run_id:
            raise ResultDirError(f"{p}: belongs to run {theirs}, not to run {run_id} of "
                                 "manifest.json; the directory mixes two results")
    meta = read_metadata(d)
    absent = [k for k in META_KEYS if k not in meta]
    if absent:
        raise ResultDirError(f"{d / 'runs.parquet'}: no {', '.join(absent)} in the file "
                             "metadata; simulate again with `downline simulate --out`")
    plan = dl.Plan.load(d / "plan.json")
    scenario = dl.Scenario.load(d / "scenario.json")
    for what in ("plan", "scenario"):
        # the file's own bytes, as written: a newer build that adds optional fields to the
        # plan's dict form still reads a directory an older build wrote
        digest = hashlib.sha256((d / f"{what}.json").read_bytes()).hexdigest()
        if digest != meta[f"downline.{what}_sha256"]:
            raise ResultDirError(f"{d / (what + '.json')}: does not match the {what} the tables "
                                 "were simulated with (its SHA-256 differs)")
    try:
        tables = {t: pl.read_parquet(d / f"{t}.parquet") for t in TABLES if t != "distributors"}
        pl.read_parquet_schema(d / "distributors.parquet")
        months, runs, seed = (int(meta[f"downline.{k}"]) for k in ("months", "runs", "seed"))
    except Exception as e:  # noqa: BLE001
        raise ResultDirError(f"{d}: cannot read the tables ({e})") from None
    res = SavedResult(d, **tables, months=months, n_runs=runs, seed=seed, plan=plan,
                      scenario=scenario)
    res.metadata = meta
    return res


# ---------------------------------------------------------------------------- figures


def svg(fig: Any) -> str:
    """A matplotlib figure as inline SVG markup (no XML prologue), text kept as text."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "downline"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


# ----------------------------------------------------------------------------- tables


def _fmt(v: Any, kind: str, cur: str = "") -> str:
    if v is None:
        return "–"
    if kind == "share":
        return fmt_share(v)
    if kind == "money":
        return fmt_money(v)
    if kind == "cents":
        return fmt_money(v, cents=True)
    if kind == "count":
        return fmt_count(v)
    return f"{v:.3g}" if isinstance(v, float) else esc(v)


def _long_table(df: pl.DataFrame, specs: Sequence[tuple[str, str, str]]) -> str:
    """A long summary (metric, mean, p05, p95) shown as label | mean | 90% of runs."""
    rows = {r["metric"]: r for r in df.iter_rows(named=True)}
    out = []
    for metric, label, kind in specs:
        r = rows.get(metric)
        if r is None:
            continue
        out.append([label, _fmt(r["mean"], kind),
                    f"{_fmt(r['p05'], kind)} to {_fmt(r['p95'], kind)}"])
    return table(["figure", "mean of runs", "90% of runs"], out, numeric=(1, 2))


MissingPeople = (analytics.MissingColumnError, ValueError)


class _Report:
    def __init__(self, res: Any, consumed_share: float | None,
                 cost_of_goods: Any = None) -> None:
        self.res = res
        #: the cost of goods given for the books (None: the plan's, else before it)
        self.cost_of_goods = cost_of_goods
        self.cur = res.plan.currency
        # the caller's share, else the scenario's purchases.consumed_share, else 0.5
        self.cs = analytics._consumed_share(res, consumed_share)
        self.parts: list[str] = []
        self.toc: list[tuple[str, str]] = []
        self.figures = 0
        self.notes: list[str] = []
        try:
            self.kept = analytics.kept_runs(res)
        except MissingPeople:
            self.kept = []
        #: whether the net results count the stock the simulation modelled
        self.stock = bool(self.kept) and analytics._people_have_inventory(res)
        #: a consumed share given for a result with modelled stock, not used
        self.unused_cs: float | None = None
        if self.stock:
            modelled = analytics._consumed_share(res, None)
            if consumed_share is not None and abs(consumed_share - modelled) > 1e-12:
                self.unused_cs = consumed_share
            self.cs = modelled

    def people_runs(self) -> str:
        """Which runs the per-person figures use, in words."""
        k, n = len(self.kept), self.res.n_runs
        if k == n:
            return f"all {n} runs"
        return (f"the {k} of {n} runs whose per-person rows were kept (runs "
                f"{run_ranges(self.kept)})")

    def uses(self, text: str) -> None:
        """Say which runs a section uses."""
        self.parts.append(f'<p class="runs muted">{esc(text)}</p>')

    def h2(self, anchor: str, title: str) -> None:
        self.toc.append((anchor, title))
        self.parts.append(f'<h2 id="{esc(anchor)}">{esc(title)}</h2>')

    def p(self, text: str) -> None:
        self.parts.append(f"<p>{esc(text)}</p>")

    def raw(self, html_: str) -> None:
        self.parts.append(html_)

    def _figure_html(self, make: Callable[[], Any], caption: str) -> str:
        fig = make()
        self.figures += 1
        return (f'<figure class="fig" data-figure="{self.figures}">{svg(fig)}'
                f"<figcaption>Figure {self.figures}. {esc(caption)}</figcaption></figure>")

    def figure(self, make: Callable[[], Any], caption: str) -> None:
        self.parts.append(self._figure_html(make, caption))

    def figure_row(self, *figs: tuple[Callable[[], Any], str]) -> None:
        """Figures side by side (they wrap on a narrow screen)."""
        inner = "".join(self._figure_html(make, caption) for make, caption in figs)
        self.parts.append(f'<div class="figrow">{inner}</div>')

    def guarded(self, what: str, body: Callable[[], None]) -> None:
        """Run a section; if the result lacks what it needs, say so instead."""
        try:
            body()
        except analytics.MissingColumnError as e:
            self.note(f"{what} is not available for this result: {e}")
        except ValueError as e:
            if "distributors is empty" not in str(e):
                raise
            self.note(f"{what} is not available: the per-distributor rows were not kept "
                      "(simulate with keep_distributors=True, or without --keep-runs 0).")

    def note(self, text: str) -> None:
        self.notes.append(text)
        self.parts.append(f'<p class="note">{esc(text)}</p>')


def _summaries(res: Any) -> dict[str, dict[str, Any]]:
    return {r["metric"]: r for r in res.summary().iter_rows(named=True)}


def _host_finding(res: Any) -> list[str]:
    """A key finding on host rewards, for a plan that pays them."""
    if not display.has_host_rewards(res.plan) or "host_rewards" not in res.runs.columns:
        return []
    ratio = res.runs.select(
        (pl.col("host_rewards").cast(pl.Float64) / pl.col("volume_value").cast(pl.Float64))
        .filter(pl.col("volume_value").cast(pl.Float64) > 0).median()
    ).item()
    if ratio is None:
        return []
    return [(f"On top of the commissions, the company gives party hosts {fmt_share(ratio)} "
             "of volume value in host rewards (median of runs); hosts are customers, so these "
             "are not part of the payout.")]


def _books_finding(r: _Report) -> list[str]:
    """A key finding on the company's books: the margin the plan leaves, and losses."""
    try:
        books, known = books_for(r.res, r.cost_of_goods)
    except ValueError:
        return []
    s = {x["metric"]: x for x in books.summary.iter_rows(named=True)}
    share, be = s["margin_share"], s["breakeven_cost_of_goods"]
    if known:
        text = (f"With the product costing {100 * books.cost_of_goods:g}% of revenue, the "
                f"plan leaves the company {fmt_share(share['p50'])} of its revenue after the "
                f"product and the commissions (median of runs; 90% of runs: "
                f"{fmt_share(share['p05'])} to {fmt_share(share['p95'])}), for everything "
                "else a company pays for.")
    else:
        text = (f"Before the cost of goods (not given), the plan leaves the company "
                f"{fmt_share(share['p50'])} of its revenue (median of runs): it loses money "
                f"only if the product costs more than {fmt_share(be['p50'])} of revenue.")
    if books.losses.height:
        text += (" It leaves less than nothing in month"
                 f"{'s' if books.losses.height > 1 else ''} "
                 f"{run_ranges(books.losses['month'].to_list())} in at least one run.")
    return [text]


def _key_findings(r: _Report) -> None:
    res, s = r.res, _summaries(r.res)
    items = [
        (f"The company pays {fmt_share(s['payout_ratio']['p50'])} of volume value in "
        f"commissions (median of all {res.n_runs} runs; 90% of runs: "
        f"{fmt_share(s['payout_ratio']['p05'])} to {fmt_share(s['payout_ratio']['p95'])})."),
        *_host_finding(res),
        *_books_finding(r),
    ]
    try:
        ed = {x["metric"]: x["mean"] for x in
              analytics.earnings_distribution(res).iter_rows(named=True)}
        items += [
            (f"{fmt_share(ed['share_zero'])} of everyone who ever joined were paid nothing by "
            "the company."),
            f"The top 1% of earners receive {fmt_share(ed['top1_share'])} of all commissions.",
            ("The median person who joined was paid "
            f"{fmt_money(ed['median'], cents=True)} {r.cur} over {res.months} months; the "
            f"mean is {fmt_money(ed['mean'], cents=True)} {r.cur}."),
        ]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nr = {x["metric"]: x["mean"] for x in
                  analytics.net_results(res, r.cs).iter_rows(named=True)}
        items.append(f"{fmt_share(nr['share_loss'])} lost money: their fees, business "
                     "expenses and "
                     + ("stock they neither used nor sold (less refunds and its buy-back "
                        "value)" if r.stock else "purchases beyond their own use")
                     + " came to more than what they were paid (the definition of the net "
                     "results below).")
        if r.stock:
            items.append(inventory_words(res, analytics.inventory_summary(res)))
        s12 = analytics.retention(res).filter(pl.col("months") == 12)["survival"]
        if s12.len():
            items.append(f"{fmt_share(s12[0])} of people are still in 12 months after joining.")
        if len(r.kept) < res.n_runs:
            items.append(f"Figures about people use {r.people_runs()}; figures about the "
                         f"company use all {res.n_runs} runs.")
    except MissingPeople:
        items.append(f"{fmt_share(s['share_earning_nothing']['mean'])} of everyone who ever "
                     "joined were paid nothing by the company (mean of runs). The per-person "
                     "rows were not kept, so who lost money is not known; fees and business "
                     "expenses alone exceeded earnings and retail margin for "
                     f"{fmt_share(s['share_net_loss']['mean'])} (purchases not counted).")
    r.raw('<ul class="findings">' + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


def _plan_section(r: _Report) -> None:
    r.h2("plan", "The plan in words")
    r.raw("<ul>" + "".join(f"<li>{esc(s)}</li>" for s in display.plan_sentences(r.res.plan))
          + "</ul>")
    r.raw(display.plan_html(r.res.plan, wrap=False))


def _scenario_words(r: _Report) -> None:
    r.h2("scenario", "The scenario in words")
    r.p("What the simulated world does — assumptions, not rules of the plan. All of its values "
        "are listed under Assumptions at the end.")
    r.raw("<ul>" + "".join(f"<li>{esc(s)}</li>" for s in
                           display.scenario_sentences(r.res.scenario)) + "</ul>")


def _company(r: _Report) -> None:
    from downline import plot

    res = r.res
    r.h2("company", "The company's view")
    r.uses(f"All {res.n_runs} runs.")
    r.p("What the plan costs the company. The payout ratio is the commissions the company "
        "pays (after the cap) divided by the value of all volume. Breakage is what the plan "
        "would have paid had every participant qualified every month, minus what it paid.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = analytics.payout_summary(res)
    c = f", {r.cur}"
    hosts = display.has_host_rewards(res.plan)
    if hosts:
        r.p("Host rewards are what the company gives the hosts of parties — customers, not "
            "distributors — valued as the plan values them. They are a cost to the company "
            "but not commissions: they are outside the payout, the payout ratio and the cap, "
            "and shown apart.")
    host_rows = [
        ("host_rewards", "host rewards (paid by the company to party hosts)" + c, "money"),
        ("host_rewards_ratio", "host rewards ÷ volume value", "share"),
    ] if hosts else []
    r.raw(_long_table(summary, [
        ("payout_ratio", "payout ratio (commissions ÷ volume value)", "share"),
        ("volume_value", "volume value" + c, "money"),
        ("payout", "commissions paid by the company" + c, "money"),
        ("capped", "withheld by the cap" + c, "money"),
        ("potential_payout_ratio", "payout ratio had everyone qualified", "share"),
        ("breakage", "breakage" + c, "money"),
        ("breakage_share", "breakage ÷ payout had everyone qualified", "share"),
        ("retail_profit", "retail margin (paid by customers, not the company)" + c, "money"),
        *host_rows,
        ("cost_per_active_month", "commissions per participant-month" + c, "cents"),
    ]))
    if "breakage" not in res.monthly.columns:
        r.note("Breakage needs the payout_if_all_qualified and breakage columns, which this "
               "result's core does not provide.")
    r.figure_row(
        (lambda: plot.fan_chart(res, "payout_ratio"),
         "Payout ratio by month: median and the bands holding 50% and 90% of runs."),
        (lambda: plot.fan_chart(res, "active"),
         "Participating distributors by month across runs."))
    r.raw("<h3>Payout by bonus</h3>")
    by = analytics.payout_by_bonus(res)
    rows = []
    parts = by.partition_by(["bonus", "kind", "paid_by_company", "paid_to"], as_dict=True,
                            maintain_order=True)
    for (name, kind, company, to), g in parts.items():
        m = {x["metric"]: x for x in g.iter_rows(named=True)}
        in_payout = company and to != "host"
        who = ("customers" if not company else
               display.paid_by("host_rewards") if to == "host" else "company")
        rows.append([name, kind or "", who, fmt_money(m["amount"]["mean"]),
                     fmt_share(m["share_of_payout"]["mean"]) if in_payout else "–",
                     fmt_share(m["share_of_volume_value"]["mean"])])
    r.raw(table(["bonus", "kind", "paid by", f"amount, {r.cur} (mean of runs)",
                 "share of commissions", "share of volume value"], rows, numeric=(3, 4, 5)))
    r.figure(lambda: plot.payout_by_bonus(res), "Commissions paid each month by bonus (mean "
             "of runs), with the cap when the plan has one.")
    r.figure(lambda: plot.rank_counts(res), "Distributors paid as each rank by month (median "
             "of runs). Bands (90% of runs) only where the rank is held in at least 95% of "
             "runs.")


# ------------------------------------------------------------------------ the books


def books_for(res: Any, cost_of_goods: Any = None) -> tuple[analytics.CompanyBooks, bool]:
    """The company's books with the cost of goods given, else the plan's; without either,
    the books before the cost of goods (``cost_of_goods=0``, said so wherever they are
    shown). Returns the books and whether a cost of goods was known."""
    known = cost_of_goods if cost_of_goods is not None else analytics._plan_cost_of_goods(res)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        books = analytics.company_books(res, known if known is not None else 0)
    return books, known is not None


def books_losses_words(books: analytics.CompanyBooks) -> str:
    """Where the plan makes the company lose money, in one sentence."""
    s = {r["metric"]: r for r in books.summary.iter_rows(named=True)}
    n = len(books.runs)
    if not books.losses.height:
        return (f"In none of the {n} runs did the plan leave the company less than nothing "
                "in any month.")
    months = books.losses["month"].to_list()
    worst = books.losses.sort(["share_of_runs", "month"], descending=[True, False]).row(
        0, named=True)
    if len(months) == 1:
        text = (f"The plan left the company less than nothing in month {months[0]} in "
                f"{fmt_share(worst['share_of_runs'])} of runs")
    else:
        text = (f"The plan left the company less than nothing in months "
                f"{run_ranges(months)} in at least one run (most often in month "
                f"{worst['month']}: {fmt_share(worst['share_of_runs'])} of runs); "
                f"{fmt_share(s['any_loss_month']['mean'])} of runs had such a month")
    lost = s["loss"]["mean"]
    text += (f", and over all {books_months(books)} months {fmt_share(lost)} of runs lost "
             "money." if lost else ", but no run lost money over the whole horizon.")
    deep = s["deepest_cumulative_loss"]
    cur = f" {books.currency}" if books.currency else ""
    if deep["p50"]:
        text += (f" At its lowest, the margin so far stood {fmt_money(deep['p50'])}{cur} "
                 f"below zero (median of runs; 95th percentile {fmt_money(deep['p95'])}).")
    elif deep["p95"]:
        text += (f" In the worst runs the margin so far went {fmt_money(deep['p95'])}{cur} "
                 "below zero (95th percentile of runs).")
    return text


def books_months(books: analytics.CompanyBooks) -> int:
    m = books.monthly
    return int(m["month"].max()) if m.height else 0


def books_cost_words(books: analytics.CompanyBooks, known: bool) -> str:
    """What the books assume about the cost of goods."""
    s = {r["metric"]: r for r in books.summary.iter_rows(named=True)}
    be = s["breakeven_cost_of_goods"]
    if known:
        return (f"Cost of goods: {100 * books.cost_of_goods:g}% of revenue. The plan would "
                f"leave nothing at a cost of goods of {fmt_share(be['p50'])} of revenue "
                f"(median of runs; 90% of runs: {fmt_share(be['p05'])} to "
                f"{fmt_share(be['p95'])}).")
    return ("The cost of goods was not given, so these books stop before it: the margin is "
            "what is left for the product and everything else. " + books_breakeven_words(books)
            + " Give it with downline report DIR --cost-of-goods 0.25, or cost_of_goods= in "
            "Python.")


def books_breakeven_words(books: analytics.CompanyBooks) -> str:
    """The cost of goods at which the plan leaves the company nothing, in words, with the
    public figures to hold it against."""
    be = {r["metric"]: r for r in books.summary.iter_rows(named=True)}[
        "breakeven_cost_of_goods"]
    return (f"The plan leaves the company money as long as its cost of goods stays below "
            f"{fmt_share(be['p50'])} of revenue (median of runs; 90% of runs: "
            f"{fmt_share(be['p05'])} to {fmt_share(be['p95'])}); supplement and skin-care "
            "companies report 17–26%, Tupperware 33% (gross margins in their filings; "
            "docs/analytics.md).")


def _books_rows(res: Any, books: analytics.CompanyBooks, known: bool) -> list[
        tuple[str, str, str]]:
    """(metric, label, kind) of the books' horizon table, for this result."""
    c = f", {books.currency}" if books.currency else ""
    m = res.monthly.columns
    rows = [
        ("revenue", "revenue: product sold at the company's prices" + c, "money"),
        ("sales_at_retail", "the same product at what its end buyers paid" + c, "money"),
        ("fees", "fees collected (enrollment, annual)" + c, "money"),
    ]
    if known:
        rows.append(("cost_of_goods",
                     f"cost of goods ({100 * books.cost_of_goods:g}% of revenue){c}", "money"))
    rows.append(("commissions", "commissions paid to distributors" + c, "money"))
    if display.has_host_rewards(res.plan):
        rows.append(("host_rewards", "host rewards given to party hosts" + c, "money"))
    if "refunds" in m:
        rows.append(("refunds", "refunds for returned product" + c, "money"))
    if "chargebacks" in m:
        rows.append(("chargebacks", "commissions charged back on returns" + c, "money"))
    what = "margin the plan leaves the company" if known else "margin before the cost of goods"
    rows += [
        ("margin", what + c, "money"),
        ("margin_share", what + " ÷ revenue", "share"),
        *([("breakeven_cost_of_goods", "cost of goods at which the margin is zero", "share")]
          if known else []),
        ("loss_months", "months in which the company lost money", "count"),
        ("deepest_cumulative_loss", "deepest the margin so far went below zero" + c, "money"),
    ]
    return rows


def _books(r: _Report) -> None:
    from downline import plot

    res = r.res
    r.h2("books", "The company's books")
    try:
        books, known = books_for(res, r.cost_of_goods)
    except ValueError as e:
        r.note(f"The company's books are not available for this result: {e}")
        return
    r.uses(f"All {res.n_runs} runs." if len(books.runs) == res.n_runs else
           f"The {len(books.runs)} of {res.n_runs} runs whose per-person rows were kept (runs "
           f"{run_ranges(list(books.runs))}): the annual fees of a month need them.")
    r.p("What the plan leaves the company: the revenue from the product it sells, at its "
        "own prices, and the fees it collects, minus what the product cost, the commissions"
        + (", the host rewards" if display.has_host_rewards(res.plan) else "")
        + (" and the refunds for returned product (net of commissions charged back)"
           if "refunds" in res.monthly.columns else "")
        + ". This is what remains for everything else a company pays for — staff, "
        "shipping, marketing, rent, taxes — so it is not the company's profit. Fees are "
        "counted in the month they fall due: the enrollment fee in the join month, the "
        "annual fee every 12 months of membership.")
    r.p(books_cost_words(books, known))
    rows = []
    s = {x["metric"]: x for x in books.summary.iter_rows(named=True)}
    for metric, label, kind in _books_rows(res, books, known):
        x = s.get(metric)
        if x is None:
            continue
        # the margin's share of revenue is the next row, with its interval
        share = None if metric == "margin" else s.get(f"{metric}_share")
        rows.append([label, _fmt(x["p50"], kind),
                     f"{_fmt(x['p05'], kind)} to {_fmt(x['p95'], kind)}",
                     fmt_share(share["p50"]) if share is not None and kind == "money"
                     else ("100%" if metric == "revenue" else "")])
    r.raw(table(["figure", "median of runs", "90% of runs", "÷ revenue (median of runs)"],
                rows, numeric=(1, 2, 3)))
    r.p(books_losses_words(books))
    cog = books.cost_of_goods
    r.figure_row(
        (lambda: plot.company_books(res, cog, "margin_share"),
         ("The margin the plan leaves the company each month as a share of that month's "
          "revenue: median and the bands holding 50% and 90% of runs; months shaded red "
          "are below zero in at least one run. Early months include the enrollment fees "
          "of the first joiners.")),
        (lambda: plot.company_books(res, cog, "cumulative_margin"),
         ("The margin so far, month by month: how much the plan has left the company since "
          "launch.")))


def _participants(r: _Report) -> None:
    from downline import plot

    res = r.res
    r.h2("participants", "The participant's view")
    r.p("Everyone who ever joined is counted, including people who quit and people paid "
        "nothing. Earnings are the commissions paid by the company over the whole horizon.")
    if r.kept:
        r.uses(f"Every figure of this section uses {r.people_runs()}.")

    def earnings() -> None:
        ed = analytics.earnings_distribution(res)
        c = f", {r.cur}"
        r.raw(_long_table(ed, [
            ("people", "everyone who ever joined (per run)", "count"),
            ("share_zero", "paid nothing", "share"),
            ("median", "median earnings" + c, "cents"),
            ("mean", "mean earnings" + c, "cents"),
            ("p75", "75th percentile" + c, "cents"),
            ("p90", "90th percentile" + c, "cents"),
            ("p99", "99th percentile" + c, "cents"),
            ("gini", "Gini coefficient", "number"),
            ("top1_share", "share of commissions to the top 1%", "share"),
            ("top10_share", "share of commissions to the top 10%", "share"),
        ]))
        r.figure_row(
            (lambda: plot.earnings_distribution(res),
             ("Earnings over the horizon of everyone who ever joined, log scale; people paid "
             "nothing cannot be drawn on it and are stated in the title.")),
            (lambda: plot.lorenz(res), ("Lorenz curve: the share of all commissions received "
             "by the lowest-earning share of everyone who joined.")))

    r.guarded("The earnings distribution", earnings)

    def net() -> None:
        r.raw("<h3>Net results</h3>")
        if r.stock:
            r.p("Net = commissions − commissions charged back + retail margin − enrollment "
                "and annual fees − business expenses − stock bought and neither used nor "
                "sold, less what the buy-back refunded and what the stock still held is "
                "worth. What people used and sold from their stock was simulated "
                f"({r.cs:.0%} of each order they chose used, the rest stocked, customers "
                "served from stock), so no share of purchases is assumed. Stock still held "
                "is valued as the plan's buy-back would value it: what it would refund for "
                "people still in at the end, nothing for people who quit. A loss is a net "
                "below −1.")
            if r.unused_cs is not None:
                r.note(f"The consumed share given ({r.unused_cs:g}) is not used: this result "
                       "models stock, and the simulation split each order with the "
                       f"scenario's {r.cs:g}.")
        else:
            r.p(f"Net = commissions + retail margin − enrollment and annual fees − business "
                f"expenses − purchases beyond the person's own use. Purchases made only to "
                f"meet the plan's monthly minimum count fully as a cost; of the orders people "
                f"chose, {1 - r.cs:.0%} are counted as a cost of the business and "
                f"{r.cs:.0%} as product they would have bought anyway. A loss is a net below "
                "−1.")
        nr = analytics.net_results(res, r.cs)
        c = f", {r.cur}"
        stock_rows = [
            ("mean_chargebacks", "mean commissions charged back" + c, "cents"),
            ("mean_excess_purchases",
             "mean stock neither used nor sold, less refunds and its value" + c, "cents"),
        ] if r.stock else [
            ("mean_excess_purchases", "mean purchases beyond own use" + c, "cents"),
        ]
        r.raw(_long_table(nr, [
            ("share_loss", "lost money (net below −1)", "share"),
            ("share_break_even", "broke even (within 1)", "share"),
            ("share_profit", "made a profit", "share"),
            ("median_net", "median net" + c, "cents"),
            ("mean_net", "mean net" + c, "cents"),
            ("mean_gross", "mean commissions + retail margin" + c, "cents"),
            ("mean_fees", "mean fees" + c, "cents"),
            ("mean_expenses", "mean business expenses" + c, "cents"),
            *stock_rows,
        ]))
        r.figure(lambda: plot.net_results(res, r.cs), "Net result per person over the horizon.")

    r.guarded("The net result per participant", net)

    def ret() -> None:
        r.raw("<h3>Retention</h3>")
        t = analytics.retention(res)
        pts = [m for m in (1, 3, 6, 12, 24, 36) if m <= t["months"].max()]
        rows = []
        for m in pts:
            g = t.filter(pl.col("months") == m)
            if g.height:
                x = g.row(0, named=True)
                rows.append([m, fmt_share(x["survival"]),
                             f"{fmt_share(x['run_p05'])} to {fmt_share(x['run_p95'])}",
                             display.fmt_per_run(x["at_risk_per_run"])])
        r.raw(table(["months since joining", "still in (Kaplan–Meier)", "90% of runs",
                     "people at risk, per run"], rows, numeric=(0, 1, 2, 3)))
        r.p("The share still in pools the people of every run used; the range is that of "
            "each run's own curve, what one simulated company could see. People at risk are "
            "those who joined at least that many months before the end and had not yet quit "
            "or been counted out, per run (one simulated company).")
        r.figure(lambda: plot.retention(res), "Share still in by months since joining "
                 "(Kaplan–Meier; people still in at the end are censored, not counted as "
                 "quitting); band: 90% of runs.")
        r.figure(lambda: plot.retention(res, by="max_rank"), "Retention by the highest rank "
                 "reached. Reaching a rank takes time, so this split favours people who "
                 "stayed. Bands only where every run has at least 10 people of the rank at "
                 "risk.")

    r.guarded("Retention", ret)


# ------------------------------------------------------------------------ inventory

#: Rows of the report's and the command line's inventory tables: (metric, label, kind).
INVENTORY_COMPANY_ROWS = [
    ("packages", "starter packages bought", "money"),
    ("stock_bought", "added to stock (bought, not used at once; packages included)", "money"),
    ("sold_from_stock", "sold from stock to retail customers", "money"),
    ("bought_back", "bought back from quitters (at cost)", "money"),
    ("refunds", "refunded for it", "money"),
    ("chargebacks", "commissions charged back on it", "money"),
    ("stock_held_end", "stock held by participants at the end", "money"),
    ("sold_share", "share of stock bought that was sold to customers", "share"),
    ("bought_back_share", "share of stock bought that was bought back", "share"),
]


def inventory_loading_rows(thresholds: Sequence[float] = (500, 1000),
                           cur: str = "") -> list[tuple[str, str, str]]:
    c = f", {cur}" if cur else ""
    return [
        ("package_share", "bought a starter package", "share"),
        ("inventory_loading", "inventory loading: bought, neither used nor sold" + c, "money"),
        ("loading_share", "loading ÷ everything participants bought", "share"),
        ("mean_loading", "loading per person, mean" + c, "cents"),
        ("median_loading", "loading per person, median" + c, "cents"),
        ("p90_loading", "loading per person, 90th percentile" + c, "cents"),
        *[(f"share_loading_over_{analytics._threshold_name(t)}",
           f"loading above {fmt_money(t)}{c}", "share") for t in thresholds],
        ("stock_held_at_quitting", "stock quitters kept, not bought back" + c, "money"),
        ("share_quitters_holding", "quitters left holding stock", "share"),
        ("mean_loading_quitters", "loading of a quitter, mean" + c, "cents"),
        ("mean_unrecovered_stock",
         "loading less refunds and the buy-back value of stock held, mean" + c, "cents"),
    ]


def inventory_words(res: Any, summary: pl.DataFrame) -> str:
    """The headline of the inventory figures in one sentence (medians of runs)."""
    s = {r["metric"]: r for r in summary.iter_rows(named=True)}
    cur = f" {res.plan.currency}" if res.plan.currency else ""
    over5, over10 = s.get("share_loading_over_500"), s.get("share_loading_over_1000")
    seventy = s.get("share_meeting_70")
    parts = []
    if over5 and over5["p50"] is not None:
        parts.append(
            f"{fmt_share(over5['p50'])} of everyone who joined bought more than 500{cur} of "
            f"product they neither used nor sold ({fmt_share(over10['p50'])} more than "
            f"1,000{cur}; median of runs)")
    if seventy and seventy["p50"] is not None:
        parts.append(
            f"{fmt_share(seventy['p50'])} of those who bought anything used or sold at least "
            f"70% of it (Amway's 70% rule, from modelled use and sales), and "
            f"{fmt_share(s['company_used_or_sold_share']['p50'])} of everything bought "
            "through participants was used or sold")
    parts.append(f"the buy-back took back {fmt_share(s['bought_back_share']['p50'])} of "
                 f"the stock bought, refunding {fmt_money(s['refunds']['p50'])}{cur} a run"
                 + (f", and charged back {fmt_money(s['chargebacks']['p50'])}{cur} of "
                    "commissions" if s["chargebacks"]["p50"] else ""))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _inventory(r: _Report) -> None:
    from downline import plot

    res = r.res
    if not analytics.has_inventory(res):
        return
    r.h2("inventory", "Inventory and buy-backs")
    r.p("What participants bought and did not use at once became their stock: the unused "
        "part of the orders they chose, everything bought to meet a minimum or to qualify, "
        "and the starter packages. Retail customers were served from it; what a person "
        "neither used nor sold is their inventory loading — the pattern the FTC and the "
        "courts read as a sign that purchases were made for the plan, not for use. At "
        "quitting, some asked the company to buy their stock back. All at cost (wholesale).")
    r.p(display.buyback_words(res.plan.to_dict(), note=False) or
        "The plan has no buy-back: no stock is ever bought back, and stock held is worth "
        "nothing to the company.")
    words = display.inventory_words(res.scenario)
    if words:
        r.p("The scenario: " + words[:1].lower() + words[1:])
    r.uses(f"Company figures: all {res.n_runs} runs. Figures about people: "
           + (r.people_runs() if r.kept else "none (no per-person rows were kept)") + ".")
    summary = analytics.inventory_summary(res)
    c = f", {r.cur}"
    rows = {x["metric"]: x for x in summary.iter_rows(named=True)}

    def tab(specs: Sequence[tuple[str, str, str]]) -> None:
        out = []
        for metric, label, kind in specs:
            x = rows.get(metric)
            if x is None or x["runs"] == 0:
                continue
            out.append([label, _fmt(x["p50"], kind),
                        f"{_fmt(x['p05'], kind)} to {_fmt(x['p95'], kind)}"])
        r.raw(table(["figure", "median of runs", "90% of runs"], out, numeric=(1, 2)))

    r.raw("<h3>Stock over the horizon (the company)</h3>")
    tab([(m, label + (c if kind == "money" else ""), kind)
         for m, label, kind in INVENTORY_COMPANY_ROWS])
    r.figure(lambda: plot.fan_chart(res, "stock_held"),
             "Stock held by participants at each month's end (at cost): median and the "
             "bands holding 50% and 90% of runs. Quitters' stock is not in it.")
    if not r.kept:
        r.note("Inventory loading and the 70% rule need the per-distributor rows, which were "
               "not kept (simulate with keep_distributors=True, or without --keep-runs 0).")
        return
    r.raw("<h3>Inventory loading (the participants)</h3>")
    r.p("Inventory loading is what a person bought and neither used nor sold to customers: "
        "what came back under the buy-back plus what they still hold — at the end, or when "
        "they quit. Everyone who ever joined is counted. For people still in at the end it "
        "includes stock they may yet sell.")
    tab(inventory_loading_rows(cur=r.cur))
    r.figure(lambda: plot.inventory_loading(res),
             "Everyone who ever joined by inventory loading: the share in each band (mean of "
             "runs) and the range holding 90% of runs.")
    r.raw("<h3>The 70% rule from modelled use and sales</h3>")
    r.p("Amway's 70% rule (In re Amway Corp., FTC 1979) asks that a distributor use or sell "
        "at least 70% of the product bought to be paid a bonus. Here it is computed from what "
        "the simulation modelled, not assumed: for each person, what they used, what they "
        "sold from stock and what their customers ordered through them, over everything "
        "bought through them (their purchases and their customers' orders). Horizon totals "
        "stand in for the rule's months, which favours the participant.")
    tab([("share_meeting_70", "people who bought anything and used or sold at least 70%",
          "share"),
         ("company_used_or_sold_share",
          "share of everything bought through participants that was used or sold", "share"),
         ("buyers", "people who bought anything (per run)", "count")])
    r.p(inventory_words(res, summary))


def _disclosure(r: _Report) -> None:
    res = r.res
    r.h2("disclosure", "Income disclosure")
    r.p("In the form the FTC staff's 2024 review of income disclosure statements asked for: "
        "everyone who ever joined is counted, grouped by the highest rank they reached, "
        "people paid nothing and people who quit included, with costs shown.")
    if r.kept:
        r.uses(f"Uses {r.people_runs()}.")

    def body() -> None:
        try:
            t = analytics.income_disclosure(res, net=True, consumed_share=r.cs)
            has_net = True
        except analytics.MissingColumnError:
            t = analytics.income_disclosure(res, net=False)
            has_net = False
            r.note("Net figures need the required_purchases column, which this result's core "
                   "does not provide; gross figures only.")
        head = ["highest rank", "people per run", "runs with anyone", "share of everyone",
                f"mean gross, {r.cur}", f"median gross, {r.cur}"]
        if has_net:
            head += [f"mean net, {r.cur}", f"median net, {r.cur}", "losing money"]
        rows = []
        for x in t.iter_rows(named=True):
            row = [x["rank"], display.fmt_per_run(x["people"]),
                   f"{x['runs_with_people']} of {x['runs']}",
                   display.fmt_share_small(x["share"]),
                   fmt_money(x["mean_gross"], cents=True), fmt_money(x["median_gross"], cents=True)]
            if has_net:
                row += [fmt_money(x["mean_net"], cents=True),
                        fmt_money(x["median_net"], cents=True),
                        fmt_share(x["share_losing_money"])]
            rows.append(row)
        r.raw(table(head, rows, numeric=tuple(range(1, len(head)))))
        r.raw('<p class="muted">People per run: the mean count in one simulated company. '
              "Money and losing money: the mean over the runs in which someone reached the "
              "rank (“runs with anyone”), so a rank reached in few runs rests on few people."
              "</p>")
        basis = t["basis"][0] if t.height else ""
        r.raw(f'<p class="muted">Basis: {esc(basis)}. Gross = commissions paid by the company; '
              f'“(none)” = never paid as any rank.</p>')

    r.guarded("The income disclosure table", body)


_SOURCE_LABELS = {
    "retail_customers": "retail customers' purchases",
    "preferred_customers": "preferred customers' purchases",
    "party_sales": "party sales (guests' orders)",
    "own_purchases": "the payee's own purchases",
    "downline_purchases": "downline participants' purchases",
    "fees": "enrollment and annual fees",
    "other": "not paid on volume (rank advancement)",
    "unattributed": "unattributed",
}


def _sources(r: _Report) -> None:
    from downline import plot

    res = r.res
    r.h2("sources", "Where the money comes from")
    r.p("Each commission the company paid is traced to the volume it was paid on: customers "
        "— people outside the plan: retail customers, preferred customers and the guests of "
        "parties — the payee's own purchases, or purchases by participants in the payee's "
        "downline. When most commissions are paid on participants' own purchases, the money "
        "comes from the participants themselves. Host rewards are not commissions and are in "
        "none of these rows.")
    r.uses(f"All {res.n_runs} runs.")

    def body() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = analytics.sources_of_money(res)
            per = analytics.sources_of_money(res, per_run=True)
        rows = []
        for (_src,), g in t.partition_by(["source"], as_dict=True, maintain_order=True).items():
            m = {x["metric"]: x for x in g.iter_rows(named=True)}
            rows.append([_SOURCE_LABELS.get(_src, _src), fmt_share(m["share"]["mean"]),
                         f"{fmt_share(m['share']['p05'])} to {fmt_share(m['share']['p95'])}",
                         fmt_money(m["amount"]["mean"])])
        r.raw(table(["commissions paid on", "share (mean of runs)", "90% of runs",
                     f"amount, {r.cur}"], rows, numeric=(1, 2, 3)))
        cust = (per.filter(pl.col("source").is_in(analytics.CUSTOMER_SOURCES))
                .group_by("run").agg(pl.col("share").sum())["share"])
        if cust.len():
            r.p(f"Paid on customers' purchases (retail, preferred and party together): "
                f"{fmt_share(cust.mean())} of the commissions (mean of runs).")
        r.figure(lambda: plot.sources_of_money(res), "Where the commissions come from.")

    r.guarded("Sources of money", body)


_CHECK_LABELS = {
    "herbalife_retail_share": "retail share of rewardable sales (Herbalife 2016)",
    "herbalife_rewardable_share": "rewardable share of all sales (Herbalife 2016)",
    "vemma_nonparticipant_share": "sales to non-participants (Vemma 2016)",
    "vemma_commissions_to_majority_downlines":
        "commissions to people whose downline sells mostly to non-participants (Vemma 2016)",
    "amway_70_sold_or_consumed": "product sold or consumed (Amway 1979, 70% rule)",
    "amway_70_commissions_to_compliant": "commissions to people meeting the 70% rule (Amway 1979)",
    "share_losing_money": "lost money (net below −1), share of everyone who joined",
}


def _compliance(r: _Report) -> None:
    res = r.res
    r.h2("compliance", "Compliance checks")
    r.p("Each check is a figure computed from the simulation and compared with a threshold "
        "taken from a regulatory order or rule. They are indicators for a reader who knows the "
        "orders, not legal conclusions; the thresholds can be changed in "
        "downline.analytics.compliance.")
    if r.kept:
        r.uses(f"Uses {r.people_runs()}, the company's sales in the same runs.")

    def body() -> None:
        t = analytics.compliance(res, consumed_share=r.cs)
        rows = []
        for x in t.iter_rows(named=True):
            ok = x["pass"]
            badge = ('<span class="pass">pass</span>' if ok else
                     '<span class="fail">fail</span>' if ok is not None else "–")
            rows.append([
                esc(_CHECK_LABELS.get(x["check"], x["check"])),
                esc(fmt_share(x["figure"])),
                esc(f"{fmt_share(x['p05'])} to {fmt_share(x['p95'])}"),
                esc(f"{x['comparison']} {fmt_share(x['threshold'])}"),
                badge,
                esc(fmt_share(x["runs_passing"], 0)),
                f'{esc(x["source"])}<br><span class="muted">{esc(x["note"])}</span>',
            ])
        r.raw(table(["check", "figure (mean)", "90% of runs", "test", "result", "runs passing",
                     "source and method"], rows, numeric=(1, 2, 3, 5), raw=True))

    r.guarded("The compliance checks", body)


def _assumptions(r: _Report) -> None:
    res = r.res
    r.h2("assumptions", "Assumptions")
    r.p(f"{res.n_runs} Monte Carlo runs of {res.months} months each, master seed {res.seed}. "
        + (f"Net results count the stock the simulation modelled ({r.cs:.0%} of each order "
           "people chose used, the rest stocked) and value stock still held as the plan's "
           "buy-back would. " if r.stock else
           f"Net results count {r.cs:.0%} of the orders people chose as their own "
           "consumption. ")
        + "The scenario's values (defaults filled in where the file left them out):")
    r.raw(display.scenario_html(res.scenario, wrap=False))
    r.raw(f'<p class="muted">Plan SHA-256 {esc(spec_hash(res.plan))}<br>Scenario SHA-256 '
          f'{esc(spec_hash(res.scenario))}</p>')


_CSS = """
:root{--ink:#1d2430;--muted:#5d6675;--line:#d9dde3;--accent:#2364aa}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
  color:var(--ink);background:#fff;line-height:1.5;font-size:15px}
main{max-width:1080px;margin:0 auto;padding:28px 32px 64px}
header{border-bottom:3px solid var(--accent);margin-bottom:18px;padding-bottom:10px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:21px;margin:36px 0 8px;padding-top:8px;border-top:1px solid var(--line)}
h3{font-size:17px;margin:22px 0 6px}
h4{font-size:15px;margin:14px 0 4px}
p,li{max-width:52em}
.muted,.downline-repr .muted{color:var(--muted);font-size:13px}
nav ol{columns:2;margin:6px 0 0;padding-left:20px}
nav a{color:var(--accent);text-decoration:none}
.findings{background:#f3f6fa;border-left:4px solid var(--accent);padding:10px 14px 10px 30px;
  margin:14px 0}
table{border-collapse:collapse;margin:8px 0 14px;font-size:14px}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f6f7f9;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure.fig{margin:14px 0 20px}
.figrow{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:18px}
.figrow figure.fig{margin:6px 0 14px}
figure.fig svg{max-width:100%;height:auto;display:block}
figcaption{color:var(--muted);font-size:13px;margin-top:4px;max-width:52em}
.note{background:#fff7e0;border-left:4px solid #e0a800;padding:6px 10px}
.pass{background:#dff3e4;color:#17602b;padding:1px 8px;border-radius:9px;font-weight:600}
.fail{background:#fbe3e3;color:#9b1c1c;padding:1px 8px;border-radius:9px;font-weight:600}
footer{margin-top:40px;color:var(--muted);font-size:13px;border-top:1px solid var(--line);
  padding-top:10px}
.dl-scroll{margin:8px 0 14px}
.dl-scroll table{margin:0}
th,th.n{white-space:normal}
@media print{main{max-width:none;padding:0}h2{break-before:auto}figure{break-inside:avoid}
  .dl-scroll{overflow:visible!important}
  table{font-size:10px;width:100%}th,td{padding:2px 4px}td.n{white-space:normal}
  .figrow{display:block}}
"""


def _made_by(res: Any) -> str:
    """Which downline simulated the result: from the saved metadata, else this one."""
    meta = getattr(res, "metadata", None) or {}
    version = meta.get("downline.version", dl.__version__)
    build = meta.get("downline.build") or (build_id() if not meta else "not recorded")
    return f"Simulated by downline {version} (build {build})."


def render_report(res: Any, consumed_share: float | None = None,
                  title: str | None = None, cost_of_goods: Any = None) -> str:
    """The report of ``res`` as one HTML document (a string). ``cost_of_goods`` (a share
    of revenue) is used by the company's books; without it the plan's, else the books stop
    before the cost of goods and say so."""
    import matplotlib

    r = _Report(res, consumed_share, cost_of_goods)
    scen = res.scenario.to_dict().get("name") or "scenario"
    title = title or f"{res.plan.name} under {scen}"
    with matplotlib.rc_context({"figure.dpi": 100}):
        _key_findings(r)
        _plan_section(r)
        _scenario_words(r)
        _company(r)
        _books(r)
        _participants(r)
        _inventory(r)
        _disclosure(r)
        _sources(r)
        _compliance(r)
        _assumptions(r)
    toc = "".join(f'<li><a href="#{esc(a)}">{esc(t)}</a></li>' for a, t in r.toc)
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} — downline report</title>"
        '<meta name="generator" content="downline ' + esc(dl.__version__) + '">'
        f"<style>{_CSS}</style></head>"
        f'<body data-figures="{r.figures}"><main>'
        f"<header><h1>{esc(title)}</h1>"
        f'<div class="muted">What the plan would pay, to whom, and how many stay or lose money: '
        f"{res.n_runs} simulated runs × {res.months} months, seed {res.seed}. "
        f"{esc(_made_by(res))} Report made on {esc(now)}.</div>"
        f'<div class="muted">Company figures: all {res.n_runs} runs. People figures: '
        f"{esc(r.people_runs() if r.kept else 'none (no per-person rows were kept)')}."
        "</div></header>"
        f"<nav><strong>Contents</strong><ol>{toc}</ol></nav>"
        + "".join(r.parts)
        + "<footer>Simulated figures, not forecasts: they follow from the plan and the "
        "assumptions above. Reproduce with <code>downline simulate PLAN SCENARIO --months "
        f"{res.months} --runs {res.n_runs} --seed {res.seed} --out DIR</code> and "
        "<code>downline report DIR</code>.</footer>"
        "</main></body></html>\n"
    )


def write_report(res_or_dir: Any, path: PathLike, consumed_share: float | None = None,
                 title: str | None = None, cost_of_goods: Any = None) -> Path:
    """Write one self-contained HTML report of a result (or of a directory written by
    ``downline simulate --out``) to ``path``: the plan and scenario in words, the company's
    view and its books (``cost_of_goods``: a share of revenue; without it the plan's, else
    the books stop before the cost of goods), the participants' view, the income disclosure table, the sources of money, the
    compliance checks and the assumptions, with inline SVG figures. The file is written to
    a temporary name beside ``path`` and renamed when complete. Returns the path."""
    res = res_or_dir
    if isinstance(res_or_dir, (str, os.PathLike)):
        res = load_result(res_or_dir)
    if not isinstance(res, dl.SimulationResult):
        raise TypeError("write_report: give a SimulationResult or a `downline simulate --out` "
                        "directory")
    if consumed_share is not None:
        analytics._check_share("consumed_share", consumed_share)
    if cost_of_goods is not None:
        analytics._share_of_revenue(cost_of_goods)
    out = Path(path)
    if not out.parent.is_dir():
        raise FileNotFoundError(f"{out.parent}: no such directory")
    html_ = render_report(res, consumed_share, title, cost_of_goods)
    return _atomic_write(out, lambda p: p.write_text(html_, encoding="utf-8"))


def count_svgs(html_: str) -> int:
    """The number of inline ``<svg`` elements in a document (for tests)."""
    return len(re.findall(r"<svg\b", html_))


# ------------------------------------------------------------------ two plans compared

_PLAN_COLORS = ("C0", "C1", "C2", "C3", "C4", "C5")


def _overlay(results: Sequence[Any], labels: Sequence[str], draw: Callable[..., Any],
             size: tuple[float, float] = (7.5, 4.2), **kw: Any) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    for res, lab, c in zip(results, labels, _PLAN_COLORS):
        draw(res, ax=ax, label=lab, color=c, **kw)
    return fig


def _fan_overlay(results: Sequence[Any], labels: Sequence[str], column: str) -> Any:
    from matplotlib.figure import Figure

    from downline import plot

    fig = Figure(figsize=(7.5, 4.2), layout="constrained")
    ax = fig.add_subplot()
    for res, lab, c in zip(results, labels, _PLAN_COLORS):
        plot._draw_fan(ax, plot._fan_table(res, column), c, lab)
    plot._format_fan_axis(ax, column, max(r.months for r in results))
    ax.set_ylabel(plot._label(results[0], column))
    ax.set_title(f"{plot._cap(plot._label(results[0], column))} by month")
    ax.legend(loc="best", fontsize="small", frameon=False)
    return fig


def _compliance_both(r: _Report, results: Sequence[Any], labels: Sequence[str],
                     cs: float) -> None:
    tables = []
    for res in results:
        try:
            tables.append({x["check"]: x for x in
                           analytics.compliance(res, consumed_share=cs).iter_rows(named=True)})
        except MissingPeople:
            tables.append({})
    checks = [c for c in _CHECK_LABELS if any(c in t for t in tables)]
    if not checks:
        r.note("The compliance checks need the per-person rows, which were not kept.")
        return
    head = ["check", "test"]
    for i, _lab in enumerate(labels):
        head += [f"{chr(65 + i)}: figure (mean)", f"{chr(65 + i)}: result"]
    rows = []
    for c in checks:
        first = next(t[c] for t in tables if c in t)
        row = [esc(_CHECK_LABELS[c]), esc(f"{first['comparison']} {fmt_share(first['threshold'])}")]
        for t in tables:
            x = t.get(c)
            if x is None:
                row += ["–", "–"]
                continue
            ok = x["pass"]
            row += [esc(fmt_share(x["figure"])),
                    '<span class="pass">pass</span>' if ok else
                    '<span class="fail">fail</span>' if ok is not None else "–"]
        rows.append(row)
    r.raw(table(head, rows, numeric=tuple(range(2, len(head), 2)), raw=True))


def render_comparison(cmp: Any, title: str | None = None,
                      consumed_share: float | None = None) -> str:
    """The comparison report of an :class:`~downline.analytics.Comparison` as one HTML
    document (a string)."""
    import matplotlib

    from downline import plot

    results, labels = list(cmp.results), list(cmp.labels)
    letters = [chr(65 + i) for i in range(len(labels))]
    base = results[0]
    r = _Report(base, consumed_share)
    cs = r.cs
    scen = base.scenario.to_dict().get("name") or "scenario"
    title = title or " vs ".join(labels) + f" under {scen}"
    with matplotlib.rc_context({"figure.dpi": 100}):
        r.h2("differences", "What changes")
        r.p(f"Every plan was simulated under the same scenario with the same seed, so each run "
            f"follows the same people making the same purchases under each plan (common random "
            f"numbers): the differences are the plans', not chance. Each figure is the median "
            f"of the runs (90% of runs below it); the difference is the mean of the per-run "
            f"differences from {labels[0]}, with its {cmp.conf:.0%} interval.")
        r.raw(cmp.html_table())
        r.h2("plans", "The plans in words")
        cols = "".join(
            f'<div class="plancol"><h3>{chr(65 + i)}: {esc(lab)}</h3><ul>'
            + "".join(f"<li>{esc(s)}</li>" for s in display.plan_sentences(res.plan))
            + "</ul></div>" for i, (res, lab) in enumerate(zip(results, labels)))
        r.raw(f'<div class="plans">{cols}</div>')
        r.h2("company", "The company's view")
        r.uses(f"All {base.n_runs} runs of each plan.")
        r.figure_row(
            (lambda: _fan_overlay(results, letters, "payout_ratio"),
             ("Payout ratio by month, each plan: median and the bands holding 50% and 90% "
             "of runs.")),
            (lambda: _fan_overlay(results, letters, "payout"),
             "Commissions paid by the company each month, each plan."))

        def people() -> None:
            r.uses(f"Uses {r.people_runs()} of each plan.")
            r.figure_row(
                (lambda: _overlay(results, letters, plot.earnings_distribution,
                          title="Earnings of everyone who ever joined, each plan"),
                 ("Earnings over the horizon of everyone who ever joined, log scale, each "
                 "plan; people paid nothing are stated in the legend.")),
                (lambda: _overlay(results, letters, plot.lorenz, size=(5.5, 5.0),
                          title="Lorenz curves of earnings, each plan"),
                 ("Lorenz curves of earnings: the share of all commissions received by the "
                 "lowest-earning share of everyone who joined.")))
            r.figure_row(
                (lambda: _overlay(results, letters, plot.retention,
                          title="Retention (Kaplan–Meier), each plan; band: 90% of runs"),
                 ("Retention (Kaplan–Meier) under each plan; band: 90% of runs. The scenario "
                 "decides who quits unless it reads the plan (quitting by rank or earnings), "
                 "so the curves often coincide.")),)
            rows = []
            for res, lab, letter in zip(results, labels, letters):
                nr = {x["metric"]: x for x in
                      analytics.net_results(res, cs).iter_rows(named=True)}
                rows.append([f"{letter}: {lab}", fmt_share(nr["share_loss"]["mean"]),
                             fmt_money(nr["median_net"]["mean"], cents=True),
                             fmt_money(nr["mean_net"]["mean"], cents=True),
                             fmt_money(nr["mean_gross"]["mean"], cents=True)])
            r.raw(table(["plan", "lost money", f"median net, {r.cur}",
                         f"mean net, {r.cur}", f"mean pay + retail margin, {r.cur}"], rows,
                        numeric=(1, 2, 3, 4)))
            r.p(f"Net = commissions + retail margin − fees − business expenses − purchases "
                f"beyond the person's own use ({cs:.0%} of chosen orders counted as own "
                "consumption); lost money = a net below −1.")

        r.h2("participants", "The participant's view")
        r.guarded("The participants' figures", people)
        r.h2("compliance", "Compliance checks, both plans")
        r.p("The same checks as in the single-plan report, for each plan: indicators for a "
            "reader who knows the orders, not legal conclusions.")
        r.guarded("The compliance checks", lambda: _compliance_both(r, results, labels, cs))
        _assumptions(r)
    toc = "".join(f'<li><a href="#{esc(a)}">{esc(t)}</a></li>' for a, t in r.toc)
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    css = _CSS + (".plans{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));"
                  "gap:18px}.plancol h3{margin-top:6px}.plancol li{font-size:14px}"
                  "td:first-child{min-width:15em}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} — downline comparison</title>"
        '<meta name="generator" content="downline ' + esc(dl.__version__) + '">'
        f"<style>{css}</style></head>"
        f'<body data-figures="{r.figures}"><main>'
        f"<header><h1>{esc(title)}</h1>"
        f'<div class="muted">{len(labels)} plans on the same simulated people: '
        f"{base.n_runs} runs × {base.months} months, seed {base.seed}. "
        f"{esc(_made_by(base))} Report made on {esc(now)}.</div></header>"
        f"<nav><strong>Contents</strong><ol>{toc}</ol></nav>"
        + "".join(r.parts)
        + "<footer>Simulated figures, not forecasts. Reproduce with <code>downline compare "
        + " ".join(esc(f"PLAN_{chr(65 + i)}") for i in range(len(labels)))
        + f" --scenario SCENARIO --months {base.months} --runs {base.n_runs} --seed "
        f"{base.seed} --html FILE</code>.</footer>"
        "</main></body></html>\n"
    )


def write_comparison_report(cmp: Any, path: PathLike, title: str | None = None,
                            consumed_share: float | None = None) -> Path:
    """Write :func:`render_comparison` of ``cmp`` to ``path`` (to a temporary name beside
    it, renamed when complete). Returns the path."""
    if not isinstance(cmp, analytics.Comparison):
        raise TypeError("write_comparison_report: give what downline.compare returns")
    out = Path(path)
    if not out.parent.is_dir():
        raise FileNotFoundError(f"{out.parent}: no such directory")
    html_ = render_comparison(cmp, title, consumed_share)
    return _atomic_write(out, lambda p: p.write_text(html_, encoding="utf-8"))
