"""The figures of a brief, twice: a static SVG (matplotlib) for print, a Plotly figure for HTML.

Every chart function returns a :class:`Chart` with both forms drawn from the same numbers.
matplotlib is used through :class:`matplotlib.figure.Figure` (no pyplot state), text is kept as
text in the SVG (``svg.fonttype = "none"``) so the PDF uses the brief's fonts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from minilateral.brief.capabilities import AlignmentData
from minilateral.scenario import Scenario

__all__ = [
    "PALETTE",
    "Chart",
    "autonomy_map",
    "cohesion_chart",
    "forecast_chart",
    "mediation_chart",
    "trajectory_chart",
]

#: Colour of the k-th model of a brief (colour-blind safe, Okabe & Ito 2008).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
_MARKERS = ("D", "o", "s", "^", "v", "P", "X", "*")
_PLOTLY_MARKERS = (
    "diamond",
    "circle",
    "square",
    "triangle-up",
    "triangle-down",
    "cross",
    "x",
    "star",
)
_FONT = ["Noto Sans", "DejaVu Sans", "sans-serif"]
_RC = {
    "svg.fonttype": "none",
    "font.family": _FONT,
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 8.5,
    "axes.labelsize": 8,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
}


@dataclass
class Chart:
    """One figure: a matplotlib figure (drawn to SVG on first use) and a Plotly figure dict.

    The SVG is only drawn when a template asks for it (the PDF), the costly step of a chart.
    """

    figure: Any
    plotly: dict[str, Any]

    @cached_property
    def svg(self) -> str:
        """The static SVG text of the figure."""
        return _svg(self.figure)


def _figure(width: float, height: float) -> Any:
    import matplotlib as mpl
    from matplotlib.figure import Figure

    from minilateral.fonts import register_matplotlib

    register_matplotlib()
    mpl.rcParams.update(_RC)
    return Figure(figsize=(width, height))


def _margins(
    fig: Any, left: float, right: float, top: float, bottom: float, **space: float
) -> None:
    """Fixed margins in inches (a fixed layout draws once; constrained layout draws twice)."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(
        left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h, **space
    )


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _unit(value: float | None, lo: float, hi: float) -> float | None:
    return None if value is None else 100.0 * (value - lo) / (hi - lo)


