"""Languages of the reader-facing text: catalogues, choice of language, casing, numbers, dates.

minilateral writes its brief, demo page and web app in English (the source language), Turkish
(``tr``) and Arabic (``ar``). Text goes through gettext message catalogues kept as ``.po`` files
in the package (one *domain* per surface: ``brief`` for the brief and demo page, ``web`` for the
web app); they are compiled in memory when first used, so a catalogue can never be stale.
Untranslated and fuzzy entries fall back to English; ``tests/test_i18n.py`` fails on any.

Rules the surfaces follow
-------------------------
* **Direction**: Arabic is written right to left; documents in it carry ``dir="rtl"``
  (:func:`direction`) and mirror their layout with logical CSS properties.
* **Casing**: upper-casing follows the language of the *text*, never that of the page. Turkish
  maps i → İ and ı → I; English text inside a Turkish page keeps English casing. Templates mark
  text that fell back to English with ``lang="en"`` (:meth:`Catalogue.lang_of`), so CSS
  ``text-transform`` applies the right rules; :func:`upper` does the same in Python.
* **Numbers and dates** are formatted with Babel for the locale (Turkish ``0,42`` and ``%42``,
  Arabic ``٪``) with Western digits by default; ``digits="arab"`` writes Arabic-Indic digits
  (٠١٢٣٤٥٦٧٨٩), the convention of some Gulf and Levantine publishers.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from minilateral.errors import OptionError

__all__ = [
    "DIGITS",
    "LANGUAGES",
    "N_",
    "RTL_LANGUAGES",
    "Catalogue",
    "catalogue",
    "check_digits",
    "check_language",
    "direction",
    "format_date",
    "format_datetime",
    "format_number",
    "format_percent",
    "negotiate",
    "upper",
]

#: Languages with a complete catalogue, by code, with their own names (for language switchers).
LANGUAGES: dict[str, str] = {"en": "English", "tr": "Türkçe", "ar": "العربية"}
#: Languages written right to left (for documents whose language is one of them).
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
#: Digit systems: ``latn`` (0123456789, the default in every language) or ``arab`` (٠١٢٣٤٥٦٧٨٩).
DIGITS = ("latn", "arab")
Digits = Literal["latn", "arab"]

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")

log = logging.getLogger(__name__)


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Mark ``message`` for extraction without translating it (it is translated where shown)."""
    return message


def base_language(lang: str) -> str:
    """``"tr"`` for ``"tr"``, ``"tr-TR"`` or ``"tr_TR.UTF-8"``."""
    return lang.split(".")[0].replace("_", "-").split("-")[0].lower()


def check_language(lang: str, *, field: str = "lang") -> str:
    """The base language of ``lang`` if minilateral has it, else an :class:`OptionError`."""
    base = base_language(lang or "")
    if base not in LANGUAGES:
        raise OptionError(
            f"unknown language '{lang}': choose one of {', '.join(LANGUAGES)}", field=field
        )
    return base


def check_digits(digits: str, *, field: str = "digits") -> Digits:
    """``digits`` if it names a digit system (``latn`` or ``arab``), else an OptionError."""
    if digits not in DIGITS:
        raise OptionError(
            f"unknown digits '{digits}': choose latn (0-9) or arab (٠-٩)", field=field
        )
    return digits  # type: ignore[return-value]


def direction(lang: str) -> Literal["ltr", "rtl"]:
    """``"rtl"`` for languages written right to left, else ``"ltr"``."""
    return "rtl" if base_language(lang) in RTL_LANGUAGES else "ltr"


def negotiate(accept_language: str | None, available: Iterable[str] = LANGUAGES) -> str | None:
    """The preferred available language of an HTTP ``Accept-Language`` header (RFC 9110 §12.5.4).

    Ranges are taken by their quality value (``q``, default 1; ``q=0`` refuses), ties in
    header order; a range matches by its base language (``tr-TR`` matches ``tr``). ``*`` matches
    the first available language. Returns ``None`` when nothing matches.
    """
    if not accept_language:
        return None
    options = list(available)
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0 or not tag or (tag != "*" and not _TAG.match(tag)):
            continue
        ranked.append((-quality, order, tag))
    for _, _, tag in sorted(ranked):
        if tag == "*":
            return options[0] if options else None
        base = base_language(tag)
        if base in options:
            return base
    return None


