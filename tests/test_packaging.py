"""Packaging: one import name, `wargame`, with every repository folder mapped into it."""

import tomllib

from conftest import ROOT

SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


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
