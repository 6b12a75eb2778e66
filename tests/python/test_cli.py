"""The ``downline`` command line, in-process through ``downline.cli.main`` and once as
``python -m downline.cli``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import downline as dl
import polars as pl
import pytest
from conftest import BASELINE_TOML, ROOT, UNILEVEL_TOML
from downline import cli

TABLES = ("monthly", "bonuses", "ranks", "runs", "distributors")


@pytest.fixture()
def bad_plan(tmp_path):
    p = tmp_path / "bad_plan.toml"
    p.write_text(UNILEVEL_TOML.read_text().replace('max_payout_ratio = "0.45"',
                                                   'max_payout_ratio = "1.45"'))
    return p


@pytest.fixture()
def bad_scenario(tmp_path):
    p = tmp_path / "bad_scenario.toml"
    p.write_text(BASELINE_TOML.read_text().replace("heterogeneity = 0.25",
                                                   "heterogeneity = -0.25"))
    return p


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_validate_ok(capsys):
    rc = cli.main(["validate", str(UNILEVEL_TOML)])
    out, err = capsys.readouterr()
    assert rc == 0
    assert out.startswith("ok: ")
    assert "Example unilevel with ranks" in out
    assert err == ""


def test_validate_ok_with_scenario(capsys):
    rc = cli.main(["validate", str(UNILEVEL_TOML), "--scenario", str(BASELINE_TOML)])
    out, _ = capsys.readouterr()
    assert rc == 0
    assert out.count("ok: ") == 2
    assert "baseline" in out


def test_validate_bad_plan(capsys, bad_plan):
    rc = cli.main(["validate", str(bad_plan)])
    _out, err = capsys.readouterr()
    assert rc == 2
    line = _one_line(err)
    assert "PlanError" in line
    assert "cap.max_payout_ratio: 1.45 is above 1" in line
    assert "Traceback" not in err


def test_validate_bad_scenario(capsys, bad_scenario):
    rc = cli.main(["validate", str(UNILEVEL_TOML), "--scenario", str(bad_scenario)])
    _, err = capsys.readouterr()
    assert rc == 2
    line = _one_line(err)
    assert "ScenarioError" in line
    assert "recruitment.heterogeneity: -0.25 must be above 0" in line


def test_validate_missing_file(capsys, tmp_path):
    missing = tmp_path / "missing.toml"
    rc = cli.main(["validate", str(missing)])
    _, err = capsys.readouterr()
    assert rc == 2
    assert str(missing) in _one_line(err)


def test_simulate_writes_parquet(capsys, tmp_path):
    out_dir = tmp_path / "out"
    rc = cli.main(["simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), "--runs", "2",
                   "--months", "6", "--seed", "3", "--threads", "2", "--out", str(out_dir)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "2 runs × 6 months, seed 3" in out
    assert "payout ratio" in out
    assert "Wrote 5 Parquet files" in out
    names = sorted(os.listdir(out_dir))
    # the tables, copies of the plan and scenario so that `downline report` needs no more,
    # and the manifest that names them all
    assert names == sorted([*(f"{t}.parquet" for t in TABLES), "plan.json", "scenario.json",
                            "manifest.json"])
    assert not [n for n in names if n.endswith(".part")]
    tables = {t: pl.read_parquet(out_dir / f"{t}.parquet") for t in TABLES}
    assert tables["monthly"].height == 2 * 6
    assert tables["runs"].height == 2
    assert sorted(tables["distributors"]["run"].unique().to_list()) == [0, 1]
    assert isinstance(tables["monthly"].schema["payout"], pl.Decimal)
    # the files hold the same tables as the API gives for the same arguments
    res = dl.simulate(dl.Plan.load(UNILEVEL_TOML), dl.Scenario.load(BASELINE_TOML),
                      months=6, runs=2, seed=3)
    for t in TABLES:
        assert tables[t].equals(getattr(res, t)), t


def test_simulate_keep_runs(capsys, tmp_path):
    rc = cli.main(["simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), "--runs", "3",
                   "--months", "4", "--keep-runs", "1", "--out", str(tmp_path)])
    capsys.readouterr()
    assert rc == 0
    d = pl.read_parquet(tmp_path / "distributors.parquet")
    assert d["run"].unique().to_list() == [0]
    assert pl.read_parquet(tmp_path / "runs.parquet").height == 3


def test_simulate_without_out_writes_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc = cli.main(["simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), "--runs", "1",
                   "--months", "3"])
    out, _ = capsys.readouterr()
    assert rc == 0
    assert "Wrote" not in out
    assert os.listdir(tmp_path) == []


def test_simulate_bad_scenario(capsys, tmp_path, bad_scenario):
    out_dir = tmp_path / "out"
    rc = cli.main(["simulate", str(UNILEVEL_TOML), str(bad_scenario), "--runs", "1",
                   "--months", "3", "--out", str(out_dir)])
    _, err = capsys.readouterr()
    assert rc == 2
    assert "recruitment.heterogeneity" in _one_line(err)
    assert not out_dir.exists()


def test_simulate_bad_plan(capsys, bad_plan):
    rc = cli.main(["simulate", str(bad_plan), str(BASELINE_TOML), "--runs", "1", "--months", "3"])
    _, err = capsys.readouterr()
    assert rc == 2
    assert "cap.max_payout_ratio" in _one_line(err)


@pytest.mark.parametrize("args, needle", [
    (["--months", "0"], "months = 0"),
    (["--runs", "0"], "runs = 0"),
    (["--threads", "0"], "threads = 0"),
    (["--seed", "-1"], "seed = -1"),
    (["--keep-runs", "-1"], "keep_distributors"),
], ids=["months", "runs", "threads", "seed", "keep-runs"])
def test_simulate_bad_arguments_exit_2(capsys, args, needle):
    rc = cli.main(["simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), "--runs", "1",
                   "--months", "2", *args])
    _, err = capsys.readouterr()
    assert rc == 2
    assert needle in _one_line(err)


@pytest.mark.parametrize("args", [["--runs", "-1"], ["--months", "-1"], ["--threads", "-2"]],
                         ids=["runs", "months", "threads"])
def test_simulate_negative_counts_exit_2(capsys, args):
    rc = cli.main(["simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), "--runs", "1",
                   "--months", "2", *args])
    _, err = capsys.readouterr()
    assert rc == 2
    _one_line(err)


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as ei:
        cli.main([])
    assert ei.value.code == 2
    with pytest.raises(SystemExit) as ei:
        cli.main(["simulate", str(UNILEVEL_TOML)])
    assert ei.value.code == 2
    capsys.readouterr()


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_parquet_files_respect_umask(capsys, tmp_path):
    old = os.umask(0o022)
    try:
        rc = cli.main(["simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), "--runs", "1",
                       "--months", "2", "--out", str(tmp_path)])
    finally:
        os.umask(old)
    capsys.readouterr()
    assert rc == 0
    mode = stat.S_IMODE(os.stat(tmp_path / "monthly.parquet").st_mode)
    assert mode == 0o644, oct(mode)


def test_subprocess_module_entry_point(tmp_path, bad_plan):
    env = dict(os.environ)
    ok = subprocess.run(
        [sys.executable, "-m", "downline.cli", "simulate", str(UNILEVEL_TOML),
         str(BASELINE_TOML), "--runs", "2", "--months", "3", "--out", str(tmp_path / "o")],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60, check=False)
    assert ok.returncode == 0, ok.stderr
    assert "Wrote 5 Parquet files" in ok.stdout
    assert pl.read_parquet(tmp_path / "o" / "monthly.parquet").height == 6
    bad = subprocess.run(
        [sys.executable, "-m", "downline.cli", "validate", str(bad_plan)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60, check=False)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert "cap.max_payout_ratio: 1.45 is above 1" in _one_line(bad.stderr)
