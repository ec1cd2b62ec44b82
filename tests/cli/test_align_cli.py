"""``minilateral align`` and ``minilateral data`` from the command line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from minilateral.cli import app

runner = CliRunner()


def test_dyads_json_30_rows(data_root):
    r = runner.invoke(
        app,
        ["align", "dyads", "--states", "QAT,TUR,EGY", "--years", "2010-2019", "--format", "json"],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert len(out["rows"]) == 30
    row = out["rows"][0]
    assert set(row) == {
        "year",
        "a",
        "b",
        "n",
        "agree_half",
        "agree_exact",
        "S_abs",
        "S_sq",
        "S_varw",
        "kappa_sq",
        "kappa_abs",
        "kappa_nominal",
        "pi_sq",
        "pi_abs",
    }
    assert all(r_["a"] < r_["b"] for r_ in out["rows"])


def test_null_with_reason(data_root):
    r = runner.invoke(app, ["align", "dyads", "-s", "TUR,QAT", "-y", "2023", "-f", "json"])
    out = json.loads(r.stdout)
    assert out["rows"][0]["n"] == 9
    assert out["rows"][0]["agree_half"] is None
    assert any("only 9 joint roll calls" in n for n in out["notes"])


def test_ambiguous_code_warns(data_root):
    r = runner.invoke(app, ["align", "dyads", "-s", "AUS,TUR", "-y", "2015", "-f", "csv"])
    assert r.exit_code == 0
    assert "ambiguous" in r.stderr
    assert "Australia" in r.stderr
    assert r.stdout.splitlines()[0].startswith("year,a,b,n,agree_half")


def test_unknown_state_exit_2(data_root):
    r = runner.invoke(app, ["align", "dyads", "-s", "Qatr,TUR", "-y", "2015"])
    assert r.exit_code == 2
    assert "did you mean 'Qatar'" in r.stderr
    assert "Traceback" not in r.output


def test_other_commands(data_root, tmp_path):
    r = runner.invoke(
        app, ["align", "capabilities", "--year", "2022", "-s", "IRN,TUR,QAT", "-f", "json"]
    )
    rows = {x["ccode"]: x for x in json.loads(r.stdout)["rows"]}
    assert rows[630]["rank"] == 10
    assert rows[694]["rank"] == 65
    r = runner.invoke(
        app, ["align", "complementarity", "-s", "TUR,QAT", "--year", "2022", "-f", "json"]
    )
    assert json.loads(r.stdout)["rows"][0]["K"] > 0.85
    r = runner.invoke(app, ["align", "balancing", "-s", "TUR,QAT", "--year", "2019", "-f", "json"])
    assert r.exit_code == 0
    assert json.loads(r.stdout)["rows"][0]["B"] == 1.0
    r = runner.invoke(app, ["align", "portfolio", "-s", "TUR,QAT", "-y", "2018-2019", "-f", "json"])
    out = json.loads(r.stdout)
    assert out["rows"][1]["S_atop"] is None
    assert any("2018" in n for n in out["notes"])
    out_file = tmp_path / "map.html"
    r = runner.invoke(app, ["align", "map", "--year", "2019", "--out", str(out_file)])
    assert r.exit_code == 0, r.output
    html = out_file.read_text(encoding="utf-8")
    assert "Plotly.newPlot" in html
    assert "Qatar" in html
    assert '<script src="http' not in html  # plotly.js embedded, no CDN


def test_autonomy_and_cohesion(data_root):
    r = runner.invoke(app, ["align", "autonomy", "-s", "TUR,QAT", "-y", "2019", "-f", "json"])
    rows = json.loads(r.stdout)["rows"]
    assert {x["state"] for x in rows} == {640, 694}
    assert set(rows[0]) == {
        "year",
        "state",
        "SAI",
        "SAI_IP",
        "agree_half_USA",
        "agree_half_RUS",
        "agree_half_CHN",
    }
    r = runner.invoke(app, ["align", "cohesion", "--group", "GCC", "-y", "2019", "-f", "json"])
    row = json.loads(r.stdout)["rows"][0]
    assert row["bloc"] is True
    assert set(row["defection"]) == {"670", "690", "692", "694", "696", "698"}


def test_fresh_install_message(tmp_path, monkeypatch):
    monkeypatch.setenv("MINILATERAL_DATA_DIR", str(tmp_path / "none"))
    r = runner.invoke(app, ["align", "dyads", "-s", "QAT,TUR", "-y", "2015"])
    assert r.exit_code == 1
    assert "minilateral data download" in r.stderr
    assert "data import DIR" in r.stderr
    r = runner.invoke(app, ["data", "status"])
    assert r.exit_code == 0
    assert "minilateral data download" in r.stdout


def test_data_import_cli(shared, tmp_path, monkeypatch):
    monkeypatch.setenv("MINILATERAL_DATA_DIR", str(tmp_path / "d"))
    r = runner.invoke(app, ["data", "import", str(shared / "data"), "-t", "cow_majors"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["data", "status", "-f", "json"])
    tables = {t["table"]: t for t in json.loads(r.stdout)["tables"]}
    assert tables["cow_majors"]["installed"]
    assert not tables["cow_nmc"]["installed"]
    assert tables["cow_majors"]["licence"]
    assert tables["cow_majors"]["coverage"] == "1816-2016"


def test_ideal_points_cli(data_root):
    r = runner.invoke(
        app, ["align", "ideal-points", "-y", "2019", "-s", "USA,TUR,QAT", "-f", "json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    z = {row["ccode"]: row["z"] for row in out["rows"]}
    assert z[2] > z[640] > z[694]
    assert any("converged=True" in n for n in out["notes"])
