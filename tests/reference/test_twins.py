"""The live BDM and SMP cores equal their reference twins bit for bit (issue 20)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import minilateral as ml
from minilateral.forecast import Forecast
from minilateral.models import _smp_kernels as _kernels
from minilateral.models.registry import get_model
from minilateral.montecarlo.perturb import resolve_uncertainty
from tests.reference import bdm_twin, smp_twin
from tests.reference.smp_loop import arrays_of, draw_scenario

THEATRES = ("gaza", "pakistan-afghanistan", "somalia", "sudan", "syria")
DRAWS = 1000
CHUNK = 200
#: With numba the compiled kernel is the default path; the NumPy path, its reference, is slow
#: on 1,000 draws and runs with the slow tests (`pytest -m slow`, in `.ci/run`).
KERNELS = (
    [pytest.param("numpy", marks=pytest.mark.slow), "numba"] if _kernels.AVAILABLE else ["numpy"]
)


_SECTION = re.compile(r" \(§[0-9.]+\)")


def _equal(a: object, b: object) -> None:
    """Nested lists, dicts and arrays equal to the last bit (NaN equals NaN)."""
    if isinstance(a, dict):
        assert isinstance(b, dict)
        assert a.keys() == b.keys()
        for key in a:
            _equal(a[key], b[key])
    elif isinstance(a, list | tuple):
        assert isinstance(b, list | tuple)
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _equal(x, y)
    elif isinstance(a, str):
        assert isinstance(b, str)
        assert a == _SECTION.sub("", b)  # the twin's notes still cite the spec's sections
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def _same(a: Forecast, b: Forecast) -> None:
    """Same results; diagnostics compared on the twin's keys (later branches may add some)."""
    _equal({key: a.diagnostics[key] for key in b.diagnostics}, b.diagnostics)
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    np.testing.assert_array_equal(a.rounds, b.rounds)
    np.testing.assert_array_equal(a.converged, b.converged)


def _draws(theatre: str):
    plan = resolve_uncertainty(ml.load_scenario(theatre))
    for start in range(0, DRAWS, CHUNK):
        yield plan.sample(1, start, start + CHUNK)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("theatre", THEATRES)
def test_bdm_equals_twin_on_1000_draws(
    monkeypatch: pytest.MonkeyPatch, theatre: str, kernel: str
) -> None:
    monkeypatch.setenv("MINILATERAL_KERNEL", kernel)
    # both stopping rules, named explicitly: the defaults may differ between branches
    stopping = "fixed" if THEATRES.index(theatre) % 2 == 0 else "converged"
    live, twin = get_model("bdm", stopping=stopping), bdm_twin.BDMModel(stopping=stopping)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for arrays in _draws(theatre):
            a, b = live.forecast(arrays), twin.forecast(arrays)
            _same(a, b)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("theatre", THEATRES)
def test_smp_equals_twin_on_1000_draws(
    monkeypatch: pytest.MonkeyPatch, theatre: str, kernel: str
) -> None:
    monkeypatch.setenv("MINILATERAL_KERNEL", kernel)
    assert _kernels.enabled() == (kernel == "numba")
    live, twin = get_model("smp"), smp_twin.SmpModel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for arrays in _draws(theatre):
            a, b = live.forecast(arrays, rng=7), twin.forecast(arrays, rng=7)
            _same(a, b)


@pytest.mark.parametrize("cells", [1, 37, 1 << 12])
def test_bdm_voter_blocks_change_no_bit(monkeypatch: pytest.MonkeyPatch, cells: int) -> None:
    """Building the voter tensor in blocks of voters (large N) gives the same bits."""
    from minilateral.models import bdm

    monkeypatch.setenv("MINILATERAL_KERNEL", "numpy")  # the blocks are the NumPy path's
    arrays = next(_draws("sudan"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = bdm_twin.BDMModel(stopping="fixed").forecast(arrays)
        monkeypatch.setattr(bdm, "_VOTER_CELLS", cells)
        _same(get_model("bdm", stopping="fixed").forecast(arrays), expected)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(("n", "d"), [(160, 1), (40, 3)])
def test_smp_random_trajectory_equals_twin(
    monkeypatch: pytest.MonkeyPatch, kernel: str, n: int, d: int
) -> None:
    """A KTAB-style random scenario (seed 1000·N + D): same trajectory, every bit.

    The draw: ``docs/performance.md#smp-ktabs-spatial-model-of-politics``.
    """
    monkeypatch.setenv("MINILATERAL_KERNEL", kernel)
    x, s, c = draw_scenario(np.random.default_rng(1000 * n + d), n, d)
    arrays = arrays_of(x[None], s[None], c[None])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(get_model("smp").forecast(arrays), smp_twin.SmpModel().forecast(arrays))


@pytest.mark.parametrize(
    "options",
    [
        {"VotingRule": rule, "VictoryProbModel": vpm, "PCEModel": pce}
        for rule, vpm, pce in [
            ("Binary", "Binary", "MarkovIncentive"),
            ("PropBin", "Square", "MarkovUniform"),
            ("PropCbc", "Quartic", "Conditional"),
            ("Cubic", "Octic", "Conditional"),
            ("ASymProsp", "Linear", "Conditional"),
        ]
    ],
)
def test_smp_kernels_equal_twin_under_every_voting_rule(options: dict[str, str]) -> None:
    arrays = next(_draws("syria"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(
            get_model("smp", **options).forecast(arrays, rng=3),
            smp_twin.SmpModel(**options).forecast(arrays, rng=3),
        )
