"""downline.plot: every function returns a matplotlib Figure (drawn off screen with Agg),
draws what it says, and never goes through pyplot's global state."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import itertools

import downline as dl
import polars as pl
import pytest
from downline import analytics, plot
from matplotlib.figure import Figure


def _render(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    return buf.getvalue()


def _texts(fig: Figure) -> str:
    parts = []
    for ax in fig.axes:
        parts.append(ax.get_title())
        parts.append(ax.get_xlabel())
        parts.append(ax.get_ylabel())
        leg = ax.get_legend()
        if leg is not None:
            parts += [t.get_text() for t in leg.get_texts()]
    if fig._suptitle is not None:
        parts.append(fig._suptitle.get_text())
    return "\n".join(parts)


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "a plot function left a pyplot figure open"


@pytest.mark.parametrize("column", ["active", "volume", "payout_ratio", "qualified_share",
                                    "payout", "breakage"])
def test_fan_chart(result, column):
    fig = plot.fan_chart(result, column)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    # median line and two bands
    assert len(ax.lines) == 1
    assert len(ax.collections) == 2
    xs = list(ax.lines[0].get_xdata())
    assert xs == list(range(1, result.months + 1))
    med = result.monthly.group_by("month").agg(pl.col(column).cast(pl.Float64).median()) \
        .sort("month")[column].to_list() if column in result.monthly.columns else None
    if med is not None:
        assert list(ax.lines[0].get_ydata()) == pytest.approx(med)
    assert _render(fig)[:4] == b"\x89PNG"


def test_fan_chart_unknown_column(result):
    with pytest.raises(ValueError, match="column = 'nope'"):
        plot.fan_chart(result, "nope")


def test_fan_chart_into_given_axes(result):
    fig = Figure()
    ax = fig.add_subplot()
    assert plot.fan_chart(result, "active", ax=ax) is fig


def test_earnings_distribution_states_share_earning_nothing(result):
    fig = plot.earnings_distribution(result)
    zero = analytics.earnings_distribution(result).filter(pl.col("metric") == "share_zero")
    share = zero["mean"][0]
    text = _texts(fig)
    assert f"{share:.0%} of everyone who joined earned nothing" in text
    assert "earned nothing" in text
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    # bars are shares of everyone who ever joined: with the people paid nothing, they add to 1
    (bars,) = ax.patches
    heights = float(bars.get_data().values.sum())
    d = result.distributors
    paid = (d["earnings"].cast(pl.Float64) > 0).sum() / d.height
    assert heights == pytest.approx(paid, rel=1e-9)
    assert heights + share == pytest.approx(1, abs=0.01)  # pooled vs mean of runs
    _render(fig)


def test_earnings_distribution_gross(result):
    fig = plot.earnings_distribution(result, of="gross")
    assert "retail margin" in _texts(fig)
    with pytest.raises(ValueError):
        plot.earnings_distribution(result, of="nope")


def test_lorenz(result):
    fig = plot.lorenz(result)
    ax = fig.axes[0]
    curve = ax.lines[0]
    ys = list(curve.get_ydata())
    assert ys[0] == pytest.approx(0) and ys[-1] == pytest.approx(1)
    assert all(a <= b + 1e-12 for a, b in itertools.pairwise(ys))
    gini = analytics.earnings_distribution(result).filter(pl.col("metric") == "gini")["mean"][0]
    assert f"Gini {gini:.2f}" in _texts(fig)
    assert "equality" in _texts(fig)
    _render(fig)


@pytest.mark.parametrize("by", [None, "max_rank", "join_month"])
def test_retention(result, by):
    fig = plot.retention(result, by=by)
    ax = fig.axes[0]
    assert ax.lines
    for line in ax.lines:
        ys = list(line.get_ydata())
        assert ys[0] == pytest.approx(1.0)
        assert all(a >= b - 1e-12 for a, b in itertools.pairwise(ys)), "survival never rises"
    if by == "max_rank":
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        ranks = set(result.distributors["max_rank"].drop_nulls().unique().to_list())
        assert len(labels) == len(ranks | ({"(none)"} if
                                           result.distributors["max_rank"].null_count() else set()))
    _render(fig)


def test_rank_counts(result):
    fig = plot.rank_counts(result)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert [lab.split(" (")[0] for lab in labels] == result.plan.ranks
    _render(fig)


def test_payout_by_bonus_and_sources(result):
    fig = plot.payout_by_bonus(result)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert [n for n, _, company in result.plan.bonuses if company] == labels[:3]
    assert any("cap" in lab for lab in labels)
    _render(fig)
    fig = plot.sources_of_money(result)
    # one bar per source: retail, preferred, party, own, downline, fees, other
    assert len(fig.axes[0].patches) == len(analytics.SOURCES) == 7
    _render(fig)


def test_net_results(result):
    fig = plot.net_results(result)
    loss = analytics.net_results(result).filter(pl.col("metric") == "share_loss")
    assert "lost money" in _texts(fig)
    assert loss.height == 1
    _render(fig)


def test_compare(result, capped_result):
    fig = plot.compare(result, capped_result, labels=["unilevel", "capped"])
    assert isinstance(fig, Figure)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4
    text = _texts(fig)
    assert "unilevel" in text and "capped" in text
    assert "Payout ratio" in text
    _render(fig)
    with pytest.raises(ValueError, match="two labels"):
        plot.compare(result, capped_result, labels=["only one"])


def test_without_distributors(unilevel_plan, small_scenario):
    res = dl.simulate(unilevel_plan, small_scenario, months=4, runs=2, seed=1,
                      keep_distributors=False)
    _render(plot.fan_chart(res, "payout_ratio"))  # monthly tables are complete
    with pytest.raises(ValueError, match="distributors"):
        plot.earnings_distribution(res)