@dataclass(frozen=True)
class Catalogue:
    """The translations of one domain into one language (English: the identity)."""

    lang: str
    domain: str
    translations: gettext.NullTranslations
    #: msgids that have a translation (empty for English).
    translated: frozenset[str]

    def gettext(self, message: str) -> str:
        """``message`` in the catalogue's language (English when it has no translation)."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for ``n`` (Arabic has six plural forms)."""
        return self.translations.ngettext(singular, plural, n)

    def lang_of(self, message: str) -> str:
        """The language ``message`` is shown in: the catalogue's, or ``en`` when untranslated."""
        if self.lang == "en" or message in self.translated:
            return self.lang
        return "en"


def catalogue(domain: str, lang: str, localedir: str | Path) -> Catalogue:
    """The ``domain`` catalogue of ``lang`` from ``localedir/<lang>/LC_MESSAGES/<domain>.po``
    (or a compiled ``<domain>.mo`` there when no ``.po`` is).

    English, the source language, needs no catalogue; another language without one falls back
    to English with a warning.
    """
    base = base_language(lang)
    path = Path(localedir) / base / "LC_MESSAGES" / f"{domain}.po"
    if base == "en":
        return Catalogue("en", domain, gettext.NullTranslations(), frozenset())
    compiled = path.with_suffix(".mo")
    if not path.is_file() and compiled.is_file():  # a catalogue compiled elsewhere
        with open(compiled, "rb") as fh:
            trans = gettext.GNUTranslations(fh)
        ids = frozenset(k if isinstance(k, str) else k[0] for k in trans._catalog if k)  # type: ignore[attr-defined]
        return Catalogue(base, domain, trans, ids)
    if not path.is_file():
        log.warning(
            "no '%s' translation of the %s is installed; writing it in English", lang, domain
        )
        return Catalogue("en", domain, gettext.NullTranslations(), frozenset())
    return _load(str(path), path.stat().st_mtime_ns, base, domain)


@lru_cache(maxsize=32)
def _load(path: str, mtime: int, lang: str, domain: str) -> Catalogue:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        po = read_po(fh, locale=lang, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, po, use_fuzzy=False)
    buffer.seek(0)
    translated = frozenset(
        m.id if isinstance(m.id, str) else m.id[0]
        for m in po
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    )
    return Catalogue(lang, domain, gettext.GNUTranslations(buffer), translated)


def upper(text: str, lang: str) -> str:
    """``text`` in capitals by the rules of ``lang`` (Turkish and Azeri: i → İ, ı → I)."""
    if base_language(lang) in ("tr", "az"):
        text = text.replace("i", "İ").replace("ı", "I")
    return text.upper()


def _babel_locale(lang: str) -> str:
    return base_language(lang) if base_language(lang) in LANGUAGES else "en"


def _system(lang: str, digits: Digits) -> tuple[str, Digits]:
    """Babel's numbering system, and the digits still to convert after it (Arabic-Indic digits
    in Arabic use Arabic separators too: ٤٢٫٥ and ٪)."""
    if digits == "arab" and _babel_locale(lang) == "ar":
        return "arab", "arab"
    return "latn", digits


def _digits(text: str, digits: Digits) -> str:
    return text.translate(_ARABIC_INDIC) if digits == "arab" else text


def format_number(
    value: float | None, lang: str, *, decimals: int | None = None, digits: Digits = "latn"
) -> str:
    """``value`` with the locale's separators (``1,234.5`` / ``1.234,5``); ``None`` → "—".

    ``decimals`` fixes the number of decimals; by default up to three are shown.
    """
    if value is None:
        return "—"
    from babel.numbers import format_decimal

    pattern = (
        "#,##0.###" if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    )
    system, digits = _system(lang, digits)
    text = format_decimal(
        value, format=pattern, locale=_babel_locale(lang), numbering_system=system
    )
    return _digits(text, digits)


