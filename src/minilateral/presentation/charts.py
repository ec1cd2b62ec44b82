"""The figures of a brief, twice: a static SVG (matplotlib) for print, a Plotly figure for HTML.

Every chart function returns a :class:`Chart` with both forms drawn from the same numbers.
matplotlib is used through :class:`matplotlib.figure.Figure` (no pyplot state), text is kept as
text in the SVG (``svg.fonttype = "none"``) so the PDF uses the brief's fonts, except in
figures with Arabic labels, drawn as outlines (see :func:`_svg`).

Every word a chart writes goes through ``gettext`` (the brief's catalogue), so axis titles,
legends and labels are in the brief's language. The font list falls back from Noto Sans to Noto
Sans Arabic glyph by glyph. matplotlib (3.11, with libraqm) shapes Arabic and orders
right-to-left text itself, and figures with Arabic text are written as outlines laid out by
matplotlib, so labels are passed as plain logical-order strings (no reshaping library);
``tests/brief/test_languages.py`` checks the shaping. Axes keep numbers increasing to the
right in every language, as Arabic statistical publications do.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from minilateral.brief.capabilities import AlignmentData
from minilateral.scenario import Scenario

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = [
    "PALETTE",
    "Chart",
    "agreement_chart",
    "autonomy_map",
    "cohesion_chart",
    "coordination_network_chart",
    "forecast_chart",
    "mediation_chart",
    "narrative_timeline_chart",
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
_FONT = ["Noto Sans", "Noto Sans Arabic", "DejaVu Sans", "sans-serif"]
Gettext = Callable[[str], str]


def _same(message: str) -> str:
    return message


_RC: dict[RcKeyType, Any] = {
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


def _right_to_left(fig: Any) -> bool:
    """Whether the figure writes any Arabic-script text (U+0600–U+08FF)."""
    from matplotlib.text import Text

    return any(any("\u0600" <= ch <= "\u08ff" for ch in t.get_text()) for t in fig.findobj(Text))


def _svg(fig: Any) -> str:
    import matplotlib as mpl

    buf = io.StringIO()
    # Arabic labels are drawn as outlines, shaped and measured by matplotlib itself: as SVG
    # text, a renderer with other font metrics would misplace them (legend entries overlap).
    fonttype = "path" if _right_to_left(fig) else "none"
    with mpl.rc_context({"svg.fonttype": fonttype}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _pick(error: dict[str, Any], keep: list[int]) -> dict[str, Any]:
    """Plotly error bars of the kept points only (the arrays follow the trace's points)."""
    return {
        **error,
        "array": [error["array"][i] for i in keep],
        "arrayminus": [error["arrayminus"][i] for i in keep],
    }


def _short(text: str, n: int) -> str:
    """``text`` cut to ``n`` characters at a word boundary, with an ellipsis."""
    if len(text) <= n:
        return text
    cut = text[: n - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;: ") + "…"


def _wrap(text: str, n: int) -> str:
    """``text`` broken into lines of at most about ``n`` characters."""
    import textwrap

    return "\n".join(textwrap.wrap(text, n)) or text


def _unit(value: float | None, lo: float, hi: float) -> float | None:
    return None if value is None else 100.0 * (value - lo) / (hi - lo)


def forecast_chart(
    scenario: Scenario,
    forecasts: dict[str, dict[str, Any]],
    sweeps: dict[str, dict[str, Any]] | None = None,
    degenerate: Sequence[dict[str, str]] | None = None,
    *,
    gettext: Gettext = _same,
) -> Chart:
    """Actors' positions and each model's forecast per issue, with sweep intervals.

    ``degenerate`` (per issue, model → kind, from the brief's assessment) draws a Nash solution
    at the status quo ("no zone of agreement") as a hollow marker, which is not a forecast.

    Positions are drawn in percent of each issue's scale (0 = low end, 100 = high end); marker
    area grows with capability × salience. A swept model's forecast carries its 50 % (thick)
    and 90 % (thin) intervals over the draws.
    """
    _ = gettext
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
    fig = _figure(6.6, 1.3 + 0.85 * len(issues))
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
        label=_("actors (area ∝ capability × salience)"),
    )
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": _("actors"),
            "x": [float(v) for v in z[ii, qq]],
            "y": [issues[q].display_name for q in qq],
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
                # (an issue without an outcome has no bar: `_pick` keeps only plotted points)
                "array": [
                    None if h is None or v is None else h - v for h, v in zip(hi90, x, strict=True)
                ],
                "arrayminus": [
                    None if v is None or lo is None else v - lo
                    for v, lo in zip(x, lo90, strict=True)
                ],
                "color": colour,
                "thickness": 1.2,
                "width": 3,
            }
        hollow = {q for q, d in enumerate(degenerate or []) if d.get(model) == "no_zone"}
        ok = [i for i, v in enumerate(x) if v is not None and i not in hollow]
        ax.scatter(
            [x[i] for i in ok],
            y[ok],
            s=34,
            marker=marker,
            color=colour,
            edgecolor="white",
            linewidth=0.6,
            zorder=3,
            label=_("{model} (90 % and 50 % intervals)").format(model=model) if summary else model,
        )
        gone = [i for i in sorted(hollow) if x[i] is not None]
        if gone:
            ax.scatter(
                [x[i] for i in gone],
                y[gone],
                s=34,
                marker=marker,
                facecolor="white",
                edgecolor=colour,
                linewidth=1.0,
                zorder=3,
                label=_("{model}: status quo, no zone of agreement").format(model=model),
            )
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": _("{model}: status quo, no zone of agreement").format(model=model),
                    "x": [x[i] for i in gone],
                    "y": [issues[i].display_name for i in gone],
                    "marker": {
                        "size": 11,
                        "color": "white",
                        "line": {"color": colour, "width": 2},
                        "symbol": _PLOTLY_MARKERS[k % 8],
                    },
                }
            )
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": model,
                "x": [x[i] for i in ok],
                "y": [issues[i].display_name for i in ok],
                "marker": {"size": 11, "color": colour, "symbol": _PLOTLY_MARKERS[k % 8]},
                **({"error_x": _pick(err_x, ok)} if err_x else {}),
            }
        )
    ax.set_yticks(ys, [_wrap(q.display_name, 18) for q in issues])
    annotations = []
    for q, issue in enumerate(issues):
        # the ends of each issue's scale, above its row
        for at, text, ha in ((0, issue.lo_label, "left"), (100, issue.hi_label, "right")):
            if text:
                ax.text(
                    at,
                    ys[q] + 0.36,
                    _short(text, 48),
                    ha=ha,
                    va="bottom",
                    fontsize=5.8,
                    color="#5b6472",
                    style="italic",
                )
                annotations.append(
                    {
                        "x": at,
                        "y": issue.display_name,
                        "text": _short(text, 48),
                        "showarrow": False,
                        "xanchor": ha,
                        "yshift": 26,
                        "font": {"size": 10, "color": "#5b6472"},
                    }
                )
        # the heaviest actors, labelled directly
        heavy = [i for i in np.argsort(-w[:, q]) if mask[i, q]][:3]
        for i in heavy:
            name = scenario.actors[i].name
            ax.annotate(
                _short(name, 22),
                (z[i, q], ys[q]),
                xytext=(0, -9),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=5.5,
                color="#333333",
            )
            annotations.append(
                {
                    "x": float(z[i, q]),
                    "y": issue.display_name,
                    "text": _short(name, 22),
                    "showarrow": False,
                    "yshift": -16,
                    "font": {"size": 9, "color": "#333"},
                }
            )
    ax.set_xlim(-3, 103)
    ax.set_ylim(ys.min() - 0.6, ys.max() + 0.6)
    ax.set_xlabel(_("position, % of the issue scale (0 = low end, 100 = high end)"))
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    entries = (
        len(models) + 1 + sum(any(d.get(m) == "no_zone" for d in degenerate or []) for m in models)
    )
    ncol = min(3, entries)
    legend_rows = int(np.ceil(entries / ncol))
    _margins(fig, 1.25, 0.15, 0.1, 0.55 + 0.17 * legend_rows)
    fig.legend(loc="lower center", ncol=ncol, markerscale=0.8, bbox_to_anchor=(0.5, 0.0))
    layout = {
        "margin": {"l": 140, "r": 20, "t": 10, "b": 60},
        "height": 160 + 95 * len(issues),
        "xaxis": {"title": {"text": _("position, % of the issue scale")}, "range": [-3, 103]},
        "yaxis": {
            "automargin": True,
            "categoryorder": "array",
            "categoryarray": [q.display_name for q in issues][::-1],
        },
        "legend": {"orientation": "h", "y": -0.3},
        "annotations": annotations,
    }
    return Chart(fig, {"data": traces, "layout": layout})


