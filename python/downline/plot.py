"""Pictures of a simulation, with matplotlib. Every function returns the
:class:`matplotlib.figure.Figure` (never calls ``plt.show``): it displays itself as the last
line of a Jupyter cell, and ``fig.savefig("x.svg")`` writes it anywhere.

Most functions take ``ax=`` to draw into an existing axes (then they return its figure).
Figures are made with :class:`~matplotlib.figure.Figure` directly, not through pyplot, so
that nothing is shown twice in a notebook and nothing accumulates in pyplot's state.

- :func:`fan_chart` — a monthly figure across runs: median, 50% and 90% bands.
- :func:`earnings_distribution` — earnings of everyone who ever joined, log scale.
- :func:`lorenz` — the Lorenz curve of earnings, with the Gini coefficient.
- :func:`retention` — Kaplan–Meier curves of staying in, overall or by highest rank.
- :func:`rank_counts` — distributors paid as each rank, month by month.
- :func:`payout_by_bonus`, :func:`sources_of_money`, :func:`net_results` — the company's
  cost by bonus, where the commissions come from, who loses money.
- :func:`company_books` — the margin the plan leaves the company, month by month.
- :func:`inventory_loading` — everyone who joined by the stock they bought and neither
  used nor sold (a scenario with ``[inventory]``).
- :func:`compare` — two results side by side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter

from downline import analytics

__all__ = [
    "company_books",
    "compare",
    "earnings_distribution",
    "fan_chart",
    "inventory_loading",
    "lorenz",
    "net_results",
    "payout_by_bonus",
    "rank_counts",
    "retention",
    "sources_of_money",
]

_F = pl.Float64

#: Labels for the monthly columns (and a few derived ones) that fan_chart knows.
COLUMN_LABELS = {
    "active": "participating distributors",
    "joined": "joined this month",
    "quit": "quit this month",
    "qualified": "active (qualified) distributors",
    "qualified_share": "share of participants qualified",
    "volume": "volume (points)",
    "retail_volume": "retail customers' volume (points)",
    "preferred_volume": "preferred customers' volume (points)",
    "party_volume": "party sales (points)",
    "volume_value": "volume value",
    "payout": "commissions paid",
    "payout_before_cap": "commissions before the cap",
    "retail_profit": "retail margin (paid by customers)",
    "host_rewards": "host rewards (paid by the company to party hosts)",
    "payout_ratio": "payout ratio (commissions ÷ volume value)",
    "payout_if_all_qualified": "commissions had everyone qualified",
    "breakage": "breakage",
    "breakage_share": "breakage share (unpaid ÷ potential)",
    "cost_per_active": "commissions per participant",
    "payout_from_retail": "commissions paid on retail customers' volume",
    "payout_from_preferred": "commissions paid on preferred customers' volume",
    "payout_from_party": "commissions paid on party sales",
    "payout_from_own": "commissions paid on the payee's own purchases",
    "payout_from_downline": "commissions paid on downline purchases",
    "payout_other": "commissions not paid on volume",
    "packages": "starter packages bought",
    "stock_added": "stock added (bought and not used)",
    "sold_from_stock": "sold from stock to retail customers",
    "returns": "stock bought back",
    "refunds": "refunds for stock bought back",
    "chargebacks": "commissions charged back",
    "stock_held": "stock held by participants",
}
_SHARES = {"payout_ratio", "qualified_share", "breakage_share"}
_MONEY = {"volume_value", "payout", "payout_before_cap", "retail_profit", "host_rewards",
          "payout_if_all_qualified", "breakage", "cost_per_active", "payout_from_retail",
          "payout_from_preferred", "payout_from_party", "payout_from_own",
          "payout_from_downline", "payout_other", "packages", "stock_added",
          "sold_from_stock", "returns", "refunds", "chargebacks", "stock_held"}
_VOLUMES = {"volume", "retail_volume", "preferred_volume", "party_volume"}


def _ipython_display_hook() -> None:
    """In IPython, make sure a returned figure is drawn as an image. The inline backend
    registers its figure formatter only once pyplot has made a figure; these figures are
    made without pyplot, so register a PNG formatter when none is there yet."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is None:
        return
    try:
        png = ip.display_formatter.formatters["image/png"]
        if any(issubclass(Figure, t) for t in png.type_printers if isinstance(t, type)):
            return
        from IPython.core.pylabtools import print_figure

        png.for_type(Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))
    except Exception:  # noqa: BLE001, S110 - a display nicety: never an error  # pragma: no cover
        pass


