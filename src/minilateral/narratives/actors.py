"""Which actors of the scenario library a post mentions (names in Arabic, Turkish, Hebrew, English).

Actor names come from the embedded scenario library; for the states and groups at the centre
of the regional theatres a hand-written alias list adds the usual names, demonyms and capitals
in the four languages. Matching is on normalised text (:func:`.text.normalise_texts`), at the
start of a word, so that Arabic and Hebrew prefixed forms (``والدوحة``, ``ו``-prefixed words)
and Turkish suffixed forms (``Katar'ın``) still match: a word *containing* an alias after at
most two prefix letters counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from minilateral.narratives.text import normalise_texts

__all__ = ["ALIASES", "actor_mentions", "library_actors"]

ALIASES: dict[str, tuple[str, ...]] = {
    "Türkiye": (
        "türkiye",
        "turkey",
        "turkish",
        "ankara",
        "erdogan",
        "erdoğan",
        "türk",
        "تركيا",
        "التركي",
        "أنقرة",
        "أردوغان",
        "טורקיה",
        "טורקי",
        "ארדואן",
        "אנקרה",
    ),
    "Qatar": (
        "qatar",
        "qatari",
        "doha",
        "katar",
        "doha",
        "قطر",
        "القطري",
        "الدوحة",
        "קטאר",
        "קטארי",
        "דוחה",
    ),
    "Egypt": (
        "egypt",
        "egyptian",
        "cairo",
        "mısır",
        "kahire",
        "sisi",
        "مصر",
        "القاهرة",
        "السيسي",
        "מצרים",
        "קהיר",
    ),
    "Israel": (
        "israel",
        "israeli",
        "netanyahu",
        "israil",
        "إسرائيل",
        "الإسرائيلي",
        "نتنياهو",
        "ישראל",
        "נתניהו",
    ),
    "Hamas": ("hamas", "حماس", "חמאס"),
    "Saudi Arabia": ("saudi", "riyadh", "suudi", "السعودية", "الرياض", "סעודיה"),
    "United Arab Emirates": (
        "emirates",
        "uae",
        "abu dhabi",
        "birleşik arap",
        "الإمارات",
        "أبوظبي",
        "האמירויות",
    ),
    "United States": (
        "united states",
        "washington",
        "trump",
        "abd",
        "amerika",
        "أمريكا",
        "واشنطن",
        "ترامب",
        "ארצות הברית",
        "טראמפ",
        "וושינגטון",
    ),
    "Iran": ("iran", "tehran", "tahran", "إيران", "طهران", "איראן", "טהרן"),
}
_PREFIX = r"(?:^|(?<=\s))\w{0,2}?"


@lru_cache(maxsize=1)
def library_actors() -> dict[str, tuple[str, ...]]:
    """Actor name -> aliases: the library's actors plus :data:`ALIASES`."""
    names: dict[str, set[str]] = {k: set(v) for k, v in ALIASES.items()}
    try:
        from minilateral.io import read_scenario
        from minilateral.library import list_scenarios

        for entry in list_scenarios():
            try:
                scenario = read_scenario(entry.path)
            except Exception:  # a broken user file must not stop the monitor
                continue
            for actor in scenario.actors:
                names.setdefault(actor.name, set()).add(actor.name)
    except ImportError:  # pragma: no cover - the library is part of the package
        pass
    out = {}
    for name, aliases in names.items():
        norm = sorted({a for a in normalise_texts(sorted(aliases)) if len(a) >= 3})
        if norm:
            out[name] = tuple(norm)
    return out


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [
        (name, re.compile(_PREFIX + "(?:" + "|".join(map(re.escape, aliases)) + ")"))
        for name, aliases in library_actors().items()
    ]


def actor_mentions(texts: Sequence[str]) -> list[list[str]]:
    """Actors each text mentions, in the order of :func:`library_actors`.

    Examples
    --------
    >>> actor_mentions(["Doha and Ankara sign deals", "والدوحة", "nothing here"])
    [['Türkiye', 'Qatar'], ['Qatar'], []]
    """
    norm = normalise_texts(list(texts))
    pats = _patterns()
    return [[name for name, pat in pats if pat.search(t)] for t in norm]
