r"""One-dimensional yearly ideal points from UN roll calls by EM.

Model, algorithm and stopping rule: ``docs/alignment.md#ideal-points``. The model is the binary
probit IRT model of Imai, Lo & Olmsted (2016),

.. math:: P(y_{ik} = 1) = \Phi(\beta_k x_i - \alpha_k),\quad x_i \sim N(0, 1),\quad
          (\alpha_k, \beta_k) \sim N(0, 25 I_2),

and the estimate is the joint posterior mode reached by the ECM algorithm (Meng & Rubin 1993)
from the SVD start. Plain ECM needs 12,000–28,000 iterations a year on these data, so the ECM
map is accelerated with SQUAREM (Varadhan & Roland 2008, scheme S3, with the monotone
fallback of their section 6): every accelerated point is followed by one plain ECM step, and
the iteration stops when that plain step changes no x_i, α_k or β_k by 1e-8 or more — the
stopping rule of plain ECM applied to the ECM map itself, evaluated at the accelerated iterate.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import log_ndtr

from minilateral.alignment.votes import RollCalls
from minilateral.errors import ConvergenceWarning

__all__ = ["IdealPointEstimator", "filter_votes", "ideal_points"]

USA = 2
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
_PRIOR_ITEM = 1.0 / 25.0  # prior precision of (α_k, β_k): N(0, 25)


def filter_votes(
    y: npt.NDArray[np.float64], *, lop: float = 0.025, min_votes: int = 20
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Filters F1 then F2 on a states × roll-calls matrix (1 yes, 0 no, NaN missing).

    Filters: ``docs/alignment.md#ideal-points``.

    Returns the boolean masks of the roll calls and states kept.
    """
    obs = ~np.isnan(y)
    yes = np.where(obs, y, 0.0).sum(axis=0)
    total = obs.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        minority = np.minimum(yes, total - yes) / total
    keep_k = np.nan_to_num(minority, nan=0.0) >= lop  # F1 (drops unanimous roll calls)
    keep_i = obs[:, keep_k].sum(axis=1) >= min_votes  # F2
    return keep_k, keep_i