def _figure(ax: Axes | None, size: tuple[float, float] = (7.5, 4.2)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    _ipython_display_hook()
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _currency(res: Any) -> str:
    plan = getattr(res, "plan", None)
    return getattr(plan, "currency", "") or ""


def _money_axis(axis: Any) -> None:
    def fmt(v: float, _pos: int) -> str:
        a = abs(v)
        if a >= 1e9:
            return f"{v / 1e9:g}B"
        if a >= 1e6:
            return f"{v / 1e6:g}M"
        if a >= 1e4:
            return f"{v / 1e3:g}k"
        return f"{v:,.0f}" if a >= 10 or v == 0 else f"{v:g}"
    axis.set_major_formatter(FuncFormatter(fmt))


class ShareFormatter(Formatter):
    """Shares (0.012) as percentages ("1.2%") with as few decimals as the ticks need: each
    label reads back as its tick's value, so no two ticks ever share a label (``0%, 0.5%,
    1%``, never ``0%, 0%, 1%``)."""

    def __init__(self, max_decimals: int = 4) -> None:
        self.max_decimals = max_decimals

    def decimals(self, values: Sequence[float]) -> int:
        for d in range(self.max_decimals + 1):
            if all(abs(round(100 * v, d) - 100 * v) < 1e-9 * max(1.0, abs(100 * v))
                   for v in values):
                return d
        return self.max_decimals

    def _fmt(self, v: float, d: int) -> str:
        s = f"{100 * v:.{d}f}"
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        return ("0" if float(s) == 0 else s) + "%"

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        d = self.decimals(list(values))
        return [self._fmt(v, d) for v in values]

    def __call__(self, x: float, pos: int | None = None) -> str:
        locs = list(self.locs) if len(getattr(self, "locs", [])) else [x]
        return self._fmt(x, self.decimals(locs))


def _share_axis(axis: Any) -> None:
    axis.set_major_formatter(ShareFormatter())


def _ordered_colors(n: int) -> list[Any]:
    """Colours for ordered categories (ranks, lowest first): a perceptually ordered palette
    (viridis, without its palest yellow), dark for the lowest rank, light for the highest."""
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    if n <= 1:
        return [cmap(0.0)]
    return [cmap(0.9 * i / (n - 1)) for i in range(n)]


def _style(ax: Axes) -> None:
    ax.grid(True, alpha=0.3, linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _monthly_values(res: Any, column: str) -> pl.DataFrame:
    m = res.monthly
    derived = {
        "qualified_share": ("qualified", "active"),
        "cost_per_active": ("payout", "active"),
    }
    if column in m.columns:
        expr = pl.col(column).cast(_F)
    elif column in derived:
        num, den = derived[column]
        expr = pl.when(pl.col(den).cast(_F) > 0).then(
            pl.col(num).cast(_F) / pl.col(den).cast(_F))
    elif column == "breakage_share" and "breakage" in m.columns:
        den = pl.col("payout_if_all_qualified").cast(_F)
        expr = pl.when(den > 0).then(pl.col("breakage").cast(_F) / den)
    else:
        known = sorted(set(m.columns) - {"run", "month"} | set(derived))
        raise ValueError(f"column = {column!r}: use one of {known}")
    return m.select("run", "month", expr.alias("v"))


def _fan_table(res: Any, column: str) -> pl.DataFrame:
    v = pl.col("v").drop_nulls().drop_nans()
    return (
        _monthly_values(res, column)
        .group_by("month")
        .agg(
            p05=v.quantile(0.05, "linear"), p25=v.quantile(0.25, "linear"),
            p50=v.quantile(0.5, "linear"), p75=v.quantile(0.75, "linear"),
            p95=v.quantile(0.95, "linear"),
        )
        .sort("month")
    )


def _draw_fan(ax: Axes, t: pl.DataFrame, color: str, label: str | None) -> None:
    x = t["month"].to_list()
    ax.fill_between(x, t["p05"].to_list(), t["p95"].to_list(), color=color, alpha=0.15,
                    linewidth=0, label=None if label else "90% of runs")
    ax.fill_between(x, t["p25"].to_list(), t["p75"].to_list(), color=color, alpha=0.3,
                    linewidth=0, label=None if label else "50% of runs")
    ax.plot(x, t["p50"].to_list(), color=color, linewidth=1.8,
            label=f"{label} (median)" if label else "median")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _label(res: Any, column: str) -> str:
    base = COLUMN_LABELS.get(column, column)
    if column in _MONEY and _currency(res):
        base += f", {_currency(res)}"
    return base


def _format_fan_axis(ax: Axes, column: str, months: int) -> None:
    if column in _SHARES:
        _share_axis(ax.yaxis)
    elif column in _MONEY or column in _VOLUMES:
        _money_axis(ax.yaxis)
    ax.set_xlabel("month")
    ax.set_xlim(1, max(months, 2))
    ax.set_ylim(bottom=0)
    _style(ax)


def fan_chart(res: Any, column: str = "active", ax: Axes | None = None,
              title: str | None = None) -> Figure:
    """A monthly figure across runs: the median by month, and bands holding the middle 50%
    and 90% of runs. ``column`` is any column of ``res.monthly`` (``active``, ``volume``,
    ``volume_value``, ``payout``, ``payout_ratio``, ``breakage``, …) or ``qualified_share``
    (qualified ÷ participating), ``cost_per_active`` (payout ÷ participating),
    ``breakage_share`` (breakage ÷ payout had everyone qualified)."""
    fig, ax = _figure(ax)
    t = _fan_table(res, column)
    _draw_fan(ax, t, "C0", None)
    _format_fan_axis(ax, column, res.months)
    ax.set_ylabel(_label(res, column))
    ax.set_title(title or f"{_cap(_label(res, column))}: {res.n_runs} runs")
    ax.legend(loc="best", fontsize="small", frameon=False)
    return fig


def earnings_distribution(res: Any, of: str = "earnings", ax: Axes | None = None,
                          label: str | None = None, color: str = "C0",
                          title: str | None = None) -> Figure:
    """Earnings over the horizon of **everyone who ever joined** (the kept runs together),
    on a log scale: each bar is the share of all those people whose earnings fall in it
    (binned where the data is, :func:`downline.analytics.earnings_histogram`). People paid
    nothing cannot be drawn on a log scale; their share (mean of runs) is stated in the
    title and legend. ``of="gross"`` adds the retail margin to the commissions."""
    fig, ax = _figure(ax)
    hist = analytics.earnings_histogram(res, of=of)
    summary = {r["metric"]: r["mean"] for r in
               analytics.earnings_distribution(res, of=of).iter_rows(named=True)}
    zero = summary.get("share_zero")
    zero = float("nan") if zero is None else zero
    cur = _currency(res)
    what = "earnings" if of == "earnings" else "earnings + retail margin"
    legend = f"{label or what}: {zero:.0%} earned nothing (not shown)"
    if hist.height:
        edges = [*hist["lower"].to_list(), hist["upper"][-1]]
        ax.stairs(hist["share"].to_list(), edges, fill=not label, color=color,
                  alpha=0.8 if not label else 1.0, linewidth=1.5, label=legend)
        med = summary.get("median_paid")
        if med is not None:
            ax.axvline(med, color=color, linestyle="--", linewidth=1,
                       label=(f"{label + ': ' if label else ''}median of those paid: "
                              f"{med:,.0f} {cur}").strip())
        ax.set_xscale("log")
        _money_axis(ax.xaxis)
    else:
        ax.text(0.5, 0.5, "nobody was paid anything", transform=ax.transAxes, ha="center")
    _share_axis(ax.yaxis)
    ax.set_xlabel(f"{what} over {res.months} months{', ' + cur if cur else ''} (log scale)")
    ax.set_ylabel("share of everyone who ever joined")
    ax.set_title(title or (f"{zero:.0%} of everyone who joined earned nothing; "
                           f"mean {summary.get('mean', float('nan')):,.0f} {cur}"))
    if ax.get_legend_handles_labels()[1]:  # nobody paid: nothing to label
        ax.legend(loc="upper left" if label else "upper right",
                  fontsize="x-small" if label else "small", frameon=False)
    _style(ax)
    return fig


def lorenz(res: Any, ax: Axes | None = None, label: str | None = None,
           color: str = "C0", title: str | None = None) -> Figure:
    """The Lorenz curve of earnings over everyone who ever joined (poorest first): the mean
    across runs, with the band holding 90% of runs, against equality. The title gives the
    Gini coefficient and the share of commissions going to the top 1% and 10%."""
    fig, ax = _figure(ax, (5.5, 5.0))
    # A run in which nobody was paid has no curve (0 of 0): such runs are left out, and
    # with no curve at all the figure says so instead of drawing one.
    t = analytics.lorenz(res).drop_nulls(["mean", "p05", "p95"])
    s = {r["metric"]: r["mean"] for r in analytics.earnings_distribution(res).iter_rows(named=True)}
    x = t["population_share"].to_list()
    gini = s.get("gini")
    lab = f"{label}: " if label else ""
    if t.height:
        ax.fill_between(x, t["p05"].to_list(), t["p95"].to_list(), color=color, alpha=0.2,
                        linewidth=0)
        ax.plot(x, t["mean"].to_list(), color=color, linewidth=1.8,
                label=f"{lab}Gini {gini:.2f}" if gini is not None else lab or "earnings")
    else:
        ax.text(0.5, 0.6, f"{lab}nobody was paid anything: no curve", transform=ax.transAxes,
                ha="center")
    if ax.get_legend_handles_labels()[1].count("equality") == 0:
        ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle=":", label="equality")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    _share_axis(ax.xaxis)
    _share_axis(ax.yaxis)
    ax.set_xlabel("share of everyone who ever joined, lowest earners first")
    ax.set_ylabel("share of all commissions")
    if title is None and gini is not None:
        title = (f"Lorenz curve: top 1% get {s.get('top1_share', 0):.0%}, "
                 f"top 10% get {s.get('top10_share', 0):.0%}")
    ax.set_title(title or "Lorenz curve of earnings")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    _style(ax)
    return fig


def retention(res: Any, by: str | None = None, ax: Axes | None = None,
              label: str | None = None, color: str = "C0",
              title: str | None = None, cohorts: int = 6) -> Figure:
    """Kaplan–Meier curves: the share still in *t* months after joining (people still in
    at the horizon counted correctly as censored), with the band holding 90% of runs (each
    run's own curve: what one company of this size could see). ``by=None``: one curve;
    ``"max_rank"``: one per highest rank reached, in rank order with an ordered palette
    (reaching a rank takes time, so this split favours people who stayed); a band is drawn
    only where every kept run has at least 10 people of the group at risk, so a rare rank
    shows its line alone; ``"join_month"``: about ``cohorts`` cohorts. Counts in the legend
    are people per run (one simulated company), not totals over runs."""
    fig, ax = _figure(ax, (7.5, 4.2) if by is None else (8.6, 4.4))
    t = analytics.retention(res, by=by)
    n_runs = len(analytics.kept_runs(res))
    if by is None:
        groups = [(label or "everyone", color, t)]
    else:
        key = "max_rank" if by == "max_rank" else "join_month"
        values = t[key].unique(maintain_order=True).to_list()
        if by == "join_month":
            step = max(1, math.ceil(len(values) / cohorts))
            values = values[::step]
        colors = _ordered_colors(len(values))
        groups = [(f"{key.replace('_', ' ')} {v}" if by == "join_month" else str(v),
                   colors[i], t.filter(pl.col(key) == v)) for i, v in enumerate(values)]
    for name, c, g in groups:
        x = g["months"].to_list()
        band = [r == n_runs and a >= 10 for r, a in
                zip(g["runs"].to_list(), g["at_risk_per_run"].to_list())]
        if any(band):
            ax.fill_between(x, g["run_p05"].to_list(), g["run_p95"].to_list(), where=band,
                            step="post", color=c, alpha=0.18, linewidth=0)
        ax.step(x, g["survival"].to_list(), where="post", color=c, linewidth=1.6,
                label=f"{name} ({_per_run_count(g['people_per_run'][0])} per run)")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    _share_axis(ax.yaxis)
    ax.set_xlabel("months since joining")
    ax.set_ylabel("share still in")
    if title is None:
        title = "Retention (Kaplan–Meier; band: 90% of runs)"
        if by is None:
            s12 = t.filter(pl.col("months") == 12)["survival"]
            if s12.len():
                title = (f"Retention: {s12[0]:.0%} still in 12 months after joining "
                         "(band: 90% of runs)")
        else:
            title = f"Retention by {by.replace('_', ' ')} (Kaplan–Meier)"
    ax.set_title(title)
    if by is None:
        ax.legend(loc="upper right", fontsize="small", frameon=False)
    else:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                  frameon=False, title="highest rank" if by == "max_rank" else None,
                  title_fontsize="small")
    _style(ax)
    return fig


