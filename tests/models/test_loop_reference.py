"""The vectorised cores agree with their plain-loop twins."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from minilateral.arrays import ScenarioArrays
from minilateral.models.registry import get_model
from tests.reference.baselines_loop import (
    compromise_loop,
    mean_loop,
    median_loop,
    nash_loop,
    weighted_mean_loop,
    weighted_median_loop,
)
from tests.strategies import scenario_arrays

CASES = [
    ("mean", mean_loop),
    ("weighted-mean", weighted_mean_loop),
    ("compromise", compromise_loop),
    ("median", median_loop),
    ("weighted-median", weighted_median_loop),
    ("nash", nash_loop),
]


@settings(max_examples=60, deadline=None)
@given(arrays=scenario_arrays(max_actors=8))
def test_vectorised_equals_loop(arrays: ScenarioArrays) -> None:
    for name, loop in CASES:
        np.testing.assert_allclose(
            get_model(name).forecast(arrays).outcome,
            loop(arrays),
            rtol=0,
            atol=1e-9 * float(arrays.width.max()),
            equal_nan=True,
            err_msg=name,
        )
