"""The regional alignment map: a Plotly network (nodes sized by CINC, edges by UN-vote
similarity, ATOP defence ties marked) beside a heatmap of pairwise agreement.

The HTML embeds plotly.js from the installed ``plotly`` package, so it opens offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from minilateral.alignment.api import DEFAULT_CANDIDATES, AlignmentResult, dyads
from minilateral.data.states import resolver
from minilateral.data.store import read_table

__all__ = ["alignment_figure", "write_map"]


def alignment_figure(
    year: int,
    states: Sequence[str | int] | str | None = None,
    *,
    edge: str = "kappa_sq",
    threshold: float = 0.5,
    root: str | Path | None = None,
):
    """Build the map figure for ``year``; returns ``(figure, AlignmentResult)``.

    Parameters
    ----------
    year : int
        Calendar year.
    states : optional
        Identifiers (default: the Middle East core and the three poles of §7).
    edge : {"kappa_sq", "S_varw", "agree_half"}
        Measure drawn as edges (width ∝ value above ``threshold``).
    threshold : float, default=0.5
        Edges below this value are not drawn.

    Notes
    -----
    States are placed on a circle in the order of the leading eigenvector of the agreement
    matrix, so that voting blocs sit together.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    res = dyads(list(map(str, states or DEFAULT_CANDIDATES)), [int(year)], root=root)
    frame = res.frame
    name = resolver(root).name
    codes = sorted(set(frame["a"]) | set(frame["b"]))
    labels = [name(c) for c in codes]
    nmc = read_table("cow_nmc", ["ccode", "year", "cinc"], root)
    nyear = min(int(year), int(nmc["year"].max()))
    cinc = nmc[nmc["year"] == nyear].set_index("ccode")["cinc"].reindex(codes).astype(float)
    if nyear != int(year):
        res.notes.append(f"node sizes use CINC {nyear} (NMC v7.0 ends {nyear})")
    atop = read_table("atop_alliance", root=root)
    ayear = min(int(year), int(atop["year"].max()))
    a = atop[(atop["year"] == ayear) & (atop["atop_defense"] == 1)]
    defence = {(min(p, q), max(p, q)) for p, q in zip(a["ccode1"], a["ccode2"], strict=True)}
    mat = np.full((len(codes), len(codes)), np.nan)
    idx = {c: k for k, c in enumerate(codes)}
    for row in frame.itertuples():
        mat[idx[row.a], idx[row.b]] = mat[idx[row.b], idx[row.a]] = row.agree_half
    np.fill_diagonal(mat, 1.0)
    vectors = np.linalg.eigh(np.nan_to_num(mat, nan=np.nanmean(mat)))[1]
    order = np.argsort(np.arctan2(vectors[:, -2], vectors[:, -1]))
    angle = np.empty(len(codes))
    angle[order] = 2 * np.pi * np.arange(len(codes)) / max(len(codes), 1)
    pos = {c: (np.cos(t), np.sin(t)) for c, t in zip(codes, angle, strict=True)}
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.55, 0.45],
        subplot_titles=(f"alignment network {year} (edges: {edge})", f"agree_half {year}"),
    )
    for row in frame.itertuples():
        value = getattr(row, edge)
        if pd.isna(value) or value < threshold:
            continue
        (x0, y0), (x1, y1) = pos[row.a], pos[row.b]
        fig.add_trace(
            go.Scatter(
                x=[x0, x1],
                y=[y0, y1],
                mode="lines",
                hoverinfo="text",
                text=f"{name(row.a)}–{name(row.b)}: {edge}={value:.2f}",
                line={"width": 1 + 6 * float(value), "color": "#4a6fa5"},
                showlegend=False,
            ),
            row=1,
            col=1,
        )
    first = True
    for p, q in sorted(defence):
        if p in pos and q in pos:
            (x0, y0), (x1, y1) = pos[p], pos[q]
            fig.add_trace(
                go.Scatter(
                    x=[x0, x1],
                    y=[y0, y1],
                    mode="lines",
                    hoverinfo="skip",
                    line={"width": 1.5, "color": "#c0392b", "dash": "dot"},
                    name=f"ATOP defence tie ({ayear})",
                    legendgroup="def",
                    showlegend=first,
                ),
                row=1,
                col=1,
            )
            first = False
    top = float(cinc.max()) if cinc.notna().any() else 0.0  # no CINC at all: equal sizes
    sizes = 12 + 60 * np.sqrt(cinc.fillna(0).to_numpy() / max(top, 1e-12))
    fig.add_trace(
        go.Scatter(
            x=[pos[c][0] for c in codes],
            y=[pos[c][1] for c in codes],
            mode="markers+text",
            text=labels,
            textposition="top center",
            marker={"size": sizes, "color": "#f39c12", "line": {"width": 1, "color": "#333"}},
            hovertext=[
                f"{lab} ({c}) CINC {v:.4f}" for lab, c, v in zip(labels, codes, cinc, strict=True)
            ],
            hoverinfo="text",
            name="states (size: CINC)",
        ),
        row=1,
        col=1,
    )
    mat = np.full((len(codes), len(codes)), np.nan)
    idx = {c: k for k, c in enumerate(codes)}
    for row in frame.itertuples():
        mat[idx[row.a], idx[row.b]] = mat[idx[row.b], idx[row.a]] = row.agree_half
    np.fill_diagonal(mat, 1.0)
    fig.add_trace(
        go.Heatmap(
            z=mat,
            x=labels,
            y=labels,
            colorscale="RdBu",
            zmin=0,
            zmax=1,
            colorbar={"title": "agree_half", "x": 1.02},
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(visible=False, row=1, col=1)
    fig.update_yaxes(visible=False, row=1, col=1)
    fig.update_layout(
        title=f"Regional alignment, {year} — UN votes (un_votes_ccode), CINC, "
        "ATOP defence ties (dotted red)",
        height=720,
        width=1500,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.08, "x": 0.0},
    )
    return fig, res


def write_map(year: int, out: str | Path, **kwargs) -> AlignmentResult:
    """Write the map of ``year`` to a standalone HTML file (plotly.js embedded)."""
    fig, res = alignment_figure(year, **kwargs)
    Path(out).write_text(fig.to_html(include_plotlyjs=True, full_html=True), encoding="utf-8")
    return res
