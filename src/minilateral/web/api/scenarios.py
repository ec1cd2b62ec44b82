"""Scenarios: list, create, import, read with versions, update (new version), delete, export."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse

from minilateral.errors import FormatError, ScenarioError
from minilateral.forecast import dumps_json
from minilateral.io.yaml_io import dump_yaml
from minilateral.scenario import Scenario
from minilateral.web.dependencies import Repo
from minilateral.web.errors import ApiError, error_responses
from minilateral.web.schemas import (
    MAX_ID,
    ScenarioCopy,
    ScenarioCreate,
    ScenarioOut,
    ScenarioPage,
    ScenarioUpdate,
    VersionContentOut,
    VersionOut,
    VisibilityName,
)

router = APIRouter(prefix="/api/scenarios", tags=["scenarios"])


def content_disposition(name: str, extension: str) -> str:
    """``attachment`` with a safe ASCII file name from ``name`` (``gaza`` -> ``gaza.yaml``) and,
    for names with other letters, the UTF-8 original as ``filename*`` (RFC 6266)."""
    ascii_name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "scenario"
    value = f'attachment; filename="{ascii_name}.{extension}"'
    readable = re.sub(r'[\x00-\x1f\x7f/\\"]+', "-", name).strip(" .-")[:80]
    if readable and readable.lower() != ascii_name and not readable.isascii():
        value += f"; filename*=UTF-8''{quote(readable)}.{extension}"
    return value


ScenarioId = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]


@router.get("", response_model=ScenarioPage, responses=error_responses(401, 422))
def list_scenarios(
    repo: Repo,
    limit: Limit = 50,
    offset: Offset = 0,
    q: Annotated[str | None, Query(max_length=200, description="Name contains.")] = None,
) -> ScenarioPage:
    """Scenarios the caller may see (own organisation, shared with it, public), newest first."""
    page = repo.list_scenarios(limit=limit, offset=offset, search=q)
    return ScenarioPage(
        items=[ScenarioOut.of(r) for r in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "", status_code=201, response_model=ScenarioOut, responses=error_responses(401, 403, 409, 422)
)
def create_scenario(body: ScenarioCreate, repo: Repo) -> ScenarioOut:
    """Store a new scenario (version 1) in the caller's organisation."""
    record = repo.create_scenario(
        body.name,
        body.scenario,
        visibility=body.visibility,
        org_id=body.org_id,
        shared_with=body.shared_with,
        comment=body.comment,
    )
    repo.session.commit()
    return ScenarioOut.of(record, content=True)


async def _read_limited(request: Request, upload: UploadFile) -> bytes:
    limit = request.app.state.settings.max_upload_bytes
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, f"the file is larger than {limit // (1024 * 1024)} MB")
    return data


@router.post(
    "/import",
    status_code=201,
    response_model=ScenarioOut,
    responses=error_responses(400, 401, 403, 409, 413, 422),
)
async def import_scenario(
    request: Request,
    repo: Repo,
    file: Annotated[UploadFile, File(description="YAML, BDM CSV or another registered format.")],
    name: Annotated[str | None, Form(max_length=200)] = None,
    visibility: Annotated[VisibilityName, Form()] = "private",
    input_format: Annotated[str | None, Form(max_length=40)] = None,
) -> ScenarioOut:
    """Upload a scenario file; errors name the file, line and field (400); > 5 MB is 413."""
    data = await _read_limited(request, file)
    filename = file.filename or "upload"
    try:
        scenario = await request.app.state.uploads.parse(filename, data, input_format or None)
    except (FormatError, ScenarioError) as err:
        raise ApiError(
            400, str(err), errors=[{"loc": ["file"], "msg": str(err), "type": type(err).__name__}]
        ) from err
    stem = (name or "").strip() or filename.rsplit(".", 1)[0] or scenario.title
    record = repo.create_scenario(
        stem.replace("\x00", "")[:200],
        scenario,
        visibility=visibility,
        comment=f"imported from {filename}"[:2000],
    )
    repo.session.commit()
    return ScenarioOut.of(record, content=True)


