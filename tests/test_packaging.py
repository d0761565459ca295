"""Packaging: one import name, `wargame`, with every repository folder mapped into it.

The wheel is built from a clean clone of the committed tree, as CI or a user's
``pip install .`` builds it: a file that is not committed, or a folder missing from
pyproject's package list, works in the editable checkout and breaks only there.
Installed with ``pip install --target`` and put first on PYTHONPATH (searched before the
editable install), it must run from any directory, and unrelated top-level packages
named like the repository's folders (``kernels``, ``bench``, ...) must not be picked up.
"""

import os
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import h5py
import pytest
from packaging.requirements import Requirement  # pytest's own dependency

from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
# Folder names of the repository that are generic enough to exist as other top-level packages.
IMPOSTORS = ("kernels", "bench", "configs", "engine")


def package_folders() -> dict[str, str]:
    """Installed package name -> repository folder, for every folder with an __init__.py."""
    mapping = SETUPTOOLS["package-dir"]
    out = {}
    for pkg, folder in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            name = ".".join((pkg, *rel))
            # a folder mapped on its own (kernels/ under engine/'s wargame) is named by its own entry
            owner = max((p for p in mapping if name == p or name.startswith(p + ".")), key=len)
            if owner == pkg:
                out[name] = str(init.parent.relative_to(ROOT))
    return out


def test_every_package_is_installed():
    """A package missing from pyproject's list works in an editable checkout and breaks from a
    wheel (CI installs one): every folder with an __init__.py must be listed."""
    found = set(package_folders())
    listed = set(SETUPTOOLS["packages"])
    assert found <= listed, f"missing from pyproject.toml packages: {sorted(found - listed)}"
    assert all(name == "wargame" or name.startswith("wargame.") for name in listed)


def in_wheel(path: str) -> str | None:
    """Where a repository file lands in the wheel, by pyproject's package-dir (longest folder wins)."""
    for pkg, folder in sorted(SETUPTOOLS["package-dir"].items(), key=lambda kv: -len(kv[1])):
        if path.startswith(folder + "/"):
            return pkg.replace(".", "/") + "/" + path[len(folder) + 1:]
    return None


def _python(*args, cwd, pythonpath, env_extra=None, timeout=600):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=os.pathsep.join(map(str, pythonpath)), **(env_extra or {}))
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _have(req: Requirement) -> bool:
    try:
        return req.specifier.contains(metadata.version(req.name), prereleases=True)
    except metadata.PackageNotFoundError:
        return False


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(wheel file, the clone it was built from): HEAD cloned into a temp dir and built there."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: there is no committed tree to build (an sdist tests itself)")
    base = tmp_path_factory.mktemp("wheel")
    src, dist = base / "src", base / "dist"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(src)], check=True)
    subprocess.run(["git", "checkout", "--quiet", head.stdout.strip()], cwd=src, check=True)
    # Offline with the venv's setuptools when it is recent enough for pyproject's build-system
    # (Python 3.11's venvs start with 65.5, too old for `license = "MIT"`); else pip fetches it,
    # as any `pip install .` would.
    recent = all(_have(Requirement(r)) for r in PYPROJECT["build-system"]["requires"])
    isolation = ["--no-build-isolation"] if recent else []
    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", str(dist), "."],
                       cwd=src, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    (whl,) = dist.glob("wargame-*.whl")
    return whl, src


@pytest.fixture(scope="module")
def target(built, tmp_path_factory):
    """The wheel installed with `pip install --no-deps --target T`: T (and a numba cache of its own)."""
    whl, _ = built
    base = tmp_path_factory.mktemp("target")
    t = base / "site"
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(t), str(whl)],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    # The kernels' numba cache is keyed by their file paths: a fresh T compiles them afresh (about
    # 30 s, once per test session); keep that cache in the temp dir, not in the user's.
    return t, {"NUMBA_CACHE_DIR": str(base / "numba")}


