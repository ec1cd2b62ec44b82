"""The command line: outputs, exit codes, error messages without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minilateral.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_forecast_json_compromise_and_median(benchmarks: Path) -> None:
    path = benchmarks / "emission_bdm1994/actors.csv"
    result = run("forecast", path, "--model", "compromise", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["outcome"][0] == pytest.approx(7.39, abs=0.005)
    assert payload["model"] == "compromise"
    assert payload["issues"] == ["actors"]
    assert payload["actors"][0] == "Netherlands"
    assert len(payload["scenario"]["sha256"]) == 64
    assert payload["provenance"]["input_sha256"] == payload["scenario"]["sha256"]
    assert payload["rounds"] == 0
    assert payload["converged"] is True
    median = json.loads(run("forecast", path, "--model", "median", "--format", "json").stdout)
    assert median["outcome"] == [7.0]


def test_forecast_options_and_table(benchmarks: Path) -> None:
    path = benchmarks / "greece_2015/greece_eu_2015.csv"
    result = run(
        "forecast", path, "-m", "nash", "--set", "weights=capability_salience", "--format", "json"
    )
    assert json.loads(result.stdout)["outcome"][0] == pytest.approx(67.991123, abs=3e-6)
    table = run("forecast", path, "-m", "nash")
    assert table.exit_code == 0
    assert "74.684" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "nosuch"], "unknown model 'nosuch'"),
        (["--model", "nash", "--set", "weights=heavy"], "must be one of equal, capability"),
        (["--model", "nash", "--set", "colour=red"], "has no option 'colour'"),
        (["--model", "nash", "--set", "oops"], "is not KEY=VALUE"),
        (["--model", "mean", "--rounds", "5"], "static"),
        (["--format", "xml"], "'xml' is not one of 'table', 'csv', 'json'"),
        (["--scale", "5"], "is not LO,HI"),
    ],
)
def test_usage_errors_exit_2(benchmarks: Path, args: list[str], message: str) -> None:
    result = run("forecast", benchmarks / "emission_bdm1994/actors.csv", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_bad_input_exit_2_without_traceback(tmp_path: Path, benchmarks: Path) -> None:
    result = run("validate", benchmarks / "dersblog_examples/mugabe-full.csv")
    assert result.exit_code == 2
    assert "duplicate header 'Position'" in result.output
    assert "Traceback" not in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "title: t\nissues: [{name: a}]\nactors:\n  - {name: X, capability: 1, "
        "positions: {a: 120}, salience: {a: 0.5}}\n"
    )
    result = run("validate", bad)
    assert result.exit_code == 2
    assert "line 4" in result.output
    assert "actors[0].positions.a" in result.output
    assert run("forecast", tmp_path / "missing.csv").exit_code == 2
    assert "not a scenario" not in run("forecast", "nosuchscenario").output
    assert "nosuchscenario" in run("forecast", "nosuchscenario").output


def test_trajectory_out_needs_a_dynamic_model(tmp_path: Path) -> None:
    result = run("forecast", "gaza", "-m", "compromise", "--trajectory-out", tmp_path / "t.csv")
    assert result.exit_code == 2
    assert "static" in result.output


def test_models_lists_every_model_and_options() -> None:
    result = run("models")
    assert result.exit_code == 0
    for name in ("mean", "compromise", "median", "weighted-median", "nash"):
        assert name in result.stdout
    assert "weights=equal" in result.stdout


def test_scenarios_commands(tmp_path: Path) -> None:
    listing = run("scenarios", "list")
    assert listing.exit_code == 0
    for name in ("gaza", "sudan", "somalia", "pakistan-afghanistan", "syria"):
        assert name in listing.stdout
    assert run("scenarios", "show", "sudan").exit_code == 0
    out = tmp_path / "gaza.yaml"
    assert run("scenarios", "export", "gaza", out).exit_code == 0
    assert run("validate", out).exit_code == 0
    new = tmp_path / "new.yaml"
    assert run("scenarios", "new", new).exit_code == 0
    assert run("validate", new).exit_code == 0
    again = run("scenarios", "new", new)
    assert again.exit_code == 2
    assert "--force" in again.output


def test_user_scenario_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINILATERAL_SCENARIO_DIR", str(tmp_path))
    run("scenarios", "new", tmp_path / "my-talks.yaml")
    assert "my-talks" in run("scenarios", "list").stdout
    result = run("forecast", "my-talks", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["actors"] == ["Party A", "Party B"]


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("minilateral ")


def test_bad_paths_and_urls_exit_2_with_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "adir"
    folder.mkdir()
    semi = tmp_path / "semi.csv"
    semi.write_text("Actor;Capability;Position;Salience\nA;1;2;50\nB;1;4;50\n")
    cases = [
        (["forecast", folder], "is a folder, not a scenario file"),
        (["forecast", semi], "wrong delimiter"),
        (
            ["forecast", "gaza", "-m", "bdm", "--trajectory-out", folder / "no" / "t.csv"],
            "No such file or directory",
        ),
        (["forecast", "gaza", "--set", "weights=x"], "it takes no options"),
        (["runs", "list", "--db-url", "foo://bar"], "invalid database URL"),
        (["coalitions", "gaza", "--candidates", ""], "name at least one candidate"),
        (["coalitions", "gaza", "--leverage", "TUR"], "--leverage"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["forecast", "gaza", "--model", "bdn"], "Did you mean 'bdm'?"),
        (["forecast", "gaza", "--model", "Nash"], "Did you mean 'nash'?"),
        (["forecast", "gazza", "--model", "mean"], "Did you mean 'gaza'?"),
    ],
)
def test_unknown_names_get_a_suggestion(args: list[str], hint: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert hint in result.output
