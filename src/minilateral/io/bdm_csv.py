"""The "BDM table" CSV used across the expected-utility literature: one issue, one actor a row.

Header ``Actor,Capability,Position,Salience`` (case-insensitive, any column order), with the
synonyms ``Stakeholder`` or ``Name`` for the actor and ``Resources``, ``Clout`` or ``Power`` for
capability. A unit suffix is allowed (``position_years``, ``salience_0_100``). Rules
(issue #2, ``docs/scenario-format.md#input-scaling``):

* salience is divided by 100 when its header ends in ``_0_100`` or any value exceeds 1;
* the position scale is 0–100 when the position header carries ``_0_100``, otherwise the
  observed minimum–maximum; ``scale=(lo, hi)`` overrides both;
* the issue is named after the file (its stem), the unit suffix becomes the issue description.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from minilateral.errors import FormatError
from minilateral.io.validation import csv_row, finite_number, scenario_errors
from minilateral.scenario import Scenario

log = logging.getLogger(__name__)

__all__ = ["FIELDS", "load_bdm_csv", "looks_like_bdm_csv", "read_bdm_csv"]

FIELDS: dict[str, tuple[str, ...]] = {
    "actor": ("actor", "stakeholder", "name"),
    "capability": ("capability", "resources", "clout", "power"),
    "position": ("position",),
    "salience": ("salience",),
}
_SYNONYM = {syn: field for field, syns in FIELDS.items() for syn in syns}


def _split_header(cell: str) -> tuple[str, str]:
    """``position_0_100`` → ``("position", "_0_100")``; ``Actor`` → ``("actor", "")``."""
    base, _, suffix = cell.strip().lower().partition("_")
    return base, ("_" + suffix if suffix else "")


def looks_like_bdm_csv(text: str) -> bool:
    """Content sniffing: the first non-empty line is a header naming a BDM table's columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    # Also recognise a table split by another delimiter, so the reader can name the problem.
    cells = re.split(r"[,;\t|]", first)
    bases = {_SYNONYM.get(_split_header(c)[0]) for c in cells}
    return {"actor", "position", "salience"} <= bases


def load_bdm_csv(
    text: str,
    path: str | Path = "<string>",
    *,
    scale: tuple[float, float] | None = None,
    issue: str | None = None,
) -> Scenario:
    """Parse a BDM table given as text; see the module docstring for the rules."""
    name = issue or Path(str(path)).stem
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1)]
    rows = [(n, csv_row(line, path, n)) for (n, line) in lines if line.strip()]
    if not rows:
        raise FormatError("the file is empty", path=path)
    header_line, header = rows[0]
    header[0] = header[0].lstrip("\ufeff")
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        sep = next(s for s in (";", "\t", "|") if s in header[0])
        raise FormatError(
            f"wrong delimiter: the header is split by {sep!r}; a BDM table is comma-separated",
            path=path,
            row=header_line,
        )
    columns: dict[str, int] = {}
    suffixes: dict[str, str] = {}
    for col, cell in enumerate(header):
        base, suffix = _split_header(cell)
        field = _SYNONYM.get(base)
        if field is None:
            log.warning("%s: line %d: ignoring unknown column '%s'", path, header_line, cell)
            continue
        if field in columns:
            ragged = next((n for n, r in rows[1:] if len(r) != len(header)), None)
            also = (
                f"; line {ragged} also has a different number of fields than the header"
                if ragged is not None
                else ""
            )
            raise FormatError(
                f"duplicate header '{cell.strip()}': column {col + 1} repeats column "
                f"{columns[field] + 1} ('{header[columns[field]].strip()}'){also}",
                path=path,
                row=header_line,
                field=cell.strip(),
            )
        columns[field] = col
        suffixes[field] = suffix
    missing = [f for f in FIELDS if f not in columns]
    if missing:
        raise FormatError(f"missing column(s): {', '.join(missing)}", path=path, row=header_line)
    parsed = []
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise FormatError(
                f"row has {len(row)} fields but the header has {len(header)}",
                path=path,
                row=line,
            )
        parsed.append(
            (
                line,
                row[columns["actor"]].strip(),
                finite_number(
                    row[columns["capability"]], path, line, header[columns["capability"]]
                ),
                finite_number(row[columns["position"]], path, line, header[columns["position"]]),
                finite_number(row[columns["salience"]], path, line, header[columns["salience"]]),
            )
        )
    if not parsed:
        raise FormatError("the table has a header but no actors", path=path)
    divide = suffixes["salience"] == "_0_100" or any(r[4] > 1 for r in parsed)
    if divide and suffixes["salience"] != "_0_100":
        log.warning(
            "%s: salience values above 1 found: the column '%s' is read on a 0–100 scale and "
            "divided by 100 (name it salience_0_100 to say so)",
            path,
            header[columns["salience"]].strip(),
        )
    positions = [r[3] for r in parsed]
    if scale is not None:
        lo, hi = scale
    elif suffixes["position"] == "_0_100":
        lo, hi = 0.0, 100.0
    else:
        lo, hi = min(positions), max(positions)
        if lo == hi:
            raise FormatError(
                f"every actor holds position {lo:g}, so no scale can be inferred; "
                "give one with --scale LO,HI",
                path=path,
                field=header[columns["position"]],
            )
    unit = suffixes["position"].lstrip("_") or None
    data = {
        "title": Path(str(path)).stem,
        "description": f"Imported from the BDM table {Path(str(path)).name}.",
        "issues": [
            {
                "name": name,
                "lo": lo,
                "hi": hi,
                **({"description": f"position in {unit}"} if unit else {}),
            }
        ],
        "actors": [
            {
                "name": actor,
                "capability": cap,
                "positions": {name: pos},
                "salience": {name: sal / 100 if divide else sal},
            }
            for _, actor, cap, pos, sal in parsed
        ],
    }

    def locate(loc: tuple[int | str, ...]) -> str | None:
        if len(loc) >= 2 and loc[0] == "actors" and isinstance(loc[1], int):
            return f"line {parsed[loc[1]][0]}"
        return None

    with scenario_errors(path, locate, data=data):
        return Scenario.model_validate(data)


def read_bdm_csv(path: str | Path, *, scale: tuple[float, float] | None = None) -> Scenario:
    """Read a BDM table from ``path``."""
    return load_bdm_csv(Path(path).read_text(encoding="utf-8-sig"), path, scale=scale)
