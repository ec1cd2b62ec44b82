"""Render a brief: HTML (Jinja2, interactive Plotly charts) or PDF (WeasyPrint, SVG charts).

Text goes through gettext message catalogues: ``brief/locale/<lang>/LC_MESSAGES/brief.po``
(template: ``brief/locale/brief.pot``; Turkish and Arabic are complete, see ``docs/i18n.md``).
A language written right to left (Arabic, Persian, Hebrew, Urdu) sets ``dir="rtl"`` on the
document; the stylesheet mirrors the layout (logical properties; running heads and page numbers
swap sides) and uses the shipped Noto Naskh/Sans Arabic faces. Numbers follow the locale (Babel;
``digits="arab"`` for Arabic-Indic digits). Text that fell back to English carries
``lang="en"``, so upper-casing never applies Turkish rules to English words.
The PDF loads the package's own fonts (:mod:`minilateral.fonts`) with ``@font-face``, so it
needs no system font package.
"""

from __future__ import annotations

import base64
import gettext
import logging
import re
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from minilateral import i18n
from minilateral.brief.run import BriefRun
from minilateral.brief.sections import build_sections, fmt, number_locale, number_settings
from minilateral.errors import MissingDependencyError, OptionError
from minilateral.fonts import font_face_css
from minilateral.forecast import dumps_json
from minilateral.i18n import N_
from minilateral.model_labels import MODEL_SUMMARIES

__all__ = [
    "LOCALE_DIR",
    "RTL_LANGUAGES",
    "render_html",
    "render_pdf",
    "results_path",
    "translations",
    "write_brief",
    "write_results",
]

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "brief"
#: Languages written right to left.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})

Target = Literal["html", "pdf"]
#: Actor roles as the brief names them (translated where shown).
ROLE_LABELS = {"party": N_("party"), "stakeholder": N_("stakeholder"), "mediator": N_("mediator")}


def translations(lang: str, localedir: str | Path | None = None) -> gettext.NullTranslations:
    """The message catalogue of ``lang`` (English, the source language, when there is none)."""
    return i18n.catalogue(DOMAIN, lang, localedir or LOCALE_DIR).translations


#: Notes the coalition search writes (``mediation.coalitions``), as patterns and the messages
#: that say them in the brief's language; other notes are shown as written.
_MEDIATION_NOTES = (
    (
        re.compile(
            r"no coalition brings the parties within (?P<tol>\S+) of the scale on every issue in "
            r"any draw; the ranking falls back on the per-issue settlement probabilities"
        ),
        N_(
            "no coalition brings the parties within {tol} of the scale on every issue in any "
            "draw; the ranking falls back on the per-issue settlement probabilities"
        ),
    ),
    (
        re.compile(
            r"model '(?P<model>[^']+)' is static: the parties do not move, so settlement does "
            r"not depend on the coalition; compare expected outcomes \(or give a target\) instead"
        ),
        N_(
            "model '{model}' is static: the parties do not move, so settlement does not depend "
            "on the coalition; compare expected outcomes (or give a target) instead"
        ),
    ),
)


def _mediation_note(note: str, gettext: Any) -> str:
    for pattern, message in _MEDIATION_NOTES:
        found = pattern.fullmatch(note)
        if found:
            return str(gettext(message)).format(**found.groupdict())
    return note


def _pct(value: float | None) -> str:
    """A share as a percentage: ``42 %`` in English, the locale's style otherwise (``%42``)."""
    if value is None:
        return "—"
    lang, digits = number_settings()
    if lang == "en" and digits == "latn":
        return f"{100 * value:.0f} %"
    return i18n.format_percent(value, lang, digits=digits)  # type: ignore[arg-type]


def _longdate(value: Any) -> str:
    """A date: ISO 8601 in English briefs (as before), the locale's long form otherwise."""
    lang, digits = number_settings()
    if lang == "en":
        return str(value.isoformat())
    return i18n.format_date(value, lang, digits=digits)  # type: ignore[arg-type]


