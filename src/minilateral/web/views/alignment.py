"""The alignment map of the states at the table, shown on a run's results page (HTMX fragment).

The states are the scenario's actors of kind ``state`` whose ``code`` names a state (COW code,
COW abbreviation or ISO3); the year is the scenario's year, stepping back to the latest year
with enough joint UN roll calls to measure agreement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from minilateral.errors import DataError, QueryError
from minilateral.scenario import Scenario
from minilateral.web.schemas import MAX_ID
from minilateral.web.views._common import PageAuth, PageRepo, page_gettext, render

router = APIRouter()

_LOOKBACK = 3  # years to step back while the scenario's year has too few joint roll calls


def _state_codes(
    scenario: Scenario, gettext: Callable[[str], str] = str
) -> tuple[list[str], list[str]]:
    """Codes of state actors that resolve, and notes on the ones that do not."""
    from minilateral.data.states import resolver

    resolve = resolver(None)
    codes, notes = [], []
    for actor in scenario.actors:
        if actor.kind != "state" or not actor.code:
            continue
        try:
            resolve.resolve([actor.code])
        except QueryError:
            notes.append(
                gettext("%(name)s (%(code)s) is not a state in the COW system list")
                % {"name": actor.name, "code": actor.code}
            )
            continue
        codes.append(actor.code)
    return codes, notes


def alignment_context(scenario: Scenario, gettext: Callable[[str], str] = str) -> dict[str, Any]:
    """The map figure of the scenario's states, or a message saying why there is none."""
    from minilateral.forecast import dumps_json
    from minilateral.presentation.alignment import alignment_figure, autonomy_choropleth

    try:
        codes, notes = _state_codes(scenario, gettext)
    except DataError as err:
        return {"message": str(err)}
    if len(codes) < 2:
        return {"message": gettext("fewer than two actors of this scenario are states with a code")}
    year = (scenario.date or dt.date.today()).year
    for _ in range(_LOOKBACK + 1):
        try:
            figure, result = alignment_figure(year, codes)
        except DataError as err:
            return {"message": str(err)}
        if result.frame["agree_half"].notna().any():
            break
        year -= 1
    map_json = None
    try:
        choropleth, map_notes = autonomy_choropleth(year, codes)
    except (DataError, KeyError, ValueError) as err:  # e.g. no pole in the vote table that year
        map_notes = [f"no autonomy map: {err}"]
    else:
        map_json = dumps_json(choropleth).replace("</", "<\\/")
    return {
        "year": year,
        "notes": notes + result.notes + map_notes,
        "figure_json": figure.to_json().replace("</", "<\\/"),
        "map_json": map_json,
    }


@router.get("/runs/{run_id}/alignment")
def run_alignment(
    request: Request,
    run_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    auth: PageAuth,
    repo: PageRepo,
) -> Response:
    """The alignment map fragment of a run's scenario."""
    run = repo.get_run(run_id)
    gettext = page_gettext(request, auth)
    if run.scenario_version is None:
        message = gettext("the run has no stored input")
        return render(request, "_alignment.html", auth, message=message)
    scenario = Scenario.model_validate(run.scenario_version.content)
    return render(request, "_alignment.html", auth, **alignment_context(scenario, gettext))


__all__ = ["alignment_context", "router"]