def _axis(q: int) -> str:
    """Plotly's suffix of the q-th axis: ``""``, ``"2"``, ``"3"``, …"""
    return "" if q == 0 else str(q + 1)


def trajectory_chart(
    scenario: Scenario, model: str, trajectory: Sequence[Any], *, gettext: Gettext = _same
) -> Chart:
    """Each actor's position per round of a dynamic model, one panel per issue (own scale).

    The thick line is the capability × salience weighted mean of the positions in each round.
    """
    _ = gettext
    traj = np.asarray(trajectory, dtype=float)  # (T+1, N, D)
    arrays = scenario.to_arrays()
    mask = arrays.mask[0]
    w = np.where(mask, arrays.weights()[0], 0.0)
    issues = scenario.issues
    rounds = np.arange(traj.shape[0])
    cols = min(4, len(issues))
    rows = int(np.ceil(len(issues) / cols))
    fig = _figure(6.6, 0.45 + 1.85 * rows)
    _margins(fig, 0.45, 0.55, 0.3, 0.42, wspace=0.55, hspace=0.55)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True)
    traces: list[dict[str, Any]] = []
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(traj * w, axis=1) / w.sum(axis=0)
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
        ax.plot(rounds, mean[:, q], color="black", linewidth=1.8, label=_("weighted mean"))
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("weighted mean"),
                "legendgroup": "mean",
                "showlegend": q == 0,
                "x": rounds.tolist(),
                "y": mean[:, q].tolist(),
                "xaxis": f"x{_axis(q)}",
                "yaxis": f"y{_axis(q)}",
                "line": {"width": 3, "color": "black"},
            }
        )
        ax.set_title(_wrap(issue.display_name, 28))
        last = traj[-1, :, q]
        heavy = [i for i in np.argsort(-w[:, q]) if mask[i, q]][:4]
        placed: list[float] = []
        for i in heavy:
            if any(abs(last[i] - y) < 0.07 * (issue.hi - issue.lo) for y in placed):
                continue  # would overprint a heavier actor's label
            placed.append(float(last[i]))
            ax.annotate(
                _short(scenario.actors[i].name, 16),
                (rounds[-1], last[i]),
                xytext=(2, 0),
                textcoords="offset points",
                fontsize=5,
                va="center",
                color="#333333",
                annotation_clip=False,
            )
        ax.set_ylim(
            issue.lo - 0.03 * (issue.hi - issue.lo), issue.hi + 0.03 * (issue.hi - issue.lo)
        )
        ax.grid(color="#eeeeee", linewidth=0.5)
        if q // cols == rows - 1:
            ax.set_xlabel(_("round"))
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
                "text": issue.display_name,
                "showarrow": False,
                "xref": f"x{_axis(q)} domain",
                "yref": f"y{_axis(q)} domain",
                "x": 0.5,
                "y": 1.12,
            }
        )
    return Chart(fig, {"data": traces, "layout": layout})


