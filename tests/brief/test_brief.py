"""The dialogue brief: content generated from the results, HTML and PDF, optional capabilities."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from plotly.graph_objects import Figure as PlotlyFigure
from pypdf import PdfReader
from typer.testing import CliRunner

from minilateral.brief import capabilities as caps
from minilateral.brief import render_html, run_brief, write_brief, write_results
from minilateral.brief.render import LOCALE_DIR
from minilateral.brief.sections import agreement, confidence, fmt, model_references
from minilateral.cli import app
from minilateral.library import list_scenarios

THEATRES = [e.name for e in list_scenarios()]
DRAWS = 100


def _needs_pdftoppm() -> str:
    exe = shutil.which("pdftoppm")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm missing under CI (.ci/run installs poppler-utils)")
        pytest.skip("pdftoppm (poppler-utils) not installed")
    return exe


@pytest.fixture(scope="module")
def full(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One brief of every embedded theatre, with sweeps and the alignment data: PDF + JSON."""
    out = tmp_path_factory.mktemp("brief")
    run = run_brief(
        THEATRES,
        draws=DRAWS,
        mediation_draws=10,
        seed=11,
        org="Test Institute",
        data_root=shared / "data",
        command="minilateral brief ... --draws 200 --seed 11",
    )
    pdf = write_brief(run, out / "brief.pdf")
    results = json.loads(write_results(run, out / "results.json").read_text())
    reader = PdfReader(pdf)
    pages = [p.extract_text() or "" for p in reader.pages]
    return {"run": run, "pdf": pdf, "results": results, "pages": pages, "reader": reader}


def _norm(text: str) -> str:
    return " ".join(text.split())


def _theatre_text(full: dict, title: str, stops: list[str]) -> str:
    """The text of a theatre's own section: the pages whose running footer names the theatre.

    The bottom line also starts paragraphs with theatre titles, so a page is taken by its footer
    ("<brief title> <theatre title> N / M"), not by its first words. ``stops`` is kept for the
    callers' readability; the footer already ends the section.
    """
    del stops
    footer = re.compile(re.escape(_norm(title)) + r" \d+ / \d+$")
    pages = [_norm(p) for p in full["pages"]]
    mine = [p for p in pages if footer.search(p)]
    assert mine, f"no page of the brief carries the running footer of {title!r}"
    return "\n".join(mine)


def test_pdf_is_valid_with_expected_pages_and_sections(full: dict) -> None:
    reader, text = full["reader"], "\n".join(full["pages"])
    # Six theatres of four to seven issues: about ten pages each, plus the common sections.
    assert 15 <= len(reader.pages) <= 100
    assert reader.metadata.title.startswith("Regional security outlook")
    for heading in (
        "Contents",
        "Bottom line",
        "Regional alignment",
        "Methods and limits",
        "Data provenance and citations",
        "Reproducibility",
    ):
        assert heading in text
    for entry in full["results"]["scenarios"]:
        assert entry["title"] in text
        assert entry["sha256"] in text.replace("\n", "")
    assert "Figure 1." in text
    assert "Test Institute" in text
    assert re.search(r"\b1 / \d+|\b2 / \d+", text)  # page numbers


def test_pdf_cites_every_scenario_source_and_model_reference(full: dict) -> None:
    text = re.sub(r"\s+", " ", "\n".join(full["pages"]))
    for theatre in full["run"].theatres:
        for src in theatre.scenario.sources:
            assert f"[{src.id}]" in text
    assert "Bueno de Mesquita" in text
    assert "Nash, J. F." in text
    assert "un_votes_ccode" in text
    assert "Voeten" in text


