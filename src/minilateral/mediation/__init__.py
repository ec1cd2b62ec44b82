"""Mediation design: mediator profiles, the settlement measure and the coalition search."""

from minilateral.mediation.coalitions import (
    Candidate,
    CoalitionSearch,
    add_coalition,
    proposal_point,
    resolve_candidates,
    search_coalitions,
    search_theatre,
)
from minilateral.mediation.settlement import summarize_settlement, wilson_interval

__all__ = [
    "Candidate",
    "CoalitionSearch",
    "add_coalition",
    "proposal_point",
    "resolve_candidates",
    "search_coalitions",
    "search_theatre",
    "summarize_settlement",
    "wilson_interval",
]
