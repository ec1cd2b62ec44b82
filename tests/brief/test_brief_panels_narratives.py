"""The brief's optional panel and narrative-monitor sections: shown only with their input,
their numbers equal results.json, HTML and PDF build, no attribution wording."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from typer.testing import CliRunner

from minilateral.brief import render_html, run_brief, write_brief, write_results
from minilateral.brief.capabilities import narrative_data, panel_data
from minilateral.cli import app
from minilateral.errors import FormatError
from minilateral.panels import PanelData, brief_data, validate_coding
from minilateral.scenario import Scenario
from tests.conftest import scenario_dict
from tests.narratives.generator import make_corpus, write_generic_csv
from tests.panels.helpers import coding, with_cell

#: Wording that would attribute coordinated behaviour to a state or sponsor.
ATTRIBUTION = re.compile(
    r"state[- ]sponsored|state[- ]backed|sponsored by|backed by|orchestrated by|run by|"
    r"on behalf of|operated by|directed by|behind the campaign|government[- ]linked|"
    r"troll farm|bot army|propaganda (?:arm|outlet)",
    re.I,
)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A small scenario, a three-coder panel export on it and a tiny planted corpus."""
    tmp = tmp_path_factory.mktemp("brief-extra")
    scenario_file = tmp / "talks.yaml"
    scenario_file.write_text(yaml.safe_dump(scenario_dict()), encoding="utf-8")
    scenario = Scenario.model_validate(scenario_dict())
    disputed = with_cell(coding(), "Alpha", "aid", position=9.0)
    codings = {
        "ana@gisr.example": validate_coding(scenario, coding(2.0)),
        "ben@orsam.example": validate_coding(scenario, coding(-3.0)),
        "cem@orsam.example": validate_coding(scenario, disputed),
    }
    panel = brief_data(PanelData.from_codings(scenario, codings))
    panel["panel"] = {"id": 1, "name": "Ceasefire coders", "round": 2}
    panel_file = tmp / "panel.json"
    panel_file.write_text(json.dumps(panel), encoding="utf-8")
    planted = make_corpus(
        seed=7,
        n_organic=100,
        campaign_sizes=(6, 8),
        campaign_narratives=(0, 2),
        days=4,
        posts_per_organic=5,
        bursts_per_campaign=10,
        organic_bursts=15,
    )
    corpus = tmp / "corpus.csv"
    write_generic_csv(planted, corpus)
    return {"tmp": tmp, "scenario": scenario_file, "panel": panel_file, "corpus": corpus}


@pytest.fixture(scope="module")
def brief(inputs: dict) -> dict:
    tmp = inputs["tmp"]
    run = run_brief(
        [inputs["scenario"]],
        models=["compromise"],
        alignment=False,
        mediation_draws=2,
        panels=[panel_data(inputs["panel"], pseudonymise=True)],
        narratives=narrative_data(inputs["corpus"]),
    )
    html = render_html(run)
    pdf = write_brief(run, tmp / "brief.pdf")
    results = json.loads(write_results(run, tmp / "results.json").read_text(), parse_constant=_no)
    raw = " ".join(p.extract_text() or "" for p in PdfReader(pdf).pages).replace("\x00", "")
    text = " ".join(raw.split())
    return {"run": run, "html": html, "pdf": text, "results": results}


def _no(name: str) -> None:
    raise AssertionError(f"results.json holds {name}")


def _raw_section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    end = html.find("<section", start)
    return html[start : end if end > 0 else None]


def _section(html: str, anchor: str) -> str:
    return unescape(_raw_section(html, anchor))


def test_sections_absent_without_their_input(inputs: dict) -> None:
    run = run_brief([inputs["scenario"]], models=["compromise"], alignment=False, mediation_draws=2)
    html = render_html(run)
    assert 'id="panel-1"' not in html
    assert 'id="narratives"' not in html
    assert run.results()["panels"] == []
    assert run.results()["narratives"] is None


def test_panel_section_numbers_equal_results(brief: dict) -> None:
    (panel,) = brief["results"]["panels"]
    assert panel["coders"] == ["Coder 1", "Coder 2", "Coder 3"]  # pseudonymised
    assert panel["pseudonymised"] is True
    html = _section(brief["html"], "panel-1")
    assert "Expert panel: Ceasefire coders" in html
    assert "gisr.example" not in brief["html"]
    assert "gisr.example" not in brief["pdf"]
    assert "Coder 1, Coder 2, Coder 3" in html
    for value in [panel["alpha"], *panel["fields"].values()]:
        assert f"{value:.3f}" in html
        assert f"{value:.3f}" in brief["pdf"]
    # The planted disagreement (one coder puts Alpha at 9 on aid, not 2) tops the table.
    top = panel["disputed_cells"][0]
    assert (top["actor"], top["issue"]) == ("Alpha", "aid")
    row = re.search(r"<td>Alpha</td><td>Aid</td><td class=\"num\">([\d.]+)</td>", html)
    assert row is not None
    assert float(row.group(1)) == pytest.approx(top["position_sd"], abs=5e-4)


