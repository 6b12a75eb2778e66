"""The HTML report: self-contained (inline SVG and CSS, nothing fetched), every section and
figure present, text escaped, written atomically, made from a result or from a `simulate
--out` directory (whose Parquet metadata and plan/scenario copies are checked) — and shown
by a real headless browser (Debian's chromium; CI installs it, the test is skipped only
where it is not installed)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import subprocess

import matplotlib

matplotlib.use("Agg")

import downline as dl
import polars as pl
import pytest
from conftest import MONTHS, RUNS, SEED
from downline import report

SECTIONS = ["plan", "scenario", "company", "participants", "disclosure", "sources", "compliance",
            "assumptions"]


@pytest.fixture(scope="module")
def report_html(tmp_path_factory, result):
    path = tmp_path_factory.mktemp("report") / "report.html"
    out = report.write_report(result, path)
    assert out == path
    return path


def test_report_is_self_contained(report_html):
    html = report_html.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert "<img" not in html.lower()
    # nothing to fetch: no URL in any src/href, no CSS import or url()
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:|//)', html, re.IGNORECASE)
    assert "@import" not in html
    assert not re.search(r"url\((?!#)", html), "only references inside the document"
    assert not list(report_html.parent.glob(".*part"))


def test_every_section_and_figure(report_html):
    html = report_html.read_text(encoding="utf-8")
    for s in SECTIONS:
        assert f'<h2 id="{s}">' in html, s
    n = int(re.search(r'data-figures="(\d+)"', html).group(1))
    assert n >= 10
    assert report.count_svgs(html) == n == html.count('<figure class="fig"')
    # the figures' text is kept as text (searchable), not outlined
    assert "earned nothing" in html
    assert 'class="note"' not in html, "nothing should be missing with the current core"
    for needle in ["payout ratio", "Breakage", "Lorenz", "Kaplan", "income disclosure",
                   "herbalife", "Vemma", "70% rule", "Plan SHA-256"]:
        assert needle.lower() in html.lower(), needle


def test_income_disclosure_rows(report_html, result):
    html = report_html.read_text(encoding="utf-8")
    section = html.split('<h2 id="disclosure">')[1].split("<h2")[0]
    for rank in ["(none)", *result.plan.ranks]:
        if rank in result.distributors["max_rank"].fill_null("(none)").to_list():
            assert f"<td>{rank}</td>" in section.replace("&#x27;", "'"), rank


def test_text_is_escaped(tmp_path, small_scenario):
    plan = dl.Plan.from_dict({"name": "<script>alert('x')</script> & co",
                              "currency": "<b>",
                              "bonus": [{"kind": "unilevel", "levels": ["0.1"]}]})
    res = dl.simulate(plan, small_scenario, months=3, runs=2, seed=1)
    path = report.write_report(res, tmp_path / "r.html")
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in html
    assert "<b>" not in html


def test_written_atomically(tmp_path, result, monkeypatch):
    path = tmp_path / "r.html"
    path.write_text("old")

    def broken(*a, **k):
        raise RuntimeError("figure failed")

    monkeypatch.setattr(report, "render_report", broken)
    with pytest.raises(RuntimeError):
        report.write_report(result, path)
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


def test_bad_arguments(tmp_path, result):
    with pytest.raises(TypeError):
        report.write_report(42, tmp_path / "r.html")
    with pytest.raises(ValueError, match="consumed_share"):
        report.write_report(result, tmp_path / "r.html", consumed_share=2)
    with pytest.raises(FileNotFoundError):
        report.write_report(result, tmp_path / "nope" / "r.html")


def test_without_distributor_rows(tmp_path, unilevel_plan, small_scenario):
    res = dl.simulate(unilevel_plan, small_scenario, months=4, runs=2, seed=1,
                      keep_distributors=False)
    html = report.write_report(res, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "per-distributor rows were not kept" in html
    assert report.count_svgs(html) >= 4  # the company's view needs only the monthly tables


# ------------------------------------------------------------- the saved result directory


def test_save_and_load_result(tmp_path, result):
    paths = report.save_result(result, tmp_path)
    assert [p.name for p in paths] == [f"{t}.parquet" for t in report.TABLES]
    meta = pl.read_parquet_metadata(tmp_path / "monthly.parquet")
    assert meta["downline.seed"] == str(SEED)
    assert meta["downline.months"] == str(MONTHS)
    assert meta["downline.runs"] == str(RUNS)
    assert meta["downline.version"] == dl.__version__
    plan_bytes = (tmp_path / "plan.json").read_bytes()
    assert meta["downline.plan_sha256"] == hashlib.sha256(plan_bytes).hexdigest()
    scen_bytes = (tmp_path / "scenario.json").read_bytes()
    assert meta["downline.scenario_sha256"] == hashlib.sha256(scen_bytes).hexdigest()
    assert json.loads(plan_bytes) == result.plan.to_dict()
    back = report.load_result(tmp_path)
    for t in report.TABLES:
        assert getattr(back, t).equals(getattr(result, t)), t
    assert (back.months, back.n_runs, back.seed) == (MONTHS, RUNS, SEED)
    assert back.plan.to_dict() == result.plan.to_dict()
    assert back.scenario.to_dict() == result.scenario.to_dict()


def test_same_plan_same_hash(tmp_path, unilevel_plan):
    again = dl.Plan.from_dict(json.loads(json.dumps(unilevel_plan.to_dict())))
    assert report.spec_hash(again) == report.spec_hash(unilevel_plan)
    spec = unilevel_plan.to_dict()
    spec["cap"] = {"max_payout_ratio": "0.4"}
    assert report.spec_hash(dl.Plan.from_dict(spec)) != report.spec_hash(unilevel_plan)


def test_load_result_errors(tmp_path, result):
    with pytest.raises(report.ResultDirError, match="no such directory"):
        report.load_result(tmp_path / "missing")
    d = tmp_path / "d"
    report.save_result(result, d)
    (d / "ranks.parquet").unlink()
    with pytest.raises(report.ResultDirError, match="missing ranks.parquet"):
        report.load_result(d)
    report.save_result(result, d)
    spec = json.loads((d / "plan.json").read_text())
    spec["name"] = "changed afterwards"
    (d / "plan.json").write_text(json.dumps(spec))
    with pytest.raises(report.ResultDirError, match="plan.json: does not match"):
        report.load_result(d)
    result.write_parquet(d)  # the same writer as save_result: replaces the edited one
    assert report.load_result(d).n_runs == RUNS
    result.runs.write_parquet(d / "runs.parquet")  # a table without its metadata
    with pytest.raises(report.ResultDirError, match="runs.parquet: does not match manifest"):
        report.load_result(d)


def test_report_from_directory(tmp_path, result):
    report.save_result(result, tmp_path / "run")
    path = report.write_report(tmp_path / "run", tmp_path / "r.html")
    html = path.read_text(encoding="utf-8")
    assert f"{RUNS} simulated runs × {MONTHS} months, seed {SEED}" in html


# ------------------------------------------------------------------ in a real browser


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _browser(tmp_path, *args: str) -> subprocess.CompletedProcess:
    exe = _chromium()
    return subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", "--no-first-run",
         "--disable-extensions", *args],
        capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (CI installs it)")
def test_renders_in_headless_chromium(tmp_path, report_html):
    html = report_html.read_text(encoding="utf-8")
    n = int(re.search(r'data-figures="(\d+)"', html).group(1))
    dom = _browser(tmp_path, "--dump-dom", report_html.resolve().as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    # the browser parsed every figure as SVG inside its <figure>, and every section
    assert len(re.findall(r"<figure[^>]*><svg\b", dom.stdout)) == n
    for s in SECTIONS:
        assert f'<h2 id="{s}">' in dom.stdout, s
    for line in dom.stderr.splitlines():
        assert "Uncaught" not in line and "ERR_FILE_NOT_FOUND" not in line, line
        assert "Failed to load resource" not in line, line
    shot = tmp_path / "report.png"
    run = _browser(tmp_path, f"--screenshot={shot}", "--window-size=1280,4000",
                   report_html.resolve().as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 4000)
    assert len(data) > 100_000, "the screenshot is (nearly) blank"
    target = os.environ.get("DOWNLINE_SCREENSHOTS")  # docs/ holds the last one looked at
    if target:
        shutil.copy(shot, os.path.join(target, shot.name))
