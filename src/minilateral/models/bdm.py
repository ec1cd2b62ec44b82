r"""Bueno de Mesquita's expected-utility ("challenge") model, Scholz et al.'s reconstruction.

Implements docs/models/bdm.md: every issue is bargained separately; in each round every actor
computes its risk exponent from the danger it is in (docs/models/bdm.md#risk-exponents), the
expected utility of challenging and of being challenged by every other actor
(docs/models/bdm.md#expected-utility-of-a-challenge), derives at most one move from the octant
classification of those two numbers (docs/models/bdm.md#offers, docs/models/bdm.md#selection), and
all moves are applied at once. The forecast is the capability × salience weighted median of the
positions at the stopping round (docs/models/bdm.md#record-and-stop).

The core works on a flat batch of G = B·D independent issues, shape (G, N): every (scenario,
issue) pair is one bargaining problem, and all of them advance together, one NumPy expression
per step. Python loops only over rounds (and over cache-sized chunks of G). Each issue is
bargained over its participants only: issues are grouped by participant count, and a chunk
holds each issue's participants first, in input order (absent actors add only exact zeros to
the sums below, so dropping them changes no bit, and the O(N³) voter tensor shrinks).
With numba installed (``minilateral[fast]``) the whole run is one compiled call instead,
:mod:`minilateral.models._bdm_kernels`, identical to the last bit
(docs/models/bdm.md#compiled-kernel).

Summation order (docs/models/bdm.md#summation-order-and-pow). Every sum the dynamics depend on
(probability numerators, the normaliser D, danger levels, cumulative weights of the median) is an
ordered reduction, left to right in input order, as in the reference code; so the model reproduces
the spec's DEU values exactly, not only within their tolerance. D is computed once per pass, never
per pair. Memory grows as N² per issue: the voter tensor is built in blocks of voters (or not at
all, with the optional compiled kernel), see :func:`memory_plan`.

References
----------
.. [1] Bueno de Mesquita, B. (1994). Political forecasting: an expected utility method. In
   B. Bueno de Mesquita & F. N. Stokman (eds), *European Community Decision Making*, ch. 4.
   New Haven: Yale University Press.
.. [2] Bueno de Mesquita, B. (1985). The war trap revisited: a revised expected utility model.
   *American Political Science Review* 79(1), 156–177.
.. [3] Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011). Unravelling Bueno de Mesquita's group
   decision model. *Journal of Theoretical Politics* 23(4), 510–531.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt

from minilateral.arrays import BoolArray, FloatArray, IntArray, ScenarioArrays
from minilateral.errors import ConvergenceWarning, ScenarioError
from minilateral.forecast import Forecast
from minilateral.models import _bdm_kernels as _kernels
from minilateral.models.base import Interval, Model, SeedLike
from minilateral.models.baselines import lower_weighted_median, weighted_mean
from minilateral.models.registry import register

__all__ = [
    "MOVE_COLUMNS",
    "MOVE_KINDS",
    "BDMModel",
    "BDMRun",
    "BdmOffers",
    "BdmOptions",
    "bdm_rounds",
    "first_round_offers",
    "memory_plan",
]

_PRESETS: dict[str, dict[str, object]] = {
    "scholz_code": {
        "probability": "scholz_code",
        "perspective": "receiver",
        "selection": "scholz_code",
        "capitulation": False,
    },
    "printed": {
        "probability": "printed",
        "perspective": "own",
        "selection": "least_movement",
        "capitulation": True,
    },
}
# none, lost conflict, compromise, capitulation (docs/models/bdm.md#offers)
MOVE_KINDS = (0, 1, 2, 3)
MOVE_COLUMNS = ("round", "actor", "issue", "kind", "opponent", "position")
_FLAT_S = 1e-12  # docs/models/bdm.md#risk-exponents: danger levels this close count as equal
_CHUNK_CELLS = 1 << 17  # G·N³ voter-tensor elements per chunk (1 MiB): measured fastest
_VOTER_CELLS = 1 << 22  # at most this many voter-tensor cells at once (32 MiB per buffer)


@dataclass(frozen=True)
class BdmOptions:
    """bdm's validated options with the variant's preset applied (:meth:`BDMModel.options`)."""

    variant: Literal["scholz_code", "printed"]
    probability: Literal["scholz_code", "printed"]
    perspective: Literal["receiver", "own"]
    selection: Literal["scholz_code", "least_movement"]
    capitulation: bool
    Q: float
    stopping: Literal["fixed", "converged"]
    rounds: int
    eps: float
    K: int


@dataclass(frozen=True)
class _Rules:
    """The switches the per-round steps read: the part of :class:`BdmOptions` they need.

    Defaults are those of the ``scholz_code`` variant (docs/models/bdm.md#options).
    """

    Q: float = 1.0
    probability: str = "scholz_code"
    perspective: str = "receiver"
    selection: str = "scholz_code"
    capitulation: bool = False


@dataclass(frozen=True)
class BDMRun:
    """Result of :func:`bdm_rounds` on G independent issues.

    Attributes
    ----------
    positions : ndarray of shape (T + 1, G, N)
        Positions per round (round 0 = input); after an issue stopped, its last state repeats.
    median, mean : ndarray of shape (T + 1, G)
        c·s-weighted (lower) median and mean of the positions of each round.
    risk : ndarray of shape (T, G, N)
        Risk exponents of rounds 1…T; NaN for absent actors and after the issue stopped.
    rounds : ndarray of int, shape (G,)
        Stopping round of each issue.
    converged : ndarray of bool, shape (G,)
        True where a fixed point or the ``converged`` rule stopped the issue.
    kinds, opponents : ndarray of shape (T, G, N)
        Each actor's move per round: its kind (:data:`MOVE_KINDS`: 0 none, 1 lost conflict,
        2 compromise, 3 capitulation) and the opponent's index (−1 for none).
    """

    positions: FloatArray
    median: FloatArray
    mean: FloatArray
    risk: FloatArray
    rounds: IntArray
    converged: BoolArray
    kinds: npt.NDArray[np.int8]
    opponents: IntArray


def _median(x: FloatArray, w: FloatArray, m: BoolArray) -> FloatArray:
    """Lower c·s-weighted median (docs/models/baselines.md) of each of G issues, shape (G,)."""
    return lower_weighted_median(x[:, :, None], w[:, :, None], m[:, :, None])[:, 0]


def _mean(x: FloatArray, w: FloatArray, m: BoolArray) -> FloatArray:
    """c·s-weighted mean (docs/models/baselines.md) of each of G issues, unweighted where all
    weights vanish."""
    return weighted_mean(x[:, :, None], w[:, :, None], m[:, :, None])[:, 0]


class _Scratch:
    """A buffer for the voter tensors of :func:`_vote_margins`, reused across calls.

    Those tensors are large (2·G·N³ floats); allocated afresh on every call, the allocator hands
    their pages back to the system and every call page-faults them in again, which costs more
    than the arithmetic.
    """

    def __init__(self) -> None:
        self._buffer = np.empty(0)

    def take(self, size: int) -> FloatArray:
        """A 1-d view of ``size`` uninitialised floats (contents of earlier calls are lost)."""
        if self._buffer.size < size:
            self._buffer = np.empty(size)
        return self._buffer[:size]


def _vote_margins(
    t: FloatArray,
    w: FloatArray,
    pair: BoolArray,
    *,
    all_pairs: bool = False,
    scratch: _Scratch | None = None,
) -> tuple[FloatArray, FloatArray]:
    r"""Vote margins of docs/models/bdm.md#probabilities: numerators (G, N, N) and the normaliser D
    (G,).

    ``num[g, i, j]`` :math:`= \sum_k \max(0, v_k(x_i, x_j))` and
    :math:`D = \sum_k \sum_a \sum_b |v_k(x_a, x_b)|` with
    :math:`v_k(a, b) = w_k [t_{kb} - t_{ka}]`, where ``t[g, k, a]`` is voter k's
    (exponentiated) distance to actor a's position; pairs outside ``pair`` count 0.
    ``all_pairs=True`` asserts that every actor takes part, so that the pairs outside ``pair``
    are those of equal positions, whose margins are exact zeros already; the mask is then
    not applied. ``scratch`` supplies the working memory.

    Both are ordered reductions, left to right in input order as in the reference code
    (docs/models/bdm.md#summation-order-and-pow): the voter tensor is laid out (k, i, j, g), so the
    sum over k runs over the outer
    axis, and D is a reduction over the flattened (k, a, b) axes, also the outer one. D is
    computed once per pass, never per pair. Beyond ``_VOTER_CELLS`` cells the tensor is built
    in blocks of voters, each block's sums started from the running totals (the same order,
    so the same bits); with numba (:mod:`minilateral.models._bdm_kernels`) the same sums are
    compiled loops and no tensor is built.
    """
    n, g = t.shape[1], t.shape[0]
    if _kernels.enabled():  # the same sums, compiled, without the voter tensor
        mask_f = None if all_pairs else pair.transpose(1, 2, 0).astype(np.float64)
        num_c, total_c = _kernels.vote_margins(t.transpose(1, 2, 0), w.T, mask_f)
        return num_c.transpose(2, 0, 1), total_c
    # Voters per block: the whole tensor in one block when it is at most _VOTER_CELLS cells
    # (the usual case), else blocks of voters, each block's sums started from the running
    # totals (added to its first row), which is the same left-to-right order bit for bit.
    step = max(1, min(n, _VOTER_CELLS // max(1, n * n * g)))
    size = step * n * n * g
    columns = 2 if g == 1 else g  # a single column would be summed pairwise; two are in order
    buffer = np.empty(size + step * n * n * columns) if scratch is None else (
        scratch.take(size + step * n * n * columns)
    )  # fmt: skip
    tt = t.transpose(1, 2, 0)  # (k, a, g)
    wt = w.T[:, None, None, :]
    mask = None if all_pairs else pair.transpose(1, 2, 0)[None]
    num: FloatArray | None = None
    total: FloatArray | None = None
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        rows = (hi - lo) * n * n
        # v[k, i, j, g] = t[g, k, j] - t[g, k, i], in C order: the reduced axes must be the
        # outer ones in memory, or NumPy sums them pairwise instead of in order.
        v = np.subtract(
            tt[lo:hi, None, :, :],
            tt[lo:hi, :, None, :],
            out=buffer[: rows * g].reshape(hi - lo, n, n, g),
        )
        v *= wt[lo:hi]
        if mask is not None:
            v *= mask
        flat = buffer[size : size + rows * columns].reshape(rows, columns)
        np.abs(v.reshape(rows, g), out=flat[:, :g])
        if columns > g:
            flat[:, g:] = flat[:, :g]
        if total is not None:
            flat[0, :g] += total
        total = np.add.reduce(flat, axis=0)[:g]
        np.maximum(v, 0.0, out=v)
        if num is not None:
            v[0] += num
        num = np.add.reduce(v, axis=0) if hi - lo > 1 else v[0].copy()
    assert num is not None
    assert total is not None
    num = num.transpose(2, 0, 1)
    return num, total


def _probabilities(
    dist: FloatArray,
    r: FloatArray | None,
    w: FloatArray,
    pair: BoolArray,
    printed: bool,
    *,
    all_pairs: bool = False,
    scratch: _Scratch | None = None,
) -> FloatArray:
    r"""Probability ``P[g, i, j]`` that i prevails over j (docs/models/bdm.md#probabilities).

    ``scholz_code``: :math:`P_{ij} = \sum_k \max(0, v_k(x_i, x_j)) / D` with
    :math:`v_k(a, b) = w_k [d(x_k, b)^{r_k} - d(x_k, a)^{r_k}]` and
    :math:`D = \sum_k \sum_{a,b} |v_k(x_a, x_b)|`. ``printed``: eq. 30/31 of Scholz et al.,
    linear and normalised per pair, 0.5 where the pair's denominator vanishes.
    """
    # t[g, k, a] = d(x_k, x_a)^{r_k}; r = None means every exponent is 1 (the first pass).
    t = dist if printed or r is None else _pow(dist, r[:, :, None])
    num, total = _vote_margins(t, w, pair, all_pairs=all_pairs, scratch=scratch)
    if printed:
        den = num + num.transpose(0, 2, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(den > 0, num / den, 0.5)
        return np.where(pair, p, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total[:, None, None] > 0, num / total[:, None, None], 0.0)


def _pow(base: FloatArray, exponent: FloatArray | float) -> FloatArray:
    """``base ** exponent`` through the C library's ``pow`` (``numpy.float_power``).

    ``numpy.power`` may use a SIMD routine that differs from ``pow`` in the last bit for a few
    per cent of arguments; the model's strict comparisons amplify such differences, and the
    spec's reference values were computed with ``pow``.
    """
    return np.float_power(base, exponent)


def _utilities(base: FloatArray, rho: FloatArray | float) -> FloatArray:
    """``2 − 4·base^ρ`` (docs/models/bdm.md#expected-utility-of-a-challenge); exact for ρ = 1
    without a power."""
    if isinstance(rho, float) and rho == 1.0:
        return 2.0 - 4.0 * base
    return 2.0 - 4.0 * _pow(base, rho)


def _base_utilities(
    half: FloatArray, rho: FloatArray | float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``U_s``, ``U_f`` and ``U_sq`` of docs/models/bdm.md#expected-utility-of-a-challenge for
    challenger–target half-distances ``half``.

    ``half`` is ``0.5·|x_i − x_j| / Δ`` (the reference's rounding); ``rho`` the exponent of
    the perspective. The distance is symmetric, so one set serves E(i→j) and E(j→i).
    """
    return (
        _utilities(0.5 - half, rho),
        _utilities(0.5 + half, rho),
        _utilities(np.asarray(0.5), rho),
    )


def _unchallenged(
    d: FloatArray, dmu: FloatArray, helps: BoolArray, rho: FloatArray | float
) -> FloatArray:
    """``T·U_b + (1 − T)·U_w`` of docs/models/bdm.md#expected-utility-of-a-challenge: the target
    moves toward μ by itself."""
    spread = 0.25 * (dmu + d)
    return np.where(helps, _utilities(0.5 - spread, rho), _utilities(0.5 + spread, rho))


def _expected_utility(
    p: FloatArray,
    base: tuple[FloatArray, FloatArray, FloatArray],
    s_target: FloatArray,
    q: float,
    unchallenged: FloatArray | None = None,
) -> FloatArray:
    r"""Expected utility of a challenge (docs/models/bdm.md#expected-utility-of-a-challenge),
    elementwise over (challenger, target) pairs.

    .. math::
        E = s_j [P U_s + (1 - P) U_f] + (1 - s_j) U_s - Q U_{sq} - (1 - Q)[T U_b + (1 - T) U_w]

    ``base`` holds :math:`U_s, U_f, U_{sq}` (:func:`_base_utilities`); ``unchallenged`` the
    bracket of the last term (needed only when Q < 1).
    """
    u_s, u_f, u_sq = base
    e = s_target * (p * u_s + (1.0 - p) * u_f) + (1.0 - s_target) * u_s - q * u_sq
    if q < 1.0:
        assert unchallenged is not None
        e = e - (1.0 - q) * unchallenged
    return e


def _danger(e1: FloatArray, valid: BoolArray) -> FloatArray:
    r"""Danger levels :math:`S_i = \sum_{j \ne i, x_j \ne x_i} E_1(j \to i)`
    (docs/models/bdm.md#risk-exponents), (G, N)."""
    danger: FloatArray = np.add.reduce(np.ascontiguousarray(np.where(valid, e1, 0.0)), axis=1)
    return danger


def _risk_exponents(danger: FloatArray, m: BoolArray) -> FloatArray:
    r"""Risk exponents from the danger levels S of the first pass
    (docs/models/bdm.md#risk-exponents).

    :math:`R_i = (2 S_i - S_{max} - S_{min}) / (S_{max} - S_{min})`,
    :math:`r_i = (1 - R_i/3) / (1 + R_i/3)`; all 1 when the danger levels are flat.
    """
    s_max = np.max(np.where(m, danger, -np.inf), axis=1, keepdims=True)
    s_min = np.min(np.where(m, danger, np.inf), axis=1, keepdims=True)
    spread = s_max - s_min
    flat = spread <= _FLAT_S * np.maximum(1.0, np.maximum(np.abs(s_max), np.abs(s_min)))
    with np.errstate(invalid="ignore", divide="ignore"):
        big_r = (2.0 * danger - s_max - s_min) / spread
    r = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
    return np.where(flat | ~m, 1.0, r)


def _round(
    x: FloatArray,
    s: FloatArray,
    w: FloatArray,
    m: BoolArray,
    delta: FloatArray,
    opts: _Rules,
    scratch: _Scratch | None = None,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int8], IntArray]:
    """One round on G issues: new positions, risk exponents, kind and opponent of each move."""
    a, b, r, pair = _offers(x, s, w, m, delta, opts, scratch)
    new, kind, opponent = _choose(x, m, a, b, pair, opts)
    return new, np.where(m, r, np.nan), kind, opponent


def _offers(
    x: FloatArray,
    s: FloatArray,
    w: FloatArray,
    m: BoolArray,
    delta: FloatArray,
    opts: _Rules,
    scratch: _Scratch | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """Both passes of a round (docs/models/bdm.md#what-the-model-does steps 1–3).

    Returns ``a[g, i, j] = E(i→j)`` and ``b[g, i, j] = E(j→i)`` from receiver i's point of view
    (docs/models/bdm.md#offers), the risk exponents r (G, N) and the mask of valid pairs (both
    present, apart).
    """
    q = opts.Q
    printed = opts.probability == "printed"
    gap = np.abs(x[:, :, None] - x[:, None, :])
    dist = gap / delta[:, None, None]
    half = 0.5 * gap / delta[:, None, None]
    pair = m[:, :, None] & m[:, None, :] & (x[:, :, None] != x[:, None, :])
    # the unchallenged target's move toward the median (needed only when Q < 1)
    moving: tuple[FloatArray, BoolArray] | None = None
    if q < 1.0:
        mu = _median(x, w, m)
        gap_mu = np.abs(x - mu[:, None])
        moving = (
            (gap_mu / delta[:, None])[:, :, None],
            gap_mu[:, :, None] < np.abs(x[:, :, None] - x[:, None, :]),
        )
    s_t = s[:, None, :]  # salience of the target (column)
    # First pass (docs/models/bdm.md#what-the-model-does step 2): all exponents 1.
    all_pairs = bool(m.all())
    p1 = _probabilities(dist, None, w, pair, printed, all_pairs=all_pairs, scratch=scratch)
    tail = None if moving is None else _unchallenged(dist, *moving, 1.0)
    e1 = _expected_utility(p1, _base_utilities(half, 1.0), s_t, q, tail)
    r = _risk_exponents(_danger(e1, pair), m)
    # Second pass (docs/models/bdm.md#what-the-model-does step 3, docs/models/bdm.md#offers).
    p2 = p1 if printed else (
        _probabilities(dist, r, w, pair, printed, all_pairs=all_pairs, scratch=scratch)
    )  # fmt: skip
    rho_i = r[:, :, None]
    base = _base_utilities(half, rho_i)
    tail = None if moving is None else _unchallenged(dist, *moving, rho_i)
    a = _expected_utility(p2, base, s_t, q, tail)
    if opts.perspective == "own":
        b = a.transpose(0, 2, 1)  # E_{r_j}(j→i)
    else:
        # E_{r_i}(j→i): challenger j, target i, evaluated with the receiver's exponent r_i.
        if moving is not None:
            dmu, helps = moving
            tail = _unchallenged(dist, dmu.transpose(0, 2, 1), helps.transpose(0, 2, 1), rho_i)
        b = _expected_utility(p2.transpose(0, 2, 1), base, s[:, :, None], q, tail)
    return a, b, r, pair


def _choose(
    x: FloatArray,
    m: BoolArray,
    a: FloatArray,
    b: FloatArray,
    pair: BoolArray,
    opts: _Rules,
) -> tuple[FloatArray, npt.NDArray[np.int8], IntArray]:
    """Each actor's move from the offers ``a = E(i→j)``, ``b = E(j→i)`` (docs/models/bdm.md#offers,
    docs/models/bdm.md#selection).

    Returns the new positions, the kind of move (0 none, 1 lost conflict, 2 compromise,
    3 capitulation) and the opponent's index (−1 for none), each of shape (G, N).
    """
    xi, xj = x[:, :, None], x[:, None, :]
    abs_a = np.abs(a)
    conflict = pair & (b > a) & (a > 0.0)
    soft = pair & (a < 0.0) & (b > 0.0)
    compromise = soft & (b > abs_a)
    step = np.abs(xj - xi)
    pick_conflict = np.argmin(np.where(conflict, step, np.inf), axis=2)
    if opts.selection == "scholz_code":
        abs_b = np.abs(b)
        with np.errstate(invalid="ignore", divide="ignore"):
            key = (abs_a * xi + abs_b * xj) / (abs_a + abs_b)
    else:
        key = step * np.abs(a / np.where(b != 0.0, b, 1.0))
    pick_compromise = np.argmin(np.where(compromise, key, np.inf), axis=2)
    has_conflict, has_compromise = conflict.any(axis=2), compromise.any(axis=2)
    if opts.capitulation:
        capitulate = soft & ~compromise
        pick_capitulate = np.argmin(np.where(capitulate, step, np.inf), axis=2)
        has_capitulation = capitulate.any(axis=2) & m
    else:
        pick_capitulate, has_capitulation = pick_conflict, np.zeros_like(m)

    def at(values: FloatArray, index: IntArray) -> FloatArray:  # values[g, i, index[g, i]]
        return np.take_along_axis(values, index[:, :, None], axis=2)[:, :, 0]

    def position(index: IntArray) -> FloatArray:  # x[g, index[g, i]]
        return np.take_along_axis(x, index, axis=1)

    # the fraction |a/b| of the way to the chosen compromise partner (docs/models/bdm.md#offers),
    # for that pair only
    a_c, b_c = at(a, pick_compromise), at(b, pick_compromise)
    ratio = np.abs(a_c / np.where(b_c != 0.0, b_c, 1.0))
    new = np.where(
        has_conflict,
        position(pick_conflict),
        np.where(
            has_compromise,
            x + (position(pick_compromise) - x) * ratio,
            np.where(has_capitulation, position(pick_capitulate), x),
        ),
    )
    kind = np.where(has_conflict, 1, np.where(has_compromise, 2, np.where(has_capitulation, 3, 0)))
    opponent = np.where(
        has_conflict,
        pick_conflict,
        np.where(has_compromise, pick_compromise, np.where(has_capitulation, pick_capitulate, -1)),
    )
    return np.where(m, new, x), kind.astype(np.int8), opponent


def _chunks(idx: IntArray, count: IntArray) -> Iterator[tuple[IntArray, int]]:
    """Split issues ``idx`` (sorted by participant count) into cache-sized chunks.

    Yields each chunk's issues and its width, the largest participant count in it: the chunk
    is bargained over that many actors, each issue's participants first. Dropping the absent
    actors is exact: their terms in every ordered sum of docs/models/bdm.md#summation-order-and-pow
    are zeros.
    """
    cubes = count[idx].astype(np.int64) ** 3
    start = 0
    while start < idx.size:
        cells = np.arange(1, idx.size - start + 1) * cubes[start:]
        # at least 16 issues a chunk, fewer where 16 cubes exceed _VOTER_CELLS (large N)
        widest = int(cubes[min(idx.size, start + 16) - 1])
        least = max(1, min(16, _VOTER_CELLS // max(1, widest)))
        stop = start + max(least, int(np.searchsorted(cells, _CHUNK_CELLS, side="right")))
        sel = idx[start:stop]
        yield sel, int(count[sel[-1]])
        start = stop


def memory_plan(b: int, n: int, d: int, rounds: int = 10) -> int:
    """Peak working memory in bytes of :func:`bdm_rounds` on B scenarios × D issues, N actors.

    The voter tensor is built in blocks of voters of at most ``_VOTER_CELLS`` cells (two
    buffers of 8 bytes a cell), so memory grows as N² per issue, not N³: about 40 pairwise
    (issues of a chunk × N × N) float64 arrays are alive during a round, plus the per-round
    outputs (positions, risk exponents, opponents: 8 bytes each; kinds: 1 byte) and the
    forecast's trajectory.
    """
    g = max(1, b * max(d, 1))
    cube = n**3
    least = max(1, min(16, _VOTER_CELLS // max(1, cube)))
    chunk = min(g, max(least, _CHUNK_CELLS // max(1, cube)))
    voters = 8 * 2 * min(chunk * cube, max(_VOTER_CELLS, 2 * chunk * n * n))
    pairs = 40 * 8 * chunk * n * n
    outputs = (rounds + 1) * g * n * (3 * 8 + 1) + 4 * (rounds + 1) * g * n * 8
    return voters + pairs + outputs + (1 << 20)


@dataclass(frozen=True)
class BdmOffers:
    """First-round expected utilities of :func:`first_round_offers` on G issues.

    Attributes
    ----------
    challenge : ndarray of shape (G, N, N)
        ``challenge[g, i, j]`` = :math:`E_i(i \\to j)`, receiver i's expected utility of
        challenging j (docs/models/bdm.md#what-the-model-does, docs/models/bdm.md#offers).
    challenged : ndarray of shape (G, N, N)
        ``challenged[g, i, j]`` = :math:`E(j \\to i)` from i's point of view (with
        ``perspective="own"``, j's own :math:`E_j(j \\to i)`).
    risk : ndarray of shape (G, N)
        Risk exponents r of the first round; NaN for absent actors.
    valid : ndarray of bool, shape (G, N, N)
        Pairs that can meet: both take part and hold different positions.
    """

    challenge: FloatArray
    challenged: FloatArray
    risk: FloatArray
    valid: BoolArray


def first_round_offers(
    x: FloatArray,
    s: FloatArray,
    c: FloatArray,
    m: BoolArray,
    *,
    Q: float = 1.0,  # noqa: N803 - the spec's name
    probability: str = "scholz_code",
    perspective: str = "receiver",
) -> BdmOffers:
    """The expected utilities behind bdm's first round, as a diagnostic
    (docs/models/bdm.md#what-the-model-does steps 1–3, docs/models/bdm.md#offers).

    The same computation as the first round of :func:`bdm_rounds` (both passes: risk exponents
    from the first, expected utilities from the second), stopped before anyone moves. It is
    what a quad map (challenge against being challenged, per pair) plots.

    Parameters
    ----------
    x, s, c : ndarray of shape (G, N)
        Positions, saliences on [0, 1] and capabilities; ignored where ``m`` is False.
    m : ndarray of bool, shape (G, N)
        Participation.
    Q, probability, perspective
        The options of :class:`BDMModel` (after applying its preset: :meth:`BDMModel.options`).

    Returns
    -------
    BdmOffers
    """
    w = np.where(m, c * s, 0.0)
    s = np.where(m, s, 0.0)
    anchor = np.where(m.any(axis=1), np.nanmin(np.where(m, x, np.nan), axis=1), 0.0)
    x = np.where(m, x, anchor[:, None])
    delta = np.max(x, axis=1) - np.min(x, axis=1)
    opts = _Rules(Q=Q, probability=probability, perspective=perspective)
    a, b, r, pair = _offers(x, s, w, m, np.where(delta > 0, delta, 1.0), opts)
    return BdmOffers(challenge=a, challenged=b, risk=np.where(m, r, np.nan), valid=pair)


def bdm_rounds(
    x: FloatArray,
    s: FloatArray,
    c: FloatArray,
    m: BoolArray,
    *,
    rounds: int = 10,
    stopping: str = "fixed",
    eps: float = 0.005,
    K: int = 2,  # noqa: N803 - the spec's name
    Q: float = 1.0,  # noqa: N803 - the spec's name
    probability: str = "scholz_code",
    perspective: str = "receiver",
    selection: str = "scholz_code",
    capitulation: bool = False,
) -> BDMRun:
    """Run the BDM model on G independent issues at once (docs/models/bdm.md#what-the-model-does).

    Prior validation is assumed: every issue with a participant has at least 3 of them and
    positive total capability.

    Parameters
    ----------
    x, s, c : ndarray of shape (G, N)
        Positions (any scale; only ratios of distances to Δ matter), saliences on [0, 1] and
        capabilities of the actors on each issue; ignored where ``m`` is False.
    m : ndarray of bool, shape (G, N)
        Participation.
    rounds, stopping, eps, K, Q, probability, perspective, selection, capitulation
        The options of :class:`BDMModel` (after applying its preset).

    Returns
    -------
    BDMRun
    """
    g_count, n = x.shape
    w = np.where(m, c * s, 0.0)
    s = np.where(m, s, 0.0)
    anchor = np.where(m.any(axis=1), np.nanmin(np.where(m, x, np.nan), axis=1), 0.0)
    x = np.where(m, x, anchor[:, None])
    delta = np.max(x, axis=1) - np.min(x, axis=1)
    if _kernels.enabled():  # the same run, compiled, without a Python step per round
        positions, median, risk, kinds, opponents, stop_round, converged = _kernels.run(
            x, s, w, m, delta, rounds=rounds, converged_rule=stopping == "converged", eps=eps,
            K=K, Q=Q, printed=probability == "printed", own=perspective == "own",
            scholz_selection=selection == "scholz_code", capitulation=capitulation,
        )  # fmt: skip
        t_count = rounds + 1
        mean = _mean(
            positions.reshape(t_count * g_count, n),
            np.broadcast_to(w, (t_count, g_count, n)).reshape(t_count * g_count, n),
            np.broadcast_to(m, (t_count, g_count, n)).reshape(t_count * g_count, n),
        ).reshape(t_count, g_count)
        return BDMRun(positions, median, mean, risk, stop_round, converged, kinds, opponents)
    opts = _Rules(Q, probability, perspective, selection, capitulation)
    positions = np.empty((rounds + 1, g_count, n))
    median = np.empty((rounds + 1, g_count))
    mean = np.empty((rounds + 1, g_count))
    risk = np.full((rounds, g_count, n), np.nan)
    kinds = np.zeros((rounds, g_count, n), dtype=np.int8)
    opponents = np.full((rounds, g_count, n), -1, dtype=np.int64)
    positions[0], median[0], mean[0] = x, _median(x, w, m), _mean(x, w, m)
    active = delta > 0
    stop_round = np.zeros(g_count, dtype=np.int64)
    converged = ~active.copy()
    calm = np.zeros(g_count, dtype=np.int64)
    count = m.sum(axis=1)
    present = np.argsort(~m, axis=1, kind="stable")  # participants first, in input order
    current, scratch = x.copy(), _Scratch()
    for t in range(1, rounds + 1):
        new = current.copy()
        idx = np.flatnonzero(active)
        for sel, width in _chunks(idx[np.argsort(count[idx], kind="stable")], count):
            rows, cols = sel[:, None], present[sel, :width]
            x_c, r_c, kind, opponent = _round(
                current[rows, cols], s[rows, cols], w[rows, cols], m[rows, cols],
                np.where(delta[sel] > 0, delta[sel], 1), opts, scratch,
            )  # fmt: skip
            new[rows, cols], risk[t - 1, rows, cols], kinds[t - 1, rows, cols] = x_c, r_c, kind
            opponents[t - 1, rows, cols] = np.where(
                opponent >= 0, np.take_along_axis(cols, np.maximum(opponent, 0), axis=1), -1
            )
        positions[t] = new
        median[t] = np.where(active, _median(new, w, m), median[t - 1])
        mean[t] = np.where(active, _mean(new, w, m), mean[t - 1])
        still = active & np.any(new != current, axis=1)
        fixed_point = active & ~still
        calm = np.where(np.abs(median[t] - median[t - 1]) < eps * delta, calm + 1, 0)
        rule = still & (stopping == "converged") & (calm >= K)
        finished = fixed_point | rule
        stop_round[finished] = t
        converged |= finished
        active = active & ~finished
        stop_round[active] = t
        current = new
        if not active.any():
            positions[t + 1 :] = new
            median[t + 1 :] = median[t]
            mean[t + 1 :] = mean[t]
            break
    return BDMRun(positions, median, mean, risk, stop_round, converged, kinds, opponents)


@register
class BDMModel(Model):
    r"""Bueno de Mesquita's expected-utility model as reconstructed by Scholz et al. (2011).

    Each round every actor i weighs, against every other actor j, the expected utility of
    challenging j, :math:`a = E(i \to j)`, and of being challenged, :math:`b = E(j \to i)`:

    .. math::
        E(i \to j) = s_j [P_{ij} U_s + (1 - P_{ij}) U_f] + (1 - s_j) U_s - Q U_{sq}
                     - (1 - Q)[T U_b + (1 - T) U_w]

    with :math:`U = 2 - 4 (0.5 \mp \ldots)^{r}`
    (docs/models/bdm.md#expected-utility-of-a-challenge) and risk exponents
    r from the actors' danger levels (docs/models/bdm.md#risk-exponents). It loses a conflict
    (:math:`b > a > 0`: moves to
    :math:`x_j`) or compromises (:math:`a < 0 < b`, :math:`b > |a|`: moves by the fraction
    :math:`|a/b|`). The forecast is the c·s-weighted median at the stopping round.

    Parameters
    ----------
    variant : {"scholz_code", "printed"}, default="scholz_code"
        Preset of ``probability``, ``perspective``, ``selection`` and ``capitulation``
        (docs/models/bdm.md#options):
        the reading of Scholz's code, which reproduces Table 2, or the formulas as printed.
        An option set explicitly to a value other than the ``scholz_code`` default overrides
        the preset.
    probability : {"scholz_code", "printed"}, default="scholz_code"
        Probability that i prevails over j (docs/models/bdm.md#probabilities).
    perspective : {"receiver", "own"}, default="receiver"
        Whose risk exponent evaluates :math:`E(j \to i)` (docs/models/bdm.md#offers).
    selection : {"scholz_code", "least_movement"}, default="scholz_code"
        How an actor chooses among compromise offers (docs/models/bdm.md#selection).
    capitulation : bool, default=False
        Whether the capitulation region fires (docs/models/bdm.md#offers); it never does in
        Scholz's code.
    Q : float, default=1.0
        Probability that an unchallenged target stays put, in [0, 1].
    stopping : {"fixed", "converged"}, default="converged"
        Run ``rounds`` rounds, or stop once the median moved less than ``eps``·Δ for ``K``
        consecutive rounds (docs/models/bdm.md#record-and-stop). Both stop at a fixed point. The
        default is ``converged``
        (Scholz et al. 2011 run the model until positions settle; on DEU III it is at least as
        accurate as ``fixed`` under every capability option, docs/accuracy.md), so the answer
        does not hinge on the round cap; where the cap still binds, the issue is flagged in
        ``cap_reached`` and a ``ConvergenceWarning`` is emitted.
    rounds : int, default=10
        τ (``fixed``) or τ_max (``converged``); ``--rounds`` sets it.
    eps : float, default=0.005
        Convergence threshold, as a share of Δ (the spread of the initial positions).
    K : int, default=2
        Consecutive calm rounds required by ``converged``.

    Notes
    -----
    Each issue is bargained separately; a multi-issue scenario and a Monte Carlo batch run as
    one flat batch of issues. Diagnostics (per batch member): ``median`` and ``mean`` (rounds 0…T
    × issues, on each issue's scale), ``risk_exponents`` (rounds 1…T × actors × issues, NaN for
    absent actors and for rounds after that issue stopped), ``issue_rounds`` (stopping round
    of each issue; ``rounds`` is their maximum), ``cap_reached`` (bool, batch × issues: the
    issue stopped at the round cap, neither settled nor at a fixed point) and ``moves``: one
    row per move with the
    columns ``move_columns`` (round, actor index, issue index, kind — 1 lost conflict,
    2 compromise, 3 capitulation —, opponent index, new position on the issue's scale). An
    issue on which every actor holds the same position is forecast at that position with 0
    rounds.

    References
    ----------
    .. [1] Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011). Unravelling Bueno de Mesquita's
       group decision model. *Journal of Theoretical Politics* 23(4), 510–531.
    .. [2] Bueno de Mesquita, B. (1994). Political forecasting: an expected utility method. In
       Bueno de Mesquita & Stokman (eds), *European Community Decision Making*, ch. 4.

    Examples
    --------
    >>> import numpy as np
    >>> from minilateral.arrays import ScenarioArrays
    >>> x = np.array([[[4.0], [7.0], [10.0]]])
    >>> arrays = ScenarioArrays(
    ...     positions=x, salience=np.full_like(x, 0.5), capability=np.ones_like(x),
    ...     mask=np.ones(x.shape, bool), scale=np.array([[4.0, 10.0]]),
    ...     reference=np.array([np.nan]), actors=("a", "b", "c"), issues=("q",))
    >>> BDMModel(rounds=3).forecast(arrays).outcome.shape
    (1, 1)
    """

    @classmethod
    def memory_estimate(cls, b: int, n: int, d: int) -> int:
        """Peak bytes of a run on B scenarios × D issues, N actors: :func:`memory_plan`."""
        return memory_plan(b, n, d)

    name = "bdm"
    summary = "Expected-utility model (Bueno de Mesquita 1994; Scholz et al. 2011)."
    dynamic = True
    rounds_option = "rounds"
    issue_separable = True  # docs/models/bdm.md: every issue is bargained separately
    min_actors: ClassVar[int] = 3  # per issue with any participant (docs/models/bdm.md; issue #3)
    option_constraints: ClassVar[dict[str, Interval]] = {
        "Q": Interval(0.0, 1.0),
        "rounds": Interval(1, None),
        "eps": Interval(0.0, None),
        "K": Interval(1, None),
    }

    def __init__(
        self,
        *,
        variant: Literal["scholz_code", "printed"] = "scholz_code",
        probability: Literal["scholz_code", "printed"] = "scholz_code",
        perspective: Literal["receiver", "own"] = "receiver",
        selection: Literal["scholz_code", "least_movement"] = "scholz_code",
        capitulation: bool = False,
        Q: float = 1.0,  # noqa: N803 - the spec's name
        stopping: Literal["fixed", "converged"] = "converged",
        rounds: int = 10,
        eps: float = 0.005,
        K: int = 2,  # noqa: N803 - the spec's name
    ) -> None:
        self.variant = variant
        self.probability = probability
        self.perspective = perspective
        self.selection = selection
        self.capitulation = capitulation
        self.Q = Q
        self.stopping = stopping
        self.rounds = rounds
        self.eps = eps
        self.K = K

    @classmethod
    def _resolve(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Apply the variant's preset: a switch left at its default takes the preset's value."""
        defaults = _PRESETS["scholz_code"]
        for key, value in _PRESETS[options["variant"]].items():
            if options[key] == defaults[key]:
                options[key] = value
        return options

    def options(self) -> BdmOptions:
        """The validated options with the preset applied, as a frozen record."""
        return BdmOptions(**self.resolved_options())

    def forecast(self, arrays: ScenarioArrays, rng: SeedLike = None) -> Forecast:
        """Run the model on every issue of every batch member; see the class docstring."""
        o = self.options()
        _check(arrays)
        b_size, n, d = arrays.positions.shape

        def flat(a: np.ndarray) -> np.ndarray:
            return np.moveaxis(a, 2, 1).reshape(b_size * d, n)

        run = bdm_rounds(
            flat(arrays.positions),
            flat(arrays.salience),
            flat(arrays.capability),
            flat(arrays.mask),
            rounds=o.rounds,
            stopping=o.stopping,
            eps=o.eps,
            K=o.K,
            Q=o.Q,
            probability=o.probability,
            perspective=o.perspective,
            selection=o.selection,
            capitulation=o.capitulation,
        )
        t_count = run.positions.shape[0]
        has_cell = np.asarray(arrays.mask.any(axis=1))  # (B, D)
        traj = np.moveaxis(run.positions.reshape(t_count, b_size, d, n), 3, 2)
        traj = np.where(arrays.mask[None], traj, np.nan)
        median = np.where(has_cell[None], run.median.reshape(t_count, b_size, d), np.nan)
        mean = np.where(has_cell[None], run.mean.reshape(t_count, b_size, d), np.nan)
        risk = np.moveaxis(run.risk.reshape(t_count - 1, b_size, d, n), 3, 2)
        issue_rounds = run.rounds.reshape(b_size, d)
        rounds = issue_rounds.max(axis=1)
        converged = np.asarray(run.converged.reshape(b_size, d).all(axis=1))
        if o.stopping == "converged" and not converged.all():
            warnings.warn(
                f"bdm: {int((~converged).sum())} of {b_size} scenario(s) reached rounds="
                f"{o.rounds} before the median settled",
                ConvergenceWarning,
                stacklevel=2,
            )
        last = rounds.max() + 1
        # moves: one row per (round, actor, issue) that moved, split by batch member
        t_idx, g_idx, i_idx = np.nonzero(run.kinds)
        member, issue = np.divmod(g_idx, d)
        rows = np.column_stack([
            t_idx + 1, i_idx, issue, run.kinds[t_idx, g_idx, i_idx],
            run.opponents[t_idx, g_idx, i_idx], run.positions[t_idx + 1, g_idx, i_idx],
        ]).astype(float)  # fmt: skip
        order = np.argsort(member, kind="stable")
        moves = np.split(rows[order], np.searchsorted(member[order], np.arange(1, b_size)))
        diagnostics = {
            "median": [median[: r + 1, k] for k, r in enumerate(rounds)],
            "mean": [mean[: r + 1, k] for k, r in enumerate(rounds)],
            "risk_exponents": [risk[:r, k] for k, r in enumerate(rounds)],
            "issue_rounds": issue_rounds,
            "cap_reached": ~run.converged.reshape(b_size, d) & has_cell,
            "moves": moves,
            "move_columns": MOVE_COLUMNS,
        }
        return Forecast(
            model=self.name,
            options=asdict(o),
            outcome=median[-1],
            actors=arrays.actors,
            issues=arrays.issues,
            rounds=rounds,
            converged=converged,
            trajectory=traj[:last],
            diagnostics=diagnostics,
        )


def _check(arrays: ScenarioArrays) -> None:
    """At least 3 actors and positive total capability on every issue that has a cell."""
    count = arrays.mask.sum(axis=1)  # (B, D)
    cap = np.where(arrays.mask, arrays.capability, 0.0).sum(axis=1)
    for problem, bad in (
        ("fewer than 3 actors", (count > 0) & (count < 3)),
        ("zero total capability", (count > 0) & ~(cap > 0)),
    ):
        if bad.any():
            b, q = np.argwhere(bad)[0]
            where = f" (batch member {b})" if arrays.batch_size > 1 else ""
            raise ScenarioError(
                f"the BDM model needs at least 3 actors with positive total capability on every "
                f"issue; issue '{arrays.issues[q]}' has {problem}{where}",
                field=arrays.issues[q],
            )
