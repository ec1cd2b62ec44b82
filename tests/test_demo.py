"""``minilateral demo``: every library scenario × every model, both files written."""

from __future__ import annotations

import json
from math import comb
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minilateral import load_scenario
from minilateral.cli import app
from minilateral.library import list_scenarios
from minilateral.mediation.coalitions import match_actor, scenario_leverage
from minilateral.models.registry import available_models


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, data_root: Path) -> tuple[Path, str]:
    """One run of ``minilateral demo`` (with the brief and the alignment data installed)."""
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_index_links_the_alignment_page(demo: tuple[Path, str]) -> None:
    """With the UN votes installed the demo writes alignment.html, and index.html links it."""
    out = demo[0]
    assert (out / "alignment.html").is_file()
    assert json.loads((out / "results.json").read_text())["alignment"]["last_year"] >= 2020
    assert '<a href="alignment.html">' in (out / "index.html").read_text()


def test_demo_writes_results_and_page(demo: tuple[Path, str]) -> None:
    tmp_path = demo[0]
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
        given = scenario_leverage(loaded, loaded.candidate_mediators)
        k = sum(
            match_actor(loaded, c) is not None or c.upper() in given
            for c in loaded.candidate_mediators
        )
        expected = sum(comb(k, size) for size in range(1, min(3, k) + 1))
        assert len(mediation["coalitions"]) == expected
        assert mediation["baseline"]["coalition"] == []
        assert f'id="mediation-chart-{scenario["name"]}"' in html


def test_demo_writes_the_brief_of_the_same_forecasts(demo: tuple[Path, str]) -> None:
    from pypdf import PdfReader

    from minilateral.brief import default_models
    from minilateral.brief.sections import fmt

    tmp_path, output = demo
    assert "brief.pdf" in output
    payload = json.loads((tmp_path / "results.json").read_text())
    html = (tmp_path / "brief.html").read_text()
    for scenario in payload["scenarios"]:
        table = html.split(f'data-theatre="{scenario["name"]}"')[1].split("</table>")[0]
        for f in scenario["forecasts"]:
            if f["model"] in default_models():
                for issue, value in zip(f["issues"], f["outcome"], strict=True):
                    cell = f'data-model="{f["model"]}" data-issue="{issue}">{fmt(value)}<'
                    assert cell in table
    reader = PdfReader(tmp_path / "brief.pdf")
    assert len(reader.pages) >= 2 * len(payload["scenarios"])
    # The cover lists every theatre; compared without whitespace because PDF text extraction
    # inserts a space where a title wraps after "/" or "-".
    cover = "".join(reader.pages[0].extract_text().split())
    assert all("".join(s["title"].split()) in cover for s in payload["scenarios"])


def _links(html: str) -> set[str]:
    import re

    return {h for h in re.findall(r'href="([^"#][^"]*)"', html) if "://" not in h}


def test_index_links_every_page_the_demo_writes(demo: tuple[Path, str]) -> None:
    """Each page of the output folder is linked from index.html, and each link resolves."""
    out = demo[0]
    html = (out / "index.html").read_text()
    pages = {p.name for p in out.iterdir() if p.suffix in (".html", ".pdf", ".json")}
    pages.discard("index.html")
    assert pages >= {"alignment.html", "brief.html", "results.json"}
    assert _links(html) == pages
    assert '<script src="plotly.min.js"></script>' in html


def test_index_links_only_pages_that_exist(tmp_path: Path) -> None:
    """Without the brief (``--no-brief``) or the PDF engine, the index has no dead link."""
    from minilateral.demo import DemoResult, _write_html

    (tmp_path / "results.json").write_text("{}", encoding="utf-8")
    _write_html(tmp_path, DemoResult(models=[]))
    html = (tmp_path / "index.html").read_text()
    assert _links(html) == {"results.json"}
    assert "brief" not in html.split("<main>")[0]


def test_demo_page_in_arabic(tmp_path: Path) -> None:
    """``minilateral demo --lang ar``: the page right to left, Arabic words and scenario text."""
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--lang", "ar", "--no-brief"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "index.html").read_text()
    assert '<html lang="ar" dir="rtl">' in html
    assert "عرض minilateral" in html
    assert "غزة بعد وقف إطلاق النار في أكتوبر 2025" in html  # the theatre's own translation
    body = html.split("<body>")[1]
    for english in ("Forecast per issue", "Candidate mediators", "Mediation: which coalition"):
        assert english not in body
    bad = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--lang", "xx"])
    assert bad.exit_code == 2
    assert "choose one of en, tr, ar" in bad.output
