"""Baselines against their computed regression values.

Values: ``docs/models/baselines.md#regression-values``.
"""

from __future__ import annotations

import numpy as np
import pytest

import minilateral as ml
from minilateral.arrays import ScenarioArrays
from minilateral.models.registry import get_model

EMISSION = "emission_bdm1994/actors.csv"
GREECE = "greece_2015/greece_eu_2015.csv"

# (model, options) -> (emission, Greece 2015), tolerance 1e-6
# (docs/models/baselines.md#regression-values)
REGRESSION = [
    ("mean", {}, 6.7, 86.363636),
    ("weighted-mean", {}, 6.655738, 83.870968),
    ("compromise", {}, 7.389956, 82.222222),
    ("median", {}, 7.0, 100.0),
    ("weighted-median", {"weights": "salience"}, 7.0, 100.0),
    ("weighted-median", {}, 7.0, 100.0),
]


@pytest.mark.parametrize(("model", "options", "emission", "greece"), REGRESSION)
def test_regression_values(benchmarks, model, options, emission, greece) -> None:
    for path, expected in ((EMISSION, emission), (GREECE, greece)):
        result = ml.forecast(ml.load_scenario(benchmarks / path), model, options=options)
        assert result.outcome[0, 0] == pytest.approx(expected, abs=1e-6)


def _arrays(x, c, s, lo=0.0, hi=100.0, mask=None) -> ScenarioArrays:
    x, c, s = (np.asarray(v, float)[None, :, None] for v in (x, c, s))
    m = np.ones_like(x, bool) if mask is None else np.asarray(mask)[None, :, None]
    return ScenarioArrays(
        positions=x,
        salience=s,
        capability=c,
        mask=m,
        scale=np.array([[lo, hi]]),
        reference=np.array([np.nan]),
        actors=tuple(f"A{i}" for i in range(x.shape[1])),
        issues=("q",),
    )


def test_hand_derived_case() -> None:
    """Three actors on a 0–100 scale, derived by hand.

    Positions 10, 40, 90; capabilities 3, 1, 2; saliences 1, 0.5, 0.25, so the effective
    weights c·s are 3, 0.5, 0.5 (total 4).

    * mean = (10 + 40 + 90) / 3 = 46.666…
    * salience-weighted mean = (10 + 20 + 22.5) / 1.75 = 30
    * compromise = (30 + 20 + 45) / 4 = 23.75
    * ordinary median = 40
    * c·s-weighted lower median: cumulative weight 3 at position 10 already reaches W/2 = 2,
      so 10; with salience weights (1, 0.5, 0.25; W/2 = 0.875) also 10; with equal weights
      (W/2 = 1.5) the cumulative weight reaches 2 at 40, so 40.
    """
    a = _arrays([10, 40, 90], [3, 1, 2], [1, 0.5, 0.25])
    expected = {
        ("mean", ()): 140 / 3,
        ("weighted-mean", ()): 30.0,
        ("compromise", ()): 23.75,
        ("median", ()): 40.0,
        ("weighted-median", ()): 10.0,
        ("weighted-median", (("weights", "salience"),)): 10.0,
        ("weighted-median", (("weights", "equal"),)): 40.0,
    }
    for (name, opts), value in expected.items():
        assert get_model(name, **dict(opts)).forecast(a).outcome[0, 0] == pytest.approx(value)


def test_even_median_is_mean_of_middle_values_and_lower_median_differs() -> None:
    a = _arrays([0, 20, 60, 100], [1, 1, 1, 1], [1, 1, 1, 1])
    assert get_model("median").forecast(a).outcome[0, 0] == pytest.approx(40.0)
    # cumulative weight hits W/2 = 2 exactly at 20: the lower weighted median is 20
    assert get_model("weighted-median", weights="equal").forecast(a).outcome[0, 0] == 20.0


def test_fallbacks_when_weights_are_zero() -> None:
    zero_cap = _arrays([10, 30], [0, 0], [0.5, 1.0])
    # compromise falls back to the salience-weighted mean: (5 + 30) / 1.5
    assert get_model("compromise").forecast(zero_cap).outcome[0, 0] == pytest.approx(70 / 3)
    zero_all = _arrays([10, 30], [0, 0], [0, 0])
    assert get_model("compromise").forecast(zero_all).outcome[0, 0] == pytest.approx(20.0)
    assert get_model("weighted-median").forecast(zero_all).outcome[0, 0] == 10.0


def test_non_participating_cells_are_excluded_not_zero() -> None:
    a = _arrays([10, 90, 0], [1, 1, 100], [1, 1, 1], mask=[True, True, False])
    for name in ("mean", "weighted-mean", "compromise", "median", "nash"):
        assert get_model(name).forecast(a).outcome[0, 0] == pytest.approx(50.0)


def test_issue_without_actors_gives_nan() -> None:
    a = _arrays([10, 90], [1, 1], [1, 1], mask=[False, False])
    for name in ("mean", "compromise", "median", "weighted-median", "nash"):
        assert np.isnan(get_model(name).forecast(a).outcome[0, 0])


def test_all_actors_at_one_position() -> None:
    a = _arrays([35, 35, 35], [1, 2, 3], [0.2, 0.5, 1.0])
    for name in ml.available_models():
        if name in ("mean", "weighted-mean", "compromise", "median", "weighted-median", "nash"):
            assert get_model(name).forecast(a).outcome[0, 0] == pytest.approx(35.0)
