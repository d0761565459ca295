"""Break-off: a side pulls its aircraft or ships back from a front after heavy losses, and may return.

Concept owned: who takes part in the day's air battle and naval exchange on each front.
Without it a battle ran until the weaker side's committed force was gone, so losses were
commitment share x inventory whatever the war's length (issue 16). The rule
(docs/model.md §3.2), per (replication, front, side, domain in {air, naval}):

    peak    = the most force the side has had there since it last (re)entered the fight
    it pulls back at the end of a day when force < (1 - loss_threshold) peak
    it returns ``return_days`` later (a fleet: once its side has at least
    ``naval_return_ratio`` x the other side's ships there); peak restarts from what it then has

A side that has pulled back keeps its platforms (they are not lost) but neither fires
nor is fired on, and counts as absent for air or sea control, so the other side holds
the domain. Missile strikes on ships at sea (crisis/strikes.py) reach only
``withdrawn_exposure`` of a fleet that has pulled back (``exposed``): it has left the
waters where it fought. Deterministic: no random numbers are drawn.
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
    if i == NAVAL_I:  # a fleet returns only to a balance it accepts (naval_return_ratio; 0: any)
        k = w.breakoff["naval_return_ratio"][rows][:, None]
        back &= np.stack([(k <= 0) | (x0 >= k * y0), (k <= 0) | (y0 >= k * x0)], axis=-1)
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


def exposed(w, rows: np.ndarray, s: int) -> np.ndarray:
    """(n, F): the share of state s's ships on each front that strikes at sea can reach.

    1 where its side is fighting at sea there (or s is on no side); ``breakoff.withdrawn_exposure``
    where its side has pulled its fleet back (docs/model.md §3.2.1, §5.2).
    """
    side = w.side[rows, s]
    j = np.where(side == -1, 1, 0)  # the break-off arrays' side index: 0 attacker side, 1 defender side
    out = w.out_since[rows, :, :, NAVAL_I][np.arange(rows.size), :, j]  # (n, F)
    gone = np.isfinite(out) & (side != 0)[:, None]
    return np.where(gone, w.breakoff["withdrawn_exposure"][rows][:, None], 1.0)
