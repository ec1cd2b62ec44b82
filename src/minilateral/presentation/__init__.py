"""Presentation: every Plotly and Matplotlib figure and every HTML fragment built in Python.

The computing packages (models, montecarlo, mediation, alignment, narratives, ...) return data;
the edges (CLI, web, brief, demo) import this package to draw it (docs/architecture.md).
"""

from pathlib import Path


def plotly_js() -> str:
    """The installed plotly.js bundle (pages embed or copy it; no network request)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def figure_json(figure: object) -> str:
    """A Plotly figure as JSON safe to embed in a ``<script>`` element (``</`` escaped)."""
    import plotly.io as pio

    return str(pio.to_json(figure)).replace("</", "<\\/")


def plotly_assets() -> str:
    """The directory of the installed plotly.js files (the web app serves it as static files)."""
    import plotly

    return str(Path(plotly.__file__).parent / "package_data")
