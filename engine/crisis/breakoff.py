"""Break-off: a side pulls its aircraft or ships back from a front after heavy losses, and may return.

Concept owned: who takes part in the day's air battle and naval exchange on each front.
Without it a battle ran until the weaker side's committed force was gone, so losses were
commitment share x inventory whatever the war's length (issue 16). The rule
(docs/model.md §3.2), per (replication, front, side, domain in {air, naval}):

    peak    = the most force the side has had there since it last (re)entered the fight
    it pulls back at the end of a day when force < (1 - loss_threshold) peak
    it returns ``return_days`` later; peak restarts from what it then has

A side that has pulled back keeps its platforms (they are not lost) but neither fires
nor is fired on, and counts as absent for air or sea control, so the other side holds
the domain. Deterministic: no random numbers are drawn.
"""

from __future__ import annotations

import numpy as np

AIR_I, NAVAL_I = 0, 1  # the domain index in the break-off arrays (air, naval)


def idle(w, cp: np.ndarray, rows: np.ndarray, i: int, d: int) -> bool:
    """Whether domain i (combat-power domain d) has nothing to settle on any front of ``rows``:
    no side has force there (``cp``: the rows' (n, F, S, 3) front cp) and none is out.

    Then ``fighting`` returns zeros, the exchange of 0 against 0 loses nothing, and ``settle``
    only takes max(peak, 0) = peak (peaks are >= 0): the day's battle in that domain can be
    skipped with the same bits.
    """
    return not cp[:, :, :, d].any() and bool(np.isinf(w.out_since[rows, :, :, i]).all())


def fighting(w, rows: np.ndarray, i: int, t: float, x0: np.ndarray, y0: np.ndarray):
    """(x, y) per (row, front): each side's force in domain i that fights in the day ending at t.

    Sides whose time out is over return first (their peak restarts from what they have).
    """
    dt = w.dt
    out = w.out_since[rows, :, :, i]  # (n, F, 2)
    back = np.isfinite(out) & (t - dt >= out + w.breakoff["return_days"][rows][:, None, None] - 1e-9)
    if back.any():
        out = np.where(back, np.inf, out)
        w.out_since[rows, :, :, i] = out
        pk = w.peak[rows, :, :, i]
        w.peak[rows, :, :, i] = np.where(back, np.stack([x0, y0], axis=-1), pk)
    active = np.isinf(out)
    return np.where(active[:, :, 0], x0, 0.0), np.where(active[:, :, 1], y0, 0.0)


def settle(w, rows: np.ndarray, i: int, t: float, xf: np.ndarray, yf: np.ndarray,
           x1f: np.ndarray, y1f: np.ndarray, key: str):
    """Book the day's fighting forces (before xf, yf; after x1f, y1f) and pull back broken sides.

    Returns nothing; updates peak, out_since and breakoffs for ``rows``.
    """
    out = w.out_since[rows, :, :, i]
    active = np.isinf(out)
    before = np.stack([xf, yf], axis=-1)
    after = np.stack([x1f, y1f], axis=-1)
    pk = np.where(active, np.maximum(w.peak[rows, :, :, i], before), w.peak[rows, :, :, i])
    thr = w.breakoff[key][rows][:, None, None]
    # Pull back only when it had something there to lose and lost past the threshold.
    broke = active & (pk > 0) & (after < (1.0 - thr) * pk - 1e-12) & (thr < 1.0)
    w.peak[rows, :, :, i] = pk
    w.out_since[rows, :, :, i] = np.where(broke, t, out)
    if broke.any():
        cnt = w.breakoffs[rows]
        cnt[:, :, i] += broke.sum(axis=1).astype(np.int32)
        w.breakoffs[rows] = cnt
