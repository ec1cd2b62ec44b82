"""The contract every registered model meets (as scikit-learn's estimator checks)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from minilateral.arrays import ScenarioArrays
from minilateral.models.registry import available_models, get_model
from tests.strategies import scenario_arrays

MODELS = list(available_models())
# The static models of the foundation issue: exactly order-invariant and affine-equivariant.
# Dynamic models break ties by input order (docs/scenario-format.md#ties-and-determinism) and are
# excluded there.
STATIC = ["mean", "weighted-mean", "compromise", "median", "weighted-median", "nash"]
# KTAB's SMP rounds bargains to 1e-4 of the scale (4 decimals of its internal [0, 1] scale, as KTAB
# does under S1P1 and S2P2), so a bargain point can lie up to 5e-5 of the scale outside the hull of
# the positions.
HULL_SLACK = {"smp": 5e-5}
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _admissible(name: str, arrays: ScenarioArrays) -> None:
    """Skip draws below a model's declared minimum of actors per issue (BDM needs 3)."""
    count = arrays.mask.sum(axis=1)
    need = getattr(type(get_model(name)), "min_actors", 1)
    assume(bool(np.all((count == 0) | (count >= need))))


def _hull(arrays: ScenarioArrays) -> tuple[np.ndarray, np.ndarray]:
    pos = np.where(arrays.mask, arrays.positions, np.nan)
    return np.nanmin(pos, axis=1), np.nanmax(pos, axis=1)


@pytest.mark.parametrize("name", MODELS)
def test_params_round_trip(name: str) -> None:
    model = get_model(name)
    clone = model.clone()
    assert type(clone) is type(model)
    assert clone.get_params() == model.get_params()
    assert repr(clone) == repr(model)


@pytest.mark.parametrize("name", MODELS)
@FAST
@given(arrays=scenario_arrays())
def test_outcome_in_hull_with_shapes(name: str, arrays: ScenarioArrays) -> None:
    _admissible(name, arrays)
    before = arrays.positions.copy(), arrays.salience.copy(), arrays.capability.copy()
    result = get_model(name).forecast(arrays, rng=0)
    b, n, d = arrays.positions.shape
    assert result.outcome.shape == (b, d)
    assert result.rounds.shape == result.converged.shape == (b,)
    if result.trajectory is not None:
        assert result.trajectory.shape[1:] == (b, n, d)
    lo, hi = _hull(arrays)
    tol = (1e-9 + HULL_SLACK.get(name, 0.0)) * arrays.width
    finite = np.isfinite(result.outcome)
    assert np.all((result.outcome >= lo - tol) & (result.outcome <= hi + tol) | ~finite)
    # inputs are not mutated
    for a, b_ in zip(before, (arrays.positions, arrays.salience, arrays.capability), strict=True):
        np.testing.assert_array_equal(a, b_)


@pytest.mark.parametrize("name", MODELS)
@FAST
@given(arrays=scenario_arrays())
def test_batch_equals_single_runs(name: str, arrays: ScenarioArrays) -> None:
    _admissible(name, arrays)
    model = get_model(name)
    batch = model.forecast(arrays, rng=0).outcome
    singles = np.concatenate(
        [model.forecast(arrays.take(k), rng=0).outcome for k in range(arrays.batch_size)]
    )
    np.testing.assert_allclose(batch, singles, rtol=0, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize("name", STATIC)
@FAST
@given(arrays=scenario_arrays(), data=st.data())
def test_actor_order_invariance(name: str, arrays: ScenarioArrays, data: st.DataObject) -> None:
    perm = np.array(data.draw(st.permutations(range(arrays.n_actors))))
    shuffled = replace(
        arrays,
        positions=arrays.positions[:, perm],
        salience=arrays.salience[:, perm],
        capability=arrays.capability[:, perm],
        mask=arrays.mask[:, perm],
        actors=tuple(arrays.actors[i] for i in perm),
    )
    model = get_model(name)
    np.testing.assert_allclose(
        model.forecast(shuffled).outcome,
        model.forecast(arrays).outcome,
        atol=1e-9 * float(arrays.width.max()),
        equal_nan=True,
    )


@pytest.mark.parametrize("name", STATIC)
@FAST
@given(
    arrays=scenario_arrays(),
    a=st.floats(0.01, 1000.0),
    c=st.floats(-1000.0, 1000.0),
    k=st.floats(1e-3, 1e3),
)
def test_affine_equivariance_and_capability_scaling(
    name: str, arrays: ScenarioArrays, a: float, c: float, k: float
) -> None:
    model = get_model(name)
    base = model.forecast(arrays).outcome
    moved = replace(
        arrays,
        positions=a * arrays.positions + c,
        scale=a * arrays.scale + c,
        reference=a * arrays.reference + c,
        capability=k * arrays.capability,
    )
    error = (model.forecast(moved).outcome - (a * base + c)) / (a * arrays.width)
    assert np.all(np.isnan(error) == np.isnan(base))
    assert np.nanmax(np.abs(error), initial=0.0) < 1e-7