def _per_run_count(x: float | None) -> str:
    """A mean count per run with the decimals it needs: 12,034; 4.5; 0.01."""
    if x is None:
        return "–"
    if x >= 100 or x == 0:
        return f"{x:,.0f}"
    if x >= 1:
        return f"{x:.1f}"
    return f"{x:.2g}"


def rank_counts(res: Any, ax: Axes | None = None, title: str | None = None) -> Figure:
    """Distributors paid as each rank, month by month: the median across runs, one line per
    rank in rank order with an ordered palette and a legend beside the plot (log scale
    above 10, linear below, so zero shows). The band holding 90% of runs is drawn only
    where the rank is held in at least 95% of runs (5th percentile ≥ 1): a band from zero
    to a few people says nothing and would cover the plot."""
    fig, ax = _figure(ax, (8.6, 4.4))
    r = res.ranks
    t = (r.group_by(["month", "rank_index", "rank"])
         .agg(p50=pl.col("count").cast(_F).median(),
              p05=pl.col("count").cast(_F).quantile(0.05, "linear"),
              p95=pl.col("count").cast(_F).quantile(0.95, "linear"))
         .sort(["rank_index", "month"]))
    parts = t.partition_by(["rank_index", "rank"], as_dict=True, maintain_order=True)
    colors = _ordered_colors(len(parts))
    for c, ((_idx, name), g) in zip(colors, parts.items()):
        x = g["month"].to_list()
        lo = g["p05"].to_list()
        band = [v >= 1 for v in lo]
        if any(band):
            ax.fill_between(x, lo, g["p95"].to_list(), where=band, color=c, alpha=0.15,
                            linewidth=0)
        last = g["p50"][-1]
        ax.plot(x, g["p50"].to_list(), color=c, linewidth=1.8,
                label=f"{name} ({_per_run_count(last)} in month {x[-1]})")
    ax.set_yscale("symlog", linthresh=10)
    ax.set_ylim(bottom=0)
    ax.set_xlim(1, max(res.months, 2))
    ax.set_xlabel("month")
    ax.set_ylabel("paid as the rank (median of runs)")
    ax.set_title(title or "Paid as each rank, by month (band: 90% of runs)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False,
              title="rank (median)", title_fontsize="small")
    _style(ax)
    return fig


