"""The layers hold: import-linter checks the contracts in pyproject.toml (docs/architecture.md).

import-linter reads the package from disk. An editable install maps ``wargame.kernels``
and ``wargame.bench`` to folders outside ``engine/``, which it cannot follow, so the
check runs on the installed layout assembled in a temporary folder by pyproject's own
``package-dir`` table, whichever way the package was installed.
"""

import shutil
import subprocess
import sys
import tomllib

from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def installed_layout(dest):
    """Copy the repository's folders where a wheel puts them (``wargame/``, ``wargame/kernels/``...)."""
    mapping = PYPROJECT["tool"]["setuptools"]["package-dir"]
    for pkg in sorted(mapping, key=lambda p: p.count(".")):
        target = dest.joinpath(*pkg.split("."))
        shutil.copytree(ROOT / mapping[pkg], target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.h5", "*.csv", "*.TXT"))
    return dest


def lint(tmp_path):
    tree = installed_layout(tmp_path / "tree")
    cfg = tmp_path / "contracts.toml"
    cfg.write_text((ROOT / "pyproject.toml").read_text())
    exe = shutil.which("lint-imports") or str(ROOT / ".venv" / "bin" / "lint-imports")
    return subprocess.run([exe, str(cfg), "--no-cache"], cwd=tree, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})


def test_import_contracts_are_kept(tmp_path):
    p = lint(tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "3 kept, 0 broken" in p.stdout, p.stdout


def test_a_forbidden_import_breaks_a_contract(tmp_path):
    """The check can fail: a kernel importing SimPy, or execution importing the model, is reported."""
    probes = {ROOT / "kernels" / "_probe_layers.py": "import simpy  # noqa: F401\n",
              ROOT / "engine" / "execution" / "_probe_layers.py": "from wargame.crisis import world  # noqa: F401\n"}
    for path, text in probes.items():
        path.write_text(text)
    try:
        p = lint(tmp_path)
    finally:
        for path in probes:
            path.unlink()
    assert p.returncode != 0
    assert "wargame.kernels._probe_layers -> simpy" in p.stdout, p.stdout
    assert "wargame.execution._probe_layers -> wargame.crisis.world" in p.stdout, p.stdout
    assert sys.modules  # nothing was imported into this process
