"""Reading a plain reliability table: one row per coder, one column per unit.

The first row names the units (its first cell is free, e.g. ``coder``), the first column names
the coders, and a blank cell is a missing value. Numbers only; a cell that is not a number is
an error naming the file, line and unit.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from minilateral.errors import FormatError

__all__ = ["ReliabilityTable", "read_reliability_table"]


@dataclass(frozen=True)
class ReliabilityTable:
    """Coder names, unit names and the (coders, units) values with ``NaN`` for blanks."""

    coders: list[str]
    units: list[str]
    values: np.ndarray


def read_reliability_table(path: str | Path) -> ReliabilityTable:
    """Read a reliability table from a CSV file (see the module docstring)."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows or len(rows[0]) < 2:
        raise FormatError(
            "a reliability table needs a header row of unit names after a first column of "
            "coder names",
            path=path,
            row=1,
            exit_code=2,
        )
    units = [u.strip() for u in rows[0][1:]]
    for j, unit in enumerate(units, start=2):
        if not unit:
            raise FormatError(f"column {j} has no unit name", path=path, row=1, exit_code=2)
    if len(set(units)) != len(units):
        raise FormatError("unit names must be unique", path=path, row=1, exit_code=2)
    coders, values = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(units) + 1:
            raise FormatError(
                f"{len(row) - 1} values for {len(units)} units", path=path, row=line, exit_code=2
            )
        name = row[0].strip()
        if not name:
            raise FormatError(
                "the coder's name is blank", path=path, row=line, field="coder", exit_code=2
            )
        out = []
        for unit, cell in zip(units, row[1:] + [""] * (len(units) + 1 - len(row)), strict=True):
            text = cell.strip()
            if not text:
                out.append(math.nan)
                continue
            try:
                value = float(text)
            except ValueError:
                raise FormatError(
                    f"'{text}' is not a number", path=path, row=line, field=unit, exit_code=2
                ) from None
            if not math.isfinite(value):
                raise FormatError(
                    f"'{text}' is not a finite number", path=path, row=line, field=unit, exit_code=2
                )
            out.append(value)
        coders.append(name)
        values.append(out)
    if len(coders) < 2:
        raise FormatError("a reliability table needs at least two coders", path=path, exit_code=2)
    return ReliabilityTable(coders, units, np.array(values, dtype=np.float64))