def forecast_chart(
    scenario: Scenario,
    forecasts: dict[str, dict[str, Any]],
    sweeps: dict[str, dict[str, Any]] | None = None,
) -> Chart:
    """Actors' positions and each model's forecast per issue, with sweep intervals.

    Positions are drawn in percent of each issue's scale (0 = low end, 100 = high end); marker
    area grows with capability × salience. A swept model's forecast carries its 50 % (thick)
    and 90 % (thin) intervals over the draws.
    """
    sweeps = sweeps or {}
    arrays = scenario.to_arrays()
    z = 100.0 * arrays.unit_positions()[0]
    w = arrays.weights()[0]
    mask = arrays.mask[0]
    size = 12 + 160 * w / w.max() if w.max() > 0 else np.full_like(w, 30.0)
    issues = scenario.issues
    ys = np.arange(len(issues))[::-1].astype(float)
    models = list(forecasts)
    offsets = np.linspace(-0.28, 0.28, len(models)) if len(models) > 1 else np.zeros(1)
    fig = _figure(6.6, 1.2 + 0.62 * len(issues))
    ax = fig.add_subplot()
    ii, qq = np.nonzero(mask)
    ax.scatter(
        z[ii, qq],
        ys[qq],
        s=size[ii, qq],
        color="#9a9a9a",
        alpha=0.35,
        edgecolor="#555",
        linewidth=0.5,
        label="actors (area ∝ capability × salience)",
    )
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": "actors",
            "x": [float(v) for v in z[ii, qq]],
            "y": [issues[q].name for q in qq],
            "text": [
                f"{scenario.actors[i].name}: {scenario.actors[i].positions[issues[q].name]:g}"
                for i, q in zip(ii, qq, strict=True)
            ],
            "hoverinfo": "text",
            "marker": {
                "size": [float(6 + 2.2 * np.sqrt(s)) for s in size[ii, qq]],
                "color": "rgba(120,120,120,0.35)",
                "line": {"color": "#555", "width": 1},
            },
        }
    ]
    for k, model in enumerate(models):
        colour, marker = PALETTE[k % len(PALETTE)], _MARKERS[k % len(_MARKERS)]
        y = ys + offsets[k]
        x = [_unit(v, q.lo, q.hi) for v, q in zip(forecasts[model]["outcome"], issues, strict=True)]
        summary = sweeps.get(model)
        err_x: dict[str, Any] = {}
        if summary is not None:
            qs = [s["quantiles"] for s in summary["issues"]]
            for (lo_key, hi_key), lw in ((("0.05", "0.95"), 0.9), (("0.25", "0.75"), 2.6)):
                lo = [_unit(qd[lo_key], q.lo, q.hi) for qd, q in zip(qs, issues, strict=True)]
                hi = [_unit(qd[hi_key], q.lo, q.hi) for qd, q in zip(qs, issues, strict=True)]
                ax.hlines(y, lo, hi, color=colour, linewidth=lw, alpha=0.8)
            lo90 = [_unit(qd["0.05"], q.lo, q.hi) for qd, q in zip(qs, issues, strict=True)]
            hi90 = [_unit(qd["0.95"], q.lo, q.hi) for qd, q in zip(qs, issues, strict=True)]
            err_x = {
                "type": "data",
                "symmetric": False,
                "array": [h - v for h, v in zip(hi90, x, strict=True)],
                "arrayminus": [v - lo for v, lo in zip(x, lo90, strict=True)],
                "color": colour,
                "thickness": 1.2,
                "width": 3,
            }
        ok = [i for i, v in enumerate(x) if v is not None]
        ax.scatter(
            [x[i] for i in ok],
            y[ok],
            s=34,
            marker=marker,
            color=colour,
            edgecolor="white",
            linewidth=0.6,
            zorder=3,
            label=model + (" (90 % and 50 % intervals)" if summary else ""),
        )
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": model,
                "x": [x[i] for i in ok],
                "y": [issues[i].name for i in ok],
                "marker": {"size": 11, "color": colour, "symbol": _PLOTLY_MARKERS[k % 8]},
                **({"error_x": err_x} if err_x else {}),
            }
        )
    ax.set_yticks(ys, [q.name for q in issues])
    ax.set_xlim(-3, 103)
    ax.set_ylim(ys.min() - 0.6, ys.max() + 0.6)
    ax.set_xlabel("position, % of the issue scale (0 = low end, 100 = high end)")
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    ncol = min(3, len(models) + 1)
    legend_rows = int(np.ceil((len(models) + 1) / ncol))
    _margins(fig, 1.25, 0.15, 0.1, 0.55 + 0.17 * legend_rows)
    fig.legend(loc="lower center", ncol=ncol, markerscale=0.8, bbox_to_anchor=(0.5, 0.0))
    layout = {
        "margin": {"l": 140, "r": 20, "t": 10, "b": 60},
        "height": 140 + 70 * len(issues),
        "xaxis": {"title": {"text": "position, % of the issue scale"}, "range": [-3, 103]},
        "yaxis": {
            "automargin": True,
            "categoryorder": "array",
            "categoryarray": [q.name for q in issues][::-1],
        },
        "legend": {"orientation": "h", "y": -0.3},
    }
    return Chart(fig, {"data": traces, "layout": layout})


def _axis(q: int) -> str:
    """Plotly's suffix of the q-th axis: ``""``, ``"2"``, ``"3"``, …"""
    return "" if q == 0 else str(q + 1)