def payout_by_bonus(res: Any, ax: Axes | None = None, title: str | None = None) -> Figure:
    """What the company pays distributors each month, by bonus (mean over runs, stacked),
    against the volume value times the plan's cap when it has one. The retail margin (paid
    by customers) and host rewards (paid to party hosts, outside the commissions and the
    cap) are left out."""
    fig, ax = _figure(ax)
    b = res.bonuses.filter(pl.col("paid_by_company"))
    if "paid_to" in b.columns:
        b = b.filter(pl.col("paid_to") != "host")
    names = b["bonus"].unique(maintain_order=True).to_list()
    t = (b.group_by(["month", "bonus"]).agg(pl.col("amount").cast(_F).sum() / res.n_runs)
         .pivot(on="bonus", index="month", values="amount").sort("month").fill_null(0.0))
    months = t["month"].to_list()
    if names:
        ax.stackplot(months, *[t[n].to_list() for n in names], labels=names, alpha=0.85,
                     colors=[f"C{i % 10}" for i in range(len(names))])
    cap = ((res.plan.to_dict().get("cap") or {}).get("max_payout_ratio")
           if getattr(res, "plan", None) is not None else None)
    vv = res.monthly.group_by("month").agg(pl.col("volume_value").cast(_F).mean()).sort("month")
    if cap is not None:
        ax.plot(vv["month"].to_list(), [v * float(cap) for v in vv["volume_value"].to_list()],
                color="black", linestyle="--", linewidth=1,
                label=f"cap: {float(cap):.0%} of volume value")
    cur = _currency(res)
    _money_axis(ax.yaxis)
    ax.set_xlim(1, max(res.months, 2))
    ax.set_xlabel("month")
    ax.set_ylabel(f"commissions per month{', ' + cur if cur else ''} (mean of runs)")
    ax.set_title(title or "Commissions paid by the company, by bonus")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    _style(ax)
    return fig


