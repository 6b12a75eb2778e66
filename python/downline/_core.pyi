"""Type stubs of the compiled core (downline._core)."""

from collections.abc import Callable, Sequence
from typing import Any, final

__all__ = [
    "ArrowTable",
    "InputError",
    "Plan",
    "PlanError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compute_commissions",
    "simulate",
]

__version__: str

class PlanError(ValueError): ...
class ScenarioError(ValueError): ...
class InputError(ValueError): ...

@final
class ArrowTable:
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __len__(self) -> int: ...

@final
class Plan:
    @staticmethod
    def from_toml(text: str) -> Plan: ...
    @staticmethod
    def from_json(text: str) -> Plan: ...
    def to_json(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def ranks(self) -> list[str]: ...
    @property
    def bonuses(self) -> list[tuple[str, str, bool]]: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def cost_of_goods(self) -> float | None: ...

@final
class Scenario:
    @staticmethod
    def from_toml(text: str) -> Scenario: ...
    @staticmethod
    def from_json(text: str) -> Scenario: ...
    @staticmethod
    def preset(name: str) -> Scenario: ...
    @staticmethod
    def preset_names() -> list[str]: ...
    def to_json(self) -> str: ...
    @property
    def founders(self) -> int: ...

def simulate(
    plan: Plan,
    scenario: Scenario,
    months: int,
    runs: int,
    seed: int,
    threads: int | None = None,
    keep_runs: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
    max_memory: int | None = None,
) -> dict[str, ArrowTable]: ...

def compute_commissions(
    plan: Plan,
    ids: Sequence[int],
    sponsors: Sequence[int | None],
    join_months: Sequence[int],
    quit_months: Sequence[int | None] | None,
    vol_ids: Sequence[int],
    vol_months: Sequence[int],
    pv: Sequence[str],
    retail: Sequence[str] | None,
    placement: Sequence[int | None] | None = None,
    leg: Sequence[int | None] | None = None,
    preferred: Sequence[str] | None = None,
    party_ids: Sequence[int] | None = None,
    party_months: Sequence[int] | None = None,
    party_pv: Sequence[str] | None = None,
    rank_ids: Sequence[int] | None = None,
    rank_months: Sequence[int] | None = None,
    ranks: Sequence[str] | None = None,
    title_ids: Sequence[int] | None = None,
    titles: Sequence[str] | None = None,
) -> ArrowTable: ...
