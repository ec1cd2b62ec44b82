"""Plain-loop reference implementation of ``specs/smp.md`` (KTAB's Spatial Model of Politics).

One scenario at a time, Python loops over actors, options and dimensions, written line by line
from the specification so that the vectorised ``minilateral.models.smp`` can be checked against
it (``tests/models/test_smp.py``) and timed against it (``benchmarks/bench_smp.py``), which
also share :func:`draw_scenario` (random scenarios as in spec §4.4) and :func:`arrays_of`. Summation
orders follow spec §7: voters and third parties in increasing index order, resolution columns
started with the two moved terms.
"""

from __future__ import annotations

import math

import numpy as np

from minilateral.arrays import ScenarioArrays

_T_BINARY = 1.10
_POWERS = {"Linear": 1, "Square": 2, "Quartic": 4, "Octic": 8}
_ALPHA = {"None": 0.0, "OneThird": 1.0 / 3.0, "Half": 0.5, "TwoThirds": 2.0 / 3.0, "Full": 1.0}


def _clip(z: float) -> float:
    return max(-1.0, min(1.0, z))


def vote(rule: str, w: float, a: float, b: float) -> float:
    """Vote of weight ``w`` for ``a`` over ``b`` (spec §5.2)."""
    d = a - b
    if rule == "Prop":
        return w * d
    if rule == "Binary":
        return w * _clip(d / 1e-8)
    if rule == "PropBin":
        return w * (0.8 * d + 0.2 * _clip(d / 1e-8))
    if rule == "PropCbc":
        return w * (0.5 * d + 0.5 * (d * d * d))
    if rule == "Cubic":
        return w * (d * d * d)
    if rule == "ASymProsp":
        if d < 0:
            return w * d
        if d > 0:
            return 2.0 * w * d / 3.0
        return 0.0
    raise ValueError(rule)


def pce(w: list[float], u: list[list[float]], opts: dict[str, str]) -> list[float]:
    """Probabilistic Condorcet election (spec §5.3); ``u[k][m]`` is voter k's utility of m."""
    m_count = len(u[0])
    if m_count == 1:
        return [1.0]
    rule = opts["VotingRule"]
    c = [[1e-8] * m_count for _ in range(m_count)]
    for m in range(m_count):
        for n in range(m):
            pos = 0.0
            neg = 0.0
            for k in range(len(w)):
                v = vote(rule, w[k], u[k][m], u[k][n])
                pos += max(v, 0.0)
                neg += max(-v, 0.0)
            c[m][n] = 1e-8 + pos
            c[n][m] = 1e-8 + neg
    vpm = opts["VictoryProbModel"]
    p = [[0.5] * m_count for _ in range(m_count)]
    for m in range(m_count):
        for n in range(m_count):
            if m == n:
                continue
            a, b = c[m][n], c[n][m]
            if vpm == "Binary":
                if a >= _T_BINARY * b:
                    p[m][n] = 1.0 / (1.0 + 1e-6)
                elif b >= _T_BINARY * a:
                    p[m][n] = 1e-6 / (1.0 + 1e-6)
                else:
                    rho = a / (a + b)
                    p[m][n] = (rho * (_T_BINARY + 1.0) - 1.0) / (_T_BINARY - 1.0)
            else:
                e = _POWERS[vpm]
                if e != 1:
                    a, b = a**e, b**e
                p[m][n] = a / (a + b)
    model = opts["PCEModel"]
    if model == "Conditional":
        r = []
        for m in range(m_count):
            prod = 1.0
            for n in range(m_count):
                prod *= p[m][n]
            r.append(prod)
        total = 0.0
        for value in r:
            total += value
        return [value / total for value in r]
    if model == "MarkovIncentive":
        inc = [
            [c[m][n] * p[m][n] + (1e-10 if m == n else 0.0) for n in range(m_count)]
            for m in range(m_count)
        ]
        col = [sum(inc[k][n] for k in range(m_count)) for n in range(m_count)]
        q_mat = [[inc[m][n] / col[n] for n in range(m_count)] for m in range(m_count)]
        tol = 1e-8
    else:
        tol = 1e-6
    prob = [1.0 / m_count] * m_count
    while True:
        q = []
        for m in range(m_count):
            acc = 0.0
            for n in range(m_count):
                if model == "MarkovUniform":
                    acc += p[m][n] * (prob[m] + prob[n])
                else:
                    acc += p[m][n] * (prob[m] * q_mat[n][m] + prob[n] * q_mat[m][n])
            q.append(acc / m_count if model == "MarkovUniform" else acc)
        delta = max(abs(q[m] - prob[m]) for m in range(m_count))
        prob = [(prob[m] + q[m]) / 2.0 for m in range(m_count)]
        if delta <= tol:
            return prob


def dist(y: list[float], s: list[float], z: list[float]) -> float:
    """Salience-weighted distance from ideal ``y`` to point ``z`` (spec §5.1)."""
    num = 0.0
    den = 0.0
    for d in range(len(y)):
        t = s[d] * (y[d] - z[d])
        num += t * t
        den += s[d] * s[d]
    return math.sqrt(num / den)


