"""Compiled (numba) kernels of SMP's heaviest sums, bit-identical to the NumPy path.

The third-party step, the PCE coalition strengths and the resolution values, and the fused
turn (``state`` and ``advance``: every step of a turn in one pass per batch member); BDM's
kernel is :mod:`minilateral.models._bdm_kernels`. Optional: used by
:mod:`minilateral.models.smp` when ``numba`` is importable
(``pip install minilateral[fast]``); otherwise, or with ``MINILATERAL_KERNEL=numpy``, the
pure-NumPy path runs, which stays the reference. Every kernel performs the same IEEE-754
operations in the same order as the NumPy code it replaces (no fast-math, so no fused
multiply-adds or reassociation). The SMP challenge kernel never builds the (B, N, N, N)
perception tensor: each perceived utility ``W[b, i, n, j] = u(V[b, n, j]; r[b, i, n])`` is
computed where it is used, so memory is O(B·N²).
"""

from __future__ import annotations

import os

import numpy as np
import numpy.typing as npt

from minilateral.arrays import FloatArray

__all__ = [
    "AVAILABLE",
    "RULES",
    "advance",
    "enabled",
    "fused",
    "skip_sums",
    "state",
    "third_party_sums",
    "vote_totals",
]

RULES = {"Prop": 0, "Binary": 1, "PropBin": 2, "PropCbc": 3, "Cubic": 4, "ASymProsp": 5}

try:  # pragma: no cover - depends on the environment
    import numba

    AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the environment
    numba = None
    AVAILABLE = False


def enabled() -> bool:
    """True when the compiled kernel is to be used (numba importable, not switched off)."""
    return AVAILABLE and os.environ.get("MINILATERAL_KERNEL", "").strip().lower() != "numpy"


def _python_sums(
    v: FloatArray,
    rhi: FloatArray,
    u_ji: FloatArray,
    u_jj: FloatArray,
    w_eff: FloatArray,
    k_i: FloatArray,
    k_j: FloatArray,
    rule: int,
) -> tuple[FloatArray, FloatArray]:
    r"""χ_i, χ_j: :math:`K + \sum_{n \ne i, j} v_n^\pm` summed in index order of n.

    Formulas: docs/models/smp.md#challenges.

    Arguments (all float64, C order): ``v[b, a, m]`` distances V, ``rhi[b, h, i]`` perceived
    risk attitudes, ``u_ji[b, i, n] = W[i, n, i]``, ``u_jj[b, i, n] = W[i, n, n]``,
    ``w_eff[b, n]`` vote weights, ``k_i``/``k_j`` (B, N, N) the starting values K_i, K_j.
    The loop over targets j is innermost and branch-free (the term n = j is computed and
    replaced by 0.0, as in the NumPy path), so it vectorises; each (i, j) still adds its terms
    in the order of n.
    """
    b_count, n_count, _ = v.shape
    chi_i = k_i.copy()
    chi_j = k_j.copy()
    for b in range(b_count):
        for i in range(n_count):
            acc_i = chi_i[b, i]
            acc_j = chi_j[b, i]
            ki = k_i[b, i]
            kj = k_j[b, i]
            for n in range(n_count):
                if n == i:
                    continue
                wn = w_eff[b, n]
                r = rhi[b, i, n]
                u_ni = u_ji[b, i, n]
                u_nn = u_jj[b, i, n]
                two_ni_nn = 2.0 * u_ni + u_nn
                three_ni = 3.0 * u_ni
                vb = v[b, n]
                if rule == 0:  # Prop, the default, written out so that the loop vectorises
                    _prop_row(vb, ki, kj, acc_i, acc_j, n, wn, r, u_ni, u_nn, two_ni_nn, three_ni)
                    continue
                for j in range(n_count):
                    delta = vb[j]
                    near = r * delta
                    near += 1.0
                    near *= 1.0 - delta
                    u_nj = (1.0 - delta) * (1.0 + r) if delta > 1.0 else near
                    tau = _vote(rule, wn, u_ni - u_nj)
                    q = _pos(tau)
                    q += ki[j]  # K_i of the pair, not the running sum
                    den = q + kj[j]
                    den -= _neg(tau)
                    q /= den
                    omq = 1.0 - q
                    e_a = 3.0 * u_nj
                    e_a *= omq
                    e_a += q * two_ni_nn
                    e_b = 2.0 * u_nj
                    e_b += u_nn
                    e_b *= omq
                    e_b += q * three_ni
                    vn = _vote(rule, wn, e_a - e_b)
                    vn = 0.0 if j == n else vn  # n = j votes 0, as in the NumPy path
                    acc_i[j] += _pos(vn)
                    acc_j[j] += _pos(-vn)
    return chi_i, chi_j


