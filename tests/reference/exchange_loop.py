"""Plain-loop twin of the vectorised exchange model (one scenario, one candidate at a time).

It follows ``docs/models/exchange.md#what-the-model-does`` and the design choices of
``docs/models/exchange.md`` literally, in Python loops over rounds, candidates and actors, so that
``test_exchange.py`` can compare whole runs (outcomes per round, preferred positions, every realised
exchange) with :func:`minilateral.models.exchange.exchange_rounds`. It shares no code with the
model: the equal-gain size is written here as the four bounds of
``docs/models/exchange.md#size-of-an-equal-gain-exchange`` one after another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TINY = 1e-10  # docs/models/exchange.md#validity
TIES = 1e-12  # docs/models/exchange.md#4-ties
FULL = 1e-12  # a move within this (relative) of the partner lands on it


@dataclass
class Candidate:
    """Actor u supplies on issue p (moves toward v there); v supplies on q."""

    u: int
    v: int
    p: int
    q: int


@dataclass
class LoopRun:
    """One scenario's run: per round the outcomes and preferred positions, and the exchanges."""

    outcomes: list[list[float]] = field(default_factory=list)
    positions: list[np.ndarray] = field(default_factory=list)
    exchanges: list[tuple[float, ...]] = field(default_factory=list)
    rounds: int = 0
    converged: bool = False


def outcome(y, s, c, mask, fallback, q: int) -> float:
    """c·s-weighted mean of the voting positions on issue ``q``."""
    num = den = 0.0
    for k in range(len(y)):
        if mask[k][q]:
            num += c[k][q] * s[k][q] * y[k][q]
            den += c[k][q] * s[k][q]
    return num / den if den > 0 else float(fallback[q])


def weight(s, c, mask, q: int) -> float:
    """W_q = Σ c·s over the actors on issue ``q``."""
    return sum(c[k][q] * s[k][q] for k in range(len(s)) if mask[k][q])


def sign(value: float) -> int:
    """-1, 0 or 1."""
    return int(value > 0) - int(value < 0)


def evaluate(cand: Candidate, x, y, out, s, c, mask, *, target: str, direction_check: bool):
    """Gain and new votes of a candidate now, or None when it is not valid."""
    u, v, p, q = cand.u, cand.v, cand.p, cand.q
    partner = x if target == "round_start" else y
    aim_p, aim_q = partner[v][p], partner[u][q]  # where u moves on p, v moves on q
    w_p, w_q = weight(s, c, mask, p), weight(s, c, mask, q)
    cs_up, cs_vq = c[u][p] * s[u][p], c[v][q] * s[v][q]
    if cs_up <= 0 or cs_vq <= 0:
        return None
    sum_q = s[u][q] + s[v][q]  # δ_p = λ·sum_q
    sum_p = s[u][p] + s[v][p]  # δ_q = λ·sum_p
    if sum_q <= 0 or sum_p <= 0:
        return None
    lam = cs_up * abs(aim_p - y[u][p]) / w_p / sum_q  # u moves all the way to v
    lam = min(lam, cs_vq * abs(aim_q - y[v][q]) / w_q / sum_p)  # v all the way to u
    lam = min(lam, abs(aim_p - out[p]) / sum_q)  # O_p not past v
    lam = min(lam, abs(aim_q - out[q]) / sum_p)  # O_q not past u
    gain = lam * (s[v][p] * s[u][q] - s[u][p] * s[v][q])
    move_p = lam * sum_q * w_p / cs_up
    move_q = lam * sum_p * w_q / cs_vq
    sign_p, sign_q = sign(aim_p - y[u][p]), sign(aim_q - y[v][q])
    if gain <= TINY or move_p <= TINY or move_q <= TINY or sign_p == 0 or sign_q == 0:
        return None
    if direction_check and (sign(aim_p - out[p]) != sign_p or sign(aim_q - out[q]) != sign_q):
        return None
    new_p = aim_p if move_p >= abs(aim_p - y[u][p]) * (1 - FULL) else y[u][p] + sign_p * move_p
    new_q = aim_q if move_q >= abs(aim_q - y[v][q]) * (1 - FULL) else y[v][q] + sign_q * move_q
    if not (0 <= new_p <= 100 and 0 <= new_q <= 100):
        return None
    return gain, new_p, new_q, sign_p, sign_q