def trajectory_chart(scenario: Scenario, model: str, trajectory: Sequence[Any]) -> Chart:
    """Each actor's position per round of a dynamic model, one panel per issue (own scale).

    The thick line is the capability × salience weighted mean of the positions in each round.
    """
    traj = np.asarray(trajectory, dtype=float)  # (T+1, N, D)
    arrays = scenario.to_arrays()
    mask = arrays.mask[0]
    w = np.where(mask, arrays.weights()[0], 0.0)
    issues = scenario.issues
    rounds = np.arange(traj.shape[0])
    cols = min(4, len(issues))
    rows = int(np.ceil(len(issues) / cols))
    fig = _figure(6.6, 0.45 + 1.75 * rows)
    _margins(fig, 0.45, 0.1, 0.22, 0.42, wspace=0.32, hspace=0.45)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True)
    traces: list[dict[str, Any]] = []
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (traj * w).sum(axis=1) / w.sum(axis=0)
    for q, issue in enumerate(issues):
        ax = axes[q // cols][q % cols]
        for i in np.nonzero(mask[:, q])[0]:
            ax.plot(rounds, traj[:, i, q], color="#8c8c8c", linewidth=0.7, alpha=0.7)
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": scenario.actors[i].name,
                    "legendgroup": scenario.actors[i].name,
                    "showlegend": q == 0,
                    "x": rounds.tolist(),
                    "y": traj[:, i, q].tolist(),
                    "xaxis": f"x{_axis(q)}",
                    "yaxis": f"y{_axis(q)}",
                    "line": {"width": 1},
                }
            )
        ax.plot(rounds, mean[:, q], color="black", linewidth=1.8, label="weighted mean")
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "weighted mean",
                "legendgroup": "mean",
                "showlegend": q == 0,
                "x": rounds.tolist(),
                "y": mean[:, q].tolist(),
                "xaxis": f"x{_axis(q)}",
                "yaxis": f"y{_axis(q)}",
                "line": {"width": 3, "color": "black"},
            }
        )
        ax.set_title(issue.name)
        ax.set_ylim(
            issue.lo - 0.03 * (issue.hi - issue.lo), issue.hi + 0.03 * (issue.hi - issue.lo)
        )
        ax.grid(color="#eeeeee", linewidth=0.5)
        if q // cols == rows - 1:
            ax.set_xlabel("round")
    for k in range(len(issues), rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    layout: dict[str, Any] = {
        "height": 260 * rows + 60,
        "margin": {"t": 30, "b": 40},
        "grid": {"rows": rows, "columns": cols, "pattern": "independent"},
        "annotations": [],
    }
    for q, issue in enumerate(issues):
        layout["annotations"].append(
            {
                "text": issue.name,
                "showarrow": False,
                "xref": f"x{_axis(q)} domain",
                "yref": f"y{_axis(q)} domain",
                "x": 0.5,
                "y": 1.12,
            }
        )
    return Chart(fig, {"data": traces, "layout": layout})


def autonomy_map(data: AlignmentData) -> Chart:
    """States at their capitals (longitude, latitude), coloured by the latest SAI (§4)."""
    last = data.years[-1]
    sai = {int(r["state"]): r["SAI"] for r in data.autonomy if r["year"] == last}
    codes = [c for c in data.capitals if c in sai]
    lon = np.array([data.capitals[c][0] for c in codes])
    lat = np.array([data.capitals[c][1] for c in codes])
    val = np.array([np.nan if sai[c] is None else sai[c] for c in codes], dtype=float)
    fig = _figure(6.6, 3.6)
    _margins(fig, 0.55, 0.9, 0.1, 0.45)
    ax = fig.add_subplot()
    ok = ~np.isnan(val)
    sc = ax.scatter(
        lon[ok],
        lat[ok],
        c=val[ok],
        cmap="viridis",
        vmin=0,
        vmax=1,
        s=70,
        edgecolor="black",
        linewidth=0.5,
        zorder=3,
    )
    ax.scatter(
        lon[~ok],
        lat[~ok],
        s=70,
        facecolor="white",
        edgecolor="#777",
        hatch="///",
        zorder=3,
        label="SAI not computable",
    )
    for c, x, y in zip(codes, lon, lat, strict=True):
        ax.annotate(data.names[c], (x, y), xytext=(4, 3), textcoords="offset points", fontsize=6.5)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.grid(color="#eeeeee", linewidth=0.5)
    w, h = fig.get_size_inches()
    cax = fig.add_axes((1 - 0.75 / w, 0.5 / h, 0.12 / w, 1 - 0.8 / h))
    fig.colorbar(sc, cax=cax, label=f"strategic autonomy SAI, {last}")
    if (~ok).any():
        ax.legend(loc="lower left")
    # A cartesian longitude/latitude plot, as the static figure: Plotly's geo maps would fetch
    # their base map from a CDN, and the brief makes no network request.
    hover = [
        f"{data.names[c]}: SAI {'n/a' if np.isnan(v) else f'{v:.2f}'}"
        for c, v in zip(codes, val, strict=True)
    ]
    marker = {"size": 13, "line": {"color": "black", "width": 1}}
    traces = [
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": f"SAI {last}",
            "x": lon[ok].tolist(),
            "y": lat[ok].tolist(),
            "text": [data.names[c] for c, k in zip(codes, ok, strict=True) if k],
            "textposition": "top right",
            "hoverinfo": "text",
            "hovertext": [h for h, k in zip(hover, ok, strict=True) if k],
            "marker": {
                **marker,
                "color": val[ok].tolist(),
                "colorscale": "Viridis",
                "cmin": 0,
                "cmax": 1,
                "colorbar": {"title": {"text": f"SAI {last}"}},
            },
        },
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": "SAI not computable",
            "x": lon[~ok].tolist(),
            "y": lat[~ok].tolist(),
            "text": [data.names[c] for c, k in zip(codes, ok, strict=True) if not k],
            "textposition": "top right",
            "hoverinfo": "text",
            "hovertext": [h for h, k in zip(hover, ok, strict=True) if not k],
            "marker": {**marker, "color": "white", "symbol": "circle-x"},
        },
    ]
    plot = {
        "data": traces,
        "layout": {
            "height": 460,
            "margin": {"t": 10},
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.15},
            "xaxis": {"title": {"text": "longitude (°E)"}},
            "yaxis": {"title": {"text": "latitude (°N)"}, "scaleanchor": "x"},
        },
    }
    return Chart(fig, plot)


