"""The scenarios that ship with wargame: found by name from any directory.

They are the TOML files of the repository's ``configs/`` folder, installed as the
package ``wargame.configs``. ``wargame run taiwan_strait`` and
``wargame.load("taiwan_strait")`` take a shipped scenario by name; a path to a file
is always taken as it is.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path


def folder() -> Path:
    """The folder holding the shipped scenario files."""
    return Path(str(resources.files("wargame.configs")))


def names() -> list[str]:
    """The shipped scenarios' names, sorted."""
    return sorted(p.stem for p in folder().glob("*.toml"))


def find(name: str) -> Path | None:
    """The shipped file a bare name (``taiwan_strait`` or ``taiwan_strait.toml``) means, else None."""
    if not name or "/" in name or "\\" in name:
        return None
    p = folder() / (name if name.endswith(".toml") else name + ".toml")
    return p if p.is_file() else None


def resolve(path: str | Path) -> Path:
    """A file that exists is taken as it is; otherwise a shipped scenario of that name, if any."""
    p = Path(path)
    if p.exists():
        return p
    return find(str(path)) or p


def listing() -> list[tuple[str, str, str]]:
    """(name, kind, title) of every shipped scenario, from its ``[scenario]`` table."""
    rows = []
    for n in names():
        raw = tomllib.loads((folder() / f"{n}.toml").read_text(encoding="utf-8"))
        meta = raw.get("scenario", {})
        rows.append((n, raw.get("kind", "crisis"), meta.get("title") or meta.get("name", n)))
    return rows