def exchange_loop(
    x0,
    s,
    c,
    mask,
    fallback,
    *,
    rounds: int = 10,
    salience_weight: float = 0.4,
    fixed_weight: float = 0.1,
    direction_check: bool = True,
    supplier_target: str = "current",
) -> LoopRun:
    """The exchange model on one scenario: (N, D) positions on 0–100, saliences, capabilities."""
    x0, s, c, mask, fallback = (np.asarray(a).tolist() for a in (x0, s, c, mask, fallback))
    n, d = len(x0), len(x0[0])
    x = [[x0[i][q] if mask[i][q] else 0.0 for q in range(d)] for i in range(n)]
    run = LoopRun()
    run.positions.append(np.array(x))
    run.outcomes.append([outcome(x, s, c, mask, fallback, q) for q in range(d)])
    run.rounds = rounds
    for t in range(1, rounds + 1):
        y = [row[:] for row in x]
        out = [outcome(y, s, c, mask, fallback, q) for q in range(d)]
        left = [[x[i][q] <= out[q] for q in range(d)] for i in range(n)]
        alive: list[Candidate] = []
        for p in range(d):
            for q in range(p + 1, d):
                for i in range(n):
                    for j in range(i + 1, n):
                        if not (mask[i][p] and mask[i][q] and mask[j][p] and mask[j][q]):
                            continue
                        if left[i][p] == left[j][p] or left[i][q] == left[j][q]:
                            continue
                        ratio_i, ratio_j = s[i][p] * s[j][q], s[j][p] * s[i][q]
                        if ratio_i < ratio_j:
                            alive.append(Candidate(i, j, p, q))
                        elif ratio_j < ratio_i:
                            alive.append(Candidate(j, i, p, q))
        moved: dict[tuple[int, int], int] = {}  # (actor, issue) -> direction moved this round
        realised = False
        while alive:
            scored = []
            for cand in alive:
                result = evaluate(
                    cand, x, y, out, s, c, mask,
                    target=supplier_target, direction_check=direction_check,
                )  # fmt: skip
                if result is None:
                    continue
                _, _, _, sign_p, sign_q = result
                if moved.get((cand.u, cand.p), 0) == -sign_p:
                    continue
                if moved.get((cand.v, cand.q), 0) == -sign_q:
                    continue
                scored.append((cand, result))
            alive = [cand for cand, _ in scored]  # the invalid are dropped for the round
            if not scored:
                break
            best = max(result[0] for _, result in scored)
            cand, (gain, new_p, new_q, sign_p, sign_q) = next(
                item for item in scored if item[1][0] >= best - TIES * abs(best)
            )
            y[cand.u][cand.p], y[cand.v][cand.q] = new_p, new_q
            moved[(cand.u, cand.p)], moved[(cand.v, cand.q)] = sign_p, sign_q
            alive.remove(cand)
            realised = True
            out = [outcome(y, s, c, mask, fallback, q) for q in range(d)]
            run.exchanges.append(
                (t, cand.u, cand.v, cand.p, cand.q, gain, new_p, new_q, out[cand.p], out[cand.q])
            )
        run.outcomes.append(out)
        if not realised:
            run.rounds, run.converged = t, True
            run.positions.append(np.array(x))
            break
        for i in range(n):
            for q in range(d):
                if mask[i][q] and y[i][q] != x[i][q]:
                    step = (1.0 - s[i][q]) * salience_weight + fixed_weight
                    x[i][q] += step * (y[i][q] - x[i][q])
        run.positions.append(np.array(x))
    return run
