"""Loading a scenario: TOML text, ``--set`` overrides, validation by the file's kind.

A scenario file is parsed once into frozen pydantic models; nothing downstream
sees a raw dict. Every validation problem becomes one line of the form::

    configs/baltic.toml: states.RUS.casualty_tolerance = 1.5: must be <= 1

and ``load`` raises ``ScenarioError`` carrying all of them. The crisis kind's schema
is ``wargame.model.crisis``, the system kind's ``wargame.model.system``.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from wargame.model import shipped
from wargame.model.crisis import CASE_METRICS, DOCTRINES, DOMAINS, Scenario  # noqa: F401  (re-exported)
from wargame.model.errors import ScenarioError, format_errors  # noqa: F401  (re-exported)
from wargame.model.params import shown


def parse_value(text: str):
    """Parse an override value as TOML (numbers, booleans, arrays, inline tables), else a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_override(raw: dict, key: str, value, source: str = "--set") -> None:
    """Set one key path; an entry of an array of tables is named as its key paths name it, e.g. aid[2].given."""
    parts = key.split(".")
    cur = raw
    for i, p in enumerate(parts[:-1]):
        name, _, idx = p.partition("[")
        if i == 0 and (name in Scenario.model_fields or name == "system") and name not in cur and not idx:
            cur[name] = {}  # an optional section the file leaves at its defaults
        where = ".".join(parts[: i + 1])
        if not isinstance(cur, dict) or name not in cur:
            raise ScenarioError([f"{source} {shown(key)}: {shown(where)} does not exist in the scenario"])
        cur = cur[name]
        if idx:  # aid[2]: the third [[aid]] entry
            k = idx.rstrip("]")
            if not (idx.endswith("]") and k.isdigit() and isinstance(cur, list) and int(k) < len(cur)):
                raise ScenarioError([f"{source} {shown(key)}: {shown(where)} does not exist in the scenario"])
            cur = cur[int(k)]
    if not isinstance(cur, dict):
        raise ScenarioError([f"{source} {shown(key)}: {shown('.'.join(parts[:-1]))} is not a table"])
    cur[parts[-1]] = value


class Loaded(BaseModel):
    """A validated scenario together with the exact text it came from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    path: str
    text: str
    overrides: tuple[tuple[str, str], ...]
    scenario: BaseModel  # a Scenario, or a wargame.model.system.SystemScenario for kind = "system"
    kind: str = "crisis"  # the scenario kind (wargame.kinds): "crisis" or "system"

    @property
    def sha256(self) -> str:
        h = hashlib.sha256(self.text.encode())
        for k, v in self.overrides:
            h.update(f"\n{k}={v}".encode())
        return h.hexdigest()


def load(path: str | Path, overrides: list[tuple[str, str]] | None = None) -> Loaded:
    """Read, override and validate one scenario file; raise ScenarioError with one line per problem."""
    path = shipped.resolve(path)  # a bare name is a shipped scenario (wargame scenarios lists them)
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([f"{source}: no such file, and no shipped scenario of that name "
                             f"({', '.join(shipped.names())}; `wargame scenarios` lists them)"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError([f"{source}: cannot read ({e.__class__.__name__}: {e})"]) from None
    return loads(text, source, overrides)


# No scenario nests deeper than 6 tables and lists; far deeper input (a key nested 1,000 lists
# deep) would exhaust the recursion of the TOML parser or pydantic.
MAX_DEPTH = 32


def _too_deep(raw) -> str | None:
    """The key path of the first value nested more than MAX_DEPTH deep, else None (no recursion)."""
    todo = [(raw, "", 0)]
    while todo:
        v, path, depth = todo.pop()
        if depth > MAX_DEPTH:
            return path or "(top level)"
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        for k, x in items:
            todo.append((x, f"{path}[{k}]" if isinstance(k, int) else f"{path}.{k}" if path else str(k), depth + 1))
    return None


def _toml(text: str, what: str) -> dict:
    """tomllib.loads, with nesting too deep for its recursion turned into one line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError([f"{what}: TOML syntax error: {e}"]) from None
    except RecursionError:
        raise ScenarioError([f"{what}: nested too deep (at most {MAX_DEPTH} levels of tables and lists)"]) from None


def loads(text: str, source: str = "<string>", overrides: list[tuple[str, str]] | None = None) -> Loaded:
    """Validate scenario text (as read from ``source``) with overrides applied."""
    raw = _toml(text, source)
    overrides = [tuple(o) for o in overrides or []]
    for key, value in overrides:
        try:
            parsed = parse_value(value)
        except RecursionError:
            raise ScenarioError([f"{source}: override {shown(key)}: nested too deep (at most {MAX_DEPTH} levels)"]) from None
        apply_override(raw, key, parsed, source=f"{source}: override")
    deep = _too_deep(raw)
    if deep:
        raise ScenarioError([f"{source}: {shown(deep)}: nested more than {MAX_DEPTH} levels of tables and lists deep"])
    kind = raw.get("kind", "crisis")
    if kind == "system":  # many states over decades: wargame.system
        from wargame.model.system import validate

        return Loaded(path=source, text=text, overrides=tuple(overrides), scenario=validate(raw, source), kind="system")
    if kind != "crisis":
        raise ScenarioError([f"{source}: kind = {shown(kind)}: expected \"crisis\" (the default) or \"system\""])
    raw.pop("kind", None)
    try:
        sc = Scenario.model_validate(raw)
    except ValidationError as e:
        raise ScenarioError(format_errors(source, raw, e)) from None
    return Loaded(path=source, text=text, overrides=tuple(overrides), scenario=sc)


_TASK_SCENARIOS: dict = {}  # per process (a worker's): validated scenarios by (text, overrides)


def of_task(task: dict):
    """A batch task's validated scenario (``text``, ``path``, ``overrides``), validated once per
    process: a worker runs many batches of one scenario, and validation costs milliseconds."""
    key = (task["text"], tuple(map(tuple, task["overrides"])))
    if key not in _TASK_SCENARIOS:
        _TASK_SCENARIOS[key] = loads(task["text"], task["path"], task["overrides"]).scenario
    return _TASK_SCENARIOS[key]


def json_schema() -> dict:
    schema = Scenario.model_json_schema()
    schema["title"] = "wargame scenario"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
