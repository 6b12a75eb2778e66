"""A saved result is whole or absent: written into a new directory renamed into place, with
a manifest written last; a directory that is not one whole result is refused (issue 11)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import downline as dl
import polars as pl
import pytest
from conftest import BASELINE_TOML, ROOT, SMALL_SCENARIO, UNILEVEL_TOML
from downline import cli, report, resultdir

PLAN = {"name": "small", "bonus": [{"kind": "unilevel", "levels": ["0.1", "0.05"]}]}


def _result(seed: int, runs: int = 2) -> dl.SimulationResult:
    return dl.simulate(dl.Plan.from_dict(PLAN), dl.Scenario.from_dict(SMALL_SCENARIO),
                       months=6, runs=runs, seed=seed)


@pytest.fixture(scope="module")
def res_a() -> dl.SimulationResult:
    return _result(1)


@pytest.fixture(scope="module")
def res_b() -> dl.SimulationResult:
    return _result(2, runs=3)


def _run_id(d: Path) -> str:
    return json.loads((d / "manifest.json").read_text())["run_id"]


def _hidden(parent: Path) -> list[str]:
    return sorted(n for n in os.listdir(parent) if n.startswith("."))


def _assert_same(loaded: dl.SimulationResult, res: dl.SimulationResult) -> None:
    for t in report.TABLES:
        assert getattr(loaded, t).equals(getattr(res, t)), t


# ------------------------------------------------------------------------ writing whole


def test_manifest_names_every_file_and_every_table_carries_its_run_id(tmp_path, res_a):
    d = tmp_path / "run"
    report.save_result(res_a, d)
    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest["format"] == "downline result" and manifest["version"] == 1
    assert sorted(manifest["files"]) == sorted(report.RESULT_FILES)
    for name, entry in manifest["files"].items():
        assert entry["bytes"] == (d / name).stat().st_size
        assert entry["sha256"] == resultdir._sha256(d / name)
    for t in report.TABLES:
        meta = pl.read_parquet_metadata(d / f"{t}.parquet")
        assert meta["downline.run_id"] == manifest["run_id"], t
    assert _hidden(tmp_path) == []
    back = report.load_result(d)
    _assert_same(back, res_a)
    assert back.metadata["downline.run_id"] == manifest["run_id"]


def test_write_parquet_writes_the_same_whole_directory(tmp_path, res_a):
    paths = res_a.write_parquet(tmp_path / "run")
    assert [p.name for p in paths] == [f"{t}.parquet" for t in report.TABLES]
    _assert_same(report.load_result(tmp_path / "run"), res_a)


def test_rewriting_replaces_the_whole_directory(tmp_path, res_a, res_b):
    d = tmp_path / "run"
    report.save_result(res_a, d)
    first = _run_id(d)
    (d / "report.html").write_text("<p>a report of the first result</p>")
    report.save_result(res_b, d)
    assert _run_id(d) != first
    # the old report went with the old result: it would describe other numbers
    assert not (d / "report.html").exists()
    _assert_same(report.load_result(d), res_b)
    assert _hidden(tmp_path) == []


def test_an_empty_directory_is_filled_and_a_symlink_followed(tmp_path, res_a):
    empty = tmp_path / "empty"
    empty.mkdir()
    report.save_result(res_a, empty)
    _assert_same(report.load_result(empty), res_a)
    link = tmp_path / "link"
    link.symlink_to(empty)
    report.save_result(res_a, link)
    assert link.is_symlink()
    _assert_same(report.load_result(link), res_a)


def test_refuses_to_replace_what_is_not_a_result(tmp_path, res_a):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "thesis.tex").write_text("years of work")
    with pytest.raises(report.ResultDirError, match=r"not a downline result \(thesis.tex\)"):
        report.save_result(res_a, d)
    assert os.listdir(d) == ["thesis.tex"]
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(report.ResultDirError, match="is not a directory"):
        report.save_result(res_a, f)
    with pytest.raises(report.ResultDirError, match="empty name"):
        report.save_result(res_a, "")
    with pytest.raises(report.ResultDirError, match="root"):
        report.save_result(res_a, "/")
    assert _hidden(tmp_path) == []


def test_out_empty_is_refused_before_simulating(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def no_simulation(*a, **k):
        raise AssertionError("simulated although --out was bad")

    monkeypatch.setattr(dl, "simulate", no_simulation)
    for out in ("", "  "):
        rc = cli.main(["simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), "--out", out])
        _, err = capsys.readouterr()
        assert rc == 2
        assert "empty name" in err
    (tmp_path / "notes.txt").write_text("mine")
    rc = cli.main(["simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), "--out", "."])
    _, err = capsys.readouterr()
    assert rc == 2 and "notes.txt" in err
    assert os.listdir(tmp_path) == ["notes.txt"]


# ------------------------------------------------------------------------ reading whole


def test_refuses_a_directory_without_manifest(tmp_path, res_a):
    d = tmp_path / "run"
    report.save_result(res_a, d)
    (d / "manifest.json").unlink()
    with pytest.raises(report.ResultDirError, match="missing manifest.json"):
        report.load_result(d)


def test_refuses_a_file_from_another_result(tmp_path, res_a, res_b):
    a, b = tmp_path / "a", tmp_path / "b"
    report.save_result(res_a, a)
    report.save_result(res_b, b)
    shutil.copy(b / "distributors.parquet", a / "distributors.parquet")
    with pytest.raises(report.ResultDirError,
                       match="distributors.parquet: does not match manifest.json"):
        report.load_result(a)


def test_refuses_two_results_under_one_rewritten_manifest(tmp_path, res_a, res_b):
    """A manifest rewritten to match mixed files (by hand, or by a tool that knows the
    format) is still refused: the tables carry two run ids."""
    a, b = tmp_path / "a", tmp_path / "b"
    report.save_result(res_a, a)
    report.save_result(res_b, b)
    for t in ("monthly", "bonuses", "ranks", "runs"):
        shutil.copy(b / f"{t}.parquet", a / f"{t}.parquet")
    manifest = json.loads((a / "manifest.json").read_text())
    for name in manifest["files"]:
        manifest["files"][name] = resultdir._digest(a / name)
    (a / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(report.ResultDirError, match="mixes two results"):
        report.load_result(a)


def test_refuses_a_broken_manifest(tmp_path, res_a):
    d = tmp_path / "run"
    report.save_result(res_a, d)
    for text in ("{", "[]", '{"format": "downline result", "run_id": 3, "files": {}}',
                 '{"format": "downline result", "run_id": "x", "files": {}}'):
        (d / "manifest.json").write_text(text)
        with pytest.raises(report.ResultDirError, match="manifest.json: "):
            report.load_result(d)


def test_per_person_rows_of_a_replaced_directory_are_refused(tmp_path, res_a, res_b):
    d = tmp_path / "run"
    report.save_result(res_a, d)
    loaded = report.load_result(d)  # per-person rows stay on disk
    report.save_result(res_b, d)
    with pytest.raises(report.ResultDirError, match="no longer belongs"):
        _ = loaded.distributors


def test_cli_report_refuses_a_mixed_directory(tmp_path, capsys, res_a, res_b):
    a, b = tmp_path / "a", tmp_path / "b"
    report.save_result(res_a, a)
    report.save_result(res_b, b)
    shutil.copy(b / "monthly.parquet", a / "monthly.parquet")
    rc = cli.main(["report", str(a)])
    _, err = capsys.readouterr()
    assert rc == 2
    assert "ResultDirError" in err and "monthly.parquet: does not match manifest.json" in err
    assert not (a / "report.html").exists()


# -------------------------------------------------------------- killed while writing

#: A child process that writes a result over ``target`` and stops at ``stage`` — after
#: writing the file so named, or between the two renames — reporting each step on stdout.
CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    import downline as dl
    from downline import report, resultdir
    target, stage = sys.argv[1], sys.argv[2]
    res = dl.simulate(dl.Plan.from_dict({plan!r}), dl.Scenario.from_dict({scen!r}),
                      months=6, runs=3, seed=2)
    digest, rename = resultdir._digest, os.rename

    def slow_digest(path):
        out = digest(path)
        print("wrote", path.name, flush=True)
        if path.name == stage:
            time.sleep(60)
        return out

    def slow_rename(a, b):
        rename(a, b)
        print("renamed", Path(a).name, flush=True)
        if stage == "between-renames" and Path(a) == Path(target).resolve():
            time.sleep(60)

    resultdir._digest, os.rename = slow_digest, slow_rename
    print("ready", flush=True)
    report.save_result(res, target)
    print("done", flush=True)
""").format(plan=PLAN, scen=SMALL_SCENARIO)

