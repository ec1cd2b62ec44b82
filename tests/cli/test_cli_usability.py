"""Issue 21 item 1: fast ``scenarios list``, names in tables, machine formats, precise errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from minilateral.cli import app
from minilateral.library import list_scenarios
from tests.conftest import scenario_dict

runner = CliRunner()


def _cli(*args: object, env: dict[str, str] | None = None):
    return runner.invoke(app, [str(a) for a in args], env=env)


# -- scenarios list ---------------------------------------------------------------------------


def test_scenarios_list_formats_agree() -> None:
    names = [e.name for e in list_scenarios()]
    as_json = json.loads(_cli("scenarios", "list", "--format", "json").stdout)["scenarios"]
    as_csv = list(csv.DictReader(io.StringIO(_cli("scenarios", "list", "-f", "csv").stdout)))
    assert [r["name"] for r in as_json] == names == [r["Name"] for r in as_csv]
    gaza = next(r for r in as_json if r["name"] == "gaza")
    assert gaza["actors"] > 2
    assert gaza["issues"] >= 1
    assert gaza["title"]
    assert [str(r["actors"]) for r in as_json] == [r["Actors"] for r in as_csv]


def test_scenarios_list_bad_format_is_exit_2() -> None:
    result = _cli("scenarios", "list", "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of 'table', 'csv', 'json'" in result.output


def test_scenarios_list_cache_follows_file_content(tmp_path: Path) -> None:
    """An edited user scenario is read again; a cached summary never outlives its content."""
    folder = tmp_path / "mine"
    folder.mkdir()
    data = scenario_dict()
    path = folder / "mine.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    env = {"MINILATERAL_SCENARIO_DIR": str(folder), "MINILATERAL_CACHE_DIR": str(tmp_path / "c")}
    first = json.loads(_cli("scenarios", "list", "-f", "json", env=env).stdout)["scenarios"]
    assert next(r for r in first if r["name"] == "mine")["title"] == data["title"]
    assert (tmp_path / "c" / "scenario-summaries.json").is_file()
    data["title"] = "Renamed negotiation"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    again = json.loads(_cli("scenarios", "list", "-f", "json", env=env).stdout)["scenarios"]
    assert next(r for r in again if r["name"] == "mine")["title"] == "Renamed negotiation"


def test_scenarios_list_invalid_user_scenario_is_a_located_error(tmp_path: Path) -> None:
    """The cache never hides a broken file: it is validated by the hardened reader."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "bad.yaml").write_text("title: x\ntitle: y\n", encoding="utf-8")
    env = {"MINILATERAL_SCENARIO_DIR": str(folder), "MINILATERAL_CACHE_DIR": str(tmp_path / "c")}
    for _ in range(2):
        result = _cli("scenarios", "list", env=env)
        assert result.exit_code == 2
        assert "duplicate key 'title'" in result.output


