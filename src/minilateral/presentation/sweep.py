"""The sweep report: the HTML page and its histograms (moved from ``montecarlo.summary``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from minilateral.errors import OptionError, StoreError
from minilateral.forecast import dumps_json
from minilateral.montecarlo.summary import IssueSummary, SweepSummary
from minilateral.provenance import package_version

__all__ = ["write_report"]


def _histogram(summary: IssueSummary, bins: int = 50) -> dict[str, Any]:
    """A Plotly figure (JSON-ready dict) of one issue's forecast distribution, pre-binned.

    The bins span the forecasts' range (so a narrow distribution is still resolved); the axis
    spans the whole issue scale, so the reader sees where on the scale the forecasts lie.
    """
    import plotly.graph_objects as go

    values = summary.values[~np.isnan(summary.values)]
    if values.size and values.min() < values.max():
        edges = np.histogram_bin_edges(values, bins=bins)
    else:
        centre = float(values[0]) if values.size else (summary.lo + summary.hi) / 2
        half = (summary.hi - summary.lo) / (2 * bins)
        edges = np.array([centre - half, centre + half])
    counts, _ = np.histogram(values, bins=edges)
    share = counts / max(values.size, 1)
    fig = go.Figure(
        go.Bar(
            x=(edges[:-1] + edges[1:]) / 2,
            y=share,
            width=np.diff(edges),
            marker_color="#0b3954",
            name=summary.name,
            hovertemplate="%{x:.3g}: %{y:.1%}<extra></extra>",
        )
    )
    for q, v in summary.quantiles.items():
        if q in (0.05, 0.5, 0.95) and np.isfinite(v):
            fig.add_vline(
                x=v, line_dash="dot", line_color="#c8553d", annotation_text=f"q{q * 100:g}"
            )
    fig.update_layout(
        xaxis={"title": "forecast on the issue's scale", "range": [summary.lo, summary.hi]},
        yaxis={"title": "share of draws", "tickformat": ".0%"},
        margin={"l": 60, "r": 20, "t": 30, "b": 60},
        height=320,
        bargap=0,
    )
    figure: dict[str, Any] = json.loads(fig.to_json())
    return figure


def write_report(summary: SweepSummary, path: str | Path, *, inside_ok: bool = False) -> Path:
    """Write the HTML report of ``summary`` to ``path`` (one self-contained file).

    The sweep directory holds only part files and the manifest, so ``path`` must lie outside
    it unless ``inside_ok`` (then name it with a leading underscore, e.g. ``_report.html``,
    so that Parquet readers skip it).
    """
    from jinja2 import Environment, PackageLoader, select_autoescape
    from plotly.offline import get_plotlyjs

    target = Path(path)
    sweep_dir = summary.sweep.path.resolve()
    if not inside_ok and sweep_dir in target.resolve().parents:
        raise OptionError(
            "the report would be written inside the sweep directory, which holds only Parquet "
            "parts and the manifest; choose a path outside it (or ask for --report-in-dir)",
            path=target,
            field="report",
        )
    env = Environment(
        loader=PackageLoader("minilateral", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    m = summary.sweep.manifest
    html = env.get_template("sweep_report.html.j2").render(
        summary=summary,
        manifest=m,
        uncertainty=dumps_json(m["uncertainty"], indent=1),
        charts=[dumps_json(_histogram(s)) for s in summary.issues],
        plotly_js=get_plotlyjs(),
        version=package_version(),
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    except OSError as err:
        raise StoreError(f"cannot write the report: {err.strerror or err}", path=target) from err
    return target
