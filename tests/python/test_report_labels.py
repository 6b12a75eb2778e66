"""Issue 13: the analytics and the reports at scale, and right to the last label. One test
(or a few) per numbered item, the per-run streaming, and the two-plan comparison."""

from __future__ import annotations

import inspect
import json
import re
import shutil
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import downline as dl
import numpy as np
import polars as pl
import pytest
from conftest import BASELINE_TOML, EXAMPLES, ROOT, UNILEVEL_TOML
from downline import analytics as an
from downline import cli, display, plot, report
from matplotlib.colors import to_rgb


@pytest.fixture(scope="module")
def kept_two(unilevel_plan, small_scenario) -> dl.SimulationResult:
    """4 runs, per-person rows kept for the first 2 only."""
    return dl.simulate(
        unilevel_plan, small_scenario, months=12, runs=4, seed=5, keep_distributors=2
    )


# ------------------------------------------------------------------ per run, in chunks


def test_chunks_are_whole_runs_and_give_the_same_figures(result, monkeypatch):
    whole = {
        f: getattr(an, f)(result) for f in ("earnings_distribution", "net_results", "compliance")
    }
    whole["disclosure"] = an.income_disclosure(result)
    whole["retention"] = an.retention(result, by="max_rank")
    monkeypatch.setattr(an, "CHUNK_ROWS", 1)  # one run per chunk
    monkeypatch.delitem(an._CACHES, id(result), raising=False)  # compute again, run by run
    chunks = [lf.collect() for lf in an.people_chunks(result, ["id"], "test")]
    assert [c["run"].unique().to_list() for c in chunks] == [[r] for r in an.kept_runs(result)]
    assert sum(c.height for c in chunks) == result.distributors.height
    for f in ("earnings_distribution", "net_results", "compliance"):
        assert getattr(an, f)(result).equals(whole[f]), f
    assert an.income_disclosure(result).equals(whole["disclosure"])
    assert an.retention(result, by="max_rank").equals(whole["retention"])


def test_per_run_tables_are_kept_on_the_result(unilevel_plan, small_scenario):
    res = dl.simulate(unilevel_plan, small_scenario, months=6, runs=2, seed=3)
    first = an.net_results(res, per_run=True)
    assert an.net_results(res, per_run=True) is first  # computed once
    res.distributors = res.distributors.with_columns(pl.col("expenses") * 0)
    again = an.net_results(res, per_run=True)
    assert again is not first and (again["mean_expenses"] == 0).all()


def test_saved_result_reads_people_from_disk(tmp_path, result):
    report.save_result(result, tmp_path)
    back = report.load_result(tmp_path)
    assert back.people_scan() is not None, "not read until needed"
    assert an.earnings_distribution(back).equals(an.earnings_distribution(result))
    assert an.compliance(back).equals(an.compliance(result))
    assert back.people_scan() is not None
    assert back.distributors.equals(result.distributors)  # read when asked for
    assert back.people_scan() is None


def test_histograms_are_counts_of_everyone(result):
    d = result.distributors
    h = an.earnings_histogram(result)
    paid = int((d["earnings"].cast(pl.Float64) > 0).sum())
    assert h["people"].sum() == paid
    assert h["share"].sum() == pytest.approx(paid / d.height)
    assert (h["upper"] > h["lower"]).all()
    x = d["earnings"].cast(pl.Float64).filter(d["earnings"].cast(pl.Float64) > 0).to_numpy()
    edges = np.r_[h["lower"].to_numpy(), h["upper"][-1]]
    assert np.histogram(x, edges)[0].tolist() == h["people"].to_list()
    n = an.net_histogram(result)
    net = an.participant_net(result)["net"]
    lo, hi = n["lower"][0], n["upper"][-1]
    inside = net.filter((net >= lo) & (net <= hi))
    assert n["people"].sum() == inside.len()
    assert 0.0 in n["lower"].to_list(), "losses and gains never share a bin"


def test_subtree_sums_exact_on_a_hand_tree():
    # run 0: 0 ← 1 ← 2, 0 ← 3; run 1: 0 ← 1 (rows out of order on purpose)
    run = np.array([0, 0, 1, 0, 0, 1])
    ids = np.array([0, 2, 1, 1, 3, 0])
    sponsor = np.array([-1, 1, 0, 0, 0, -1])
    v = np.array([1, 10, 200, 100, 1000, 300])
    (s,) = an._subtree_arrays(run, ids, sponsor, [v])
    assert s.tolist() == [1111, 10, 200, 110, 1000, 500]
    with pytest.raises(ValueError, match="not a tree"):
        an._subtree_arrays(run, ids, np.array([-1, 7, 0, 0, 0, -1]), [v])


