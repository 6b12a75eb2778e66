"""Progress reporting (a callback, a tqdm bar, in a notebook kernel too) and Ctrl-C: a SIGINT
sent to a process in the middle of a long simulation stops it within a second or two with
KeyboardInterrupt, and the process can simulate again afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import downline as dl
import pytest
from conftest import BASELINE_TOML, ROOT, UNILEVEL_TOML


@pytest.fixture(scope="module")
def plan():
    return dl.Plan.load(UNILEVEL_TOML)


@pytest.fixture(scope="module")
def baseline():
    return dl.Scenario.load(BASELINE_TOML)


def test_callback_gets_done_and_total_months(plan, small_scenario):
    calls = []
    res = dl.simulate(plan, small_scenario, months=6, runs=3, seed=1,
                      progress=lambda done, total: calls.append((done, total)))
    assert calls, "the callback was never called"
    total = 6 * 3
    assert all(t == total for _, t in calls)
    assert calls[-1] == (total, total)
    dones = [d for d, _ in calls]
    assert dones == sorted(dones) and all(0 <= d <= total for d in dones)
    # reporting progress changes nothing in the results
    again = dl.simulate(plan, small_scenario, months=6, runs=3, seed=1)
    assert res.monthly.equals(again.monthly)


def test_callback_called_while_running(plan, baseline):
    calls = []
    t0 = time.perf_counter()
    dl.simulate(plan, baseline, months=36, runs=6, seed=2, threads=1, keep_distributors=False,
                progress=lambda done, total: calls.append((done, total, time.perf_counter())))
    seconds = time.perf_counter() - t0
    if seconds < 0.35:
        pytest.skip(f"the simulation took only {seconds:.2f} s: too fast to see progress")
    # about ten times a second, then once at the end
    assert len(calls) >= 2
    assert calls[-1][0] == calls[-1][1] == 36 * 6
    assert any(0 < d < t for d, t, _ in calls[:-1]), calls


def test_error_in_callback_stops_the_run(plan, baseline):
    def boom(done, total):
        raise RuntimeError("stop here")

    t0 = time.perf_counter()
    with pytest.raises(RuntimeError, match="stop here"):
        dl.simulate(plan, baseline, months=120, runs=2000, seed=3, keep_distributors=False,
                    progress=boom)
    assert time.perf_counter() - t0 < 5


def test_tqdm_bar(plan, small_scenario, capsys):
    res = dl.simulate(plan, small_scenario, months=4, runs=2, seed=1, progress=True)
    _, err = capsys.readouterr()
    assert "simulating" in err
    assert res.monthly.height == 8


def test_progress_bar_in_a_notebook_kernel(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(f"""
        import downline as dl
        plan = dl.Plan.load({str(UNILEVEL_TOML)!r})
        scen = dl.Scenario.from_dict({{"market": {{"founders": 30}}}})
        res = dl.simulate(plan, scen, months=6, runs=2, seed=1, progress=True)
        print("rows", res.monthly.height)
    """))]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o.output_type == "error"], outputs
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "rows 12" in text
    # tqdm.auto draws a widget when ipywidgets is installed, text on stderr otherwise
    widget = any(o.output_type == "display_data" for o in outputs)
    assert widget or "simulating" in text, outputs


INTERRUPT_SCRIPT = """
import sys, time
import downline as dl
plan = dl.Plan.load(sys.argv[1])
scen = dl.Scenario.load(sys.argv[2])
print("started", flush=True)
t0 = time.perf_counter()
try:
    dl.simulate(plan, scen, months=120, runs=100_000, seed=1, keep_distributors=False)
except KeyboardInterrupt as e:
    print(f"KeyboardInterrupt after {time.perf_counter() - t0:.2f} s: {e}", flush=True)
    # still usable afterwards, like a notebook kernel after its interrupt button
    res = dl.simulate(plan, scen, months=3, runs=2, seed=1)
    print("usable", res.monthly.height, flush=True)
    sys.exit(42)
print("finished", flush=True)
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process")
def test_sigint_stops_a_running_simulation():
    proc = subprocess.Popen(
        [sys.executable, "-c", INTERRUPT_SCRIPT, str(UNILEVEL_TOML), str(BASELINE_TOML)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "started", line + proc.stderr.read()
        time.sleep(0.5)  # well inside the Rust loop by now
        assert proc.poll() is None, "the simulation ended before it was interrupted"
        sent = time.perf_counter()
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        took = time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 42, (proc.returncode, out, err)
    assert "KeyboardInterrupt after" in out
    assert "usable 6" in out
    assert "finished" not in out
    # the core polls every 100 ms and cancels between months: well within a few seconds
    assert took < 3.0, f"took {took:.2f} s to stop"


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process")
def test_sigint_exits_the_cli_with_130(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-u", "-c",
         ("import sys; print('started', flush=True); from downline.cli import main; "
         "sys.exit(main(sys.argv[1:]))"),
         "simulate", str(UNILEVEL_TOML), str(BASELINE_TOML), "--months", "120", "--runs",
         "100000", "--keep-runs", "0", "--out", str(tmp_path / "o")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "started"
        time.sleep(1.5)  # past the imports and into the simulation
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, (out, err)
    assert err.strip().splitlines()[-1] == "downline: interrupted"
    assert not (tmp_path / "o").exists()