#: What :func:`company_books` can draw: a column of the books month by month.
_BOOK_COLUMNS = {
    "margin": "margin the plan leaves the company",
    "cumulative_margin": "margin so far (cumulative)",
    "margin_share": "margin ÷ revenue",
    "revenue": "revenue at the company's prices",
    "commissions": "commissions paid",
    "cost_of_goods": "cost of goods",
    "fees": "fees collected",
}


def company_books(res: Any, cost_of_goods: Any = None, column: str = "margin",
                  ax: Axes | None = None, title: str | None = None) -> Figure:
    """The company's books month by month across runs
    (:func:`downline.analytics.company_books`): the median, the bands holding 50% and 90%
    of runs, the zero line, and the months in which the plan left the company less than
    nothing in at least one run shaded. ``column``: ``margin`` (default),
    ``cumulative_margin``, ``margin_share``, ``revenue``, ``commissions``,
    ``cost_of_goods`` or ``fees``. ``cost_of_goods`` as for the analytics (0: before it)."""
    if column not in _BOOK_COLUMNS:
        raise ValueError(f"column = {column!r}: use one of {sorted(_BOOK_COLUMNS)}")
    books = analytics.company_books(res, cost_of_goods, per_run=True)
    fig, ax = _figure(ax)
    per = books.monthly
    v = pl.col(column).cast(_F).drop_nulls().drop_nans()
    t = (per.group_by("month").agg(
        p05=v.quantile(0.05, "linear"), p25=v.quantile(0.25, "linear"),
        p50=v.quantile(0.5, "linear"), p75=v.quantile(0.75, "linear"),
        p95=v.quantile(0.95, "linear"),
        losing=(pl.col("cumulative_margin" if column == "cumulative_margin" else "margin")
                < 0).any(),
    ).sort("month"))
    losing = [m for m, x in zip(t["month"].to_list(), t["losing"].to_list()) if x]
    for i, m in enumerate(losing):
        ax.axvspan(m - 0.5, m + 0.5, color="#d62728", alpha=0.12, linewidth=0,
                   label=("below zero in at least one run" if i == 0 else None))
    _draw_fan(ax, t, "C0", None)
    ax.axhline(0, color="0.25", linewidth=0.9)
    cur = _currency(res)
    if column == "margin_share":
        _share_axis(ax.yaxis)
        ax.set_ylabel(_BOOK_COLUMNS[column])
    else:
        _money_axis(ax.yaxis)
        ax.set_ylabel(f"{_BOOK_COLUMNS[column]}{', ' + cur if cur else ''}")
    ax.set_xlabel("month")
    ax.set_xlim(1, max(res.months, 2))
    cog = (f"cost of goods {100 * books.cost_of_goods:g}% of revenue" if books.cost_of_goods
           else "before the cost of goods")
    ax.set_title(title or f"{_cap(_BOOK_COLUMNS[column])} by month ({cog})")
    ax.legend(loc="best", fontsize="small", frameon=False)
    _style(ax)
    return fig


