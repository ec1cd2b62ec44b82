"""Plain-loop reference implementations of the vectorised measures (for property tests)."""

from __future__ import annotations

import math


def dyad_loop(va, vb, w):
    """Agreement, S, κ and π for one dyad by explicit loops over roll calls and categories.

    Formulas: ``docs/alignment.md#agreement`` to ``docs/alignment.md#kappa-and-pi``.
    """
    joint = [(a, b, wk) for a, b, wk in zip(va, vb, w, strict=True) if a > 0 and b > 0]
    n = len(joint)
    out = {"n": n}
    if n == 0:
        return out
    out["agree_half"] = sum(1 - abs(a - b) / 2 for a, b, _ in joint) / n
    out["agree_exact"] = sum(a == b for a, b, _ in joint) / n
    out["S_abs"] = 1 - 2 / n * sum(abs(a - b) / 2 for a, b, _ in joint)
    out["S_sq"] = 1 - 2 / n * sum(((a - b) / 2) ** 2 for a, b, _ in joint)
    sw = sum(wk for _, _, wk in joint)
    out["S_varw"] = 1 - 2 * sum(wk * abs(a - b) / 2 for a, b, wk in joint) / sw if sw else math.nan
    pa = {c: sum(a == c for a, _, _ in joint) / n for c in (1, 2, 3)}
    pb = {c: sum(b == c for _, b, _ in joint) / n for c in (1, 2, 3)}
    for p, name in ((2, "sq"), (1, "abs"), (0, "nominal")):

        def delta(x, y, p=p):
            return float(x != y) if p == 0 else (abs(x - y) / 2) ** p

        do = sum(delta(a, b) for a, b, _ in joint) / n
        dk = sum(pa[x] * pb[y] * delta(x, y) for x in (1, 2, 3) for y in (1, 2, 3))
        out[f"kappa_{name}"] = 1 - do / dk if dk > 0 else math.nan
        if p:
            pbar = {c: (pa[c] + pb[c]) / 2 for c in (1, 2, 3)}
            dp = sum(pbar[x] * pbar[y] * delta(x, y) for x in (1, 2, 3) for y in (1, 2, 3))
            out[f"pi_{name}"] = 1 - do / dp if dp > 0 else math.nan
    return out
