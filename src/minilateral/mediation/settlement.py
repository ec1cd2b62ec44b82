r"""The settlement measure: does a forecast end in an agreement between the parties?

A run *settles* when the model met its stopping rule (``Forecast.converged``) and, on every
issue, the capability-weighted spread of the parties' final positions is within a tolerance
``tol`` (a share of the issue scale):

.. math::

    \sigma_q = \sqrt{\frac{\sum_{i \in P_q} c_{iq} (z_{iq} - \bar z_q)^2}{\sum_{i \in P_q} c_{iq}}},
    \qquad \bar z_q = \frac{\sum_{i \in P_q} c_{iq} z_{iq}}{\sum_{i \in P_q} c_{iq}},
    \qquad \text{settled} \iff \text{converged} \wedge \max_q \sigma_q \le tol

with :math:`z` the final positions on the unit scale and :math:`P_q` the parties (``role:
party``) taking part in issue q (equal weights where their capabilities sum to zero). Final
positions are the last state of a dynamic model's trajectory; a static model moves nobody, so
its final positions are the inputs. Over B Monte Carlo draws the settlement probability is
k/B with a Wilson score interval (Wilson 1927; Brown, Cai & DasGupta 2001).

References
----------
.. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
   inference. *Journal of the American Statistical Association* 22(158), 209–212.
.. [2] Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
   proportion. *Statistical Science* 16(2), 101–133.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from minilateral.arrays import BoolArray, FloatArray, ScenarioArrays
from minilateral.forecast import Forecast

__all__ = [
    "SettlementSummary",
    "final_positions",
    "party_mask",
    "party_spread",
    "settled",
    "summarize_settlement",
    "wilson_interval",
]


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    r"""Wilson score interval of a binomial proportion.

    .. math::

        \frac{\hat p + \frac{z^2}{2n}}{1 + \frac{z^2}{n}} \pm
        \frac{z}{1 + \frac{z^2}{n}} \sqrt{\frac{\hat p (1 - \hat p)}{n} + \frac{z^2}{4 n^2}}

    with :math:`z = \Phi^{-1}((1 + \text{confidence}) / 2)` (Wilson 1927, eq. 4 of
    Brown, Cai & DasGupta 2001).

    Parameters
    ----------
    successes, trials : int
        k and n, ``0 <= k <= n``; n = 0 gives the uninformative interval (0, 1).
    confidence : float, default=0.95

    Examples
    --------
    >>> tuple(round(v, 4) for v in wilson_interval(8, 10))
    (0.4902, 0.9433)
    """
    if trials == 0:
        return 0.0, 1.0
    z = float(special.ndtri(0.5 + confidence / 2.0))
    p = successes / trials
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2.0 * trials)) / denom
    half = z / denom * np.sqrt(p * (1.0 - p) / trials + z * z / (4.0 * trials * trials))
    low = 0.0 if successes == 0 else max(0.0, float(centre - half))
    high = 1.0 if successes == trials else min(1.0, float(centre + half))
    return low, high


def party_mask(arrays: ScenarioArrays) -> BoolArray:
    """Participation of the parties (``role: party``) only, shape (B, N, D)."""
    is_party: BoolArray = np.array([role == "party" for role in arrays.roles], dtype=bool)
    if is_party.size == 0:
        is_party = np.zeros(arrays.n_actors, dtype=bool)
    return arrays.mask & is_party[None, :, None]


def final_positions(forecast: Forecast, arrays: ScenarioArrays) -> FloatArray:
    """Positions at the stopping round on each issue's own scale, shape (B, N, D).

    The last state of the trajectory (after a batch member stops, its final state repeats);
    the inputs for a static model.
    """
    if forecast.trajectory is None:
        return arrays.positions
    return np.where(arrays.mask, forecast.trajectory[-1], arrays.positions)


def party_spread(arrays: ScenarioArrays, positions: FloatArray) -> FloatArray:
    """Capability-weighted standard deviation of the parties' positions, unit scale, (B, D).

    NaN on issues in which no party takes part.
    """
    m = party_mask(arrays)
    z = (positions - arrays.scale[:, 0]) / arrays.width
    c = np.where(m, arrays.capability, 0.0)
    total = c.sum(axis=1, keepdims=True)
    c = np.where(total > 0, c, m.astype(float))  # equal weights if the parties' c sums to 0
    total = c.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (c * np.where(m, z, 0.0)).sum(axis=1, keepdims=True) / total
        var = (c * np.where(m, (z - mean) ** 2, 0.0)).sum(axis=1) / total[:, 0]
    return np.where(m.any(axis=1), np.sqrt(np.maximum(var, 0.0)), np.nan)


def settled(forecast: Forecast, arrays: ScenarioArrays, tol: float = 0.1) -> BoolArray:
    """Whether each batch member settles: converged and every party spread ``<= tol``, (B,)."""
    spread = party_spread(arrays, final_positions(forecast, arrays))
    close = np.where(np.isnan(spread), True, spread <= tol + 1e-12).all(axis=1)
    return np.asarray(forecast.converged, dtype=bool) & close


@dataclass(frozen=True)
class SettlementSummary:
    """Settlement over a Monte Carlo batch.

    Attributes
    ----------
    probability, ci_low, ci_high : float
        Share of settled draws and its Wilson interval.
    settled : ndarray of bool, shape (B,)
        Per draw (kept for paired comparisons under common random numbers).
    expected_outcome : ndarray of shape (D,)
        Mean outcome over the draws (NaN draws ignored), own scale.
    converged : float
        Share of draws that met the model's stopping rule.
    """

    probability: float
    ci_low: float
    ci_high: float
    settled: BoolArray
    expected_outcome: FloatArray
    converged: float


def summarize_settlement(
    forecast: Forecast, arrays: ScenarioArrays, *, tol: float = 0.1, confidence: float = 0.95
) -> SettlementSummary:
    """Settlement probability with its Wilson interval, and the expected outcome."""
    ok = settled(forecast, arrays, tol)
    k, n = int(ok.sum()), int(ok.size)
    lo, hi = wilson_interval(k, n, confidence)
    outcome = forecast.outcome
    has = ~np.isnan(outcome)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(has, outcome, 0.0).sum(axis=0) / has.sum(axis=0)
    return SettlementSummary(
        probability=k / n if n else float("nan"),
        ci_low=lo,
        ci_high=hi,
        settled=ok,
        expected_outcome=np.where(has.any(axis=0), expected, np.nan),
        converged=float(np.mean(forecast.converged)) if n else float("nan"),
    )
