"""Dialogue briefs: HTML and A4 PDF reports generated from the results of a run.

>>> from minilateral.brief import run_brief, write_brief            # doctest: +SKIP
>>> run = run_brief(["gaza", "sudan"], draws=1000, seed=1, org="Ex.")  # doctest: +SKIP
>>> write_brief(run, "brief.pdf")                                     # doctest: +SKIP
"""

from minilateral.brief.render import render_html, render_pdf, write_brief, write_results
from minilateral.brief.run import BriefRun, Theatre, default_models, run_brief

__all__ = [
    "BriefRun",
    "Theatre",
    "default_models",
    "render_html",
    "render_pdf",
    "run_brief",
    "write_brief",
    "write_results",
]
