"""Alignment queries (``minilateral.alignment``) over the installed reference data.

The same functions as ``minilateral align``: UN-vote dyads, group cohesion, and the regional
alignment map as a Plotly figure. Without installed data the answer is 409 with the command
that installs them.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from minilateral import alignment as al
from minilateral.web.dependencies import AuthDep
from minilateral.web.errors import error_responses

router = APIRouter(prefix="/api/alignment", tags=["alignment"])

# Years as in the CLI ("2010-2019", "2015,2018"), four digits each: bounded work per query.
# Spaces only (not tabs, form feeds or line breaks), years 1000-2999.
_Y = r"[12]\d{3}"
YEARS_PATTERN = rf"^ *{_Y}( *- *{_Y})?( *, *{_Y}( *- *{_Y})?){{0,20}} *$"
Years = Annotated[
    str, Query(pattern=YEARS_PATTERN, max_length=200, description="e.g. 2010-2019 or 2015,2018")
]
States = Annotated[
    str,
    Query(
        min_length=1,
        max_length=500,
        description="Comma-separated COW codes, COW abbreviations, ISO3 codes, names or groups.",
    ),
]
Year = Annotated[int, Query(ge=1816, le=2100)]
_ERRORS = error_responses(400, 401, 409, 422)


class AlignmentOut(BaseModel):
    """Rows of a measure, notes on coverage and ambiguity, and provenance."""

    rows: list[dict[str, Any]]
    notes: list[str]
    provenance: dict[str, Any]


class AlignmentMap(BaseModel):
    """The alignment map as a Plotly figure (``data`` and ``layout``) with notes."""

    figure: dict[str, Any]
    notes: list[str]
    provenance: dict[str, Any]


def _out(result: al.AlignmentResult) -> AlignmentOut:
    data = result.to_dict()
    return AlignmentOut(rows=data["rows"], notes=data["notes"], provenance=data["provenance"])


@router.get("/dyads", response_model=AlignmentOut, responses=_ERRORS)
def dyads(auth: AuthDep, states: States, years: Years, pooled: bool = False) -> AlignmentOut:
    """UN agreement, S, κ and π of every pair of states, per year or pooled."""
    return _out(al.dyads(states, years, pooled=pooled))


@router.get("/cohesion", response_model=AlignmentOut, responses=_ERRORS)
def cohesion(auth: AuthDep, years: Years, group: States = "GCC") -> AlignmentOut:
    """Group cohesion per year: agreement, dispersion, bloc test, defection."""
    return _out(al.cohesion(group, years))


@router.get("/map", response_model=AlignmentMap, responses=_ERRORS)
def alignment_map(
    auth: AuthDep,
    year: Year,
    states: Annotated[str | None, Query(max_length=500)] = None,
    edge: Literal["kappa_sq", "S_varw", "agree_half"] = "kappa_sq",
) -> AlignmentMap:
    """The regional alignment map (network of agreement and heatmap) for ``year``."""
    return AlignmentMap(**figure_for(year, states, edge))


def figure_for(year: int, states: str | None, edge: str = "kappa_sq") -> dict[str, Any]:
    """The map figure as JSON-ready data, with notes and provenance."""
    from minilateral.presentation.alignment import alignment_figure

    names = [s.strip() for s in states.split(",") if s.strip()] if states else None
    figure, result = alignment_figure(year, names or None, edge=edge)
    return {
        "figure": json.loads(figure.to_json()),
        "notes": result.notes,
        "provenance": result.to_dict()["provenance"],
    }