def test_scenarios_list_from_cache_does_not_import_numpy(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from minilateral.cli import main\n"
        "sys.argv = ['minilateral', 'scenarios', 'list', '--format', 'csv']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy', 'pandas', 'minilateral.models') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
    env["MINILATERAL_CACHE_DIR"] = str(tmp_path)
    env.pop("MINILATERAL_SCENARIO_DIR", None)
    run = [sys.executable, "-c", code]
    subprocess.run(run, capture_output=True, text=True, env=env, check=True)  # fills the cache
    out = subprocess.run(run, capture_output=True, text=True, env=env, check=True).stdout
    assert "HEAVY []" in out
    assert "gaza," in out


# -- align: names, readable tables, one spelling of --years, precise map error -----------------

WIDE = {"COLUMNS": "100"}


@pytest.fixture
def wide():
    """The console 100 columns wide (its width is fixed when it is created, so COLUMNS set
    for one invocation does not reach it)."""
    from minilateral.cli._app import out_console

    old = out_console._width
    out_console.width = 100
    yield
    out_console._width = old


def _fits(output: str, width: int = 100) -> bool:
    return all(len(line) <= width for line in output.splitlines() if "note:" not in line)


def test_dyads_table_names_states_and_fits_100_columns(data_root, wide) -> None:
    r = _cli("align", "dyads", "-s", "QAT,TUR,EGY", "--years", "2018", env=WIDE)
    assert r.exit_code == 0, r.output
    assert "Qatar" in r.stdout
    assert "Egypt" in r.stdout
    assert " 640 " not in r.stdout
    assert " 651 " not in r.stdout
    assert _fits(r.stdout)


def test_cohesion_table_is_readable(data_root, wide) -> None:
    r = _cli("align", "cohesion", "-y", "2018-2019", env=WIDE)
    assert r.exit_code == 0, r.output
    for text in ("Mean agreement", "Unanimity", "Saudi Arabia", "Oman", "defection rate"):
        assert text in r.stdout
    assert "…" not in r.stdout  # no truncated column
    assert _fits(r.stdout)
    as_csv = list(
        csv.DictReader(io.StringIO(_cli("align", "cohesion", "-y", "2018", "-f", "csv").stdout))
    )
    assert as_csv[0]["year"] == "2018"


def test_every_align_table_fits_100_columns(data_root, wide) -> None:
    for args in (
        ["autonomy", "-s", "QAT,TUR,EGY", "-y", "2018"],
        ["ideal-points", "-y", "2018", "-s", "QAT,TUR"],
        ["capabilities", "-y", "2015", "-s", "QAT,TUR"],
        ["complementarity", "-s", "QAT,TUR", "-y", "2015"],
        ["balancing", "-s", "QAT,TUR", "-y", "2015"],
        ["portfolio", "-s", "QAT,TUR", "-y", "2015"],
    ):
        r = _cli("align", *args, env=WIDE)
        assert r.exit_code == 0, (args, r.output)
        assert "…" not in r.stdout, args
        assert _fits(r.stdout), args


def test_year_and_years_are_one_option(data_root) -> None:
    """``--year`` and ``--years`` are accepted by every align subcommand."""
    plural = _cli("align", "capabilities", "--years", "2015", "-s", "TUR", "-f", "json")
    singular = _cli("align", "capabilities", "--year", "2015", "-s", "TUR", "-f", "json")
    assert plural.exit_code == singular.exit_code == 0
    assert json.loads(plural.stdout)["rows"] == json.loads(singular.stdout)["rows"]
    dyads = _cli("align", "dyads", "-s", "QAT,TUR", "--year", "2015", "-f", "csv")
    assert dyads.exit_code == 0
    assert dyads.stdout.splitlines()[1].startswith("2015,")


def test_map_of_a_year_without_votes_is_exit_2_naming_the_years(data_root, tmp_path) -> None:
    out = tmp_path / "map.html"
    r = _cli("align", "map", "--year", "2030", "-o", out)
    assert r.exit_code == 2
    assert "no UN roll calls in 2030" in r.stderr
    assert "available: " in r.stderr
    assert "2024" in r.stderr
    assert not out.exists()


def test_mistyped_model_option_suggests_the_closest() -> None:
    r = _cli("forecast", "gaza", "--model", "bdm", "--set", "roundz=3")
    assert r.exit_code == 2
    assert "no option 'roundz'. Did you mean 'rounds'?" in r.stderr


def test_mistyped_state_suggests_the_closest(data_root) -> None:
    r = _cli("align", "autonomy", "-s", "Turky,QAT", "-y", "2018")
    assert r.exit_code == 2
    assert "did you mean" in r.stderr.lower()
    assert "Turkey" in r.stderr or "Türkiye" in r.stderr or "TUR" in r.stderr


# -- plain progress lines when stderr is not a terminal ----------------------------------------


def test_sensitivity_progress_names_the_model_in_plain_lines() -> None:
    r = _cli("sensitivity", "gaza", "--model", "nash", "--samples", "16")
    assert r.exit_code == 0, r.output
    assert "nash Sobol runs: started" in r.stderr
    assert "0/?" not in r.stderr
    assert "(100%) runs" in r.stderr
    assert "nash Sobol runs: done in" in r.stderr
    assert "\x1b[" not in r.stderr  # no terminal control codes in a log


def test_sweep_and_coalitions_progress_in_plain_lines(tmp_path: Path) -> None:
    sweep = _cli(
        "sweep",
        "run",
        "gaza",
        "-m",
        "nash",
        "--draws",
        "20",
        "--seed",
        "1",
        "--out",
        tmp_path / "sw",
    )
    assert sweep.exit_code == 0, sweep.output
    assert "nash sweep: 20/20 (100%) draws" in sweep.stderr
    found = _cli(
        "coalitions", "gaza", "--candidates", "TUR,QAT,EGY", "--size", "1-2", "--draws", "10"
    )
    assert found.exit_code == 0, found.output
    assert "bdm coalition search: started" in found.stderr
    assert "bdm coalition search: done in" in found.stderr


def test_plain_progress_is_throttled(monkeypatch, capsys) -> None:
    from minilateral.cli import _progress

    with _progress.progress("work", unit="steps") as report:
        for done in range(1, 1001):
            report(done, 1000)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("work:")]
    assert lines[0] == "work: started"
    assert lines[-1].startswith("work: done in")
    assert "1,000/1,000 (100%) steps" in err
    assert len(lines) <= 4  # not one line per step


# -- other tables at 100 columns ---------------------------------------------------------------


def test_scenario_show_and_forecast_tables_fit_100_columns(wide) -> None:
    for args in (
        ["scenarios", "show", "gaza"],
        ["scenarios", "list"],
        ["forecast", "gaza", "--model", "nash"],
        ["models"],
        ["coalitions", "gaza", "--candidates", "TUR,QAT", "--size", "1", "--draws", "10"],
    ):
        r = _cli(*args, env=WIDE)
        assert r.exit_code == 0, (args, r.output)
        assert "…" not in r.stdout, args
        assert all(len(line) <= 100 for line in r.stdout.splitlines()), args
