"""Codings for panel tests: the small test scenario coded with a chosen spread."""

from __future__ import annotations

import copy
from typing import Any

from tests.conftest import scenario_dict


def coding(shift: float = 0.0, *, aid: float = 0.0, rationale: str = "") -> dict[str, Any]:
    """A complete coding of :func:`tests.conftest.scenario_dict`, positions moved by ``shift``
    (ceasefire) and ``aid`` (aid scale)."""
    base = scenario_dict()
    cells, actors = [], []
    for a in base["actors"]:
        for issue, pos in a["positions"].items():
            move = shift if issue == "ceasefire" else aid
            lo, hi = (0, 100) if issue == "ceasefire" else (0, 10)
            cells.append(
                {
                    "actor": a["name"],
                    "issue": issue,
                    "position": min(max(pos + move, lo), hi),
                    "salience": a["salience"][issue],
                    "rationale": rationale,
                }
            )
        actors.append({"actor": a["name"], "capability": a["capability"]})
    return {"cells": cells, "actors": actors}


def with_cell(doc: dict[str, Any], actor: str, issue: str, **values: Any) -> dict[str, Any]:
    """``doc`` with one cell's fields replaced."""
    out = copy.deepcopy(doc)
    for cell in out["cells"]:
        if cell["actor"] == actor and cell["issue"] == issue:
            cell.update(values)
    return out
