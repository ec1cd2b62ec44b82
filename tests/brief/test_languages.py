"""The brief in Turkish and Arabic: every theatre as PDF with no English template words,
right-to-left layout with the shipped Arabic font, Turkish casing, translated scenario text,
and Arabic shaping in the charts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from minilateral import load_scenario
from minilateral.brief import render_html, run_brief, write_brief
from minilateral.errors import ScenarioError
from minilateral.library import list_scenarios

THEATRES = [e.name for e in list_scenarios()]
MODELS = ["compromise", "nash", "bdm"]

#: Words of the brief's English templates that must not appear in a Turkish or Arabic brief
#: (whole words, case-sensitive; proper names, model names and codes are allowed).
ENGLISH_TEMPLATE_WORDS = [
    "Dialogue brief",
    "Bottom line",
    "Contents",
    "Key judgements",
    "Question",
    "Actors",
    "Forecasts",
    "Mediation",
    "Uncertainty",
    "Methods and limits",
    "Reproducibility",
    "Prepared by",
    "Software",
    "Figure",
    "Theatre",
    "Issue",
    "Scale",
    "Headline",
    "Confidence",
    "confidence",
    "Range of models",
    "All issues at a glance",
    "Low end",
    "High end",
    "Capability",
    "Role",
    "party",
    "stakeholder",
    "mediator",
    "likely",
    "unlikely",
    "Accuracy on real negotiations",
    "Limits",
    "Words of estimative probability",
    "Package",
    "Seed",
    "Input",
    "Data tables",
    "Model references",
    "Cite as",
    "Licence",
    "positions",
    "salience",
    "settlement",
    "round",
    "weighted mean",
    "scenario",
    "the low end",
    "the high end",
    "most likely settles",
    "out of date",
    "no mediator",
    "draws",
    "interval",
    "agree",
    "disagree",
    "medium",
    "high",
    "low",
]
ARABIC = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


@pytest.fixture(scope="module", params=["tr", "ar"])
def brief(request, tmp_path_factory) -> dict:
    """The brief of all six embedded theatres in one language, as PDF."""
    lang = request.param
    out = tmp_path_factory.mktemp(f"brief-{lang}")
    run = run_brief(THEATRES, models=MODELS, alignment=False, mediation_draws=10, lang=lang)
    pdf = write_brief(run, out / f"brief-{lang}.pdf", lang=lang)
    reader = PdfReader(pdf)
    return {
        "lang": lang,
        "run": run,
        "pdf": pdf,
        "reader": reader,
        "pages": [p.extract_text() or "" for p in reader.pages],
    }


@pytest.mark.slow  # builds the brief of all six theatres as PDF, twice
def test_every_theatre_is_in_the_brief(brief: dict) -> None:
    text = " ".join(brief["pages"])
    for theatre in brief["run"].theatres:
        assert theatre.scenario.title in " ".join(text.split()) or brief["lang"] == "ar"
    assert len(brief["run"].theatres) == len(THEATRES) == 6


#: The citations section, whose entries are titles of the cited works (proper names).
CITATIONS = {"tr": "Veri kaynakları ve atıflar", "ar": "مصادر البيانات والاستشهادات"}
CONTENTS = {"tr": "İçindekiler", "ar": "المحتويات"}


@pytest.mark.slow  # builds the brief of all six theatres as PDF, twice
def test_no_english_template_words(brief: dict) -> None:
    lang = brief["lang"]
    # Every page but those of the citations section (its running head names it; the table of
    # contents names it too and is checked).
    pages = [p for p in brief["pages"] if CITATIONS[lang] not in p or CONTENTS[lang] in p]
    assert len(pages) < len(brief["pages"])
    text = " ".join(pages)
    found = sorted({w for w in ENGLISH_TEMPLATE_WORDS if re.search(rf"\b{re.escape(w)}\b", text)})
    assert not found, f"English template words in the {brief['lang']} brief: {found}"


@pytest.mark.slow  # builds the brief of all six theatres as PDF, twice
def test_turkish_casing_and_words(brief: dict) -> None:
    if brief["lang"] != "tr":
        pytest.skip("Turkish only")
    cover = brief["pages"][0]
    assert "DİYALOG BRİFİNGİ" in cover  # upper-cased by Turkish rules, as Turkish text
    assert "DİALOGUE" not in cover
    body = " ".join(brief["pages"])
    for word in ("İçindekiler", "Ana sonuç", "Arabuluculuk", "Ekim 2025 ateşkesi sonrası Gazze"):
        assert word in " ".join(body.split()), word


def _positions(page) -> list[tuple[float, str]]:
    found: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((float(cm[4] + tm[4] * cm[0]), text))

    page.extract_text(visitor_text=visit)
    return found


@pytest.mark.slow  # builds the brief of all six theatres as PDF, twice
def test_arabic_is_right_to_left_with_the_shipped_font(brief: dict) -> None:
    if brief["lang"] != "ar":
        pytest.skip("Arabic only")
    reader = brief["reader"]
    fonts = {
        str(f.get_object()["/BaseFont"]).replace("-", "")
        for page in reader.pages[:4]
        for f in page["/Resources"].get("/Font", {}).values()
    }
    assert any("NotoNaskhArabic" in f or "NotoSansArabic" in f for f in fonts), fonts
    assert ARABIC.search(brief["pages"][0])
    # The contents page: headings and entries start at the right margin.
    width = float(reader.pages[1].mediabox.width)
    runs = [(x, t) for x, t in _positions(reader.pages[1]) if ARABIC.search(t)]
    assert runs
    title_x = [x for x, t in runs if "المحتويات" in t]
    assert title_x
    assert title_x[0] > width / 2, title_x
    # Running heads swap sides: the brief's title at the right, the section at the left.
    html = render_html(brief["run"], lang="ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert "@top-right { content: string(brieftitle)" in html


def test_html_brief_marks_english_fallbacks(tmp_path: Path) -> None:
    run = run_brief(["somalia"], models=["compromise"], alignment=False, mediation_draws=10)
    html = render_html(run, lang="tr")
    assert '<p class="kicker" lang="tr">Diyalog brifingi</p>' in html
    empty = tmp_path / "tr" / "LC_MESSAGES"
    empty.mkdir(parents=True)
    (empty / "brief.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    fallback = render_html(run, lang="tr", localedir=tmp_path)
    assert '<p class="kicker" lang="en">Dialogue brief</p>' in fallback


def test_numbers_follow_the_locale(tmp_path: Path) -> None:
    run = run_brief(["somalia"], models=["compromise"], alignment=False, mediation_draws=10)
    tr = render_html(run, lang="tr")
    en = render_html(run, lang="en")
    headline = re.search(r'<td class="num"><b>(\d+)\.(\d)</b>', en)
    assert headline
    assert f"<b>{headline.group(1)},{headline.group(2)}</b>" in tr
    arab = render_html(run, lang="ar", digits="arab")
    digits = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    assert (
        f"<b>{headline.group(1).translate(digits)}٫{headline.group(2).translate(digits)}</b>"
        in arab
    )


def test_localized_scenario_keeps_every_number() -> None:
    for name in THEATRES:
        scenario = load_scenario(name)
        for lang in ("tr", "ar"):
            local = scenario.localized(lang)
            assert local.translations == {}
            assert local.actor_names != scenario.actor_names or lang == "tr"
            a, b = scenario.to_arrays(), local.to_arrays()
            np.testing.assert_array_equal(a.positions, b.positions)
            np.testing.assert_array_equal(a.salience, b.salience)
            assert all(q.label for q in local.issues)
    assert load_scenario("gaza").localized("de").title == load_scenario("gaza").title
    gaza = load_scenario("gaza").localized("tr")
    assert gaza.proposals[0].label == "BMGK 2803 / 20 maddelik plan"
    sudan = load_scenario("sudan")
    ar = sudan.localized("ar")
    renamed = dict(zip(sudan.actor_names, ar.actor_names, strict=True))
    for party, terms in sudan.mediation.parties.items() if sudan.mediation else []:
        assert renamed.get(party, party) in ar.mediation.parties
        assert [renamed.get(m, m) for m in terms.accepts] == ar.mediation.parties[
            renamed.get(party, party)
        ].accepts


def test_localized_forecasts_are_identical() -> None:
    from minilateral import forecast

    scenario = load_scenario("syria")
    for model in ("compromise", "nash", "bdm"):
        en = forecast(scenario, model, seed=0).outcome
        ar = forecast(scenario.localized("ar"), model, seed=0).outcome
        np.testing.assert_allclose(ar, en)


def test_translations_block_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "title: T\nissues:\n  - {name: x}\nactors:\n"
        "  - {name: A, capability: 1, positions: {x: 1}, salience: {x: 1}}\n"
        "  - {name: B, capability: 1, positions: {x: 9}, salience: {x: 1}}\n"
        "translations:\n  tr:\n    actors: {A: Bir, B: Bir}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"line 9.*translations\.tr\.actors\.A.*not unique"):
        load_scenario(bad)
    bad.write_text(bad.read_text().replace("  tr:\n    actors: {A: Bir, B: Bir}", "  TR: {}"))
    with pytest.raises(ScenarioError, match="not a language code"):
        load_scenario(bad)


def _ink(text: str) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from minilateral.fonts import register_matplotlib

    register_matplotlib()
    fig = Figure(figsize=(4, 1), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.05, 0.3, text, family="Noto Naskh Arabic", fontsize=30)
    fig.canvas.draw()
    ink = np.asarray(fig.canvas.buffer_rgba())[..., 0] < 128
    cols = np.nonzero(ink.any(axis=0))[0]
    return ink[:, cols.min() : cols.max() + 1]


def test_matplotlib_shapes_and_orders_arabic() -> None:
    """Charts pass Arabic as plain text: matplotlib must join letters and lay them right to left."""
    single, joined = _ink("ب").shape[1], _ink("ببب").shape[1]
    assert joined < 0.8 * 3 * single  # connected (initial/medial/final) forms, not isolated ones
    word = _ink("ابببب")  # alef (tall) first in reading order: at the right end when RTL
    top = np.nonzero(word.any(axis=1))[0].min()
    band = word[top : top + 5]
    w = band.shape[1]
    assert band[:, 3 * w // 4 :].any()
    assert not band[:, : w // 4].any()


def test_cli_brief_rejects_unknown_language(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from minilateral.cli import app

    result = CliRunner().invoke(
        app, ["brief", "somalia", "--out", str(tmp_path / "b.html"), "--lang", "de"]
    )
    assert result.exit_code == 2
    assert "choose one of en, tr, ar" in result.output


@pytest.mark.slow  # builds the brief of all six theatres as PDF, twice
def test_page_images(brief: dict, tmp_path: Path) -> None:
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    subprocess.run(
        [exe, "-r", "30", "-png", "-f", "1", "-l", "3", str(brief["pdf"]), str(tmp_path / "p")],
        check=True,
    )
    assert len(list(tmp_path.glob("p-*.png"))) == 3
