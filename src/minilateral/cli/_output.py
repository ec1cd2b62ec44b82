"""One ``--format table|csv|json`` option for every command that prints a table.

A command builds its rows once, as a list of mappings whose keys are the column labels the
table shows (``"Issue"``, ``"Outcome"``), or as a :class:`pandas.DataFrame` turned into such
rows by :func:`frame_rows`, and hands them to :func:`emit`:

- ``table`` (the default): a Rich table on standard output, numbers right-aligned, long text
  folded so that it fits the terminal (100 columns included);
- ``csv``: the rows as CSV, one header line of the labels; an empty cell is a missing value;
- ``json``: the command's result object when it has one (the same JSON the web app stores,
  with provenance: ``forecast``, ``coalitions``, ``sweep summarize``, ...), otherwise the rows
  as a JSON list of objects holding exactly what the CSV holds.

With ``csv`` and ``json`` nothing but the data goes to standard output: progress and notes
go to standard error, so ``minilateral forecast gaza --format csv > gaza.csv`` is a clean file.
All JSON written is valid JSON: NaN and infinities become ``null``.

The CSV is written with the standard library from the same rows as the JSON (not
``DataFrame.to_csv``), so the two agree cell for cell and ``scenarios list --format csv``
starts without importing pandas.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMATS",
    "FORMAT_HELP",
    "Format",
    "FormatOpt",
    "cell_text",
    "csv_text",
    "emit",
    "frame_rows",
    "json_text",
    "print_table",
    "write_data",
]

Format = Literal["table", "csv", "json"]
#: The values of ``--format``, in the order the help lists them.
FORMATS: tuple[str, ...] = ("table", "csv", "json")
FORMAT_HELP = "Output: table (default), csv or json; csv and json write only data to stdout."

#: The ``--format`` option, spelled and explained the same way by every command.
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help=FORMAT_HELP, case_sensitive=False)
]

Row = Mapping[str, Any]


def _scalar(value: Any) -> Any:
    """A JSON-ready value: NumPy scalars and arrays as Python, NaN and infinities as ``None``."""
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        with contextlib.suppress(TypeError, ValueError):
            value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple):
        return [_scalar(v) for v in value]
    if isinstance(value, list):
        return [_scalar(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _scalar(v) for k, v in value.items()}
    if value is not None and type(value).__name__ in ("NaTType", "NAType"):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def frame_rows(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> list[dict]:
    """The rows of ``frame`` as mappings keyed by label (``labels[column]``, else the column);
    columns missing from ``labels`` keep their name, NaN becomes ``None``."""
    labels = labels or {}
    names = [labels.get(str(c), str(c)) for c in frame.columns]
    return [
        {name: _scalar(v) for name, v in zip(names, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _columns(rows: Sequence[Row], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    return list(dict.fromkeys(key for row in rows for key in row))


def _csv_cell(value: Any) -> Any:
    value = _scalar(value)
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    return value


def csv_text(rows: Sequence[Row], columns: Sequence[str] | None = None) -> str:
    """``rows`` as CSV text: a header of the labels, then one line per row."""
    cols = _columns(rows, columns)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in cols])
    return buf.getvalue()


def json_text(obj: Any, indent: int | None = None) -> str:
    """Valid JSON (``allow_nan=False``) of ``obj`` after NaN and infinities became ``null``."""
    return json.dumps(_scalar(obj), ensure_ascii=False, allow_nan=False, indent=indent)


def write_data(
    fmt: str,
    rows: Sequence[Row] | Callable[[], Sequence[Row]],
    *,
    payload: Any = None,
    columns: Sequence[str] | None = None,
) -> bool:
    """Write ``rows`` (or ``payload``, for JSON, when given) to stdout in ``fmt``.

    Returns ``False`` for ``table``, leaving the table to the caller (a command whose table
    is not one plain grid); ``rows`` may be a function, called only for CSV and JSON.
    """
    if fmt == "table":
        return False
    if fmt == "json" and payload is not None:
        sys.stdout.write(json_text(payload) + "\n")
        return True
    data = rows() if callable(rows) else rows
    if fmt == "csv":
        sys.stdout.write(csv_text(data, columns))
    elif fmt == "json":
        cols = _columns(data, columns)
        records = [{c: row.get(c) for c in cols} for row in data]
        sys.stdout.write(json_text(records, indent=2) + "\n")
    else:  # the option's Choice refuses other values; a caller passing one is a bug
        raise ValueError(f"unknown output format {fmt!r} (one of {', '.join(FORMATS)})")
    return True


def cell_text(value: Any, digits: int = 3) -> str:
    """A cell as the table shows it: ``—`` for missing, ``yes``/``no``, ``digits`` decimals."""
    value = _scalar(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, list):
        return ", ".join(cell_text(v, digits) for v in value)
    return str(value)


def print_table(
    rows: Sequence[Row],
    *,
    title: str | None = None,
    columns: Sequence[str] | None = None,
    digits: int | Mapping[str, int] = 3,
    no_wrap: Iterable[str] = (),
    right: Iterable[str] = (),
) -> None:
    """``rows`` as a Rich table on stdout: numeric columns right-aligned, text folded.

    ``columns`` chooses and orders the columns shown (all by default); ``digits`` is the
    number of decimals of floats, one for all or per column; ``no_wrap`` columns never wrap;
    ``right`` columns are right-aligned although they hold text (numbers already formatted).
    """
    from rich.table import Table
    from rich.text import Text

    from minilateral.cli._app import out_console

    cols = _columns(rows, columns)
    keep, aligned = set(no_wrap), set(right)
    table = Table(title=title)
    for col in cols:
        values = [_scalar(row.get(col)) for row in rows]
        numbers = [isinstance(v, int | float) and not isinstance(v, bool) for v in values]
        filled = [n for n, v in zip(numbers, values, strict=True) if v is not None]
        numeric = col in aligned or (bool(filled) and all(filled))
        table.add_column(
            Text(col),
            justify="right" if numeric else "left",
            overflow="fold",
            no_wrap=col in keep,
        )
    for row in rows:
        cells = []
        for col in cols:
            d = digits.get(col, 3) if isinstance(digits, Mapping) else digits
            cells.append(cell_text(row.get(col), d))
        table.add_row(*(Text(c) for c in cells))  # cells are data, never Rich markup
    out_console.print(table)


def emit(
    fmt: str,
    rows: Sequence[Row],
    *,
    title: str | None = None,
    payload: Any = None,
    shown: Sequence[str] | None = None,
    digits: int | Mapping[str, int] = 3,
    no_wrap: Iterable[str] = (),
) -> None:
    """:func:`write_data` for ``csv`` and ``json``, :func:`print_table` for ``table``.

    ``shown`` narrows the table to the columns that fit; CSV and JSON keep every column.
    """
    if not write_data(fmt, rows, payload=payload):
        print_table(rows, title=title, columns=shown, digits=digits, no_wrap=no_wrap)
