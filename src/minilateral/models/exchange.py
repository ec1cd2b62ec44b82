r"""Stokman's exchange model, in the equal-gain form of the Decide software.

Formulas and sources: ``docs/models/exchange.md#what-the-model-does``. Each issue's outcome is the
capability × salience weighted mean of the actors' *voting* positions
(``docs/models/exchange.md#outcome-and-utility``):

.. math:: O_q = \sum_k c_{kq} s_{kq} y_{kq} \Big/ \sum_k c_{kq} s_{kq}.

Two actors on opposite sides of the outcome on two issues can both gain by trading: the one that
cares relatively less about issue p moves its voting position on p toward the other, who in return
moves on q. The trade is sized so that both gain the same utility (equal gain,
``docs/models/exchange.md#size-of-an-equal-gain-exchange``), as much as the bounds allow; in each
round the most profitable valid trade is realised first, all others are re-evaluated, and so on
until none is left (``docs/models/exchange.md#execution-within-a-round``). At the end of a round the
preferred positions move part of the way toward the voting positions
(``docs/models/exchange.md#end-of-round-and-forecast``). The forecast is the last round's outcome.

All work is on the normalised 0–100 scale (``docs/models/exchange.md#the-0100-scale``). Candidates
are every (issue pair, actor pair) combination, evaluated for the whole batch at once; Python loops
only over rounds and over the sequential exchanges within a round (each depends on the previous
one).

The design choices the sources leave open, the ones made here, and every difference from the open
implementation of Decide (outcome bookkeeping, re-evaluation scope, the supplier's target, ties)
are listed in ``docs/models/exchange.md#design-choices``. The supplier's target is an option
(``supplier_target``): the partner's current vote (default) or its start-of-round position.

References
----------
.. [1] Stokman, F. N. & Van Oosten, R. (1994). The exchange of voting positions: an
   object-oriented model of policy networks. In B. Bueno de Mesquita & F. N. Stokman (eds),
   *European Community Decision Making*, pp. 105–127. Yale University Press.
.. [2] Stokman, F. N. (2015). Policy oriented exchange networks: was a Copenhagen climate treaty
   possible? *Proceedings of ASONAM '15*, pp. 770–778. ACM.
.. [3] Stokman, F. N. & Thomson, R. (2015). *Forecasting the Paris 2015 UNFCCC negotiations*.
   Technical report. doi:10.13140/RG.2.1.4523.8483.
.. [4] Arregui, J., Stokman, F. N. & Thomson, R. (2006). Compromise, exchange and challenge in
   the European Union. In R. Thomson et al. (eds), *The European Union Decides*, pp. 124–152.
   Cambridge University Press.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal, get_args

import numpy as np

from minilateral.arrays import BoolArray, FloatArray, IntArray, ScenarioArrays
from minilateral.errors import OptionError
from minilateral.forecast import Forecast
from minilateral.models.base import Interval, Model, SeedLike
from minilateral.models.baselines import compromise
from minilateral.models.registry import register

__all__ = [
    "EXCHANGE_COLUMNS",
    "SUPPLIER_TARGETS",
    "ExchangeModel",
    "ExchangeRun",
    "SupplierTarget",
    "equal_gain",
    "exchange_rounds",
]

_TINY = 1e-10  # gains and moves at or below this are no exchange (docs/models/exchange.md#validity)
_TIES = 1e-12  # gains within this (relative) of the best are ties (docs/models/exchange.md#4-ties)

SupplierTarget = Literal["current", "round_start"]
SUPPLIER_TARGETS: tuple[str, ...] = get_args(SupplierTarget)

EXCHANGE_COLUMNS = (
    "round", "supplier_p", "supplier_q", "issue_p", "issue_q", "gain",
    "position_p", "position_q", "outcome_p", "outcome_q",
)  # fmt: skip


def equal_gain(
    s_up: FloatArray,
    s_uq: FloatArray,
    s_vp: FloatArray,
    s_vq: FloatArray,
    room_p: FloatArray,
    room_q: FloatArray,
    gap_p: FloatArray,
    gap_q: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Closed-form size of the equal-gain exchange, elementwise.

    Formula: ``docs/models/exchange.md#size-of-an-equal-gain-exchange``.

    Actor u supplies on p (moves toward v there) and v supplies on q. With outcome shifts
    :math:`\delta_p = \lambda (s_{uq} + s_{vq})` and :math:`\delta_q = \lambda (s_{up} + s_{vp})`
    both gain :math:`G = \lambda (s_{vp} s_{uq} - s_{up} s_{vq})`, and

    .. math:: \lambda = \min\Big(\frac{\delta_p^{max}}{s_{uq} + s_{vq}},
              \frac{\delta_q^{max}}{s_{up} + s_{vp}}, \frac{|y_{vp} - O_p|}{s_{uq} + s_{vq}},
              \frac{|y_{uq} - O_q|}{s_{up} + s_{vp}}\Big).

    Parameters
    ----------
    s_up, s_uq, s_vp, s_vq : ndarray
        Saliences of u and v on p and q.
    room_p, room_q : ndarray
        :math:`\delta^{max}`: the outcome shifts of u moving all the way to v on p, and of v
        moving all the way to u on q.
    gap_p, gap_q : ndarray
        :math:`|y_{vp} - O_p|` and :math:`|y_{uq} - O_q|`: how far each outcome may move before
        it passes the demanding partner.

    Returns
    -------
    delta_p, delta_q, gain : ndarray
    """
    wp = s_uq + s_vq
    wq = s_up + s_vp
    with np.errstate(invalid="ignore", divide="ignore"):
        lam = np.minimum(np.minimum(room_p / wp, room_q / wq), np.minimum(gap_p / wp, gap_q / wq))
    lam = np.where((wp > 0) & (wq > 0), lam, 0.0)
    return lam * wp, lam * wq, lam * (s_vp * s_uq - s_up * s_vq)


