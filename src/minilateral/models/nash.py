r"""The Nash bargaining solution per issue (``docs/models/nash.md#definition``).

.. math::

    x^* = \arg\max_{x \in F} \sum_{i\ \mathrm{active}} b_i \ln\big(u_i(x) - u_i^0\big),
    \qquad F = \{x \in [lo, hi] : u_i(x) \ge u_i^0\}

with quadratic (``-s_i (x - x_i)^2``) or linear (``-s_i |x - x_i|``) utilities on the unit scale.
Because the Nash product is invariant to rescaling one actor's utility, salience enters only
through the bargaining weights ``b_i`` (option ``weights="capability_salience"``), never in the
symmetric solution.

The maximiser is found by bisection on the sign of the right derivative :math:`N'_+`
(``docs/models/nash.md#computation``), which is non-increasing because the objective is concave; all
issues of all batch members are bisected together. For linear utility, the result snaps to an active
ideal point within :math:`10^{-6}` of it when that point's objective is at least as high.

References
----------
.. [1] Nash, J. F. (1950). The bargaining problem. *Econometrica* 18(2), 155–162.
.. [2] Kalai, E. (1977). Nonsymmetric Nash solutions and replications of 2-person bargaining.
   *International Journal of Game Theory* 6(3), 129–133.
.. [3] Roth, A. E. (1979). *Axiomatic Models of Bargaining*. Springer.
.. [4] Achen, C. H. (2006). Institutional realism and bargaining models. In Thomson et al. (eds.),
   *The European Union Decides*, pp. 86–123. Cambridge University Press.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Literal

import numpy as np

from minilateral.arrays import BoolArray, FloatArray, ScenarioArrays
from minilateral.forecast import Forecast
from minilateral.models.base import Model, SeedLike
from minilateral.models.baselines import compromise
from minilateral.models.registry import register

__all__ = ["NashModel", "nash_per_issue"]

log = logging.getLogger(__name__)

_BISECTIONS = 80  # 2**-80 of the unit interval: far below a 1e-12 bracket
_AT_POINT = 1e-12  # an actor within this (unit scale) of d sits "exactly at" d
_SNAP = 1e-6


def nash_per_issue(
    z: FloatArray,
    b: FloatArray,
    active: BoolArray,
    d: FloatArray,
    *,
    utility: str = "quadratic",
    at_disagreement: str = "veto",
) -> tuple[FloatArray, BoolArray]:
    r"""Nash bargaining solution of every issue of a batch, on the unit scale.

    Parameters
    ----------
    z : ndarray of shape (B, N, D)
        Ideal points on [0, 1].
    b : ndarray of shape (B, N, D)
        Bargaining weights (> 0 where ``active``).
    active : ndarray of bool, shape (B, N, D)
        Actors that take part with ``b > 0`` and ``s > 0``.
    d : ndarray of shape (D,)
        Disagreement point on [0, 1]; NaN means "each actor's worst end of the scale".
    utility : {"quadratic", "linear"}
    at_disagreement : {"veto", "drop"}
        What an actor sitting exactly at ``d`` does: collapse F to ``{d}`` or leave the product.

    Returns
    -------
    outcome : ndarray of shape (B, D)
        NaN where no actor is active.
    collapsed : ndarray of bool, shape (B, D)
        Issues whose feasible set is ``{d}`` (unanimity at the disagreement point).
    """
    worst = np.isnan(d)
    dd = np.where(worst, 0.0, d)[None, None, :]
    at_d = active & ~worst[None, None, :] & (np.abs(z - dd) <= _AT_POINT)
    if at_disagreement == "drop":
        active = active & ~at_d
        at_d = np.zeros_like(at_d)
    # Distance from each ideal point to the disagreement utility's level
    # (docs/models/nash.md#disagreement-point).
    reach = np.where(worst[None, None, :], np.maximum(z, 1.0 - z), np.abs(dd - z))
    above = (active & (z > dd)).any(axis=1)
    below = (active & (z < dd)).any(axis=1)
    collapsed = ~worst[None, :] & ((above & below) | at_d.any(axis=1))
    # Feasible interval F = [0, 1] ∩ ⋂ [z_i - reach_i, z_i + reach_i].
    lo = np.max(np.where(active, z - reach, 0.0), axis=1).clip(0.0, 1.0)
    hi = np.min(np.where(active, z + reach, 1.0), axis=1).clip(0.0, 1.0)
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
    quadratic = utility == "quadratic"

    def slope(x: FloatArray) -> FloatArray:
        """Right derivative N'_+ at x, shape (B, D)."""
        gap = x[:, None, :] - z
        with np.errstate(divide="ignore", invalid="ignore"):  # g = 0 only where F = {d}
            return _slope_terms(gap, b, active, reach, quadratic)

    left, right = lo.copy(), hi.copy()
    for _ in range(_BISECTIONS):
        mid = 0.5 * (left + right)
        rising = slope(mid) > 0
        left = np.where(rising, mid, left)
        right = np.where(rising, right, mid)
    x = 0.5 * (left + right)
    if not quadratic:
        x = _snap_to_ideal_point(x, z, b, active, reach)
    has_active = active.any(axis=1)
    x = np.where(collapsed, np.broadcast_to(dd[0], x.shape), x)
    return np.where(has_active, x, np.nan), collapsed & has_active


