"""The Python API: what ``import wargame`` offers a notebook or a script (docs/api.md).

Six calls and three types (``Results``, ``Game``, ``WargameError``) cover the work an
analyst does from the command line: load a scenario, run it (in memory or to a
crash-safe file, in this process, on local workers or on a Dask cluster), open results,
summarise them, sweep settings with common random numbers, and play a classroom
``Game``. Results come back as labelled xarray Datasets and pandas tables. Every
mistake a user can fix raises ``WargameError`` with a one-line message.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from wargame import kinds
from wargame.errors import WargameError
from wargame.execution import executors, runner
from wargame.execution.results import MemoryResults
from wargame.execution.lock import OutputLock
from wargame.execution.store import HDF5Store, read, read_meta
from wargame.model import scenario as _scenario
from wargame.model import shipped
from wargame.model.scenario import Loaded


# Replication i of seed s draws from Philox streams keyed (s, i), the seed being the key's
# first 64-bit word (kernels/philox.py): every whole number in [0, 2**64) is a seed.
SEED_LIMIT = 2**64


def check_seed(seed, name: str = "seed", limit: int = SEED_LIMIT, why: str = "") -> int:
    """``seed`` if it is a whole number in [0, limit); else a one-line ``WargameError``."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < limit:
        raise WargameError(f"{name} {seed!r}: expected a whole number from 0 to {limit - 1}"
                           f"{' (' + why + ')' if why else ''}")
    return seed


def _toml(v) -> str:
    """A Python value as the TOML text ``--set`` takes (numbers, booleans, strings, lists, tables)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            raise WargameError(f"override value {v!r}: expected a finite number")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)  # a TOML basic string is a JSON string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml(x)}" for k, x in v.items()) + " }"
    raise WargameError(f"override value {v!r}: expected a number, boolean, string, list or table")


def _pairs(overrides, doctrines) -> list[tuple[str, str]]:
    if overrides is not None and not isinstance(overrides, dict):
        raise WargameError(f"overrides = {overrides!r}: expected a dict of key path -> value, "
                           "e.g. {'states.USA.casualty_tolerance': 0.2}")
    out = [(str(k), _toml(v)) for k, v in (overrides or {}).items()]
    out += [(f"states.{s}.doctrine", _toml(d)) for s, d in (doctrines or {}).items()]
    return out


def load(scenario: str | Path | Loaded, overrides: dict | None = None, doctrines: dict | None = None) -> Loaded:
    """A validated scenario: a shipped scenario's name (see ``scenarios()``) or a TOML file's path.

    ``overrides`` maps key paths to values (``{"fronts.landing.lift_per_day": 20000}``), as
    ``--set`` does; ``doctrines`` maps states to doctrines (``{"USA": "never"}``). Raises
    ``WargameError`` (a ``ScenarioError``, one line per problem) for an invalid scenario.
    """
    if isinstance(scenario, Loaded):
        if not overrides and not doctrines:
            return scenario
        return _scenario.loads(scenario.text, scenario.path, list(scenario.overrides) + _pairs(overrides, doctrines))
    return _scenario.load(scenario, _pairs(overrides, doctrines))


def scenarios() -> dict[str, str]:
    """The shipped scenarios: name -> title."""
    return {e.name: e.title for e in shipped.listing()}


class Results:
    """Results of a run, held in memory or in a results file (``path``).

    ``dataset()`` gives an xarray Dataset with named dimensions (replication, state,
    domain, front, day) and labelled categories; ``tables()`` gives pandas DataFrames;
    ``arrays()`` the raw arrays; ``summary()`` the numbers ``wargame summary`` prints.
    """

    def __init__(self, arrays: dict | None = None, path: str | Path | None = None):
        self.path = None if path is None else Path(path)
        self._arrays = arrays
        if arrays is not None:
            self.attrs, self.layout = dict(arrays["attrs"]), dict(arrays["layout"])
        else:
            self.attrs, self.layout = read_meta(self.path)

    @property
    def kind(self) -> str:
        return self.layout.get("kind", "crisis")

    @property
    def runs(self) -> int:
        """Replications held (fewer than asked for in an interrupted file)."""
        return int(self.attrs.get("replications_written", self.attrs.get("runs", 0))) if self._arrays is None \
            else int(self._arrays["reps"].size)

    def arrays(self) -> dict:
        """Every stored array, as the dictionary the engine's writers take (docs/results-format.md)."""
        if self._arrays is None:
            self._arrays = read(self.path)
        return self._arrays

    def dataset(self):
        """The results as an ``xarray.Dataset`` with named dimensions, coordinates and labels."""
        from wargame.analysis import labelled

        return labelled.dataset(self.arrays())

    def tables(self) -> dict:
        """The results as pandas DataFrames: replications, states, params, events, decisions."""
        from wargame.analysis import labelled

        return labelled.tables(self.arrays())

    def summary(self) -> Summary:
        """The summary ``wargame summary`` prints, as numbers (``print`` it for the table)."""
        s = kinds.named(self.kind).summary
        numbers = s.compute(self._arrays) if self._arrays is not None else s.compute_file(self.path)
        return Summary(numbers, s.format_table)

    def __repr__(self) -> str:
        where = f"file {self.path}" if self.path else "memory"
        name = self.attrs.get("scenario", "?")
        return f"<wargame.Results {name} ({self.kind}): {self.runs} replications, seed {self.attrs.get('seed')}, in {where}>"