def _toward(start: FloatArray, partner: FloatArray, move: FloatArray) -> FloatArray:
    """``start`` moved by ``move`` toward ``partner``; a full move (within 1e-12 relative, i.e.
    rounding error of λ) lands exactly on the partner's position and never past it."""
    gap = np.abs(partner - start)
    full = move >= gap * (1.0 - 1e-12)
    return np.where(full, partner, start + np.sign(partner - start) * move)


def _outcomes(y: FloatArray, cs: FloatArray, total: FloatArray, fallback: FloatArray) -> FloatArray:
    """c·s-weighted mean of voting positions per issue; ``fallback`` where W = 0.

    Formula: ``docs/models/exchange.md#outcome-and-utility``.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.einsum("bnd,bnd->bd", cs, y) / total
    return np.where(total > 0, out, fallback)


@dataclass(frozen=True)
class ExchangeRun:
    """Result of :func:`exchange_rounds` on a (B, N, D) batch, positions on 0–100.

    ``positions`` (T + 1, B, N, D) are the preferred positions per round; ``outcomes``
    (T + 1, B, D) the outcome per round (round 0: from the input); ``rounds`` and ``converged``
    (B,); ``exchanges`` the realised exchanges, one row per exchange with the batch member
    first, then the columns of :data:`EXCHANGE_COLUMNS`.
    """

    positions: FloatArray
    outcomes: FloatArray
    rounds: IntArray
    converged: BoolArray
    exchanges: FloatArray


def exchange_rounds(
    x: FloatArray,
    s: FloatArray,
    c: FloatArray,
    mask: BoolArray,
    fallback: FloatArray,
    *,
    rounds: int = 10,
    salience_weight: float = 0.4,
    fixed_weight: float = 0.1,
    direction_check: bool = True,
    supplier_target: SupplierTarget = "current",
) -> ExchangeRun:
    """Run the equal-gain exchange model on a batch.

    The model: ``docs/models/exchange.md#what-the-model-does``.

    Parameters
    ----------
    x : ndarray of shape (B, N, D)
        Preferred positions on 0–100.
    s, c : ndarray of shape (B, N, D)
        Saliences on [0, 1] and capabilities (0 outside ``mask``).
    mask : ndarray of bool, shape (B, N, D)
        Participation; an actor absent from an issue is no candidate on it.
    fallback : ndarray of shape (B, D)
        Outcome of issues whose weights all vanish (the compromise fallback chain, on 0–100).
    rounds, salience_weight, fixed_weight, direction_check, supplier_target
        See :class:`ExchangeModel`.

    Returns
    -------
    ExchangeRun
    """
    if supplier_target not in SUPPLIER_TARGETS:
        raise OptionError(
            f"supplier_target must be one of {', '.join(SUPPLIER_TARGETS)}; "
            f"got {supplier_target!r}",
            field="supplier_target",
        )
    from_start = supplier_target == "round_start"
    b_size, n, d = x.shape
    ip, iq = np.triu_indices(d, k=1)
    ai, aj = np.triu_indices(n, k=1)
    cp = np.repeat(ip, ai.size)[None]  # candidate order: issue pair, then actor pair
    cq = np.repeat(iq, ai.size)[None]
    ci = np.tile(ai, ip.size)[None]
    cj = np.tile(aj, ip.size)[None]
    bb = np.arange(b_size)[:, None]
    cs = np.where(mask, c * s, 0.0)
    total = cs.sum(axis=1)
    x = np.where(mask, x, 0.0)
    positions = [x]
    outcomes = [_outcomes(x, cs, total, fallback)]
    stop = np.full(b_size, rounds, dtype=np.int64)
    running = np.ones(b_size, dtype=bool)
    records: list[FloatArray] = []
    for t in range(1, rounds + 1):
        y = x.copy()
        out = _outcomes(y, cs, total, fallback)
        left = x <= out[:, None, :]
        present = mask[bb, ci, cp] & mask[bb, ci, cq] & mask[bb, cj, cp] & mask[bb, cj, cq]
        opposite = (left[bb, ci, cp] != left[bb, cj, cp]) & (left[bb, ci, cq] != left[bb, cj, cq])
        # Roles (docs/models/exchange.md#candidates-and-roles): i supplies on p iff s_ip/s_iq <
        # s_jp/s_jq.
        lhs = s[bb, ci, cp] * s[bb, cj, cq]
        rhs = s[bb, cj, cp] * s[bb, ci, cq]
        alive = present & opposite & (lhs != rhs) & running[:, None]
        u = np.where(lhs < rhs, ci, cj)
        v = np.where(lhs < rhs, cj, ci)
        s_up, s_uq, s_vp, s_vq = s[bb, u, cp], s[bb, u, cq], s[bb, v, cp], s[bb, v, cq]
        w_up, w_vq = cs[bb, u, cp], cs[bb, v, cq]
        total_p, total_q = total[bb, cp], total[bb, cq]
        direction = np.zeros((b_size, n, d))
        realised = np.zeros(b_size, dtype=bool)
        # aim_p, aim_q: where each supplier moves to, and the bound on each outcome.
        if from_start:  # the partner's start-of-round (preferred) position, fixed all round
            aim_p, aim_q = x[bb, v, cp], x[bb, u, cq]
        while alive.any():
            y_up, y_vq = y[bb, u, cp], y[bb, v, cq]
            if not from_start:  # the partner's current voting position
                aim_p, aim_q = y[bb, v, cp], y[bb, u, cq]
            o_p, o_q = out[bb, cp], out[bb, cq]
            with np.errstate(invalid="ignore", divide="ignore"):
                room_p = w_up * np.abs(aim_p - y_up) / total_p
                room_q = w_vq * np.abs(aim_q - y_vq) / total_q
            delta_p, delta_q, gain = equal_gain(
                s_up, s_uq, s_vp, s_vq, room_p, room_q, np.abs(aim_p - o_p), np.abs(aim_q - o_q)
            )
            with np.errstate(invalid="ignore", divide="ignore"):
                move_p = np.where(w_up > 0, delta_p * total_p / w_up, 0.0)
                move_q = np.where(w_vq > 0, delta_q * total_q / w_vq, 0.0)
            sign_p, sign_q = np.sign(aim_p - y_up), np.sign(aim_q - y_vq)
            new_p = _toward(y_up, aim_p, move_p)
            new_q = _toward(y_vq, aim_q, move_q)
            valid = alive & (gain > _TINY) & (move_p > _TINY) & (move_q > _TINY)
            if direction_check:  # design choice: the supply must push toward the partner
                valid &= (np.sign(aim_p - o_p) == sign_p) & (np.sign(aim_q - o_q) == sign_q)
            valid &= (sign_p != 0) & (sign_q != 0)
            valid &= (new_p >= 0) & (new_p <= 100) & (new_q >= 0) & (new_q <= 100)
            valid &= direction[bb, u, cp] != -sign_p
            valid &= direction[bb, v, cq] != -sign_q
            alive = valid
            if not alive.any():
                break
            best = np.max(np.where(valid, gain, -np.inf), axis=1, keepdims=True)
            tied = valid & (gain >= best - _TIES * np.abs(best))
            pick = np.argmax(tied, axis=1)
            go = np.flatnonzero(valid.any(axis=1))
            k = pick[go]
            uu, vv, pp, qq = u[go, k], v[go, k], cp[0, k], cq[0, k]
            y[go, uu, pp] = new_p[go, k]
            y[go, vv, qq] = new_q[go, k]
            direction[go, uu, pp] = sign_p[go, k]
            direction[go, vv, qq] = sign_q[go, k]
            alive[go, k] = False
            realised[go] = True
            out = _outcomes(y, cs, total, fallback)
            records.append(
                np.column_stack(
                    [
                        go,
                        np.full(go.size, t),
                        uu,
                        vv,
                        pp,
                        qq,
                        gain[go, k],
                        new_p[go, k],
                        new_q[go, k],
                        out[go, pp],
                        out[go, qq],
                    ]
                )
            )
        played = running.copy()
        stop[running & ~realised] = t
        running &= realised
        changed = mask & (y != x)
        step = (1.0 - s) * salience_weight + fixed_weight
        x = np.where(changed & running[:, None, None], x + step * (y - x), x)
        positions.append(x)
        outcomes.append(np.where(played[:, None], out, outcomes[-1]))
        if not running.any():
            break
    exchanges = np.concatenate(records) if records else np.empty((0, 1 + len(EXCHANGE_COLUMNS)))
    return ExchangeRun(
        positions=np.stack(positions),
        outcomes=np.stack(outcomes),
        rounds=stop,
        converged=~running,
        exchanges=exchanges,
    )


@register
class ExchangeModel(Model):
    r"""Stokman's exchange model with equal-gain exchanges (the Decide model).

    Formulas, sources and design choices: ``docs/models/exchange.md``.

    Parameters
    ----------
    rounds : int, default=10
        Rounds of exchange (Decide's default, fixed a priori); the run stops earlier when a
        round realises no exchange.
    salience_weight : float, default=0.4
        Share of the voting-position shift adopted as the new preferred position, weighted by
        ``1 − salience`` (``docs/models/exchange.md#end-of-round-and-forecast``).
    fixed_weight : float, default=0.1
        Share adopted regardless of salience.
    direction_check : bool, default=True
        Discard an exchange whose supply move would no longer push the outcome toward the
        demanding partner (``docs/models/exchange.md#validity``; the open implementation does not
        check this).
    supplier_target : {"current", "round_start"}, default="current"
        The partner's position a supplier moves toward, which also bounds the outcome:
        ``"current"`` its current voting position (after the exchanges it already made in the
        round), ``"round_start"`` its position at the start of the round, as the open
        implementation of Decide does. The literature does not separate the two (see
        ``docs/models/exchange.md#3-the-suppliers-target``).

    Notes
    -----
    Diagnostics per batch member: ``outcomes`` (rounds 0…T × issues, own scale; round 0 is the
    compromise outcome of the input) and ``exchanges``, one row per realised exchange with the
    columns of ``exchange_columns`` (actor and issue indices, the common gain, the two new
    voting positions and the two outcomes after it, on each issue's own scale). The trajectory
    holds the *preferred* positions. With a single issue nothing can be exchanged: the forecast
    is the compromise model (c·s-weighted mean), reached with ``rounds = 1``.

    References
    ----------
    .. [1] Stokman, F. N. & Van Oosten, R. (1994). The exchange of voting positions. In Bueno de
       Mesquita & Stokman (eds), *European Community Decision Making*, pp. 105–127.
    .. [2] Stokman, F. N. (2015). Policy oriented exchange networks: was a Copenhagen climate
       treaty possible? *ASONAM '15*, pp. 770–778.
    .. [3] Arregui, J., Stokman, F. N. & Thomson, R. (2006). Compromise, exchange and challenge
       in the European Union. In *The European Union Decides*, pp. 124–152.
    """

    name = "exchange"
    summary = "Equal-gain exchange of voting positions (Stokman; the Decide model)."
    dynamic = True
    rounds_option = "rounds"
    option_constraints: ClassVar[dict[str, Interval]] = {
        "rounds": Interval(1, None),
        "salience_weight": Interval(0.0, 1.0),
        "fixed_weight": Interval(0.0, 1.0),
    }

    def __init__(
        self,
        *,
        rounds: int = 10,
        salience_weight: float = 0.4,
        fixed_weight: float = 0.1,
        direction_check: bool = True,
        supplier_target: SupplierTarget = "current",
    ) -> None:
        self.rounds = rounds
        self.salience_weight = salience_weight
        self.fixed_weight = fixed_weight
        self.direction_check = direction_check
        self.supplier_target = supplier_target

    @classmethod
    def _resolve(cls, options: dict[str, Any]) -> dict[str, Any]:
        """The two adoption shares together must not exceed 1."""
        if options["salience_weight"] + options["fixed_weight"] > 1.0:
            raise OptionError(
                "salience_weight + fixed_weight must not exceed 1", field="salience_weight"
            )
        return options

    def forecast(self, arrays: ScenarioArrays, rng: SeedLike = None) -> Forecast:
        """Run the exchange model on every batch member."""
        p = self.resolved_options()
        z = 100.0 * arrays.unit_positions()
        fallback = 100.0 * compromise(arrays)
        run = exchange_rounds(
            z, arrays.salience, arrays.capability, arrays.mask, fallback,
            rounds=p["rounds"], salience_weight=p["salience_weight"],
            fixed_weight=p["fixed_weight"], direction_check=p["direction_check"],
            supplier_target=p["supplier_target"],
        )  # fmt: skip
        no_cell = ~np.asarray(arrays.mask.any(axis=1))
        outcomes = np.where(no_cell[None], np.nan, arrays.from_unit(run.outcomes / 100.0))
        traj = np.where(arrays.mask[None], arrays.from_unit(run.positions / 100.0), np.nan)
        rows = run.exchanges
        if rows.size:
            issue_p, issue_q = rows[:, 4].astype(int), rows[:, 5].astype(int)
            lo, width = arrays.scale[:, 0], arrays.width
            rows = rows.copy()
            for col, issue in ((7, issue_p), (8, issue_q), (9, issue_p), (10, issue_q)):
                rows[:, col] = lo[issue] + rows[:, col] / 100.0 * width[issue]
        rows = rows[np.argsort(rows[:, 0], kind="stable")]
        member = rows[:, 0].astype(int)
        split = np.searchsorted(member, np.arange(1, arrays.batch_size))
        exchanges = np.split(rows[:, 1:], split)
        diagnostics = {
            "outcomes": [outcomes[: r + 1, k] for k, r in enumerate(run.rounds)],
            "exchanges": exchanges,
            "exchange_columns": EXCHANGE_COLUMNS,
        }
        return Forecast(
            model=self.name,
            options=p,
            outcome=outcomes[-1],
            actors=arrays.actors,
            issues=arrays.issues,
            rounds=run.rounds,
            converged=run.converged,
            trajectory=traj,
            diagnostics=diagnostics,
        )