_SOURCE_LABELS = {
    "retail_customers": "retail customers' purchases",
    "preferred_customers": "preferred customers' purchases",
    "party_sales": "party sales",
    "own_purchases": "the payee's own purchases",
    "downline_purchases": "downline participants' purchases",
    "fees": "fees",
    "other": "not paid on volume (rank advancement)",
    "unattributed": "unattributed",
}


def sources_of_money(res: Any, ax: Axes | None = None, title: str | None = None) -> Figure:
    """Where the commissions come from: the share of all commissions paid on retail
    customers', preferred customers' and party guests' purchases, on participants' own and
    downline purchases, and not on volume (mean across runs; see
    :func:`downline.analytics.sources_of_money`)."""
    fig, ax = _figure(ax, (7.5, 3.2))
    t = analytics.sources_of_money(res).filter(pl.col("metric") == "share")
    labels = [_SOURCE_LABELS.get(s, s) for s in t["source"].to_list()]
    shares = [v or 0.0 for v in t["mean"].to_list()]
    colors = {"retail_customers": "C2", "preferred_customers": "C8", "party_sales": "C6",
              "own_purchases": "C1", "downline_purchases": "C3", "fees": "C4", "other": "C7",
              "unattributed": "C5"}
    y = list(range(len(labels)))[::-1]
    ax.barh(y, shares, color=[colors.get(s, "C0") for s in t["source"].to_list()])
    for yi, v in zip(y, shares):
        ax.text(v + 0.01, yi, f"{v:.1%}", va="center", fontsize="small")
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1.1)
    _share_axis(ax.xaxis)
    ax.set_xlabel("share of all commissions paid by the company (mean of runs)")
    ax.set_title(title or "Where the commissions come from")
    _style(ax)
    return fig


def net_results(res: Any, consumed_share: float | None = None, ax: Axes | None = None,
                title: str | None = None) -> Figure:
    """Each participant's net result over the horizon (earnings + retail margin − fees −
    expenses − purchases beyond their own consumption, or with modelled stock the stock
    neither used nor sold less refunds and its value; see
    :func:`downline.analytics.participant_net`), everyone who ever joined, the kept runs
    together, binned where the data is (:func:`downline.analytics.net_histogram`). The 1st
    to 99th percentile is drawn; the title gives the share losing money (mean of runs).
    ``consumed_share``: the scenario's, else 0.5, unless given."""
    fig, ax = _figure(ax)
    hist = analytics.net_histogram(res, consumed_share)
    s = {r["metric"]: r["mean"] for r in
         analytics.net_results(res, consumed_share).iter_rows(named=True)}
    loss = s["share_loss"]
    cur = _currency(res)
    lower, upper = hist["lower"].to_list(), hist["upper"].to_list()
    share = hist["share"].to_list()
    for cond, c, lab in ((lambda a, b: b <= 0, "C3", f"lost money: {loss:.0%}"),
                         (lambda a, b: a >= 0, "C2", f"broke even or gained: {1 - loss:.0%}")):
        rows = [(a, b - a, v) for a, b, v in zip(lower, upper, share) if cond(a, b)]
        if rows:
            ax.bar([r[0] for r in rows], [r[2] for r in rows], width=[r[1] for r in rows],
                   align="edge", color=c, alpha=0.8, label=lab)
    ax.axvline(0, color="black", linewidth=0.8)
    med = s["median_net"]
    ax.axvline(med, color="black", linestyle="--", linewidth=1,
               label=f"median: {med:,.0f} {cur}".strip())
    _money_axis(ax.xaxis)
    _share_axis(ax.yaxis)
    ax.set_xlabel(f"net result over {res.months} months, {cur} (1st–99th percentile)")
    ax.set_ylabel("share of everyone who ever joined")
    ax.set_title(title or f"Net result: {loss:.0%} of everyone who joined lost money")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    _style(ax)
    return fig


