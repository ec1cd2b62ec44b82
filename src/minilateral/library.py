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

__all__ = [
    "LibraryEntry",
    "ScenarioSummary",
    "find_scenario",
    "list_scenarios",
    "scenario_summaries",
]

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


@dataclass(frozen=True)
class ScenarioSummary:
    """What ``scenarios list`` shows of a scenario: its title and its size."""

    title: str
    actors: int
    issues: int


_SUMMARY_VERSION = 1


def _summary_cache_path() -> Path:
    """``$MINILATERAL_CACHE_DIR/scenario-summaries.json``, else the platform cache folder."""
    env = os.environ.get("MINILATERAL_CACHE_DIR")
    if env:
        return Path(env).expanduser() / "scenario-summaries.json"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("minilateral", appauthor=False)) / "scenario-summaries.json"


def scenario_summaries(entries: list[LibraryEntry] | None = None) -> list[ScenarioSummary]:
    """The summary of each entry (default: :func:`list_scenarios`), in the same order.

    A scenario is read and validated in full (the hardened YAML reader, then the schema) the
    first time its content is seen; its summary is then cached under the SHA-256 of the file's
    bytes, so an edited file is read again and an unchanged one costs a hash. The cache is a
    convenience: when its folder cannot be written, or the file is unreadable, every scenario
    is read afresh.
    """
    import hashlib
    import json

    entries = list_scenarios() if entries is None else entries
    cache_path = _summary_cache_path()
    try:
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
        if cache.get("version") != _SUMMARY_VERSION or not isinstance(cache.get("files"), dict):
            cache = {}
    except (OSError, ValueError):
        cache = {}
    files: dict[str, list] = cache.get("files", {}) if cache else {}
    out: list[ScenarioSummary] = []
    fresh: dict[str, list] = {}
    for entry in entries:
        digest = hashlib.sha256(entry.path.read_bytes()).hexdigest()
        hit = files.get(digest)
        if hit is None:
            from minilateral.api import load_scenario

            s = load_scenario(entry.path)
            hit = [s.title, len(s.actors), len(s.issues)]
        fresh[digest] = hit
        out.append(ScenarioSummary(str(hit[0]), int(hit[1]), int(hit[2])))
    if fresh.keys() - files.keys():
        try:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_path.with_suffix(".tmp")
            tmp.write_text(
                json.dumps({"version": _SUMMARY_VERSION, "files": {**files, **fresh}}),
                encoding="utf-8",
            )
            tmp.replace(cache_path)
        except OSError as err:
            log.debug("scenario summary cache not written: %s", err)
    return out
