"""Hypothesis strategies: random scenario batches as ScenarioArrays."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from minilateral.arrays import ScenarioArrays


@st.composite
def scenario_arrays(
    draw: st.DrawFn,
    *,
    max_actors: int = 6,
    max_issues: int = 3,
    max_batch: int = 3,
    with_reference: bool = True,
) -> ScenarioArrays:
    """A batch of scenarios sharing actors, issues and participation, with random values.

    Every actor takes part in at least one issue and every issue has at least one actor.
    """
    n = draw(st.integers(1, max_actors))
    d = draw(st.integers(1, max_issues))
    b = draw(st.integers(1, max_batch))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    lo = rng.choice([0.0, -5.0, 4.0], size=d)
    hi = lo + rng.choice([1.0, 6.0, 100.0], size=d)
    scale = np.stack([lo, hi], axis=1)
    mask = rng.random((n, d)) < 0.8
    mask[np.arange(n), rng.integers(0, d, n)] = True
    mask[rng.integers(0, n, d), np.arange(d)] = True
    # Positions on a grid of the scale (ties happen, as in real scenarios).
    grid = draw(st.sampled_from([4, 10, 0]))
    z = rng.random((b, n, d))
    if grid:
        z = np.round(z * grid) / grid
    positions = np.where(mask, lo + z * (hi - lo), lo)
    salience = np.where(mask, rng.choice([0.0, 0.3, 0.5, 0.8, 1.0], (b, n, d)), 0.0)
    salience = np.where(mask & (rng.random((b, n, d)) < 0.8), rng.random((b, n, d)), salience)
    capability = np.where(mask, rng.choice([0.5, 1.0, 2.0, 10.0], (b, n, 1)), 0.0)
    reference = np.full(d, np.nan)
    if with_reference and draw(st.booleans()):
        reference = lo + rng.choice([0.0, 0.25, 0.5, 1.0], size=d) * (hi - lo)
    return ScenarioArrays(
        positions=positions,
        salience=salience,
        capability=capability * np.ones((b, n, d)),
        mask=np.broadcast_to(mask, (b, n, d)).copy(),
        scale=scale,
        reference=reference,
        actors=tuple(f"A{i}" for i in range(n)),
        issues=tuple(f"q{j}" for j in range(d)),
    )
