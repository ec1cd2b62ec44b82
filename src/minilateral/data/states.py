"""Name states by COW code, COW abbreviation, ISO3 code or English name.

COW codes, abbreviations and names come from the installed ``cow_states`` table; ISO 3166 codes
and English names (official, common and historic: "Türkiye", "Republic of Korea", ...) from the
``pycountry`` package (LGPL), mapped to COW codes through the ISO2 ↔ COW pairs of the UN vote
table ``un_votes`` (Voeten's ``country_code`` beside the COW ``ccode``) and, failing that, by
matching names with ``cow_states``. Where an ISO3 code and a COW abbreviation clash, **ISO3 wins**
(``AUS`` is Australia, 900, not Austria, 305) and the resolution carries a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

import pandas as pd

from minilateral.errors import DataError, QueryError

__all__ = [
    "DISPLAY_NAMES",
    "GROUPS",
    "Resolution",
    "StateResolver",
    "display_name",
    "resolve_states",
]

GROUPS: dict[str, tuple[int, ...]] = {
    "GCC": (670, 690, 692, 694, 696, 698),
    "ARAB LEAGUE": (
        615,
        620,
        625,
        645,
        651,
        652,
        660,
        663,
        670,
        679,
        690,
        692,
        694,
        696,
        698,
        435,
        520,
        522,
        581,
        600,
        616,
    ),
    "TRIO": (640, 694, 651),
    "P5": (2, 200, 220, 365, 710),
}
"""Named groups (COW codes): the GCC, the Arab League (member states with a COW code; Palestine
has none), the roundtable trio (Türkiye, Qatar, Egypt) and the UN Security Council's P5."""


#: Names shown to readers where the COW table's English name differs from current usage (the
#: state's own English short name, as in UN documents since its request): one place for every
#: display of a state (brief, demo, web, ``align``).
DISPLAY_NAMES: dict[int, str] = {
    2: "United States",
    365: "Russia",
    437: "Côte d'Ivoire",
    630: "Iran",
    640: "Türkiye",
    652: "Syria",
    696: "United Arab Emirates",
    710: "China",
    731: "North Korea",
    732: "South Korea",
    816: "Viet Nam",
    346: "Bosnia and Herzegovina",
    343: "North Macedonia",
    571: "Eswatini",
    316: "Czechia",
}


def display_name(code: int, fallback: str | None = None) -> str:
    """The reader-facing English name of COW state ``code`` (:data:`DISPLAY_NAMES` first).

    >>> display_name(640, "Turkey"), display_name(651, "Egypt")
    ('Türkiye', 'Egypt')
    """
    return DISPLAY_NAMES.get(int(code), fallback if fallback is not None else str(code))


@dataclass
class Resolution:
    """Resolved COW codes, with warnings about ambiguous identifiers."""

    codes: list[int]
    warnings: list[str] = field(default_factory=list)