@router.get(
    "/{scenario_id:int}", response_model=ScenarioOut, responses=error_responses(401, 404, 422)
)
def get_scenario(scenario_id: ScenarioId, repo: Repo) -> ScenarioOut:
    """A scenario, its versions and the latest content."""
    return ScenarioOut.of(repo.get_scenario(scenario_id), content=True)


@router.patch(
    "/{scenario_id:int}",
    response_model=ScenarioOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def update_scenario(scenario_id: ScenarioId, body: ScenarioUpdate, repo: Repo) -> ScenarioOut:
    """Rename, change visibility or sharing, or save new content as a new version."""
    record = repo.update_scenario(
        scenario_id,
        name=body.name,
        visibility=body.visibility,
        scenario=body.scenario,
        shared_with=body.shared_with,
        comment=body.comment,
    )
    repo.session.commit()
    return ScenarioOut.of(record, content=True)


@router.delete("/{scenario_id:int}", status_code=204, responses=error_responses(401, 403, 404, 422))
def delete_scenario(scenario_id: ScenarioId, repo: Repo) -> None:
    """Delete a scenario (its versions stay for the runs that used them)."""
    repo.delete_scenario(scenario_id)
    repo.session.commit()


@router.post(
    "/{scenario_id:int}/copy",
    status_code=201,
    response_model=ScenarioOut,
    responses=error_responses(401, 403, 404, 422),
)
def copy_scenario(scenario_id: ScenarioId, body: ScenarioCopy, repo: Repo) -> ScenarioOut:
    """Copy the latest version of a visible scenario (library, shared or own) into the caller's
    organisation: private, shared with nobody; edit it with ``PATCH``."""
    record = repo.copy_scenario(scenario_id, name=body.name, org_id=body.org_id)
    repo.session.commit()
    return ScenarioOut.of(record, content=True)


@router.get(
    "/{scenario_id:int}/versions",
    response_model=list[VersionOut],
    responses=error_responses(401, 404, 422),
)
def list_versions(scenario_id: ScenarioId, repo: Repo) -> list[VersionOut]:
    """Every version of a scenario, oldest first."""
    return [VersionOut.of(v) for v in repo.get_scenario(scenario_id).versions]


@router.get(
    "/{scenario_id:int}/versions/{number:int}",
    response_model=VersionContentOut,
    responses=error_responses(401, 404, 422),
)
def get_version(
    scenario_id: ScenarioId, number: Annotated[int, Path(ge=1, le=MAX_ID)], repo: Repo
) -> VersionContentOut:
    """One version with its content."""
    v = repo.get_version(scenario_id, number)
    return VersionContentOut(**VersionOut.of(v).model_dump(), scenario=v.content)


@router.get(
    "/{scenario_id:int}/export",
    responses={
        200: {
            "description": "The scenario file.",
            "content": {
                "application/yaml": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        },
        **error_responses(401, 404, 422),
    },
)
def export_scenario(
    scenario_id: ScenarioId,
    repo: Repo,
    fmt: Annotated[Literal["yaml", "json"], Query(alias="format")] = "yaml",
    version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> PlainTextResponse:
    """The scenario as a YAML file (or JSON) that ``minilateral forecast`` reads."""
    v = repo.get_version(scenario_id, version)
    scenario = Scenario.model_validate(v.content)
    name = v.scenario.name if version is None else f"{v.scenario.name}-v{v.number}"
    headers = {"Content-Disposition": content_disposition(name, fmt)}
    if fmt == "json":
        return PlainTextResponse(
            dumps_json(scenario.canonical_dict(), indent=2),
            media_type="application/json",
            headers=headers,
        )
    return PlainTextResponse(dump_yaml(scenario), media_type="application/yaml", headers=headers)
