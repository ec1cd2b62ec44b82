"""DEU evaluation through the library and the CLI.

Protocol: ``docs/evaluation.md``; reference numbers: ``docs/accuracy.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from minilateral.cli import app
from minilateral.evaluation import evaluate_deu
from minilateral.io.deu import read_deu
from minilateral.models.registry import available_models


@pytest.fixture(scope="module")
def deu(benchmarks: Path):
    return read_deu(benchmarks / "deu3" / "deu3.csv")


@pytest.mark.parametrize(
    ("model", "options", "capability", "n", "mae", "median_ae"),
    [
        ("mean", {}, "equal", 351, 23.63, 18.57),
        ("weighted-mean", {}, "equal", 351, 23.64, 18.46),
        ("compromise", {}, "gdp", 351, 23.21, 18.80),
        ("compromise", {}, "council", 351, 22.99, 17.54),
        ("median", {}, "equal", 351, 28.37, 20.00),
        ("weighted-median", {"weights": "salience"}, "equal", 351, 28.31, 20.00),
        ("weighted-median", {}, "gdp", 351, 27.66, 20.00),
        ("weighted-median", {"weights": "equal"}, "equal", 351, 28.67, 20.00),
        ("nash", {"disagreement": "reference_point"}, "equal", 252, 44.36, 46.53),
        ("nash", {"disagreement": "reference_point", "at_disagreement": "drop"}, "equal", 252,
         33.31, 24.28),
    ],
)  # fmt: skip
def test_baselines_and_nash(deu, model, options, capability, n, mae, median_ae) -> None:
    report = evaluate_deu(deu, model, options=options, capability=capability)
    assert report.n == n
    assert report.mae == pytest.approx(mae, abs=0.005)
    assert report.median_ae == pytest.approx(median_ae, abs=0.005)


def test_at_least_one_actor(deu) -> None:
    report = evaluate_deu(deu, "mean", min_actors=1)
    assert (report.n, round(report.mae, 2)) == (353, 23.71)


@pytest.mark.parametrize(
    ("options", "capability", "mae", "mean_rounds"),
    [
        ({"stopping": "fixed"}, "equal", 28.99, None),
        ({"stopping": "fixed"}, "council", 29.32, None),
        ({"stopping": "converged"}, "gdp", 27.21, 3.0),
        ({"variant": "printed", "stopping": "converged"}, "council", 32.09, None),
    ],
)
def test_bdm(deu, options, capability, mae, mean_rounds) -> None:
    """The BDM reference table, tolerance ±0.2 (floating-point order; see docs/accuracy.md)."""
    report = evaluate_deu(deu, "bdm", options=options, capability=capability)
    assert report.n == 351
    assert report.mae == pytest.approx(mae, abs=0.2)
    if mean_rounds is not None:
        assert report.details["mean_rounds"] == pytest.approx(mean_rounds, abs=0.05)


def test_cli_json_and_table(benchmarks: Path) -> None:
    path = str(benchmarks / "deu3" / "deu3.csv")
    out = CliRunner().invoke(
        app,
        [
            "evaluate",
            "deu",
            path,
            "--model",
            "compromise",
            "--capability",
            "council",
            "--format",
            "json",
        ],
    )
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    assert {"n", "mae", "median_ae", "model", "options", "capability"} <= set(payload)
    assert (payload["n"], round(payload["mae"], 2), payload["capability"]) == (
        351,
        22.99,
        "council",
    )
    assert payload["details"]["skipped_invalid_outcome"] == 11
    out = CliRunner().invoke(
        app, ["evaluate", "deu", path, "--model", "bdm", "--set", "stopping=converged"]
    )
    assert out.exit_code == 0, out.output
    assert "351" in out.stdout
    assert "mean stopping round: 3.45" in out.stdout


def test_cli_bad_input(benchmarks: Path, tmp_path: Path) -> None:
    path = str(benchmarks / "deu3" / "deu3.csv")
    runner = CliRunner()
    out = runner.invoke(app, ["evaluate", "deu", path, "--capability", "population"])
    assert out.exit_code == 2
    out = runner.invoke(app, ["evaluate", "deu", path, "--model", "nope"])
    assert out.exit_code == 2
    assert "unknown model 'nope'" in out.output
    out = runner.invoke(app, ["evaluate", "deu", path, "--model", "bdm", "--set", "Q=2"])
    assert out.exit_code == 2
    assert "Traceback" not in out.output
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing here\n")
    out = runner.invoke(app, ["evaluate", "deu", str(bad)])
    assert out.exit_code == 2
    assert "not a DEU III header" in out.output


def test_every_registered_model_runs(deu) -> None:
    """Every model × one capability option on a subset (the full table is in the docs)."""
    subset = type(deu)(path=deu.path, issues=deu.issues[:40], gdp=deu.gdp)
    for name in available_models():
        for capability in ("equal", "gdp", "council"):
            report = evaluate_deu(subset, name, capability=capability)
            assert report.n > 0, (name, capability)


# -- issue 18: smp mapping, candidates, cross-validation, calibration -------------------------
def test_proposals_hold_only_their_participants(deu) -> None:
    """Actors taking part in no issue of a proposal are not actors of it (smp needs c > 0)."""
    from minilateral.evaluation import _proposal_arrays
    from minilateral.models.smp import smp_inputs

    issues = [i for i in deu.issues if i.prnr == "d00032"]
    for capability in ("equal", "gdp", "council"):
        arrays = _proposal_arrays(deu, issues, capability)
        assert arrays.mask[0].any(axis=1).all()
        assert arrays.n_actors == 17
        assert np.isfinite(smp_inputs(arrays).capability).all()


def test_smp_bargains_on_deu_subset(deu) -> None:
    """Before the fix every proposal stopped at turn 0 with the Commission's position."""
    subset = type(deu)(path=deu.path, issues=deu.issues[:30], gdp=deu.gdp)
    report = evaluate_deu(subset, "smp", capability="council")
    assert report.details["mean_rounds"] > 2
    com = {i.isnr: i.positions[0] for i in subset.issues}
    assert any(abs(f - com[k]) > 1 for k, f in report.forecasts.items())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("capability", "mae"), [("equal", 26.07), ("gdp", 26.24), ("council", 27.33)]
)
def test_smp_full(deu, capability, mae) -> None:
    report = evaluate_deu(deu, "smp", capability=capability)
    assert (report.n, round(report.mae, 2)) == (351, mae)


