"""Plain-loop twins of the vectorised baseline and Nash cores (one scenario, one issue at a time).

Twins: :func:`mean_loop`, :func:`weighted_mean_loop`, :func:`compromise_loop`,
:func:`median_loop`, :func:`weighted_median_loop` and :func:`nash_loop`, one per registered model
(``mean``, ``weighted-mean``, ``compromise``, ``median``, ``weighted-median``, ``nash``).

They follow ``docs/models/baselines.md`` and ``docs/models/nash.md`` literally, in Python loops, for
the property tests and for ``benchmarks/bench_baselines.py``.
"""

from __future__ import annotations

import math

import numpy as np

from minilateral.arrays import ScenarioArrays


def compromise_loop(arrays: ScenarioArrays) -> np.ndarray:
    """Capability × salience weighted mean with the fallback chain of
    ``docs/models/baselines.md#means-and-their-fallbacks``."""
    b_, n, d = arrays.positions.shape
    out = np.full((b_, d), np.nan)
    for b in range(b_):
        for q in range(d):
            cells = [
                (arrays.positions[b, i, q], arrays.capability[b, i, q], arrays.salience[b, i, q])
                for i in range(n)
                if arrays.mask[b, i, q]
            ]
            if not cells:
                continue
            for weight in (lambda c, s: c * s, lambda c, s: s, lambda c, s: 1.0):
                total = sum(weight(c, s) for _, c, s in cells)
                if total > 0:
                    out[b, q] = sum(weight(c, s) * x for x, c, s in cells) / total
                    break
    return out


def weighted_median_loop(arrays: ScenarioArrays) -> np.ndarray:
    """Lower c·s-weighted median (``docs/models/baselines.md#medians``)."""
    b_, n, d = arrays.positions.shape
    out = np.full((b_, d), np.nan)
    for b in range(b_):
        for q in range(d):
            cells = sorted(
                (
                    (
                        arrays.positions[b, i, q],
                        arrays.capability[b, i, q] * arrays.salience[b, i, q],
                    )
                    for i in range(n)
                    if arrays.mask[b, i, q]
                ),
                key=lambda cell: cell[0],
            )
            if not cells:
                continue
            total = sum(w for _, w in cells)
            if total <= 0:
                cells = [(x, 1.0) for x, _ in cells]
                total = float(len(cells))
            cum = 0.0
            for x, w in cells:
                cum += w
                if cum >= total / 2 - 1e-9 * total:
                    out[b, q] = x
                    break
    return out


def nash_loop(arrays: ScenarioArrays) -> np.ndarray:
    """Symmetric quadratic NBS per issue by scalar bisection on N', auto disagreement.

    Formulas: ``docs/models/nash.md#computation``.

    An issue without an active actor (all saliences zero) gets the compromise forecast.
    """
    b_, n, d = arrays.positions.shape
    z = arrays.unit_positions()
    rp = arrays.unit_reference()
    out = compromise_loop(arrays)
    for b in range(b_):
        for q in range(d):
            ideal = [
                z[b, i, q]
                for i in range(n)
                if arrays.mask[b, i, q] and arrays.salience[b, i, q] > 0
            ]
            if not ideal:
                continue  # keeps the compromise forecast
            if math.isnan(rp[q]):
                reach = [max(x, 1 - x) for x in ideal]
            else:
                dq = rp[q]
                if (any(x < dq for x in ideal) and any(x > dq for x in ideal)) or dq in ideal:
                    out[b, q] = arrays.scale[q, 0] + dq * arrays.width[q]
                    continue
                reach = [abs(dq - x) for x in ideal]
            lo = max(0.0, max(x - r for x, r in zip(ideal, reach, strict=True)))
            hi = min(1.0, min(x + r for x, r in zip(ideal, reach, strict=True)))
            for _ in range(80):
                mid = 0.5 * (lo + hi)
                slope = sum(
                    2 * (x - mid) / (r * r - (mid - x) ** 2)
                    for x, r in zip(ideal, reach, strict=True)
                )
                lo, hi = (mid, hi) if slope > 0 else (lo, mid)
            out[b, q] = arrays.scale[q, 0] + 0.5 * (lo + hi) * arrays.width[q]
    return out


def _participants(arrays: ScenarioArrays, b: int, q: int) -> list[int]:
    return [i for i in range(arrays.positions.shape[1]) if arrays.mask[b, i, q]]


def mean_loop(arrays: ScenarioArrays) -> np.ndarray:
    """Unweighted mean of the participants' positions
    (``docs/models/baselines.md#means-and-their-fallbacks``)."""
    b_, _, d = arrays.positions.shape
    out = np.full((b_, d), np.nan)
    for b in range(b_):
        for q in range(d):
            who = _participants(arrays, b, q)
            if who:
                out[b, q] = sum(arrays.positions[b, i, q] for i in who) / len(who)
    return out


def weighted_mean_loop(arrays: ScenarioArrays) -> np.ndarray:
    """Salience-weighted mean; the unweighted mean where the saliences sum to 0
    (``docs/models/baselines.md#means-and-their-fallbacks``)."""
    b_, _, d = arrays.positions.shape
    out = np.full((b_, d), np.nan)
    for b in range(b_):
        for q in range(d):
            who = _participants(arrays, b, q)
            if not who:
                continue
            total = sum(arrays.salience[b, i, q] for i in who)
            if total > 0:
                out[b, q] = (
                    sum(arrays.salience[b, i, q] * arrays.positions[b, i, q] for i in who) / total
                )
            else:
                out[b, q] = sum(arrays.positions[b, i, q] for i in who) / len(who)
    return out


def median_loop(arrays: ScenarioArrays) -> np.ndarray:
    """Ordinary median of the participants: for even n the mean of the middle two
    (``docs/models/baselines.md#medians``)."""
    b_, _, d = arrays.positions.shape
    out = np.full((b_, d), np.nan)
    for b in range(b_):
        for q in range(d):
            x = sorted(arrays.positions[b, i, q] for i in _participants(arrays, b, q))
            if not x:
                continue
            half = len(x) // 2
            out[b, q] = x[half] if len(x) % 2 else (x[half - 1] + x[half]) / 2
    return out
