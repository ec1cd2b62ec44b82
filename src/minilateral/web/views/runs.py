"""Run pages: list, live progress (HTMX polling), cancel/restart, and results with charts."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from minilateral.brief import render_html, render_pdf, run_brief
from minilateral.errors import MinilateralError
from minilateral.forecast import dumps_json
from minilateral.i18n import N_
from minilateral.io.yaml_io import write_yaml
from minilateral.scenario import Scenario
from minilateral.store.orm import Run, RunStatus
from minilateral.web.schemas import MAX_ID
from minilateral.web.views._common import (
    PageAuth,
    PageRepo,
    check_csrf,
    page_gettext,
    page_language,
    render,
)

router = APIRouter()

RunId = Annotated[int, Path(ge=1, le=MAX_ID)]
_FINISHED = {RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.INTERRUPTED}


KIND_LABELS = {
    "forecast": N_("Forecast"),
    "sweep": N_("Monte Carlo sweep"),
    "coalitions": N_("Coalition search"),
    "sensitivity": N_("Sensitivity"),
}
"""Reader-facing names of the run kinds; a registered kind without one shows its name."""


def kind_labels() -> dict[str, str]:
    """Every run kind (built-in and registered) with its label."""
    from minilateral.web.jobs import RUN_KINDS

    return {k: KIND_LABELS.get(k, k.replace("_", " ").capitalize()) for k in RUN_KINDS}


@router.get("/runs")
def run_list(
    request: Request,
    auth: PageAuth,
    repo: PageRepo,
    kind: Annotated[str, Query(max_length=40)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    model: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The user's visible runs, newest first, filtered by kind, status and model."""
    from minilateral.models.registry import available_models

    kinds = kind_labels()
    statuses = [s.value for s in RunStatus]
    models = sorted(available_models())
    chosen = {
        "kind": kind if kind in kinds else "",
        "status": status if status in statuses else "",
        "model": model if model in models else "",
    }
    page = repo.list_runs(
        limit=100,
        kind=chosen["kind"] or None,
        status=chosen["status"] or None,
        model=chosen["model"] or None,
    )
    return render(
        request,
        "runs.html",
        auth,
        runs=page.items,
        total=page.total,
        kinds=kinds,
        statuses=statuses,
        models=models,
        chosen=chosen,
    )


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: RunId, auth: PageAuth, repo: PageRepo) -> Response:
    """A run's status and progress, refreshed live until it finishes."""
    return _status(request, auth, repo, repo.get_run(run_id), "run.html")


def _status(request: Request, auth: PageAuth, repo: PageRepo, run: Run, template: str) -> Response:
    return render(
        request,
        template,
        auth,
        run=run,
        finished=run.status in _FINISHED,
        can_write=repo.principal.can_write(run.org_id),
    )


@router.get("/runs/{run_id}/status")
def run_status(request: Request, run_id: RunId, auth: PageAuth, repo: PageRepo) -> Response:
    """The status fragment polled by the run page; sends the browser to the results when done."""
    run = repo.get_run(run_id)
    if run.status == RunStatus.DONE and request.headers.get("HX-Request"):
        return Response(status_code=200, headers={"HX-Redirect": f"/runs/{run_id}/result"})
    return _status(request, auth, repo, run, "_run_status.html")


@router.post("/runs/{run_id}/cancel")
async def run_cancel(request: Request, run_id: RunId, auth: PageAuth, repo: PageRepo) -> Response:
    """Cancel a queued or running run."""
    await check_csrf(request, auth)
    try:
        repo.cancel_run(run_id)
    except MinilateralError:
        repo.get_run(run_id)  # 404 for runs the user cannot see; finished runs just reload
    else:
        repo.session.commit()
        request.app.state.jobs.cancel(run_id)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@router.post("/runs/{run_id}/restart")
async def run_restart(request: Request, run_id: RunId, auth: PageAuth, repo: PageRepo) -> Response:
    """Queue an interrupted, failed or cancelled run again."""
    await check_csrf(request, auth)
    repo.restart_run(run_id)
    repo.session.commit()
    request.app.state.jobs.submit(run_id)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


