"""Fixtures of the Monte Carlo tests: a small scenario and a toy dynamic model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from minilateral.arrays import ScenarioArrays
from minilateral.forecast import Forecast
from minilateral.io.yaml_io import load_yaml
from minilateral.models import registry
from minilateral.models.base import Model, SeedLike
from minilateral.scenario import Scenario

SMALL = """\
title: Small test negotiation
issues:
  - {name: border, lo: 0, hi: 10, reference: 5}
  - {name: aid, lo: -1, hi: 1}
actors:
  - name: A
    capability: 3
    positions: {border: 1, aid: -0.5}
    salience: {border: 0.9, aid: 0.2}
  - name: B
    capability: 2
    capabilities: {aid: 5}
    positions: {border: 9, aid: 0.5}
    salience: {border: 1.0, aid: 0.6}
  - name: C
    capability: 1
    positions: {border: 4}
    salience: {border: 0.5}
  - name: D
    capability: 0.5
    positions: {border: 0, aid: 1}
    salience: {border: 0.3, aid: 0.0}
"""


@pytest.fixture
def small_yaml(tmp_path: Path) -> Path:
    """The small scenario as a YAML file."""
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small() -> Scenario:
    """4 actors, 2 issues; C takes no part in 'aid'; B has a per-issue capability."""
    return load_yaml(SMALL)


class ToyDynamicModel(Model):
    """Each round every actor moves halfway to the weighted mean; stops when moves < tol.

    Batch members stop independently (their state is frozen once converged), as the Forecast
    contract requires; used to exercise rounds, convergence and trajectories in sweeps.
    """

    name = "toy-dynamic"
    summary = "test only"
    dynamic = True
    rounds_option = "max_rounds"

    def __init__(self, *, max_rounds: int = 50, tol: float = 1e-3) -> None:
        self.max_rounds = max_rounds
        self.tol = tol

    def forecast(self, arrays: ScenarioArrays, rng: SeedLike = None) -> Forecast:
        """Iterate until every member converged or the cap is reached."""
        params = self.resolved_options()
        z, w, mask = arrays.unit_positions(), arrays.weights(), arrays.mask
        total = np.where(mask, w, 0).sum(axis=1, keepdims=True)
        rounds = np.zeros(arrays.batch_size, dtype=np.int64)
        done = np.zeros(arrays.batch_size, dtype=bool)
        for _ in range(params["max_rounds"]):
            mean = np.where(mask, w * z, 0).sum(axis=1, keepdims=True) / np.where(
                total > 0, total, 1
            )
            step = np.where(mask, 0.5 * (mean - z), 0.0)
            moving = ~done
            z = np.where(moving[:, None, None], z + step, z)
            rounds += moving
            done |= np.abs(step).max(axis=(1, 2)) < params["tol"]
            if done.all():
                break
        outcome = np.where(mask, w * z, 0).sum(axis=1) / np.where(total[:, 0] > 0, total[:, 0], 1)
        return Forecast(
            model=self.name,
            options=self.get_params(),
            outcome=arrays.from_unit(outcome),
            actors=arrays.actors,
            issues=arrays.issues,
            rounds=rounds,
            converged=done,
        )


@pytest.fixture
def toy_dynamic(monkeypatch: pytest.MonkeyPatch) -> str:
    """Register the toy dynamic model for one test only."""
    registry.available_models()
    monkeypatch.setitem(registry._REGISTRY, ToyDynamicModel.name, ToyDynamicModel)
    return ToyDynamicModel.name


@pytest.fixture(scope="session")
def small_text() -> str:
    """The small scenario's YAML text."""
    return SMALL