STAGES = ["monthly.parquet", "distributors.parquet", "scenario.json", "manifest.json",
          "between-renames"]


def _start(script: Path, target: Path, stage: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(script), str(target), stage],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)


def _wait_for(p: subprocess.Popen, stage: str) -> None:
    want = "renamed" if stage == "between-renames" else f"wrote {stage}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = p.stdout.readline()
        assert line, f"the child ended before {want!r}: {p.stderr.read()}"
        if line.startswith(want):
            return
    raise AssertionError(f"no {want!r} in time")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_killed_while_rewriting_leaves_the_old_result_or_none(tmp_path, res_a, sig):
    """A real writer, killed at each stage of rewriting an existing result: the directory
    holds the old result whole, or (killed between the two renames) is absent; it never
    mixes the two, holds no .part file, and the next write clears what the writer left."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    targets = {stage: tmp_path / stage / "out" for stage in STAGES}
    for target in targets.values():
        report.save_result(res_a, target)
    old_ids = {stage: _run_id(t) for stage, t in targets.items()}
    # all children at once: each stops at its stage and waits to be killed
    children = {stage: _start(script, targets[stage], stage) for stage in STAGES}
    try:
        for stage, p in children.items():
            _wait_for(p, stage)
            p.send_signal(sig)
        for p in children.values():
            p.wait(timeout=60)
    finally:
        for p in children.values():
            if p.poll() is None:
                p.kill()
    for stage, target in targets.items():
        p = children[stage]
        assert p.returncode != 0, stage
        if stage == "between-renames" and sig == signal.SIGKILL:
            # the old result was moved aside, the new one not yet in place: absent
            assert not target.exists(), stage
            with pytest.raises(report.ResultDirError, match="no such directory"):
                report.load_result(target)
        else:
            assert not [n for n in os.listdir(target) if ".part" in n], stage
            loaded = report.load_result(target)
            assert loaded.metadata["downline.run_id"] == old_ids[stage], stage
            _assert_same(loaded, res_a)
        left = _hidden(target.parent)
        if sig == signal.SIGINT:
            assert left == [], (stage, left)  # Ctrl-C: the writer cleaned up itself
        else:
            assert left, stage  # SIGKILL: no chance to clean up ...
            report.save_result(res_a, target)  # ... so the next write does
            assert _hidden(target.parent) == [], stage
            _assert_same(report.load_result(target), res_a)


def test_killed_at_random_moments_never_leaves_a_mix(tmp_path, res_a):
    """A writer rewriting the same directory in a loop, killed (SIGKILL) at unplanned
    moments: whatever is left is refused or loads as one whole result."""
    script = tmp_path / "loop.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        import downline as dl
        from downline import report
        plan, scen = dl.Plan.from_dict({PLAN!r}), dl.Scenario.from_dict({SMALL_SCENARIO!r})
        results = [dl.simulate(plan, scen, months=6, runs=3, seed=s) for s in (3, 4)]
        print("ready", flush=True)
        i = 0
        while True:
            report.save_result(results[i % 2], sys.argv[1])
            i += 1
    """))
    target = tmp_path / "out"
    report.save_result(res_a, target)
    runs_seen = set()
    for delay in (0.05, 0.13, 0.31, 0.47):
        p = subprocess.Popen([sys.executable, str(script), str(target)],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert p.stdout.readline() == "ready\n"
        time.sleep(delay)
        p.kill()
        p.wait(timeout=30)
        if target.exists():
            assert not [n for n in os.listdir(target) if ".part" in n]
            loaded = report.load_result(target)
            runs_seen.add(loaded.n_runs)
            assert loaded.runs["run"].to_list() == list(range(loaded.n_runs))
            assert loaded.distributors["run"].unique().sort().to_list() == list(
                range(loaded.n_runs))
        report.save_result(res_a, target)
        assert _hidden(tmp_path) == []
    assert runs_seen  # at least one kill found a result in place
