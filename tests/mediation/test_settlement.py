"""Settlement measure: Wilson intervals, the parties' spread, the settlement rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minilateral.arrays import ScenarioArrays
from minilateral.forecast import Forecast
from minilateral.mediation.settlement import (
    party_spread,
    settled,
    summarize_settlement,
    wilson_interval,
)


def _arrays(positions, capability, roles, mask=None) -> ScenarioArrays:
    x = np.asarray(positions, dtype=float)
    if x.ndim == 2:
        x = x[None]
    cap = np.broadcast_to(np.asarray(capability, dtype=float)[None, :, None], x.shape).copy()
    return ScenarioArrays(
        positions=x,
        salience=np.full_like(x, 0.5),
        capability=cap,
        mask=np.ones(x.shape, bool) if mask is None else np.asarray(mask),
        scale=np.tile([0.0, 100.0], (x.shape[2], 1)),
        reference=np.full(x.shape[2], np.nan),
        actors=tuple(f"a{i}" for i in range(x.shape[1])),
        issues=tuple(f"q{q}" for q in range(x.shape[2])),
        roles=tuple(roles),
    )


def _forecast(arrays: ScenarioArrays, final, converged) -> Forecast:
    b = arrays.batch_size
    traj = np.stack([arrays.positions, np.asarray(final, dtype=float)])
    return Forecast(
        model="toy",
        options={},
        outcome=np.asarray(final, dtype=float).mean(axis=1),
        actors=arrays.actors,
        issues=arrays.issues,
        rounds=np.ones(b, dtype=np.int64),
        converged=np.asarray(converged, dtype=bool),
        trajectory=traj,
    )


def test_wilson_hand_computed() -> None:
    # p = 0.8, n = 10, z = 1.959964: centre 0.71674, half-width 0.22658.
    assert wilson_interval(8, 10) == pytest.approx((0.49016, 0.94331), abs=5e-5)
    # k = 0: the upper bound is z² / (n + z²) exactly, the lower bound 0.
    z2 = 1.959963984540054**2
    assert wilson_interval(0, 500) == pytest.approx((0.0, z2 / (500 + z2)), abs=1e-12)
    assert wilson_interval(500, 500)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_estimate(kn: tuple[int, int]) -> None:
    k, n = kn
    lo, hi = wilson_interval(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    lo99, hi99 = wilson_interval(k, n, 0.99)
    assert lo99 <= lo + 1e-12
    assert hi99 >= hi - 1e-12


def test_party_spread_hand_computed() -> None:
    # Parties with c = 3 at 20 and c = 1 at 60: mean 0.3, variance (3·0.01 + 1·0.09)/4 = 0.03.
    arrays = _arrays([[[20.0], [60.0], [100.0]]], [3, 1, 50], ["party", "party", "mediator"])
    assert party_spread(arrays, arrays.positions)[0, 0] == pytest.approx(np.sqrt(0.03), abs=1e-12)


def test_issue_without_party_is_ignored() -> None:
    mask = np.array([[[True, False], [True, False], [True, True]]])
    arrays = _arrays(
        [[[50.0, 0.0], [52.0, 0.0], [90.0, 10.0]]],
        [1, 1, 1],
        ["party", "party", "stakeholder"],
        mask=mask,
    )
    spread = party_spread(arrays, arrays.positions)
    assert np.isnan(spread[0, 1])
    fc = _forecast(arrays, arrays.positions, [True])
    assert settled(fc, arrays, 0.1).tolist() == [True]


def test_settlement_needs_convergence_and_every_issue() -> None:
    start = [[[20.0, 20.0], [80.0, 80.0], [50.0, 50.0]]] * 3
    arrays = _arrays(start, [1, 1, 1], ["party", "party", "stakeholder"])
    final = np.array(
        [
            [[48.0, 49.0], [52.0, 51.0], [50.0, 50.0]],  # settles
            [[48.0, 20.0], [52.0, 80.0], [50.0, 50.0]],  # second issue apart
            [[48.0, 49.0], [52.0, 51.0], [50.0, 50.0]],  # close but not converged
        ]
    )
    fc = _forecast(arrays, final, [True, True, False])
    assert settled(fc, arrays, 0.1).tolist() == [True, False, False]
    summary = summarize_settlement(fc, arrays, tol=0.1)
    assert summary.probability == pytest.approx(1 / 3)
    assert (summary.ci_low, summary.ci_high) == pytest.approx(wilson_interval(1, 3))
    assert summary.expected_outcome == pytest.approx(final.mean(axis=1).mean(axis=0))
    # The tolerance is an option: at 0.35 the second draw settles too.
    assert settled(fc, arrays, 0.35).tolist() == [True, True, False]
