"""Request and response bodies of the REST API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from minilateral.scenario import Scenario
from minilateral.store.orm import Run, ScenarioRecord, ScenarioVersion

__all__ = [
    "ModelInfo",
    "RunCreate",
    "RunOut",
    "ScenarioCreate",
    "ScenarioOut",
    "ScenarioUpdate",
    "TokenOut",
]

VisibilityName = Literal["private", "shared", "public"]
# The largest integer a JSON client (a float64) holds exactly: identifiers and seeds above it
# would be rounded on the way and refused.
MAX_ID = 2**53 - 1


def _clean(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


class TokenOut(BaseModel):
    """A bearer token, shown once."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"


class OrganisationOut(BaseModel):
    """An organisation and the caller's role in it."""

    id: int
    name: str
    role: str


class MeOut(BaseModel):
    """The signed-in user."""

    id: int
    email: str
    organisations: list[OrganisationOut]


class ScenarioCreate(BaseModel):
    """A new scenario."""

    name: str = Field(min_length=1, max_length=200)
    visibility: VisibilityName = "private"
    scenario: Scenario
    org_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    shared_with: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Organisation names (visibility 'shared').",
    )
    comment: str = Field(default="", max_length=2000)

    _name = field_validator("name")(_clean)


class ScenarioUpdate(BaseModel):
    """Changes to a scenario; new ``scenario`` content becomes a new version."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    visibility: VisibilityName | None = None
    scenario: Scenario | None = None
    shared_with: list[str] | None = Field(default=None, max_length=100)
    comment: str = Field(default="", max_length=2000)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _clean(value)


class VersionOut(BaseModel):
    """One version of a scenario (without its content)."""

    number: int
    title: str
    sha256: str
    comment: str
    created_at: dt.datetime

    @classmethod
    def of(cls, v: ScenarioVersion) -> VersionOut:
        return cls(
            number=v.number,
            title=v.title,
            sha256=v.sha256,
            comment=v.comment,
            created_at=v.created_at,
        )


class ScenarioOut(BaseModel):
    """A scenario's metadata, its versions and (on request) the latest content."""

    id: int
    name: str
    visibility: str
    org_id: int | None
    organisation: str | None
    title: str
    created_at: dt.datetime
    updated_at: dt.datetime
    latest_version: int
    shared_with: list[str]
    versions: list[VersionOut]
    scenario: dict[str, Any] | None = None

    @classmethod
    def of(cls, r: ScenarioRecord, *, content: bool = False) -> ScenarioOut:
        latest = r.versions[-1]
        return cls(
            id=r.id,
            name=r.name,
            visibility=r.visibility,
            org_id=r.org_id,
            organisation=r.organisation.name if r.organisation else None,
            title=latest.title,
            created_at=r.created_at,
            updated_at=r.updated_at,
            latest_version=latest.number,
            shared_with=[s.organisation.name for s in r.shares],
            versions=[VersionOut.of(v) for v in r.versions],
            scenario=latest.content if content else None,
        )


class VersionContentOut(VersionOut):
    """One version with its content."""

    scenario: dict[str, Any]


class ScenarioPage(BaseModel):
    """A page of scenarios."""

    items: list[ScenarioOut]
    total: int
    limit: int
    offset: int


def _model_enum(schema: dict[str, Any]) -> None:
    """The registered model names, read when the schema is built (so plug-ins count)."""
    from minilateral.models.registry import available_models

    schema["enum"] = sorted(available_models())


def _kind_enum(schema: dict[str, Any]) -> None:
    """The registered run kinds, read when the schema is built."""
    from minilateral.web.jobs import RUN_KINDS

    schema["enum"] = sorted(RUN_KINDS)