def util(delta: float, r: float) -> float:
    """u(δ; R) of spec §5.1."""
    if delta <= 1.0:
        return (1.0 - delta) * (1.0 + r * delta)
    return (1.0 - delta) * (1.0 + r)


def r4(z: float) -> float:
    """Round to 4 decimals, halves up (spec §5.7)."""
    return math.floor(z * 1e4 + 0.5) / 1e4


def _state(x, y, s, c, opts):
    """V, π, R and the true utilities W[a, a, ·] of a state (spec §5.4)."""
    n = len(x)
    v = [[dist(y[i], s[i], x[j]) for j in range(n)] for i in range(n)]
    u0 = [[1.0 - v[i][j] for j in range(n)] for i in range(n)]
    pi = pce(c, u0, opts)
    lo, hi = min(pi), max(pi)
    if hi == lo:
        return v, pi, None
    brr = opts["BigRRange"]
    if brr == "Min":
        r = [(p - lo) / (hi - lo) for p in pi]
    elif brr == "Mid":
        r = [(3.0 * p - (hi + 2.0 * lo)) / (2.0 * (hi - lo)) for p in pi]
    else:
        r = [(2.0 * p - (hi + lo)) / (hi - lo) for p in pi]
    return v, pi, r


def run(
    x0: list[list[float]],
    s: list[list[float]],
    c: list[float],
    opts: dict[str, str],
    a_mat: list[list[float]] | None = None,
    max_turns: int = 100,
    rng=None,
) -> list[list[list[float]]]:
    """Run SMP on one scenario (internal [0, 1] scale); return the states X(0..T)."""
    n, dims = len(x0), len(x0[0])
    x = [list(row) for row in x0]
    y = [list(row) for row in x0]
    big_s = [sum(row) for row in s]
    w_eff = [c[i] * big_s[i] for i in range(n)]
    alpha = _ALPHA[opts["BigRAdjust"]]
    rule = opts["VotingRule"]
    tpc = opts["ThirdPartyCommit"]
    states = [[list(row) for row in x]]
    m1 = 0.0
    t = 0
    while t < max_turns:
        if all(x[i] == x[0] for i in range(n)):
            break
        v, _, r = _state(x, y, s, c, opts)
        if r is None:
            raise ValueError(f"pi_max == pi_min at turn {t}")

        def w_of(h, i, j, r=r, v=v):
            rr = r[h] if h == i else (1.0 - alpha) * r[h] + alpha * r[i]
            return util(v[i][j], rr)

        wd = [[w_of(a, a, k) for k in range(n)] for a in range(n)]
        # (b) challenges from the initiator's perspective (spec §5.6)
        bargains = {}
        for i in range(n):
            best_g, best_j, best_p = 1e-5, -1, 0.0
            for j in range(n):
                if j == i:
                    continue
                u_ii, u_ij = w_of(i, i, i), w_of(i, i, j)
                u_ji, u_jj = w_of(i, j, i), w_of(i, j, j)
                e_i = vote(rule, w_eff[i], u_ii, u_ij)
                e_j = vote(rule, w_eff[j], u_ji, u_jj)
                k_i = 1e-10 + max(e_i, 0.0) + max(e_j, 0.0)
                k_j = 1e-10 + max(-e_i, 0.0) + max(-e_j, 0.0)
                chi_i, chi_j = k_i, k_j
                for m in range(n):
                    if m in (i, j):
                        continue
                    u_mi, u_mj, u_mm = w_of(i, m, i), w_of(i, m, j), w_of(i, m, m)
                    tau = vote(rule, w_eff[m], u_mi, u_mj)
                    num = k_i + max(tau, 0.0)
                    q = num / (num + k_j + max(-tau, 0.0))
                    if tpc == "SemiCommit":
                        jii, jij, jji, jjj = 2 * u_mi + u_mm, 3 * u_mj, 3 * u_mi, 2 * u_mj + u_mm
                    elif tpc == "FullCommit":
                        jii, jij, jji, jjj = 3 * u_mi, 3 * u_mj, 3 * u_mi, 3 * u_mj
                    else:
                        jii, jij = 2 * u_mi + u_mm, 2 * u_mj + u_mm
                        jji, jjj = jii, jij
                    omq = 1.0 - q
                    e_a = q * jii + omq * jij
                    e_b = q * jji + omq * jjj
                    vn = vote(rule, w_eff[m], e_a, e_b)
                    chi_i += max(vn, 0.0)
                    chi_j += max(-vn, 0.0)
                p_ij = chi_i / (chi_i + chi_j)
                g = (u_ii - u_ij) * (1.0 - 2.0 * big_s[j] * (1.0 - p_ij))
                if g > best_g:
                    best_g, best_j, best_p = g, j, p_ij
            if best_j >= 0:
                bargains[i] = (best_j, *_bargain(x, s, i, best_j, best_p, opts["InterVecBrgn"]))
        # (c) resolution (spec §5.8, summation order §7)
        sq = []
        for a in range(n):
            acc = 0.0
            for k in range(n):
                acc = acc + wd[a][k]
            sq.append(acc / n)
        values = {}
        for i, (j, bi, bj) in bargains.items():
            col = []
            for a in range(n):
                acc = util(dist(y[a], s[a], bi), r[a]) + util(dist(y[a], s[a], bj), r[a])
                for k in range(n):
                    if k not in (i, j):
                        acc = acc + wd[a][k]
                col.append(acc / n)
            values[i] = col
        new_x = []
        stochastic = opts["StateTransitions"] == "Stochastic"
        draws = [rng.random() for _ in range(n)] if stochastic else None
        for k in range(n):
            options = [i for i in sorted(bargains) if i == k or bargains[i][0] == k]
            if not options:
                new_x.append(list(x[k]))
                continue
            u = [[sq[a]] + [values[i][a] for i in options] for a in range(n)]
            p = pce(c, u, opts)
            if draws is None:
                best = max(range(len(p)), key=lambda o: (p[o], -o))
            else:
                cum, best = 0.0, len(p) - 1
                for o, value in enumerate(p):
                    cum += value
                    if cum > draws[k]:
                        best = o
                        break
            if best == 0:
                new_x.append(list(x[k]))
            else:
                i = options[best - 1]
                j, bi, bj = bargains[i]
                new_x.append(list(bi) if k == i else list(bj))
        # (d) ideals (spec §5.9)
        if a_mat is None:
            y = [list(row) for row in new_x]
        else:
            new_y = []
            for i in range(n):
                total = sum(a_mat[i])
                keep = 1.0 - min(1.0, total)
                row = []
                for d in range(dims):
                    acc = 0.0
                    for j in range(n):
                        acc += a_mat[i][j] * new_x[j][d]
                    row.append(acc + keep * y[i][d])
                new_y.append(row)
            y = new_y
        move = 0.0
        for i in range(n):
            move += math.sqrt(sum((new_x[i][d] - x[i][d]) ** 2 for d in range(dims)))
        x = new_x
        states.append([list(row) for row in x])
        t += 1
        if t == 1:
            m1 = move
        if t >= 2 and move / (m1 + 1e-4) < 0.02:
            break
    return states


