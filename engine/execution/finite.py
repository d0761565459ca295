"""The last check on a batch's numbers: no NaN or infinity where the layout means a number.

Validation refuses non-finite inputs; this is the backstop for a model bug that makes
one anyway (an overflow, 0/0). A kind's batch function calls ``check`` with a rule per
floating-point column before it returns, so a batch that breaks a rule never reaches
the results file, and the error names the replication, the state (front, domain...)
and the quantity, and the scenario and seed that reproduce it.

A rule is one of:
- ``FINITE``: every value is a finite number;
- ``NO_INF``: NaN means "did not happen" anywhere in the column, but never infinity;
- ``UNLIMITED``: +infinity means "unlimited" (an arsenal left out of the scenario), but
  never NaN or -infinity;
- a function of the batch giving a boolean mask (broadcast to the column's shape) of
  where NaN means "did not happen" (``war_day`` where no war broke out); elsewhere
  the value must be finite, and it is never infinite.
A floating column without a rule must be finite (a new column is held to the strict
rule until its kind says what its NaN means).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from wargame.errors import WargameError

FINITE = "finite"
NO_INF = "no_inf"
UNLIMITED = "unlimited"


class NonFiniteResult(WargameError):
    """A batch produced NaN or infinity where a number is expected: a model bug to report."""


def _columns(batch: dict):
    """(path, array) of every floating-point array in the batch's groups."""
    for group, cols in batch.items():
        if isinstance(cols, dict):
            for name, a in cols.items():
                if isinstance(a, np.ndarray) and a.dtype.kind == "f":
                    yield f"{group}/{name}", a
        elif isinstance(cols, np.ndarray) and cols.dtype.kind == "f":
            yield group, cols


def _rule(rules: dict, path: str):
    if path in rules:
        return rules[path]
    return rules.get(path.split("/", 1)[0] + "/*", FINITE)


def check(batch: dict, rules: dict[str, str | Callable], layout: Callable[[], dict], task: dict) -> None:
    """Raise ``NonFiniteResult`` for the first value of the batch that breaks its column's rule.

    ``layout`` makes the batch's layout (its kind's ``describe``: labels, and the table of
    dimensions and columns), called only to name the place of a bad value; ``task`` is
    the batch's task (``runner.tasks_for``), whose scenario, overrides and seed reproduce it.
    """
    for path, a in _columns(batch):
        rule = _rule(rules, path)
        if rule == NO_INF:
            bad = np.isinf(a)
        elif rule == UNLIMITED:
            bad = np.isnan(a) | np.isneginf(a)
        elif rule == FINITE:
            bad = ~np.isfinite(a)
        else:
            bad = np.isinf(a) | (np.isnan(a) & ~np.broadcast_to(rule(batch), a.shape))
        if bad.any():
            raise NonFiniteResult(_message(batch, path, a, bad, layout(), task))


def _labels(layout: dict, dim: str):
    """The names along a dimension (``{"labels": "raids.layers"}`` is a path into the layout), or None."""
    spec = layout.get("dims", {}).get(dim, {})
    value = layout
    for key in spec.get("labels", "").split(".") if "labels" in spec else ():
        value = value.get(key, {}) if isinstance(value, dict) else {}
    return value if isinstance(value, list) else None


def _message(batch, path, a, bad, layout, task) -> str:
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    cols = layout.get("columns", {})
    spec = cols.get(path) or cols.get(path.split("/", 1)[0] + "/*")
    if spec is None:  # a top-level array (``timeseries``) is the table's only column of its group
        spec = next((v for k, v in cols.items() if k.startswith(path + "/")), {})
    names = spec.get("dims", [])
    parts = []
    for k, i in enumerate(where):
        dim = names[k] if k < len(names) else f"axis {k}"
        if dim == "replication":
            parts.append(f"replication {int(batch['reps'][i])}")
        else:
            lab = _labels(layout, dim)
            parts.append(f"{dim} {lab[i] if lab is not None and i < len(lab) else i}")
    n = int(bad.sum())
    more = f" (and {n - 1} more value{'s' * (n > 2)} in the batch)" if n > 1 else ""
    sets = "".join(f" --set {k}={v}" for k, v in task.get("overrides", []))
    return (f"model error: {path} = {a[where]} at {', '.join(parts)}{more}, where a finite number is expected; "
            f"the batch was not written. This is a bug in the model, not in your input: please report it with "
            f"the scenario and seed that reproduce it: {task['path']}{sets} --seed {task['seed']}")
