r"""The joint (multi-issue) Nash bargaining solution (``docs/models/nash.md#joint-mode``).

One Nash product over the whole agenda, so that actors can trade concessions across issues.
Utilities are additive over the issues on which an actor has a cell, on the unit scale:

.. math::

    u_i(z) = -\sum_q s_{iq}\,\ell(|z_q - z_{iq}|), \qquad
    u_i^0 = -\sum_q s_{iq}\,\ell(D_{iq}),

with :math:`\ell(t) = t^2` (quadratic) or :math:`t` (linear), :math:`D_{iq} = |d_q - z_{iq}|` on
issues with a reference point (unless ``worst`` is asked for) and
:math:`\max(z_{iq}, 1 - z_{iq})` otherwise. The solution maximises
:math:`\sum_i b_i \ln(u_i(z) - u_i^0)` over :math:`[0, 1]^D`, a concave problem.

Each batch member is one constrained optimisation (SciPy SLSQP), so this mode loops over the
batch in Python: solver-bound and documented as such, unlike the per-issue mode. The linear loss
is made smooth with auxiliary variables :math:`e_{iq} \ge |z_q - z_{iq}|`.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from minilateral.arrays import BoolArray, FloatArray

__all__ = ["nash_joint"]

_FTOL = 1e-12


def _loss(t: FloatArray, quadratic: bool) -> FloatArray:
    return t**2 if quadratic else t


def _max_min_slack(
    z: FloatArray, s: FloatArray, cell: BoolArray, budget: FloatArray, quadratic: bool
) -> tuple[FloatArray, float]:
    """A point of the box maximising the smallest slack ``min_i g_i`` (feasibility search)."""
    d = z.shape[1]

    def slack(x: FloatArray) -> FloatArray:
        out: FloatArray = budget - (s * cell * _loss(np.abs(x[:d] - z), quadratic)).sum(axis=1)
        return out

    start = np.append(np.full(d, 0.5), slack(np.full(d, 0.5)).min())
    result = minimize(
        lambda v: -v[d],
        start,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * d + [(None, None)],
        constraints=[{"type": "ineq", "fun": lambda v: slack(v) - v[d]}],
        options={"ftol": _FTOL, "maxiter": 500},
    )
    return result.x[:d], float(result.x[d])


def _solve_one(
    z: FloatArray,
    s: FloatArray,
    cell: BoolArray,
    b: FloatArray,
    d_point: FloatArray,
    use_rp: BoolArray,
    quadratic: bool,
) -> tuple[FloatArray, bool]:
    """Joint NBS of one scenario; returns the point on the unit scale and the solver status."""
    n, d = z.shape
    reach = np.where(use_rp[None, :], np.abs(d_point[None, :] - z), np.maximum(z, 1.0 - z))
    budget = (s * cell * _loss(reach, quadratic)).sum(axis=1)
    if np.all(~use_rp):
        start = np.full(d, 0.5)  # strictly feasible under `worst`
    else:
        start, best = _max_min_slack(z, s, cell, budget, quadratic)
        if best <= 1e-12:
            return np.where(use_rp, d_point, start), True  # feasible set has no interior: d
    weight = s * cell
    if quadratic:

        def objective(x: FloatArray) -> float:
            g = budget - (weight * (x - z) ** 2).sum(axis=1)
            return -float(np.sum(b * np.log(np.maximum(g, 1e-300))))

        def gradient(x: FloatArray) -> FloatArray:
            g = budget - (weight * (x - z) ** 2).sum(axis=1)
            out: FloatArray = ((b / g)[:, None] * 2.0 * weight * (x - z)).sum(axis=0)
            return out

        result = minimize(
            objective,
            start,
            jac=gradient,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * d,
            constraints=[
                {"type": "ineq", "fun": lambda x: budget - (weight * (x - z) ** 2).sum(axis=1)}
            ],
            options={"ftol": _FTOL, "maxiter": 1000},
        )
        return result.x, bool(result.success)

    # linear: variables (x, e) with e_iq >= |x_q - z_iq|, g_i = budget_i - sum_q w_iq e_iq
    e0 = np.abs(start[None, :] - z) + 1e-9
    v0 = np.concatenate([start, e0.ravel()])

    def split(v: FloatArray) -> tuple[FloatArray, FloatArray]:
        return v[:d], v[d:].reshape(n, d)

    def objective_lin(v: FloatArray) -> float:
        _, e = split(v)
        g = budget - (weight * e).sum(axis=1)
        return -float(np.sum(b * np.log(np.maximum(g, 1e-300))))

    def gradient_lin(v: FloatArray) -> FloatArray:
        _, e = split(v)
        g = budget - (weight * e).sum(axis=1)
        return np.concatenate([np.zeros(d), ((b / g)[:, None] * weight).ravel()])

    def abs_constraints(v: FloatArray) -> FloatArray:
        x, e = split(v)
        return np.concatenate([(e - (x - z)).ravel(), (e + (x - z)).ravel()])

    result = minimize(
        objective_lin,
        v0,
        jac=gradient_lin,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * d + [(0.0, None)] * (n * d),
        constraints=[
            {"type": "ineq", "fun": abs_constraints},
            {"type": "ineq", "fun": lambda v: budget - (weight * split(v)[1]).sum(axis=1)},
        ],
        options={"ftol": _FTOL, "maxiter": 1000},
    )
    return split(result.x)[0], bool(result.success)


def nash_joint(
    z: FloatArray,
    salience: FloatArray,
    mask: BoolArray,
    b: FloatArray,
    d: FloatArray,
    *,
    utility: str = "quadratic",
) -> tuple[FloatArray, BoolArray]:
    """Joint Nash bargaining solution of each batch member, on the unit scale.

    Parameters
    ----------
    z, salience : ndarray of shape (B, N, D)
        Ideal points on [0, 1] and saliences.
    mask : ndarray of bool, shape (B, N, D)
        Participation.
    b : ndarray of shape (B, N)
        Bargaining weight per actor; actors with ``b = 0`` or no salient cell drop out.
    d : ndarray of shape (D,)
        Disagreement point per issue; NaN means the actor's worst end of that issue.
    utility : {"quadratic", "linear"}

    Returns
    -------
    outcome : ndarray of shape (B, D)
    success : ndarray of bool, shape (B,)
        The solver's status per batch member.
    """
    batch, _, n_issues = z.shape
    use_rp = ~np.isnan(d)
    d_point = np.where(use_rp, d, 0.0)
    out = np.full((batch, n_issues), np.nan)
    ok = np.zeros(batch, dtype=bool)
    for k in range(batch):  # one SLSQP problem per scenario (see module docstring)
        cell = mask[k] & (salience[k] > 0)
        active = (b[k] > 0) & cell.any(axis=1)
        if not active.any():
            continue
        x, ok[k] = _solve_one(
            z[k][active],
            salience[k][active],
            cell[active],
            b[k][active],
            d_point,
            use_rp,
            utility == "quadratic",
        )
        covered = cell[active].any(axis=0)
        out[k] = np.where(covered, np.clip(x, 0.0, 1.0), np.nan)
    return out, ok