def test_numbers_in_pdf_equal_results_json(full: dict) -> None:
    scenarios = full["results"]["scenarios"]
    titles = [s["title"] for s in scenarios]
    for k, entry in enumerate(scenarios):
        page_text = _theatre_text(full, entry["title"], [*titles[k + 1 :], "Regional alignment"])
        for fc in entry["forecasts"]:
            for value in fc["outcome"]:
                assert fmt(value) in page_text, (entry["name"], fc["model"], value)
        for sweep in entry["sweeps"]:
            assert sweep["draws"] == DRAWS
            for issue in sweep["issues"]:
                q = issue["quantiles"]
                assert f"{fmt(q['0.05'])} – {fmt(q['0.95'])}" in page_text


def test_html_numbers_equal_results_json(full: dict) -> None:
    html = render_html(full["run"])
    cells = re.findall(r'data-model="([^"]+)" data-issue="([^"]+)">([^<]*)<', html)
    tables = re.split(r'data-theatre="', html)[1:]
    assert len(tables) == len(THEATRES)
    for entry, table in zip(full["results"]["scenarios"], tables, strict=True):
        assert table.startswith(entry["name"] + '"')
        cells = re.findall(r'data-model="([^"]+)" data-issue="([^"]+)">([^<]*)<', table)
        shown = {(m, q): v for m, q, v in cells}
        for fc in entry["forecasts"]:
            for issue, value in zip(fc["issues"], fc["outcome"], strict=True):
                assert shown[(fc["model"], issue)] == fmt(value)
    # interactive charts, no network: Plotly is embedded, no external script or stylesheet
    assert html.count('class="plotly-chart"') >= len(THEATRES) + 2
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)
    for figure in re.findall(r'data-figure="([^"]*)"', html):
        PlotlyFigure(json.loads(unescape(figure)))  # valid against Plotly's schema
    assert '"type":"scattergeo"' not in html  # geo maps would fetch a base map from a CDN
    numbers = [int(n) for n in re.findall(r"Figure (\d+)\.", html)]
    assert numbers == list(range(1, len(numbers) + 1))


def test_bottom_line_counts_follow_the_confidence_rule(full: dict) -> None:
    issues = [a for e in full["results"]["scenarios"] for a in e["assessment"]["issues"]]
    assert len(issues) == sum(len(t.scenario.issues) for t in full["run"].theatres)
    for a in issues:  # the documented rule: the lowest of the three components
        parts = [v for v in a["confidence_parts"].values() if v is not None]
        assert a["confidence"] == max(parts, key=["high", "medium", "low"].index)
    counts = {k: sum(a["confidence"] == k for a in issues) for k in ("high", "medium", "low")}
    text = re.sub(r"\s+", " ", "\n".join(full["pages"]))
    expected = (
        f"Of {len(issues)} issues in {len(THEATRES)} theatres, confidence is high on "
        f"{counts['high']}, medium on {counts['medium']} and low on {counts['low']}."
    )
    assert expected in text


def test_no_row_pairs_disagreement_with_high_confidence(full: dict) -> None:
    for entry in full["results"]["scenarios"]:
        for a in entry["assessment"]["issues"]:
            if a["agreement"] == "disagree":
                assert a["confidence"] == "low", (entry["name"], a["issue"])
            if a["agreement"] == "partly agree":
                assert a["confidence"] in ("medium", "low")
    html = render_html(full["run"])
    table = html.split('class="data summary"')[1].split("</table>")[0]
    for row in table.split("<tr")[1:]:
        assert not ("tag-disagree" in row and "conf-high" in row), row