@dataclass
class _Problem:
    y: npt.NDArray[np.float64]  # 0/1 with 0 where missing
    obs: npt.NDArray[np.float64]  # 1 observed, 0 missing
    sign: npt.NDArray[np.float64]  # 2y − 1 where observed, 0 where missing

    def ecm(self, theta: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """One ECM iteration (E-step, CM items, CM states): steps 2–4 of the algorithm."""
        n, k = self.y.shape
        x, alpha, beta = theta[:n], theta[n : n + k], theta[n + k :]
        mu = x[:, None] * beta[None, :] - alpha[None, :]
        # E-step: truncated-normal means, ratios in log space
        log_phi = -0.5 * mu * mu - _LOG_SQRT_2PI
        mills = np.exp(log_phi - log_ndtr(self.sign * mu))
        yhat = (mu + self.sign * mills) * self.obs
        # CM-step, items: 2 × 2 ridge system in (c_k, β_k); α_k = −c_k
        a11 = self.obs.sum(axis=0) + _PRIOR_ITEM
        a12 = x @ self.obs
        a22 = (x * x) @ self.obs + _PRIOR_ITEM
        b1 = yhat.sum(axis=0)
        b2 = x @ yhat
        det = a11 * a22 - a12 * a12
        c = (a22 * b1 - a12 * b2) / det
        beta_new = (a11 * b2 - a12 * b1) / det
        alpha_new = -c
        # CM-step, states
        num = ((yhat + alpha_new[None, :] * self.obs) * beta_new[None, :]).sum(axis=1)
        den = self.obs @ (beta_new * beta_new) + 1.0
        return np.concatenate([num / den, alpha_new, beta_new])

    def log_posterior(self, theta: npt.NDArray[np.float64]) -> float:
        """Exact log posterior (up to a constant)."""
        n, k = self.y.shape
        x, alpha, beta = theta[:n], theta[n : n + k], theta[n + k :]
        mu = x[:, None] * beta[None, :] - alpha[None, :]
        ll = float((log_ndtr(self.sign * mu) * self.obs).sum())
        return ll - 0.5 * float(x @ x) - 0.5 * _PRIOR_ITEM * float(alpha @ alpha + beta @ beta)


class IdealPointEstimator:
    """Binary probit IRT ideal points by SQUAREM-accelerated ECM.

    Model and algorithm: ``docs/alignment.md#ideal-points``.

    Parameters
    ----------
    tol : float, default=1e-8
        Stop when one plain ECM step changes no parameter by ``tol`` or more.
    max_iter : int, default=100000
        Cap on ECM evaluations.
    accelerate : bool, default=True
        SQUAREM acceleration; ``False`` runs plain ECM (the reference algorithm).

    Attributes
    ----------
    ideal_points_ : ndarray of shape (n_states,)
        MAP x, reflected so that the reference state (USA) is positive.
    z_ : ndarray of shape (n_states,)
        Standardised x (mean 0, SD 1, ddof = 0).
    alpha_, beta_ : ndarray of shape (n_rollcalls,)
        Item parameters.
    n_iter_ : int
        ECM evaluations used.
    converged_ : bool
        Whether the stopping rule was met before ``max_iter``.
    """

    def __init__(self, *, tol: float = 1e-8, max_iter: int = 100_000, accelerate: bool = True):
        self.tol = tol
        self.max_iter = max_iter
        self.accelerate = accelerate

    def fit(self, y: npt.ArrayLike, *, reference: int | None = None) -> IdealPointEstimator:
        """Fit on ``y`` (states × roll calls; 1 yes, 0 no, NaN missing), already filtered.

        ``reference`` is the row whose x is made positive (the USA for UN votes).
        """
        y = np.asarray(y, dtype=float)
        obs = ~np.isnan(y)
        y01 = np.where(obs, y, 0.0)
        prob = _Problem(y01, obs.astype(float), np.where(obs, 2.0 * y01 - 1.0, 0.0))
        n, k = y.shape
        # step 1 of the algorithm: SVD start
        z = np.where(obs, 2.0 * y01 - 1.0, 0.0)
        col_mean = z.sum(axis=0) / np.maximum(obs.sum(axis=0), 1)
        z = np.where(obs, z - col_mean, 0.0)
        u = np.linalg.svd(z, full_matrices=False)[0][:, 0]
        x0 = (u - u.mean()) / u.std()
        if reference is not None and x0[reference] < 0:
            x0 = -x0
        theta = np.concatenate([x0, np.zeros(k), np.zeros(k)])
        theta, n_iter, converged = (self._squarem if self.accelerate else self._plain)(prob, theta)
        x, alpha, beta = theta[:n], theta[n : n + k], theta[n + k :]
        if reference is not None and x[reference] < 0:  # step 6: reflection
            x, beta = -x, -beta
        self.ideal_points_ = x
        self.z_ = (x - x.mean()) / x.std()
        self.alpha_, self.beta_ = alpha, beta
        self.n_iter_, self.converged_ = n_iter, converged
        return self

    def _plain(
        self, prob: _Problem, theta: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], int, bool]:
        for it in range(1, self.max_iter + 1):
            new = prob.ecm(theta)
            if np.max(np.abs(new - theta)) < self.tol:
                return new, it, True
            theta = new
        return theta, self.max_iter, False

    def _squarem(
        self, prob: _Problem, theta: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], int, bool]:
        evals = 0
        while evals < self.max_iter:
            t1 = prob.ecm(theta)
            t2 = prob.ecm(t1)
            evals += 2
            r = t1 - theta
            v = (t2 - t1) - r
            if np.max(np.abs(t2 - t1)) < self.tol:
                return t2, evals, True
            vv = float(v @ v)
            step = -np.sqrt(float(r @ r) / vv) if vv > 0 else -1.0
            step = min(step, -1.0)
            accel = theta - 2.0 * step * r + step * step * v
            stab = prob.ecm(accel)
            evals += 1
            if step < -1.0 and prob.log_posterior(stab) < prob.log_posterior(t2):
                stab = prob.ecm(t2)  # monotone fallback: plain ECM from t2
                evals += 1
                if np.max(np.abs(stab - t2)) < self.tol:
                    return stab, evals, True
                theta = stab
                continue
            if np.max(np.abs(prob.ecm(stab) - stab)) < self.tol:
                return stab, evals + 1, True
            theta = stab
        return theta, evals, False


