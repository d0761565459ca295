"""wargame: a discrete-event wargame engine for international-security scenarios.

The public API (docs/api.md)::

    import wargame
    res = wargame.run("taiwan_strait", runs=1000)     # a shipped scenario by name, or a TOML path
    ds = res.dataset()                                # xarray: replication, state, domain, front, day
    print(wargame.summarise(res))

Names are imported on first use, so ``import wargame.kernels`` in a worker process
does not pay for xarray and pandas.
"""

__all__ = [
    "Game",
    "Results",
    "WargameError",
    "load",
    "open_results",
    "run",
    "scenarios",
    "summarise",
    "sweep",
]

_WHERE = {"Game": "wargame.play.game", "WargameError": "wargame.errors"}


def __getattr__(name: str):
    if name in __all__:
        import importlib

        value = getattr(importlib.import_module(_WHERE.get(name, "wargame.api")), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'wargame' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
