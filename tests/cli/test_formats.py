"""Issue 21 item 1: every command that prints a table takes ``--format table|csv|json``.

CSV holds the table's rows under the table's labels; JSON is the command's result object when
it has one (checked against the CSV value by value), otherwise the same rows as a list of
objects (checked equal to the CSV). With ``csv`` or ``json`` standard output holds only data.
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from minilateral.cli import COMMANDS, app, load_commands
from minilateral.cli._output import FORMAT_HELP, Format, csv_text, frame_rows, json_text
from minilateral.library import list_scenarios
from tests.test_outcomes_eval import TABLE, A, B

runner = CliRunner()

GAZA_ISSUES = [
    "security",
    "idf_footprint",
    "pa_role",
    "isf_mandate",
    "reconstruction",
    "hamas_role",
    "rafah_access",
]


def _run(*args: object, env: dict[str, str] | None = None):
    result = runner.invoke(app, [str(a) for a in args], env=env)
    assert result.exit_code == 0, result.output
    return result


def _csv(*args: object, **kw) -> pd.DataFrame:
    """The command's ``--format csv`` output, parsed; all of stdout must be the CSV."""
    out = _run(*args, "--format", "csv", **kw).stdout
    assert out.endswith("\n")
    return pd.read_csv(io.StringIO(out), keep_default_na=True)


def _json(*args: object, **kw):
    return json.loads(_run(*args, "--format", "json", **kw).stdout)


def _same(frame: pd.DataFrame, records: list[dict]) -> None:
    """The CSV frame holds exactly the JSON records (missing = empty cell = null)."""
    assert list(frame.columns) == list(records[0]) if records else True
    assert len(frame) == len(records)
    for row, rec in zip(frame.to_dict("records"), records, strict=True):
        for key, value in rec.items():
            cell = row[key]
            if value is None:
                assert cell is None or (isinstance(cell, float) and math.isnan(cell)), key
            elif isinstance(value, float):
                assert cell == pytest.approx(value, rel=1e-12), key
            else:
                assert cell == value or str(cell) == str(value), key


# -- the shared writer ----------------------------------------------------------------------


def test_writer_json_is_valid_and_equals_csv() -> None:
    frame = pd.DataFrame(
        {"name": ["a", "b, c"], "x": [1.5, np.nan], "n": [1, 2], "ok": [True, False]}
    )
    rows = frame_rows(frame, {"name": "Name", "x": "Value"})
    assert rows[1] == {"Name": "b, c", "Value": None, "n": 2, "ok": False}
    assert type(rows[0]["n"]) is int
    text = json_text([*rows, {"Name": "inf", "Value": float("inf"), "n": np.int64(3)}])
    assert "NaN" not in text
    assert "Infinity" not in text
    assert json.loads(text)[2] == {"Name": "inf", "Value": None, "n": 3}
    _same(pd.read_csv(io.StringIO(csv_text(rows))), rows)


def test_table_cells_are_not_markup(monkeypatch) -> None:
    from minilateral.cli import _app
    from minilateral.cli._output import print_table

    with _app.out_console.capture() as cap:
        print_table([{"Name": "[red]x[/]", "Value": None}], title="t")
    assert "[red]x[/]" in cap.get()
    assert "—" in cap.get()


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name), cmd


TABLE_COMMANDS = {
    ("forecast",),
    ("models",),
    ("coalitions",),
    ("mediators",),
    ("evaluate", "deu"),
    ("evaluate", "outcomes"),
    ("panel", "alpha"),
    ("panel", "icc"),
    ("panel", "list"),
    ("panel", "report"),
    ("panel", "sweep"),
    ("narratives", "coordination"),
    ("narratives", "clusters"),
    ("data", "status"),
    ("runs", "list"),
    ("runs", "show"),
    ("runs", "diff"),
    ("db", "history"),
    ("scenarios", "list"),
    ("scenarios", "show"),
    ("sweep", "summarize"),
    ("sensitivity",),
    *(
        ("align", name)
        for name in (
            "dyads",
            "autonomy",
            "cohesion",
            "ideal-points",
            "capabilities",
            "complementarity",
            "balancing",
            "portfolio",
        )
    ),
}