def _prop_row(
    vb: FloatArray,
    ki: FloatArray,
    kj: FloatArray,
    acc_i: FloatArray,
    acc_j: FloatArray,
    n: int,
    wn: float,
    r: float,
    u_ni: float,
    u_nn: float,
    two_ni_nn: float,
    three_ni: float,
) -> None:
    """Third party n's terms for every target j under VotingRule=Prop (see _python_sums).

    The term j = n is computed and replaced by 0.0, as the NumPy path does (a select, so the
    loop has no branch and vectorises).
    """
    for j in range(vb.shape[0]):
        delta = vb[j]
        near = r * delta
        near += 1.0
        near *= 1.0 - delta
        u_nj = (1.0 - delta) * (1.0 + r) if delta > 1.0 else near
        tau = wn * (u_ni - u_nj)
        q = 0.0 if tau <= 0.0 else tau
        q += ki[j]
        den = q + kj[j]
        den -= 0.0 if tau >= 0.0 else tau
        q /= den
        omq = 1.0 - q
        e_a = 3.0 * u_nj
        e_a *= omq
        e_a += q * two_ni_nn
        e_b = 2.0 * u_nj
        e_b += u_nn
        e_b *= omq
        e_b += q * three_ni
        vn = wn * (e_a - e_b)
        vn = 0.0 if j == n else vn
        acc_i[j] += 0.0 if vn <= 0.0 else vn
        acc_j[j] += 0.0 if vn >= 0.0 else -vn


def _pos(x: float) -> float:
    """``numpy.maximum(x, 0.0)`` of a scalar (NaN propagates)."""
    return 0.0 if x <= 0.0 else x


def _neg(x: float) -> float:
    """``numpy.minimum(x, 0.0)`` of a scalar (NaN propagates)."""
    return 0.0 if x >= 0.0 else x


def _vote(rule: int, w: float, d: float) -> float:
    """``vote(ω, a, b)`` (docs/models/smp.md#votes) for ``d = a − b``, as ``smp._vote`` does."""
    if rule == 0:
        return w * d
    if rule == 1:
        return w * min(max(d / 1e-8, -1.0), 1.0)
    if rule == 2:
        return w * (0.8 * d + 0.2 * min(max(d / 1e-8, -1.0), 1.0))
    if rule == 3:
        return w * (0.5 * d + 0.5 * (d * d * d))
    if rule == 4:
        return w * (d * d * d)
    if d < 0.0:
        return w * d
    if d > 0.0:
        return 2.0 * w * d / 3.0
    return 0.0


def _python_vote_totals(w: FloatArray, u: FloatArray, rule: int) -> FloatArray:
    r"""``total[m, n, g] = Σ_k vote(ω_k, U_km, U_kn)⁺`` over voters k in index order
    (docs/models/smp.md#probabilistic-condorcet-election).

    ``w`` (G, K) weights, ``u`` (G, K, M) utilities; the layout of ``smp.pce``'s strengths.
    Each (m, n) starts from 0.0 (adding a non-negative term to 0.0 is exact).
    """
    g_count, k_count, m_count = u.shape
    total = np.empty((m_count, m_count, g_count))
    acc = np.empty((m_count, m_count))
    for g in range(g_count):
        acc[:] = 0.0
        for k in range(k_count):
            wk = w[g, k]
            uk = u[g, k]
            for a in range(m_count):
                ua = uk[a]
                row = acc[a]
                if rule == 0:  # Prop, written out so that the loop vectorises
                    for b in range(m_count):
                        t = wk * (ua - uk[b])
                        row[b] += 0.0 if t <= 0.0 else t
                else:
                    for b in range(m_count):
                        row[b] += _pos(_vote(rule, wk, ua - uk[b]))
        total[:, :, g] = acc
    return total


def _python_skip_sums(
    moved: FloatArray, own: FloatArray, target: npt.NDArray[np.int64]
) -> FloatArray:
    """``moved[b, a, i] + Σ_n own[b, a, n]`` over n ∉ {i, j*(i)} in index order
    (docs/models/smp.md#resolution, #summation-order).

    Skipped terms add an exact 0.0, as the NumPy path does.
    """
    b_count, a_count, i_count = moved.shape
    n_count = own.shape[2]
    total = moved.copy()
    for b in range(b_count):
        tb = target[b]
        for a in range(a_count):
            acc = total[b, a]
            for n in range(n_count):
                term = own[b, a, n]
                for i in range(i_count):
                    acc[i] += 0.0 if (n == i or n == tb[i]) else term
    return total


if AVAILABLE:  # pragma: no cover - depends on the environment
    _jit = numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
    _pos = _jit(_pos)
    _neg = _jit(_neg)
    _vote = _jit(_vote)
    _prop_row = _jit(_prop_row)
    _compiled = _jit(_python_sums)
    _vote_totals = _jit(_python_vote_totals)
    _skip_sums = _jit(_python_skip_sums)