def test_sweeps_of_every_model_and_accuracy_weighted_headline(full: dict) -> None:
    from minilateral.accuracy import CAPABILITY, accuracy_table

    table = accuracy_table()
    base = table.baseline_mae(CAPABILITY)
    results = full["results"]
    assert results["sweep_models"] == results["models"]  # bdm and smp included
    assert {"bdm", "smp"} <= set(results["sweep_models"])
    for entry in results["scenarios"]:
        assert [s["draws"] for s in entry["sweeps"]] == [DRAWS] * len(results["models"])
        forecasts = {f["model"]: f for f in entry["forecasts"]}
        for q, a in enumerate(entry["assessment"]["issues"]):
            for model in a["weights"]:  # never a model worse than the plain mean
                assert table.mae(model, CAPABILITY) <= base
                assert a["degenerate"].get(model) != "no_zone"
            value = sum(w * forecasts[m]["outcome"][q] for m, w in a["weights"].items())
            assert a["headline"] == pytest.approx(value)
            assert a["weights"]
            assert abs(sum(a["weights"].values()) - 1) < 1e-12
    text = re.sub(r"\s+", " ", "\n".join(full["pages"]))
    for model in ("nash", "bdm", "smp"):
        assert table.mae(model, CAPABILITY) > base
    assert "Shown for comparison, never headlined: nash, bdm, smp" in text


def test_degenerate_nash_is_named_not_forecast(full: dict) -> None:
    html = render_html(full["run"])
    labelled = 0
    for entry, theatre in zip(full["results"]["scenarios"], full["run"].theatres, strict=True):
        nash = next(f for f in entry["forecasts"] if f["model"] == "nash")
        for q, issue in enumerate(theatre.scenario.issues):
            a = entry["assessment"]["issues"][q]
            at_reference = issue.reference is not None and nash["outcome"][q] == pytest.approx(
                issue.reference, abs=1e-9 * (issue.hi - issue.lo)
            )
            assert (a["degenerate"].get("nash") == "no_zone") == at_reference
            if at_reference:
                labelled += 1
                cell = re.search(
                    rf'data-model="nash" data-issue="{issue.name}">([^<]*)<div class="small">'
                    r"([^<]*)</div>",
                    html.split(f'data-theatre="{entry["name"]}"')[1],
                )
                assert cell
                assert "no zone of agreement around the status quo" in cell[2]
    assert labelled >= 5


def test_methods_carry_the_accuracy_table(full: dict) -> None:
    from minilateral.accuracy import CAPABILITY, accuracy_table

    pages = [_norm(p) for p in full["pages"]]
    methods = next(p for p in pages if "Accuracy on real negotiations" in p and "Model" in p)
    table = accuracy_table()
    for model in ["compromise", "nash", "bdm", "smp"]:
        entry = table.entry(model, CAPABILITY)
        assert f"{model} {entry['n']} {entry['mae']:.2f} {entry['median_ae']:.2f}" in methods
    assert "no: worse than the plain mean" in methods
    assert full["results"]["accuracy"]["models"]["compromise"] == table.entry("compromise")


def test_headlines_and_judgements_equal_results_json(full: dict) -> None:
    scenarios = full["results"]["scenarios"]
    titles = [s["title"] for s in scenarios]
    for k, entry in enumerate(scenarios):
        page_text = _theatre_text(full, entry["title"], [*titles[k + 1 :], "Regional alignment"])
        for a in entry["assessment"]["issues"]:
            assert f"most likely settles near {fmt(a['headline'], 0)} on its" in page_text
            assert fmt(a["headline"]) in page_text
        staleness = entry["assessment"]["staleness"]
        assert staleness["stale"] == (staleness["age_days"] > 183)
        warned = "Out of date: the newest event this scenario reflects is of" in page_text
        assert warned == staleness["stale"]


def test_results_json_is_strict_json(full: dict, tmp_path: Path) -> None:
    def refuse(token: str) -> None:
        raise AssertionError(f"{token} in results.json")

    text = write_results(full["run"], tmp_path / "r.json").read_text()
    json.loads(text, parse_constant=refuse)


def test_pdf_pages_render_to_png(full: dict, tmp_path: Path) -> None:
    exe = _needs_pdftoppm()
    subprocess.run(
        [exe, "-png", "-r", "30", "-f", "1", "-l", "3", str(full["pdf"]), str(tmp_path / "p")],
        check=True,
    )
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == 3
    assert all(p.stat().st_size > 2000 for p in images)


