"""Sweeps, sensitivity, pickling and chunked runs: exact values, not just shapes."""

from __future__ import annotations

import pickle

import downline as dl
import polars as pl
import pytest
from conftest import MONTHS, SEED, SMALL_SCENARIO
from downline.cluster import TABLES, run_seed, simulate_runs
from downline.sweep import SWEEP_METRICS, Parameter, _Space, run_metrics

RUNS = 4
GRID = {"recruitment.scale": [0.5, 1.0], "plan.active.min_pv": [50, 100]}


def _sweep(plan, scen, grid=GRID, **kw):
    kw.setdefault("months", MONTHS)
    kw.setdefault("runs", RUNS)
    kw.setdefault("seed", SEED)
    kw.setdefault("progress", False)
    return dl.sweep(plan, scen, grid, **kw)


def _scenario_with(**changes) -> dl.Scenario:
    spec = {k: dict(v) if isinstance(v, dict) else v for k, v in SMALL_SCENARIO.items()}
    for path, value in changes.items():
        section, key = path.split("__")
        spec[section][key] = value
    return dl.Scenario.from_dict(spec)


# ------------------------------------------------------------------ chunks of runs


def test_a_chunk_of_runs_equals_those_runs_of_one_call(unilevel_plan, small_scenario):
    # Pins the core's seeding: run r of seed s is run 0 of run_seed(s, r). If the core
    # changes how it seeds runs, chunked and Dask results would silently differ.
    whole = dl.simulate(
        unilevel_plan, small_scenario, months=MONTHS, runs=6, seed=SEED, keep_distributors=4
    )
    parts = [
        simulate_runs(unilevel_plan, small_scenario, MONTHS, SEED, a, b, keep_distributors=4)
        for a, b in ((0, 2), (2, 5), (5, 6))
    ]
    for t in TABLES:
        joined = pl.concat([p[t] for p in parts])
        assert joined.equals(getattr(whole, t)), t
        assert joined.schema == getattr(whole, t).schema
    assert sorted(set(whole.distributors["run"])) == [0, 1, 2, 3]


def test_run_seed_is_a_bijection_at_the_edges():
    assert run_seed(SEED, 0) == SEED
    assert run_seed(2**64 - 1, 0) == 2**64 - 1
    seeds = {run_seed(7, r) for r in range(1000)}
    assert len(seeds) == 1000 and all(0 <= s < 2**64 for s in seeds)


# ------------------------------------------------------------------ pickling


def test_plan_and_scenario_pickle_exactly(unilevel_plan):
    scen = dl.Scenario.load(dl.api.Path(__file__).parents[2] / "examples/scenarios/baseline.toml")
    for obj in (unilevel_plan, scen):
        back = pickle.loads(pickle.dumps(obj))
        assert type(back) is type(obj)
        assert back._core.to_json() == obj._core.to_json()
        assert back.to_dict() == obj.to_dict()
        assert back.source == obj.source


def test_simulation_result_pickles_through_arrow(result):
    back = pickle.loads(pickle.dumps(result))
    for t in TABLES:
        assert getattr(back, t).equals(getattr(result, t)), t
        assert getattr(back, t).schema == getattr(result, t).schema, t
    assert (back.months, back.n_runs, back.seed) == (result.months, result.n_runs, result.seed)
    assert back.plan.to_dict() == result.plan.to_dict()
    assert back.summary().equals(result.summary())


# ------------------------------------------------------------------ the sweep


def test_points_and_runs_tables(unilevel_plan, small_scenario):
    sw = _sweep(unilevel_plan, small_scenario)
    assert sw.points.height == 4 and sw.runs.height == 4 * RUNS
    assert sw.points.columns[:5] == [
        "point",
        "plan",
        "recruitment.scale",
        "plan.active.min_pv",
        "runs",
    ]
    assert sw.points["recruitment.scale"].to_list() == [0.5, 0.5, 1.0, 1.0]
    assert sw.points["plan.active.min_pv"].to_list() == [50, 100, 50, 100]
    for m in ("payout_ratio", "share_paid_nothing", "share_net_loss", "top1_share", "ever_joined"):
        for s in ("mean", "p05", "p50", "p95"):
            assert f"{m}_{s}" in sw.points.columns
    assert sw.runs["share_paid_nothing"].equals(sw.runs["share_earning_nothing"], check_names=False)
    one = sw.runs.filter(pl.col("point") == 3)
    assert one["payout_ratio"].mean() == pytest.approx(sw.points["payout_ratio_mean"][3], rel=1e-12)


