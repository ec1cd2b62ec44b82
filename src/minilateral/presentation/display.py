"""Jupyter display of the result types: a small HTML table and an inline SVG bar chart.

Plain HTML and SVG strings, no JavaScript and no network: a notebook shows them offline and
keeps them when saved. The result classes' ``_repr_html_`` methods call these functions; the
module imports nothing of the package (the one module of the
presentation layer that the computing packages may import, lazily).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

__all__ = ["bar_svg", "result_html", "table_html"]

#: Rows a notebook table shows before "… N more rows".
MAX_ROWS = 10


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return escape(str(value))


def table_html(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    max_rows: int = MAX_ROWS,
    title: str | None = None,
) -> str:
    """An HTML table of the first ``max_rows`` rows, with a count of the rows left out.

    ``title``, when given, is a line above the table (e.g. the issue a table is about).
    """
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in rows[:max_rows]
    )
    more = (
        f"<p><small>… {len(rows) - max_rows} more rows; <code>.to_frame()</code> has them all."
        "</small></p>"
        if len(rows) > max_rows
        else ""
    )
    above = f"<p>{escape(title)}</p>" if title is not None else ""
    return f"{above}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def bar_svg(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str = "",
    lo: float = 0.0,
    hi: float | None = None,
    max_bars: int = MAX_ROWS,
) -> str:
    """A horizontal bar chart as inline SVG: one bar per label, on the scale ``[lo, hi]``.

    ``hi`` defaults to the largest value. NaN values get no bar and the label "no value".
    """
    labels, values = list(labels)[:max_bars], [float(v) for v in list(values)[:max_bars]]
    finite = [v for v in values if not math.isnan(v)]
    top = hi if hi is not None else max([lo, *finite])
    span = (top - lo) or 1.0
    label_w, bar_w, row_h = 170, 260, 20
    height = row_h * len(labels) + (24 if title else 6)
    y0 = 20 if title else 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 60}" '
        f'height="{height}" style="font:12px sans-serif">'
    ]
    if title:
        parts.append(f'<text x="0" y="13" font-weight="bold">{escape(title)}</text>')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = y0 + i * row_h
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(f'<text x="0" y="{y + 14}">{escape(short)}</text>')
        if math.isnan(value):
            parts.append(f'<text x="{label_w}" y="{y + 14}" fill="#888">no value</text>')
            continue
        width = max(0.0, min(1.0, (value - lo) / span)) * bar_w
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 6}" '
            'fill="#3f51b5"><title>' + escape(f"{label}: {value:.3f}") + "</title></rect>"
        )
        parts.append(f'<text x="{label_w + width + 4:.1f}" y="{y + 14}">{value:.3f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def result_html(heading: str, table: str, chart: str = "", notes: Sequence[str] = ()) -> str:
    """The block a result shows in Jupyter: heading, table, chart and notes."""
    note_html = "".join(f"<li>{escape(n)}</li>" for n in notes[:5])
    return (
        f"<div><p><strong>{escape(heading)}</strong></p>{table}{chart}"
        + (f"<ul><small>{note_html}</small></ul>" if note_html else "")
        + "</div>"
    )
