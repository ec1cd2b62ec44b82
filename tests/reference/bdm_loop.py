"""Plain-loop reference of the BDM model (``specs/bargaining.md`` §4), one issue at a time.

Written for clarity, not speed: every sum is an explicit Python loop in input order, the
probability normaliser D is the literal triple sum of §4.5 (computed once per pass), and every
ordered pair of actors is visited one by one. ``tests/models/test_bdm.py`` compares the
vectorised core against it and ``benchmarks/bench_bdm.py`` times the two.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ReferenceRun:
    """Positions (rounds 0…T), medians, means, risk exponents (rounds 1…T) of one issue."""

    positions: list[list[float]]
    median: list[float]
    mean: list[float]
    risk: list[list[float]]
    rounds: int
    converged: bool


def lower_weighted_median(x: list[float], w: list[float]) -> float:
    """First position (ascending) whose cumulative weight reaches half the total (§2.3)."""
    total = sum(w)
    if total <= 0:
        w = [1.0] * len(x)
        total = float(len(x))
    cum = 0.0
    for xi, wi in sorted(zip(x, w, strict=True), key=lambda p: p[0]):
        cum += wi
        if cum >= total / 2 - 1e-9 * total:
            return xi
    return max(x)


def weighted_mean(x: list[float], w: list[float]) -> float:
    """Σ w x / Σ w, or the plain mean when the weights vanish."""
    total = sum(w)
    if total <= 0:
        return sum(x) / len(x)
    return sum(wi * xi for wi, xi in zip(w, x, strict=True)) / total


def _probability(
    x: list[float], w: list[float], r: list[float], delta: float, i: int, j: int, printed: bool
) -> float:
    if x[i] == x[j]:
        return 0.0
    n = len(x)
    if printed:
        num = den = 0.0
        for k in range(n):
            v = w[k] * (abs(x[k] - x[j]) - abs(x[k] - x[i]))
            num += max(0.0, v)
            den += abs(v)
        return num / den if den > 0 else 0.5
    num = 0.0
    for k in range(n):
        num += max(
            0.0, w[k] * ((abs(x[k] - x[j]) / delta) ** r[k] - (abs(x[k] - x[i]) / delta) ** r[k])
        )
    return num


def _normaliser(x: list[float], w: list[float], r: list[float], delta: float) -> float:
    n = len(x)
    total = 0.0
    for k in range(n):
        for a in range(n):
            for b in range(n):
                total += abs(
                    w[k] * ((abs(x[k] - x[b]) / delta) ** r[k] - (abs(x[k] - x[a]) / delta) ** r[k])
                )
    return total


def _eu(
    x: list[float],
    s: list[float],
    p: list[list[float]],
    delta: float,
    c: int,
    t: int,
    rho: float,
    q: float,
    mu: float,
) -> float:
    """E_rho(c → t), §4.6."""
    half = 0.5 * abs(x[c] - x[t]) / delta
    u_s = 2 - 4 * (0.5 - half) ** rho
    u_f = 2 - 4 * (0.5 + half) ** rho
    u_sq = 2 - 4 * 0.5**rho
    e = s[t] * (p[c][t] * u_s + (1 - p[c][t]) * u_f) + (1 - s[t]) * u_s - q * u_sq
    if q < 1.0:
        spread = 0.25 * (abs(x[c] - mu) / delta + abs(x[c] - x[t]) / delta)
        if abs(x[c] - mu) < abs(x[c] - x[t]):
            e -= (1 - q) * (2 - 4 * (0.5 - spread) ** rho)
        else:
            e -= (1 - q) * (2 - 4 * (0.5 + spread) ** rho)
    return e


def _pmatrix(
    x: list[float], w: list[float], r: list[float], delta: float, printed: bool
) -> list[list[float]]:
    n = len(x)
    p = [[_probability(x, w, r, delta, i, j, printed) for j in range(n)] for i in range(n)]
    if not printed:
        d = _normaliser(x, w, r, delta)
        p = [[v / d if d > 0 else 0.0 for v in row] for row in p]
    return p


def run_reference(
    x: list[float],
    s: list[float],
    c: list[float],
    *,
    rounds: int = 10,
    stopping: str = "fixed",
    eps: float = 0.005,
    K: int = 2,
    Q: float = 1.0,
    probability: str = "scholz_code",
    perspective: str = "receiver",
    selection: str = "scholz_code",
    capitulation: bool = False,
) -> ReferenceRun:
    """Run the model on one issue with the actors' positions, saliences and capabilities."""
    n = len(x)
    x = list(x)
    w = [c[i] * s[i] for i in range(n)]
    delta = max(x) - min(x)
    out = ReferenceRun([list(x)], [lower_weighted_median(x, w)], [weighted_mean(x, w)], [], 0, True)
    if delta == 0:
        return out
    printed = probability == "printed"
    calm = 0
    for t in range(1, rounds + 1):
        mu = lower_weighted_median(x, w)
        ones = [1.0] * n
        p1 = _pmatrix(x, w, ones, delta, printed)
        danger = []
        for i in range(n):
            total = 0.0
            for j in range(n):
                if j != i and x[j] != x[i]:
                    total += _eu(x, s, p1, delta, j, i, 1.0, Q, mu)
            danger.append(total)
        s_max, s_min = max(danger), min(danger)
        if s_max - s_min <= 1e-12 * max(1.0, abs(s_max), abs(s_min)):
            r = [1.0] * n
        else:
            big = [(2 * d - s_max - s_min) / (s_max - s_min) for d in danger]
            r = [(1 - v / 3) / (1 + v / 3) for v in big]
        p2 = p1 if printed else _pmatrix(x, w, r, delta, printed)
        new = list(x)
        for i in range(n):
            offers: dict[str, list[tuple[float, float]]] = {
                "conflict": [],
                "compromise": [],
                "capitulation": [],
            }
            for j in range(n):
                if x[j] == x[i]:
                    continue
                a = _eu(x, s, p2, delta, i, j, r[i], Q, mu)
                rho_b = r[i] if perspective == "receiver" else r[j]
                b = _eu(x, s, p2, delta, j, i, rho_b, Q, mu)
                if b > a > 0:
                    offers["conflict"].append((abs(x[j] - x[i]), x[j]))
                elif a < 0 < b and b > abs(a):
                    pos = x[i] + (x[j] - x[i]) * abs(a / b)
                    if selection == "scholz_code":
                        key = (abs(a) * x[i] + abs(b) * x[j]) / (abs(a) + abs(b))
                    else:
                        key = abs(pos - x[i])
                    offers["compromise"].append((key, pos))
                elif capitulation and a < 0 < b:
                    offers["capitulation"].append((abs(x[j] - x[i]), x[j]))
            for kind in ("conflict", "compromise", "capitulation"):
                if offers[kind]:
                    best = offers[kind][0]
                    for offer in offers[kind][1:]:
                        if offer[0] < best[0]:
                            best = offer
                    new[i] = best[1]
                    break
        moved = new != x
        x = new
        out.positions.append(list(x))
        out.median.append(lower_weighted_median(x, w))
        out.mean.append(weighted_mean(x, w))
        out.risk.append(r)
        out.rounds = t
        calm = calm + 1 if abs(out.median[-1] - out.median[-2]) < eps * delta else 0
        if not moved or (stopping == "converged" and calm >= K):
            out.converged = True
            return out
    out.converged = False
    return out
