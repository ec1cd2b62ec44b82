"""The data section of ``minilateral demo``: Türkiye–Qatar–Egypt alignment and GCC cohesion.

Runs only when the UN votes are installed; writes ``alignment.html`` beside the demo's
``index.html`` (using the same local ``plotly.min.js``) and returns the rows for
``results.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minilateral.alignment.api import AlignmentResult
from minilateral.alignment.indices import cohesion_table
from minilateral.alignment.votes import dyad_measures, load_votes
from minilateral.data.states import GROUPS
from minilateral.data.store import require
from minilateral.errors import DataError

__all__ = ["data_section"]

TRIO = {640: "Türkiye", 694: "Qatar", 651: "Egypt"}


def data_section(out: str | Path, root: str | Path | None = None) -> dict[str, Any] | None:
    """Compute and draw the demo's data section; ``None`` when no UN votes are installed."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    try:
        require(["un_votes_ccode"], root)
        rc = load_votes("un_votes_ccode", root)
    except DataError:
        return None
    last = max(rc.years)
    last_date = rc.votes.loc[rc.votes["year"] == last]
    years = list(range(2000, last + 1))
    trio = dyad_measures(rc, sorted(TRIO), years)
    gcc = cohesion_table(rc, GROUPS["GCC"], years)
    notes = [
        f"UN General Assembly votes end in {last} (first half only: the last roll call is in "
        f"session {int(last_date['rc'].max()) // 1000}); Türkiye has too few votes in 2023, so "
        "its 2023 pairs are not computed",
        "no roll calls between 2021-12-24 and 2022-11-03",
    ]
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(
            "Türkiye, Qatar and Egypt: agreement in UN votes (solid) and chance-corrected (dotted)",
            "GCC cohesion: share of unanimous votes against its agenda baseline",
        ),
    )
    for (a, b), grp in trio.groupby(["a", "b"]):
        label = f"{TRIO[a]}–{TRIO[b]}"
        fig.add_trace(
            go.Scatter(
                x=grp["year"], y=grp["agree_half"], name=f"{label} agreement", mode="lines+markers"
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=grp["year"],
                y=grp["kappa_sq"],
                name=f"{label} chance-corrected",
                mode="lines",
                line={"dash": "dot"},
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scatter(
            x=gcc["year"],
            y=gcc["unanimity_share"],
            name="GCC unanimity share",
            mode="lines+markers",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(x=gcc["year"], y=gcc["baseline_agenda"], name="agenda baseline", mode="lines"),
        row=1,
        col=2,
    )
    fig.add_vrect(
        x0=2016.5 + 155 / 365,
        x1=2020.5 + 5 / 365,
        fillcolor="rgba(199,119,0,0.12)",
        line_width=0,
        annotation_text="blockade of Qatar, 2017–2021",
        annotation_position="bottom",
        row=1,
        col=2,
    )
    fig.update_layout(
        title="Alignment in UN votes — " + "; ".join(notes),
        height=560,
        width=1400,
        template="plotly_white",
        title_font_size=12,
    )
    Path(out).mkdir(parents=True, exist_ok=True)
    Path(out, "alignment.html").write_text(
        fig.to_html(include_plotlyjs="directory", full_html=True), encoding="utf-8"
    )
    cols = [
        "year",
        "n_dyads",
        "mean_agree_half",
        "unanimity_share",
        "baseline_agenda",
        "log10_p",
        "bloc",
    ]
    return {
        "last_year": last,
        "trio": AlignmentResult(trio).records(),
        "gcc": AlignmentResult(gcc[cols]).records(),
        "notes": notes,
    }