def test_every_table_command_has_the_same_format_option() -> None:
    found = set()
    for module in dict.fromkeys(module for module, _ in COMMANDS.values()):
        for name, command in load_commands(module).items():
            entries = (
                _commands(command, (name,))
                if hasattr(command, "commands")
                else [((name,), command)]
            )
            for path, cmd in entries:
                fmt = [p for p in cmd.params if "--format" in getattr(p, "opts", [])]
                if not fmt:
                    continue
                found.add(path)
                (option,) = fmt
                assert option.opts == ["--format", "-f"], path
                assert option.help == FORMAT_HELP, path
                assert option.type_descriptor.annotation == Format, path
                assert option.default == "table", path
    assert found >= TABLE_COMMANDS, TABLE_COMMANDS - found


def test_unknown_format_is_a_usage_error() -> None:
    result = runner.invoke(app, ["models", "--format", "xlsx"])
    assert result.exit_code == 2
    assert "'xlsx' is not one of 'table', 'csv', 'json'" in result.output


# -- forecast, models, scenarios -------------------------------------------------------------


def test_forecast_csv_and_json() -> None:
    frame = _csv("forecast", "gaza", "--model", "bdm")
    assert list(frame.columns) == [
        "Issue",
        "Outcome",
        "Scale low",
        "Scale high",
        "Low end",
        "High end",
        "Rounds",
        "Converged",
    ]
    assert list(frame["Issue"]) == GAZA_ISSUES
    payload = _json("forecast", "gaza", "--model", "bdm")
    assert payload["issues"] == GAZA_ISSUES
    assert list(frame["Outcome"]) == pytest.approx(payload["outcome"])
    assert set(frame["Rounds"]) == {payload["rounds"]}
    assert payload["provenance"]["model"] == "bdm"