class RunCreate(BaseModel):
    """A run to start."""

    scenario_id: int = Field(ge=1, le=MAX_ID)
    model: str = Field(min_length=1, max_length=100, json_schema_extra=_model_enum)
    options: dict[str, Any] = Field(default_factory=dict, max_length=50)
    seed: int | None = Field(default=None, ge=0, le=MAX_ID)
    version: int | None = Field(default=None, ge=1, le=MAX_ID, description="Default: latest.")
    kind: str = Field(
        default="forecast",
        max_length=20,
        description="'forecast', 'sweep', 'coalitions' or another plug-in.",
        json_schema_extra=_kind_enum,
    )
    draws: int | None = Field(
        default=None, ge=1, le=1_000_000, description="Monte Carlo draws (sweep, coalitions)."
    )
    candidates: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        default=None,
        max_length=12,
        description="Candidate mediators (kind 'coalitions'; default: the scenario's).",
    )
    sizes: tuple[int, int] | None = Field(
        default=None, description="Smallest and largest coalition size (kind 'coalitions')."
    )
    visibility: VisibilityName = "private"
    org_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class RunOut(BaseModel):
    """A run: inputs, status, progress, timings and, when done, the result."""

    id: int
    kind: str
    scenario_id: int | None
    scenario_version: int | None
    model: str
    options: dict[str, Any]
    seed: int | None
    input_hash: str
    visibility: str
    org_id: int | None
    status: Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]
    progress: float
    message: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    duration_s: float | None
    provenance: dict[str, Any]
    result: dict[str, Any] | None = Field(
        default=None, description="When done: the forecast JSON of `minilateral forecast`."
    )

    @classmethod
    def of(cls, run: Run, *, result: bool = True) -> RunOut:
        return cls(
            id=run.id,
            kind=run.kind,
            scenario_id=run.scenario_id,
            scenario_version=run.scenario_version.number if run.scenario_version else None,
            model=run.model,
            options=run.options,
            seed=run.seed,
            input_hash=run.input_hash,
            visibility=run.visibility,
            org_id=run.org_id,
            status=run.status,  # type: ignore[arg-type]
            progress=run.progress,
            message=run.message,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            duration_s=run.duration_s,
            provenance=run.provenance,
            result=run.results[0].payload if result and run.results else None,
        )


class RunPage(BaseModel):
    """A page of runs (without results)."""

    items: list[RunOut]
    total: int
    limit: int
    offset: int


class ResultOut(BaseModel):
    """One stored result payload of a run."""

    index: int
    kind: str
    payload: dict[str, Any]


class OptionOut(BaseModel):
    """One model option."""

    name: str
    type: str
    default: Any = None
    choices: list[Any]


class ModelInfo(BaseModel):
    """A registered model."""

    name: str
    summary: str
    dynamic: bool
    rounds_option: str | None
    options: list[OptionOut]


class ModelList(BaseModel):
    """Every registered model."""

    items: list[ModelInfo]


class FormatList(BaseModel):
    """Import formats and run kinds the server accepts."""

    formats: list[str]
    run_kinds: list[str]


class Health(BaseModel):
    """Liveness and database state."""

    status: Literal["ok"]
    version: str
    database: str
    schema_revision: str | None


# -- invitations, password change and copies (issue 21) --------------------------------------

RoleName = Literal["owner", "analyst", "viewer"]


class InviteCreate(BaseModel):
    """An invitation to the organisation in the path."""

    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@]+@[^@]+$")
    role: RoleName = "analyst"


class InviteOut(BaseModel):
    """A pending (or just created) invitation; ``url`` and ``token`` only in the creation's
    answer, the one time the secret exists outside the invitee's hands."""

    id: int
    org_id: int
    email: str
    role: RoleName
    created_at: dt.datetime
    expires_at: dt.datetime
    url: str | None = None
    token: str | None = None


class InviteAccept(BaseModel):
    """Accept an invitation: the link's token and, for a new account, its password."""

    token: str = Field(min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=8, max_length=1000)


class PasswordChange(BaseModel):
    """A new password; the current one is required."""

    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=8, max_length=1000)


class ScenarioCopy(BaseModel):
    """Copy a visible scenario into one's organisation (private, shared with nobody)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    org_id: int | None = Field(default=None, ge=1, le=MAX_ID)