# --------------------------------------------------------------------- the items


def test_1_percent_axes_never_repeat_a_label(result):
    f = plot.ShareFormatter()
    assert f.format_ticks([0, 0.005, 0.01, 0.015, 0.02]) == ["0%", "0.5%", "1%", "1.5%", "2%"]
    assert f.format_ticks([0, 0.0025, 0.005]) == ["0%", "0.25%", "0.5%"]
    assert f.format_ticks([0, 0.2, 0.4]) == ["0%", "20%", "40%"]
    for fig in (
        plot.fan_chart(result, "payout_ratio"),
        plot.compare(result, result, labels=["A", "B"]),
    ):
        fig.canvas.draw()
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            for axis in (ax.yaxis, ax.xaxis):
                if isinstance(axis.get_major_formatter(), plot.ShareFormatter):
                    labels = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
                    assert len(labels) == len(set(labels)), labels
    # shares below a few percent: the case that printed "0%, 0%, 1%, 1%"
    fig = plot.fan_chart(result, "payout_ratio")
    ax = fig.axes[0]
    ax.set_ylim(0, 0.025)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.yaxis.get_ticklabels() if t.get_text()]
    assert len(labels) == len(set(labels)) >= 3, labels


@pytest.mark.parametrize("path", sorted((EXAMPLES / "plans").glob("*.toml")), ids=lambda p: p.stem)
def test_2_every_bonus_kind_in_words_with_its_rates(path):
    plan = dl.Plan.load(path)
    spec = plan.to_dict()
    sentences = display.plan_sentences(plan)
    for b in spec["bonus"]:
        text = display.bonus_description(b, plan.ranks, plan.currency)
        assert text != b["kind"] and len(text) > 40, text
        rates = [b.get(k) for k in ("rate", "markup") if b.get(k) is not None]
        rates += [t["rate"] for t in b.get("tiers") or []]
        rates += list((b.get("rates") or {}).values()) if b["kind"] == "differential" else []
        for r in rates:
            assert display.fmt_rate(r) in text, (r, text)
        for lv in b.get("levels") or []:
            assert display.fmt_rate(lv) in text
        assert any(text[1:] in s for s in sentences)


def test_3_scenario_table_as_long_as_the_scenario(small_scenario_dict):
    base = dl.Scenario.load(BASELINE_TOML)
    n = len(base.to_dict()["recruitment"]["rate"])
    assert n == 15 and display.tenure_table_months(base) == 15
    h = display.scenario_html(base)
    table = h.split("Recruiting and quitting by months since joining")[1]
    assert table.count("<tr>") == n + 1
    assert f"The last value repeats after month {n}." in h
    flat = dict(small_scenario_dict, recruitment={"rate": 0.2}, attrition={"monthly_quit": 0.05})
    h = display.scenario_html(dl.Scenario.from_dict(flat))
    assert "The same every month." in h and "repeats" not in h


def test_4_every_table_scrolls_and_print_fits(tmp_path, result):
    html = report.render_report(result)
    assert html.count("<table") == html.count('<div class="dl-scroll"')
    assert ".dl-scroll{overflow:visible!important}" in html  # printed in full
    assert "th,th.n{white-space:normal}" in html


def test_5_small_ranks_per_run_with_runs_that_had_anyone(result):
    t = an.income_disclosure(result)
    per = an.income_disclosure(result, per_run=True)
    for row in t.iter_rows(named=True):
        p = per.filter(pl.col("rank") == row["rank"])
        assert row["runs_with_people"] == int((p["people"] > 0).sum())
        assert row["runs"] == len(an.kept_runs(result))
        assert row["people"] == pytest.approx(p["people"].mean())
    assert display.fmt_per_run(0.01) == "0.01" and display.fmt_per_run(2 / 200) == "0.01"
    assert display.fmt_per_run(4.25) == "4.2" and display.fmt_per_run(12034) == "12,034"
    assert display.fmt_share_small(2 / 9_800_000) == "2e-05%"[:0] + f"{100 * 2 / 9.8e6:.2g}%"
    assert display.fmt_share_small(0) == "0%"
    html = report.render_report(result)
    section = html.split('<h2 id="disclosure">')[1].split("<h2")[0]
    assert "runs with anyone" in section and "people per run" in section
    for row in t.iter_rows(named=True):
        assert f"{row['runs_with_people']} of {row['runs']}" in section


