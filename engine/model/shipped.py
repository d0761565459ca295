"""The scenarios that ship with wargame: found by name from any directory.

They are the TOML files of the repository's ``configs/`` folder, installed as the
package ``wargame.configs``. ``wargame run taiwan_strait`` and
``wargame.load("taiwan_strait")`` take a shipped scenario by name; a path to a file
is always taken as it is.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import NamedTuple


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
    """A file that exists is taken as it is; otherwise a shipped scenario of that name, if any.

    Only a file counts: a folder of the same name in the current directory (say, one
    made for a run's outputs) does not hide the shipped scenario.
    """
    p = Path(path)
    if p.is_file():
        return p
    return find(str(path)) or p


class Entry(NamedTuple):
    """One shipped scenario as ``wargame scenarios`` lists it."""

    name: str
    kind: str  # "crisis" or "system" (wargame.kinds)
    title: str
    states: int
    fronts: int
    raids: int
    horizon: str  # "180 days" or "200 years"
    path: Path

    @property
    def size(self) -> str:
        """``4 states, 1 front, 180 days``: what a reader weighs before running it."""
        parts = [_count(self.states, "state")]
        parts += [_count(n, what) for n, what in ((self.fronts, "front"), (self.raids, "raid")) if n]
        return ", ".join(parts + [self.horizon])


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' * (n != 1)}"


def listing() -> list[Entry]:
    """Every shipped scenario, sorted by name, as validated (the eleven files take about 25 ms).

    Counting from the validated scenario, not the raw TOML, keeps defaults (a missing
    horizon) and the kind's own rules in one place: the scenario model.
    """
    from wargame.model import scenario  # it imports this module to resolve names

    rows = []
    for n in names():
        loaded = scenario.load(folder() / f"{n}.toml")
        sc, meta = loaded.scenario, loaded.scenario.scenario
        if loaded.kind == "system":
            horizon = f"{meta.horizon_years} years"
        else:
            horizon = f"{meta.horizon_days:g} days"
        rows.append(Entry(n, loaded.kind, meta.title or meta.name, len(sc.states), len(getattr(sc, "fronts", ())),
                          len(getattr(sc, "raids", ())), horizon, Path(loaded.path)))
    return rows
