"""downline: what a multi-level compensation plan will really pay, to whom, and how many
participants stay or lose money — Monte Carlo simulation over synthetic downlines.

Quick start::

    import downline as dl
    plan = dl.Plan.load("examples/plans/unilevel.toml")
    scenario = dl.Scenario.load("examples/scenarios/baseline.toml")
    res = dl.simulate(plan, scenario, months=36, runs=200, seed=7)
    res.summary()

Money columns are exact decimals (``pl.Decimal(18, 2)``); volume columns are points with two
decimals. Errors raise :class:`PlanError`, :class:`ScenarioError` or :class:`InputError`,
all subclasses of ``ValueError``, with the field path in the message.
"""

from __future__ import annotations

from downline import analytics as analytics
from downline._core import InputError, PlanError, ScenarioError
from downline._core import __version__ as __version__
from downline.analytics import compare
from downline.api import (
    Plan,
    Scenario,
    SimulationResult,
    compute_commissions,
    simulate,
)
from downline.calibrate import CalibrationResult, calibrate
from downline.disclosure import DisclosureFit, calibrate_disclosure, disclosure_table
from downline.sensitivity import SensitivityResult, sensitivity
from downline.sweep import SweepResult, load_sweep, sweep


def __getattr__(name: str):
    # ``dl.plot`` without importing matplotlib with the package.
    if name == "plot":
        import importlib

        return importlib.import_module("downline.plot")
    raise AttributeError(f"module 'downline' has no attribute {name!r}")


__all__ = [
    "CalibrationResult",
    "DisclosureFit",
    "InputError",
    "Plan",
    "PlanError",
    "Scenario",
    "ScenarioError",
    "SensitivityResult",
    "SimulationResult",
    "SweepResult",
    "__version__",
    "analytics",
    "calibrate",
    "calibrate_disclosure",
    "compare",
    "compute_commissions",
    "disclosure_table",
    "load_sweep",
    "sensitivity",
    "simulate",
    "sweep",
]