class StateResolver:
    """Resolve state identifiers to COW codes.

    Parameters
    ----------
    states : DataFrame
        ``cow_states`` (``ccode``, ``stateabb``, ``statenme``).
    iso2 : DataFrame, optional
        ``country_code`` (ISO2) and ``ccode`` pairs (from ``un_votes``), most recent last.
    groups : dict, optional
        Extra named groups (name → identifiers), e.g. from the user's groups file.
    """

    def __init__(
        self,
        states: pd.DataFrame,
        iso2: pd.DataFrame | None = None,
        groups: dict[str, list[str]] | None = None,
    ) -> None:
        self.states = states
        self.names = (
            states.drop_duplicates("ccode", keep="last").set_index("ccode")["statenme"].to_dict()
        )
        self.abbrev = (
            states.drop_duplicates("stateabb", keep="last").set_index("stateabb")["ccode"].to_dict()
        )
        self.by_name = {str(n).casefold(): int(c) for c, n in self.names.items()}
        pairs: dict[str, int] = {}
        if iso2 is not None and not iso2.empty:
            last = iso2.dropna().drop_duplicates("country_code", keep="last")
            pairs = {
                str(k): int(v) for k, v in zip(last["country_code"], last["ccode"], strict=True)
            }
        self.iso2_to_cow = pairs
        self.groups = {k.upper(): list(map(str, v)) for k, v in (groups or {}).items()}

    def name(self, code: int) -> str:
        """English display name of a code (:func:`display_name`, else the COW name)."""
        return display_name(code, str(self.names.get(int(code), code)))

    def _country_to_cow(self, country) -> int | None:
        code = self.iso2_to_cow.get(country.alpha_2)
        if code is not None:
            return code
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and value.casefold() in self.by_name:
                return self.by_name[value.casefold()]
        return None

    def _iso3(self, token: str) -> int | None:
        import pycountry

        country = pycountry.countries.get(alpha_3=token.upper())
        return None if country is None else self._country_to_cow(country)

    def _by_english_name(self, token: str) -> int | None:
        import pycountry

        if token.casefold() in self.by_name:
            return self.by_name[token.casefold()]
        try:
            country = pycountry.countries.lookup(token)
        except LookupError:
            return None
        return self._country_to_cow(country)

    def resolve_one(self, token: str) -> tuple[int, str | None]:
        """COW code of one identifier and an optional warning; :class:`DataError` if unknown."""
        raw = token.strip()
        if not raw:
            raise QueryError("empty state identifier")
        if raw.lstrip("-").isdigit():
            code = int(raw)
            if code not in self.names:
                raise QueryError(f"no state with COW code {code}")
            return code, None
        if len(raw) == 3 and raw.isalpha():
            iso = self._iso3(raw)
            cow = self.abbrev.get(raw.upper())
            if iso is not None and cow is not None and iso != cow:
                return iso, (
                    f"'{raw}' is ambiguous: ISO3 {raw.upper()} = {self.name(iso)} ({iso}), "
                    f"COW {raw.upper()} = {self.name(cow)} ({cow}); using ISO3 "
                    f"({self.name(iso)}). Pass the COW code {cow} for {self.name(cow)}."
                )
            if iso is not None:
                return iso, None
            if cow is not None:
                return int(cow), None
        named = self._by_english_name(raw)
        if named is not None:
            return named, None
        pool = list(self.by_name) + [a.casefold() for a in self.abbrev]
        close = get_close_matches(raw.casefold(), pool, n=3, cutoff=0.6)
        hint = ""
        if close:
            hint = (
                " (did you mean "
                + ", ".join(
                    f"'{self.name(self.by_name[c])}'" if c in self.by_name else f"'{c.upper()}'"
                    for c in close
                )
                + "?)"
            )
        if raw.casefold() in ("palestine", "pse", "state of palestine"):
            hint = " (Palestine has no COW state code and no UN votes, NMC or ATOP rows)"
        raise QueryError(f"unknown state '{raw}'{hint}")

    def resolve(self, tokens: Iterable[str] | str) -> Resolution:
        """Resolve identifiers and group names (``GCC``, ``P5``, ``trio``, user groups)."""
        if isinstance(tokens, str):
            tokens = [t for t in tokens.split(",") if t.strip()]
        out = Resolution([])
        for token in tokens:
            key = token.strip().upper()
            if key in self.groups:
                sub = self.resolve(self.groups[key])
                out.codes += sub.codes
                out.warnings += sub.warnings
                continue
            if key.replace("_", " ") in GROUPS:
                out.codes += list(GROUPS[key.replace("_", " ")])
                continue
            code, warning = self.resolve_one(token)
            out.codes.append(code)
            if warning:
                out.warnings.append(warning)
        out.codes = list(dict.fromkeys(out.codes))
        return out


def load_groups(path: str | Path | None = None) -> dict[str, list[str]]:
    """User-defined groups from a TOML file (``[groups]`` table: ``NAME = ["TUR", "QAT"]``).

    Default file: ``$MINILATERAL_GROUPS`` or ``groups.toml`` in the user config directory.
    """
    import os
    import tomllib

    from platformdirs import user_config_dir

    if path is None:
        env = os.environ.get("MINILATERAL_GROUPS")
        path = (
            Path(env)
            if env
            else Path(user_config_dir("minilateral", appauthor=False)) / "groups.toml"
        )
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise DataError(f"unreadable groups file: {err}", path=path) from err
    groups = data.get("groups", {})
    for name, members in groups.items():
        if not isinstance(members, list) or not all(isinstance(m, str | int) for m in members):
            raise DataError(
                "a group must be a list of state identifiers", path=path, field=f"groups.{name}"
            )
    return {k: [str(m) for m in v] for k, v in groups.items()}


def resolver(
    root: str | Path | None = None, groups_file: str | Path | None = None
) -> StateResolver:
    """A :class:`StateResolver` over the installed ``cow_states`` (and ``un_votes``)."""
    from minilateral.data.store import query, read_table, table_path

    states = read_table("cow_states", ["ccode", "stateabb", "statenme"], root)
    iso2 = None
    if table_path("un_votes", root).is_file():
        iso2 = query(
            "SELECT country_code, ccode FROM un_votes WHERE ccode IS NOT NULL "
            "GROUP BY country_code, ccode ORDER BY max(rcid)",
            ["un_votes"],
            root,
        )
    return StateResolver(states, iso2, load_groups(groups_file))


def resolve_states(tokens: Iterable[str] | str, root: str | Path | None = None) -> Resolution:
    """Resolve identifiers with the installed tables (see :class:`StateResolver`)."""
    return resolver(root).resolve(tokens)
