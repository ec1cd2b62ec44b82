"""``minilateral demo``: every library scenario × every model, both files written."""

from __future__ import annotations

import json
from math import comb
from pathlib import Path

from typer.testing import CliRunner

from minilateral import load_scenario
from minilateral.cli import app
from minilateral.library import list_scenarios
from minilateral.mediation.coalitions import match_actor
from minilateral.models.registry import available_models


def test_demo_writes_results_and_page(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    payload = json.loads((tmp_path / "results.json").read_text())
    names = {s["name"] for s in payload["scenarios"]}
    assert names == {e.name for e in list_scenarios()}
    for scenario in payload["scenarios"]:
        assert [f["model"] for f in scenario["forecasts"]] == list(available_models())
        for f in scenario["forecasts"]:
            assert len(f["outcome"]) == len(f["issues"])
            assert f["provenance"]["input_sha256"] == f["scenario"]["sha256"]
    html = (tmp_path / "index.html").read_text()
    assert '<script src="plotly.min.js"></script>' in html
    assert "http://" not in html.split("<body>")[0]
    assert "https://" not in html.split("<body>")[0]
    assert (tmp_path / "plotly.min.js").stat().st_size > 1_000_000
    for scenario in payload["scenarios"]:
        assert f'id="chart-{scenario["name"]}"' in html
        mediation = scenario["mediation"]
        loaded = load_scenario(scenario["name"])
        k = sum(match_actor(loaded, c) is not None for c in loaded.candidate_mediators)
        expected = sum(comb(k, size) for size in range(1, min(3, k) + 1))
        assert len(mediation["coalitions"]) == expected
        assert mediation["baseline"]["coalition"] == []
        assert f'id="mediation-chart-{scenario["name"]}"' in html
