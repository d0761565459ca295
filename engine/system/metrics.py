"""Sweep metrics of the system kind: per-replication columns for ``wargame sweep``."""

from __future__ import annotations

import numpy as np

CATALOGUE = {
    "all_survived": "every state of the system is still alive at the end (bool)",
    "survivors": "number of states alive at the end",
    "survival_share": "share of the initial states alive at the end",
    "endurance_years": "years until one state held the dominance share (the horizon if never)",
    "dominated": "one state came to hold the dominance share before the horizon (bool)",
    "wars": "number of wars started (contests for the central authority included)",
    "mean_war_size": "mean number of states per war (0 when there was no war)",
    "max_war_size": "largest number of states in one war",
    "conquests": "states absorbed by a conqueror",
    "power_destroyed": "power destroyed in wars and by absorption losses",
}


def catalogue(loaded) -> dict[str, str]:
    """CATALOGUE plus ``survived.<STATE>`` (bool) for each state of the scenario."""
    return {**CATALOGUE, **{f"survived.{sid}": f"{sid} is alive at the end (bool)" for sid in loaded.scenario.states}}


def metrics(columns: dict, layout: dict, loaded=None) -> dict[str, np.ndarray]:
    """Per-replication metrics of ``catalogue`` from the results' columns."""
    rp, st = columns["replications"], columns["states"]
    S = st["survived"].shape[1]
    m = {
        "all_survived": st["survived"].all(axis=1),
        "survivors": rp["survivors"].astype(float),
        "survival_share": rp["survivors"] / S,
        "endurance_years": rp["endurance_years"].astype(float),
        "dominated": rp["dominated"].astype(bool),
        "wars": rp["wars"].astype(float),
        "mean_war_size": np.nan_to_num(rp["mean_war_size"].astype(float)),
        "max_war_size": rp["max_war_size"].astype(float),
        "conquests": rp["conquests"].astype(float),
        "power_destroyed": rp["power_destroyed"].astype(float),
    }
    for s, sid in enumerate(layout["states"]):
        m[f"survived.{sid}"] = st["survived"][:, s].astype(bool)
    return m
