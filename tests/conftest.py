"""Shared fixtures: paths, a small-run helper, and the installed CLI."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CONFIGS = ROOT / "configs"


@pytest.fixture
def trio():
    return DATA / "trio.toml"


def run_memory(path, runs, seed=7, batch_size=1000, overrides=None, timeseries=False):
    from wargame import kinds
    from wargame.execution import results
    from wargame.model import scenario

    loaded = scenario.load(path, overrides)
    sink = results.MemoryResults()
    kinds.run(loaded, runs, seed=seed, sink=sink, batch_size=batch_size, timeseries=timeseries)
    return sink.read()


def cli(*args, cwd=None, timeout=600):
    """Run the installed `wargame` command (falling back to `python -m wargame`)."""
    exe = shutil.which("wargame")
    cmd = [exe, *map(str, args)] if exe else [sys.executable, "-m", "wargame", *map(str, args)]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def pytest_addoption(parser):
    parser.addoption("--fuzz-examples", type=int, default=40,
                     help="mutated scenarios per kind in tests/test_fuzz_configs.py (default 40)")


@pytest.fixture
def fuzz_examples(request):
    return request.config.getoption("--fuzz-examples")