def test_each_point_is_the_plain_simulation_of_its_settings(unilevel_plan, small_scenario):
    sw = _sweep(unilevel_plan, small_scenario)
    spec = unilevel_plan.to_dict()
    spec["active"]["min_pv"] = 50
    rates = SMALL_SCENARIO["recruitment"]["rate"]
    scen = _scenario_with(recruitment__rate=[r * 0.5 for r in rates])
    res = dl.simulate(dl.Plan.from_dict(spec), scen, months=MONTHS, runs=RUNS, seed=SEED)
    got = sw.runs.filter(pl.col("point") == 0).select(["run", *SWEEP_METRICS])
    assert got.equals(run_metrics(res.runs, res.monthly))


def test_common_random_numbers_across_points_and_plans(unilevel_plan, capped_plan, small_scenario):
    sw = _sweep({"A": unilevel_plan, "B": capped_plan}, small_scenario)
    assert sw.plans == ["A", "B"]
    joined = sw.runs.pivot(on="plan", index=["point", "run"], values="ever_joined")
    # the plan never changes who joins: the same people at every point for both plans
    assert joined["A"].equals(joined["B"], check_names=False)
    by_pv = sw.runs.filter(pl.col("plan") == "A").pivot(
        on="plan.active.min_pv", index=["recruitment.scale", "run"], values="ever_joined"
    )
    assert by_pv["50"].equals(by_pv["100"], check_names=False)
    pr = sw.runs.filter(pl.col("plan") == "A").pivot(
        on="plan.active.min_pv", index=["recruitment.scale", "run"], values="payout_ratio"
    )
    assert (pr["50"] > pr["100"]).all()  # a lower activity minimum pays more, run by run


def test_multipliers_transform_whole_tables(small_scenario):
    base = small_scenario.to_dict()

    def built(path, value, scen=small_scenario):
        return (
            _Space(
                [dl.Plan.from_dict({"name": "p", "bonus": []})],
                ["p"],
                scen,
                [Parameter.parse(path)],
            )
            .build([value])[1]
            .to_dict()
        )

    assert built("recruitment.scale", 0.5)["recruitment"]["rate"] == [
        r * 0.5 for r in base["recruitment"]["rate"]
    ]
    assert built("attrition.scale", 2.0)["attrition"]["monthly_quit"] == [
        q * 2.0 for q in base["attrition"]["monthly_quit"]
    ]
    assert built("customers.scale", 3.0)["customers"]["acquisition_rate"] == 1.5
    weibull = dict(SMALL_SCENARIO, attrition={"weibull": {"shape": 0.5, "scale": 16.0}})
    w = built("attrition.scale", 2.0, dl.Scenario.from_dict(weibull))["attrition"]["weibull"]
    # the hazard doubles: (t / scale')^k = 2 (t / scale)^k
    assert w["scale"] == pytest.approx(16.0 * 2.0 ** (-1 / 0.5))
    assert w["shape"] == 0.5


def test_calendar_events_are_swept_by_their_paths(unilevel_plan):
    recession = dict(SMALL_SCENARIO, events=[{"name": "recession", "from": 6, "recruiting": 0.9}])
    scen = dl.Scenario.from_dict(recession)
    grid = {"events[0].recruiting": [0.8, 0.5], "events[0].from": [4, 8]}
    space = _Space([unilevel_plan], ["p"], scen, [Parameter.parse(p) for p in grid])
    assert space.build([0.5, 8])[1].to_dict()["events"][0] == {
        "name": "recession",
        "from": 8,
        "recruiting": 0.5,
    }
    sw = _sweep(unilevel_plan, scen, grid)
    joined = dict(
        zip(
            zip(sw.points["events[0].recruiting"], sw.points["events[0].from"]),
            sw.points["ever_joined_mean"],
        )
    )
    assert joined[(0.5, 4)] < joined[(0.8, 4)] < joined[(0.8, 8)]