def test_single_scenario_without_sweep_or_data(tmp_path: Path) -> None:
    run = run_brief(["gaza"], data_root=tmp_path / "no-data", mediation_draws=10)
    assert [t.name for t in run.theatres] == ["gaza"]
    assert run.alignment is None
    assert {a.capability for a in run.absent} >= {"alignment"}
    html = render_html(run)
    assert "Regional alignment" not in html
    assert 'id="theatre-gaza-uncertainty"' not in html
    assert "the UN voting data are not installed" in html
    assert "No Monte Carlo sweep was run" in html
    pdf = write_brief(run, tmp_path / "gaza.pdf")
    reader = PdfReader(pdf)
    assert 5 <= len(reader.pages) <= 20
    assert "Gaza after the October 2025 ceasefire" in reader.pages[0].extract_text()


def test_missing_sweep_engine_leaves_the_section_out(monkeypatch: pytest.MonkeyPatch) -> None:
    real = caps.has_module
    monkeypatch.setattr(
        caps, "has_module", lambda n: not n.startswith("minilateral.montecarlo") and real(n)
    )
    run = run_brief(["somalia"], draws=100, alignment=False, mediation_draws=10)
    assert run.sweep_models == []
    assert all(not t.sweeps for t in run.theatres)
    assert any(a.capability == "sweep" for a in run.absent)
    html = render_html(run)
    assert "Uncertainty" not in html
    assert "Monte Carlo engine" in html


def test_mediation_ranking_from_the_agreement_search() -> None:
    run = run_brief(["sudan"], models=["compromise"], alignment=False, mediation_draws=20)
    ranking = run.results()["scenarios"][0]["mediation"]
    assert ranking["provenance"]["draws"] == 20
    assert ranking["measure"] == "agreement"
    assert ranking["provenance"]["model"] == "agreement"  # the default coalition measure
    html = render_html(run)
    assert 'id="theatre-sudan-mediation"' in html
    names = {a.code or a.name: a.name for a in run.theatres[0].scenario.actors}
    table = html.split('class="data mediation"')[1].split("</table>")[0]
    rows = re.findall(
        r"<tr[^>]*><td>([^<]+)(?:<span[^>]*>[^<]*</span>)?</td>\s*"
        r"<td class=\"num\">([^<]+)</td>",
        table,
    )
    expected = [
        ("no mediator", ranking["baseline"]),
        *((" + ".join(names[c] for c in e["coalition"]), e) for e in ranking["coalitions"][:8]),
    ]
    assert [r[0].strip() for r in rows] == [name for name, _ in expected]
    assert [r[1] for r in rows] == [
        f"{100 * e['agreement_probability']:.0f} %" for _, e in expected
    ]
    assert "The package of" in html
    assert "Zone of agreement" in html


def test_mediation_without_any_agreement_is_said_not_tabulated() -> None:
    run = run_brief(["somalia"], models=["compromise"], alignment=False, mediation_draws=20)
    ranking = run.results()["scenarios"][0]["mediation"]
    assert max(c["agreement_probability"] for c in ranking["coalitions"]) == 0
    html = render_html(run)
    section = html.split('id="theatre-somalia-mediation"')[1]
    assert "No coalition of the candidate mediators produces a package" in section
    assert 'class="data mediation"' not in section  # never a page of zeros


def test_mediation_absent_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    real = caps.has_module
    monkeypatch.setattr(caps, "has_module", lambda n: n != "minilateral.mediation" and real(n))
    run = run_brief(["gaza"], models=["compromise"], alignment=False)
    assert run.theatres[0].mediation is None
    assert any(a.capability == "mediation" for a in run.absent)
    html = render_html(run)
    assert "Mediation</h3>" not in html
    assert "mediation package" in html