def test_6_lost_money_one_definition_everywhere(result, capsys):
    loss = an.net_results(result).filter(pl.col("metric") == "share_loss").row(0, named=True)
    cli.print_summary(result)
    out = capsys.readouterr().out
    assert f"{cli.LOST_MONEY:<44} {100 * loss['p50']:>13.1f}%" in out
    assert "purchases not counted" in out  # the core's figure, labelled as what it is
    rows = {r[0]: r for r in display.summary_rows(result)}
    assert rows[display.LOST_MONEY][1] == display.fmt_share(loss["p50"])
    html = report.render_report(result)
    findings = html.split('<ul class="findings">')[1].split("</ul>")[0]
    assert f"{display.fmt_share(loss['mean'])} lost money" in findings
    net = html.split("<h3>Net results</h3>")[1].split("</table>")[0]
    assert f"lost money (net below −1)</td><td class=n>{display.fmt_share(loss['mean'])}" in net
    for text in (out, html, display.result_html(result)):
        assert "lost money (fees + expenses > earnings)" not in text


def test_7_every_section_says_which_runs(kept_two):
    html = report.render_report(kept_two)
    which = "the 2 of 4 runs whose per-person rows were kept (runs 0–1)"
    assert which in html.split("</header>")[0]
    for sec in ("participants", "disclosure", "compliance"):
        assert which in html.split(f'<h2 id="{sec}">')[1].split("<h2")[0], sec
    for sec in ("company", "sources"):
        assert "All 4 runs." in html.split(f'<h2 id="{sec}">')[1].split("<h2")[0], sec
    # one figure, one number: the key findings use the same runs as the tables
    ed = {r["metric"]: r["mean"] for r in an.earnings_distribution(kept_two).iter_rows(named=True)}
    mean = display.fmt_money(ed["mean"], cents=True)
    findings = html.split('<ul class="findings">')[1].split("</ul>")[0]
    assert f"the mean is {mean}" in findings
    assert f"mean earnings, USD</td><td class=n>{mean}<" in html
    every = display.fmt_money(kept_two.runs["mean_earnings"].cast(pl.Float64).mean(), cents=True)
    if every != mean:
        assert every not in findings


def test_8_retention_per_run_counts_and_spread_of_runs(result):
    t = an.retention(result)
    runs = len(an.kept_runs(result))
    assert (t["at_risk_per_run"] * runs - t["at_risk"]).abs().max() < 1e-9
    joined = result.distributors.height / runs
    assert t["people_per_run"][0] == pytest.approx(joined)
    assert (t["run_p05"] <= t["run_p95"]).all()
    html = report.render_report(result)
    ret = html.split("<h3>Retention</h3>")[1].split("</table>")[0]
    assert "people at risk, per run" in ret and "90% of runs" in ret
    for m in (1, 3, 6):
        x = t.filter(pl.col("months") == m).row(0, named=True)
        assert f"{display.fmt_share(x['run_p05'])} to {display.fmt_share(x['run_p95'])}" in ret
        assert display.fmt_per_run(x["at_risk_per_run"]) in ret
    fig = plot.retention(result, by="max_rank")
    for text in fig.axes[0].get_legend().get_texts():
        assert text.get_text().endswith("per run)"), text.get_text()
        n = float(re.search(r"\(([\d.,]+) per run\)", text.get_text()).group(1).replace(",", ""))
        assert n <= joined + 1e-9


def _luminance(c) -> float:
    r, g, b = to_rgb(c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_9_rank_charts_ordered_palette_readable_legend_no_empty_bands():
    plan = dl.Plan.load(EXAMPLES / "plans" / "unilevel_pools_matching.toml")
    res = dl.simulate(
        plan, dl.Scenario.load(BASELINE_TOML), months=18, runs=6, seed=3, keep_distributors=False
    )
    fig = plot.rank_counts(res)
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines) == len(plan.ranks)
    lum = [_luminance(line.get_color()) for line in lines]
    assert lum == sorted(lum), "darker for lower ranks, lighter for higher"
    assert len({tuple(to_rgb(line.get_color())) for line in lines}) == len(lines)
    legend = ax.get_legend()
    assert legend.get_bbox_to_anchor().x0 > ax.get_window_extent().x0  # beside the plot
    assert all(t.get_fontsize() >= 8 for t in legend.get_texts())
    t = an.rank_counts(res).filter(pl.col("metric") == "count")
    held = t.group_by("rank").agg((pl.col("p05") >= 1).any().alias("held"))
    bands = len(ax.collections)
    assert bands == int(held["held"].sum()) < len(plan.ranks)