def _year_matrix(votes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """States × roll calls of one year: 1 yes, 0 no, NaN abstain or missing."""
    states, srow = np.unique(votes["ccode"].to_numpy(), return_inverse=True)
    _, kcol = np.unique(votes["rc"].to_numpy(), return_inverse=True)
    y = np.full((len(states), kcol.max() + 1), np.nan)
    v = votes["v"].to_numpy()
    y[srow, kcol] = np.where(v == 1, 1.0, np.where(v == 3, 0.0, np.nan))
    return y, states


def ideal_points(
    rollcalls: RollCalls,
    years: Iterable[int] | None = None,
    *,
    tol: float = 1e-8,
    max_iter: int = 100_000,
    accelerate: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Yearly ideal points of every state (``docs/alignment.md#ideal-points``).

    Parameters
    ----------
    rollcalls : RollCalls
        Prepared votes.
    years : iterable of int, optional
        Calendar years (default: every year with roll calls).
    tol, max_iter, accelerate
        See :class:`IdealPointEstimator`.

    Returns
    -------
    points : DataFrame
        ``year``, ``ccode``, ``x`` (MAP), ``z`` (standardised), ``n_votes`` (yes/no after F1).
    diagnostics : DataFrame
        Per year: ``n_rollcalls`` (after F1), ``n_states`` (after F2), ``n_iter``,
        ``converged``. Years where F1/F2 leave fewer than two roll calls or states (e.g. 1951,
        1991 and 2024, with fewer than 20 contested roll calls) have no ideal points and
        ``n_states`` = 0.
    """
    votes = rollcalls.votes
    wanted = rollcalls.years if years is None else sorted({int(y) for y in years})
    points, diags = [], []
    for year in wanted:
        sub = votes[votes["year"] == year]
        if sub.empty:
            diags.append(
                {"year": year, "n_rollcalls": 0, "n_states": 0, "n_iter": 0, "converged": False}
            )
            continue
        y, states = _year_matrix(sub)
        keep_k, keep_i = filter_votes(y)
        y = y[keep_i][:, keep_k]
        states = states[keep_i]
        if y.shape[1] < 2 or y.shape[0] < 2:
            diags.append(
                {
                    "year": year,
                    "n_rollcalls": int(y.shape[1]),
                    "n_states": int(y.shape[0]),
                    "n_iter": 0,
                    "converged": False,
                }
            )
            continue
        ref = np.flatnonzero(states == USA)
        est = IdealPointEstimator(tol=tol, max_iter=max_iter, accelerate=accelerate)
        est.fit(y, reference=int(ref[0]) if ref.size else None)
        points.append(
            pd.DataFrame(
                {
                    "year": year,
                    "ccode": states,
                    "x": est.ideal_points_,
                    "z": est.z_,
                    "n_votes": (~np.isnan(y)).sum(axis=1),
                }
            )
        )
        diags.append(
            {
                "year": year,
                "n_rollcalls": int(y.shape[1]),
                "n_states": int(y.shape[0]),
                "n_iter": est.n_iter_,
                "converged": est.converged_,
            }
        )
    diag = pd.DataFrame(diags)
    if not diag.empty:
        bad = diag.loc[~diag["converged"] & (diag["n_states"] > 1), "year"].tolist()
        if bad:
            warnings.warn(
                f"ideal points did not converge in {len(bad)} year(s): {bad}",
                ConvergenceWarning,
                stacklevel=2,
            )
    cols = ["year", "ccode", "x", "z", "n_votes"]
    pts = pd.concat(points, ignore_index=True) if points else pd.DataFrame(columns=cols)
    return pts, diag
