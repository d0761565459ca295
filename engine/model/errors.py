"""Scenario errors: pydantic's validation errors turned into one line per problem.

Every line reads ``file: key.path = value: what is expected``; the alternatives of a
union (a number or a distribution table) are merged into one message.
"""

from __future__ import annotations

from pydantic import ValidationError
from wargame.errors import WargameError
from wargame.model.params import ID_RULE, shown


class ScenarioError(WargameError):
    """A scenario file is unreadable or invalid; ``lines`` holds one message per problem."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


_BRANCHES = {"float", "int", "str", "fixed", "uniform", "normal", "triangular", "pert", "function-after", "none"}


def _clean_loc(loc) -> list:
    out = []
    for part in loc:
        s = str(part)
        if s in _BRANCHES or s.startswith(("function-after[", "function-before[", "tagged-union[", "union[", "constrained-")):
            continue
        out.append(part)
    return out


def _path(loc) -> str:
    s = ""
    for p in loc:
        if isinstance(p, int):
            s += f"[{p}]"
        else:  # a key that is no identifier (an id refused by the id rule) is quoted, cut to a readable length
            s += ("." if s else "") + (p if ID_RULE.fullmatch(str(p)) else shown(p))
    return s


def _lookup(raw, loc):
    cur = raw
    for p in loc:
        try:
            cur = cur[p]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return cur


_MISSING = object()
# pydantic's bound errors in the house wording ("must be >= 0.01", as check_range says it)
_BOUNDS = {"greater_than_equal": (">=", "ge"), "greater_than": (">", "gt"),
           "less_than_equal": ("<=", "le"), "less_than": ("<", "lt")}


def format_errors(source: str, raw: dict, err: ValidationError) -> list[str]:
    """Turn pydantic's errors into one line each, merging the alternatives of a union."""
    by_loc: dict[tuple, list[dict]] = {}
    for e in err.errors():
        loc = tuple(_clean_loc(e["loc"]))
        by_loc.setdefault(loc, []).append(e)
    # A distribution table with a bad field also fails the plain-number branch of the union:
    # report only the deeper, specific error.
    for loc in [l for l in by_loc if any(o[: len(l)] == l and o != l for o in by_loc)]:
        if all(x["type"] in ("float_type", "float_parsing") for x in by_loc[loc]):
            del by_loc[loc]
    lines = []
    for loc, errs in by_loc.items():
        path = _path(loc)
        # Prefer a message from our own checks (value errors), then the most specific one.
        errs.sort(key=lambda e: (e["type"] != "value_error", e["type"] == "float_parsing", e["type"] == "model_type"))
        e = errs[0]
        val = _lookup(raw, loc)
        if e["type"] == "missing":
            lines.append(f"{source}: {path}: required key is missing")
            continue
        if loc and loc[-1] == "[key]":  # a table key (an id): the key is the value
            lines.append(f"{source}: {_path(loc[:-1])}: {e['msg'].removeprefix('Value error, ')}")
            continue
        if e["type"] == "extra_forbidden":
            lines.append(f"{source}: {path}: unknown key (check the spelling; see `wargame schema`)")
            continue
        msg = e["msg"].removeprefix("Value error, ")
        types = {x["type"] for x in errs}
        if e["type"] in _BOUNDS and isinstance(e.get("ctx", {}).get(_BOUNDS[e["type"]][1]), (int, float)):
            op, key = _BOUNDS[e["type"]]
            msg = f"must be {op} {e['ctx'][key]:g}"
        if "union_tag_invalid" in types:
            msg = "dist must be one of fixed, uniform, normal, triangular, pert"
        elif e["type"] != "value_error" and len(errs) > 1 and types & {"float_type", "float_parsing"}:
            msg = "expected a number or a distribution table like { dist = \"uniform\", low = 0, high = 1 }"
        echo = "" if val is _MISSING else f" = {shown(val)}"
        if not loc:  # model-level cross-reference errors already carry their own key paths
            lines.extend(f"{source}: {m}" for m in msg.split("\n"))
        else:
            for m in msg.split("\n"):
                lines.append(f"{source}: {path}{echo}: {m}")
    return lines