def inventory_loading(res: Any, edges: Sequence[float] = (100, 500, 1000, 2000, 5000),
                      ax: Axes | None = None, title: str | None = None) -> Figure:
    """Everyone who ever joined (the kept runs) by their inventory loading — stock bought
    and neither used nor sold, at cost, whether it was bought back or is still held
    (:func:`downline.analytics.loading_bands`): the share in each band, mean of runs, with
    the 90% of runs as a line. For a result simulated with the scenario's ``[inventory]``."""
    fig, ax = _figure(ax, (7.5, 3.6))
    t = analytics.loading_bands(res, edges)
    cur = _currency(res)
    def label(lower: float, upper: float | None) -> str:
        if upper is None:
            return f"over {lower:,.0f} {cur}".strip()
        if upper == 0:
            return "none"
        return (f"up to {upper:,.0f} {cur}" if lower == 0
                else f"{lower:,.0f}–{upper:,.0f} {cur}").strip()

    labels = [label(a, b) for a, b in zip(t["lower"].to_list(), t["upper"].to_list())]
    x = list(range(len(labels)))
    share = t["share"].to_list()
    lo, hi = t["share_p05"].to_list(), t["share_p95"].to_list()
    colors = ["C2" if lower < 500 else "C1" if lower < 1000 else "C3"
              for lower in t["lower"].to_list()]
    ax.bar(x, share, color=colors, alpha=0.85)
    ax.errorbar(x, share, yerr=[[s - a for s, a in zip(share, lo)],
                                [b - s for s, b in zip(share, hi)]],
                fmt="none", ecolor="black", elinewidth=1, capsize=3, label="90% of runs")
    for xi, v in zip(x, share):
        ax.text(xi, v + 0.01, f"{v:.0%}", ha="center", va="bottom", fontsize="small")
    ax.set_xticks(x, labels, rotation=20, ha="right")
    _share_axis(ax.yaxis)
    ax.set_ylim(0, max([*hi, 0.1]) * 1.18)
    ax.set_ylabel("share of everyone who ever joined")
    ax.set_xlabel(f"stock bought and neither used nor sold over {res.months} months, at cost")
    over = analytics.inventory_summary(res, loading_thresholds=(500,)).filter(
        pl.col("metric") == "share_loading_over_500")["mean"][0] or 0.0
    ax.set_title(title or f"Inventory loading: {over:.0%} bought over 500 {cur} they did not "
                 "use or sell".replace("  ", " "))
    ax.legend(loc="upper right", fontsize="small", frameon=False)
    _style(ax)
    return fig


def compare(res_a: Any, res_b: Any, labels: Sequence[str] = ("A", "B"),
            columns: Sequence[str] = ("payout_ratio", "payout")) -> Figure:
    """Two results side by side (e.g. two plans on the same simulated people): fan charts
    of each of ``columns`` for both, the two earnings distributions and the two Lorenz
    curves."""
    if len(labels) != 2:
        raise ValueError("labels: give two labels, one for each result")
    _ipython_display_hook()
    rows = math.ceil((len(columns) + 2) / 2)
    fig = Figure(figsize=(12, 4.2 * rows), layout="constrained")
    axes = fig.subplots(rows, 2, squeeze=False).ravel().tolist()
    colors = ("C0", "C1")
    months = max(res_a.months, res_b.months)
    for ax, col in zip(axes, columns):
        for res, lab, c in zip((res_a, res_b), labels, colors):
            _draw_fan(ax, _fan_table(res, col), c, lab)
        _format_fan_axis(ax, col, months)
        ax.set_ylabel(_label(res_a, col))
        ax.set_title(f"{_cap(_label(res_a, col))} (bands: 50% and 90% of runs)")
        ax.legend(loc="best", fontsize="small", frameon=False)
    k = len(columns)
    summaries = []
    for res, lab, c in zip((res_a, res_b), labels, colors):
        earnings_distribution(res, ax=axes[k], label=lab, color=c)
        lorenz(res, ax=axes[k + 1], label=lab, color=c)
        s = {r["metric"]: r["mean"] for r in
             analytics.earnings_distribution(res).iter_rows(named=True)}
        summaries.append(f"{lab}: {s['share_zero']:.0%}")
    axes[k].set_title("Earnings distribution; earned nothing — " + ", ".join(summaries))
    axes[k + 1].set_title("Lorenz curves of earnings")
    for ax in axes[k + 2:]:
        ax.set_visible(False)
    fig.suptitle(f"{labels[0]} vs {labels[1]}", fontsize="large")
    return fig


# Figures made here, or by hand with Figure(), display themselves in IPython.
_ipython_display_hook()


# --------------------------------------------------------------------------------------
# what-if: sweeps and sensitivity (downline.sweep, downline.sensitivity)


def _percent_axis(axis: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(1.0))


def _is_share(metric: str) -> bool:
    return metric.startswith("share") or metric.endswith(("_ratio", "_share"))