def test_narrative_section_numbers_equal_results(brief: dict) -> None:
    nar = brief["results"]["narratives"]
    assert nar["n_clusters"] >= 1
    assert nar["narratives"]
    html = _section(brief["html"], "narratives")
    assert f"{nar['n_posts']} posts by {nar['n_accounts']} accounts" in html
    assert f"{nar['window_seconds']:.0f} seconds" in html
    for k in nar["clusters"]:
        heading = f"Cluster {k['number']}: {k['n_accounts']} accounts behaved in a coordinated way"
        assert heading in html
        assert heading in brief["pdf"]
        assert f"Strength {k['score']:.2f} items per pair" in html
        assert ", ".join(k["accounts"]) in html
    for n in nar["narratives"]:
        assert f"Narrative {n['number']}: " in html
    # Both figures: the HTML carries Plotly data, the PDF their static pictures.
    figs = re.findall(r'data-figure="([^"]+)"', _raw_section(brief["html"], "narratives"))
    assert len(figs) == 2
    timeline, network = (json.loads(unescape(f)) for f in figs)
    assert [t["y"] for t in timeline["data"]] == [
        [n["volume"].get(d, 0) for d in sorted({d for m in nar["narratives"] for d in m["volume"]})]
        for n in nar["narratives"]
    ]
    shown = sorted(a for t in network["data"][1:] for a in t["text"])
    assert shown == sorted(n["account"] for n in nar["network"]["nodes"])


def test_narrative_section_never_attributes(brief: dict) -> None:
    html = _section(brief["html"], "narratives")
    text = re.sub(r"<[^>]+>", " ", html)
    assert "behaved in a coordinated way" in text
    assert "names no sponsor" in text
    assert not ATTRIBUTION.search(text), ATTRIBUTION.search(text)
    assert not ATTRIBUTION.search(brief["pdf"])


def test_results_json_is_strict_and_pdf_has_both_sections(brief: dict) -> None:
    assert "Expert panel: Ceasefire coders" in brief["pdf"]
    assert "Narrative monitor" in brief["pdf"]
    json.dumps(brief["results"], allow_nan=False)


def test_bad_panel_input_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "panel.json"
    bad.write_text('{"coders": []}', encoding="utf-8")
    with pytest.raises(FormatError, match=r"panel\.json: not a panel's brief data \(missing alpha"):
        panel_data(bad)
    with pytest.raises(FormatError, match="neither a panel's brief JSON file nor a panel number"):
        panel_data(tmp_path / "nothing.json")


def test_cli_brief_with_panel_and_corpus(inputs: dict, tmp_path: Path) -> None:
    out = tmp_path / "b.html"
    args = ["brief", str(inputs["scenario"]), "--out", str(out), "--models", "compromise"]
    args += ["--no-alignment", "--mediation-draws", "2", "--panel", str(inputs["panel"])]
    args += ["--corpus", str(inputs["corpus"])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    results = json.loads((tmp_path / "b.results.json").read_text())
    assert results["panels"][0]["coders"][0] == "ana@gisr.example"  # names unless asked
    assert results["narratives"]["n_posts"] > 0
    html = out.read_text(encoding="utf-8")
    assert 'id="panel-1"' in html
    assert 'id="narratives"' in html


def test_cli_brief_reads_a_stored_panel_by_number(inputs: dict, tmp_path: Path) -> None:
    from minilateral.store.accounts import create_user
    from minilateral.store.db import Database

    url = f"sqlite:///{tmp_path / 'panels.db'}"
    database = Database.connect(url)
    database.ensure_schema()
    with database.session() as s:
        create_user(s, "a@one.example", "password1", org="One", role="owner")
        create_user(s, "b@two.example", "password1", org="Two", role="analyst")
        s.commit()
    database.dispose()
    runner = CliRunner()

    def ok(*args: str) -> str:
        r = runner.invoke(app, [*args, "--db-url", url])
        assert r.exit_code == 0, r.output
        return r.stdout

    ok("panel", "create", str(inputs["scenario"]), "--name", "Talks", "--org", "One")
    ok("panel", "invite", "1", "a@one.example", "b@two.example")
    for who, doc in (("a@one.example", coding(-10)), ("b@two.example", coding(10, aid=2))):
        path = tmp_path / f"{who}.yaml"
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        ok("panel", "submit", "1", str(path), "--as", who)
    report = json.loads(ok("panel", "report", "1", "--format", "json"))
    out = tmp_path / "b.html"
    ok(
        "brief",
        str(inputs["scenario"]),
        "--out",
        str(out),
        "--models",
        "compromise",
        "--no-alignment",
        "--mediation-draws",
        "2",
        "--panel",
        "1",
    )
    (panel,) = json.loads((tmp_path / "b.results.json").read_text())["panels"]
    assert panel["coders"] == ["Coder A", "Coder B"]  # the store's pseudonyms, no e-mail
    assert panel["alpha"] == report["alpha"]
    assert panel["fields"] == report["fields"]
    html = out.read_text(encoding="utf-8")
    assert "Expert panel: Talks" in html
    assert "one.example" not in html
    assert f"{panel['alpha']:.3f}" in _section(html, "panel-1")


def test_narrative_data_from_a_stored_corpus_equals_the_file(inputs: dict, brief: dict) -> None:
    from minilateral.narratives import read_corpus, save_store

    folder = save_store(read_corpus(inputs["corpus"]), inputs["tmp"] / "stored")
    stored = narrative_data(folder)
    fresh = brief["results"]["narratives"]
    assert stored["clusters"] == fresh["clusters"]
    assert stored["narratives"] == fresh["narratives"]
    assert stored["network"] == fresh["network"]