def _chart(run: Run, payload: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """Data for the results chart: per issue, each actor's path over rounds (or its position
    for static models) and the outcome; positions on the issue's own scale."""
    issues = []
    trajectory = payload.get("trajectory")
    for q, issue in enumerate(scenario.issues):
        actors = []
        for i, actor in enumerate(scenario.actors):
            if issue.name not in actor.positions:
                continue
            path = (
                [state[i][q] for state in trajectory]
                if trajectory
                else [actor.positions[issue.name]]
            )
            actors.append(
                {"name": actor.name, "path": path, "salience": actor.salience[issue.name]}
            )
        issues.append(
            {
                "name": issue.name,
                "lo": issue.lo,
                "hi": issue.hi,
                "lo_label": issue.lo_label or "",
                "hi_label": issue.hi_label or "",
                "outcome": payload["outcome"][q],
                "actors": actors,
            }
        )
    return {"model": run.model, "dynamic": trajectory is not None, "issues": issues}


def _chart_labels(gettext: Any) -> dict[str, str]:
    """The results chart's own words, in the page's language (read by ``static/app.js``)."""
    return {"round": gettext("round"), "salience": gettext("salience")}


@router.get("/runs/{run_id}/result")
def run_result(request: Request, run_id: RunId, auth: PageAuth, repo: PageRepo) -> Response:
    """The outcome table, the trajectory chart and the outcome of every model on this input."""
    run = repo.get_run(run_id)
    if run.status != RunStatus.DONE or not run.results or run.scenario_version is None:
        return RedirectResponse(f"/runs/{run_id}", status_code=303)
    payload = run.results[0].payload
    scenario = Scenario.model_validate(run.scenario_version.content)
    if run.kind == "sweep":
        return render(
            request, "result_sweep.html", auth, run=run, summary=payload, scenario=scenario
        )
    if run.kind == "coalitions":
        return render(
            request, "result_coalitions.html", auth, run=run, search=payload, scenario=scenario
        )
    siblings = repo.list_runs(scenario_id=run.scenario_id, status=RunStatus.DONE.value, limit=200)
    per_model: dict[str, Run] = {}
    for other in siblings.items:
        if other.scenario_version_id == run.scenario_version_id and other.kind == "forecast":
            per_model.setdefault(other.model, other)
    comparison = [
        (name, other, other.results[0].payload["outcome"])
        for name, other in sorted(per_model.items())
        if other.results
    ]
    return render(
        request,
        "result.html",
        auth,
        run=run,
        payload=payload,
        scenario=scenario,
        chart_json=dumps_json(
            {**_chart(run, payload, scenario), "labels": _chart_labels(page_gettext(request, auth))}
        ).replace("</", "<\\/"),
        comparison=comparison,
    )


@router.get("/runs/{run_id}/brief.{fmt}")
def run_brief_download(
    request: Request, run_id: RunId, fmt: Literal["pdf", "html"], auth: PageAuth, repo: PageRepo
) -> Response:
    """ "Download brief": the dialogue brief of a finished forecast (``minilateral.brief``).

    The brief reuses the stored forecast and builds the rest (trajectories, mediation ranking,
    alignment when data are installed) with the same library functions as ``minilateral brief``,
    in the page's language.
    """
    lang = page_language(request, auth)
    run = repo.get_run(run_id)
    if (
        run.status != RunStatus.DONE
        or run.kind != "forecast"
        or not run.results
        or run.scenario_version is None
    ):
        return RedirectResponse(f"/runs/{run_id}", status_code=303)
    scenario = Scenario.model_validate(run.scenario_version.content)
    name = re.sub(r"[^a-z0-9]+", "-", scenario.title.lower()).strip("-")[:60] or "scenario"
    with tempfile.TemporaryDirectory(prefix="minilateral-web-brief-") as tmp:
        source = FilePath(tmp) / f"{name}.yaml"
        write_yaml(scenario, source)
        brief = run_brief(
            [source],
            models=[run.model],
            seed=run.seed or 0,
            forecasts={name: {run.model: run.results[0].payload}},
            command=f"web: run #{run.id} ({run.model})",
            lang=lang,
        )
    if fmt == "pdf":
        return Response(
            render_pdf(brief, lang=lang),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}-brief.pdf"'},
        )
    # The HTML brief is a self-contained document with inline Plotly scripts. It is served in a
    # sandbox (an opaque origin: its scripts cannot reach the app's cookies or pages), which is
    # the only place the app's "no inline script" policy is relaxed.
    return Response(
        render_html(brief, lang=lang),
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": BRIEF_CSP,
            "Content-Disposition": f'inline; filename="{name}-brief.html"',
        },
    )


BRIEF_CSP = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; frame-ancestors 'none'"
)
"""Content security policy of a served HTML brief: scripts run, but only in a sandbox."""
