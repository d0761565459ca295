"""Where the validation data live and how a missing or malformed file is reported.

The files are copies of public data (data/validation/PROVENANCE.md) shipped in the
repository, so the checks run on a clean clone without the team's shared folder.
"""

from __future__ import annotations

import csv
from pathlib import Path
from wargame.errors import WargameError


def _default_dir() -> Path:
    # Installed from a wheel, the data sit inside the package (pyproject maps data/validation to
    # engine/history/validation); in a source checkout or editable install, at the repository's top.
    here = Path(__file__).resolve().parent
    installed = here / "validation"
    return installed if installed.is_dir() else here.parents[1] / "data" / "validation"


DEFAULT_DIR = _default_dir()


class DataError(WargameError):
    """A validation data file is missing or not in the expected form (a user-fixable problem)."""


def read_csv(path: Path, required: tuple[str, ...], encoding: str = "utf-8") -> list[dict]:
    """Rows of a CSV file as dicts; DataError names the file and what is wrong with it."""
    try:
        with open(path, newline="", encoding=encoding) as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise DataError(f"{path}: no such file (the validation data ship in data/validation/; "
                        "pass --data DIR to read them elsewhere)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read ({e.__class__.__name__}: {e})") from None
    missing = [c for c in required if not rows or c not in rows[0]]
    if missing:
        raise DataError(f"{path}: columns = {', '.join(missing)}: missing; expected the columns "
                        f"{', '.join(required)}")
    return rows


def number(path: Path, row: int, col: str, text: str) -> float:
    """A numeric cell, or DataError naming file, row and column."""
    try:
        return float(text)
    except ValueError:
        raise DataError(f"{path}: row {row + 2}.{col} = {text!r}: expected a number") from None
