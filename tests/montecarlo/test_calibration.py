"""Calibration scores (Gneiting & Raftery 2007) and the noise-scale fit."""

from __future__ import annotations

import numpy as np
import pytest

from minilateral.calibration import (
    calibration_scores,
    crps_ensemble,
    ensemble,
    fit_scale_cv,
    fit_scale_cv_with_error,
    interval_score,
    noise_preset,
    noise_presets,
    scaled_noise,
    with_model_error,
)
from minilateral.errors import OptionError
from minilateral.evaluation import group_folds


def test_interval_score_by_hand() -> None:
    lo, hi = np.array([10.0, 10.0, 10.0]), np.array([20.0, 20.0, 20.0])
    y = np.array([15.0, 5.0, 26.0])
    # width 10; below by 5 at alpha 0.1: 10 + 20*5; above by 6: 10 + 20*6
    np.testing.assert_allclose(interval_score(lo, hi, y, 0.1), [10.0, 110.0, 130.0])


def test_crps_equals_the_pairwise_definition() -> None:
    rng = np.random.default_rng(0)
    ens, y = rng.normal(size=(5, 17)), rng.normal(size=5)
    brute = np.abs(ens - y[:, None]).mean(axis=1) - 0.5 * np.abs(
        ens[:, :, None] - ens[:, None, :]
    ).mean(axis=(1, 2))
    np.testing.assert_allclose(crps_ensemble(ens, y), brute, atol=1e-12)
    point = crps_ensemble(np.full((1, 4), 3.0), np.array([5.0]))
    assert point[0] == pytest.approx(2.0)  # a point forecast's CRPS is its absolute error


def test_a_calibrated_ensemble_covers_its_levels() -> None:
    rng = np.random.default_rng(1)
    ens, y = rng.normal(size=(4000, 200)), rng.normal(size=4000)
    scores = calibration_scores(ens, y)
    for level, share in scores["coverage"].items():
        assert share == pytest.approx(int(level) / 100, abs=0.03)


def test_fit_picks_the_true_spread_out_of_sample() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(scale=2.0, size=400)
    ensembles = {k: rng.normal(scale=k, size=(400, 64)) for k in (1.0, 2.0, 4.0)}
    fold = group_folds([f"g{k // 4}" for k in range(400)], 5)
    fit = fit_scale_cv(ensembles, y, fold)
    assert fit.choices == [2.0] * 5
    assert fit.full_sample == 2.0
    assert fit.scores["coverage"]["90"] == pytest.approx(0.9, abs=0.05)


def test_model_error_widens_a_too_narrow_ensemble() -> None:
    rng = np.random.default_rng(3)
    point = rng.uniform(20, 80, 300)
    y = point + rng.normal(scale=10.0, size=300)
    ensembles = {1.0: point[:, None] + rng.normal(scale=0.1, size=(300, 8))}
    fold = group_folds([f"g{k}" for k in range(300)], 5)
    assert fit_scale_cv(ensembles, y, fold).scores["coverage"]["90"] < 0.1
    wide = fit_scale_cv_with_error(ensembles, point, y, fold)
    assert wide.scores["coverage"]["90"] == pytest.approx(0.9, abs=0.05)
    assert with_model_error(np.array([[95.0]]), np.array([-10.0, 10.0])).tolist() == [[85.0, 100.0]]


def test_scaled_noise_and_ensemble(small_scenario) -> None:
    from minilateral.scenario import Scenario

    arrays = Scenario.model_validate(small_scenario).to_arrays()
    assert scaled_noise(2.0)["positions"].sd == pytest.approx(0.1)
    assert scaled_noise(2.0)["capability"].sigma == pytest.approx(0.2)
    with pytest.raises(OptionError):
        scaled_noise(-1.0)
    narrow = ensemble([arrays], "compromise", scaled_noise(1.0), draws=64)[0]
    wide = ensemble([arrays], "compromise", scaled_noise(4.0), draws=64)[0]
    again = ensemble([arrays], "compromise", scaled_noise(1.0), draws=64)[0]
    assert narrow.shape == (64, arrays.n_issues)
    np.testing.assert_array_equal(narrow, again)  # seeded draws
    assert (wide.std(axis=0) > narrow.std(axis=0)).all()
    none = ensemble([arrays], "compromise", scaled_noise(0.0), draws=4)[0]
    np.testing.assert_allclose(none, np.broadcast_to(none[0], none.shape))


def test_shipped_preset() -> None:
    preset = noise_presets()["eu-legislative"]
    noise = noise_preset("eu-legislative")
    assert noise["positions"].sd == pytest.approx(0.05 * preset["scale"])
    assert noise["capability"].sigma == pytest.approx(0.1 * preset["scale"])
    quantiles = preset["model_error"]["quantiles"]
    assert len(quantiles) == 50
    assert quantiles == sorted(quantiles)
    assert "EU legislative" in preset["description"]
    assert noise_preset("default")["positions"].sd == pytest.approx(0.05)
    with pytest.raises(OptionError, match="unknown noise preset 'nope'"):
        noise_preset("nope")


def test_sweep_cli_selects_the_preset() -> None:
    from minilateral.cli.sweep import _noise

    noise = _noise(["preset=eu-legislative", "salience=none"])
    assert noise["positions"] == noise_preset("eu-legislative")["positions"]
    assert noise["salience"].dist == "none"  # a later item overrides the preset
    with pytest.raises(OptionError, match="unknown noise preset"):
        _noise(["preset=moon"])