def format_percent(
    value: float | None, lang: str, *, decimals: int = 0, digits: Digits = "latn"
) -> str:
    """``value`` (a share, 0.42) as a percentage in the locale's style: 42 %, %42, ٤٢٪."""
    if value is None:
        return "—"
    from babel.numbers import format_percent as babel_percent

    pattern = None
    if decimals:
        from babel import Locale

        base = Locale.parse(_babel_locale(lang)).percent_formats[None].pattern
        pattern = base.replace("0", "0." + "0" * decimals, 1)
    system, digits = _system(lang, digits)
    text = babel_percent(value, format=pattern, locale=_babel_locale(lang), numbering_system=system)
    return _digits(text, digits)


def format_date(value: dt.date | None, lang: str, *, digits: Digits = "latn") -> str:
    """``value`` as a long date in the locale (3 December 2026, 3 Aralık 2026, ٣ ديسمبر ٢٠٢٦)."""
    if value is None:
        return "—"
    from babel.dates import format_date as babel_date

    return _digits(babel_date(value, format="long", locale=_babel_locale(lang)), digits)


def format_datetime(value: dt.datetime | None, lang: str, *, digits: Digits = "latn") -> str:
    """``value`` as a short date and time in the locale (UTC, as stored)."""
    if value is None:
        return "—"
    from babel.dates import format_datetime as babel_datetime

    text = babel_datetime(value, format="short", locale=_babel_locale(lang), tzinfo=dt.UTC)
    return _digits(text, digits)


# -- catalogue maintenance (extraction from the sources; used by tests/test_i18n.py) ----------

_PACKAGE = Path(__file__).parent

#: Per domain: where its catalogues live and which sources (glob, Babel method) it covers.
DOMAINS: dict[str, tuple[Path, tuple[tuple[str, str], ...]]] = {
    "brief": (
        _PACKAGE / "brief" / "locale",
        (
            ("brief/**.py", "python"),
            ("brief/templates/**.j2", "jinja2"),
            ("demo.py", "python"),
            ("templates/demo.html.j2", "jinja2"),
            ("model_labels.py", "python"),
            ("presentation/**.py", "python"),
        ),
    ),
    "web": (
        _PACKAGE / "web" / "locale",
        (
            ("web/**.py", "python"),
            ("web/templates/**.html", "jinja2"),
            ("model_labels.py", "python"),
        ),
    ),
}
#: Languages that must have a complete catalogue of every domain.
TRANSLATED = ("tr", "ar")
_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extract(domain: str):
    """Every message of ``domain``'s sources, as a Babel catalogue (the ``.pot`` content)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    _, patterns = DOMAINS[domain]
    catalog = Catalog(project="minilateral", domain=domain, charset="utf-8")
    options = {"extensions": "jinja2.ext.i18n", "trimmed": "false"}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(_PACKAGE),
        method_map=[(pattern, method) for pattern, method in patterns],
        options_map={pattern: options for pattern, method in patterns if method == "jinja2"},
        keywords=_KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def update_catalogues(domains: Iterable[str] = DOMAINS) -> None:
    """Write each domain's ``.pot`` and merge it into its ``tr`` and ``ar`` ``.po`` files."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    for domain in domains:
        where, _ = DOMAINS[domain]
        template = extract(domain)
        where.mkdir(parents=True, exist_ok=True)
        with open(where / f"{domain}.pot", "wb") as fh:
            write_po(fh, template, width=100, omit_header=False, sort_output=False)
        for lang in TRANSLATED:
            path = where / lang / "LC_MESSAGES" / f"{domain}.po"
            if path.exists():
                with open(path, "rb") as fh:
                    po = read_po(fh, locale=lang, domain=domain)
            else:
                po = Catalog(locale=lang, domain=domain, project="minilateral", charset="utf-8")
            po.update(template, no_fuzzy_matching=True, update_header_comment=False)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as fh:
                write_po(fh, po, width=100, ignore_obsolete=True, include_previous=False)


if __name__ == "__main__":  # python -m minilateral.i18n: refresh the catalogues after edits
    update_catalogues()
