r"""KTAB's Spatial Model of Politics (SMP) with probabilistic Condorcet elections.

Formulas: ``docs/models/smp.md`` (each step below cites its section there).

Each turn every actor estimates, from its own perspective, which other actor it can most
profitably challenge (a third-party vote over all N actors), proposes a bargain to that target,
and every actor then adopts the option (status quo or a bargain it is party to) that wins a
probabilistic Condorcet election (PCE) among all actors. The run stops when the movement of a
turn falls below 2 % of the first turn's (docs/models/smp.md#stopping-rule).

Utility of a salience-weighted distance :math:`\delta` under risk attitude :math:`R`
(docs/models/smp.md#distance-and-utility):

.. math::

    u(\delta; R) = (1 - \delta)(1 + R\,\delta), \qquad
    \delta_{ij} = \sqrt{\frac{\sum_d s_{id}^2 (y_{id} - x_{jd})^2}{\sum_d s_{id}^2}}

Positions are on KTAB's internal [0, 1] scale (0–100 in files); capabilities are used as given.

Vectorisation (docs/models/smp.md#vectorisation-and-exact-agreement): every step works on
whole ``(B, N, ...)`` arrays. The challenge step builds ``(B, N, N, N)`` arrays over (third
party, initiator, target), i.e. O(N³) per turn; bargain values use O(N²·D). Where a summation
order is prescribed (docs/models/smp.md#summation-order: coalition sums over voters,
third-party sums, the resolution columns), the summed index is the leading axis of cache-sized
blocks, which NumPy reduces strictly in index order (pairwise summation is used only along the
contiguous axis). With numba (:mod:`minilateral.models._smp_kernels`) each turn runs as one
compiled pass per batch member performing the same operations in the same order.
The resolution PCEs are grouped by the length of the option list, a Python loop over the
distinct lengths (at most about √(6N) of them), so that no padding creates an O(N⁴) term.

References
----------
.. [1] KAPSARC. *KTAB: KAPSARC Toolkit for Behavioral Analysis*, commit 3b5b063 (2019),
   https://github.com/KAPSARC/KTAB; the model's formulas are stated in ``docs/models/smp.md``.
.. [2] Wise, B. P. *Markov Voting with Incentives in KTAB*. KAPSARC design note.
.. [3] Wise, B., et al. *Multidimensional Bargaining using KTAB*. KAPSARC discussion paper.
.. [4] Efird, B., Lester, L., Wise, B. (2016). *Journal of East Asian Studies* 16, 117–145.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from minilateral.arrays import BoolArray, FloatArray, IntArray, ScenarioArrays
from minilateral.errors import ConvergenceWarning, OptionError, ScenarioError
from minilateral.forecast import Forecast
from minilateral.ktab import (
    KTAB_DEFAULT_SEED,
    NAME_ALIASES,
    VALUE_ALIASES,
    SmpInputs,
    smp_inputs,
)
from minilateral.models import _smp_kernels as _kernels
from minilateral.models.base import Interval, Model, SeedLike, check_rng
from minilateral.models.registry import register

__all__ = ["SmpInputs", "SmpModel", "SmpOptions", "SmpRun", "pce", "smp_inputs"]

log = logging.getLogger(__name__)

# Constants (docs/models/smp.md#constants).
_PCE_FLOOR = 1e-8
_CHALLENGE_FLOOR = 1e-10
_MIN_GAIN = 1e-5
_VOTE_SCALE = 1e-8
_T_BINARY = 1.10
_P_HI = 1.0 / (1.0 + 1e-6)
_P_LO = 1e-6 / (1.0 + 1e-6)
_EPS = 1e-6
_STOP_RATIO = 0.02
_STOP_FLOOR = 1e-4
_CLUSTER = 1e-3
_BAD_MEAN = "internal error: a mean status-quo value lies outside (0, 1]"
_MARKOV_STEPS = 10_000  # step-by-step iterations before the binary-lifting tail
_MARKOV_LIFTS = 48  # the tail reaches up to 2**48 further iterations
_POWERS = {"Square": 2.0, "Quartic": 4.0, "Octic": 8.0}
_ALPHA = {"None": 0.0, "OneThird": 1.0 / 3.0, "Half": 0.5, "TwoThirds": 2.0 / 3.0, "Full": 1.0}


@dataclass(frozen=True)
class SmpOptions:
    """The resolved model-level options that SMP's steps read (from :class:`SmpModel`'s).

    Attributes
    ----------
    vpm : str
        VictoryProbModel: "Linear", "Square", "Quartic", "Octic" or "Binary".
    pce : str
        PCEModel: "Conditional", "MarkovIncentive" or "MarkovUniform".
    stochastic : bool
        StateTransitions = "Stochastic".
    rule : str
        VotingRule: "Binary", "PropBin", "Prop", "PropCbc", "Cubic" or "ASymProsp".
    alpha : float
        BigRAdjust as the weight α in [0, 1] of the other actor's own risk attitude.
    brr : str
        BigRRange: "Min", "Mid" or "Max".
    tpc : str
        ThirdPartyCommit: "NoCommit", "SemiCommit" or "FullCommit".
    ivb : str
        InterVecBrgn: "S1P1", "S2P2" or "S2PMax".
    """

    vpm: str = "Linear"
    pce: str = "Conditional"
    stochastic: bool = False
    rule: str = "Prop"
    alpha: float = 1.0 / 3.0
    brr: str = "Mid"
    tpc: str = "SemiCommit"
    ivb: str = "S2P2"

    @classmethod
    def from_params(cls, p: dict[str, Any]) -> SmpOptions:
        """From :meth:`SmpModel.resolved_options` (KTAB's option names and values)."""
        return cls(
            vpm=str(p["VictoryProbModel"]),
            pce=str(p["PCEModel"]),
            stochastic=p["StateTransitions"] == "Stochastic",
            rule=str(p["VotingRule"]),
            alpha=_ALPHA[p["BigRAdjust"]],
            brr=str(p["BigRRange"]),
            tpc=str(p["ThirdPartyCommit"]),
            ivb=str(p["InterVecBrgn"]),
        )


@dataclass
class SmpRun:
    """What :func:`_run` returns for a batch of B runs.

    Attributes
    ----------
    states : list of ndarray of shape (B, N, D)
        Positions X(t) of every member at each state t = 0..T (T the longest run; members that
        stopped keep their last state).
    turns : ndarray of int, shape (B,)
        Turns played by each member.
    converged : ndarray of bool, shape (B,)
        The stopping rule (or complete consensus) ended the run.
    win_probabilities : list of ndarray of shape (T_k + 1, N)
        Per member k, the reported probabilities of each of its states 0..T_k.
    notes : list of list of str
        Per member, the notes of the run.
    flat_risk : ndarray of bool, shape (B,)
        The run ended where every position is equally likely to win (π_max = π_min), where
        KTAB aborts.
    """

    states: list[FloatArray]
    turns: IntArray
    converged: BoolArray
    win_probabilities: list[FloatArray]
    notes: list[list[str]]
    flat_risk: BoolArray

    @property
    def flat_risk_count(self) -> int:
        """The number of runs that ended on a flat risk-neutral PCE."""
        return int(self.flat_risk.sum())


# -- votes and the probabilistic Condorcet election (docs/models/smp.md#votes) -------------
def _vote(rule: str, w: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """vote(ω, a, b) (docs/models/smp.md#votes), broadcast; positive supports ``a``."""
    d = a - b
    if rule == "Prop":
        return w * d
    if rule == "Binary":
        return w * np.clip(d / _VOTE_SCALE, -1.0, 1.0)
    if rule == "PropBin":
        return w * (0.8 * d + 0.2 * np.clip(d / _VOTE_SCALE, -1.0, 1.0))
    if rule == "PropCbc":
        return w * (0.5 * d + 0.5 * (d * d * d))
    if rule == "Cubic":
        return w * (d * d * d)
    # ASymProsp
    return np.where(d < 0, w * d, np.where(d > 0, 2.0 * w * d / 3.0, 0.0))


def _pos(v: FloatArray, out: FloatArray | None = None) -> FloatArray:
    """``max(v, 0)`` elementwise (the positive part v⁺).

    NumPy's ``maximum`` and ``minimum`` have SIMD loops for two arrays but not for an array and
    a scalar, so the zero is given as an array: about twice as fast, with the same results.
    """
    return np.maximum(v, np.zeros(v.shape), out=out)


def _neg(v: FloatArray, out: FloatArray | None = None) -> FloatArray:
    """``min(v, 0)`` elementwise (−v⁻); see :func:`_pos`."""
    return np.minimum(v, np.zeros(v.shape), out=out)


_CHUNK = 1 << 15  # elements per block of an ordered sum: blocks stay in the CPU cache


def _ordered_sum(
    block: Callable[[slice], tuple[FloatArray, ...]],
    n: int,
    item: int,
    start: tuple[FloatArray | None, ...],
) -> tuple[FloatArray, ...]:
    """``start + Σ_{k=0}^{n−1} block(k)`` summed strictly in index order
    (docs/models/smp.md#summation-order).

    ``block(sl)`` returns freshly allocated terms of the indices in ``sl`` along axis 0, one
    array per sum (several sums share one pass over the terms). The sums are built block by
    block (``item`` elements per index), each term array reduced over its leading axis after
    the running total is added to its first row: ``((start + t_0) + t_1) + ...``, exactly the
    order of a scalar loop. Blocking keeps every temporary in cache.
    """
    step = max(1, _CHUNK // max(item, 1))
    acc = start
    for lo in range(0, n, step):
        terms = block(slice(lo, min(n, lo + step)))
        for t, a in zip(terms, acc, strict=True):
            if a is not None:
                t[0] += a
        acc = tuple(t[0] if len(t) == 1 else np.add.reduce(t, axis=0) for t in terms)
    assert all(a is not None for a in acc)
    return acc  # type: ignore[return-value]


def pce(w: FloatArray, u: FloatArray, opts: SmpOptions) -> FloatArray:
    r"""Probabilistic Condorcet election over M options, batched.

    Formulas: docs/models/smp.md#probabilistic-condorcet-election.

    Parameters
    ----------
    w : ndarray of shape (G, K)
        Voter weights (> 0).
    u : ndarray of shape (G, K, M)
        ``u[g, k, m]``: voter k's utility for option m.
    opts : SmpOptions
        The model-level VotingRule, VictoryProbModel and PCEModel.

    Returns
    -------
    ndarray of shape (G, M)
        Probability of each option.

    Notes
    -----
    Coalition strengths :math:`C_{mn} = 10^{-8} + \sum_k v_k^+` with
    :math:`v_k = \mathrm{vote}(\omega_k, U_{km}, U_{kn})` for m > n (and the negative parts for
    :math:`C_{nm}`), summed over voters in index order (the voter axis leads).
    """
    g, k, m = u.shape
    if m == 1:
        return np.ones((g, 1))
    # Votes and strengths are laid out (voter k, option m, option n, election g): the sums over
    # voters run over the leading axis in voter order, and the long axis of elections is
    # innermost (the elementwise steps are layout-free; only the final reductions are not).
    ut = np.ascontiguousarray(np.transpose(u, (1, 2, 0)))
    wt = np.ascontiguousarray(w.T)[:, None, None, :]

    def votes(sl: slice) -> FloatArray:
        return _vote(opts.rule, wt[sl], ut[sl, :, None, :], ut[sl, None, :, :])

    diag = np.eye(m, dtype=bool)[:, :, None]
    if opts.rule == "ASymProsp":
        # Not antisymmetric: only pairs m > n vote, for m (v⁺) or for n (v⁻).
        lower = np.tril(np.ones((m, m), dtype=bool), -1)[:, :, None]

        def parts(sl: slice) -> tuple[FloatArray, FloatArray]:
            v = votes(sl)
            pos = np.where(lower, _pos(v), 0.0)
            return pos, np.where(lower, _pos(np.negative(v, out=v), out=v), 0.0)

        pos, neg = _ordered_sum(parts, k, g * m * m, (None, None))
        c = np.where(lower, _PCE_FLOOR + pos, 0.0)
        c = c + np.swapaxes(np.where(lower, _PCE_FLOOR + neg, 0.0), 0, 1)
    else:
        # vote(ω, a, b) = −vote(ω, b, a) bit for bit, so C_nm = 1e-8 + Σ_k vote(ω_k, U_kn, U_km)⁺.

        def positive(sl: slice) -> tuple[FloatArray]:
            v = votes(sl)
            return (_pos(v, out=v),)

        if _kernels.enabled():
            total = _kernels.vote_totals(w, u, opts.rule)
        else:
            (total,) = _ordered_sum(positive, k, g * m * m, (None,))
        c = _PCE_FLOOR + total
    c = np.where(diag, _PCE_FLOOR, c)
    ct = np.swapaxes(c, 0, 1)
    if opts.vpm == "Binary":
        rho = c / (c + ct)
        p = np.where(
            c >= _T_BINARY * ct,
            _P_HI,
            np.where(
                ct >= _T_BINARY * c, _P_LO, (rho * (_T_BINARY + 1.0) - 1.0) / (_T_BINARY - 1.0)
            ),
        )
    elif opts.vpm == "Linear":
        p = c / (c + ct)
    else:
        e = _POWERS[opts.vpm]
        ce, cte = np.power(c, e), np.power(ct, e)
        p = ce / (ce + cte)
    p = np.where(diag, 0.5, p)
    if opts.pce == "Conditional":
        # Π_n P_mn in index order: n leads a contiguous (n, g, m) copy.
        r = np.multiply.reduce(np.ascontiguousarray(np.transpose(p, (1, 2, 0))), axis=0)
        shares: FloatArray = r / r.sum(axis=1, keepdims=True)
        return shares
    by_election = (2, 0, 1)
    return _markov(
        np.ascontiguousarray(np.transpose(c, by_election)),
        np.ascontiguousarray(np.transpose(p, by_election)),
        opts.pce,
    )


def _markov(c: FloatArray, p: FloatArray, model: str) -> FloatArray:
    r"""MarkovUniform / MarkovIncentive: averaged fixed-point iteration
    (docs/models/smp.md#probabilistic-condorcet-election, step 3).

    Both updates are linear, :math:`q = T p`, with
    :math:`T = (\mathrm{diag}(\sum_n P_{mn}) + P)/M` (MarkovUniform) or
    :math:`T = \mathrm{diag}(\sum_n P_{mn} Q_{nm}) + P \circ Q` (MarkovIncentive), so each
    step is one batched matrix-vector product (sums in another order than the written
    form: the results differ in the last bits only).
    """
    g, m, _ = p.shape
    if model == "MarkovIncentive":
        inc = c * p + np.where(np.eye(m, dtype=bool), 1e-10, 0.0)
        q_mat = inc / inc.sum(axis=1, keepdims=True)
        t_mat = p * q_mat
        t_mat[:, np.arange(m), np.arange(m)] += (p * np.swapaxes(q_mat, 1, 2)).sum(axis=2)
        tol = 1e-8
    else:
        t_mat = p / m
        t_mat[:, np.arange(m), np.arange(m)] += p.sum(axis=2) / m
        tol = 1e-6
    prob = np.full((g, m), 1.0 / m)
    todo = np.arange(g)
    for _ in range(_MARKOV_STEPS):
        pr = prob[todo]
        q = np.matmul(t_mat[todo], pr[:, :, None])[:, :, 0]
        delta = np.abs(q - pr).max(axis=1)
        prob[todo] = (pr + q) / 2.0
        todo = todo[delta > tol]
        if todo.size == 0:
            return prob
    # Nearly reducible chains (e.g. two tied options under Binary victory probabilities) can
    # need millions of iterations: the tail is found by binary lifting over powers of
    # A = (I + T)/2, to the last iterate whose δ exceeds tol (δ decreases geometrically there).
    for k in todo:
        prob[k] = _markov_tail(t_mat[k], prob[k], tol, model)
    return prob


def _markov_tail(t_mat: FloatArray, prob: FloatArray, tol: float, model: str) -> FloatArray:
    """Continue ``p ← (p + T·p)/2`` until ``max|T·p − p| ≤ tol``; return the next iterate."""
    step = (np.eye(len(prob)) + t_mat) / 2.0
    powers = [step]
    for _ in range(_MARKOV_LIFTS - 1):
        powers.append(powers[-1] @ powers[-1])

    def delta(v: FloatArray) -> float:
        return float(np.abs(t_mat @ v - v).max())

    for power in reversed(powers):
        candidate = power @ prob
        if delta(candidate) > tol:
            prob = candidate
    for _ in range(_MARKOV_STEPS):
        done = delta(prob) <= tol
        prob = (prob + t_mat @ prob) / 2.0
        if done:
            return prob
    raise ScenarioError(f"{model} PCE did not converge (max |q − p| stays above {tol:g})")


# -- distances, utilities, risk attitudes (docs/models/smp.md#distance-and-utility) ---------
def _squared_distances(a: FloatArray, z: FloatArray, s: FloatArray | None = None) -> FloatArray:
    """``Σ_d (s[b, i, d]·(a[b, i, d] − z[b, m, d]))²`` of shape (B, I, M); s = 1 when None.

    The issues are added in the order in which NumPy reduces a short last axis: one by one
    below 8 issues (here a loop over the issues, which avoids NumPy's slow reduction of a
    short inner axis), in NumPy's unrolled pairwise order from 8 issues (its own reduction).
    """
    d = a.shape[2]
    if d >= 8:
        t = a[:, :, None, :] - z[:, None, :, :]
        if s is not None:
            t = s[:, :, None, :] * t
        total: FloatArray = (t * t).sum(axis=3)
        return total
    num = np.zeros((a.shape[0], a.shape[1], z.shape[1]))
    for k in range(d):
        t = np.subtract(a[:, :, k, None], z[:, None, :, k])
        if s is not None:
            t *= s[:, :, k, None]
        t *= t
        num += t
    return num


def _distances(y: FloatArray, s: FloatArray, z: FloatArray) -> FloatArray:
    """``dist[b, i, m]`` from ideal ``y[b, i]`` (saliences ``s[b, i]``) to point ``z[b, m]``.

    An actor whose saliences are all 0 (possible only in mapped scenarios, never in KTAB
    files) is indifferent: its distance to every point is 0.
    """
    num = _squared_distances(y, z, s)
    den = (s * s).sum(axis=2)[:, :, None]
    dist: FloatArray
    if np.all(den > 0):
        dist = np.sqrt(num / den)
    else:
        dist = np.sqrt(np.divide(num, den, out=np.zeros_like(num), where=den > 0))
    return dist


def _utility(delta: FloatArray, r: FloatArray) -> FloatArray:
    """u(δ; R) (docs/models/smp.md#distance-and-utility); δ > 1 is reachable only by round-off."""
    u = np.multiply(r, delta, order="C")  # C order of the broadcast shape, whatever the views
    u += 1.0
    u *= 1.0 - delta
    beyond = delta > 1.0
    if beyond.any():
        u = np.where(beyond, (1.0 - delta) * (1.0 + r), u)
    return u


def _risk(pi: FloatArray, brr: str) -> FloatArray:
    """Risk attitudes R from the risk-neutral PCE; NaN when π is flat.

    Formulas: docs/models/smp.md#risk-attitudes-and-perception.
    """
    lo = pi.min(axis=1, keepdims=True)
    hi = pi.max(axis=1, keepdims=True)
    r: FloatArray
    with np.errstate(divide="ignore", invalid="ignore"):
        if brr == "Min":
            r = (pi - lo) / (hi - lo)
        elif brr == "Mid":
            r = (3.0 * pi - (hi + 2.0 * lo)) / (2.0 * (hi - lo))
        else:
            r = (2.0 * pi - (hi + lo)) / (hi - lo)
    return r


def _state_values(
    x: FloatArray, y: FloatArray, s: FloatArray, c: FloatArray, o: SmpOptions
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """V (B,N,N), the risk-neutral PCE π (B,N) and R (B,N) of a state
    (docs/models/smp.md#risk-attitudes-and-perception)."""
    v = _distances(y, s, x)
    pi = pce(c, 1.0 - v, o)
    return v, pi, _risk(pi, o.brr)


def _perception(v: FloatArray, r: FloatArray, alpha: float) -> FloatArray:
    """W[b, h, i, j] = u(V_ij; r_hi) with r_hi = (1 − α)R_h + αR_i and r_hh = R_h
    (docs/models/smp.md#risk-attitudes-and-perception).

    The result is a view whose memory is ordered (i, b, h, j), so that the slice
    ``W[:, :, n, :]`` of each third party n, which the challenge step walks through, is one
    contiguous block.
    """
    n = r.shape[1]
    rhi = (1.0 - alpha) * r[:, :, None] + alpha * r[:, None, :]
    rhi = np.where(np.eye(n, dtype=bool), r[:, :, None], rhi)
    w = _utility(np.swapaxes(v, 0, 1)[:, :, None, :], np.moveaxis(rhi, 2, 0)[:, :, :, None])
    return np.moveaxis(w, 0, 2)


# -- the turn (docs/models/smp.md#the-turn) ---------------------------------------------------
def _challenges(
    w4: FloatArray, w_eff: FloatArray, big_s: FloatArray, o: SmpOptions
) -> tuple[FloatArray, FloatArray]:
    """P_ij and G_ij of every challenge, from the initiator's perspective
    (docs/models/smp.md#challenges).

    Returns two arrays of shape (B, N, N), initiator i by target j (the diagonal is
    meaningless). The third parties' arrays are laid out (n, b, i, j): third party n first, so
    that the sums over n run in index order over the leading axis (contiguous blocks when
    ``w4`` comes from :func:`_perception`).
    """
    b, n = w_eff.shape
    idx = np.arange(n)
    own = w4[:, idx, idx, :]  # own[b, i, m] = W[i, i, m]
    u_ii = own[:, idx, idx][:, :, None]  # (b, i, 1)
    u_ij = own  # (b, i, j)
    u_ji = w4[:, idx[:, None], idx[None, :], idx[:, None]]  # W[i, j, i] (b, i, j)
    u_jj = w4[:, idx[:, None], idx[None, :], idx[None, :]]  # W[i, j, j] (b, i, j)
    e_i = _vote(o.rule, w_eff[:, :, None], u_ii, u_ij)
    e_j = _vote(o.rule, w_eff[:, None, :], u_ji, u_jj)
    k_i = _CHALLENGE_FLOOR + np.maximum(e_i, 0.0) + np.maximum(e_j, 0.0)
    k_j = _CHALLENGE_FLOOR + np.maximum(-e_i, 0.0) + np.maximum(-e_j, 0.0)
    if o.tpc == "SemiCommit":
        # Third parties: under NoCommit and FullCommit E_i = E_j exactly, so v_n = 0.
        w_n = np.ascontiguousarray(np.moveaxis(w4, 2, 0))  # W[i, n, j] as (n, b, i, j)
        u_ni_all = np.moveaxis(u_ji, 2, 0)[:, :, :, None]  # W[i, n, i] as (n, b, i, 1)
        u_nn_all = np.moveaxis(u_jj, 2, 0)[:, :, :, None]  # W[i, n, n] as (n, b, i, 1)
        w_all = np.ascontiguousarray(w_eff.T)[:, :, None, None]  # (n, b, 1, 1)

        def third_party_votes(sl: slice) -> tuple[FloatArray, FloatArray]:
            u_ni, u_nn, u_nj, wn = u_ni_all[sl], u_nn_all[sl], w_n[sl], w_all[sl]
            tau = _vote(o.rule, wn, u_ni, u_nj)
            q = _pos(tau)
            q += k_i  # K_i + τ⁺
            den = q + k_j
            den -= _neg(tau, out=tau)  # + τ⁻
            q /= den
            omq = np.subtract(1.0, q, out=den)
            e_a = 3.0 * u_nj
            e_a *= omq
            e_a += q * (2.0 * u_ni + u_nn)  # q·J_ii + (1 − q)·J_ij
            e_b = 2.0 * u_nj
            e_b += u_nn
            e_b *= omq
            q *= 3.0 * u_ni
            e_b += q  # q·J_ji + (1 − q)·J_jj
            vn = _vote(o.rule, wn, e_a, e_b)
            third = np.arange(sl.start, sl.stop)
            vn[third - sl.start, :, third, :] = 0.0  # n = i
            vn[third - sl.start, :, :, third] = 0.0  # n = j
            return _pos(vn), _pos(np.negative(vn, out=vn), out=vn)

        chi_i, chi_j = _ordered_sum(third_party_votes, n, b * n * n, (k_i, k_j))
    else:
        chi_i, chi_j = k_i, k_j
    p = chi_i / (chi_i + chi_j)
    return p, (u_ii - u_ij) * (1.0 - 2.0 * big_s[:, None, :] * (1.0 - p))


def _challenges_compiled(
    v: FloatArray,
    r: FloatArray,
    own: FloatArray,
    w_eff: FloatArray,
    big_s: FloatArray,
    o: SmpOptions,
) -> tuple[FloatArray, FloatArray]:
    """:func:`_challenges` without the perception tensor, through the compiled kernel.

    The same values bit for bit: the O(N²) perceived utilities ``W[i, j, i]`` and ``W[i, j, j]``
    are evaluated as :func:`_perception` does, and the O(N³) third-party sums by
    :func:`minilateral.models._smp_kernels.third_party_sums`, which computes each
    ``W[i, n, j]`` where it is used. ``own`` is ``W[i, i, m] = u(V_im; R_i)``.
    """
    n = r.shape[1]
    rhi = (1.0 - o.alpha) * r[:, :, None] + o.alpha * r[:, None, :]
    rhi = np.where(np.eye(n, dtype=bool), r[:, :, None], rhi)
    idx = np.arange(n)
    u_ii = own[:, idx, idx][:, :, None]  # (b, i, 1)
    u_ij = own  # (b, i, j)
    u_ji = _utility(np.swapaxes(v, 1, 2), rhi)  # W[i, j, i] = u(V_ji; r_ij)
    u_jj = _utility(v[:, idx, idx][:, None, :], rhi)  # W[i, j, j] = u(V_jj; r_ij)
    e_i = _vote(o.rule, w_eff[:, :, None], u_ii, u_ij)
    e_j = _vote(o.rule, w_eff[:, None, :], u_ji, u_jj)
    k_i = _CHALLENGE_FLOOR + np.maximum(e_i, 0.0) + np.maximum(e_j, 0.0)
    k_j = _CHALLENGE_FLOOR + np.maximum(-e_i, 0.0) + np.maximum(-e_j, 0.0)
    if o.tpc == "SemiCommit":
        chi_i, chi_j = _kernels.third_party_sums(v, rhi, u_ji, u_jj, w_eff, k_i, k_j, o.rule)
    else:
        chi_i, chi_j = k_i, k_j
    p = chi_i / (chi_i + chi_j)
    return p, (u_ii - u_ij) * (1.0 - 2.0 * big_s[:, None, :] * (1.0 - p))


def _targets(p: FloatArray, gain: FloatArray) -> tuple[IntArray, FloatArray]:
    """Target j*(i) (−1 for none: first argmax of G above 1e-5) and its P_ij, shape (B, N)."""
    n = p.shape[1]
    gain = np.where(np.eye(n, dtype=bool)[None] | ~(gain > _MIN_GAIN), -np.inf, gain)
    target = np.argmax(gain, axis=2)
    has = np.isfinite(np.take_along_axis(gain, target[:, :, None], axis=2)[:, :, 0])
    p_star = np.take_along_axis(p, target[:, :, None], axis=2)[:, :, 0]
    return np.where(has, target, -1), p_star


def _r4(z: FloatArray) -> FloatArray:
    """Round to 4 decimals on the internal scale, halves up (docs/models/smp.md#bargains)."""
    return np.floor(z * 1e4 + 0.5) / 1e4


def _bargains(
    x: FloatArray, s: FloatArray, target: IntArray, p_i: FloatArray, ivb: str
) -> tuple[FloatArray, FloatArray]:
    """Bargain points (b_i, b_j) of every initiator, shape (B, N, D) each
    (docs/models/smp.md#bargains)."""
    tgt = np.maximum(target, 0)[:, :, None]
    tj = np.take_along_axis(x, tgt, axis=1)
    sj = np.take_along_axis(s, tgt, axis=1)
    ti, si = x, s
    pi = p_i[:, :, None]
    pj = 1.0 - pi
    if ivb == "S2PMax":
        di, dj = np.maximum(pj - pi, 0.0), np.maximum(pi - pj, 0.0)
        li = di * sj * sj / (di * sj * sj + _EPS + (1.0 - di) * si * si)
        lj = dj * si * si / (dj * si * si + _EPS + (1.0 - dj) * sj * sj)
        return ti + li * (tj - ti), tj + lj * (ti - tj)
    if ivb == "S2P2":
        wi, wj = si * si * pi * pi, sj * sj * pj * pj
    else:
        wi, wj = si * pi, sj * pj
    den = wi + wj + _EPS
    return _r4(((wi + _EPS) * ti + wj * tj) / den), _r4((wi * ti + (wj + _EPS) * tj) / den)


def _resolve(
    own: FloatArray,
    y: FloatArray,
    s: FloatArray,
    c: FloatArray,
    r: FloatArray,
    x: FloatArray,
    target: IntArray,
    bi: FloatArray,
    bj: FloatArray,
    o: SmpOptions,
    draws: FloatArray | None,
) -> FloatArray:
    """New positions X(t + 1) after every actor's PCE over its options
    (docs/models/smp.md#resolution, docs/models/smp.md#summation-order)."""
    b, n, _ = x.shape
    idx = np.arange(n)
    has = target >= 0
    # Values ν[b, a, option]; columns summed in the order of the summation-order section,
    # over a leading axis.
    own_t = np.ascontiguousarray(np.moveaxis(own, 2, 0))  # (n, b, a): W[a, a, n]
    nu_sq = own_t.sum(axis=0) / n  # (b, a)
    both = _utility(_distances(y, s, np.concatenate([bi, bj], axis=1)), r[:, :, None])
    moved = both[:, :, :n] + both[:, :, n:]  # (b, a, i): u(b_i) + u(b_j)
    if _kernels.enabled():
        total = _kernels.skip_sums(moved, own, target)
    else:
        skip = (idx[:, None, None, None] == idx) | (
            idx[:, None, None, None] == target[None, :, None, :]
        )  # (n, b, 1, i)
        (total,) = _ordered_sum(
            lambda sl: (np.where(skip[sl], 0.0, own_t[sl, :, :, None]),), n, b * n * n, (moved,)
        )
    nu_b = total / n  # (b, a, i): (u(b_i) + u(b_j)) + W[a, a, 0] + ... skipping n ∈ {i, j}
    if np.any(nu_sq <= 0.0) or np.any(nu_sq > 1.0):
        raise ScenarioError(_BAD_MEAN)
    # Option lists: SQ, then the bargains k is party to, by initiator index.
    party = has[:, None, :] & (
        (idx[None, :, None] == idx[None, None, :]) | (target[:, None, :] == idx[None, :, None])
    )  # (b, k, i)
    sizes = 1 + party.sum(axis=2)
    new_x = x.copy()
    for m in np.unique(sizes[sizes > 1]):
        bb, kk = np.nonzero(sizes == m)
        inits = np.nonzero(party[bb, kk])[1].reshape(len(bb), m - 1)  # ascending per row
        cols = nu_b[bb[:, None], :, inits]  # (g, m-1, a)
        u = np.concatenate([nu_sq[bb][:, :, None], np.swapaxes(cols, 1, 2)], axis=2)
        p = pce(c[bb], u, o)
        if draws is None:
            choice = np.argmax(p, axis=1)
        else:
            above = np.cumsum(p, axis=1) > draws[bb, kk][:, None]
            choice = np.where(above.any(axis=1), np.argmax(above, axis=1), m - 1)
        moving = choice > 0
        init = inits[np.arange(len(bb)), np.maximum(choice - 1, 0)]
        point = np.where((init == kk)[:, None], bi[bb, init], bj[bb, init])
        new_x[bb[moving], kk[moving]] = point[moving]
    return new_x


def _clusters(x: FloatArray) -> IntArray:
    """Representative of each actor's cluster, shape (B, N).

    Formulas: docs/models/smp.md#reported-probabilities.

    A loop of length N over vectorised steps: each actor joins the first earlier representative
    within 1e-3, or founds a cluster.
    """
    b, n, _ = x.shape
    close = np.sqrt(_squared_distances(x, x)) < _CLUSTER
    rep = np.zeros((b, n), dtype=bool)
    owner = np.zeros((b, n), dtype=np.int64)
    for k in range(n):
        cand = close[:, k, :k] & rep[:, :k]
        joins = cand.any(axis=1)
        owner[:, k] = np.where(joins, np.argmax(cand, axis=1) if k else 0, k)
        rep[:, k] = ~joins
    return owner


def _win_probabilities(own: FloatArray, c: FloatArray, x: FloatArray, o: SmpOptions) -> FloatArray:
    """Each actor's reported winning probability, shape (B, N)
    (docs/models/smp.md#reported-probabilities)."""
    b, n, _ = x.shape
    owner = _clusters(x)
    is_rep = owner == np.arange(n)
    counts = is_rep.sum(axis=1)
    out = np.empty((b, n))
    for m in np.unique(counts):
        bb = np.nonzero(counts == m)[0]
        reps = np.nonzero(is_rep[bb])[1].reshape(len(bb), m)
        u = np.take_along_axis(own[bb], reps[:, None, :], axis=2)
        p = pce(c[bb], u, o)
        slot = np.cumsum(is_rep[bb], axis=1) - 1  # cluster number of each representative
        rep_slot = np.take_along_axis(slot, owner[bb], axis=1)
        out[bb] = np.take_along_axis(p, rep_slot, axis=1)
    return out


def _run(
    x0: FloatArray,
    s: FloatArray,
    c: FloatArray,
    accommodation: FloatArray | None,
    o: SmpOptions,
    max_turns: int,
    rng: np.random.Generator,
) -> SmpRun:
    """Run every batch member until its stopping rule or ``max_turns``
    (docs/models/smp.md#stopping-rule)."""
    b, n, _ = x0.shape
    big_s = s.sum(axis=2)
    w_eff = c * big_s
    x, y = x0.copy(), x0.copy()
    states = [x.copy()]
    turns = np.zeros(b, dtype=np.int64)
    converged = np.zeros(b, dtype=bool)
    active = np.ones(b, dtype=bool)
    first_move = np.zeros(b)
    reports: list[FloatArray] = []  # per state t, (B, N): rows of the members reported on
    notes: list[list[str]] = [[] for _ in range(b)]
    flat_risk = np.zeros(b, dtype=bool)
    t = 0
    fresh = np.arange(b)  # members with a new state t (to report on, and to advance if active)
    while fresh.size:
        xs = x[fresh]
        consensus = active[fresh] & np.all(xs == xs[:, :1], axis=(1, 2))
        for k in fresh[consensus]:
            notes[k].append(f"complete consensus at state {t}: the run ends there")
        converged[fresh[consensus]] = True
        active[fresh[consensus]] = False
        sel = active[fresh]
        fused = _kernels.fused(o.pce, o.vpm)
        if fused:
            v, r, own, report, nonfinite = _kernels.state(x, y, s, c, fresh, o.rule, o.vpm, o.brr)
            flat = nonfinite & sel
        else:
            cs = c[fresh]
            v, _, r = _state_values(xs, y[fresh], s[fresh], cs, o)
            flat = ~np.isfinite(r).all(axis=1) & sel
        for k in fresh[flat]:
            notes[k].append(
                f"turn {t}: every position is equally likely to win (π_max = π_min) although the "
                "positions differ; KTAB aborts here, the run ends at this state"
            )
        active[fresh[flat]] = False
        flat_risk[fresh[flat]] = True
        sel = sel & ~flat
        if not fused:
            r = np.where(np.isfinite(r), r, 0.0)
            own = _utility(v, r[:, :, None])  # W[a, a, m] = u(V_am; R_a), r_aa = R_a
            # Reported probabilities of state t, also for members that just stopped.
            report = _win_probabilities(own, cs, xs, o)
        reports.append(np.empty((b, n)))
        reports[-1][fresh] = report
        live = fresh[sel]
        if live.size == 0:
            break
        if t >= max_turns:
            active[live] = False
            break
        if fused:
            # The whole turn in one compiled pass per member, the same bits (issue 20).
            draws = rng.random((live.size, n)) if o.stochastic else None
            new_x, move, near, bad = _kernels.advance(
                v, r, own, np.flatnonzero(sel), x, y, s, c, w_eff, big_s, live, draws,
                rule=o.rule, vpm=o.vpm, alpha=o.alpha, tpc=o.tpc, ivb=o.ivb,
            )  # fmt: skip
            if bad:
                raise ScenarioError(_BAD_MEAN)
        else:
            own_l, r_l, v_l = own[sel], r[sel], v[sel]
            near = np.abs(own_l - (1.0 - v_l)).max(axis=(1, 2)) < 1e-6
            if _kernels.enabled():
                pg = _challenges_compiled(v_l, r_l, own_l, w_eff[live], big_s[live], o)
            else:
                pg = _challenges(_perception(v_l, r_l, o.alpha), w_eff[live], big_s[live], o)
            target, p_star = _targets(*pg)
            bi, bj = _bargains(x[live], s[live], target, p_star, o.ivb)
            draws = rng.random((live.size, n)) if o.stochastic else None
            new_x = _resolve(
                own_l, y[live], s[live], c[live], r_l, x[live], target, bi, bj, o, draws
            )
            step = new_x - x[live]
            move = np.sqrt((step * step).sum(axis=2)).sum(axis=1)
        for k in live[near]:
            notes[k].append(f"turn {t}: risk-aware utilities within 1e-6 of risk-neutral ones")
        if accommodation is None:
            new_y = new_x.copy()
        else:
            a = accommodation[live]
            keep = 1.0 - np.minimum(1.0, a.sum(axis=2))
            new_y = np.einsum("bij,bjd->bid", a, new_x) + keep[:, :, None] * y[live]
        x[live], y[live] = new_x, new_y
        t += 1
        turns[live] = t
        states.append(x.copy())
        fresh = live
        if t == 1:
            first_move[live] = move
        stop = (t >= 2) & (move / (first_move[live] + _STOP_FLOOR) < _STOP_RATIO)
        converged[live[stop]] = True
        active[live[stop]] = False
    every = np.stack(reports)  # (T + 1, B, N); member k reported on states 0..turns[k]
    probs = [every[: turns[k] + 1, k] for k in range(b)]
    return SmpRun(states, turns, converged, probs, notes, flat_risk)


def _accommodation_matrix(
    entries: Sequence[Sequence[Any]] | None, actors: tuple[str, ...]
) -> FloatArray | None:
    """The N×N matrix A from ``(adjusting, reference, value)`` triples
    (docs/models/smp.md#ktabs-file-formats, docs/models/smp.md#ideal-update)."""
    if not entries:
        return None
    index = {name: i for i, name in enumerate(actors)}
    a = np.eye(len(actors))
    for entry in entries:
        if len(entry) != 3:
            raise OptionError(
                f"accommodation entry {entry!r} is not [adjusting actor, reference actor, value]",
                field="accommodation",
            )
        who, ref, value = entry
        for name in (who, ref):
            if name not in index:
                raise OptionError(
                    f"accommodation names unknown actor '{name}'", field="accommodation"
                )
        value = float(value)
        if not 0.0 <= value <= 1.0:
            raise OptionError(
                f"accommodation A[{who}, {ref}] = {value} lies outside [0, 1]",
                field="accommodation",
            )
        a[index[who], index[ref]] = value
    sums = a.sum(axis=1)
    if (sums > 1.0 + 1e-12).any():
        i = int(np.argmax(sums))
        raise OptionError(
            f"accommodation row of '{actors[i]}' sums to {sums[i]:g} > 1",
            field="accommodation",
        )
    return a


@register
class SmpModel(Model):
    r"""KTAB's Spatial Model of Politics, vectorised over the batch (``docs/models/smp.md``).

    Options carry KTAB's names and values; aliases (``Proportional`` for ``Prop``,
    ``No`` for ``None``, ``StateTransition`` for ``StateTransitions``) are accepted.

    Parameters
    ----------
    VictoryProbModel : {"Linear", "Square", "Quartic", "Octic", "Binary"}, default="Linear"
        Pairwise victory probability from coalition strengths
        (docs/models/smp.md#probabilistic-condorcet-election, step 2).
    PCEModel : {"Conditional", "MarkovIncentive", "MarkovUniform"}, default="Conditional"
        Outcome distribution of the PCE (ibid., step 3).
    StateTransitions : {"Deterministic", "Stochastic"}, default="Deterministic"
        Adopt the most probable option, or draw it (seeded; cannot match KTAB,
        docs/models/smp.md#options-without-a-ktab-reference).
    VotingRule : {"Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"}, default="Prop"
        Vote as a function of the utility difference (docs/models/smp.md#votes). ASymProsp
        has no KTAB reference.
    BigRAdjust : {"None", "OneThird", "Half", "TwoThirds", "Full"}, default="OneThird"
        Weight α of the other actor's own risk attitude in perceived attitudes
        (docs/models/smp.md#risk-attitudes-and-perception).
        Full has no KTAB reference (KTAB aborts).
    BigRRange : {"Min", "Mid", "Max"}, default="Mid"
        Range of the risk attitudes: [0, 1], [−1/2, 1], [−1, 1] (ibid.).
    ThirdPartyCommit : {"NoCommit", "SemiCommit", "FullCommit"}, default="SemiCommit"
        Third parties' commitment (docs/models/smp.md#challenges); NoCommit and FullCommit give
        identical runs.
    InterVecBrgn : {"S1P1", "S2P2", "S2PMax"}, default="S2P2"
        Bargain interpolation (docs/models/smp.md#bargains).
    BargnModel : {"InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"}, default="InitOnlyInterp"
        Only InitOnlyInterp is run; the other two are mis-coded in KTAB and refused
        (docs/models/smp.md#ktabs-defects-reproduced-or-refused).
    accommodation : list of [str, str, float], optional
        Entries ``[adjusting actor, reference actor, A_ij]`` of the accommodation matrix A
        (identity elsewhere; XML ``IdealAdjustment``, docs/models/smp.md#ideal-update). None
        means A = I.
    max_turns : int, default=100
        Cap on turns (``--rounds``); KTAB's cap is 100 (docs/models/smp.md#stopping-rule).

    Notes
    -----
    The outcome is the position of the most probable cluster of the final state
    (docs/models/smp.md#reported-probabilities), on
    each issue's own scale. Diagnostics: ``win_probabilities`` (per state, each actor's
    reported probability that its position wins), ``notes`` (no-KTAB-reference flags,
    warnings) and, for mapped scenarios, ``salience_rescaled`` and ``imputed_cells``.

    Examples
    --------
    >>> from minilateral import forecast, load_scenario
    >>> f = forecast(load_scenario("sudan"), "smp")
    >>> f.trajectory.shape[1:], bool(f.converged[0])
    ((1, 16, 5), True)
    >>> len(f.to_dict()["win_probabilities"]) == int(f.rounds[0]) + 1
    True
    """

    @classmethod
    def memory_estimate(cls, b: int, n: int, d: int) -> int:
        """Peak bytes: (B, N, N, N) coalition tensors (measured ~23·N³ per batch member)."""
        return 24 * b * n**3 + 64 * b * n * n * max(d, 1) + 1024 * 1024

    name = "smp"
    summary = (
        "KTAB's Spatial Model of Politics: challenges, bargains and probabilistic Condorcet "
        "elections (KAPSARC KTAB)."
    )
    dynamic = True
    rounds_option = "max_turns"
    option_aliases: ClassVar[dict[str, dict[str, str]]] = VALUE_ALIASES
    option_name_aliases: ClassVar[dict[str, str]] = NAME_ALIASES
    option_constraints: ClassVar[dict[str, Interval]] = {"max_turns": Interval(0, None)}

    def __init__(
        self,
        *,
        VictoryProbModel: Literal["Linear", "Square", "Quartic", "Octic", "Binary"] = "Linear",
        PCEModel: Literal["Conditional", "MarkovIncentive", "MarkovUniform"] = "Conditional",
        StateTransitions: Literal["Deterministic", "Stochastic"] = "Deterministic",
        VotingRule: Literal["Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"] = "Prop",
        BigRAdjust: Literal["None", "OneThird", "Half", "TwoThirds", "Full"] = "OneThird",
        BigRRange: Literal["Min", "Mid", "Max"] = "Mid",
        ThirdPartyCommit: Literal["NoCommit", "SemiCommit", "FullCommit"] = "SemiCommit",
        InterVecBrgn: Literal["S1P1", "S2P2", "S2PMax"] = "S2P2",
        BargnModel: Literal["InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"] = (
            "InitOnlyInterp"
        ),
        accommodation: list[list[Any]] | None = None,
        max_turns: int = 100,
    ) -> None:
        self.VictoryProbModel = VictoryProbModel
        self.PCEModel = PCEModel
        self.StateTransitions = StateTransitions
        self.VotingRule = VotingRule
        self.BigRAdjust = BigRAdjust
        self.BigRRange = BigRRange
        self.ThirdPartyCommit = ThirdPartyCommit
        self.InterVecBrgn = InterVecBrgn
        self.BargnModel = BargnModel
        self.accommodation = accommodation
        self.max_turns = max_turns

    @classmethod
    def coerce_options(cls, raw: dict[str, Any]) -> dict[str, Any]:
        """As :meth:`Model.coerce_options`, also accepting KTAB's alias ``StateTransition``."""
        renamed = {NAME_ALIASES.get(key, key): value for key, value in raw.items()}
        if "accommodation" in renamed and isinstance(renamed["accommodation"], str):
            raise OptionError(
                "the accommodation matrix cannot be given with --set; put it in the scenario "
                "(XML IdealAdjustment or model_options.smp.accommodation)",
                field="accommodation",
            )
        return super().coerce_options(renamed)

    @classmethod
    def _resolve(cls, params: dict[str, Any]) -> dict[str, Any]:
        """Refuse KTAB's two mis-coded bargaining models.

        See docs/models/smp.md#ktabs-defects-reproduced-or-refused.
        """
        if params["BargnModel"] != "InitOnlyInterp":
            raise OptionError(
                f"BargnModel={params['BargnModel']} is refused: KTAB mis-codes it "
                "(InitRcvrInterp uses a utility change where a probability belongs; "
                "PWCompInterp weighs both sides with the initiator's capability)",
                field="BargnModel",
            )
        return params

    def uses_random_stream(self) -> bool:
        """True with ``StateTransitions=Stochastic`` (the next state is drawn)."""
        return bool(self.resolved_options()["StateTransitions"] == "Stochastic")

    def forecast(self, arrays: ScenarioArrays, rng: SeedLike = None) -> Forecast:
        """Run SMP on every scenario of the batch; see the class docstring."""
        p = self.resolved_options()
        o = SmpOptions.from_params(p)
        inputs = smp_inputs(arrays)
        a = _accommodation_matrix(p["accommodation"], arrays.actors)
        if a is not None:
            a = np.broadcast_to(a, (arrays.batch_size, *a.shape))
        generator = check_rng(KTAB_DEFAULT_SEED if rng is None else rng)
        with np.errstate(over="ignore", under="ignore"):
            run = _run(
                inputs.positions,
                inputs.salience,
                inputs.capability,
                a,
                o,
                int(p["max_turns"]),
                generator,
            )
        turns, converged, probs = run.turns, run.converged, run.win_probabilities
        flags = []
        if o.rule == "ASymProsp":
            flags.append("VotingRule=ASymProsp has no KTAB reference (KTAB is not reproducible)")
        if p["BigRAdjust"] == "Full":
            flags.append("BigRAdjust=Full has no KTAB reference (KTAB always aborts)")
        if o.stochastic:
            flags.append("Stochastic runs use NumPy's PCG64 and cannot match KTAB's")
        if run.flat_risk_count:
            warnings.warn(
                f"smp: {run.flat_risk_count} of {arrays.batch_size} run(s) ended where every "
                "position is equally likely to win (π_max = π_min, where KTAB aborts; see "
                "'notes')",
                ConvergenceWarning,
                stacklevel=2,
            )
        hit_cap = ~converged & (turns >= int(p["max_turns"]))
        if hit_cap.any() and int(p["max_turns"]) > 0:
            warnings.warn(
                f"smp: {int(hit_cap.sum())} of {arrays.batch_size} run(s) reached the cap of "
                f"{p['max_turns']} turns before the stopping rule",
                ConvergenceWarning,
                stacklevel=2,
            )
        traj = np.stack(run.states)  # (T+1, B, N, D), unit scale
        b_idx = np.arange(arrays.batch_size)
        final = traj[turns, b_idx]
        last_probs = np.stack([pr[-1] for pr in probs])
        best = np.argmax(last_probs, axis=1)
        outcome = final[b_idx, best]
        if inputs.imputed.any():
            traj = np.where(inputs.imputed[None], np.nan, traj)
        trajectory = arrays.from_unit(traj)
        diagnostics: dict[str, Any] = {
            "win_probabilities": probs,
            "notes": [flags + n for n in run.notes],
            "flat_risk": run.flat_risk,
        }
        if inputs.rescaled.any():
            diagnostics["salience_rescaled"] = [
                [arrays.actors[i] for i in np.nonzero(row)[0]] for row in inputs.rescaled
            ]
        if inputs.imputed.any():
            diagnostics["imputed_cells"] = list(inputs.imputed.sum(axis=(1, 2)))
        return Forecast(
            model=self.name,
            options=p,
            outcome=arrays.from_unit(outcome),
            actors=arrays.actors,
            issues=arrays.issues,
            rounds=turns,
            converged=converged,
            trajectory=trajectory,
            diagnostics=diagnostics,
        )
