"""Shared rules of KTAB's CSV and XML scenario formats.

The formats: ``docs/scenario-format.md#ktab-csv-and-xml``. Reading: the limits of
``docs/scenario-format.md#ktabs-scales-and-limits``, checked with file, line and field. Writing: any
scenario is mapped onto SMP's inputs exactly as the ``smp`` model maps it
(:func:`minilateral.ktab.smp_inputs`), and numbers are written as the shortest decimal that reads
back to the same internal value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minilateral.errors import FormatError
from minilateral.io.validation import finite_number, scenario_errors
from minilateral.ktab import SMP_OPTIONS, VALUE_ALIASES, smp_inputs
from minilateral.scenario import Scenario

__all__ = [
    "KtabActor",
    "KtabTable",
    "canonical_option",
    "check_actor",
    "ktab_number",
    "ktab_table",
    "to_scenario",
]

MAX_NAME = 25
MAX_DESC = 256
MAX_CAP = 1e8


@dataclass
class KtabActor:
    """One actor as read: 0–100 positions and saliences, the line where it was found."""

    name: str
    description: str
    capability: float
    positions: list[float]
    saliences: list[float]
    line: int | None = None


def parse_number(text: str, path: str | Path, line: int, field: str) -> float:
    """A finite float, or a :class:`FormatError` naming the file, line and field."""
    if text.strip() == "":
        raise FormatError("empty value (a number is required)", path=path, row=line, field=field)
    return finite_number(text, path, line, field)


def check_actor(actor: KtabActor, path: str | Path, where: str) -> None:
    """KTAB's limits on one actor; ``where`` names the actor in messages.

    Limits: ``docs/scenario-format.md#ktabs-scales-and-limits``.
    """
    line = actor.line
    if not 1 <= len(actor.name) <= MAX_NAME:
        raise FormatError(
            f"{where}: name '{actor.name}' must have 1 to {MAX_NAME} characters",
            path=path,
            row=line,
            field="name",
        )
    if len(actor.description) > MAX_DESC:
        raise FormatError(
            f"{where}: description has {len(actor.description)} characters (at most {MAX_DESC})",
            path=path,
            row=line,
            field="description",
        )
    if not 0.0 < actor.capability < MAX_CAP:
        raise FormatError(
            f"{where}: capability {actor.capability:g} must be > 0 and < 1e8 "
            "(KTAB aborts on zero capability)",
            path=path,
            row=line,
            field="capability",
        )
    for d, (x, s) in enumerate(zip(actor.positions, actor.saliences, strict=True)):
        if not 0.0 <= x <= 100.0:
            raise FormatError(
                f"{where}: position {x:g} on dimension {d + 1} lies outside 0-100",
                path=path,
                row=line,
                field=f"position {d + 1}",
            )
        if not 0.0 <= s <= 100.0:
            raise FormatError(
                f"{where}: salience {s:g} on dimension {d + 1} lies outside 0-100",
                path=path,
                row=line,
                field=f"salience {d + 1}",
            )
    total = math.fsum(actor.saliences)
    if total > 100.0 + 1e-9:
        raise FormatError(
            f"{where}: saliences sum to {total:g} > 100", path=path, row=line, field="salience"
        )
    if total <= 0.0:
        raise FormatError(
            f"{where}: saliences sum to 0 (KTAB aborts on zero vote weights)",
            path=path,
            row=line,
            field="salience",
        )


def canonical_option(name: str, value: str, path: str | Path, line: int | None) -> str:
    """A KTAB option value, matched case-sensitively with its aliases
    (``docs/scenario-format.md#ktabs-options``)."""
    value = value.strip()
    value = VALUE_ALIASES.get(name, {}).get(value, value)
    if value not in SMP_OPTIONS[name]:
        accepted = [*SMP_OPTIONS[name], *VALUE_ALIASES.get(name, {})]
        raise FormatError(
            f"'{value}' is not a value of {name} (values, case-sensitive: {', '.join(accepted)})",
            path=path,
            row=line,
            field=name,
        )
    return value


def unique_names(names: list[str]) -> list[str]:
    """Dimension names made unique (``Dim``, ``Dim (2)``); empty names become ``d1``, ``d2``..."""
    out: list[str] = []
    for k, name in enumerate(names):
        base = name.strip() or f"d{k + 1}"
        candidate, copy = base, 2
        while candidate in out:
            candidate, copy = f"{base} ({copy})", copy + 1
        out.append(candidate)
    return out


def to_scenario(
    path: str | Path,
    title: str,
    description: str,
    dims: list[str],
    actors: list[KtabActor],
    options: dict[str, Any] | None = None,
) -> Scenario:
    """Build the validated :class:`Scenario` of a KTAB file (positions 0–100, salience / 100)."""
    dims = unique_names(dims)
    seen: set[str] = set()
    for k, actor in enumerate(actors):
        if actor.name in seen:
            raise FormatError(
                f"actors[{k}]: duplicate actor '{actor.name}'",
                path=path,
                row=actor.line,
                field="name",
            )
        seen.add(actor.name)
    data: dict[str, Any] = {
        "title": title.strip() or Path(str(path)).stem,
        "description": description.strip() or None,
        "issues": [{"name": d, "lo": 0.0, "hi": 100.0} for d in dims],
        "actors": [
            {
                "name": a.name,
                "capability": a.capability,
                "positions": dict(zip(dims, a.positions, strict=True)),
                "salience": {d: s / 100.0 for d, s in zip(dims, a.saliences, strict=True)},
                **({"note": a.description} if a.description else {}),
            }
            for a in actors
        ],
    }
    if options:
        data["model_options"] = {"smp": options}

    def locate(loc: tuple[int | str, ...]) -> str | None:
        if len(loc) >= 2 and loc[0] == "actors" and isinstance(loc[1], int):
            line = actors[loc[1]].line
            return None if line is None else f"line {line}"
        return None

    with scenario_errors(path, locate, data=data):
        return Scenario.model_validate(data)


def ktab_number(unit: float) -> str:
    """The shortest fixed-point decimal ``t`` (0–100 scale) with ``float(t) / 100 == unit``."""
    value = unit * 100.0
    for decimals in range(18):
        text = f"{value:.{decimals}f}"
        if float(text) / 100.0 == unit:
            return text
    return repr(value)


@dataclass
class KtabTable:
    """A scenario as KTAB sees it: names and 0–100 values, ready to write."""

    title: str
    description: str
    dims: list[str]
    names: list[str]
    descriptions: list[str]
    capability: list[float]
    positions: list[list[str]]
    saliences: list[list[str]]
    name_map: dict[str, str]


def _ktab_name(actor: Any, taken: set[str]) -> str:
    """KTAB allows 1–25 characters: the name, else the actor's code, else a shortened name.

    Commas become semicolons (KTAB's CSV reader splits on every comma).
    """
    for candidate in (actor.name, actor.code or ""):
        candidate = candidate.replace(",", ";").strip()
        if 1 <= len(candidate) <= MAX_NAME and candidate not in taken:
            return candidate
    base = actor.name.replace(",", ";").strip()[:MAX_NAME]
    k = 2
    candidate = base
    while candidate in taken:
        suffix = f"~{k}"
        candidate, k = base[: MAX_NAME - len(suffix)] + suffix, k + 1
    return candidate


def ktab_table(scenario: Scenario) -> KtabTable:
    """Map ``scenario`` onto KTAB's inputs as the ``smp`` model does (``docs/models/smp.md``)."""
    inputs = smp_inputs(scenario.to_arrays())
    taken: set[str] = set()
    names, descriptions = [], []
    for actor in scenario.actors:
        name = _ktab_name(actor, taken)
        taken.add(name)
        names.append(name)
        note = " ".join((actor.note or "").split())
        desc = actor.name if name != actor.name else note if len(note) <= MAX_DESC else ""
        descriptions.append(desc)
    return KtabTable(
        title=scenario.title,
        description=" ".join((scenario.description or "").split()),
        dims=list(scenario.issue_names),
        names=names,
        descriptions=descriptions,
        capability=[float(c) for c in inputs.capability[0]],
        positions=[[ktab_number(float(v)) for v in row] for row in inputs.positions[0]],
        saliences=[[ktab_number(float(v)) for v in row] for row in inputs.salience[0]],
        name_map=dict(zip(scenario.actor_names, names, strict=True)),
    )


def identity_pairs(names: list[str]) -> list[list[Any]]:
    """The diagonal of A = I as ``[name, name, 1.0]`` entries (KTAB needs at least one pair)."""
    return [[n, n, 1.0] for n in names]