def test_10_no_unescaped_dollar_in_notebook_markdown():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_notebooks as bn
    finally:
        sys.path.pop(0)
    assert bn.escape_dollars("**$1.8 million** of `$x`") == r"**\$1.8 million** of `$x`"
    assert bn.escape_dollars(r"already \$5") == r"already \$5"
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(nb.read_text())["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            text = "".join(cell["source"])
            outside = re.sub(r"```.*?```|`[^`\n]*`", "", text, flags=re.DOTALL)
            assert not re.search(r"(?<!\\)\$", outside), (nb.name, text[:120])


def test_11_one_default_seed():
    seed = inspect.signature(dl.simulate).parameters["seed"].default
    assert seed == dl.api.DEFAULT_SEED == 7
    assert inspect.signature(an.compare).parameters["seed"].default == seed
    assert inspect.signature(dl.calibrate).parameters["seed"].default == seed
    parser = cli.build_parser()
    for cmd in (["simulate", "p", "s"], ["compare", "a", "b", "--scenario", "s"]):
        assert parser.parse_args(cmd).seed == seed


def test_12_build_and_kept_runs_in_metadata_and_header(tmp_path, kept_two):
    report.save_result(kept_two, tmp_path)
    meta = pl.read_parquet_metadata(tmp_path / "runs.parquet")
    assert meta["downline.build"] == report.build_id() != ""
    assert meta["downline.people_runs"] == "0–1"
    git = shutil.which("git")
    if git and (ROOT / ".git").exists():
        head = subprocess.run(
            [git, "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        report.build_id.cache_clear()  # HEAD may have moved since it was first read
        assert report.build_id().startswith(head[:7])
    html = report.render_report(report.load_result(tmp_path))
    header = html.split("</header>")[0]
    assert f"(build {meta['downline.build']})" in header
    assert "runs 0–1" in header
    assert report.run_ranges([0, 1, 2, 5, 7, 8]) == "0–2, 5, 7–8"
    assert report.run_ranges([]) == "none"


def test_13_company_view_displays_in_jupyter(result):
    view = an.payout(result)
    html = view._repr_html_()
    assert html.count("<table") == 2
    ratio = view.summary.filter(pl.col("metric") == "payout_ratio")["mean"][0]
    assert display.fmt_share(ratio) in html
    for name, _, _ in result.plan.bonuses:
        assert f"<td>{name}</td>" in html


# --------------------------------------------------------------- two plans compared


@pytest.fixture(scope="module")
def comparison(unilevel_plan, small_scenario):
    spec = unilevel_plan.to_dict()
    spec["name"] = "lower qualification"
    spec["active"]["min_pv"] = "50"
    return dl.compare(
        [unilevel_plan, dl.Plan.from_dict(spec)], small_scenario, months=12, runs=4, seed=2
    )


def test_compare_returns_a_comparison_shown_compactly(comparison):
    assert isinstance(comparison, an.Comparison)
    assert comparison["plan"].to_list()[:2] == [
        "Example unilevel with ranks",
        "lower qualification",
    ]
    assert "share_losing_money" in comparison.table["metric"].to_list()
    html = comparison._repr_html_()
    # the names once, as a key; one row per figure, not one per (figure, plan)
    assert html.count("lower qualification") == 1
    shown = comparison.table["metric"].n_unique() - 1  # no host rewards without a party plan
    assert html.count("<tr>") == 1 + shown and "host rewards" not in html
    pr = comparison.table.filter((pl.col("metric") == "payout_ratio") & (pl.col("plan_index") == 1))
    assert an._fmt_diff(pr["diff_mean"][0], "share") in html


def test_comparison_report(tmp_path, comparison):
    path = comparison.write_report(tmp_path / "cmp.html")
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and not re.search(r'(src|href)\s*=\s*["\']?https?:', html)
    for sec in ("differences", "plans", "company", "participants", "compliance", "assumptions"):
        assert f'<h2 id="{sec}">' in html, sec
    n = int(re.search(r'data-figures="(\d+)"', html).group(1))
    assert n == report.count_svgs(html) == 5
    plans = html.split('<h2 id="plans">')[1].split("<h2")[0]
    for res in comparison.results:
        for s in display.plan_sentences(res.plan):
            assert display.esc(s) in plans
    comp = html.split('<h2 id="compliance">')[1].split("<h2")[0]
    assert comp.count("<tr>") == 1 + 7 and "A: result" in comp and "B: result" in comp


def test_cli_compare_html(tmp_path, capsys):
    lean = tmp_path / "lean.toml"
    lean.write_text(
        UNILEVEL_TOML.read_text().replace('max_payout_ratio = "0.45"', 'max_payout_ratio = "0.10"')
    )
    out = tmp_path / "cmp.html"
    rc = cli.main(
        [
            "compare",
            str(UNILEVEL_TOML),
            str(lean),
            "--scenario",
            str(BASELINE_TOML),
            "--runs",
            "3",
            "--months",
            "8",
            "--html",
            str(out),
        ]
    )
    text, err = capsys.readouterr()
    assert rc == 0, err
    assert f"Wrote {out}" in text and cli.LOST_MONEY in text
    assert '<h2 id="differences">' in out.read_text(encoding="utf-8")


# ------------------------------------------------------------------ in a real browser

from test_report import _browser, _chromium

_PROBE = """<script>
addEventListener('load', () => {
  const main = document.querySelector('main').getBoundingClientRect();
  const out = [], wide = [];
  for (const t of document.querySelectorAll('table')) {
    const box = t.parentElement;
    const name = (t.rows[0] ? t.rows[0].innerText : '').slice(0, 30).replace(/\\s+/g, ' ');
    if (!box.classList.contains('dl-scroll')) out.push('unwrapped:' + name);
    if (box.getBoundingClientRect().right > main.right + 1) out.push('outside:' + name);
    if (t.scrollWidth > box.clientWidth + 1) wide.push(name);
  }
  document.body.setAttribute('data-outside', out.join('|') || 'none');
  document.body.setAttribute('data-wide', wide.join('|') || 'none');
});
</script>"""


def _probe(tmp_path, html: str, width: int, name: str) -> tuple[str, str]:
    page = tmp_path / name
    page.write_text(html.replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    dom = _browser(tmp_path, "--dump-dom", f"--window-size={width},1000", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    outside = re.search(r'data-outside="([^"]*)"', dom.stdout).group(1)
    wide = re.search(r'data-wide="([^"]*)"', dom.stdout).group(1)
    return outside, wide


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (CI installs it)")
def test_4_tables_fit_on_screen_and_in_print(tmp_path, result, kept_two):
    for res in (result, kept_two):
        html = report.render_report(res)
        # on a 1,200 px screen every table fits the page (none even needs its scrollbar)
        assert _probe(tmp_path, html, 1200, "screen.html") == ("none", "none")
        # on a narrow screen a table may scroll, inside its own box, never past the page
        assert _probe(tmp_path, html, 600, "narrow.html")[0] == "none"
        # printed (the print rules applied, A4 portrait ≈ 720 px): nothing is cut off
        printed = html.replace("@media print{", "@media all{")
        assert _probe(tmp_path, printed, 720, "print.html") == ("none", "none")


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (CI installs it)")
def test_comparison_renders_in_headless_chromium(tmp_path, comparison):
    path = comparison.write_report(tmp_path / "cmp.html")
    html = path.read_text(encoding="utf-8")
    n = int(re.search(r'data-figures="(\d+)"', html).group(1))
    dom = _browser(tmp_path, "--dump-dom", path.resolve().as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert len(re.findall(r"<figure[^>]*><svg\b", dom.stdout)) == n
    assert _probe(tmp_path, html, 1200, "probe.html") == ("none", "none")
    shot = tmp_path / "comparison.png"
    run = _browser(tmp_path, f"--screenshot={shot}", "--window-size=1280,4000", path.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 100_000
    _keep_screenshot(shot)


def _keep_screenshot(shot) -> None:
    """With DOWNLINE_SCREENSHOTS=DIR, keep the screenshot there (docs/ holds the last)."""
    import os

    target = os.environ.get("DOWNLINE_SCREENSHOTS")
    if target:
        shutil.copy(shot, os.path.join(target, shot.name))


def test_saved_directory_is_checked_against_its_own_files(tmp_path, result, monkeypatch):
    """A newer build may add optional fields to Plan.to_dict(), so re-serialising the plan
    gives another hash; the check hashes the saved files' bytes instead, so a directory an
    older build wrote still loads, and an edited file still does not."""
    report.save_result(result, tmp_path)
    monkeypatch.setattr(report, "spec_hash", lambda obj: "a newer build's form")
    assert report.load_result(tmp_path).plan.name == result.plan.name
    spec = json.loads((tmp_path / "plan.json").read_text())
    spec["name"] = "edited"
    (tmp_path / "plan.json").write_text(report.canonical_json(spec))
    with pytest.raises(report.ResultDirError, match="plan.json: does not match"):
        report.load_result(tmp_path)
