"""The command line beyond validate/simulate basics: Parquet metadata and plan/scenario
copies from `simulate --out`, `report DIR --html FILE`, `compare PLAN… --scenario S`, and
`--help`; every command's success and bad input (exit 2, one line naming the problem)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import downline as dl
import polars as pl
import pytest
from conftest import BASELINE_TOML, ROOT, UNILEVEL_TOML
from downline import cli

SMALL = ["--runs", "2", "--months", "6", "--seed", "5"]


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module")
def sim_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim") / "out"
    assert cli.main(["simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), *SMALL,
                     "--out", str(d)]) == 0
    return d


@pytest.fixture()
def leaner_plan(tmp_path):
    p = tmp_path / "leaner.toml"
    p.write_text(UNILEVEL_TOML.read_text()
                 .replace('name = "Example unilevel with ranks"', 'name = "leaner"')
                 .replace('max_payout_ratio = "0.45"', 'max_payout_ratio = "0.10"'))
    return p


@pytest.fixture()
def bad_plan(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text(UNILEVEL_TOML.read_text().replace('rate = "0.20"', 'rate = "2.0"'))
    return p


# --------------------------------------------------------------------------- --help


@pytest.mark.parametrize("command", [[], ["validate"], ["simulate"], ["report"], ["compare"]])
def test_help(capsys, command):
    with pytest.raises(SystemExit) as ei:
        cli.main([*command, "--help"])
    assert ei.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: downline")
    if not command:
        for c in ("validate", "simulate", "report", "compare"):
            assert c in out
    if command == ["report"]:
        assert "--html" in out and "simulate --out" in out
    if command == ["compare"]:
        assert "--scenario" in out and "same simulated people" in out


def test_validate_scenario_missing_file(capsys, tmp_path):
    rc = cli.main(["validate", str(UNILEVEL_TOML), "--scenario", str(tmp_path / "none.toml")])
    _, err = capsys.readouterr()
    assert rc == 2
    assert "none.toml" in _one_line(err)


# ------------------------------------------------------------------------- simulate


def test_simulate_metadata_and_copies(capsys, sim_dir):
    _out, _ = capsys.readouterr()
    plan, scen = dl.Plan.load(UNILEVEL_TOML), dl.Scenario.load(BASELINE_TOML)
    for t in ("monthly", "bonuses", "ranks", "runs", "distributors"):
        meta = pl.read_parquet_metadata(sim_dir / f"{t}.parquet")
        assert meta["downline.seed"] == "5"
        assert meta["downline.months"] == "6"
        assert meta["downline.runs"] == "2"
        assert meta["downline.version"] == dl.__version__
        assert meta["downline.plan_sha256"] == hashlib.sha256(
            (sim_dir / "plan.json").read_bytes()).hexdigest()
        assert meta["downline.scenario_sha256"] == hashlib.sha256(
            (sim_dir / "scenario.json").read_bytes()).hexdigest()
    assert dl.Plan.load(sim_dir / "plan.json").to_dict() == plan.to_dict()
    assert dl.Scenario.load(sim_dir / "scenario.json").to_dict() == scen.to_dict()
    assert not list(sim_dir.glob(".*"))


def test_simulate_out_is_a_file(capsys, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    rc = cli.main(["simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), *SMALL, "--out", str(f)])
    _, err = capsys.readouterr()
    assert rc == 2
    assert str(f) in _one_line(err)


def test_simulate_bad_plan(capsys, bad_plan):
    rc = cli.main(["simulate", str(bad_plan), str(BASELINE_TOML), *SMALL])
    _, err = capsys.readouterr()
    assert rc == 2
    assert "bonus[2].rate" in _one_line(err)


# --------------------------------------------------------------------------- report


def test_report(capsys, sim_dir, tmp_path):
    path = tmp_path / "r.html"
    rc = cli.main(["report", str(sim_dir), "--html", str(path)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert f"Wrote {path}" in out
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "2 simulated runs × 6 months, seed 5" in html
    assert html.count("<svg") >= 10


def test_report_default_path(capsys, sim_dir):
    rc = cli.main(["report", str(sim_dir), "--consumed-share", "1"])
    capsys.readouterr()
    assert rc == 0
    html = (sim_dir / "report.html").read_text(encoding="utf-8")
    assert "100% as product" in html
    (sim_dir / "report.html").unlink()


@pytest.mark.parametrize("case", ["missing", "incomplete", "tampered", "bad-share", "html-dir",
                                  "html-parent"])
def test_report_bad_input(capsys, sim_dir, tmp_path, case):
    d, extra = sim_dir, []
    needle = ""
    if case == "missing":
        d, needle = tmp_path / "nothing", "no such directory"
    elif case == "incomplete":
        d = tmp_path / "inc"
        d.mkdir()
        for f in sim_dir.iterdir():
            if f.name != "runs.parquet":
                (d / f.name).write_bytes(f.read_bytes())
        needle = "missing runs.parquet"
    elif case == "tampered":
        d = tmp_path / "tam"
        d.mkdir()
        for f in sim_dir.iterdir():
            (d / f.name).write_bytes(f.read_bytes())
        spec = json.loads((d / "scenario.json").read_text())
        spec["market"]["founders"] = 99
        (d / "scenario.json").write_text(json.dumps(spec))
        needle = "scenario.json: does not match"
    elif case == "bad-share":
        extra, needle = ["--consumed-share", "1.5"], "consumed_share = 1.5"
    elif case == "html-dir":
        extra, needle = ["--html", str(tmp_path)], "is a directory"
    elif case == "html-parent":
        extra, needle = ["--html", str(tmp_path / "no" / "r.html")], "does not exist"
    rc = cli.main(["report", str(d), *extra])
    _, err = capsys.readouterr()
    assert rc == 2
    line = _one_line(err)
    assert line.startswith("downline: ")
    assert needle in line
    assert not list(tmp_path.glob("**/*.html"))


def test_report_usage_error(capsys):
    with pytest.raises(SystemExit) as ei:
        cli.main(["report"])
    assert ei.value.code == 2
    capsys.readouterr()


# -------------------------------------------------------------------------- compare


def test_compare(capsys, leaner_plan, tmp_path):
    csv = tmp_path / "cmp.csv"
    rc = cli.main(["compare", str(UNILEVEL_TOML), str(leaner_plan), "--scenario",
                   str(BASELINE_TOML), "--runs", "4", "--months", "12", "--seed", "3",
                   "--csv", str(csv)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "2 plans under baseline: 4 runs × 12 months, seed 3" in out
    assert "[0] Example unilevel with ranks" in out and "[1] leaner" in out
    block = out.split("payout ratio (commissions ÷ volume value)\n")[1].split("\n\n")[0]
    lines = block.splitlines()
    assert len(lines) == 2
    assert "vs [0]" not in lines[0] and "vs [0]: -" in lines[1]  # a 10% cap pays less
    # the same people: the volume is identical, so its paired difference is exactly zero
    vol = out.split("volume value\n")[1].split("\n\n")[0].splitlines()
    assert "vs [0]: 0 [0, 0]" in vol[1]
    table = pl.read_csv(csv)
    assert set(table["metric"]) >= {"payout_ratio", "share_earning_nothing"}
    pr = table.filter(pl.col("metric") == "payout_ratio").sort("plan_index")
    assert pr["diff_mean"][1] < 0 and pr["diff_high"][1] < 0


@pytest.mark.parametrize("case", ["one-plan", "bad-plan", "bad-scenario", "bad-runs",
                                  "missing-plan"])
def test_compare_bad_input(capsys, tmp_path, bad_plan, case):
    plans, scen, extra = [str(UNILEVEL_TOML), str(UNILEVEL_TOML)], str(BASELINE_TOML), []
    if case == "one-plan":
        plans, needle = [str(UNILEVEL_TOML)], "at least two plan files"
    elif case == "bad-plan":
        plans, needle = [str(UNILEVEL_TOML), str(bad_plan)], "bonus[2].rate"
    elif case == "bad-scenario":
        s = tmp_path / "s.toml"
        s.write_text(BASELINE_TOML.read_text().replace("founders = 20", "founders = 0"))
        scen, needle = str(s), "market.founders"
    elif case == "bad-runs":
        extra, needle = ["--runs", "0"], "runs = 0"
    else:
        plans, needle = [str(UNILEVEL_TOML), str(tmp_path / "gone.toml")], "gone.toml"
    rc = cli.main(["compare", *plans, "--scenario", scen, "--months", "2", *extra])
    _out, err = capsys.readouterr()
    assert rc == 2
    assert needle in _one_line(err)


def test_compare_needs_a_scenario(capsys):
    with pytest.raises(SystemExit) as ei:
        cli.main(["compare", str(UNILEVEL_TOML), str(UNILEVEL_TOML)])
    assert ei.value.code == 2
    assert "--scenario" in capsys.readouterr().err


def test_installed_entry_point(tmp_path, sim_dir):
    """`python -m downline.cli report` end to end, as `make demo` users would run it."""
    r = subprocess.run([sys.executable, "-m", "downline.cli", "report", str(sim_dir), "--html",
                        str(tmp_path / "r.html")], capture_output=True, text=True, cwd=ROOT,
                       timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "r.html").stat().st_size > 50_000
    bad = subprocess.run([sys.executable, "-m", "downline.cli", "report", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert bad.returncode == 2
    assert "missing" in _one_line(bad.stderr)
