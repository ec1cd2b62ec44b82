"""Compiled (numba) kernels of SMP's and BDM's heaviest sums, bit-identical to the NumPy path.

SMP: the third-party step, the PCE coalition strengths and the resolution values; BDM: the vote
margins of §4.5 (``bdm_vote_margins``, without the N³ voter tensor). Optional: used by
:mod:`minilateral.models.smp` and :mod:`minilateral.models.bdm` when ``numba`` is importable
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
    "bdm_vote_margins",
    "enabled",
    "skip_sums",
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
    r"""χ_i, χ_j of spec §5.6: :math:`K + \sum_{n \ne i, j} v_n^\pm` summed in index order of n.

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
    """``vote(ω, a, b)`` of spec §5.2 for ``d = a − b``, as ``smp._vote`` evaluates it."""
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
    r"""``total[m, n, g] = Σ_k vote(ω_k, U_km, U_kn)⁺`` over voters k in index order (§5.3).

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
    """``moved[b, a, i] + Σ_n own[b, a, n]`` over n ∉ {i, j*(i)} in index order (§5.8, §7).

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


def _python_vote_margins(
    tt: FloatArray, wt: FloatArray, mask: FloatArray, use_mask: bool
) -> tuple[FloatArray, FloatArray]:
    """BDM's vote margins (``bdm._vote_margins``): ``num[i, j, g]`` and ``total[g]``.

    ``tt[k, a, g]`` exponentiated distances, ``wt[k, g]`` weights, ``mask[i, j, g]`` 1.0/0.0
    for valid pairs (used when ``use_mask``). Terms ``v = (tt[k, j] − tt[k, i])·w_k (·mask)``;
    ``num`` sums ``v⁺`` over k in index order, ``total`` sums ``|v|`` over (k, i, j) in that
    flattened order, each issue g in its own lane, as NumPy reduces the (k, i, j, g) tensor.
    """
    n_count, _, g_count = tt.shape
    num = np.zeros((n_count, n_count, g_count))
    total = np.zeros(g_count)
    for k in range(n_count):
        wk = wt[k]
        tk = tt[k]
        for i in range(n_count):
            ti = tk[i]
            for j in range(n_count):
                tj = tk[j]
                row = num[i, j]
                mij = mask[i, j]
                for g in range(g_count):
                    d = tj[g] - ti[g]
                    d *= wk[g]
                    if use_mask:
                        d *= mij[g]
                    total[g] += abs(d)
                    row[g] += 0.0 if d <= 0.0 else d
    return num, total


_vote_margins = _jit(_python_vote_margins) if AVAILABLE else _python_vote_margins


def bdm_vote_margins(
    tt: FloatArray, wt: FloatArray, mask: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    """See :func:`_python_vote_margins`; ``mask`` None means every pair counts."""
    c = np.ascontiguousarray
    m = np.zeros((1, 1, 1)) if mask is None else c(mask, dtype=np.float64)
    return _vote_margins(  # type: ignore[no-any-return]
        c(tt, dtype=np.float64), c(wt, dtype=np.float64), m, mask is not None
    )