@pytest.mark.parametrize(
    ("grid", "error", "words"),
    [
        ({"recruitment.rte": [1]}, dl.ScenarioError, ["recruitment.rte", "unknown field"]),
        (
            {"attrition.scale": [6.0]},
            dl.ScenarioError,
            ["attrition.monthly_quit[0]", "above 1", "attrition.scale = 6.0"],
        ),
        ({"plan.bonus[9].rate": [0.1]}, dl.PlanError, ["plan.bonus has 2 entries, no index 9"]),
        (
            {"plan.active.min_pv": ["x"]},
            dl.PlanError,
            ["active.min_pv", "plan.active.min_pv = 'x'"],
        ),
        ({"foo.scale": [1]}, dl.ScenarioError, ["no such multiplier", "attrition.scale"]),
        ({"market.founders.x": [1]}, dl.ScenarioError, ["market.founders is a value"]),
        ({"recruitment.scale": 0.5}, TypeError, ["give a list of values"]),
        ({"recruitment.scale": []}, ValueError, ["no values"]),
        ({"recruitment..rate": [1]}, ValueError, ["not a field path"]),
    ],
)
def test_a_wrong_path_or_value_names_itself(small_scenario, grid, error, words):
    plan = dl.Plan.from_dict(
        {
            "name": "p",
            "bonus": [{"kind": "retail", "markup": "0.2"}, {"kind": "unilevel", "levels": ["0.1"]}],
        }
    )
    with pytest.raises(error) as e:
        _sweep(plan, small_scenario, grid)
    for w in words:
        assert w in str(e.value)


def test_every_point_is_validated_before_any_runs(unilevel_plan, small_scenario, tmp_path):
    with pytest.raises(dl.ScenarioError, match=r"attrition.scale = 9"):
        _sweep(unilevel_plan, small_scenario, {"attrition.scale": [1.0, 9.0]}, out=tmp_path)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_distributors_need_an_output_directory(unilevel_plan, small_scenario):
    with pytest.raises(ValueError, match="out=DIR"):
        _sweep(unilevel_plan, small_scenario, distributors=True)


# ------------------------------------------------------------------ output, resume, Ctrl-C


def test_resume_after_ctrl_c_equals_a_straight_sweep(unilevel_plan, small_scenario, tmp_path):
    straight = _sweep(unilevel_plan, small_scenario)
    calls = []

    def stop_in_third_point(done, total):
        calls.append(done)
        if done > 2 * RUNS * MONTHS:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _sweep(unilevel_plan, small_scenario, out=tmp_path, progress=stop_in_third_point)
    written = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert written == ["point-00000.plan-0.parquet", "point-00001.plan-0.parquet"]
    assert not list(tmp_path.rglob("*.part"))
    seen = []
    resumed = _sweep(
        unilevel_plan, small_scenario, out=tmp_path, progress=lambda d, t: seen.append(t)
    )
    assert set(seen) == {2 * RUNS * MONTHS}  # only the two missing points ran
    assert resumed.runs.equals(straight.runs)
    assert resumed.points.equals(straight.points)
    assert dl.load_sweep(tmp_path).points.equals(straight.points)
    assert pl.read_parquet(tmp_path / "points.parquet").equals(straight.points)


def test_an_output_directory_holds_one_sweep(unilevel_plan, small_scenario, tmp_path):
    _sweep(unilevel_plan, small_scenario, out=tmp_path)
    with pytest.raises(ValueError, match="holds another sweep.*seed"):
        _sweep(unilevel_plan, small_scenario, out=tmp_path, seed=SEED + 1)


def test_distributors_go_to_one_file_per_point(unilevel_plan, small_scenario, tmp_path):
    sw = _sweep(
        unilevel_plan,
        small_scenario,
        {"recruitment.scale": [0.5, 1.0]},
        out=tmp_path,
        distributors=True,
    )
    files = sorted(p.name for p in (tmp_path / "distributors").iterdir())
    assert files == ["point-00000.plan-0.parquet", "point-00001.plan-0.parquet"]
    rates = SMALL_SCENARIO["recruitment"]["rate"]
    res = dl.simulate(
        unilevel_plan,
        _scenario_with(recruitment__rate=[r * 0.5 for r in rates]),
        months=MONTHS,
        runs=RUNS,
        seed=SEED,
    )
    rows = sw.distributors().filter(pl.col("point") == 0).collect()
    assert rows.drop(["point", "plan", "recruitment.scale"]).equals(res.distributors)


