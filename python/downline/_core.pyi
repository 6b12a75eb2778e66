"""Type stubs of the compiled core (downline._core)."""

from typing import Any, Callable, Optional, Sequence, final

__all__ = [
    "ArrowTable",
    "InputError",
    "Plan",
    "PlanError",
    "Scenario",
    "ScenarioError",
    "compute_commissions",
    "simulate",
    "__version__",
]

__version__: str

class PlanError(ValueError): ...
class ScenarioError(ValueError): ...
class InputError(ValueError): ...

@final
class ArrowTable:
    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...
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
    threads: Optional[int] = None,
    keep_runs: Optional[int] = None,
    progress: Optional[Callable[[int, int], Any]] = None,
    max_memory: Optional[int] = None,
) -> dict[str, ArrowTable]: ...

def compute_commissions(
    plan: Plan,
    ids: Sequence[int],
    sponsors: Sequence[Optional[int]],
    join_months: Sequence[int],
    quit_months: Optional[Sequence[Optional[int]]],
    vol_ids: Sequence[int],
    vol_months: Sequence[int],
    pv: Sequence[str],
    retail: Optional[Sequence[str]],
    placement: Optional[Sequence[Optional[int]]] = None,
    leg: Optional[Sequence[Optional[int]]] = None,
    preferred: Optional[Sequence[str]] = None,
    party_ids: Optional[Sequence[int]] = None,
    party_months: Optional[Sequence[int]] = None,
    party_pv: Optional[Sequence[str]] = None,
    rank_ids: Optional[Sequence[int]] = None,
    rank_months: Optional[Sequence[int]] = None,
    ranks: Optional[Sequence[str]] = None,
    title_ids: Optional[Sequence[int]] = None,
    titles: Optional[Sequence[str]] = None,
) -> ArrowTable: ...