def _slope_terms(
    gap: FloatArray, b: FloatArray, active: BoolArray, reach: FloatArray, quadratic: bool
) -> FloatArray:
    """Right derivative of the Nash product at ``x = z + gap``, summed over actors
    (``docs/models/nash.md#computation``)."""
    if quadratic:
        terms = 2.0 * b * (-gap) / np.where(active, reach**2 - gap**2, 1.0)
    else:
        sign = np.where(gap < 0, 1.0, -1.0)  # +1 if the ideal point lies to the right
        terms = b * sign / np.where(active, reach - np.abs(gap), 1.0)
    out: FloatArray = np.where(active, terms, 0.0).sum(axis=1)
    return out


def _snap_to_ideal_point(
    x: FloatArray, z: FloatArray, b: FloatArray, active: BoolArray, reach: FloatArray
) -> FloatArray:
    """Linear utility: move to an active ideal point within 1e-6 if it scores no worse."""

    def objective(point: FloatArray) -> FloatArray:  # point (B, K, D) -> (B, K, D)
        g = reach[:, None, :, :] - np.abs(point[:, :, None, :] - z[:, None, :, :])
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(active[:, None], b[:, None] * np.log(np.maximum(g, 0.0)), 0.0)
        out: FloatArray = terms.sum(axis=2)
        return out

    near = active & (np.abs(z - x[:, None, :]) <= _SNAP)
    score_x = objective(x[:, None, :])[:, 0, :]
    score_k = objective(z)
    better = near & (score_k >= score_x[:, None, :])
    best = np.argmax(np.where(better, score_k, -np.inf), axis=1)
    snapped = np.take_along_axis(z, best[:, None, :], axis=1)[:, 0, :]
    return np.where(better.any(axis=1), snapped, x)


