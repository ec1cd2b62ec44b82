"""Expert panels: several analysts code one scenario; agreement is measured, disagreement
becomes the forecast's uncertainty.

- :mod:`~minilateral.panels.reliability`: Krippendorff's alpha and the Shrout–Fleiss ICCs
  (pure array functions);
- :mod:`~minilateral.panels.codings`: validating a coding, stacking codings into arrays,
  aggregation into a scenario, anonymised round summaries;
- :mod:`~minilateral.panels.analysis`: the reliability report of a panel and
  :func:`~minilateral.panels.analysis.brief_data` for a brief's panel section;
- :mod:`~minilateral.panels.store`: panels, invitations, Delphi rounds and codings in the
  database, with the visibility rules of coders and owners.
"""

from __future__ import annotations

from minilateral.montecarlo.perturb import PanelPlan, panel_plan
from minilateral.panels.analysis import brief_data, disagreement, reliability_report
from minilateral.panels.codings import (
    Coding,
    PanelData,
    aggregate,
    fitted_uncertainty,
    read_coding,
    round_summary,
    validate_coding,
)
from minilateral.panels.reliability import icc, krippendorff_alpha
from minilateral.scenario import Scenario

__all__ = [
    "Coding",
    "PanelData",
    "PanelPlan",
    "aggregate",
    "brief_data",
    "disagreement",
    "fitted_uncertainty",
    "icc",
    "krippendorff_alpha",
    "read_coding",
    "reliability_report",
    "round_summary",
    "sweep_plan",
    "validate_coding",
]


def sweep_plan(scenario: Scenario, data: PanelData, *, label: str = "panel") -> PanelPlan:
    """A sweep input plan that resamples each cell from the panel's codings.

    ``scenario`` is the panel's aggregate (:func:`aggregate`); pass the plan to
    :func:`minilateral.montecarlo.engine.sweep` as ``input_plan``.
    """
    return panel_plan(scenario, data.positions, data.salience, data.capability, label=label)
