"""``minilateral evaluate outcomes``: a small hand-made outcomes set with known errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from minilateral.cli import app
from minilateral.errors import FormatError
from minilateral.evaluation import (
    cross_validate,
    evaluate_outcomes,
    group_folds,
    read_outcomes,
    stack_weights,
)

# Scenario A (scale 0-10): P at 0 (c 1, s 1), Q at 10 (c 1, s 1), R at 4 (c 2, s 1)
#   compromise = (0 + 10 + 8) / 4 = 4.5; median = 4.
# Scenario B (scale 0-100, two issues): P (c 1), Q (c 3), R (c 1)
#   u: positions 20, 60, 100, saliences 1, 0.5, 1 -> compromise = (20 + 90 + 100) / 3.5 = 60
#   v: positions 0, 0, 90, saliences 1, 1, 1     -> compromise = 90 / 5 = 18; median = 0
A = """title: Case A
issues:
  - {name: x, lo: 0, hi: 10}
actors:
  - {name: P, capability: 1, positions: {x: 0}, salience: {x: 1}}
  - {name: Q, capability: 1, positions: {x: 10}, salience: {x: 1}}
  - {name: R, capability: 2, positions: {x: 4}, salience: {x: 1}}
"""
B = """title: Case B
issues:
  - {name: u, lo: 0, hi: 100}
  - {name: v, lo: 0, hi: 100}
actors:
  - {name: P, capability: 1, positions: {u: 20, v: 0}, salience: {u: 1, v: 1}}
  - {name: Q, capability: 3, positions: {u: 60, v: 0}, salience: {u: 0.5, v: 1}}
  - {name: R, capability: 1, positions: {u: 100, v: 90}, salience: {u: 1, v: 1}}
"""
TABLE = """scenario,issue,outcome,group,note
a.yaml,x,3,first,ignored column
b.yaml,u,70,second,
b.yaml,v,10,second,
"""


@pytest.fixture
def outcomes(tmp_path: Path) -> Path:
    (tmp_path / "a.yaml").write_text(A)
    (tmp_path / "b.yaml").write_text(B)
    path = tmp_path / "outcomes.csv"
    path.write_text(TABLE)
    return path


def test_known_errors(outcomes: Path) -> None:
    report = evaluate_outcomes(outcomes, "compromise")
    assert report.forecasts == pytest.approx({"a.yaml:x": 4.5, "b.yaml:u": 60.0, "b.yaml:v": 18.0})
    # errors in percent of the scale: 1.5 of 10 -> 15; 10 of 100 -> 10; 8 of 100 -> 8
    assert report.errors == pytest.approx({"a.yaml:x": 15.0, "b.yaml:u": 10.0, "b.yaml:v": 8.0})
    assert report.details["raw_errors"]["a.yaml:x"] == pytest.approx(1.5)
    assert (report.n, report.median_ae) == (3, pytest.approx(10.0))
    assert report.mae == pytest.approx(11.0)
    median = evaluate_outcomes(outcomes, "median")
    assert median.errors["a.yaml:x"] == pytest.approx(10.0)  # |4 - 3| of 10
    assert median.errors["b.yaml:v"] == pytest.approx(10.0)  # |0 - 10|


def test_cli_json_and_table(outcomes: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["evaluate", "outcomes", str(outcomes), "--format", "json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    assert (payload["n"], payload["mae"]) == (3, pytest.approx(11.0))
    assert payload["errors"]["b.yaml:v"] == pytest.approx(8.0)
    out = runner.invoke(app, ["evaluate", "outcomes", str(outcomes), "-m", "median"])
    assert out.exit_code == 0, out.output
    assert "a.yaml:x" in out.stdout
    assert "10.00" in out.stdout
    out = runner.invoke(
        app, ["evaluate", "outcomes", str(outcomes), "--cv", "2", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert {"best", "candidates"} <= set(result)
    assert result["groups"] == 2
    first = result["candidates"][0]
    assert (first["predictor"], first["mae"]) == ("compromise", pytest.approx(11.0))


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("scenario,issue\na.yaml,x\n", r"needs the column\(s\) outcome", 1),
        ("scenario,issue,outcome\na.yaml,x,lots\n", "'lots' is not a number", 2),
        ("scenario,issue,outcome\na.yaml,x,1\na.yaml,x,2\n", "already has an outcome on line 2", 3),
        ("scenario,issue,outcome\na.yaml,,1\n", "blank cell", 2),
    ],
)
def test_bad_tables(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(FormatError, match=message) as err:
        read_outcomes(path)
    assert err.value.row == line


def test_unknown_issue_names_the_line(outcomes: Path) -> None:
    outcomes.write_text("scenario,issue,outcome\na.yaml,x,3\nb.yaml,w,1\n")
    with pytest.raises(FormatError, match="has no issue 'w'") as err:
        evaluate_outcomes(outcomes, "compromise")
    assert (err.value.row, err.value.field) == (3, "issue")


def test_group_folds_never_split_a_group() -> None:
    groups = [f"g{k // 3}" for k in range(30)]
    fold = group_folds(groups, 4, seed=1)
    for g in set(groups):
        assert len({fold[k] for k in range(30) if groups[k] == g}) == 1
    assert sorted(np.bincount(fold)) == [6, 6, 9, 9]  # 10 groups of 3 over 4 folds
    with pytest.raises(Exception, match="between 2 and 10 folds"):
        group_folds(groups, 11)


def test_stack_recovers_a_convex_combination() -> None:
    rng = np.random.default_rng(0)
    f = rng.uniform(0, 100, (3, 200))
    y = 0.2 * f[0] + 0.8 * f[2]
    np.testing.assert_allclose(stack_weights(f, y), [0.2, 0.0, 0.8], atol=1e-6)


def test_cross_validate_finds_the_exact_predictor() -> None:
    rng = np.random.default_rng(1)
    y = rng.uniform(0, 100, 60)
    forecasts = {"compromise": y + 10.0, "oracle": y.copy(), "noise": rng.uniform(0, 100, 60)}
    groups = [f"p{k // 2}" for k in range(60)]
    result = cross_validate(forecasts, y, groups, folds=5)
    scores = {c["predictor"]: c["mae"] for c in result["candidates"]}
    assert scores["compromise"] == pytest.approx(10.0)
    assert scores["select"] == pytest.approx(0.0)
    assert result["best"]["mae"] == pytest.approx(0.0, abs=1e-6)
    assert scores["average"] > 10.0


def test_python_api_evaluate_matches_and_converts_to_a_frame(outcomes: Path) -> None:
    import minilateral as ml

    report = ml.evaluate(outcomes, "compromise")
    frame = report.to_frame()
    assert list(frame["case"]) == ["a.yaml:x", "b.yaml:u", "b.yaml:v"]
    assert list(frame["forecast"]) == pytest.approx([4.5, 60.0, 18.0])
    assert list(frame["error"]) == pytest.approx([15.0, 10.0, 8.0])
