"""Render a brief: HTML (Jinja2, interactive Plotly charts) or PDF (WeasyPrint, SVG charts).

Text goes through gettext message catalogues: ``brief/locale/<lang>/LC_MESSAGES/brief.mo``
(template: ``brief/locale/brief.pot``). A language that is written right to left (Arabic,
Persian, Hebrew, Urdu) sets ``dir="rtl"`` on the document; the print stylesheet lists Noto
Naskh/Sans Arabic for Arabic script. The PDF loads the package's own fonts
(:mod:`minilateral.fonts`) with ``@font-face``, so it needs no system font package.
"""

from __future__ import annotations

import base64
import gettext
import logging
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from minilateral.brief.run import BriefRun
from minilateral.brief.sections import build_sections, fmt
from minilateral.errors import MissingDependencyError, OptionError
from minilateral.fonts import font_face_css
from minilateral.forecast import dumps_json

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


def translations(lang: str, localedir: str | Path | None = None) -> gettext.NullTranslations:
    """The message catalogue of ``lang`` (English, the source language, when there is none)."""
    where = str(localedir or LOCALE_DIR)
    if lang.split("_")[0] != "en" and gettext.find(DOMAIN, where, [lang]) is None:
        logging.getLogger(__name__).warning(
            "no '%s' translation of the brief is installed; writing it in English", lang
        )
    return gettext.translation(DOMAIN, localedir=where, languages=[lang], fallback=True)


def _environment(trans: gettext.NullTranslations) -> Environment:
    env = Environment(
        loader=PackageLoader("minilateral.brief", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(trans, newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = fmt
    env.filters["pct"] = lambda v: "—" if v is None else f"{100 * v:.0f} %"
    env.filters["svg_uri"] = lambda svg: Markup(
        "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    )
    env.filters["tojson_compact"] = lambda v: Markup(dumps_json(v, separators=(",", ":")))
    return env


def _render(run: BriefRun, target: Target, lang: str, localedir: str | Path | None) -> str:
    trans = translations(lang, localedir)
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
        _environment(trans)
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


def render_html(run: BriefRun, *, lang: str = "en", localedir: str | Path | None = None) -> str:
    """The brief as one self-contained HTML page (Plotly's JavaScript embedded, no network)."""
    return _render(run, "html", lang, localedir)


def render_pdf(run: BriefRun, *, lang: str = "en", localedir: str | Path | None = None) -> bytes:
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
    html = _render(run, "pdf", lang, localedir)
    return HTML(string=html, base_url=str(Path.cwd())).write_pdf()


def write_brief(
    run: BriefRun, out: str | Path, *, lang: str = "en", localedir: str | Path | None = None
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
        out.write_bytes(render_pdf(run, lang=lang, localedir=localedir))
    else:
        out.write_text(render_html(run, lang=lang, localedir=localedir), encoding="utf-8")
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
