"""``minilateral sweep run|summarize`` and ``minilateral sensitivity`` through the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import minilateral as ml
from minilateral.cli import app

runner = CliRunner()


def test_run_then_summarize(small_yaml, tmp_path):
    out = tmp_path / "s"
    res = runner.invoke(
        app,
        [
            "sweep",
            "run",
            str(small_yaml),
            "--model",
            "weighted-median",
            "--draws",
            "300",
            "--seed",
            "5",
            "--out",
            str(out),
            "--chunk-size",
            "64",
            "--set",
            "weights=salience",
            "--noise",
            "positions=uniform:0.2",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "300 draws" in res.output
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["uncertainty"]["positions"] == {"dist": "uniform", "half_width": 0.2}
    assert manifest["options"] == {"weights": "salience"}
    lib = ml.sweep(
        small_yaml,
        "weighted-median",
        draws=300,
        seed=5,
        out=tmp_path / "lib",
        options={"weights": "salience"},
        uncertainty={"positions": {"dist": "uniform", "half_width": 0.2}},
    )
    pd.testing.assert_frame_equal(ml.load_sweep(out).to_pandas(), lib.to_pandas())

    report = tmp_path / "report.html"
    res = runner.invoke(app, ["sweep", "summarize", str(out), "--report", str(report)])
    assert res.exit_code == 0, res.output
    assert "border" in res.output
    assert "converged: 100.0 %" in res.output
    assert report.exists()
    res = runner.invoke(app, ["sweep", "summarize", str(out), "--format", "json"])
    assert json.loads(res.stdout)["draws"] == 300
    res = runner.invoke(app, ["sweep", "summarize", str(out), "--report", str(out / "r.html")])
    assert res.exit_code == 2
    assert "inside the sweep directory" in res.output


def test_uncertainty_file_and_resume(small_yaml, tmp_path):
    spec = tmp_path / "u.yaml"
    spec.write_text("uncertainty:\n  salience: {dist: beta, sd: 0.1}\n")
    out = tmp_path / "s"
    args = [
        "sweep",
        "run",
        str(small_yaml),
        "--draws",
        "50",
        "--seed",
        "1",
        "--out",
        str(out),
        "--uncertainty",
        str(spec),
        "--quiet",
    ]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "--resume" in again.output
    resumed = runner.invoke(app, [*args, "--resume"])
    assert resumed.exit_code == 0
    assert "0 computed" in resumed.output


@pytest.mark.parametrize(
    ("extra", "messages"),
    [
        (["--uncertainty", "{spec}"], ["u.yaml", "positions"]),
        (["--noise", "positions=gamma:1"], ["unknown distribution"]),
        (["--model", "nope"], ["unknown model 'nope'"]),
        (["--rounds", "3"], ["static"]),
        (["--engine", "foo"], ["must be 'local' or 'dask'"]),
        (["--chunk-size", "0"], ["--chunk-size"]),
    ],
)
def test_bad_input_exits_2_naming_the_field(small_yaml, tmp_path, extra, messages):
    spec = tmp_path / "u.yaml"
    spec.write_text("positions: {dist: beta, sd: 0.1}\n")
    out = tmp_path / "s"
    args = ["sweep", "run", str(small_yaml), "--draws", "5", "--seed", "1", "--out", str(out)]
    res = runner.invoke(app, [*args, *(a.format(spec=spec) for a in extra)])
    assert res.exit_code == 2
    for message in messages:
        assert message in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_sensitivity_command(small_yaml, tmp_path):
    chart = tmp_path / "chart.html"
    res = runner.invoke(
        app,
        [
            "sensitivity",
            str(small_yaml),
            "--model",
            "compromise",
            "--samples",
            "64",
            "--by",
            "actor",
            "--top",
            "3",
            "--chart",
            str(chart),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "border: sobol indices" in res.output
    assert "ST" in res.output
    assert chart.exists()
    res = runner.invoke(
        app,
        [
            "sensitivity",
            str(small_yaml),
            "--method",
            "morris",
            "--samples",
            "10",
            "--format",
            "json",
            "--issue",
            "aid",
        ],
    )
    payload = json.loads(res.stdout)
    assert payload["method"] == "morris"
    assert payload["issues"] == ["border", "aid"]
    res = runner.invoke(app, ["sensitivity", str(small_yaml), "--samples", "100"])
    assert res.exit_code == 2
    assert "power of 2" in res.output
