"""The Turkish and Arabic catalogues are complete, current and consistent with the sources.

Fails on any untranslated or fuzzy entry, on any message of the sources (Babel extraction over
templates and Python) missing from a catalogue, on obsolete entries, and on translations whose
``%(name)s`` placeholders differ from the English.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.messages.pofile import read_po

from minilateral import i18n
from minilateral.model_labels import MODEL_SUMMARIES
from minilateral.models.registry import available_models

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
CASES = [(domain, lang) for domain in i18n.DOMAINS for lang in i18n.TRANSLATED]


def _po(domain: str, lang: str):
    where, _ = i18n.DOMAINS[domain]
    path = where / lang / "LC_MESSAGES" / f"{domain}.po"
    assert path.is_file(), f"no {lang} catalogue of the {domain}: {path}"
    with open(path, "rb") as fh:
        return read_po(fh, locale=lang, domain=domain)


@pytest.fixture(scope="module", params=list(i18n.DOMAINS))
def extracted(request):
    return request.param, {m.id for m in i18n.extract(request.param) if m.id}


def _key(message_id):
    return message_id if isinstance(message_id, str) else tuple(message_id)


@pytest.mark.parametrize(("domain", "lang"), CASES)
def test_every_entry_is_translated_and_not_fuzzy(domain: str, lang: str) -> None:
    po = _po(domain, lang)
    bad = []
    for m in po:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(s.strip() for s in strings):
            bad.append(m.id)
    assert not bad, f"{len(bad)} untranslated or fuzzy {lang} entries of the {domain}: {bad[:10]}"
    for m in po:
        if m.id and m.pluralizable:
            assert len(m.string) == po.num_plurals, (m.id, len(m.string), po.num_plurals)


@pytest.mark.parametrize("lang", i18n.TRANSLATED)
def test_catalogues_hold_every_source_message(extracted, lang: str) -> None:
    domain, ids = extracted
    po_ids = {_key(m.id) for m in _po(domain, lang) if m.id}
    source = {_key(i) for i in ids}
    missing = sorted(map(str, source - po_ids))
    obsolete = sorted(map(str, po_ids - source))
    assert not missing, f"{len(missing)} {domain} messages missing from {lang}: {missing[:10]}"
    assert not obsolete, f"{len(obsolete)} obsolete {domain} entries in {lang}: {obsolete[:10]}"


@pytest.mark.parametrize(("domain", "lang"), CASES)
def test_placeholders_match_the_english(domain: str, lang: str) -> None:
    for m in _po(domain, lang):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(_PLACEHOLDER.findall(ids[-1])) - {"num"}
        for s in strings:
            got = set(_PLACEHOLDER.findall(s)) - {"num"}
            assert got == wanted, (m.id, s)
            # a literal percent sign must be written %% where the English has placeholders
            assert "%" not in _PLACEHOLDER.sub("", s).replace("%%", "") or "%" in ids[-1], s


def test_model_summaries_follow_the_registry() -> None:
    summaries = {name: cls.summary for name, cls in available_models().items()}
    assert summaries == MODEL_SUMMARIES


def test_catalogue_loads_from_po_and_marks_fallbacks(tmp_path) -> None:
    po = tmp_path / "tr" / "LC_MESSAGES" / "x.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Dialogue brief"\nmsgstr "Diyalog brifingi"\n\n'
        '#, fuzzy\nmsgid "Contents"\nmsgstr "Yanlış"\n',
        encoding="utf-8",
    )
    cat = i18n.catalogue("x", "tr", tmp_path)
    assert cat.gettext("Dialogue brief") == "Diyalog brifingi"
    assert cat.gettext("Contents") == "Contents"  # fuzzy entries are not used
    assert cat.lang_of("Dialogue brief") == "tr"
    assert cat.lang_of("Contents") == "en"


def test_turkish_casing_follows_the_language_of_the_text() -> None:
    assert i18n.upper("diyalog brifingi", "tr") == "DİYALOG BRİFİNGİ"
    assert i18n.upper("dialogue brief", "en") == "DIALOGUE BRIEF"
    assert i18n.upper("ılımlı", "tr") == "ILIMLI"


def test_numbers_and_dates_per_locale() -> None:
    assert i18n.format_number(1234.5, "en", decimals=1) == "1,234.5"
    assert i18n.format_number(1234.5, "tr", decimals=1) == "1.234,5"
    assert i18n.format_number(1234.5, "ar", decimals=1) == "1,234.5"
    assert i18n.format_number(1234.5, "ar", decimals=1, digits="arab") == "١٬٢٣٤٫٥"
    assert i18n.format_percent(0.42, "tr") == "%42"
    assert i18n.format_date(dt.date(2026, 12, 3), "tr") == "3 Aralık 2026"
    assert i18n.format_date(dt.date(2026, 12, 3), "ar") == "3 ديسمبر 2026"
    assert i18n.format_date(dt.date(2026, 12, 3), "ar", digits="arab") == "٣ ديسمبر ٢٠٢٦"
    assert i18n.format_number(None, "tr") == "—"
    with pytest.raises(Exception, match="choose latn"):
        i18n.check_digits("roman")
    with pytest.raises(Exception, match="choose one of en, tr, ar"):
        i18n.check_language("de")
