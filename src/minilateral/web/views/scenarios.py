"""Scenario pages: list and import, detail with the run form, and the table editor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from minilateral.errors import FormatError, MinilateralError, ScenarioError
from minilateral.models.registry import available_models
from minilateral.scenario import Scenario
from minilateral.web.schemas import MAX_ID
from minilateral.web.services import start_run
from minilateral.web.views._common import PageAuth, PageRepo, check_csrf, page_gettext, render
from minilateral.web.views.editor import EditorState, apply_action, build, from_form

router = APIRouter()

ScenarioId = Annotated[int, Path(ge=1, le=MAX_ID)]
_PAGE = 25
DEFAULT_MODEL = "compromise"
"""The model preselected on the run form: the most accurate registered model on DEU III
(docs/accuracy.md) and one that uses capability and salience; docs/web.md says more."""


def _list(
    request: Request,
    auth: PageAuth,
    repo: PageRepo,
    page: int,
    status: int = 200,
    import_error: str | None = None,
) -> Response:
    listing = repo.list_scenarios(limit=_PAGE, offset=(page - 1) * _PAGE)
    pages = max(1, -(-listing.total // _PAGE))
    return render(
        request,
        "scenarios.html",
        auth,
        status,
        scenarios=listing.items,
        total=listing.total,
        page=page,
        pages=pages,
        can_write=_can_create(repo),
        import_error=import_error,
    )


def _can_create(repo: PageRepo) -> bool:
    return any(role in ("owner", "analyst") for role in repo.principal.roles.values())


@router.get("/scenarios")
def scenario_list(
    request: Request,
    auth: PageAuth,
    repo: PageRepo,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    """Every scenario the user may see."""
    return _list(request, auth, repo, page)


@router.post("/scenarios/import")
async def scenario_import(request: Request, auth: PageAuth, repo: PageRepo) -> Response:
    """Upload a scenario file from the list page."""
    await check_csrf(request, auth)
    form = await request.form()
    upload = form.get("file")
    limit = request.app.state.settings.max_upload_bytes
    if upload is None or isinstance(upload, str) or not upload.filename:
        gettext = page_gettext(request, auth)
        return _list(request, auth, repo, 1, 400, gettext("Choose a file to import."))
    data = await upload.read(limit + 1)
    if len(data) > limit:
        gettext = page_gettext(request, auth)
        return _list(request, auth, repo, 1, 413, gettext("The file is larger than 5 MB."))
    try:
        scenario = await request.app.state.uploads.parse(upload.filename, data)
        visibility = str(form.get("visibility", "private"))
        record = repo.create_scenario(
            upload.filename.rsplit(".", 1)[0][:200] or scenario.title,
            scenario,
            visibility=visibility if visibility in ("private", "public") else "private",
            comment=f"imported from {upload.filename}"[:2000],
        )
    except (FormatError, ScenarioError) as err:
        return _list(request, auth, repo, 1, 400, str(err))
    repo.session.commit()
    return RedirectResponse(f"/scenarios/{record.id}", status_code=303)


@router.get("/scenarios/new")
def scenario_new(request: Request, auth: PageAuth) -> Response:
    """The editor with an empty table."""
    return render(request, "editor.html", auth, state=EditorState.blank(), scenario_id=None)


def _detail(
    request: Request,
    auth: PageAuth,
    repo: PageRepo,
    scenario_id: int,
    status: int = 200,
    run_error: str | None = None,
) -> Response:
    record = repo.get_scenario(scenario_id)
    latest = record.versions[-1]
    return render(
        request,
        "scenario.html",
        auth,
        status,
        record=record,
        version=latest,
        scenario=Scenario.model_validate(latest.content),
        runs=repo.list_runs(scenario_id=scenario_id, limit=20).items,
        models=available_models(),
        can_write=repo.principal.can_write(record.org_id),
        can_run=_can_create(repo),
        run_error=run_error,
        default_model=DEFAULT_MODEL,
        copy_orgs=[
            (org, role)
            for org, role in repo.organisations()
            if role in ("owner", "analyst") and org.id != record.org_id
        ],
    )


@router.get("/scenarios/{scenario_id}")
def scenario_detail(
    request: Request, scenario_id: ScenarioId, auth: PageAuth, repo: PageRepo
) -> Response:
    """A scenario: its table, versions, runs, and the form to run a model."""
    return _detail(request, auth, repo, scenario_id)


@router.get("/scenarios/{scenario_id}/edit")
def scenario_edit(
    request: Request, scenario_id: ScenarioId, auth: PageAuth, repo: PageRepo
) -> Response:
    """The editor filled with the latest version."""
    record = repo.get_scenario(scenario_id)
    state = EditorState.of(
        Scenario.model_validate(record.versions[-1].content),
        name=record.name,
        visibility=record.visibility,
    )
    return render(request, "editor.html", auth, state=state, scenario_id=scenario_id)


@router.post("/scenarios/editor")
async def scenario_editor(request: Request, auth: PageAuth, repo: PageRepo) -> Response:
    """The editor's form: add/remove rows and columns, validate, or save (a new version)."""
    form = await check_csrf(request, auth)
    state = from_form(form)
    action = form.get("action", "validate")
    raw_id = form.get("scenario_id", "")
    scenario_id = int(raw_id) if raw_id.isdigit() and 0 < int(raw_id) <= MAX_ID else None
    base = None
    if scenario_id is not None:
        base = repo.get_scenario(scenario_id).versions[-1].content
    status = 200
    if action in ("validate", "save"):
        scenario = build(state, base, gettext=page_gettext(request, auth))
        if scenario is not None and action == "save":
            try:
                if scenario_id is None:
                    record = repo.create_scenario(state.name, scenario, visibility=state.visibility)
                else:
                    record = repo.update_scenario(
                        scenario_id,
                        name=state.name,
                        visibility=state.visibility,
                        scenario=scenario,
                        comment="edited in the browser",
                    )
            except MinilateralError as err:
                state.problems.append(str(err))
                status = 403
            else:
                repo.session.commit()
                target = f"/scenarios/{record.id}"
                if request.headers.get("HX-Request"):
                    return Response(status_code=200, headers={"HX-Redirect": target})
                return RedirectResponse(target, status_code=303)
        elif scenario is None and action == "save":
            status = 422
    else:
        apply_action(state, action)
    template = "_editor_form.html" if request.headers.get("HX-Request") else "editor.html"
    return render(
        request,
        template,
        auth,
        status,
        state=state,
        scenario_id=scenario_id,
        checked=action in ("validate", "save"),
    )