def autonomy_map(data: AlignmentData, *, gettext: Gettext = _same) -> Chart:
    """Choropleth of each state's latest computable SAI on the vendored world map.

    SAI: ``docs/alignment.md#strategic-autonomy``.

    The display layer is :mod:`minilateral.presentation.alignment` (outlines, colours, the Plotly
    form); states whose latest year differs from the section's last year say so in their label.
    """
    _ = gettext
    from matplotlib.collections import PolyCollection

    from minilateral.presentation.alignment import (
        COW_TO_ISO,
        LABEL_OFFSETS,
        REGION_BOX,
        choropleth_plotly,
        region_shapes,
        sequential_colour,
    )

    last = data.years[-1]
    values = {int(k): r["SAI"] for k, r in data.latest.items()}
    for code in data.names:
        values.setdefault(int(code), None)
    years = {int(k): r["year"] for k, r in data.latest.items()}
    labels = {
        c: data.names[c] + (f" ({years[c]})" if c in years and years[c] != last else "")
        for c in data.names
    }
    shapes = region_shapes(REGION_BOX)
    iso_to_cow = {iso: cow for cow, iso in COW_TO_ISO.items()}
    fig = _figure(6.6, 4.3)
    _margins(fig, 0.05, 0.85, 0.05, 0.05)
    ax = fig.add_subplot()
    ax.set_facecolor("#dbe8f2")
    polys, faces, edges = [], [], []
    for iso, (_name, rings) in shapes.items():
        cow = iso_to_cow.get(iso)
        for ring in rings:
            polys.append(ring)
            faces.append(sequential_colour(values[cow]) if cow in values else "#f4f4f2")
            edges.append("#7a7a7a" if cow in values else "#c8c8c8")
    ax.add_collection(PolyCollection(polys, facecolors=faces, edgecolors=edges, linewidths=0.4))
    west, east, south, north = REGION_BOX
    # labels at the centre of each coloured state's largest ring; small states get a leader
    for iso, (_name, rings) in shapes.items():
        cow = iso_to_cow.get(iso)
        if cow not in values:
            continue
        big = max(rings, key=lambda r: np.ptp(r[:, 0]) * np.ptp(r[:, 1]))
        x, y = float(big[:, 0].mean()), float(big[:, 1].mean())
        area = np.ptp(big[:, 0]) * np.ptp(big[:, 1])
        value = values[cow]
        text = labels[cow] + ("" if value is None else f"\n{value:.2f}")
        light = value is not None and value < 0.55
        if area < 6 or cow in LABEL_OFFSETS:
            offset = LABEL_OFFSETS.get(cow, (1.6, -1.2))
            ax.annotate(
                text,
                (x, y),
                xytext=(x + offset[0], y + offset[1]),
                fontsize=5.2,
                ha="left" if offset[0] > 0 else "right",
                va="center",
                arrowprops={"arrowstyle": "-", "color": "#444", "linewidth": 0.4},
            )
        else:
            ax.text(
                x,
                y,
                text,
                fontsize=5.6,
                ha="center",
                va="center",
                color="white" if light else "black",
            )
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / np.cos(np.radians((south + north) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#999999")
        spine.set_linewidth(0.5)
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    w, h = fig.get_size_inches()
    cax = fig.add_axes((1 - 0.7 / w, 0.35 / h, 0.12 / w, 1 - 0.7 / h))
    fig.colorbar(
        ScalarMappable(norm=Normalize(0, 1), cmap="viridis"),
        cax=cax,
        label=_("strategic autonomy (0 = votes with one pole, 1 = equidistant)"),
    )
    plot = choropleth_plotly(
        values, labels, colorbar=_("strategic autonomy {year}").format(year=last)
    )
    return Chart(fig, plot)


#: The blockade of Qatar (5 June 2017 – 5 January 2021) on an axis of yearly points (year y
#: spans y − 0.5 … y + 0.5).
_BLOCKADE = (2016.5 + 155 / 365, 2020.5 + 5 / 365)


def cohesion_chart(data: AlignmentData, *, gettext: Gettext = _same) -> Chart:
    """GCC cohesion per year: mean pairwise agreement, unanimity share and its baseline.

    Measures: ``docs/alignment.md#group-cohesion``.
    """
    _ = gettext
    years = [r["year"] for r in data.cohesion]
    series = (
        ("mean_agree_half", _("mean pairwise agreement"), "#0072B2", "-"),
        ("unanimity_share", _("unanimity share U"), "#D55E00", "-"),
        ("baseline_agenda", _("agenda baseline U₀"), "#D55E00", "--"),
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
    ax.axvspan(*_BLOCKADE, color="#c77700", alpha=0.12, linewidth=0)
    if years and years[0] <= 2021 and years[-1] >= 2017:
        ax.text(
            sum(_BLOCKADE) / 2,
            0.04,
            _("blockade of Qatar, June 2017 – January 2021"),
            ha="center",
            fontsize=6.5,
            color="#7a4a00",
        )
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_ylim(0, 1.02)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylabel(_("share"))
    ax.grid(color="#eeeeee", linewidth=0.5)
    ax.legend(loc="upper left", ncol=3, bbox_to_anchor=(0, 1.16))
    layout = {
        "height": 340,
        "shapes": [
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": _BLOCKADE[0],
                "x1": _BLOCKADE[1],
                "y0": 0,
                "y1": 1,
                "fillcolor": "rgba(199,119,0,0.12)",
                "line": {"width": 0},
            }
        ],
        "annotations": [
            {
                "x": sum(_BLOCKADE) / 2,
                "y": 0.04,
                "xref": "x",
                "yref": "y",
                "showarrow": False,
                "text": _("blockade of Qatar, June 2017 – January 2021"),
                "font": {"size": 11, "color": "#7a4a00"},
            }
        ],
        "yaxis": {"range": [0, 1.02]},
        "margin": {"t": 10},
        "legend": {"orientation": "h", "y": -0.2},
    }
    return Chart(fig, {"data": traces, "layout": layout})


def mediation_chart(
    ranking: dict[str, Any],
    issues: Sequence[str],
    *,
    top: int = 10,
    gettext: Gettext = _same,
) -> Chart:
    """Settlement probability per issue of the ``top`` coalitions and of no mediator.

    A heat map (rows: coalitions, best first; columns: issues) from the coalition search's
    ``issue_settlement_probability``; the overall probability (all issues settled) is printed
    beside each row with its interval.
    """
    _ = gettext
    entries = [{"coalition": [], **ranking["baseline"]}, *ranking["coalitions"][:top]]
    labels = [" + ".join(e["coalition"]) or _("no mediator") for e in entries]
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
            " "
            + _("all issues {p} % [{low}–{high}]").format(
                p=f"{100 * e['settlement_probability']:.0f}",
                low=f"{100 * e['ci_low']:.0f}",
                high=f"{100 * e['ci_high']:.0f}",
            ),
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
                "colorbar": {"title": {"text": _("settlement probability")}},
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


def agreement_chart(
    ranking: dict[str, Any], names: Any, *, top: int = 10, gettext: Gettext = _same
) -> Chart:
    """Agreement probability (with its interval) of the ``top`` coalitions and of no mediator.

    ``ranking`` is a coalition search under the agreement measure (its JSON form); ``names``
    turns a list of actor codes into the coalition's label.
    """
    _ = gettext
    entries = [{"coalition": [], **ranking["baseline"]}, *ranking["coalitions"][:top]]
    labels = [names(e["coalition"]) if e["coalition"] else _("no mediator") for e in entries]
    p = np.array([100 * (e.get("agreement_probability") or 0.0) for e in entries])
    lo = np.array([100 * (e.get("ci_low") or 0.0) for e in entries])
    hi = np.array([100 * (e.get("ci_high") or 0.0) for e in entries])
    ys = np.arange(len(entries))[::-1]
    fig = _figure(6.6, 0.75 + 0.26 * len(entries))
    _margins(fig, 2.3, 0.2, 0.1, 0.55)  # room for the tick labels and the axis title
    ax = fig.add_subplot()
    colours = ["#9a9a9a"] + [
        "#0072B2" if e.get("tied_with_top") else "#56B4E9" for e in entries[1:]
    ]
    ax.barh(ys, p, color=colours, height=0.62)
    ax.errorbar(
        p, ys, xerr=[p - lo, hi - p], fmt="none", ecolor="#333333", elinewidth=0.7, capsize=1.5
    )
    for y, v in zip(ys, p, strict=True):
        inside = v > 85  # no room to the right of the bar: print inside it, in white
        ax.text(
            v - 1.5 if inside else v + 1.5,
            y + 0.02,
            _("{value} %").format(value=f"{v:.0f}"),  # Turkish writes %42, Arabic 42%
            va="center",
            ha="right" if inside else "left",
            fontsize=6.5,
            color="white" if inside else "black",
        )
    ax.set_yticks(ys, [_short(t, 40) for t in labels])
    ax.set_xlim(0, 100)
    ax.set_xlabel(_("probability that every party accepts the package, %"))
    ax.grid(axis="x", color="#eeeeee", linewidth=0.5)
    ax.set_axisbelow(True)
    plot = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": p.tolist(),
                "y": labels,
                "marker": {"color": colours},
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": (hi - p).tolist(),
                    "arrayminus": (p - lo).tolist(),
                },
                "hovertemplate": "%{y}: %{x:.0f} %<extra></extra>",
            }
        ],
        "layout": {
            "height": 120 + 30 * len(entries),
            "margin": {"l": 220, "t": 10},
            "xaxis": {"range": [0, 100], "title": {"text": _("agreement probability, %")}},
            "yaxis": {"autorange": "reversed"},
        },
    }
    return Chart(fig, plot)