class Summary(dict):
    """A run's summary numbers; ``str()`` is the plain-text table ``wargame summary`` prints."""

    def __init__(self, numbers: dict, fmt):
        super().__init__(numbers)
        self._fmt = fmt

    def __str__(self) -> str:
        return self._fmt(dict(self))


def _executor(workers: int | None, client, batches: int):
    if client is not None:
        return executors.DaskExecutor(client=client)
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise WargameError(f"workers = {workers!r}: expected a whole number >= 1 (or None: every core)")
    return executors.make(workers, batches=batches)


def run(scenario: str | Path | Loaded, runs: int | None = None, *, seed: int | None = None,
        out: str | Path | None = None, overwrite: bool = False, workers: int | None = 1, client=None,
        batch_size: int | None = None, timeseries: bool = False, overrides: dict | None = None,
        doctrines: dict | None = None) -> Results:
    """Run ``runs`` replications (default: the scenario's ``default_runs``) and return the results.

    With ``out`` the results stream to a crash-safe HDF5 file, as ``wargame run`` writes
    it; otherwise they stay in memory. ``workers``: processes on this machine (1: this
    process; None: every core, once the first batches show that worker processes would
    finish sooner); ``client``: a ``dask.distributed.Client`` to run batches
    on its cluster; ``batch_size``: replications per batch (None: grown from 2,000 while a
    batch takes under a second). The bits are the same whatever the workers, client or batch size.
    """
    loaded = load(scenario, overrides, doctrines)
    runs = loaded.scenario.scenario.default_runs if runs is None else runs
    seed = runner.DEFAULT_SEED if seed is None else check_seed(seed, "seed =")
    for name, v in (("runs", runs), ("batch_size", runner.DEFAULT_BATCH if batch_size is None else batch_size)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise WargameError(f"{name} = {v!r}: expected a whole number >= 1")
    if timeseries and not kinds.of(loaded).timeseries:
        raise WargameError(f"timeseries: {loaded.path} is a {loaded.kind} scenario, which has no daily front series")
    if out is None:
        sink = MemoryResults()
        _run_into(loaded, runs, seed, sink, workers, client, batch_size, timeseries)
        return Results(sink.read())
    out = Path(out)
    if not out.resolve().parent.is_dir():
        raise WargameError(f"{out}: directory {out.parent} does not exist")
    with OutputLock(out):  # one run per output file: another run on it is refused (OutputLocked)
        store = HDF5Store(out)
        if (out.exists() or store.parts.exists()) and not overwrite:
            raise WargameError(f"{out}: output exists; pass overwrite=True to replace it")
        stats = _run_into(loaded, runs, seed, store, workers, client, batch_size, timeseries)
        store.finish({"seconds": stats.seconds, "kernel_seconds": stats.kernel_seconds})
    return Results(path=out)


def _run_into(loaded, runs, seed, sink, workers, client, batch_size, timeseries):
    executor = _executor(workers, client, batches=-(-max(0, runs - runner.FIRST_BATCH) // (batch_size or runner.DEFAULT_BATCH)))
    try:
        if executor.workers > 1 and not runner.kernels_cached():
            kinds.warm_up(loaded)  # compile once here, not in every worker
        return kinds.run(loaded, runs, seed=seed, sink=sink, batch_size=batch_size, timeseries=timeseries,
                         executor=executor, first_batch=runner.FIRST_BATCH, command="wargame.run")
    finally:
        executor.close()


def open_results(path: str | Path):
    """Open a results file (``wargame run``, ``wargame exercise --out``) or a sweep file (``wargame sweep``).

    Returns ``Results`` (or ``SweepResults``); a missing file or one wargame did not
    write raises ``WargameError`` with one line.
    """
    from wargame.analysis import sweep_file

    path = Path(path)
    if not path.is_file():
        raise WargameError(f"{path}: no such file")
    try:
        if sweep_file.is_sweep(path):
            return SweepResults(sweep_file.read(path))
        return Results(path=path)
    except (OSError, KeyError, ValueError) as e:
        raise WargameError(f"{path}: not a wargame results file ({e.__class__.__name__}: {e})") from None


def summarise(results: Results | str | Path) -> Summary:
    """The summary of results (or of a results file): outcome probabilities with 95% intervals,
    interventions, durations and losses. ``print()`` it for the table ``wargame summary`` prints."""
    if not isinstance(results, Results):
        results = open_results(results)
        if not isinstance(results, Results):
            raise WargameError(f"{results}: a sweep file; its table is SweepResults.estimates")
    try:
        return results.summary()
    except ValueError as e:
        raise WargameError(f"{results.path or 'results'}: {e}") from None


class SweepResults:
    """A finished sweep: per-arm estimates, paired comparisons and sensitivity, as pandas tables."""

    def __init__(self, data: dict):
        import pandas as pd

        self.data = data
        self.arms = [a["label"] for a in data["arms"]]
        self.catalogue = data["metrics"]  # metric -> what it measures
        self.estimates = pd.DataFrame(data["estimates"])
        self.comparisons = pd.DataFrame(data["comparison"])
        self.sensitivity = pd.DataFrame(data["sensitivity"])
        for t in (self.estimates, self.sensitivity):
            if "arm" in t:
                t.insert(t.columns.get_loc("arm") + 1, "arm_label", [self.arms[i] for i in t["arm"]])

    def __repr__(self) -> str:
        return f"<wargame.SweepResults {len(self.arms)} arms ({'; '.join(self.arms)}), {len(self.catalogue)} metrics>"


def sweep(scenario: str | Path, vary: dict, runs: int | None = None, *, seed: int | None = None,
          out: str | Path | None = None, overwrite: bool = False, workers: int | None = 1,
          batch_size: int = runner.DEFAULT_BATCH, overrides: dict | None = None) -> SweepResults:
    """Run every combination of ``vary`` values (``{"states.USA.doctrine": ["self_help", "never"]}``)
    with common random numbers and compare the arms pair by pair (docs/sweep.md).

    With ``out`` the sweep is also written as ``wargame sweep`` writes it.
    """
    from wargame.analysis import sweep as _sweep

    if not isinstance(vary, dict) or not vary or not all(isinstance(v, (list, tuple)) and v for v in vary.values()):
        raise WargameError(f"vary = {vary!r}: expected a dict of key path -> list of values, "
                           "e.g. {'states.USA.doctrine': ['self_help', 'never']}")
    path = str(shipped.resolve(scenario))
    base = _pairs(overrides, None)
    varied = [(str(k), [_toml(x) for x in v]) for k, v in vary.items()]
    _sweep.make_arms(path, base, varied)  # every arm valid before anything runs (ScenarioError otherwise)
    loaded = _scenario.load(path, base)
    runs = loaded.scenario.scenario.default_runs if runs is None else runs
    seed = runner.DEFAULT_SEED if seed is None else check_seed(seed, "seed =")
    for name, v in (("runs", runs), ("batch_size", batch_size)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise WargameError(f"{name} = {v!r}: expected a whole number >= 1")
    if out is None:
        return _sweep_into(None, path, base, varied, runs, seed, loaded, workers, batch_size)
    with OutputLock(out):  # one sweep per output file
        if Path(out).exists() and not overwrite:
            raise WargameError(f"{out}: output exists; pass overwrite=True to replace it")
        return _sweep_into(Path(out), path, base, varied, runs, seed, loaded, workers, batch_size)


def _sweep_into(out, path, base, varied, runs, seed, loaded, workers, batch_size) -> SweepResults:
    from wargame.analysis import sweep as _sweep
    from wargame.analysis import sweep_file

    executor = _executor(workers, None, batches=-(-runs // batch_size))
    try:
        if executor.workers > 1 and not runner.kernels_cached():
            kinds.warm_up(loaded)
        sw = _sweep.run(path, base, varied, runs, seed, executor=executor, batch_size=batch_size)
    finally:
        executor.close()
    if out is None:
        import tempfile

        with tempfile.TemporaryDirectory() as d:  # one path to the labelled tables: the sweep file's reader
            sweep_file.write(sw, Path(d) / "sweep.h5", "wargame.sweep")
            return SweepResults(sweep_file.read(Path(d) / "sweep.h5"))
    sweep_file.write(sw, out, "wargame.sweep")
    return SweepResults(sweep_file.read(out))
