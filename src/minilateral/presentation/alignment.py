"""The display of alignment: a Plotly network (nodes sized by CINC, edges by UN-vote
similarity, ATOP defence ties marked) beside a heatmap of pairwise agreement, and a choropleth
of the region drawn from a vendored world map (``world/countries-50m.json``, world-atlas, ISC).

Everything opens offline: the HTML embeds plotly.js from the installed ``plotly`` package, and
the choropleth is drawn as filled polygons on plain axes (no Plotly geo base map from a CDN).
States are named with :func:`minilateral.data.states.display_name` ("Türkiye").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from minilateral.alignment.api import DEFAULT_CANDIDATES, AlignmentResult, dyads
from minilateral.data.states import resolver
from minilateral.data.store import read_table

__all__ = [
    "COW_TO_ISO",
    "LABEL_OFFSETS",
    "REGION_BOX",
    "WORLD_FILE",
    "alignment_figure",
    "autonomy_choropleth",
    "choropleth_plotly",
    "region_shapes",
    "sequential_colour",
    "world_shapes",
    "write_map",
]

#: The vendored world map (TopoJSON; ISO 3166-1 numeric feature ids).
WORLD_FILE = Path(__file__).parent.parent / "alignment" / "world" / "countries-50m.json"
#: ISO 3166-1 numeric code of COW states of the Middle East and its neighbours.
COW_TO_ISO: dict[int, int] = {
    2: 840, 365: 643, 710: 156, 640: 792, 651: 818, 630: 364, 666: 376, 645: 368, 652: 760,
    660: 422, 663: 400, 679: 887, 670: 682, 690: 414, 692: 48, 694: 634, 696: 784, 698: 512,
    620: 434, 625: 729, 626: 728, 530: 231, 531: 232, 520: 706, 522: 262, 700: 4, 770: 586,
    750: 356, 371: 51, 372: 268, 373: 31, 352: 196, 350: 300, 616: 788, 615: 12, 600: 504,
}  # fmt: skip
#: Label offsets (degrees of longitude, latitude) of states too small to hold their name.
LABEL_OFFSETS: dict[int, tuple[float, float]] = {
    692: (1.5, 2.6), 694: (3.2, 0.8), 660: (-2.0, 1.6), 690: (2.4, 1.2),
    666: (-4.0, -0.3), 696: (-3.5, -3.5),
}  # fmt: skip
#: Longitude and latitude bounds (west, east, south, north) of the region's map.
REGION_BOX = (24.0, 63.5, 11.0, 43.0)


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
        Identifiers (default: the Middle East core and the three poles,
        ``docs/alignment.md#conventions``).
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
    name = resolver(root).name  # display names: Türkiye, United States, ...
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


def autonomy_choropleth(
    year: int,
    states: Sequence[str | int] | str | None = None,
    *,
    window: int = 5,
    root: str | Path | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The region coloured by strategic autonomy SAI in ``year``, as a Plotly figure dict.

    SAI: ``docs/alignment.md#strategic-autonomy``.

    A state without enough votes in ``year`` (fewer than 20 joint roll calls with a pole) is
    shown at its latest computable year of the ``window`` years up to ``year``, and its label
    says which; the notes say so too.
    """
    from minilateral.alignment.api import autonomy

    codes = list(map(str, states or DEFAULT_CANDIDATES))
    res = autonomy(codes, range(int(year) - window + 1, int(year) + 1), with_ideal_points=False,
                   root=root)  # fmt: skip
    name = resolver(root).name
    frame = res.frame[res.frame["SAI"].notna()].sort_values("year")
    latest = frame.groupby("state").tail(1).set_index("state")
    values: dict[int, float | None] = {}
    labels: dict[int, str] = {}
    notes: list[str] = []
    for code in sorted(set(res.frame["state"])):
        code = int(code)
        if code in latest.index:
            values[code] = float(latest.loc[code, "SAI"])
            got = int(latest.loc[code, "year"])
            labels[code] = name(code) + ("" if got == int(year) else f" ({got})")
            if got != int(year):
                notes.append(f"{name(code)}: {got}, the latest year with enough votes")
        else:
            values[code] = None
            labels[code] = name(code)
            notes.append(f"{name(code)}: too few votes in {int(year) - window + 1}–{year}")
    figure = choropleth_plotly(values, labels, colorbar=f"strategic autonomy {year}")
    return figure, notes


def write_map(year: int, out: str | Path, **kwargs) -> AlignmentResult:
    """Write the map of ``year`` to a standalone HTML file (plotly.js embedded): the network
    and heatmap, then the choropleth of strategic autonomy."""
    import plotly.io as pio

    fig, res = alignment_figure(year, **kwargs)
    states, root = kwargs.get("states"), kwargs.get("root")
    parts = [fig.to_html(include_plotlyjs=True, full_html=False)]
    try:
        choro, notes = autonomy_choropleth(year, states, root=root)
    except (KeyError, ValueError) as err:  # e.g. no pole in the vote table that year
        res.notes.append(f"no autonomy map: {err}")
    else:
        res.notes.extend(notes)
        parts.append(f"<h2>Strategic autonomy in UN votes, {year}</h2>")
        parts.append(pio.to_html(choro, include_plotlyjs=False, full_html=False))
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Regional alignment {year}</title>"
        '<link rel="icon" href="data:,"></head><body style="font-family: sans-serif">'
        + "\n".join(parts)
        + "</body></html>"
    )
    Path(out).write_text(html, encoding="utf-8")
    return res


def _decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """Absolute longitude/latitude of every arc of a quantised TopoJSON topology."""
    scale = np.asarray(topology["transform"]["scale"], dtype=float)
    shift = np.asarray(topology["transform"]["translate"], dtype=float)
    return [np.cumsum(np.asarray(a, dtype=float), axis=0) * scale + shift for a in topology["arcs"]]


