"""The embedded scenario library and the user's scenario folder.

Names resolve in the user folder (``MINILATERAL_SCENARIO_DIR``) first, then in the embedded
library (``minilateral/scenarios/*.yaml``); a user scenario with an embedded name shadows it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from minilateral.errors import UnknownScenarioError, did_you_mean

__all__ = ["LibraryEntry", "find_scenario", "list_scenarios"]

log = logging.getLogger(__name__)

_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LibraryEntry:
    """A scenario known by name: where it lives and whether it is embedded."""

    name: str
    path: Path
    origin: str  # "embedded" or "user"


def _embedded_dir() -> Path:
    return Path(str(resources.files("minilateral") / "scenarios"))


def _user_dir() -> Path | None:
    value = os.environ.get("MINILATERAL_SCENARIO_DIR")
    return Path(value).expanduser() if value else None


def _scan(folder: Path, origin: str) -> dict[str, LibraryEntry]:
    if not folder.is_dir():
        return {}
    return {
        p.stem: LibraryEntry(p.stem, p, origin)
        for p in sorted(folder.iterdir())
        if p.suffix in _SUFFIXES and p.is_file()
    }


def list_scenarios() -> list[LibraryEntry]:
    """Every named scenario, embedded first, user scenarios shadowing embedded names."""
    entries = _scan(_embedded_dir(), "embedded")
    user = _user_dir()
    if user is not None:
        for name, entry in _scan(user, "user").items():
            if name in entries:
                log.warning(
                    "user scenario %s shadows the embedded scenario of that name", entry.path
                )
            entries[name] = entry
    return list(entries.values())


def find_scenario(name: str) -> LibraryEntry:
    """The library entry called ``name``; the error lists the names that exist."""
    entries = {e.name: e for e in list_scenarios()}
    if name not in entries:
        raise UnknownScenarioError(
            f"'{name}' is neither a file nor a scenario in the library."
            f"{did_you_mean(name, entries)} (scenarios: {', '.join(entries) or 'none'})",
            field="source",
        )
    return entries[name]
