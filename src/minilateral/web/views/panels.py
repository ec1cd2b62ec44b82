"""Panel pages: list and create, the panel (invite, rounds), the coding form, round summaries
and the reliability report with its heat map of disagreement."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from minilateral.errors import MinilateralError
from minilateral.i18n import N_
from minilateral.panels.codings import Coding, coding_from_scenario
from minilateral.panels.store import PanelRepository
from minilateral.scenario import Scenario
from minilateral.web.errors import status_of
from minilateral.web.schemas import MAX_ID
from minilateral.web.views._common import (
    PageAuth,
    PageRepo,
    check_csrf,
    page_gettext,
    render,
)

router = APIRouter()

PanelId = Annotated[int, Path(ge=1, le=MAX_ID)]
RoundNo = Annotated[int, Path(ge=1, le=10_000)]
_LEVELS = ("interval", "ordinal", "ratio", "nominal")
#: Reader-facing names of Krippendorff's levels of measurement (translated in the template).
_LEVEL_LABELS = {
    "interval": N_("interval"),
    "ordinal": N_("ordinal"),
    "ratio": N_("ratio"),
    "nominal": N_("nominal"),
}


def _panels(repo: PageRepo) -> PanelRepository:
    return PanelRepository(repo.session, repo.principal)


def _list(
    request: Request, auth: PageAuth, repo: PageRepo, status: int = 200, error: str | None = None
) -> Response:
    panels = _panels(repo)
    writable = list(repo.list_scenarios(limit=200).items)
    return render(
        request,
        "panels.html",
        auth,
        status,
        panels=[panels.view(a.panel.id) for a in panels.list_panels()],
        scenarios=writable,
        can_create=any(r in ("owner", "analyst") for r in repo.principal.roles.values()),
        error=error,
    )


@router.get("/panels")
def panel_list(request: Request, auth: PageAuth, repo: PageRepo) -> Response:
    """Panels the user manages or codes, and the form to start one."""
    return _list(request, auth, repo)


@router.post("/panels")
async def panel_create(request: Request, auth: PageAuth, repo: PageRepo) -> Response:
    """Start a panel on a scenario."""
    form = await check_csrf(request, auth)
    try:
        scenario_id = int(form.get("scenario_id", ""))
        panel = _panels(repo).create(scenario_id, form.get("name", ""))
    except ValueError:
        return _list(
            request, auth, repo, 400, page_gettext(request, auth)(N_("Choose a scenario."))
        )
    except MinilateralError as err:
        return _list(request, auth, repo, status_of(err), str(err))
    repo.session.commit()
    return RedirectResponse(f"/panels/{panel.id}", status_code=303)


def _detail(
    request: Request,
    auth: PageAuth,
    repo: PageRepo,
    panel_id: int,
    status: int = 200,
    error: str | None = None,
    notice: str | None = None,
) -> Response:
    panels = _panels(repo)
    return render(
        request,
        "panel.html",
        auth,
        status,
        panel=panels.view(panel_id),
        error=error,
        notice=notice,
    )


@router.get("/panels/{panel_id}")
def panel_page(request: Request, panel_id: PanelId, auth: PageAuth, repo: PageRepo) -> Response:
    """The panel: rounds, coders (owners), and the links to code and to read the summaries."""
    return _detail(request, auth, repo, panel_id)


@router.post("/panels/{panel_id}/invite")
async def panel_invite(
    request: Request, panel_id: PanelId, auth: PageAuth, repo: PageRepo
) -> Response:
    """Invite a coder by e-mail address."""
    form = await check_csrf(request, auth)
    email = form.get("email", "")
    try:
        member = _panels(repo).invite(panel_id, email)
    except MinilateralError as err:
        repo.session.rollback()
        return _detail(request, auth, repo, panel_id, status_of(err), str(err))
    repo.session.commit()
    return _detail(request, auth, repo, panel_id, notice=f"{email} invited as {member.pseudonym}.")


@router.post("/panels/{panel_id}/close")
async def panel_close(
    request: Request, panel_id: PanelId, auth: PageAuth, repo: PageRepo
) -> Response:
    """Close the open round (or end the panel)."""
    form = await check_csrf(request, auth)
    try:
        closed = _panels(repo).close_round(panel_id, final=form.get("final") == "1")
    except MinilateralError as err:
        repo.session.rollback()
        return _detail(request, auth, repo, panel_id, status_of(err), str(err))
    number = closed.number
    repo.session.commit()
    return RedirectResponse(f"/panels/{panel_id}/rounds/{number}", status_code=303)


@router.post("/panels/{panel_id}/aggregate")
async def panel_aggregate(
    request: Request, panel_id: PanelId, auth: PageAuth, repo: PageRepo
) -> Response:
    """Aggregate the codings into a new scenario version."""
    form = await check_csrf(request, auth)
    method = form.get("method", "median")
    try:
        version = _panels(repo).aggregate(panel_id, method=method)
    except MinilateralError as err:
        repo.session.rollback()
        return _detail(request, auth, repo, panel_id, status_of(err), str(err))
    scenario_id = version.scenario_id
    repo.session.commit()
    return RedirectResponse(f"/scenarios/{scenario_id}", status_code=303)


# -- the coding form --------------------------------------------------------------------------


def _form_values(scenario: Scenario, coding: Coding) -> dict[str, str]:
    values: dict[str, str] = {}
    for i, actor in enumerate(scenario.actors):
        a = next((x for x in coding.actors if x.actor == actor.name), None)
        if a is not None:
            values[f"cap-{i}"] = f"{a.capability:g}"
            values[f"capwhy-{i}"] = a.rationale
        for j, issue in enumerate(scenario.issues):
            c = coding.cell(actor.name, issue.name)
            if c is None:
                continue
            values[f"pos-{i}-{j}"] = f"{c.position:g}"
            values[f"sal-{i}-{j}"] = f"{c.salience:g}"
            values[f"low-{i}-{j}"] = "" if c.low is None else f"{c.low:g}"
            values[f"high-{i}-{j}"] = "" if c.high is None else f"{c.high:g}"
            values[f"why-{i}-{j}"] = c.rationale
    return values


class _FormError(ValueError):
    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


def _number(form: dict[str, str], key: str, label: str) -> float | None:
    text = form.get(key, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise _FormError(f"{label}: '{text}' is not a number", key) from None
    if not math.isfinite(value):
        raise _FormError(f"{label}: '{text}' is not a finite number", key)
    return value


def _coding_from_form(scenario: Scenario, form: dict[str, str]) -> dict[str, Any]:
    cells, actors = [], []
    for i, actor in enumerate(scenario.actors):
        cap = _number(form, f"cap-{i}", f"{actor.name}, capability")
        if cap is not None:
            actors.append(
                {
                    "actor": actor.name,
                    "capability": cap,
                    "rationale": form.get(f"capwhy-{i}", "")[:2000],
                }
            )
        for j, issue in enumerate(scenario.issues):
            if issue.name not in actor.positions:
                continue
            where = f"{actor.name} on {issue.label or issue.name}"
            pos = _number(form, f"pos-{i}-{j}", f"{where}, position")
            sal = _number(form, f"sal-{i}-{j}", f"{where}, salience")
            if pos is None or sal is None:
                continue  # reported as a missing cell by the validation
            cell: dict[str, Any] = {
                "actor": actor.name,
                "issue": issue.name,
                "position": pos,
                "salience": sal,
            }
            low = _number(form, f"low-{i}-{j}", f"{where}, low end of the range")
            high = _number(form, f"high-{i}-{j}", f"{where}, high end of the range")
            if low is not None:
                cell["low"] = low
            if high is not None:
                cell["high"] = high
            cell["rationale"] = form.get(f"why-{i}-{j}", "")[:2000]
            cells.append(cell)
    return {"cells": cells, "actors": actors}


def _error_key(scenario: Scenario, err: MinilateralError) -> str | None:
    """The form field of a validation error located at ``Actor / issue`` and a field."""
    row = str(err.row or "")
    names = [a.name for a in scenario.actors]
    issues = [q.name for q in scenario.issues]
    actor, _, issue = row.partition(" / ")
    if actor not in names:
        return None
    i = names.index(actor)
    if not issue:
        return f"cap-{i}"
    if issue not in issues:
        return None
    prefix = {"position": "pos", "salience": "sal", "low": "low", "high": "high"}.get(
        err.field or "", "pos"
    )
    return f"{prefix}-{i}-{issues.index(issue)}"


def _code_page(
    request: Request,
    auth: PageAuth,
    repo: PageRepo,
    panel_id: int,
    values: dict[str, str] | None = None,
    status: int = 200,
    error: str | None = None,
    error_key: str | None = None,
    notice: str | None = None,
) -> Response:
    panels = _panels(repo)
    view = panels.view(panel_id)
    scenario = panels.scenario(panel_id)
    if values is None:
        own = panels.own_codings(panel_id)
        start = own[max(own)] if own else coding_from_scenario(scenario)
        values = _form_values(scenario, start)
    return render(
        request,
        "panel_code.html",
        auth,
        status,
        panel=view,
        scenario=scenario,
        values=values,
        error=error,
        error_key=error_key,
        notice=notice,
    )


@router.get("/panels/{panel_id}/code")
def panel_code(request: Request, panel_id: PanelId, auth: PageAuth, repo: PageRepo) -> Response:
    """The coding form of the open round, filled with the user's last coding (or the
    scenario's values)."""
    return _code_page(request, auth, repo, panel_id)