else:
    _compiled = _python_sums
    _vote_totals = _python_vote_totals
    _skip_sums = _python_skip_sums


def vote_totals(w: FloatArray, u: FloatArray, rule: str) -> FloatArray:
    """See :func:`_python_vote_totals` (not for ASymProsp, whose pairs vote one way only)."""
    c = np.ascontiguousarray
    return _vote_totals(c(w, dtype=np.float64), c(u, dtype=np.float64), RULES[rule])  # type: ignore[no-any-return]


def skip_sums(moved: FloatArray, own: FloatArray, target: npt.NDArray[np.int64]) -> FloatArray:
    """See :func:`_python_skip_sums`."""
    c = np.ascontiguousarray
    return _skip_sums(  # type: ignore[no-any-return]
        c(moved, dtype=np.float64), c(own, dtype=np.float64), c(target, dtype=np.int64)
    )


def third_party_sums(
    v: FloatArray,
    rhi: FloatArray,
    u_ji: FloatArray,
    u_jj: FloatArray,
    w_eff: FloatArray,
    k_i: FloatArray,
    k_j: FloatArray,
    rule: str,
) -> tuple[FloatArray, FloatArray]:
    """χ_i and χ_j, shape (B, N, N); see :func:`_python_sums` for the arguments."""

    def c(a: FloatArray) -> FloatArray:
        return np.ascontiguousarray(a, dtype=np.float64)

    return _compiled(  # type: ignore[no-any-return]
        c(v), c(rhi), c(u_ji), c(u_jj), c(w_eff), c(k_i), c(k_j), RULES[rule]
    )


# -- the fused turn (issue 20): one compiled pass per batch member -----------------------------
# The functions below compute, member by member, what smp.py's NumPy steps compute on whole
# batches, with the same operations in the same order. Where NumPy reduces a contiguous last
# axis it adds pairwise (``_pairwise``); where it reduces a leading axis it adds in index order.
VPMS = {"Linear": 0, "Binary": 1}
BRRS = {"Min": 0, "Mid": 1, "Max": 2}
IVBS = {"S1P1": 0, "S2P2": 1, "S2PMax": 2}
_T_BINARY = 1.10
_P_HI = 1.0 / (1.0 + 1e-6)
_P_LO = 1e-6 / (1.0 + 1e-6)


