"""The sensitivity chart (moved from ``montecarlo.sensitivity``)."""

from __future__ import annotations

from pathlib import Path

from minilateral.errors import StoreError
from minilateral.montecarlo.sensitivity import MEASURES, SensitivityResult

__all__ = ["write_chart"]


def write_chart(result: SensitivityResult, path: str | Path, *, top: int = 15) -> Path:
    """A self-contained HTML page with one bar chart per issue: the ``top`` factors, ranked."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    issues = result.issues
    fig = make_subplots(
        rows=len(issues), cols=1, subplot_titles=issues, vertical_spacing=0.3 / len(issues)
    )
    measure = result.measure
    second = MEASURES[result.method][1]
    for r, issue in enumerate(issues, start=1):
        rows = result.ranked(issue, top).iloc[::-1]
        for col, colour in ((measure, "#0b3954"), (second, "#c8553d")):
            fig.add_trace(
                go.Bar(
                    x=rows[col],
                    y=rows["factor"],
                    orientation="h",
                    name=col,
                    marker_color=colour,
                    showlegend=r == 1,
                    legendgroup=col,
                ),
                row=r,
                col=1,
            )
    fig.update_layout(
        title=f"Sensitivity of the {result.model} forecast ({result.method}, "
        f"{result.evaluations} runs)",
        barmode="group",
        height=120 + len(issues) * (90 + 32 * min(top, len(result.ranked(issues[0])))),
        margin={"l": 260},
    )
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fig.write_html(target, include_plotlyjs=True, full_html=True)
    except OSError as err:
        raise StoreError(f"cannot write the chart: {err.strerror or err}", path=target) from err
    return target