def _environment(trans: gettext.NullTranslations, cat: i18n.Catalogue | None = None) -> Environment:
    env = Environment(
        loader=PackageLoader("minilateral.brief", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(trans, newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = fmt
    env.globals["lang_of"] = cat.lang_of if cat is not None else (lambda message: "en")
    env.globals["number_settings"] = number_settings
    env.globals["role_labels"] = ROLE_LABELS
    env.globals["model_summaries"] = MODEL_SUMMARIES
    env.filters["mediation_note"] = lambda note: _mediation_note(note, trans.gettext)
    env.filters["longdate"] = lambda d: _longdate(d)
    env.filters["pct"] = _pct
    env.filters["svg_uri"] = lambda svg: Markup(
        "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    )
    env.filters["tojson_compact"] = lambda v: Markup(dumps_json(v, separators=(",", ":")))
    return env


def _render(
    run: BriefRun, target: Target, lang: str, localedir: str | Path | None, digits: str = "latn"
) -> str:
    cat = i18n.catalogue(DOMAIN, lang, localedir or LOCALE_DIR)
    trans = cat.translations
    with number_locale(cat.lang, i18n.check_digits(digits)):
        return _render_in(run, target, cat, trans)


def _render_in(
    run: BriefRun, target: Target, cat: i18n.Catalogue, trans: gettext.NullTranslations
) -> str:
    lang = cat.lang
    sections = build_sections(run, trans.gettext)
    plotly_js = ""
    if target == "html":
        from minilateral.presentation import plotly_js as get_plotlyjs

        plotly_js = get_plotlyjs()
    title = run.title or trans.gettext("Regional security outlook: {n} theatres").format(
        n=len(run.theatres)
    )
    base = lang.split("_")[0].split("-")[0]
    return (
        _environment(trans, cat)
        .get_template("brief.html.j2")
        .render(
            run=run,
            title=title,
            sections=sections,
            target=target,
            lang=lang,
            direction="rtl" if base in RTL_LANGUAGES else "ltr",
            plotly_js=Markup(plotly_js),
            font_css=Markup(font_face_css() if target == "pdf" else ""),
        )
    )


def render_html(
    run: BriefRun,
    *,
    lang: str = "en",
    localedir: str | Path | None = None,
    digits: str = "latn",
) -> str:
    """The brief as one self-contained HTML page (Plotly's JavaScript embedded, no network).

    ``digits`` is ``latn`` (0-9) or ``arab`` (Arabic-Indic ٠-٩, Arabic briefs).
    """
    return _render(run, "html", lang, localedir, digits)


def render_pdf(
    run: BriefRun,
    *,
    lang: str = "en",
    localedir: str | Path | None = None,
    digits: str = "latn",
) -> bytes:
    """The brief as an A4 PDF (static SVG charts), rendered by WeasyPrint.

    Raises
    ------
    MissingDependencyError
        WeasyPrint or its system libraries (Pango) cannot be loaded.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as err:
        raise MissingDependencyError(
            f"PDF output needs WeasyPrint and the Pango library ({err}); on Debian/Ubuntu: "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        ) from err

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    html = _render(run, "pdf", lang, localedir, digits)
    return HTML(string=html, base_url=str(Path.cwd())).write_pdf()


def write_brief(
    run: BriefRun,
    out: str | Path,
    *,
    lang: str = "en",
    localedir: str | Path | None = None,
    digits: str = "latn",
) -> Path:
    """Write the brief to ``out``: ``.html`` or ``.pdf`` (by extension)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise OptionError(
            f"cannot write a brief to '{out.name}': use a .html or .pdf file", field="out"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        out.write_bytes(render_pdf(run, lang=lang, localedir=localedir, digits=digits))
    else:
        html = render_html(run, lang=lang, localedir=localedir, digits=digits)
        out.write_text(html, encoding="utf-8")
    return out


def results_path(out: str | Path) -> Path:
    """Where the brief's ``results.json`` goes: beside ``out``, as ``<stem>.results.json``."""
    out = Path(out)
    return out.with_name(f"{out.stem}.results.json")


def write_results(run: BriefRun, path: str | Path) -> Path:
    """Write :meth:`BriefRun.results` as JSON."""
    path = Path(path)
    path.write_text(dumps_json(run.results(), indent=1, default=_default), encoding="utf-8")
    return path


def _default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
