"""``minilateral narratives ...`` through typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from minilateral.cli import app

runner = CliRunner()


def test_coordination_json_on_generic_csv(planted_csv, planted):
    res = runner.invoke(app, ["narratives", "coordination", str(planted_csv), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc) >= {"clusters", "window_seconds", "provenance"}
    assert doc["window_seconds"] > 0
    c = doc["clusters"][0]
    assert set(c) >= {"accounts", "score", "shared_items"}
    assert set(c["accounts"]) <= planted.coordinated
    assert doc["provenance"]["files"][0]["format"] == "generic"


def test_clusters_json(planted_csv):
    res = runner.invoke(app, ["narratives", "clusters", str(planted_csv), "-f", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    n = doc["narratives"][0]
    assert set(n) >= {"id", "posts", "top_terms"}
    assert n["posts"]


def test_import_then_coordination_from_store(planted_csv, tmp_path):
    store = tmp_path / "stored"
    res = runner.invoke(
        app, ["narratives", "import", str(planted_csv), "--name", "x", "--store", str(store)]
    )
    assert res.exit_code == 0, res.output
    assert (store / "provenance.json").is_file()
    res = runner.invoke(app, ["narratives", "coordination", str(store)])
    assert res.exit_code == 0, res.output
    assert "behaved in a coordinated way" in res.stdout


def test_report_words_claims_as_behaviour(planted_csv, tmp_path):
    out = tmp_path / "report.html"
    res = runner.invoke(app, ["narratives", "report", str(planted_csv), "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "accounts behaved in a coordinated way" in page
    assert "Posts per day by narrative" in page
    assert "Coordination network" in page
    for word in ("sponsored by", "state-backed", "run by the"):
        assert word not in page.lower()


def test_bad_input_exit_2_names_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,time,author,text\n1,not a time,a,t\n")
    res = runner.invoke(app, ["narratives", "coordination", str(bad)])
    assert res.exit_code == 2
    assert "line 2" in res.output
    assert "time" in res.output