def test_forecast_csv_in_a_pipe_is_a_clean_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
    run = subprocess.run(
        [sys.executable, "-m", "minilateral", "forecast", "gaza", "-m", "bdm", "--format", "csv"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert run.stdout.splitlines()[0].startswith("Issue,Outcome,")
    assert len(run.stdout.splitlines()) == 1 + len(GAZA_ISSUES)


def test_models_csv_equals_json() -> None:
    frame = _csv("models")
    records = _json("models")
    _same(frame, records)
    assert {"compromise", "bdm", "smp"} <= set(frame["Model"])
    assert list(frame.columns) == ["Model", "Description", "Options"]


def test_scenarios_list_and_show() -> None:
    frame = _csv("scenarios", "list")
    assert list(frame["Name"]) == [e.name for e in list_scenarios()]
    rows = _json("scenarios", "list")["scenarios"]
    assert list(frame["Actors"]) == [r["actors"] for r in rows]
    shown = _csv("scenarios", "show", "gaza")
    _same(shown, _json("scenarios", "show", "gaza"))
    assert "Israel" in set(shown["Actor"])
    assert set(shown["Issue"]) == set(GAZA_ISSUES)
    assert shown["Position"].between(0, 100).all()


# -- coalitions and mediators ----------------------------------------------------------------


def test_coalitions_csv_and_json() -> None:
    args = ("coalitions", "gaza", "--size", "1", "--draws", "8", "--seed", "3")
    frame = _csv(*args)
    payload = _json(*args)
    assert frame["Coalition"].iloc[0] == "no mediator"
    assert list(frame["Coalition"].iloc[1:]) == [
        " + ".join(c["coalition"]) for c in payload["coalitions"]
    ]
    assert list(frame["Probability of agreement"].iloc[1:]) == pytest.approx(
        [c["agreement_probability"] for c in payload["coalitions"]]
    )
    assert set(GAZA_ISSUES) <= set(frame.columns)


def test_coalitions_csv_progress_goes_to_stderr() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
    args = ["coalitions", "gaza", "--size", "1", "--draws", "5", "--format", "csv"]
    run = subprocess.run(
        [sys.executable, "-m", "minilateral", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert run.stdout.startswith("Rank,Coalition,")
    assert "coalition search: done" in run.stderr
    assert "coalition search" not in run.stdout


def test_mediators_csv_and_json(data_root) -> None:
    frame = _csv("mediators", "gaza")
    profiles = _json("mediators", "gaza")["profiles"]
    assert list(frame["Code"]) == [p["code"] for p in profiles]
    assert "Türkiye" in set(frame["Candidate"])
    assert list(frame["Credibility"]) == pytest.approx([p["credibility"] for p in profiles])


# -- evaluation, sweeps, sensitivity ---------------------------------------------------------


@pytest.fixture
def outcomes(tmp_path: Path) -> Path:
    (tmp_path / "a.yaml").write_text(A)
    (tmp_path / "b.yaml").write_text(B)
    path = tmp_path / "outcomes.csv"
    path.write_text(TABLE)
    return path


def test_evaluate_outcomes_csv(outcomes: Path) -> None:
    frame = _csv("evaluate", "outcomes", outcomes)
    assert list(frame.columns) == ["Case", "Forecast", "Error (% of scale)"]
    payload = _json("evaluate", "outcomes", outcomes)
    assert dict(zip(frame["Case"], frame["Error (% of scale)"], strict=True)) == pytest.approx(
        payload["errors"]
    )
    cv = _csv("evaluate", "outcomes", outcomes, "--cv", "2")
    assert cv["Candidate"].iloc[0] == "compromise"
    assert cv["MAE (out of sample)"].iloc[0] == pytest.approx(11.0)


def test_sweep_summarize_and_sensitivity(tmp_path: Path) -> None:
    out = tmp_path / "sw"
    _run("sweep", "run", "gaza", "-m", "compromise", "--draws", "40", "--seed", "1", "--out", out)
    frame = _csv("sweep", "summarize", out)
    payload = _json("sweep", "summarize", out)
    assert list(frame["Issue"]) == GAZA_ISSUES
    assert list(frame["Mean"]) == pytest.approx([s["mean"] for s in payload["issues"]])
    assert {"5 %", "50 %", "95 %", "Band probability"} <= set(frame.columns)
    args = ("sensitivity", "gaza", "--samples", "8", "--by", "actor", "--issue", "security")
    idx = _csv(*args)
    assert list(idx.columns[:3]) == ["Issue", "Actor", "Field"]
    assert set(idx["Issue"]) == {"security"}
    assert "Israel" in set(idx["Actor"])
    indices = _json(*args)["indices"]
    mine = [r for r in indices if r["issue"] == "security"]
    assert list(idx["ST"]) == pytest.approx([r["ST"] for r in mine], nan_ok=True)


# -- panels, narratives, the store, reference data -------------------------------------------


def test_panel_alpha_and_icc(tmp_path: Path) -> None:
    table = tmp_path / "c.csv"
    table.write_text("coder,u1,u2,u3,u4\nA,1,2,3,4\nB,1,2,3,5\nC,2,2,3,4\n")
    frame = _csv("panel", "alpha", table)
    payload = _json("panel", "alpha", table)
    assert frame.to_dict("records") == [
        {"Level": "interval", "Alpha": pytest.approx(payload["alpha"]), "Coders": 3, "Units": 4}
    ]
    icc = _csv("panel", "icc", table)
    values = _json("panel", "icc", table)
    assert list(icc["Form"]) == ["One-way random", "Two-way random", "Two-way mixed"]
    assert list(icc["Single coder"]) == pytest.approx([values[k] for k in ("ICC1", "ICC2", "ICC3")])


def test_narratives_clusters_csv(tmp_path: Path) -> None:
    from tests.narratives.generator import make_corpus, write_generic_csv

    path = tmp_path / "posts.csv"
    write_generic_csv(make_corpus(seed=20261203), path)
    frame = _csv("narratives", "clusters", path)
    doc = _json("narratives", "clusters", path)
    assert list(frame.columns) == [
        "Narrative",
        "Posts",
        "Languages",
        "Top terms",
        "Actors mentioned",
    ]
    assert list(frame["Posts"]) == [n["size"] for n in doc["narratives"]]


def test_runs_and_db_history(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MINILATERAL_DB_URL", f"sqlite:///{tmp_path / 'runs.db'}")
    empty = _csv("runs", "list")  # no runs yet: the header still names the columns
    assert empty.empty
    assert list(empty.columns) == [
        "Run",
        "When (UTC)",
        "Kind",
        "Model",
        "Scenario",
        "Status",
        "Seed",
        "Input hash",
    ]
    assert list(_csv("panel", "list").columns)[:2] == ["Panel", "Name"]
    for model in ("compromise", "median"):
        _run("forecast", "gaza", "-m", model, "--save")
    runs = _csv("runs", "list")
    _same(runs, _json("runs", "list"))
    assert list(runs["Model"]) == ["median", "compromise"]
    assert runs["Input hash"].str.len().eq(64).all()
    shown = _csv("runs", "show", runs["Run"].iloc[0])
    assert list(shown.columns) == ["Issue", "Outcome"]
    assert list(shown["Issue"]) == GAZA_ISSUES
    a, b = sorted(runs["Run"])
    diff = _csv("runs", "diff", a, b)
    result = _json("runs", "diff", a, b)
    assert list(diff.columns) == ["Issue", f"Run {a}", f"Run {b}", "B − A"]
    assert list(diff["B − A"]) == pytest.approx([o["delta"] for o in result["outcomes"]])
    history = _csv("db", "history")
    _same(history, _json("db", "history"))
    assert history["Applied"].all()
    panels = _json("panel", "list")
    assert panels == []


def test_data_status_csv(data_root) -> None:
    frame = _csv("data", "status")
    tables = _json("data", "status")["tables"]
    assert list(frame["Table"]) == [t["table"] for t in tables]
    assert frame.loc[frame["Table"] == "un_votes_ccode", "Installed"].item()


def test_align_csv_rows_equal_json_rows(data_root) -> None:
    args = ("align", "dyads", "-s", "QAT,TUR,EGY", "--years", "2018")
    frame = _csv(*args)
    _same(frame, _json(*args)["rows"])


# -- the tables fit 100 columns ---------------------------------------------------------------


@pytest.fixture
def wide():
    from minilateral.cli._app import out_console

    old = out_console._width
    out_console.width = 100
    yield
    out_console._width = old


@pytest.mark.parametrize(
    "args",
    [
        ("forecast", "gaza", "-m", "bdm"),
        ("models",),
        ("scenarios", "list"),
        ("scenarios", "show", "gaza"),
        ("coalitions", "gaza", "--size", "1", "--draws", "5"),
    ],
)
def test_tables_fit_100_columns(wide, args) -> None:
    out = _run(*args, env={"COLUMNS": "100"}).stdout
    long = [line for line in out.splitlines() if len(line) > 100]
    assert not long, long


def test_stored_scenario_file_csv(tmp_path: Path, small_scenario) -> None:
    path = tmp_path / "talks.yaml"
    path.write_text(yaml.safe_dump(small_scenario), encoding="utf-8")
    frame = _csv("forecast", path)
    assert list(frame["Issue"]) == [q["name"] for q in small_scenario["issues"]]


def test_evaluate_deu_csv(benchmarks: Path) -> None:
    path = benchmarks / "deu3" / "deu3.csv"
    args = ("evaluate", "deu", path, "--capability", "council")
    frame = _csv(*args)
    payload = _json(*args)
    assert list(frame.columns) == ["Issues", "MAE", "Median AE", "Share AE ≤ 5", "Share AE ≤ 10"]
    assert frame["Issues"].item() == payload["n"] == 351
    assert frame["MAE"].item() == pytest.approx(payload["mae"])


def _fits(out: str) -> None:
    long = [line for line in out.splitlines() if len(line) > 100]
    assert not long, long


def test_store_and_data_tables_fit_100_columns(
    wide, data_root, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("MINILATERAL_DB_URL", f"sqlite:///{tmp_path / 'runs.db'}")
    for model in ("bdm", "smp"):  # bdm's long options line wraps instead of running on
        _run("forecast", "gaza", "-m", model, "--save")
    out = tmp_path / "sw"
    _run("sweep", "run", "gaza", "-m", "compromise", "--draws", "20", "--seed", "1", "--out", out)
    for args in (
        ("runs", "list"),
        ("runs", "show", "1"),
        ("runs", "diff", "1", "2"),
        ("db", "history"),
        ("data", "status"),
        ("mediators", "sudan"),
        ("sweep", "summarize", out),
    ):
        _fits(_run(*args, env={"COLUMNS": "100"}).stdout)