def narrative_timeline_chart(data: dict[str, Any], labels: Sequence[str]) -> Chart:
    """Posts per day of each narrative of the narrative section (``data["narratives"]``)."""
    days = sorted({d for n in data["narratives"] for d in n["volume"]})
    fig = _figure(6.6, 2.6)
    _margins(fig, 0.55, 0.1, 0.1, 0.75)
    ax = fig.add_subplot()
    traces = []
    for k, (nar, label) in enumerate(zip(data["narratives"], labels, strict=True)):
        ys = [nar["volume"].get(d, 0) for d in days]
        colour = PALETTE[k % len(PALETTE)]
        ax.plot(range(len(days)), ys, color=colour, marker="o", markersize=2.5, label=label)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": label,
                "x": days,
                "y": ys,
                "line": {"color": colour},
            }
        )
    step = max(1, len(days) // 8)
    ax.set_xticks(range(0, len(days), step), [days[i] for i in range(0, len(days), step)])
    ax.set_ylabel("posts")
    ax.grid(color="#eeeeee", linewidth=0.5)
    ax.legend(loc="upper left", ncol=2, bbox_to_anchor=(0, -0.12), fontsize=6.5)
    layout = {
        "height": 360,
        "yaxis": {"title": {"text": "posts"}},
        "margin": {"t": 10},
        "legend": {"orientation": "h", "y": -0.25},
    }
    return Chart(fig, {"data": traces, "layout": layout})


def coordination_network_chart(data: dict[str, Any], label: str) -> Chart:
    """The kept account network of the narrative section, nodes coloured by cluster.

    Positions are the stored layout (``data["network"]``); ``label`` formats a cluster's legend
    entry from its number (e.g. "Cluster {number}")."""
    net = data["network"]
    where = {n["account"]: (n["x"], n["y"]) for n in net["nodes"]}
    fig = _figure(6.6, 3.6)
    _margins(fig, 0.1, 0.1, 0.1, 0.1)
    ax = fig.add_subplot()
    ax.set_axis_off()
    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b, _w in net["edges"]:
        ax.plot(*zip(where[a], where[b], strict=True), color="#bbbbbb", linewidth=0.4, zorder=1)
        xs += [where[a][0], where[b][0], None]
        ys += [where[a][1], where[b][1], None]
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": ys,
            "line": {"width": 0.6, "color": "#bbbbbb"},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    ]
    for number in sorted({n["cluster"] for n in net["nodes"]}):
        members = [n for n in net["nodes"] if n["cluster"] == number]
        colour = PALETTE[(number - 1) % len(PALETTE)] if number else "#999999"
        name = label.format(number=number) if number else ""
        ax.scatter(
            [n["x"] for n in members],
            [n["y"] for n in members],
            s=9,
            color=colour,
            label=name or None,
            zorder=2,
        )
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [n["x"] for n in members],
                "y": [n["y"] for n in members],
                "text": [n["account"] for n in members],
                "hoverinfo": "text",
                "marker": {"size": 8, "color": colour},
            }
        )
    if net["nodes"]:
        ax.legend(loc="upper left", ncol=3, fontsize=6.5)
    layout = {
        "height": 420,
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
        "margin": {"t": 10, "l": 10, "r": 10, "b": 10},
    }
    return Chart(fig, {"data": traces, "layout": layout})