def test_candidates_reproduce_the_compromise_model(deu) -> None:
    from minilateral.evaluation import _actor_weighted, _cells

    issues = [i for i in deu.issues if not np.isnan(i.outcome) and i.participants.sum() >= 3]
    cells = _cells(deu, issues)
    y = np.array([i.outcome for i in issues])
    unit = _actor_weighted(cells, 1.0, 1.0, 1.0)
    assert np.abs(unit - y).mean() == pytest.approx(22.99, abs=0.005)


def test_cross_validation_on_a_subset(deu) -> None:
    from minilateral.evaluation import cross_validate_deu, deu_table

    subset = type(deu)(path=deu.path, issues=deu.issues[:80], gdp=deu.gdp)
    table = deu_table(subset, models=("mean", "compromise", "median"))
    result = cross_validate_deu(subset, folds=5, table=table)
    names = [c["predictor"] for c in result["candidates"]]
    assert names == [
        "compromise/council", "select", "average", "blend", "stack", "procedure",
        "reference-pull", "actor-weights", "actor-weights+pull",
    ]  # fmt: skip
    fixed = table.reports["compromise/council"]
    assert result["candidates"][0]["mae"] == pytest.approx(fixed.mae)
    assert result["best"]["mae"] == min(c["mae"] for c in result["candidates"])
    assert all(len(c["choices"]) == 5 for c in result["candidates"] if "choices" in c)


@pytest.mark.slow
def test_cli_cv_full(benchmarks: Path) -> None:
    path = str(benchmarks / "deu3" / "deu3.csv")
    out = CliRunner().invoke(app, ["evaluate", "deu", path, "--cv", "10", "--format", "json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert set(result["best"]) == {"predictor", "mae", "median_ae"}
    assert all({"predictor", "mae"} <= set(c) for c in result["candidates"])
    assert result["best"]["mae"] == pytest.approx(22.99, abs=0.005)  # docs/accuracy.md


def test_calibration_on_a_subset(deu) -> None:
    from minilateral.evaluation import calibrate_deu

    subset = type(deu)(path=deu.path, issues=deu.issues[:60], gdp=deu.gdp)
    result = calibrate_deu(subset, "compromise", capability="council", folds=3, scales=(1.0, 4.0))
    assert result["default"]["n"] == result["fitted"]["n"] > 0
    assert result["fitted_scale"] in (1.0, 4.0)
    cov = result["by_scale"]["4.0"]["coverage"]
    assert cov["50"] <= cov["80"] <= cov["90"]
    assert result["by_scale"]["4.0"]["coverage"]["90"] >= result["default"]["coverage"]["90"]
    assert result["fitted_with_error"]["coverage"]["90"] > result["fitted"]["coverage"]["90"]


def test_cli_writes_the_accuracy_file_and_preset(benchmarks: Path, tmp_path, monkeypatch) -> None:
    """The generator end to end on the first 120 DEU rows with two cheap models."""
    from minilateral import evaluation
    from minilateral.cli import evaluate as cli_evaluate

    lines = (benchmarks / "deu3" / "deu3.csv").read_text(encoding="utf-8-sig").splitlines()
    small = tmp_path / "deu_small.csv"
    small.write_text("\n".join(lines[:122]) + "\n", encoding="utf-8")
    for module in (evaluation, cli_evaluate):
        monkeypatch.setattr(module, "BASE_MODELS", ("mean", "compromise"))
    accuracy, presets = tmp_path / "accuracy.json", tmp_path / "presets.json"
    out = CliRunner().invoke(
        app,
        ["evaluate", "deu", str(small), "--all", "--write-accuracy", str(accuracy),
         "--write-noise-preset", str(presets)],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    payload = json.loads(accuracy.read_text())
    entry = payload["models"]["compromise"]["council"]
    assert {"n", "mae", "median_ae", "coverage_default", "coverage_fitted",
            "interval_score_fitted", "crps_fitted", "noise_scale_fitted"} <= set(entry)  # fmt: skip
    assert set(entry["coverage_fitted"]) == {"50", "80", "90"}
    preset = json.loads(presets.read_text())["presets"]["eu-legislative"]
    assert len(preset["model_error"]["quantiles"]) == 50