def _ring(arcs: list[np.ndarray], indices: list[int]) -> np.ndarray:
    parts = []
    for k, i in enumerate(indices):
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(arc if k == 0 else arc[1:])
    return np.concatenate(parts)


@cache
def world_shapes() -> dict[int, tuple[str, tuple[np.ndarray, ...]]]:
    """ISO numeric code → (English name, outer and inner rings as (n, 2) lon/lat arrays)."""
    topology = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    out: dict[int, tuple[str, tuple[np.ndarray, ...]]] = {}
    for geom in topology["objects"]["countries"]["geometries"]:
        if "id" not in geom or geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        rings = tuple(_ring(arcs, ring) for polygon in polygons for ring in polygon)
        out[int(geom["id"])] = (str(geom["properties"].get("name", geom["id"])), rings)
    return out


def region_shapes(
    box: tuple[float, float, float, float] = REGION_BOX,
) -> dict[int, tuple[str, tuple[np.ndarray, ...]]]:
    """The countries of :func:`world_shapes` with a ring inside ``box`` (west, east, south,
    north), rings clipped to rings that touch the box."""
    west, east, south, north = box
    out = {}
    for iso, (name, rings) in world_shapes().items():
        keep = tuple(
            r
            for r in rings
            if r[:, 0].max() >= west
            and r[:, 0].min() <= east
            and r[:, 1].max() >= south
            and r[:, 1].min() <= north
        )
        if keep:
            out[iso] = (name, keep)
    return out


def sequential_colour(value: float | None, vmin: float = 0.0, vmax: float = 1.0) -> str:
    """Hex colour of ``value`` on matplotlib's viridis scale (light grey when missing)."""
    if value is None or not np.isfinite(value):
        return "#e6e6e6"
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    return str(to_hex(colormaps["viridis"](float(np.clip((value - vmin) / (vmax - vmin), 0, 1)))))


def choropleth_plotly(
    values: dict[int, float | None],
    labels: dict[int, str],
    *,
    colorbar: str,
    box: tuple[float, float, float, float] = REGION_BOX,
    height: int = 480,
) -> dict[str, Any]:
    """A Plotly figure (dict) of the region with states (COW codes) coloured by ``values``.

    Countries are filled polygons on longitude/latitude axes (latitude stretched by
    1 / cos of the box's middle latitude), so the figure needs no base map from the network.
    ``labels`` gives each coloured state's hover label.
    """
    shapes = region_shapes(box)
    iso_to_cow = {iso: cow for cow, iso in COW_TO_ISO.items()}
    traces: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for iso, (name, rings) in shapes.items():
        cow = iso_to_cow.get(iso)
        value = values.get(cow) if cow is not None else None
        coloured = cow is not None and cow in values
        # the state's name on its largest ring, directly on the map (``cow`` narrowed for mypy)
        if coloured and cow is not None:
            big = max(rings, key=lambda r: np.ptp(r[:, 0]) * np.ptp(r[:, 1]))
            small = np.ptp(big[:, 0]) * np.ptp(big[:, 1]) < 6 or cow in LABEL_OFFSETS
            annotations.append(
                {
                    "x": float(big[:, 0].mean()),
                    "y": float(big[:, 1].mean()),
                    "text": labels.get(cow, name)
                    + ("" if value is None else f"<br>{value:.2f}"),
                    "showarrow": bool(small),
                    "axref": "x",
                    "ayref": "y",
                    "ax": float(big[:, 0].mean()) + LABEL_OFFSETS.get(cow, (1.6, -1.2))[0] * small,
                    "ay": float(big[:, 1].mean()) + LABEL_OFFSETS.get(cow, (1.6, -1.2))[1] * small,
                    "arrowwidth": 0.8,
                    "font": {"size": 9 if small else 10,
                             "color": "white" if value is not None and value < 0.55
                             and not small else "black"},
                }
            )  # fmt: skip
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring in rings:
            xs.extend([*ring[:, 0].round(3).tolist(), None])
            ys.extend([*ring[:, 1].round(3).tolist(), None])
        label = labels.get(cow, name) if cow is not None else name
        text = label + ("" if not coloured else f": {value:.2f}" if value is not None else ": n/a")
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": xs,
                "y": ys,
                "fill": "toself",
                "fillcolor": sequential_colour(value) if coloured else "#f4f4f2",
                "line": {"color": "#8a8a8a" if coloured else "#c8c8c8", "width": 0.6},
                "hoverinfo": "text",
                "text": text,
                "hoveron": "fills",
                "showlegend": False,
                "name": label,
            }
        )
    finite = [v for v in values.values() if v is not None]
    traces.append(  # an invisible marker that carries the colour bar
        {
            "type": "scatter",
            "mode": "markers",
            "x": [box[0]],
            "y": [box[2]],
            "hoverinfo": "skip",
            "showlegend": False,
            "marker": {
                "size": 0.1,
                "color": finite[:1] or [0.0],
                "colorscale": "Viridis",
                "cmin": 0,
                "cmax": 1,
                "showscale": True,
                "colorbar": {"title": {"text": colorbar}},
            },
        }
    )
    ratio = 1.0 / float(np.cos(np.radians((box[2] + box[3]) / 2)))
    return {
        "data": traces,
        "layout": {
            "height": height,
            "annotations": annotations,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "plot_bgcolor": "#dbe8f2",
            "xaxis": {"range": [box[0], box[1]], "visible": False},
            "yaxis": {
                "range": [box[2], box[3]],
                "visible": False,
                "scaleanchor": "x",
                "scaleratio": ratio,
            },
        },
    }
