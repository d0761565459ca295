"""The registry of scenario kinds: what each kind supplies so every layer above serves it.

A kind is a family of scenarios with its own SimPy processes and result columns: the
crisis kind (one war over months, ``wargame.crisis``) and the system kind (many
states over decades, ``wargame.system``). Each supplies its schema, a top-level batch
function that executors run anywhere, the layout its files record, its summary, and
its sweep metrics. The runner, every executor, the crash-safe store, ``--resume``,
sweeps and the CLI look a kind up here instead of branching on it.

Adding a kind: its schema in ``wargame.model`` (the loader picks it by the file's
``kind`` key), a package beside ``crisis/`` with those pieces, and one entry below.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Callable

from wargame.crisis import batch as crisis_batch
from wargame.crisis import metrics as crisis_metrics
from wargame.crisis import summary as crisis_summary
from wargame.execution import runner
from wargame.model import crisis as crisis_schema
from wargame.model import system as system_schema
from wargame.system import batch as system_batch
from wargame.system import metrics as system_metrics
from wargame.system import summary as system_summary


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    schema: type                 # the pydantic model a file of this kind validates into
    batch: Callable              # task -> (arrays, timing); top level, so workers import it by name
    layout: Callable             # (loaded, seed, doctrines) -> the layout attribute of its files
    summary: ModuleType          # compute(res), compute_file(path) -> numbers; format_table(numbers) -> text
    catalogue: Callable          # loaded -> {metric: description} for sweeps
    metrics: Callable            # (columns, layout, loaded) -> {metric: (runs,) array}
    doctrines: tuple[str, ...]   # what --doctrine STATE=... accepts
    timeseries: bool             # whether --timeseries applies
    compiled: bool               # whether batches call numba kernels (warm up before workers start)


KINDS: dict[str, Kind] = {
    "crisis": Kind("crisis", "one war over months: invasion, intervention, escalation",
                   crisis_schema.Scenario, crisis_batch.run_task, crisis_batch.layout, crisis_summary,
                   crisis_metrics.catalogue, crisis_metrics.metrics, crisis_schema.DOCTRINES, True, True),
    "system": Kind("system", "many states over decades: growth, alliances, wars, absorption",
                   system_schema.SystemScenario, system_batch.run_task, system_batch.layout, system_summary,
                   system_metrics.catalogue, system_metrics.metrics, system_schema.DOCTRINES, False, True),
}


def of(loaded) -> Kind:
    """The kind of a loaded scenario."""
    return KINDS[loaded.kind]


def named(name: str) -> Kind:
    """The kind a results file's layout names (files before the registry carry no name: crisis)."""
    return KINDS[name or "crisis"]


def run(loaded, runs: int, **options) -> runner.RunStats:
    """``runner.run`` with the loaded scenario's kind: its batch function and file layout."""
    k = of(loaded)
    return runner.run(loaded, runs, batch=k.batch, layout=k.layout, **options)


def warm_up(loaded, doctrines=None) -> float:
    """Compile (or load from numba's cache) the kernels a scenario's batches use."""
    return runner.warm_up(loaded, of(loaded).batch, doctrines)