def test_wheel_holds_every_package_and_data_file_and_nothing_else(built):
    whl, src = built
    names = set(zipfile.ZipFile(whl).namelist())
    version = PYPROJECT["project"]["version"]
    assert {n.split("/")[0] for n in names} == {"wargame", f"wargame-{version}.dist-info"}
    for pkg in SETUPTOOLS["packages"]:
        folder = pkg.replace(".", "/") + "/"
        assert any(n.startswith(folder) and "/" not in n[len(folder):] for n in names), f"{pkg}: not in the wheel"
    tracked = subprocess.run(["git", "ls-files"], cwd=src, capture_output=True, text=True, check=True).stdout.split()
    wanted = {f: in_wheel(f) for f in tracked if in_wheel(f) and (
        f.endswith(".py") or f.startswith(("configs/", "data/validation/")) or f == "bench/floors.json")}
    assert sum(f.startswith("configs/") and f.endswith(".toml") for f in wanted) >= 9
    assert sum(f.startswith("data/validation/") for f in wanted) >= 10
    missing = sorted(f for f, w in wanted.items() if w not in names)
    assert not missing, f"committed but not in the wheel: {missing}"


def test_installed_wheel_runs_from_any_directory(target, tmp_path):
    t, env = target
    out = tmp_path / "X.h5"
    p = _python("-m", "wargame", "run", "taiwan_strait", "--runs", 40, "--quiet", "--out", out.name,
                cwd=tmp_path, pythonpath=[t], env_extra=env)
    assert p.returncode == 0, p.stderr
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] and f.attrs["runs"] == 40
        assert f.attrs["config_text"] == (ROOT / "configs" / "taiwan_strait.toml").read_text()
    probe = ("import wargame, wargame.kernels, wargame.bench.harness as h, wargame.configs; "
             "from wargame.model import shipped; from wargame.history.data import DEFAULT_DIR; "
             "print(wargame.__file__, wargame.kernels.__file__, h.__file__, shipped.folder(), DEFAULT_DIR, "
             "(DEFAULT_DIR / 'cdb90' / 'battles.csv').is_file(), len(shipped.names()))")
    p = _python("-c", probe, cwd=tmp_path, pythonpath=[t])
    assert p.returncode == 0, p.stderr
    *paths, has_data, n = p.stdout.split()
    assert all(Path(x).is_relative_to(t) for x in paths), paths  # T, not the editable checkout
    assert has_data == "True" and int(n) == len(list((ROOT / "configs").glob("*.toml")))
    p = _python("-m", "wargame", "--version", cwd=tmp_path, pythonpath=[t])
    assert p.stdout.startswith(f"wargame {PYPROJECT['project']['version']} (Python ")


@pytest.fixture
def impostors(tmp_path):
    """Top-level packages named like the repository's folders that announce being imported."""
    root = tmp_path / "impostors"
    for name in IMPOSTORS:
        (root / name).mkdir(parents=True)
        (root / name / "__init__.py").write_text(f"import sys\nprint('IMPOSTOR {name} imported', file=sys.stderr)\n")
    return root


@pytest.mark.parametrize("install", ["wheel", "editable"])
def test_unrelated_kernels_or_bench_package_is_never_imported(install, impostors, request, tmp_path):
    path, env = [impostors], {}
    if install == "wheel":
        t, env = request.getfixturevalue("target")
        path.append(t)
    p = _python("-c", "import kernels, bench", cwd=tmp_path, pythonpath=path)
    assert "IMPOSTOR kernels imported" in p.stderr  # they are first on the path: the test can fail
    p = _python("-m", "wargame", "run", "duel", "--runs", 20, "--quiet", "--out", "d.h5", cwd=tmp_path,
                pythonpath=path, env_extra=env)
    assert p.returncode == 0 and "IMPOSTOR" not in p.stderr + p.stdout, p.stderr
    probe = ("import sys, wargame, wargame.kernels, wargame.bench.harness, wargame.bench.peers.naive; "
             f"print(sorted(set(sys.modules) & set({IMPOSTORS!r})))")
    p = _python("-c", probe, cwd=tmp_path, pythonpath=path)
    assert p.returncode == 0 and "IMPOSTOR" not in p.stderr, p.stderr
    assert p.stdout.strip() == "[]"
