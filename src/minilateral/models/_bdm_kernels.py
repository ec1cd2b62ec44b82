"""Compiled (numba) kernel of BDM's whole run, bit-identical to the NumPy path of ``bdm.py``.

Optional: :func:`minilateral.models.bdm.bdm_rounds` uses it when ``numba`` is importable
(``pip install minilateral[fast]``) and ``MINILATERAL_KERNEL`` is not ``numpy``; otherwise the
pure-NumPy path runs, which stays the reference. :func:`run` performs every round of every
issue (docs/models/bdm.md#what-the-model-does) in one call, without a Python step per round:

* issues with the same participant count are bargained side by side in blocks of up to
  ``_LANES`` issues ("lanes", the innermost array axis), over their participants only;
* the ordered sums of the vote margins (docs/models/bdm.md#summation-order-and-pow) run over the
  voters, then the pairs, in the NumPy path's order, each issue in its own lane, so the
  compiler vectorises across issues and never reorders one issue's sum;
* every other step (expected utilities, danger levels, risk exponents, the choice of moves, the
  weighted median, the stopping rules) is a scalar loop doing the same IEEE-754 operations in
  the same order as the NumPy expression it replaces (no fast-math: no fused multiply-adds, no
  reassociation);
* ``pow`` (the C library's, as ``numpy.float_power``) is called once per distinct value: a
  base shared by actors on the same position is raised once per exponent, an exponent of 1 and
  a base of 0 need no call (``pow(x, 1) = x`` and ``pow(0, r) = 0`` for ``r > 0`` exactly).

The c·s-weighted mean of every round is left to NumPy (its ``einsum`` fixes the summation
order), over all rounds at once.
"""

from __future__ import annotations

import os

import numpy as np
import numpy.typing as npt

from minilateral.arrays import BoolArray, FloatArray, IntArray

__all__ = ["AVAILABLE", "enabled", "run", "vote_margins"]

try:  # pragma: no cover - depends on the environment
    import numba

    AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the environment
    numba = None
    AVAILABLE = False

_LANES = 64  # issues bargained side by side (the vectorised axis of the vote margins)
_LANE_CELLS = 1 << 16  # at most this many (pair, lane) cells per lane array (512 KiB)


def enabled() -> bool:
    """True when the compiled kernel is to be used (numba importable, not switched off)."""
    return AVAILABLE and os.environ.get("MINILATERAL_KERNEL", "").strip().lower() != "numpy"


def _python_margins(
    t: FloatArray, wt: FloatArray, mask: FloatArray, use_mask: bool, n: int, lanes: int,
    num: FloatArray, total: FloatArray,
) -> None:  # fmt: skip
    r"""Vote margins of docs/models/bdm.md#probabilities, each issue in its own lane.

    ``t[k, a, l]`` voter k's (exponentiated) distance to actor a in lane l, ``wt[k, l]`` the
    voters' weights c·s, ``mask[i, j, l]`` 1.0/0.0 for valid pairs (used when ``use_mask``).
    Terms :math:`v = (t_{kj} - t_{ki}) w_k` (·mask); ``num[i, j, l]`` sums :math:`\max(v, 0)`
    over k in index order and ``total[l]`` sums :math:`|v|` over (k, i, j) in that flattened
    order, both from 0, as NumPy reduces the (k, i, j, l) voter tensor.
    """
    for i in range(n):
        for j in range(n):
            for g in range(lanes):
                num[i, j, g] = 0.0
    for g in range(lanes):
        total[g] = 0.0
    for k in range(n):
        wk = wt[k]
        tk = t[k]
        for i in range(n):
            ti = tk[i]
            for j in range(n):
                tj = tk[j]
                row = num[i, j]
                mij = mask[i, j] if use_mask else mask[0, 0]
                for g in range(lanes):
                    d = tj[g] - ti[g]
                    d *= wk[g]
                    if use_mask:
                        d *= mij[g]
                    total[g] += abs(d)
                    row[g] += 0.0 if d <= 0.0 else d