def _tick(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _cell(v: float, metric: str) -> str:
    if v is None or math.isnan(v):
        return "–"
    if _is_share(metric):
        return f"{100 * v:.1f}%"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _heat_points(sw: Any, x: str | None, y: str | None, plan: str | None,
                 where: dict | None) -> tuple[pl.DataFrame, str, str | None]:
    pts = sw.points
    if len(sw.plans) > 1:
        if plan is None:
            raise ValueError(f"the sweep has {len(sw.plans)} plans; pick one with plan= "
                             f"({', '.join(sw.plans)})")
        pts = pts.filter(pl.col("plan") == plan)
    for k, v in (where or {}).items():
        pts = pts.filter(pl.col(k) == v)
    if x is None:
        if len(sw.parameters) not in (1, 2):
            raise ValueError(f"the sweep varies {len(sw.parameters)} parameters; pick x= and "
                             "y= and fix the others with where={path: value}")
        x = sw.parameters[-1]
        y = sw.parameters[0] if len(sw.parameters) == 2 else None
    for other in sw.parameters:
        if other not in (x, y) and pts[other].n_unique() > 1:
            raise ValueError(f"{other} takes several values; fix it with where={{{other!r}: …}}")
    return pts, x, y


def heatmap(sw: Any, metric: str = "payout_ratio", stat: str = "mean", x: str | None = None,
            y: str | None = None, plan: str | None = None, where: dict | None = None,
            ax: Axes | None = None, annotate: bool = True, cmap: str = "viridis") -> Figure:
    """A metric over a sweep's grid (:func:`downline.sweep`): one cell per point, its value
    ``stat`` (``mean``, ``p05``, ``p50``, ``p95``) over the runs. With two parameters the
    first is on the vertical axis and the second across; with more, name ``x`` and ``y`` and
    fix the others with ``where``; with several plans pick one with ``plan``."""
    col = sw.column(metric, stat)
    pts, x, y = _heat_points(sw, x, y, plan, where)
    xs = sorted(pts[x].unique().to_list())
    ys = sorted(pts[y].unique().to_list()) if y else [None]
    grid = [[float("nan")] * len(xs) for _ in ys]
    for r in pts.iter_rows(named=True):
        v = r[col]
        grid[ys.index(r[y]) if y else 0][xs.index(r[x])] = float("nan") if v is None else v
    fig, ax = _figure(ax, (1.2 + 1.1 * len(xs), 1.4 + 0.6 * len(ys)) if ax is None else (0, 0))
    im = ax.imshow(grid, origin="lower", aspect="auto", cmap=cmap)
    ax.set_xticks(range(len(xs)), [_tick(v) for v in xs])
    ax.set_yticks(range(len(ys)), [_tick(v) for v in ys] if y else [""])
    ax.set_xlabel(x)
    if y:
        ax.set_ylabel(y)
    if annotate:
        finite = [v for row in grid for v in row if not math.isnan(v)]
        mid = (min(finite) + max(finite)) / 2 if finite else 0
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                ax.text(j, i, _cell(v, metric), ha="center", va="center", fontsize="small",
                        color="black" if not math.isnan(v) and v > mid else "white")
    bar = fig.colorbar(im, ax=ax)
    if _is_share(metric):
        _percent_axis(bar.ax.yaxis)
    who = f"{plan}: " if plan else ""
    ax.set_title(f"{who}{metric} ({stat} of {sw.n_runs} runs, {sw.months} months)")
    return fig


def tornado(sens: Any, metric: str = "payout_ratio", ax: Axes | None = None,
            top: int | None = None) -> Figure:
    """Which parameter moves ``metric`` most (:func:`downline.sensitivity`). One-at-a-time:
    a bar per parameter from the base value to the metric at the parameter's low and high
    bound, widest swing on top. Sobol: total (``ST``) and first-order (``S1``) indices with
    their bootstrap intervals, largest ``ST`` on top."""
    t = sens.table.filter(pl.col("metric") == metric)
    if t.height == 0:
        raise ValueError(f"metric {metric!r}: the analysis has "
                         f"{', '.join(sens.table['metric'].unique(maintain_order=True))}")
    key = "swing" if sens.method == "oat" else "ST"
    t = t.with_columns(pl.col(key).abs().alias("_size")).sort("_size", descending=True,
                                                               nulls_last=True)
    if top:
        t = t.head(top)
    fig, ax = _figure(ax, (7.5, 1.2 + 0.5 * t.height))
    rows = list(t.iter_rows(named=True))
    at = list(range(len(rows)))[::-1]
    if sens.method == "oat":
        base = rows[0]["base"]
        ax.barh(at, [r["low"] - base for r in rows], left=base, color="C0",
                label="parameter at its low bound")
        ax.barh(at, [r["high"] - base for r in rows], left=base, color="C1",
                label="parameter at its high bound")
        ax.axvline(base, color="black", linewidth=0.8)
        labels = [f"{r['parameter']}\n{r['value_low']:g} → {r['value_high']:g}" for r in rows]
        ax.set_xlabel(f"{metric} (mean over runs); base {_cell(base, metric)}")
        if _is_share(metric):
            _percent_axis(ax.xaxis)
    else:
        def err(s: str) -> list[float]:
            return [r[f"{s}_conf"] or 0.0 for r in rows]

        ax.barh([a + 0.2 for a in at], [r["ST"] or 0.0 for r in rows], height=0.4,
                xerr=err("ST"), color="C1", label="total index ST")
        ax.barh([a - 0.2 for a in at], [r["S1"] or 0.0 for r in rows], height=0.4,
                xerr=err("S1"), color="C0", label="first-order index S1")
        labels = [r["parameter"] for r in rows]
        ax.set_xlabel(f"Sobol index of {metric} (bars: 95% bootstrap intervals)")
    ax.set_yticks(at, labels)
    _style(ax)
    ax.legend(loc="best", fontsize="small", frameon=False)
    ax.set_title(f"What moves {metric} ({sens.method}, {sens.sweep.n_runs} runs a point)")
    return fig
