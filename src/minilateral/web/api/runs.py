"""Runs as background jobs: start, list, poll, cancel, restart, results."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from minilateral.web.dependencies import Jobs, Repo
from minilateral.web.errors import error_responses
from minilateral.web.schemas import MAX_ID, ResultOut, RunCreate, RunOut, RunPage
from minilateral.web.services import start_run

router = APIRouter(prefix="/api/runs", tags=["runs"])

RunId = Annotated[int, Path(ge=1, le=MAX_ID)]
StatusName = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]


@router.post(
    "", status_code=202, response_model=RunOut, responses=error_responses(401, 403, 404, 422)
)
def create_run(body: RunCreate, repo: Repo, jobs: Jobs) -> RunOut:
    """Queue a forecast, a Monte Carlo sweep (``"kind": "sweep"``, ``draws``) or another
    registered run kind on a scenario; poll ``GET /api/runs/{id}``."""
    run = start_run(
        repo,
        jobs,
        body.scenario_id,
        model=body.model,
        options=body.options,
        seed=body.seed,
        version=body.version,
        kind=body.kind,
        visibility=body.visibility,
        org_id=body.org_id,
        draws=body.draws,
        candidates=body.candidates,
        sizes=body.sizes,
    )
    return RunOut.of(run, result=False)


@router.get("", response_model=RunPage, responses=error_responses(401, 422))
def list_runs(
    repo: Repo,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    scenario_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: StatusName | None = None,
    kind: Annotated[
        str | None, Query(pattern=r"^[a-z][a-z_]{0,39}$", description="Run kind, e.g. sweep.")
    ] = None,
    model: Annotated[
        str | None,
        Query(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,99}$", description="Model name, e.g. bdm."),
    ] = None,
) -> RunPage:
    """Runs the caller may see, newest first (without results); filter by kind and model."""
    page = repo.list_runs(
        limit=limit, offset=offset, scenario_id=scenario_id, status=status, kind=kind, model=model
    )
    return RunPage(
        items=[RunOut.of(r, result=False) for r in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{run_id}", response_model=RunOut, responses=error_responses(401, 404, 422))
def get_run(run_id: RunId, repo: Repo) -> RunOut:
    """Status, progress, timings and, when done, the result (the CLI's forecast JSON)."""
    return RunOut.of(repo.get_run(run_id))


@router.post(
    "/{run_id}/cancel", response_model=RunOut, responses=error_responses(401, 403, 404, 409, 422)
)
def cancel_run(run_id: RunId, repo: Repo, jobs: Jobs) -> RunOut:
    """Cancel a queued run, or ask a running one to stop."""
    run = repo.cancel_run(run_id)
    repo.session.commit()
    jobs.cancel(run_id)
    return RunOut.of(run)


@router.delete("/{run_id}", status_code=204, responses=error_responses(401, 403, 404, 409, 422))
def delete_run(run_id: RunId, repo: Repo) -> None:
    """Delete a run that is not running (its organisation or its scenario's owners)."""
    repo.delete_run(run_id)
    repo.session.commit()


@router.post(
    "/{run_id}/restart",
    status_code=202,
    response_model=RunOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def restart_run(run_id: RunId, repo: Repo, jobs: Jobs) -> RunOut:
    """Queue an interrupted, failed or cancelled run again."""
    run = repo.restart_run(run_id)
    repo.session.commit()
    jobs.submit(run.id)
    return RunOut.of(run, result=False)


@router.get(
    "/{run_id}/results", response_model=list[ResultOut], responses=error_responses(401, 404, 422)
)
def run_results(run_id: RunId, repo: Repo) -> list[ResultOut]:
    """Every stored result payload of a run (one per batch member, or a sweep's summary)."""
    return [
        ResultOut(index=r.index, kind=r.kind, payload=r.payload)
        for r in repo.get_run(run_id).results
    ]