def _python_median(x: FloatArray, w: FloatArray, n: int, order: IntArray) -> float:
    """Lower c·s-weighted median of ``x[:n]`` (docs/models/baselines.md, as ``bdm._median``).

    Stable sort by position; the first position whose cumulative weight (added in sorted
    order) reaches ``W/2 − 1e-9·W``; every weight 1 when they all vanish.
    """
    if n == 0:
        return np.nan
    positive = False
    for i in range(n):
        if w[i] > 0.0:
            positive = True
    for i in range(n):  # insertion sort: stable, ties keep input order
        order[i] = i
        h = i
        while h > 0 and x[order[h - 1]] > x[i]:
            order[h] = order[h - 1]
            h -= 1
        order[h] = i
    cum = 0.0
    for i in range(n):
        cum += w[order[i]] if positive else 1.0
    total = cum
    limit = total / 2 - 1e-9 * total
    cum = 0.0
    for i in range(n):
        cum += w[order[i]] if positive else 1.0
        if cum >= limit:
            return float(x[order[i]])
    return float(x[order[0]])


def _python_run(
    x: FloatArray,
    s: FloatArray,
    w: FloatArray,
    present: IntArray,
    count: IntArray,
    order: IntArray,
    delta: FloatArray,
    rounds: int,
    converged_rule: bool,
    eps: float,
    big_k: int,
    q: float,
    printed: bool,
    own: bool,
    scholz_selection: bool,
    capitulation: bool,
    positions: FloatArray,
    median: FloatArray,
    risk: FloatArray,
    kinds: npt.NDArray[np.int8],
    opponents: IntArray,
    stop_round: IntArray,
    converged: BoolArray,
    half: float,
) -> None:
    """Every round of every issue; see :func:`run` for the arguments.

    ``half`` is 0.5, passed at run time: with the constant in the code, LLVM rewrites
    ``0.5**r`` as ``exp2(-r)``, which differs from ``pow`` in the last bit.
    """
    g_count, n_max = x.shape
    lanes_max = max(1, min(_LANES, _LANE_CELLS // max(1, n_max * n_max)))
    # per-lane state (lane-innermost where the vote margins read it)
    dist = np.empty((n_max, n_max, lanes_max))
    ldist = np.empty((lanes_max, n_max, n_max))
    tpow = np.empty((n_max, n_max, lanes_max))
    num = np.empty((n_max, n_max, lanes_max))
    total = np.empty(lanes_max)
    wt = np.empty((n_max, lanes_max))
    mask = np.zeros((1, 1, 1))
    lx = np.empty((lanes_max, n_max))
    ls = np.empty((lanes_max, n_max))
    lw = np.empty((lanes_max, n_max))
    lr = np.empty((lanes_max, n_max))
    lid = np.empty(lanes_max, np.int64)
    lcalm = np.empty(lanes_max, np.int64)
    # per-issue scratch
    p1 = np.empty((n_max, n_max))
    ea = np.empty((n_max, n_max))
    eb = np.empty((n_max, n_max))
    us = np.empty((n_max, n_max))
    uf = np.empty((n_max, n_max))
    usq = np.empty(n_max)
    rep = np.empty(n_max, np.int64)
    danger = np.empty(n_max)
    dmu = np.empty(n_max)
    gap_mu = np.empty(n_max)
    new = np.empty(n_max)
    kind = np.empty(n_max, np.int8)
    opp = np.empty(n_max, np.int64)
    sort_buf = np.empty(n_max, np.int64)
    xs = np.empty(n_max)
    ws = np.empty(n_max)

    # round 0 and the issues that never start (no participant, or no spread of positions)
    for g in range(g_count):
        n = count[g]
        for i in range(n):
            xs[i] = x[g, present[g, i]]
            ws[i] = w[g, present[g, i]]
        median[0, g] = _median(xs, ws, n, sort_buf)
        if not delta[g] > 0:
            for t in range(1, rounds + 1):
                median[t, g] = median[0, g]
            stop_round[g] = 0
            converged[g] = True

    start = 0
    while start < g_count:
        n = count[order[start]]
        stop = start
        while stop < g_count and stop - start < lanes_max and count[order[stop]] == n:
            stop += 1
        lanes = 0
        for slot in range(start, stop):
            g = order[slot]
            if not delta[g] > 0:
                continue
            lid[lanes] = g
            lcalm[lanes] = 0
            for i in range(n):
                lx[lanes, i] = x[g, present[g, i]]
                ls[lanes, i] = s[g, present[g, i]]
                lw[lanes, i] = w[g, present[g, i]]
            lanes += 1
        start = stop
        for t in range(1, rounds + 1):
            if lanes == 0:
                break
            # first pass (docs/models/bdm.md#what-the-model-does step 2): all exponents 1
            for g in range(lanes):
                dl = delta[lid[g]]
                for k in range(n):
                    wt[k, g] = lw[g, k]
                    xk = lx[g, k]
                    for a in range(n):
                        d = abs(xk - lx[g, a]) / dl
                        dist[k, a, g] = d
                        ldist[g, k, a] = d  # the same, contiguous per lane
            _margins(dist, wt, mask, False, n, lanes, num, total)
            for g in range(lanes):
                xg = lx[g]
                sg = ls[g]
                dl = delta[lid[g]]
                if q < 1.0:
                    mu = median[t - 1, lid[g]]
                    for i in range(n):
                        gap_mu[i] = abs(xg[i] - mu)
                        dmu[i] = gap_mu[i] / dl
                tot = total[g]
                for i in range(n):
                    for j in range(n):
                        nij = num[i, j, g]
                        if printed:
                            den = nij + num[j, i, g]
                            p = nij / den if den > 0 else 0.5
                            if xg[i] == xg[j]:
                                p = 0.0
                        else:
                            p = nij / tot if tot > 0 else 0.0
                        p1[i, j] = p
                for j in range(n):
                    danger[j] = 0.0
                for i in range(n):
                    for j in range(n):
                        if xg[i] == xg[j]:
                            danger[j] += 0.0
                            continue
                        p = p1[i, j]
                        h = 0.5 * ldist[g, i, j]  # = 0.5·gap/Δ exactly (scaling by 2 is exact)
                        u_s = 2.0 - 4.0 * (0.5 - h)
                        u_f = 2.0 - 4.0 * (0.5 + h)
                        u_sq = 2.0 - 4.0 * 0.5
                        e = sg[j] * (p * u_s + (1.0 - p) * u_f) + (1.0 - sg[j]) * u_s - q * u_sq
                        if q < 1.0:
                            spread = 0.25 * (dmu[i] + ldist[g, i, j])
                            if gap_mu[i] < abs(xg[i] - xg[j]):
                                tail = 2.0 - 4.0 * (0.5 - spread)
                            else:
                                tail = 2.0 - 4.0 * (0.5 + spread)
                            e = e - (1.0 - q) * tail
                        danger[j] += e
                # risk exponents (docs/models/bdm.md#risk-exponents)
                s_max = -np.inf
                s_min = np.inf
                for i in range(n):
                    s_max = max(s_max, danger[i])
                    s_min = min(s_min, danger[i])
                spread_s = s_max - s_min
                flat = spread_s <= 1e-12 * max(1.0, max(abs(s_max), abs(s_min)))
                for i in range(n):
                    if flat:
                        lr[g, i] = 1.0
                    else:
                        big_r = (2.0 * danger[i] - s_max - s_min) / spread_s
                        lr[g, i] = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
            # second pass: t = d^r, once per distinct distance of each voter
            if not printed:
                for g in range(lanes):
                    xg = lx[g]
                    for a in range(n):
                        rep[a] = a
                        for b in range(a):
                            if xg[b] == xg[a]:
                                rep[a] = b
                                break
                    for k in range(n):
                        rk = lr[g, k]
                        for a in range(n):
                            d = ldist[g, k, a]
                            if rep[a] != a:
                                tpow[k, a, g] = tpow[k, rep[a], g]
                            elif rk == 1.0 or (d == 0.0 and rk > 0.0):
                                tpow[k, a, g] = d
                            else:
                                tpow[k, a, g] = d**rk
                _margins(tpow, wt, mask, False, n, lanes, num, total)
            # offers, choices, new positions (docs/models/bdm.md#offers)
            for g in range(lanes):
                gid = lid[g]
                xg = lx[g]
                sg = ls[g]
                dl = delta[gid]
                tot = total[g]
                for a in range(n):
                    rep[a] = a
                    for b in range(a):
                        if xg[b] == xg[a]:
                            rep[a] = b
                            break
                if q < 1.0:
                    mu = median[t - 1, gid]
                    for i in range(n):
                        gap_mu[i] = abs(xg[i] - mu)
                        dmu[i] = gap_mu[i] / dl
                for i in range(n):  # probabilities of the valid pairs
                    for j in range(n):
                        if xg[i] == xg[j]:
                            continue
                        if printed:  # num still holds the first pass's margins
                            den = num[i, j, g] + num[j, i, g]
                            p1[i, j] = num[i, j, g] / den if den > 0 else 0.5
                        else:
                            p1[i, j] = num[i, j, g] / tot if tot > 0 else 0.0
                for i in range(n):
                    ri = lr[g, i]
                    usq[i] = 2.0 - 4.0 * (0.5 if ri == 1.0 else half**ri)
                    for j in range(n):
                        if xg[i] == xg[j]:
                            continue
                        if rep[j] != j:
                            us[i, j] = us[i, rep[j]]
                            uf[i, j] = uf[i, rep[j]]
                            continue
                        h = 0.5 * ldist[g, i, j]  # = 0.5·gap/Δ exactly (scaling by 2 is exact)
                        if ri == 1.0:
                            us[i, j] = 2.0 - 4.0 * (0.5 - h)
                            uf[i, j] = 2.0 - 4.0 * (0.5 + h)
                        else:
                            us[i, j] = 2.0 - 4.0 * (0.5 - h) ** ri
                            uf[i, j] = 2.0 - 4.0 * (0.5 + h) ** ri
                for i in range(n):
                    ri = lr[g, i]
                    for j in range(n):
                        if xg[i] == xg[j]:
                            continue
                        p = p1[i, j]
                        u_s = us[i, j]
                        u_f = uf[i, j]
                        e = sg[j] * (p * u_s + (1.0 - p) * u_f) + (1.0 - sg[j]) * u_s - q * usq[i]
                        if q < 1.0:
                            spread = 0.25 * (dmu[i] + ldist[g, i, j])
                            helps = gap_mu[i] < abs(xg[i] - xg[j])
                            base = 0.5 - spread if helps else 0.5 + spread
                            e = e - (1.0 - q) * (2.0 - 4.0 * base**ri)
                        ea[i, j] = e
                for i in range(n):
                    ri = lr[g, i]
                    for j in range(n):
                        if xg[i] == xg[j]:
                            continue
                        if own:
                            eb[i, j] = ea[j, i]
                            continue
                        p = p1[j, i]
                        u_s = us[i, j]
                        u_f = uf[i, j]
                        e = sg[i] * (p * u_s + (1.0 - p) * u_f) + (1.0 - sg[i]) * u_s - q * usq[i]
                        if q < 1.0:
                            spread = 0.25 * (dmu[j] + ldist[g, i, j])
                            helps = gap_mu[j] < abs(xg[j] - xg[i])
                            base = 0.5 - spread if helps else 0.5 + spread
                            e = e - (1.0 - q) * (2.0 - 4.0 * base**ri)
                        eb[i, j] = e
                # each actor's move
                moved = False
                for i in range(n):
                    xi = xg[i]
                    best_c = np.inf
                    pick_c = -1
                    best_k = np.inf
                    pick_k = -1
                    nan_k = False
                    best_p = np.inf
                    pick_p = -1
                    for j in range(n):
                        xj = xg[j]
                        if xj == xi:
                            continue
                        a_ij = ea[i, j]
                        b_ij = eb[i, j]
                        step = abs(xj - xi)
                        if b_ij > a_ij and a_ij > 0.0:
                            if pick_c < 0 or step < best_c:
                                best_c = step
                                pick_c = j
                        elif a_ij < 0.0 and b_ij > 0.0:
                            abs_a = abs(a_ij)
                            if b_ij > abs_a:
                                if scholz_selection:
                                    abs_b = abs(b_ij)
                                    key = (abs_a * xi + abs_b * xj) / (abs_a + abs_b)
                                else:
                                    key = step * abs(a_ij / b_ij)
                                if np.isnan(key):  # argmin's rule: the first NaN wins
                                    if not nan_k:
                                        nan_k = True
                                        pick_k = j
                                elif not nan_k and (pick_k < 0 or key < best_k):
                                    best_k = key
                                    pick_k = j
                            elif capitulation and (pick_p < 0 or step < best_p):
                                best_p = step
                                pick_p = j
                    if pick_c >= 0:
                        new[i] = xg[pick_c]
                        kind[i] = 1
                        opp[i] = pick_c
                    elif pick_k >= 0:
                        a_c = ea[i, pick_k]
                        b_c = eb[i, pick_k]
                        new[i] = xi + (xg[pick_k] - xi) * abs(a_c / b_c)
                        kind[i] = 2
                        opp[i] = pick_k
                    elif pick_p >= 0:
                        new[i] = xg[pick_p]
                        kind[i] = 3
                        opp[i] = pick_p
                    else:
                        new[i] = xi
                        kind[i] = 0
                        opp[i] = -1
                    if new[i] != xi:
                        moved = True
                for i in range(n):
                    col = present[gid, i]
                    positions[t, gid, col] = new[i]
                    risk[t - 1, gid, col] = lr[g, i]
                    kinds[t - 1, gid, col] = kind[i]
                    opponents[t - 1, gid, col] = -1 if opp[i] < 0 else present[gid, opp[i]]
                    xg[i] = new[i]
                med = _median(xg, lw[g], n, sort_buf)
                median[t, gid] = med
                if abs(med - median[t - 1, gid]) < eps * delta[gid]:
                    lcalm[g] += 1
                else:
                    lcalm[g] = 0
                finished = (not moved) or (converged_rule and lcalm[g] >= big_k)
                stop_round[gid] = t
                converged[gid] = finished
                if finished:
                    for later in range(t + 1, rounds + 1):
                        median[later, gid] = med
                        for i in range(n):
                            positions[later, gid, present[gid, i]] = xg[i]
            # drop the finished lanes (the rest keep their order)
            kept = 0
            for g in range(lanes):
                if converged[lid[g]]:
                    continue
                if kept != g:
                    lid[kept] = lid[g]
                    lcalm[kept] = lcalm[g]
                    for i in range(n):
                        lx[kept, i] = lx[g, i]
                        ls[kept, i] = ls[g, i]
                        lw[kept, i] = lw[g, i]
                kept += 1
            lanes = kept
        # rounds left for the issues that reached the cap are already written


if AVAILABLE:  # pragma: no cover - depends on the environment
    _jit = numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
    _margins = _jit(_python_margins)
    _median = _jit(_python_median)
    _run = _jit(_python_run)
else:
    _margins = _python_margins
    _median = _python_median
    _run = _python_run


def vote_margins(
    tt: FloatArray, wt: FloatArray, mask: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    """Vote margins ``num[i, j, g]`` and ``total[g]`` of G issues laid out (k, a, g).

    See :func:`_python_margins`; ``mask`` None means every pair counts.
    """
    n, _, g = tt.shape
    c = np.ascontiguousarray
    num = np.empty((n, n, g))
    total = np.empty(g)
    m = np.zeros((1, 1, 1)) if mask is None else c(mask, dtype=np.float64)
    _margins(
        c(tt, dtype=np.float64), c(wt, dtype=np.float64), m, mask is not None, n, g, num, total
    )
    return num, total


def run(
    x: FloatArray,
    s: FloatArray,
    w: FloatArray,
    m: BoolArray,
    delta: FloatArray,
    *,
    rounds: int,
    converged_rule: bool,
    eps: float,
    K: int,  # noqa: N803 - the model's name
    Q: float,  # noqa: N803 - the model's name
    printed: bool,
    own: bool,
    scholz_selection: bool,
    capitulation: bool,
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.int8], IntArray, IntArray, BoolArray]:
    """Every round of G issues: positions, median, risk, kinds, opponents, rounds, converged.

    ``x, s, w, m`` (G, N) as prepared by :func:`minilateral.models.bdm.bdm_rounds` (absent
    actors at the anchor with zero salience and weight), ``delta`` (G,) the spread of the
    initial positions. The arrays returned are those of :class:`~minilateral.models.bdm.BDMRun`
    except the mean (computed by NumPy from the positions).
    """
    g_count, n = x.shape
    count = m.sum(axis=1).astype(np.int64)
    present = np.ascontiguousarray(np.argsort(~m, axis=1, kind="stable"), dtype=np.int64)
    order = np.ascontiguousarray(np.argsort(count, kind="stable"), dtype=np.int64)
    positions = np.empty((rounds + 1, g_count, n))
    positions[:] = x
    median = np.empty((rounds + 1, g_count))
    risk = np.full((rounds, g_count, n), np.nan)
    kinds = np.zeros((rounds, g_count, n), dtype=np.int8)
    opponents = np.full((rounds, g_count, n), -1, dtype=np.int64)
    stop_round = np.zeros(g_count, dtype=np.int64)
    converged = np.zeros(g_count, dtype=np.bool_)
    c = np.ascontiguousarray
    _run(
        c(x, dtype=np.float64), c(s, dtype=np.float64), c(w, dtype=np.float64), present,
        count, order, c(delta, dtype=np.float64), int(rounds), bool(converged_rule),
        float(eps), int(K), float(Q), bool(printed), bool(own), bool(scholz_selection),
        bool(capitulation), positions, median, risk, kinds, opponents, stop_round, converged, 0.5,
    )  # fmt: skip
    return positions, median, risk, kinds, opponents, stop_round, converged