def _pairwise_leaf(a: FloatArray, lo: int, n: int) -> float:
    """NumPy's pairwise sum of ``a[lo:lo + n]`` for n ≤ 128 (no further halving)."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - (n % 8):
        k = lo + i
        r0 += a[k]
        r1 += a[k + 1]
        r2 += a[k + 2]
        r3 += a[k + 3]
        r4 += a[k + 4]
        r5 += a[k + 5]
        r6 += a[k + 6]
        r7 += a[k + 7]
        i += 8
    out: float = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        out += a[lo + i]
        i += 1
    return out


def _pairwise(a: FloatArray, lo: int, n: int) -> float:
    """``numpy.add.reduce(a[lo:lo + n])`` of a contiguous array: NumPy's pairwise summation.

    Below 8 terms a plain loop from 0.0; up to 128 terms eight interleaved partial sums, combined
    as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the remainder; above 128 the
    range is halved at a multiple of 8 and the halves' sums added. The halving is written with
    an explicit stack (numba cannot cache recursive functions).
    """
    if n <= 128:
        return _pairwise_leaf(a, lo, n)
    seg_lo = np.empty(64, dtype=np.int64)
    seg_n = np.empty(64, dtype=np.int64)
    stage = np.empty(64, dtype=np.int64)
    vals = np.empty(64)
    top, vtop = 0, 0
    seg_lo[0], seg_n[0], stage[0] = lo, n, 0
    while top >= 0:
        l0, m = seg_lo[top], seg_n[top]
        if m <= 128:
            vals[vtop] = _pairwise_leaf(a, l0, m)
            vtop += 1
            top -= 1
            continue
        half = m // 2
        half -= half % 8
        if stage[top] == 0:
            stage[top] = 1
            top += 1
            seg_lo[top], seg_n[top], stage[top] = l0, half, 0
        elif stage[top] == 1:
            stage[top] = 2
            top += 1
            seg_lo[top], seg_n[top], stage[top] = l0 + half, m - half, 0
        else:
            vals[vtop - 2] = vals[vtop - 2] + vals[vtop - 1]
            vtop -= 1
            top -= 1
    total: float = vals[0]
    return total


def _member_distances(
    y: FloatArray, s: FloatArray, z: FloatArray, out: FloatArray, buf: FloatArray
) -> None:
    """``out[i, m]`` = smp._distances of one member: √(Σ_d (s_id (y_id − z_md))² / Σ_d s_id²).

    ``buf`` is scratch of at least max(D, M) elements. Both sums are NumPy's pairwise sums over
    the issues; below 8 issues that is smp's issue-by-issue loop from 0.0, run here with the
    points m in vector lanes.
    """
    n_count, d_count = y.shape
    m_count = z.shape[0]
    for i in range(n_count):
        for d in range(d_count):
            buf[d] = s[i, d] * s[i, d]
        den = _pairwise(buf, 0, d_count)
        row = out[i]
        if d_count < 8:
            row[:] = 0.0
            for d in range(d_count):
                yd, sd = y[i, d], s[i, d]
                for m in range(m_count):
                    t = yd - z[m, d]
                    t *= sd
                    row[m] += t * t
        else:
            for m in range(m_count):
                for d in range(d_count):
                    t = y[i, d] - z[m, d]
                    t *= s[i, d]
                    buf[d] = t * t
                row[m] = _pairwise(buf, 0, d_count)
        if den > 0.0:
            for m in range(m_count):
                row[m] = np.sqrt(row[m] / den)
        else:
            row[:] = 0.0


def _utility1(delta: float, r: float) -> float:
    """u(δ; R) as smp._utility evaluates it."""
    if delta > 1.0:
        return (1.0 - delta) * (1.0 + r)
    u = r * delta
    u += 1.0
    u *= 1.0 - delta
    return u


def _member_pce(
    w: FloatArray, u: FloatArray, rule: int, vpm: int, c: FloatArray, out: FloatArray
) -> None:
    """smp.pce of one election under PCEModel=Conditional: ``out[m]`` from ``u[k, m]``.

    ``c`` is (M, M) scratch for the coalition strengths, later the victory probabilities.
    """
    k_count, m_count = u.shape
    if m_count == 1:
        out[0] = 1.0
        return
    c[:, :] = 0.0
    if rule == 5:  # ASymProsp: pairs m > n only, v⁺ for m, v⁻ for n (smp.pce)
        for k in range(k_count):
            wk = w[k]
            for a in range(m_count):
                ua = u[k, a]
                for b in range(a):
                    t = _vote(rule, wk, ua - u[k, b])
                    c[a, b] += _pos(t)
                    c[b, a] += _pos(-t)
        for a in range(m_count):
            for b in range(m_count):
                c[a, b] = 1e-8 + c[a, b]
    elif m_count >= 8:
        # options n in vector lanes, padded to a multiple of 16 (padding columns unused)
        lanes = -(-m_count // 16) * 16
        up = np.zeros((k_count, lanes))
        up[:, :m_count] = u
        cp = np.zeros((m_count, lanes))
        for k in range(k_count):
            wk = w[k]
            uk = up[k]
            for a in range(m_count):
                ua = uk[a]
                row = cp[a]
                if rule == 0:
                    for b in range(lanes):
                        t = wk * (ua - uk[b])
                        row[b] += 0.0 if t <= 0.0 else t
                else:
                    for b in range(lanes):
                        row[b] += _pos(_vote(rule, wk, ua - uk[b]))
        for a in range(m_count):
            for b in range(m_count):
                c[a, b] = 1e-8 + cp[a, b]
    else:
        # Few options: each pair once, vote(ω, U_n, U_m) = −vote(ω, U_m, U_n) bit for bit for
        # these rules (every operation commutes with the sign), so C_nm gets (−v)⁺.
        for k in range(k_count):
            wk = w[k]
            for a in range(m_count):
                ua = u[k, a]
                for b in range(a):
                    t = _vote(rule, wk, ua - u[k, b])
                    c[a, b] += _pos(t)
                    c[b, a] += _pos(-t)
        for a in range(m_count):
            for b in range(m_count):
                c[a, b] = 1e-8 + c[a, b]
    _conditional(c, m_count, vpm, out)


def _conditional(c: FloatArray, m_count: int, vpm: int, out: FloatArray) -> None:
    """From coalition strengths ``c[:m, :m]`` (off the diagonal) to ``out[:m]``: smp.pce's
    victory probabilities and PCEModel=Conditional (``c`` is overwritten)."""
    for a in range(m_count):
        c[a, a] = 1e-8
    # victory probabilities, in place: the upper triangle first needs both c_ab and c_ba
    for a in range(m_count):
        for b in range(a):
            cab, cba = c[a, b], c[b, a]
            if vpm == 0:
                pab = cab / (cab + cba)
                pba = cba / (cba + cab)
            else:
                pab = _binary_p(cab, cba)
                pba = _binary_p(cba, cab)
            c[a, b] = pab
            c[b, a] = pba
        c[a, a] = 0.5
    for a in range(m_count):
        prod = c[a, 0]
        for b in range(1, m_count):
            prod *= c[a, b]
        out[a] = prod
    total = _pairwise(out, 0, m_count)
    for a in range(m_count):
        out[a] = out[a] / total


def _option_pce(
    w: FloatArray,
    nu_sq: FloatArray,
    nu_b: FloatArray,
    inits: npt.NDArray[np.int64],
    m_count: int,
    rule: int,
    vpm: int,
    c: FloatArray,
    out: FloatArray,
) -> None:
    """:func:`_member_pce` of one actor's resolution, read in place: option 0 is the status quo
    (voter a's value ``nu_sq[a]``), option q ≥ 1 the bargain of initiator ``inits[q − 1]``
    (``nu_b[a, inits[q − 1]]``). ``c`` and ``out`` are buffers of at least M × M and M.

    Each pair m > n is voted once: C_mn gets v⁺ and C_nm gets (−v)⁺, which for the
    antisymmetric rules is vote(ω, U_n, U_m)⁺ bit for bit, and for ASymProsp is its rule.
    """
    if m_count == 1:
        out[0] = 1.0
        return
    for a in range(m_count):
        for b in range(m_count):
            c[a, b] = 0.0
    for k in range(w.shape[0]):
        wk = w[k]
        for a in range(1, m_count):
            ua = nu_b[k, inits[a - 1]]
            for b in range(a):
                ub = nu_sq[k] if b == 0 else nu_b[k, inits[b - 1]]
                t = _vote(rule, wk, ua - ub)
                c[a, b] += _pos(t)
                c[b, a] += _pos(-t)
    for a in range(m_count):
        for b in range(m_count):
            c[a, b] = 1e-8 + c[a, b]
    _conditional(c, m_count, vpm, out)


def _binary_p(c: float, ct: float) -> float:
    """VictoryProbModel=Binary of smp.pce for one ordered pair."""
    if c >= _T_BINARY * ct:
        return _P_HI
    if ct >= _T_BINARY * c:
        return _P_LO
    rho = c / (c + ct)
    return (rho * (_T_BINARY + 1.0) - 1.0) / (_T_BINARY - 1.0)


def _member_report(
    x: FloatArray,
    own: FloatArray,
    w: FloatArray,
    rule: int,
    vpm: int,
    out: FloatArray,
    buf: FloatArray,
) -> None:
    """smp._win_probabilities of one member (clusters within 1e-3, PCE over representatives)."""
    n_count, d_count = x.shape
    owner = np.empty(n_count, dtype=np.int64)
    reps = np.empty(n_count, dtype=np.int64)
    slot = np.empty(n_count, dtype=np.int64)
    m_count = 0
    for k in range(n_count):
        owner[k] = k
        for q in range(m_count):
            j = reps[q]
            for d in range(d_count):
                t = x[k, d] - x[j, d]
                buf[d] = t * t
            if np.sqrt(_pairwise(buf, 0, d_count)) < 1e-3:
                owner[k] = j
                break
        if owner[k] == k:
            reps[m_count] = k
            slot[k] = m_count
            m_count += 1
    u = np.empty((n_count, m_count))
    for a in range(n_count):
        for q in range(m_count):
            u[a, q] = own[a, reps[q]]
    p = np.empty(m_count)
    _member_pce(w, u, rule, vpm, np.empty((m_count, m_count)), p)
    for k in range(n_count):
        out[k] = p[slot[owner[k]]]


def _python_state(
    x: FloatArray,
    y: FloatArray,
    s: FloatArray,
    c: FloatArray,
    members: npt.NDArray[np.int64],
    rule: int,
    vpm: int,
    brr: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """smp's state values of the batch members ``members``: V, R (0 where flat), own
    utilities, reports, flat; row b of each result is member ``members[b]``.

    ``flat[b]``: some R is not finite (π_max = π_min); R is then 0 as in smp._run.
    """
    b_count = members.shape[0]
    n_count, d_count = x.shape[1], x.shape[2]
    v = np.empty((b_count, n_count, n_count))
    r = np.empty((b_count, n_count))
    own = np.empty((b_count, n_count, n_count))
    report = np.empty((b_count, n_count))
    flat = np.zeros(b_count, dtype=np.bool_)
    buf = np.empty(max(d_count, n_count, 1))
    scratch = np.empty((n_count, n_count))
    u = np.empty((n_count, n_count))
    pi = np.empty(n_count)
    for b in range(b_count):
        g = members[b]
        vb = v[b]
        _member_distances(y[g], s[g], x[g], vb, buf)
        for i in range(n_count):
            for m in range(n_count):
                u[i, m] = 1.0 - vb[i, m]
        _member_pce(c[g], u, rule, vpm, scratch, pi)
        lo, hi = pi[0], pi[0]
        for i in range(1, n_count):  # numpy.min / max: NaN propagates
            q = pi[i]
            lo = q if (q < lo or q != q) and lo == lo else lo
            hi = q if (q > hi or q != q) and hi == hi else hi
        for i in range(n_count):
            if brr == 0:
                ri = (pi[i] - lo) / (hi - lo)
            elif brr == 1:
                ri = (3.0 * pi[i] - (hi + 2.0 * lo)) / (2.0 * (hi - lo))
            else:
                ri = (2.0 * pi[i] - (hi + lo)) / (hi - lo)
            if not np.isfinite(ri):
                flat[b] = True
                ri = 0.0
            r[b, i] = ri
        for i in range(n_count):
            for m in range(n_count):
                own[b, i, m] = _utility1(vb[i, m], r[b, i])
        _member_report(x[g], own[b], c[g], rule, vpm, report[b], buf)
    return v, r, own, report, flat


def _member_third(
    v: FloatArray,
    rhi: FloatArray,
    u_ji: FloatArray,
    u_jj: FloatArray,
    w_eff: FloatArray,
    k_i: FloatArray,
    k_j: FloatArray,
    rule: int,
    chi_i: FloatArray,
    chi_j: FloatArray,
) -> None:
    """χ_i, χ_j of one member, in place (from K_i, K_j); :func:`_python_sums` for one b.

    ``v``, ``k_i``, ``k_j``, ``chi_i``, ``chi_j`` may have more columns (targets) than rows.
    """
    n_count = v.shape[0]
    chi_i[:, :] = k_i
    chi_j[:, :] = k_j
    for i in range(n_count):
        acc_i = chi_i[i]
        acc_j = chi_j[i]
        ki = k_i[i]
        kj = k_j[i]
        for n in range(n_count):
            if n == i:
                continue
            wn = w_eff[n]
            r = rhi[i, n]
            u_ni = u_ji[i, n]
            u_nn = u_jj[i, n]
            two_ni_nn = 2.0 * u_ni + u_nn
            three_ni = 3.0 * u_ni
            vb = v[n]
            if rule == 0:
                _prop_row(vb, ki, kj, acc_i, acc_j, n, wn, r, u_ni, u_nn, two_ni_nn, three_ni)
                continue
            for j in range(vb.shape[0]):
                delta = vb[j]
                near = r * delta
                near += 1.0
                near *= 1.0 - delta
                u_nj = (1.0 - delta) * (1.0 + r) if delta > 1.0 else near
                tau = _vote(rule, wn, u_ni - u_nj)
                q = _pos(tau)
                q += ki[j]
                den = q + kj[j]
                den -= _neg(tau)
                q /= den
                omq = 1.0 - q
                e_a = 3.0 * u_nj
                e_a *= omq
                e_a += q * two_ni_nn
                e_b = 2.0 * u_nj
                e_b += u_nn
                e_b *= omq
                e_b += q * three_ni
                vn = _vote(rule, wn, e_a - e_b)
                vn = 0.0 if j == n else vn
                acc_i[j] += _pos(vn)
                acc_j[j] += _pos(-vn)


def _r4(z: float) -> float:
    """smp._r4: round to 4 decimals, halves up."""
    rounded: float = np.floor(z * 1e4 + 0.5) / 1e4
    return rounded


def _python_advance(
    v: FloatArray,
    r: FloatArray,
    own: FloatArray,
    rows: npt.NDArray[np.int64],
    x: FloatArray,
    y: FloatArray,
    s: FloatArray,
    c: FloatArray,
    w_eff: FloatArray,
    big_s: FloatArray,
    members: npt.NDArray[np.int64],
    draws: FloatArray,
    stochastic: bool,
    rule: int,
    vpm: int,
    alpha: float,
    semi: bool,
    ivb: int,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], bool]:
    """One turn of smp._run for the members ``members`` (their V, R and own utilities are rows
    ``rows`` of ``v``, ``r``, ``own``; row b of ``draws`` is member b's): challenges, targets,
    bargains, resolution.

    Returns the new positions X(t + 1), each member's movement (Σ_i ‖ΔX_i‖, NumPy's pairwise
    sums), the "risk-aware utilities within 1e-6 of risk-neutral ones" flag, and whether some
    mean status-quo value lies outside (0, 1] (smp raises then).
    """
    b_count = members.shape[0]
    n_count, d_count = x.shape[1], x.shape[2]
    new_x = np.empty((b_count, n_count, d_count))
    move = np.empty(b_count)
    near_flag = np.zeros(b_count, dtype=np.bool_)
    bad = False
    rhi = np.empty((n_count, n_count))
    u_ji = np.empty((n_count, n_count))
    u_jj = np.empty((n_count, n_count))
    # The third parties' rows over targets j are padded to a multiple of 16 lanes (V = 0,
    # K = 1 there, results unused), so that the compiled loop runs whole vector iterations.
    lanes = -(-n_count // 16) * 16
    v_pad = np.zeros((n_count, lanes))
    k_i = np.ones((n_count, lanes))
    k_j = np.ones((n_count, lanes))
    chi_i = np.empty((n_count, lanes))
    chi_j = np.empty((n_count, lanes))
    target = np.empty(n_count, dtype=np.int64)
    has = np.empty(n_count, dtype=np.bool_)
    p_star = np.empty(n_count)
    pts = np.empty((2 * n_count, d_count))
    dist = np.empty((n_count, 2 * n_count))
    nu_b = np.zeros((n_count, lanes))  # initiators padded as the targets above
    tgt_pad = np.full(lanes, -1, dtype=np.int64)
    nu_sq = np.empty(n_count)
    buf = np.empty(max(d_count, n_count, 1))
    inits = np.empty(n_count, dtype=np.int64)
    p_buf = np.empty(n_count + 1)
    c_buf = np.empty((n_count + 1, n_count + 1))
    norms = np.empty(n_count)
    for b in range(b_count):
        g, h = members[b], rows[b]
        vb, rb, ob, xb, yb, sb = v[h], r[h], own[h], x[g], y[g], s[g]
        wb, sbig, cb = w_eff[g], big_s[g], c[g]
        new_x[b] = xb
        worst = 0.0
        for i in range(n_count):
            for m in range(n_count):
                gap = abs(ob[i, m] - (1.0 - vb[i, m]))
                worst = gap if gap > worst or gap != gap else worst
        near_flag[b] = worst < 1e-6
        # challenges (smp._challenges_compiled)
        for i in range(n_count):
            for j in range(n_count):
                if i == j:
                    rhi[i, j] = rb[i]
                else:
                    rhi[i, j] = (1.0 - alpha) * rb[i] + alpha * rb[j]
        for i in range(n_count):
            u_ii = ob[i, i]
            for j in range(n_count):
                u_ji[i, j] = _utility1(vb[j, i], rhi[i, j])
                u_jj[i, j] = _utility1(vb[j, j], rhi[i, j])
                e_i = _vote(rule, wb[i], u_ii - ob[i, j])
                e_j = _vote(rule, wb[j], u_ji[i, j] - u_jj[i, j])
                k_i[i, j] = 1e-10 + _pos(e_i) + _pos(e_j)
                k_j[i, j] = 1e-10 + _pos(-e_i) + _pos(-e_j)
        if semi:
            v_pad[:, :n_count] = vb
            _member_third(v_pad, rhi, u_ji, u_jj, wb, k_i, k_j, rule, chi_i, chi_j)
        else:
            chi_i[:, :] = k_i
            chi_j[:, :] = k_j
        # targets (smp._targets): first maximum of the gains above 1e-5
        for i in range(n_count):
            u_ii = ob[i, i]
            best = -np.inf
            arg = 0
            for j in range(n_count):
                p = chi_i[i, j] / (chi_i[i, j] + chi_j[i, j])
                g = (u_ii - ob[i, j]) * (1.0 - 2.0 * sbig[j] * (1.0 - p))
                if j == i or not g > 1e-5:
                    g = -np.inf
                if j == 0:
                    best = g
                elif g > best:
                    best = g
                    arg = j
            has[i] = np.isfinite(best)
            target[i] = arg if has[i] else -1
            p_star[i] = chi_i[i, arg] / (chi_i[i, arg] + chi_j[i, arg])
        # bargains (smp._bargains); rows i of pts, then N + i
        for i in range(n_count):
            j = target[i] if target[i] >= 0 else 0
            pi = p_star[i]
            pj = 1.0 - pi
            for d in range(d_count):
                ti, tj, si, sj = xb[i, d], xb[j, d], sb[i, d], sb[j, d]
                if ivb == 2:
                    di = max(pj - pi, 0.0) if pj - pi == pj - pi else pj - pi
                    dj = max(pi - pj, 0.0) if pi - pj == pi - pj else pi - pj
                    li = di * sj * sj / (di * sj * sj + 1e-6 + (1.0 - di) * si * si)
                    lj = dj * si * si / (dj * si * si + 1e-6 + (1.0 - dj) * sj * sj)
                    pts[i, d] = ti + li * (tj - ti)
                    pts[n_count + i, d] = tj + lj * (ti - tj)
                else:
                    if ivb == 1:
                        wi = si * si * pi * pi
                        wj = sj * sj * pj * pj
                    else:
                        wi = si * pi
                        wj = sj * pj
                    den = wi + wj + 1e-6
                    pts[i, d] = _r4(((wi + 1e-6) * ti + wj * tj) / den)
                    pts[n_count + i, d] = _r4((wi * ti + (wj + 1e-6) * tj) / den)
        # resolution (smp._resolve)
        for a in range(n_count):
            acc = ob[a, 0]
            for m in range(1, n_count):
                acc += ob[a, m]
            nu_sq[a] = acc / n_count
            if nu_sq[a] <= 0.0 or nu_sq[a] > 1.0:
                bad = True
        _member_distances(yb, sb, pts, dist, buf)
        for i in range(n_count):
            tgt_pad[i] = target[i]
        for a in range(n_count):
            ra = rb[a]
            acc = nu_b[a]
            for i in range(n_count):
                acc[i] = _utility1(dist[a, i], ra) + _utility1(dist[a, n_count + i], ra)
            for m in range(n_count):  # terms in the order of m, the initiators i in lanes
                term = ob[a, m]
                for i in range(lanes):
                    acc[i] += 0.0 if (m == i or m == tgt_pad[i]) else term
            for i in range(n_count):
                acc[i] = acc[i] / n_count
        for k in range(n_count):
            size = 0
            for i in range(n_count):
                if has[i] and (i == k or target[i] == k):
                    inits[size] = i
                    size += 1
            if size == 0:
                continue
            p = p_buf
            _option_pce(cb, nu_sq, nu_b, inits, size + 1, rule, vpm, c_buf, p)
            if stochastic:
                choice = size
                cum = 0.0
                for q in range(size + 1):
                    cum += p[q]
                    if cum > draws[b, k]:
                        choice = q
                        break
            else:
                choice = 0
                for q in range(1, size + 1):
                    if p[q] > p[choice]:
                        choice = q
            if choice > 0:
                init = inits[choice - 1]
                row = init if init == k else n_count + init
                for d in range(d_count):
                    new_x[b, k, d] = pts[row, d]
        for k in range(n_count):
            for d in range(d_count):
                t = new_x[b, k, d] - xb[k, d]
                buf[d] = t * t
            norms[k] = np.sqrt(_pairwise(buf, 0, d_count))
        move[b] = _pairwise(norms, 0, n_count)
    return new_x, move, near_flag, bad


if AVAILABLE:  # pragma: no cover - depends on the environment
    _pairwise_leaf = _jit(_pairwise_leaf)
    _pairwise = _jit(_pairwise)
    _member_distances = _jit(_member_distances)
    _utility1 = _jit(_utility1)
    _binary_p = _jit(_binary_p)
    _conditional = _jit(_conditional)
    _option_pce = _jit(_option_pce)
    _member_pce = _jit(_member_pce)
    _member_report = _jit(_member_report)
    _member_third = _jit(_member_third)
    _r4 = _jit(_r4)
    _state = _jit(_python_state)
    _advance = _jit(_python_advance)
else:
    _state = _python_state
    _advance = _python_advance


def fused(pce_model: str, vpm: str) -> bool:
    """True when the fused compiled turn applies: kernels enabled, PCEModel=Conditional and
    VictoryProbModel Linear or Binary (the Markov chains and powers stay on the NumPy path)."""
    return enabled() and pce_model == "Conditional" and vpm in VPMS


def state(
    x: FloatArray,
    y: FloatArray,
    s: FloatArray,
    c: FloatArray,
    members: npt.NDArray[np.int64],
    rule: str,
    vpm: str,
    brr: str,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """See :func:`_python_state`."""
    f = np.ascontiguousarray
    return _state(  # type: ignore[no-any-return]
        f(x, dtype=np.float64),
        f(y, dtype=np.float64),
        f(s, dtype=np.float64),
        f(c, dtype=np.float64),
        f(members, dtype=np.int64),
        RULES[rule],
        VPMS[vpm],
        BRRS[brr],
    )


def advance(
    v: FloatArray,
    r: FloatArray,
    own: FloatArray,
    rows: npt.NDArray[np.int64],
    x: FloatArray,
    y: FloatArray,
    s: FloatArray,
    c: FloatArray,
    w_eff: FloatArray,
    big_s: FloatArray,
    members: npt.NDArray[np.int64],
    draws: FloatArray | None,
    *,
    rule: str,
    vpm: str,
    alpha: float,
    tpc: str,
    ivb: str,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], bool]:
    """See :func:`_python_advance`; ``draws`` None for deterministic transitions."""

    def f(a: FloatArray) -> FloatArray:
        return np.ascontiguousarray(a, dtype=np.float64)

    d = np.zeros((1, 1)) if draws is None else f(draws)
    return _advance(  # type: ignore[no-any-return]
        f(v),
        f(r),
        f(own),
        np.ascontiguousarray(rows, dtype=np.int64),
        f(x),
        f(y),
        f(s),
        f(c),
        f(w_eff),
        f(big_s),
        np.ascontiguousarray(members, dtype=np.int64),
        d,
        draws is not None,
        RULES[rule],
        VPMS[vpm],
        float(alpha),
        tpc == "SemiCommit",
        IVBS[ivb],
    )
