"""bdm's compiled whole-run kernel equals the reference twin bit for bit under every option set."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minilateral as ml
from minilateral.models import _bdm_kernels
from minilateral.models.registry import get_model
from minilateral.montecarlo.perturb import resolve_uncertainty
from tests.reference import bdm_twin

pytestmark = pytest.mark.skipif(not _bdm_kernels.AVAILABLE, reason="numba is not installed")

# stopping named explicitly: the defaults may differ between branches
OPTION_SETS = [
    {"variant": "printed", "stopping": "converged"},
    {
        "probability": "printed",
        "perspective": "own",
        "selection": "least_movement",
        "stopping": "fixed",
    },
    {"Q": 0.4, "capitulation": True, "stopping": "converged"},
    {"Q": 0.7, "probability": "printed", "capitulation": True, "stopping": "fixed"},
    {
        "perspective": "own",
        "selection": "least_movement",
        "rounds": 15,
        "K": 3,
        "eps": 0.02,
        "stopping": "converged",
    },
]


@pytest.mark.parametrize("options", OPTION_SETS)
def test_kernel_equals_twin_under_options(
    monkeypatch: pytest.MonkeyPatch, options: dict[str, object]
) -> None:
    monkeypatch.setenv("MINILATERAL_KERNEL", "numba")
    assert _bdm_kernels.enabled()
    arrays = resolve_uncertainty(ml.load_scenario("sudan")).sample(3, 0, 200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        live = get_model("bdm", **options).forecast(arrays)
        twin = bdm_twin.BDMModel(**options).forecast(arrays)
    for key in twin.diagnostics:
        a, b = live.diagnostics[key], twin.diagnostics[key]
        if isinstance(b, list):
            assert len(a) == len(b)
            for x, y in zip(a, b, strict=True):
                np.testing.assert_array_equal(x, y)
        else:
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(live.trajectory, twin.trajectory)
    np.testing.assert_array_equal(live.outcome, twin.outcome)
    np.testing.assert_array_equal(live.rounds, twin.rounds)


def test_kernel_switch_off_runs_numpy_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINILATERAL_KERNEL", "numpy")
    assert not _bdm_kernels.enabled()