# ------------------------------------------------------------------ Dask


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_sweep_on_a_cluster_equals_the_local_sweep(
    unilevel_plan, capped_plan, small_scenario, client, tmp_path
):
    plans = [unilevel_plan, capped_plan]
    local = _sweep(plans, small_scenario)
    remote = _sweep(
        plans, small_scenario, client=client, chunk_runs=3, out=tmp_path, distributors=True
    )
    assert remote.runs.equals(local.runs)
    assert remote.points.equals(local.points)
    rows = (
        remote.distributors()
        .filter((pl.col("point") == 3) & (pl.col("plan") == plans[1].name))
        .collect()
    )
    spec = capped_plan.to_dict()
    spec["active"] = {"min_pv": 100}
    rates = SMALL_SCENARIO["recruitment"]["rate"]
    res = dl.simulate(
        dl.Plan.from_dict(spec),
        _scenario_with(recruitment__rate=rates),
        months=MONTHS,
        runs=RUNS,
        seed=SEED,
    )
    assert rows.drop(["point", "plan", *GRID]).equals(res.distributors)


def test_ctrl_c_on_a_cluster_cancels_and_resumes(unilevel_plan, small_scenario, client, tmp_path):
    straight = _sweep(unilevel_plan, small_scenario)

    def stop_after_first_chunk(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _sweep(
            unilevel_plan,
            small_scenario,
            client=client,
            chunk_runs=2,
            out=tmp_path,
            progress=stop_after_first_chunk,
        )
    assert len(list((tmp_path / "runs").iterdir())) < 4
    assert not list(tmp_path.rglob("*.part"))
    resumed = _sweep(unilevel_plan, small_scenario, client=client, chunk_runs=3, out=tmp_path)
    assert resumed.runs.equals(straight.runs)


def test_simulate_on_a_cluster_equals_one_call(unilevel_plan, small_scenario, client):
    local = dl.simulate(
        unilevel_plan, small_scenario, months=MONTHS, runs=5, seed=SEED, keep_distributors=3
    )
    remote = dl.simulate(
        unilevel_plan,
        small_scenario,
        months=MONTHS,
        runs=5,
        seed=SEED,
        keep_distributors=3,
        client=client,
        chunk_runs=2,
    )
    for t in TABLES:
        assert getattr(remote, t).equals(getattr(local, t)), t


# ------------------------------------------------------------------ sensitivity


def test_one_at_a_time(unilevel_plan, small_scenario):
    params = {"recruitment.scale": (0.5, 1.5), "plan.active.min_pv": (50, 150)}
    sens = dl.sensitivity(
        unilevel_plan,
        small_scenario,
        params,
        method="oat",
        months=MONTHS,
        runs=RUNS,
        seed=SEED,
        progress=False,
    )
    t = sens.table
    assert sens.sweep.points.height == 1 + 2 * 2
    assert set(t["parameter"]) == set(params)
    pv = t.filter(
        (pl.col("parameter") == "plan.active.min_pv") & (pl.col("metric") == "payout_ratio")
    ).row(0, named=True)
    assert (pv["value_low"], pv["value_base"], pv["value_high"]) == (50, 100, 150)
    assert pv["swing"] == pytest.approx(pv["high"] - pv["low"], abs=1e-12)
    assert pv["swing_ci_low"] <= pv["swing"] <= pv["swing_ci_high"]
    # the base point is the unchanged scenario and plan
    res = dl.simulate(unilevel_plan, small_scenario, months=MONTHS, runs=RUNS, seed=SEED)
    assert pv["base"] == pytest.approx(res.runs["payout_ratio"].mean(), rel=1e-12)
    # the plan does not change who joins: no swing at all, exactly
    joined = t.filter(
        (pl.col("parameter") == "plan.active.min_pv") & (pl.col("metric") == "ever_joined")
    )
    assert joined["swing"][0] == 0.0


def test_sobol_indices_with_salib(unilevel_plan, small_scenario):
    pytest.importorskip("SALib")
    params = {"recruitment.scale": (0.5, 1.5), "plan.active.min_pv": (50, 150)}
    sens = dl.sensitivity(
        unilevel_plan,
        small_scenario,
        params,
        method="sobol",
        n=32,
        months=MONTHS,
        runs=2,
        seed=SEED,
        progress=False,
        num_resamples=100,
    )
    assert sens.sweep.points.height == 32 * (2 + 2)
    # sampled plan values keep the decimals the plan allows (volume: 2)
    pv = sens.sweep.points["plan.active.min_pv"]
    assert ((pv * 100).round(6) == (pv * 100).round(0)).all()
    t = sens.table.filter(pl.col("metric") == "ever_joined").sort("parameter")
    # who joins does not depend on the plan: both indices of min_pv are exactly zero
    pvrow = t.filter(pl.col("parameter") == "plan.active.min_pv").row(0, named=True)
    assert pvrow["S1"] == 0.0 and pvrow["ST"] == 0.0
    rec = t.filter(pl.col("parameter") == "recruitment.scale").row(0, named=True)
    # …so recruiting explains all of its variance: ST = 1 within the bootstrap interval
    assert rec["ST"] > 0.8 and rec["ST_low"] < 1.0 < rec["ST_high"]
    with pytest.raises(ValueError, match="power of 2"):
        dl.sensitivity(unilevel_plan, small_scenario, params, method="sobol", n=10)


def test_sensitivity_checks_its_bounds(unilevel_plan, small_scenario):
    with pytest.raises(ValueError, match="reversed"):
        dl.sensitivity(unilevel_plan, small_scenario, {"recruitment.scale": (2, 1)})
    with pytest.raises(ValueError, match="'oat' or 'sobol'"):
        dl.sensitivity(
            unilevel_plan, small_scenario, {"recruitment.scale": (1, 2)}, method="morris"
        )


# ------------------------------------------------------------------ figures, HTML, CLI


def test_heatmap_tornado_and_html(unilevel_plan, small_scenario, tmp_path):
    from matplotlib.figure import Figure

    sw = _sweep(unilevel_plan, small_scenario)
    fig = dl.plot.heatmap(sw, "payout_ratio")
    assert isinstance(fig, Figure)
    texts = {t.get_text() for t in fig.axes[0].texts}
    want = f"{100 * sw.points['payout_ratio_mean'][0]:.1f}%"
    assert want in texts
    sens = dl.sensitivity(
        unilevel_plan,
        small_scenario,
        {"recruitment.scale": (0.5, 1.5)},
        months=MONTHS,
        runs=2,
        seed=SEED,
        progress=False,
    )
    assert isinstance(dl.plot.tornado(sens, "share_net_loss"), Figure)
    with pytest.raises(ValueError, match="metric 'nope'"):
        dl.plot.tornado(sens, "nope")
    three = _sweep(unilevel_plan, small_scenario, {**GRID, "attrition.scale": [1.0, 1.2]})
    with pytest.raises(ValueError, match="pick x= and y="):
        dl.plot.heatmap(three)
    assert isinstance(
        dl.plot.heatmap(
            three, x="recruitment.scale", y="attrition.scale", where={"plan.active.min_pv": 50}
        ),
        Figure,
    )
    page = sw.write_report(tmp_path / "sweep.html", sensitivity=sens)
    text = page.read_text()
    assert text.count("<svg") == 2 and "<table class='dl-sweep'>" in text  # heatmap, tornado


def test_cli_sweep(tmp_path, capsys):
    from conftest import BASELINE_TOML, UNILEVEL_TOML
    from downline.cli import main

    out = tmp_path / "sw"
    rc = main(
        [
            "sweep",
            str(UNILEVEL_TOML),
            str(BASELINE_TOML),
            "--grid",
            "recruitment.scale=0.5,1",
            "--grid",
            "plan.active.min_pv=50,100",
            "--months",
            "6",
            "--runs",
            "2",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    printed = capsys.readouterr().out
    assert "4 points × 2 runs × 6 months" in printed
    assert (out / "report.html").is_file() and (out / "points.parquet").is_file()
    assert dl.load_sweep(out).points.height == 4
    rc = main(["sweep", str(UNILEVEL_TOML), str(BASELINE_TOML), "--grid", "recruitment.scale"])
    assert rc == 2
    assert "PATH=V1,V2" in capsys.readouterr().err