def _bargain(x, s, i, j, p_i, rule):
    """The bargain (b_i, b_j) proposed by i to j (spec §5.7)."""
    p_j = 1.0 - p_i
    eps = 1e-6
    bi, bj = [], []
    for d in range(len(x[i])):
        ti, tj, si, sj = x[i][d], x[j][d], s[i][d], s[j][d]
        if rule == "S2PMax":
            di, dj = max(p_j - p_i, 0.0), max(p_i - p_j, 0.0)
            li = di * sj * sj / (di * sj * sj + eps + (1.0 - di) * si * si)
            lj = dj * si * si / (dj * si * si + eps + (1.0 - dj) * sj * sj)
            bi.append(ti + li * (tj - ti))
            bj.append(tj + lj * (ti - tj))
            continue
        if rule == "S2P2":
            wi, wj = si * si * p_i * p_i, sj * sj * p_j * p_j
        else:
            wi, wj = si * p_i, sj * p_j
        bi.append(r4(((wi + eps) * ti + wj * tj) / (wi + wj + eps)))
        bj.append(r4((wi * ti + (wj + eps) * tj) / (wi + wj + eps)))
    return bi, bj


def draw_scenario(rng: np.random.Generator, n: int, d: int) -> tuple[np.ndarray, ...]:
    """Spec §4.4: c ~ U(10, 200), S ~ U(0.75, 0.99) split by U(0.1, 1) weights, x ~ U(0, 100),
    rounded as written to a KTAB CSV (3 decimals for c, 2 for positions and saliences).

    Returns positions (N, D) on 0-100, saliences (N, D) on [0, 1] and capabilities (N,).
    """
    c = np.round(rng.uniform(10, 200, n), 3)
    total = rng.uniform(0.75, 0.99, n)
    g = rng.uniform(0.1, 1.0, (n, d))
    s = np.round(100 * total[:, None] * g / g.sum(axis=1, keepdims=True), 2) / 100
    x = np.round(rng.uniform(0, 100, (n, d)), 2)
    return x, s, c


def arrays_of(x100: np.ndarray, s: np.ndarray, c: np.ndarray) -> ScenarioArrays:
    """Batched (B, N, D) arrays on 0-100 from positions, saliences and capabilities (B, N)."""
    b, n, d = x100.shape
    return ScenarioArrays(
        positions=x100,
        salience=s,
        capability=np.repeat(c[:, :, None], d, axis=2),
        mask=np.ones((b, n, d), dtype=bool),
        scale=np.tile([0.0, 100.0], (d, 1)),
        reference=np.full(d, np.nan),
        actors=tuple(f"a{i}" for i in range(n)),
        issues=tuple(f"d{k}" for k in range(d)),
    )
