"""Sensitivity analysis: Sobol' and Morris indices against analytic values of linear models."""

from __future__ import annotations

import numpy as np
import pytest

import minilateral as ml
from minilateral.errors import OptionError
from minilateral.io.yaml_io import load_yaml
from minilateral.presentation.sensitivity import write_chart

HALF_WIDTHS = {"P": 0.05, "Q": 0.10, "R": 0.15, "S": 0.20}

LINEAR = (
    "title: linear toy\nissues:\n  - {name: x, lo: 0, hi: 100}\nactors:\n"
    + "".join(
        f"  - {{name: {a}, capability: 1, positions: {{x: 50}}, salience: {{x: 0.5}}}}\n"
        for a in HALF_WIDTHS
    )
    + "uncertainty:\n  salience: {dist: none}\n  capability: {dist: none}\n  actors:\n"
    + "".join(
        f"    {a}: {{positions: {{dist: uniform, half_width: {h}}}}}\n"
        for a, h in HALF_WIDTHS.items()
    )
)


@pytest.fixture(scope="module")
def linear():
    """The mean model on this scenario is linear in the positions, which are independent
    uniforms of half-width h_i (a fraction of the scale): S_i = S_Ti = h_i^2 / sum_j h_j^2."""
    return load_yaml(LINEAR)


def _analytic() -> dict[str, float]:
    total = sum(h * h for h in HALF_WIDTHS.values())
    return {a: h * h / total for a, h in HALF_WIDTHS.items()}


def test_sobol_indices_of_a_linear_model_match_the_analytic_values(linear):
    result = ml.sensitivity(linear, "mean", method="sobol", samples=4096, seed=3)
    rows = result.ranked("x")
    assert rows["actor"].tolist() == ["S", "R", "Q", "P"]  # ranked by total index
    for row in rows.itertuples():
        expected = _analytic()[row.actor]
        assert pytest.approx(expected, abs=0.01) == row.S1
        assert pytest.approx(expected, abs=0.01) == row.ST
        assert row.field == "positions"
        assert row.factor == f"position:{row.actor}:x"
    assert result.evaluations == 4096 * (4 + 2)


def test_sobol_groups_by_actor(linear):
    spec = linear.uncertainty.model_dump()
    spec["salience"] = {"dist": "uniform", "half_width": 0.3}  # ignored by the mean model
    result = ml.sensitivity(linear, "mean", samples=2048, seed=1, group="actor", uncertainty=spec)
    rows = result.ranked("x").set_index("factor")
    assert sorted(rows.index) == ["P", "Q", "R", "S"]
    for actor, expected in _analytic().items():
        assert rows.loc[actor, "ST"] == pytest.approx(expected, abs=0.03)
    assert result.evaluations == 2048 * (4 + 2)  # groups, not the 8 factors


def test_morris_effects_of_a_linear_model_are_exact(linear):
    result = ml.sensitivity(linear, "mean", method="morris", samples=20, seed=2)
    rows = result.ranked("x").set_index("actor")
    for actor, h in HALF_WIDTHS.items():
        # x_i = 50 + 100 h_i (2u - 1), outcome = mean of 4: d outcome / d u_i = 50 h_i
        assert rows.loc[actor, "mu_star"] == pytest.approx(50 * h, rel=1e-9)
        assert rows.loc[actor, "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert result.measure == "mu_star"


def test_indices_for_every_issue_of_a_real_model(small, tmp_path):
    result = ml.sensitivity(small, "weighted-median", samples=64, seed=0, group="actor")
    assert set(result.indices["issue"]) == {"border", "aid"}
    aid = result.ranked("aid")
    assert "C" in set(aid["factor"])  # C has a capability factor even off the aid issue
    payload = result.to_dict()
    assert payload["method"] == "sobol"
    assert payload["evaluations"] == result.evaluations
    chart = write_chart(result, tmp_path / "chart.html", top=3)
    text = chart.read_text()
    assert "Plotly" in text
    assert "border" in text
    assert '<script src="http' not in text


def test_constant_outcome_gives_nan_not_a_crash(linear):
    spec = {
        "positions": {"dist": "none"},
        "capability": {"dist": "none"},
        "salience": {"dist": "uniform", "half_width": 0.2},
    }
    result = ml.sensitivity(linear, "mean", samples=32, uncertainty=spec)
    assert result.indices["ST"].isna().all()


def test_bad_arguments(linear):
    with pytest.raises(OptionError, match="power of 2"):
        ml.sensitivity(linear, "mean", samples=100)
    with pytest.raises(OptionError, match="sobol or morris"):
        ml.sensitivity(linear, "mean", method="fast")
    with pytest.raises(OptionError, match="no input varies"):
        ml.sensitivity(
            linear,
            "mean",
            uncertainty={f: {"dist": "none"} for f in ("positions", "salience", "capability")},
        )
    result = ml.sensitivity(linear, "mean", samples=8)
    with pytest.raises(OptionError, match="unknown issue 'y'"):
        result.ranked("y")
    assert np.isfinite(result.indices["ST"]).all()
