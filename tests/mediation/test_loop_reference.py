"""The vectorised settlement and coalition-entry cores agree with their plain-loop twins."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minilateral.arrays import ScenarioArrays
from minilateral.mediation.coalitions import Candidate, add_coalition
from minilateral.mediation.settlement import party_spread
from tests.reference.coalitions_loop import add_coalition_loop, party_spread_loop


@st.composite
def batches(draw) -> ScenarioArrays:
    b, n, d = draw(st.integers(1, 4)), draw(st.integers(2, 6)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = np.sort(rng.uniform(-50, 150, size=(d, 2)), axis=1) + np.array([0.0, 1.0])
    z = rng.uniform(size=(b, n, d))
    mask = rng.uniform(size=(1, n, d)) < 0.8
    cap = rng.choice([0.0, 1.0, 2.5, 10.0], size=(b, n, 1)) * np.ones((1, 1, d))
    roles = tuple(draw(st.lists(st.sampled_from(["party", "stakeholder", "mediator"]),
                                min_size=n, max_size=n)))  # fmt: skip
    return ScenarioArrays(
        positions=scale[:, 0] + z * (scale[:, 1] - scale[:, 0]),
        salience=rng.uniform(size=(b, n, d)),
        capability=cap,
        mask=np.broadcast_to(mask, (b, n, d)).copy(),
        scale=scale,
        reference=np.full(d, np.nan),
        actors=tuple(f"a{i}" for i in range(n)),
        issues=tuple(f"q{q}" for q in range(d)),
        roles=roles,
    )


@settings(max_examples=60, deadline=None)
@given(batches())
def test_party_spread_matches_loop(arrays: ScenarioArrays) -> None:
    fast = party_spread(arrays, arrays.positions)
    slow = party_spread_loop(arrays, arrays.positions)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(batches(), st.data())
def test_add_coalition_matches_loop(arrays: ScenarioArrays, data) -> None:
    pool = [Candidate(name, name, data.draw(st.sampled_from([0.0, 1.0, 7.5]))) for name in
            arrays.actors[:2]] + [Candidate("NEW", None, 3.0, 0.5, 0.8)]  # fmt: skip
    members = data.draw(st.lists(st.sampled_from(pool), unique_by=lambda c: c.code))
    proposal = arrays.from_unit(np.random.default_rng(0).uniform(size=arrays.positions.shape[::2]))
    proposal[:, -1] = np.nan if data.draw(st.booleans()) else proposal[:, -1]
    fast = add_coalition(arrays, members, proposal)
    actors, roles, pos, sal, cap, mask = add_coalition_loop(arrays, members, proposal)
    assert list(fast.actors) == actors
    assert list(fast.roles) == roles
    for got, want in ((fast.positions, pos), (fast.salience, sal), (fast.capability, cap)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(fast.mask, mask)


def test_loop_reference_hand_value() -> None:
    x = np.array([[[20.0], [60.0], [100.0]]])
    arrays = ScenarioArrays(
        positions=x, salience=np.ones_like(x), capability=np.array([[[3.0], [1.0], [9.0]]]),
        mask=np.ones(x.shape, bool), scale=np.array([[0.0, 100.0]]),
        reference=np.array([np.nan]), actors=("a", "b", "c"), issues=("q",),
        roles=("party", "party", "stakeholder"),
    )  # fmt: skip
    assert party_spread_loop(arrays, x)[0, 0] == pytest.approx(np.sqrt(0.03))