def cohesion_chart(data: AlignmentData) -> Chart:
    """GCC cohesion per year (§5): mean pairwise agreement, unanimity share and its baseline."""
    years = [r["year"] for r in data.cohesion]
    series = (
        ("mean_agree_half", "mean pairwise agreement", "#0072B2", "-"),
        ("unanimity_share", "unanimity share U", "#D55E00", "-"),
        ("baseline_agenda", "agenda baseline U₀", "#D55E00", "--"),
    )
    fig = _figure(6.6, 2.6)
    _margins(fig, 0.55, 0.1, 0.1, 0.35)
    ax = fig.add_subplot()
    traces = []
    for key, label, colour, style in series:
        ys = [np.nan if r[key] is None else r[key] for r in data.cohesion]
        ax.plot(years, ys, style, color=colour, marker="o", markersize=3, label=label)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": label,
                "x": years,
                "y": [None if np.isnan(v) else v for v in ys],
                "line": {"color": colour, "dash": "dash" if style == "--" else "solid"},
            }
        )
    ax.set_ylim(0, 1.02)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylabel("share")
    ax.grid(color="#eeeeee", linewidth=0.5)
    ax.legend(loc="lower left", ncol=3)
    layout = {
        "height": 340,
        "yaxis": {"range": [0, 1.02]},
        "margin": {"t": 10},
        "legend": {"orientation": "h", "y": -0.2},
    }
    return Chart(fig, {"data": traces, "layout": layout})


def mediation_chart(ranking: dict[str, Any], issues: Sequence[str], *, top: int = 10) -> Chart:
    """Settlement probability per issue of the ``top`` coalitions and of no mediator.

    A heat map (rows: coalitions, best first; columns: issues) from the coalition search's
    ``issue_settlement_probability``; the overall probability (all issues settled) is printed
    beside each row with its interval.
    """
    entries = [{"coalition": [], **ranking["baseline"]}, *ranking["coalitions"][:top]]
    labels = [" + ".join(e["coalition"]) or "no mediator" for e in entries]
    grid = np.array(
        [[np.nan if v is None else v for v in e["issue_settlement_probability"]] for e in entries],
        dtype=float,
    )
    fig = _figure(6.6, 0.5 + 0.24 * len(entries))
    _margins(fig, 1.5, 1.35, 0.1, 0.35)
    ax = fig.add_subplot()
    ax.imshow(grid, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(issues)), list(issues))
    ax.set_yticks(range(len(labels)), labels)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for r, c in zip(*np.nonzero(~np.isnan(grid)), strict=True):
        ax.text(
            c,
            r,
            f"{100 * grid[r, c]:.0f}",
            ha="center",
            va="center",
            fontsize=6.5,
            color="white" if grid[r, c] > 0.6 else "black",
        )
    for r, e in enumerate(entries):
        ax.text(
            len(issues) - 0.4,
            r,
            f" all issues {100 * e['settlement_probability']:.0f} % "
            f"[{100 * e['ci_low']:.0f}–{100 * e['ci_high']:.0f}]",
            va="center",
            fontsize=6.5,
        )
    plot = {
        "data": [
            {
                "type": "heatmap",
                "z": [[None if np.isnan(v) else v for v in row] for row in grid],
                "x": list(issues),
                "y": labels,
                "zmin": 0,
                "zmax": 1,
                "colorscale": "Blues",
                "colorbar": {"title": {"text": "settlement probability"}},
                "hovertemplate": "%{y}<br>%{x}: %{z:.0%}<extra></extra>",
            }
        ],
        "layout": {
            "height": 120 + 28 * len(entries),
            "margin": {"l": 160, "t": 10},
            "yaxis": {"autorange": "reversed"},
        },
    }
    return Chart(fig, plot)
