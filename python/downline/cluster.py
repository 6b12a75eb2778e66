"""Runs in chunks, on this machine or on a Dask cluster, with the numbers of one call.

The core seeds each run from (seed, run, purpose): the generator of run ``r`` under
``seed`` is keyed by ``splitmix64(splitmix64(seed) ^ r)``, mixed again with the purpose.
SplitMix64 is a bijection of 64-bit integers, so for any run ``r`` there is one seed,
:func:`run_seed`, whose run 0 draws exactly what run ``r`` of ``seed`` draws. A chunk of
runs ``[start, stop)`` is therefore simulated anywhere — a Dask worker, another process —
as one-run calls under those seeds, and gives the same tables as the same runs of one
``simulate(…, seed)`` call; the run numbers are put back afterwards.
(``tests/python/test_sweep.py`` pins this against the core, so a change of seeding in the
core fails loudly instead of silently breaking common random numbers.)

Dask is optional (``pip install downline[dask]``); nothing here imports it until a
``client`` is given.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import polars as pl

__all__ = ["chunk_ranges", "run_seed", "simulate_runs"]

_MASK = (1 << 64) - 1
_GAMMA = 0x9E37_79B9_7F4A_7C15
_M1 = 0xBF58_476D_1CE4_E5B9
_M2 = 0x94D0_49BB_1331_11EB
_M1_INV = pow(_M1, -1, 1 << 64)
_M2_INV = pow(_M2, -1, 1 << 64)

#: The tables of a simulation, in the order ``_core.simulate`` returns them.
TABLES = ("monthly", "bonuses", "ranks", "runs", "distributors")


def _splitmix64(z: int) -> int:
    """One step of SplitMix64, as ``src/rng.rs`` computes it."""
    z = (z + _GAMMA) & _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def _unxorshift(x: int, s: int) -> int:
    y = x
    for _ in range(64 // s + 1):
        y = x ^ (y >> s)
    return y


def _unsplitmix64(z: int) -> int:
    """The inverse of :func:`_splitmix64`."""
    z = _unxorshift(z, 31)
    z = (z * _M2_INV) & _MASK
    z = _unxorshift(z, 27)
    z = (z * _M1_INV) & _MASK
    z = _unxorshift(z, 30)
    return (z - _GAMMA) & _MASK


def run_seed(seed: int, run: int) -> int:
    """The seed whose run 0 is run ``run`` of ``seed`` (a whole number in [0, 2**64))."""
    return _unsplitmix64(_splitmix64(seed) ^ run)


def chunk_ranges(runs: int, chunk: int) -> list[tuple[int, int]]:
    """``[(0, chunk), (chunk, 2·chunk), …]`` covering ``range(runs)``."""
    return [(a, min(a + chunk, runs)) for a in range(0, runs, chunk)]


def _relabel(df: pl.DataFrame, run: int) -> pl.DataFrame:
    if "run" not in df.columns:
        return df
    return df.with_columns(pl.lit(run, dtype=df.schema["run"]).alias("run"))


def simulate_runs(
    plan: Any,
    scenario: Any,
    months: int,
    seed: int,
    start: int,
    stop: int,
    keep_distributors: int | None = 0,
    threads: int | None = 1,
) -> dict[str, pl.DataFrame]:
    """Runs ``start`` to ``stop − 1`` of ``simulate(plan, scenario, months, …, seed)``: the
    five tables (``monthly, bonuses, ranks, runs, distributors``) with the same rows, in run
    order, as those runs of one call. ``keep_distributors``: keep per-distributor rows of
    runs numbered below it (``None``: every run; ``0``: none)."""
    from downline.api import simulate

    def keep(stop_: int) -> Any:
        if keep_distributors is None:
            return True
        return max(0, min(keep_distributors, stop_))

    if start == 0:
        res = simulate(
            plan,
            scenario,
            months=months,
            runs=stop,
            seed=seed,
            threads=threads,
            keep_distributors=keep(stop),
        )
        return {t: getattr(res, t) for t in TABLES}
    parts: dict[str, list[pl.DataFrame]] = {t: [] for t in TABLES}
    for r in range(start, stop):
        kept = keep_distributors is None or r < keep_distributors
        res = simulate(
            plan,
            scenario,
            months=months,
            runs=1,
            seed=run_seed(seed, r),
            threads=threads,
            keep_distributors=kept,
        )
        for t in TABLES:
            parts[t].append(_relabel(getattr(res, t), r))
    return {t: pl.concat(parts[t]) for t in TABLES}


def client_threads(client: Any) -> int:
    """Worker threads of a ``dask.distributed.Client`` (at least 1)."""
    try:
        return max(1, sum(client.nthreads().values()))
    except AttributeError:
        raise TypeError(
            f"client must be a dask.distributed.Client, not {type(client).__name__}"
        ) from None


def auto_chunk(runs: int, groups: int, threads: int) -> int:
    """Runs per task: one task per group of runs (a sweep point), split further only until
    there are about four tasks per worker thread, so that tasks stay long (a second or
    more for real plans) and the cluster stays busy to the end."""
    per_group = max(1, math.ceil(4 * threads / max(groups, 1)))
    return max(1, math.ceil(runs / per_group))


def check_chunk(chunk_runs: int | None) -> None:
    if chunk_runs is not None and (
        isinstance(chunk_runs, bool) or not isinstance(chunk_runs, int) or chunk_runs < 1
    ):
        raise ValueError(f"chunk_runs = {chunk_runs!r}: use a whole number of runs (>= 1)")


def as_completed(client: Any, futures: Sequence[Any]) -> Iterator[Any]:
    """Futures as they finish (``distributed.as_completed``)."""
    from distributed import as_completed as _ac

    return iter(_ac(futures))


def cancel(client: Any, futures: Sequence[Any]) -> None:
    """Cancel what is still queued or running (after an error or Ctrl-C)."""
    with contextlib.suppress(Exception):  # the client may already be closing
        client.cancel(list(futures))


def simulate_on_client(
    client: Any,
    plan: Any,
    scenario: Any,
    months: int,
    runs: int,
    seed: int,
    keep: int | None,
    chunk_runs: int | None,
    on_chunk: Callable[[int], None] | None = None,
) -> dict[str, pl.DataFrame]:
    """``simulate`` spread over a Dask cluster: chunks of runs as tasks, tables gathered and
    put back in run order — identical to the same call without a client."""
    check_chunk(chunk_runs)
    chunk = chunk_runs or auto_chunk(runs, 1, client_threads(client))
    futures = [
        client.submit(simulate_runs, plan, scenario, months, seed, a, b, keep, 1, pure=False)
        for a, b in chunk_ranges(runs, chunk)
    ]
    order = {f.key: i for i, f in enumerate(futures)}
    done: dict[int, dict[str, pl.DataFrame]] = {}
    try:
        for fut in as_completed(client, futures):
            i = order[fut.key]
            done[i] = fut.result()
            if on_chunk is not None:
                a, b = chunk_ranges(runs, chunk)[i]
                on_chunk(b - a)
    except BaseException:
        cancel(client, futures)
        raise
    return {t: pl.concat([done[i][t] for i in range(len(futures))]) for t in TABLES}
