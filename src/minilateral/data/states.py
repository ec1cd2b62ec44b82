"""Name states by COW code, COW abbreviation, ISO3 code or English name.

COW codes, abbreviations and names come from the installed ``cow_states`` table; ISO3 codes and
English names (with their many variants: "Turkey", "Türkiye", "Ivory Coast", ...) from the
``country_converter`` package, mapped to COW codes through its Gleditsch–Ward codes and the
``cow_gw_panel`` crosswalk. Where an ISO3 code and a COW abbreviation clash, **ISO3 wins**
(``AUS`` is Australia, 900, not Austria, 305) and the resolution carries a warning.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

import pandas as pd

from minilateral.errors import DataError, QueryError

__all__ = ["GROUPS", "Resolution", "StateResolver", "resolve_states"]

GROUPS: dict[str, tuple[int, ...]] = {
    "GCC": (670, 690, 692, 694, 696, 698),
    "ARAB LEAGUE": (
        615, 620, 625, 645, 651, 652, 660, 663, 670, 679, 690, 692, 694, 696, 698, 435, 520,
        522, 581, 600, 616,
    ),
    "TRIO": (640, 694, 651),
    "P5": (2, 200, 220, 365, 710),
}
"""Named groups (COW codes): the GCC, the Arab League (member states with a COW code; Palestine
has none), the roundtable trio (Türkiye, Qatar, Egypt) and the UN Security Council's P5."""


@dataclass
class Resolution:
    """Resolved COW codes, with warnings about ambiguous identifiers."""

    codes: list[int]
    warnings: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def _converter():
    import logging

    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)  # we report misses ourselves

    # read the package's table without pandas' NA parsing (Namibia's ISO2 is "NA")
    frame = pd.read_csv(
        coco.country_converter.COUNTRY_DATA_FILE, sep="\t", encoding="utf-8",
        keep_default_na=False, na_values=[""],
    )
    return coco.CountryConverter(country_data=frame)


class StateResolver:
    """Resolve state identifiers to COW codes.

    Parameters
    ----------
    states : DataFrame
        ``cow_states`` (``ccode``, ``stateabb``, ``statenme``).
    panel : DataFrame, optional
        ``cow_gw_panel`` (``gwcode``, ``ccode``, ``year``) to map G-W codes to COW codes.
    groups : dict, optional
        Extra named groups (name → identifiers), e.g. from the user's groups file.
    """

    def __init__(
        self,
        states: pd.DataFrame,
        panel: pd.DataFrame | None = None,
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
        gw: dict[int, int] = {}
        if panel is not None and not panel.empty:
            latest = panel.dropna(subset=["gwcode", "ccode"]).sort_values("year")
            gw = latest.drop_duplicates("gwcode", keep="last").set_index("gwcode")["ccode"].to_dict()
        self.gw_to_cow = {int(k): int(v) for k, v in gw.items()}
        self.groups = {k.upper(): list(map(str, v)) for k, v in (groups or {}).items()}

    def name(self, code: int) -> str:
        """English (COW) name of a code."""
        return str(self.names.get(int(code), code))

    def _iso3(self, token: str) -> int | None:
        cc = _converter()
        gw = cc.convert(token.upper(), src="ISO3", to="GWcode", not_found=None)
        if gw in (None, token.upper()) or pd.isna(gw):
            return None
        return self.gw_to_cow.get(int(gw), int(gw))

    def _by_english_name(self, token: str) -> int | None:
        if token.casefold() in self.by_name:
            return self.by_name[token.casefold()]
        cc = _converter()
        iso3 = cc.convert(token, src="regex", to="ISO3", not_found=None)
        if iso3 in (None, token) or not isinstance(iso3, str):
            return None
        return self._iso3(iso3)

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
        code = self._by_english_name(raw)
        if code is not None:
            return code, None
        pool = list(self.by_name) + [a.casefold() for a in self.abbrev]
        close = get_close_matches(raw.casefold(), pool, n=3, cutoff=0.6)
        hint = ""
        if close:
            hint = " (did you mean " + ", ".join(
                f"'{self.name(self.by_name[c])}'" if c in self.by_name else f"'{c.upper()}'"
                for c in close
            ) + "?)"
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
        path = Path(env) if env else Path(user_config_dir("minilateral", appauthor=False)) / \
            "groups.toml"
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
            raise DataError("a group must be a list of state identifiers", path=path,
                            field=f"groups.{name}")
    return {k: [str(m) for m in v] for k, v in groups.items()}


def resolver(root: str | Path | None = None, groups_file: str | Path | None = None) -> StateResolver:
    """A :class:`StateResolver` over the installed ``cow_states`` and ``cow_gw_panel``."""
    from minilateral.data.store import read_table, table_path

    states = read_table("cow_states", ["ccode", "stateabb", "statenme"], root)
    panel = (
        read_table("cow_gw_panel", ["gwcode", "ccode", "year"], root)
        if table_path("cow_gw_panel", root).is_file()
        else None
    )
    return StateResolver(states, panel, load_groups(groups_file))


def resolve_states(
    tokens: Iterable[str] | str, root: str | Path | None = None
) -> Resolution:
    """Resolve identifiers with the installed tables (see :class:`StateResolver`)."""
    return resolver(root).resolve(tokens)