@register
class NashModel(Model):
    r"""Nash bargaining solution, per issue, symmetric by default (``docs/models/nash.md``).

    Parameters
    ----------
    utility : {"quadratic", "linear"}, default="quadratic"
        Loss in distance on the unit scale.
    weights : {"equal", "capability", "capability_salience"}, default="equal"
        Bargaining weights ``b_i``: the symmetric NBS (Nash 1950) or the asymmetric one
        (Kalai 1977; Roth 1979) with ``b = c`` or ``b = c·s``.
    disagreement : {"auto", "reference_point", "worst"}, default="auto"
        The disagreement point: the issue's reference point, each actor's worst end of the
        scale, or the reference point where the issue has one and the worst end otherwise.
        Under ``reference_point`` an issue without one gets no forecast (NaN).
    at_disagreement : {"veto", "drop"}, default="veto"
        An actor sitting exactly at the reference point vetoes every move (``veto``) or leaves
        the product (``drop``). Per-issue mode only.
    mode : {"per_issue", "joint"}, default="per_issue"
        Solve each issue on its own (the DEU convention) or one Nash product over the whole
        agenda with utilities additive over issues (``docs/models/nash.md#joint-mode``; see
        :func:`minilateral.models.nash_joint.nash_joint`). In joint mode the weight
        ``capability_salience`` is ``c_i`` times the actor's mean salience, and issues without a
        reference point use the worst-end disagreement even under ``reference_point``.

    Notes
    -----
    If no actor is active on an issue (all saliences or weights zero) the compromise forecast is
    returned instead (``docs/models/nash.md#feasible-set-and-unanimity-at-the-status-quo``). Issues
    whose feasible set collapsed to the reference point are counted in the diagnostic
    ``collapsed_issues``.
    """

    name = "nash"
    summary = "Nash bargaining solution per issue (Nash 1950; weighted: Kalai 1977)."

    def __init__(
        self,
        *,
        utility: Literal["quadratic", "linear"] = "quadratic",
        weights: Literal["equal", "capability", "capability_salience"] = "equal",
        disagreement: Literal["auto", "reference_point", "worst"] = "auto",
        at_disagreement: Literal["veto", "drop"] = "veto",
        mode: Literal["per_issue", "joint"] = "per_issue",
    ) -> None:
        self.utility = utility
        self.weights = weights
        self.disagreement = disagreement
        self.at_disagreement = at_disagreement
        self.mode = mode

    def forecast(self, arrays: ScenarioArrays, rng: SeedLike = None) -> Forecast:
        """Forecast the Nash bargaining solution of every issue."""
        p = self.resolved_options()
        if p["mode"] == "joint":
            return self._joint(arrays, p)
        z = arrays.unit_positions()
        if p["weights"] == "equal":
            b = np.ones_like(z)
        elif p["weights"] == "capability":
            b = arrays.capability.copy()
        else:
            b = arrays.capability * arrays.salience
        active = arrays.mask & (b > 0) & (arrays.salience > 0)
        rp = arrays.unit_reference()
        no_rp = np.isnan(rp)
        d = rp if p["disagreement"] != "worst" else np.full_like(rp, np.nan)
        x, collapsed = nash_per_issue(
            z, b, active, d, utility=p["utility"], at_disagreement=p["at_disagreement"]
        )
        fallback = ~active.any(axis=1) & arrays.mask.any(axis=1)
        if fallback.any():
            log.info("no active actor on %d issue(s): using the compromise model", fallback.sum())
            x = np.where(fallback, compromise(arrays), x)
        if p["disagreement"] == "reference_point" and no_rp.any():
            log.info("%d issue(s) without a reference point get no forecast", no_rp.sum())
            x = np.where(no_rp[None, :], np.nan, x)
        forecast = self._static_forecast(arrays, x)
        return replace(forecast, diagnostics={"collapsed_issues": collapsed.sum(axis=1)})

    def _joint(self, arrays: ScenarioArrays, p: dict[str, object]) -> Forecast:
        """The joint NBS: actor-level weights, one optimisation per batch member.

        Formulas: ``docs/models/nash.md#joint-mode``.
        """
        from minilateral.models.nash_joint import nash_joint  # SciPy's optimiser, on demand

        cells = arrays.mask.sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_cap = np.where(cells > 0, arrays.capability.sum(axis=2) / cells, 0.0)
            mean_sal = np.where(cells > 0, arrays.salience.sum(axis=2) / cells, 0.0)
        b = {
            "equal": np.ones_like(mean_cap),
            "capability": mean_cap,
            "capability_salience": mean_cap * mean_sal,
        }[str(p["weights"])]
        rp = arrays.unit_reference()
        d = np.full_like(rp, np.nan) if p["disagreement"] == "worst" else rp
        x, success = nash_joint(
            arrays.unit_positions(), arrays.salience, arrays.mask, b, d, utility=str(p["utility"])
        )
        fallback = np.isnan(x) & arrays.mask.any(axis=1)
        x = np.where(fallback, compromise(arrays), x)
        forecast = self._static_forecast(arrays, x)
        return replace(forecast, diagnostics={"solver_success": success})