def test_arabic_catalogue_rtl_and_fonts(tmp_path: Path) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="ar")
    catalog.add("Bottom line", "الملخص التنفيذي")
    catalog.add("Contents", "المحتويات")
    folder = tmp_path / "ar" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "brief.mo", "wb") as fh:
        write_mo(fh, catalog)
    run = run_brief(
        ["somalia"],
        models=["compromise", "nash"],
        alignment=False,
        mediation_draws=10,
        title="موجز الحوار الاستراتيجي",
        org="مركز الدراسات",
    )
    html = render_html(run, lang="ar", localedir=tmp_path)
    assert '<html lang="ar" dir="rtl">' in html
    assert "الملخص التنفيذي" in html
    pdf = write_brief(run, tmp_path / "ar.pdf", lang="ar", localedir=tmp_path)
    reader = PdfReader(pdf)
    fonts = set()
    for page in reader.pages[:3]:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Arabic" in f for f in fonts), fonts  # Noto Naskh/Sans Arabic embedded
    first = reader.pages[0].extract_text()
    assert re.search(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]", first)


def test_message_template_is_up_to_date(tmp_path: Path) -> None:
    from babel.messages.pofile import read_po

    from minilateral.i18n import extract

    found = {m.id if isinstance(m.id, str) else m.id[0] for m in extract("brief") if m.id}
    with open(LOCALE_DIR / "brief.pot", "rb") as fh:
        committed = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    assert found == committed, "run python -m minilateral.i18n to refresh the catalogues"


def test_cli_brief_writes_html_and_results(tmp_path: Path) -> None:
    out = tmp_path / "b.html"
    res = CliRunner().invoke(
        app,
        [
            "brief",
            "sudan",
            "--models",
            "compromise,nash",
            "--draws",
            "50",
            "--seed",
            "2",
            "--no-alignment",
            "--mediation-draws",
            "10",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    results = json.loads((tmp_path / "b.results.json").read_text())
    assert results["models"] == ["compromise", "nash"]
    assert results["draws"] == 50
    assert results["sweep_models"] == ["compromise", "nash"]
    assert results["command"].startswith("minilateral brief") or results["command"]
    html = out.read_text()
    for fc in results["scenarios"][0]["forecasts"]:
        for value in fc["outcome"]:
            assert f">{fmt(value)}<" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gaza", "--out", "x.docx"], "must end in .html or .pdf"),
        (["gaza", "--models", "nope", "--out", "x.html"], "unknown model(s) nope"),
        (["no-such-theatre", "--out", "x.html"], "no-such-theatre"),
    ],
)
def test_cli_brief_bad_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    res = CliRunner().invoke(app, ["brief", *args])
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output


def test_thresholds_and_model_references() -> None:
    assert [agreement(x) for x in (0.0, 0.1, 0.1001, 0.25, 0.3)] == [
        "agree",
        "agree",
        "partly agree",
        "partly agree",
        "disagree",
    ]
    assert [confidence(x) for x in (0.05, 0.2, 0.5)] == ["high", "medium", "low"]
    assert fmt(None) == "—"
    assert fmt(12.345) == "12.3"
    refs = model_references("bdm")
    assert any(r.startswith("Bueno de Mesquita, B. (1994)") for r in refs)
    assert len(refs) == len(set(refs))


def test_flat_risk_is_read_from_the_smp_flag_not_the_note_text() -> None:
    from minilateral import load_scenario
    from minilateral.brief.assessment import degenerate

    scenario = load_scenario("gaza")
    mid = [(issue.lo + issue.hi) / 2 for issue in scenario.issues]
    note = "turn 3: every position is equally likely to win (π_max = π_min)"
    flagged = {"smp": {"outcome": mid, "converged": False, "rounds": 3, "flat_risk": True}}
    noted = {"smp": {"outcome": mid, "converged": True, "rounds": 3, "notes": [note]}}
    assert [d["smp"] for d in degenerate(scenario, flagged)] == ["flat_risk"] * len(mid)
    assert [d["smp"] for d in degenerate(scenario, noted)] == [None] * len(mid)