@router.post("/panels/{panel_id}/code")
async def panel_submit(
    request: Request, panel_id: PanelId, auth: PageAuth, repo: PageRepo
) -> Response:
    """Submit the coding form; errors re-show the form with the values as entered."""
    form = await check_csrf(request, auth)
    panels = _panels(repo)
    scenario = panels.scenario(panel_id)
    values = {
        k: v
        for k, v in form.items()
        if k.split("-")[0] in ("pos", "sal", "low", "high", "why", "cap", "capwhy")
    }
    try:
        number = int(form["round"]) if form.get("round", "").isdigit() else None
        row = panels.submit(panel_id, _coding_from_form(scenario, form), number=number)
    except _FormError as err:
        return _code_page(request, auth, repo, panel_id, values, 400, str(err), err.key)
    except MinilateralError as err:
        repo.session.rollback()
        return _code_page(
            request,
            auth,
            repo,
            panel_id,
            values,
            status_of(err),
            str(err),
            _error_key(scenario, err),
        )
    number = row.round.number
    repo.session.commit()
    return _code_page(
        request,
        auth,
        repo,
        panel_id,
        notice=page_gettext(request, auth)(N_("Your coding for round {number} is saved.")).format(
            number=number
        ),
    )


@router.get("/panels/{panel_id}/rounds/{number}")
def panel_round(
    request: Request, panel_id: PanelId, number: RoundNo, auth: PageAuth, repo: PageRepo
) -> Response:
    """The anonymised summary of a closed round."""
    panels = _panels(repo)
    view = panels.view(panel_id)
    summary = panels.summary(panel_id, number)
    scenario = panels.scenario(panel_id)
    own = panels.own_codings(panel_id).get(number)
    return render(
        request,
        "panel_round.html",
        auth,
        panel=view,
        number=number,
        summary=summary,
        labels={q.name: q.label or q.name for q in scenario.issues},
        own=own,
    )


def _colour(sd: float | None) -> str:
    """A white-to-red background for a spread on the unit scale (0.25 and above: darkest)."""
    if sd is None:
        return "#eef1f4"
    t = min(sd / 0.25, 1.0)
    r, g, b = 255, round(255 - 175 * t), round(255 - 175 * t)
    return f"rgb({r}, {g}, {b})"


@router.get("/panels/{panel_id}/report")
def panel_report(
    request: Request,
    panel_id: PanelId,
    auth: PageAuth,
    repo: PageRepo,
    level: Annotated[str, Query(max_length=20)] = "interval",
) -> Response:
    """The reliability report: alpha overall, by field, actor and issue; ICC; the heat map of
    the coders' spread per cell; the cells and coders that disagree most."""
    panels = _panels(repo)
    view = panels.view(panel_id)
    report = panels.report(panel_id, level=level if level in _LEVELS else "interval")
    scenario = panels.scenario(panel_id)
    return render(
        request,
        "panel_report.html",
        auth,
        panel=view,
        report=report,
        labels={q.name: q.label or q.name for q in scenario.issues},
        colour=_colour,
        levels=_LEVELS,
        level_labels=_LEVEL_LABELS,
    )
