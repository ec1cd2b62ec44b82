"""Running an issue-separable model issue by issue (beside :class:`~.base.Model`).

A model with ``issue_separable = True`` bargains every issue on its own, so an issue can be
forecast with only the actors taking part in it. Dropping the actors that take no part in an
issue leaves such a model's dynamics unchanged and saves the work their empty cells cost (BDM's
is cubic in the number of actors per issue).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from minilateral.arrays import ScenarioArrays
from minilateral.forecast import Forecast
from minilateral.models.base import Model

__all__ = ["forecast_by_issue"]


def forecast_by_issue(
    model: Model, arrays: ScenarioArrays, seed: np.random.SeedSequence
) -> Forecast:
    """Forecast ``arrays`` with ``model``, issue by issue on each issue's participants when the
    model is issue-separable (else, or with one issue, in one run).

    Issue q runs with the child seed ``SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key,
    q))``, the same on every call (``seed.spawn`` would advance ``seed``), so repeated calls on
    different inputs share their random numbers (common random numbers).

    Returns
    -------
    Forecast
        For a split run: the per-issue outcome (NaN where no actor takes part), convergence
        (all issues converged), rounds (the maximum over issues) and a two-state trajectory
        (inputs, final positions; NaN in the cells of actors absent from an issue).
    """
    if not type(model).issue_separable or arrays.n_issues == 1:
        return model.forecast(arrays, rng=np.random.default_rng(seed))
    b, _, d = arrays.positions.shape
    outcome = np.full((b, d), np.nan)
    final = arrays.positions.copy()
    converged = np.ones(b, dtype=bool)
    rounds = np.zeros(b, dtype=np.int64)
    for q in range(d):
        child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, q))
        keep = np.flatnonzero(arrays.mask[:, :, q].any(axis=0))
        if keep.size == 0:
            continue
        sub = replace(
            arrays,
            positions=arrays.positions[:, keep, q : q + 1],
            salience=arrays.salience[:, keep, q : q + 1],
            capability=arrays.capability[:, keep, q : q + 1],
            mask=arrays.mask[:, keep, q : q + 1],
            scale=arrays.scale[q : q + 1],
            reference=arrays.reference[q : q + 1],
            actors=tuple(arrays.actors[i] for i in keep),
            issues=(arrays.issues[q],),
            roles=tuple(arrays.roles[i] for i in keep) if arrays.roles else (),
        )
        fc = model.forecast(sub, rng=np.random.default_rng(child))
        outcome[:, q] = fc.outcome[:, 0]
        converged &= np.asarray(fc.converged, dtype=bool)
        rounds = np.maximum(rounds, fc.rounds)
        if fc.trajectory is not None:
            final[:, keep, q] = np.where(sub.mask[:, :, 0], fc.trajectory[-1, :, :, 0], np.nan)
    return Forecast(
        model=model.name,
        options=model.get_params(),
        outcome=outcome,
        actors=arrays.actors,
        issues=arrays.issues,
        rounds=rounds,
        converged=converged,
        trajectory=np.stack([arrays.positions, final]),
    )