@router.post("/scenarios/{scenario_id}/runs")
async def scenario_run(
    request: Request, scenario_id: ScenarioId, auth: PageAuth, repo: PageRepo
) -> Response:
    """Start a run from the scenario page and go to its progress page."""
    form = await check_csrf(request, auth)
    options: dict[str, object] = {}
    for line in form.get("options", "").splitlines():
        if line.strip():
            key, _, value = line.partition("=")
            options[key.strip()] = value.strip()
    seed_text = form.get("seed", "").strip()
    draws_text = form.get("draws", "").strip()
    kind = form.get("kind", "forecast")
    try:
        seed = int(seed_text) if seed_text else None
        if seed is not None and not 0 <= seed <= MAX_ID:
            raise ValueError(seed_text)
        draws = int(draws_text) if draws_text else None
        if draws is not None and not 1 <= draws <= 1_000_000:
            raise ValueError(draws_text)
        run = start_run(
            repo,
            request.app.state.jobs,
            scenario_id,
            model=form.get("model", ""),
            options=options,
            seed=seed,
            kind=kind,
            draws=draws,
        )
    except MinilateralError as err:
        return _detail(request, auth, repo, scenario_id, 422, str(err))
    except ValueError:
        gettext = page_gettext(request, auth)
        message = gettext("seed must be a whole number >= 0 and draws between 1 and 1,000,000")
        return _detail(request, auth, repo, scenario_id, 422, message)
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


@router.post("/scenarios/{scenario_id}/copy")
async def scenario_copy(
    request: Request, scenario_id: ScenarioId, auth: PageAuth, repo: PageRepo
) -> Response:
    """ "Copy to my organisation": a private copy of the latest version, opened in the editor."""
    form = await check_csrf(request, auth)
    raw = form.get("org_id", "")
    org_id = int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_ID else None
    record = repo.copy_scenario(scenario_id, org_id=org_id)
    repo.session.commit()
    return RedirectResponse(f"/scenarios/{record.id}/edit", status_code=303)
