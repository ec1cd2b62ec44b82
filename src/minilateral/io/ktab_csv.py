"""KTAB's CSV scenario format (``smpc --csv``): read and write.

Line 1: scenario name, description, N, D. Line 2: header (actor, description, capability labels,
then a position label — the dimension's name — and a salience label per dimension). Lines 3 to
N + 2: name, description, capability, then position and salience of each dimension, on 0–100.
Fields are trimmed of white space and of one pair of double quotes; a trailing comma and lines
after the N-th actor are ignored, but an actor row with more or fewer fields than ``3 + 2 D`` is an
error (a decimal comma would otherwise shift every later column); LF and CRLF are accepted.
"""

from __future__ import annotations

from pathlib import Path

from minilateral.errors import FormatError
from minilateral.io._ktab import (
    KtabActor,
    check_actor,
    ktab_table,
    parse_number,
    to_scenario,
)
from minilateral.scenario import Scenario

__all__ = ["dump_ktab_csv", "load_ktab_csv", "looks_like_ktab_csv", "write_ktab_csv"]


def _fields(line: str) -> list[str]:
    out = []
    for cell in line.split(","):
        cell = cell.strip()
        if len(cell) >= 2 and cell[0] == cell[-1] == '"':
            cell = cell[1:-1]
        out.append(cell)
    return out


def _count(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def looks_like_ktab_csv(text: str) -> bool:
    """Content sniffing: line 1 is ``name,description,N,D`` with integers N and D."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    first = _fields(lines[0])
    return len(first) >= 4 and _count(first[2]) is not None and _count(first[3]) is not None


def load_ktab_csv(text: str, path: str | Path = "<string>") -> Scenario:
    """Parse a KTAB CSV scenario given as text; errors name the file, line and field."""
    lines = text.splitlines()
    if len(lines) < 2:
        raise FormatError("a KTAB CSV needs a title line, a header line and actor lines", path=path)
    first = _fields(lines[0])
    if len(first) < 4:
        raise FormatError(
            f"line 1 has {len(first)} fields; expected name, description, N, D",
            path=path,
            row=1,
        )
    n, d = _count(first[2]), _count(first[3])
    if n is None:
        raise FormatError(f"N = '{first[2]}' is not a whole number", path=path, row=1, field="N")
    if d is None:
        raise FormatError(f"D = '{first[3]}' is not a whole number", path=path, row=1, field="D")
    if n < 3:
        raise FormatError(f"N = {n}: KTAB needs at least 3 actors", path=path, row=1, field="N")
    if d < 1:
        raise FormatError(f"D = {d}: at least one dimension is needed", path=path, row=1, field="D")
    width = 3 + 2 * d
    header = _fields(lines[1])
    if len([h for h in header if h]) < width:
        raise FormatError(
            f"the header has {len([h for h in header if h])} labels; D = {d} needs {width} "
            "(actor, description, capability, then position and salience per dimension)",
            path=path,
            row=2,
        )
    dims = [header[3 + 2 * k] for k in range(d)]
    actors = []
    for number in range(3, 3 + n):
        if number > len(lines) or not lines[number - 1].strip():
            raise FormatError(
                f"expected {n} actor lines (line 1 says N = {n}); line {number} is missing or "
                "empty",
                path=path,
                row=number,
            )
        row = _fields(lines[number - 1])
        while row and row[-1] == "":
            row.pop()
        if len(row) != width:
            extra = (
                " (a decimal comma, as in '1,5', splits a number in two: write '1.5')"
                if len(row) > width
                else ""
            )
            raise FormatError(
                f"row has {len(row)} fields; D = {d} needs {width}{extra}",
                path=path,
                row=number,
            )
        actor = KtabActor(
            name=row[0],
            description=row[1],
            capability=parse_number(row[2], path, number, header[2] or "capability"),
            positions=[
                parse_number(row[3 + 2 * k], path, number, header[3 + 2 * k]) for k in range(d)
            ],
            saliences=[
                parse_number(row[4 + 2 * k], path, number, header[4 + 2 * k]) for k in range(d)
            ],
            line=number,
        )
        check_actor(actor, path, f"actor '{actor.name}'")
        actors.append(actor)
    return to_scenario(path, first[0], first[1], dims, actors)


def _cell(text: str) -> str:
    """KTAB's CSV reader splits on every comma: write commas as semicolons."""
    return text.replace(",", ";")


def dump_ktab_csv(scenario: Scenario) -> str:
    """The scenario as a KTAB CSV, mapped onto SMP's inputs as in ``docs/models/smp.md``.

    KTAB CSVs carry no options and no accommodation matrix: use the XML format for those.
    Commas in text fields are written as semicolons, since KTAB's reader splits on every comma.
    """
    t = ktab_table(scenario)
    lines = [f"{_cell(t.title)},{_cell(t.description)},{len(t.names)},{len(t.dims)},"]
    header = ["Actor", "Description", "Power"]
    for dim in t.dims:
        header += [_cell(dim), f"{_cell(dim)} Salience"]
    lines.append(",".join(header) + ",")
    for k, name in enumerate(t.names):
        cells = [name, _cell(t.descriptions[k]), repr(t.capability[k])]
        for x, s in zip(t.positions[k], t.saliences[k], strict=True):
            cells += [x, s]
        lines.append(",".join(cells) + ",")
    return "\n".join(lines) + "\n"


def write_ktab_csv(scenario: Scenario, path: str | Path) -> None:
    """Write :func:`dump_ktab_csv` to ``path``."""
    Path(path).write_text(dump_ktab_csv(scenario), encoding="utf-8")
