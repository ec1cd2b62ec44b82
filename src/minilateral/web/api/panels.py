"""Expert panels: create, invite, code, close rounds, round summaries, reliability, aggregate.

Visibility follows :class:`minilateral.panels.store.PanelRepository`: coders (invited users of
any organisation) see the panel, its scenario, their own codings and the anonymised summaries
of closed rounds; owners and analysts of the panel's organisation manage it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from minilateral.errors import OptionError
from minilateral.panels.codings import Coding
from minilateral.panels.store import PanelRepository
from minilateral.web.dependencies import Repo
from minilateral.web.errors import ApiError, error_responses
from minilateral.web.schemas import MAX_ID

router = APIRouter(prefix="/api/panels", tags=["panels"])

PanelIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
RoundPath = Annotated[int, Path(ge=1, le=10_000)]
LevelName = Literal["nominal", "ordinal", "interval", "ratio"]
_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


class PanelCreate(BaseModel):
    """A new panel on a scenario version."""

    model_config = ConfigDict(extra="forbid")

    scenario_id: int = Field(ge=1, le=MAX_ID)
    name: str = Field(min_length=1, max_length=200)
    version: int | None = Field(default=None, ge=1, le=MAX_ID)
    org_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class Invitation(BaseModel):
    """A coder to invite, by the e-mail address of their account."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)


class CloseRound(BaseModel):
    """Close the open round; ``final`` ends the panel instead of opening the next round."""

    model_config = ConfigDict(extra="forbid")

    final: bool = False


class AggregateRequest(BaseModel):
    """How to aggregate the coders' codings into a scenario version."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["median", "mean", "trimmed"] = "median"
    trim: float = Field(default=0.2, ge=0.0, lt=0.5)
    round: int | None = Field(default=None, ge=1, le=10_000)


@contextmanager
def _needs_codings() -> Iterator[None]:
    """A panel without codings yet is a state of the panel (409), not a bad request."""
    try:
        yield
    except OptionError as err:
        if err.field != "codings":
            raise
        errors = [{"loc": ["codings"], "msg": err.message, "type": "conflict"}]
        raise ApiError(409, str(err), errors=errors) from err


def _panels(repo: Repo) -> PanelRepository:
    return PanelRepository(repo.session, repo.principal)


@router.get("", responses=_ERRORS)
def list_panels(repo: Repo) -> list[dict[str, Any]]:
    """Panels the caller manages or was invited to code, newest first."""
    panels = _panels(repo)
    return [panels.view(a.panel.id) for a in panels.list_panels()]


@router.post("", status_code=201, responses=_ERRORS)
def create_panel(body: PanelCreate, repo: Repo) -> dict[str, Any]:
    """Create a panel on a visible scenario (latest version unless given); round 1 opens."""
    panels = _panels(repo)
    panel = panels.create(body.scenario_id, body.name, version=body.version, org_id=body.org_id)
    repo.session.commit()
    return panels.view(panel.id)


@router.get("/{panel_id}", responses=_ERRORS)
def get_panel(panel_id: PanelIdPath, repo: Repo) -> dict[str, Any]:
    """The panel as the caller may see it."""
    return _panels(repo).view(panel_id)


@router.post("/{panel_id}/members", status_code=201, responses=_ERRORS)
def invite(panel_id: PanelIdPath, body: Invitation, repo: Repo) -> dict[str, Any]:
    """Invite a user of any organisation; they are shown to others by pseudonym only."""
    member = _panels(repo).invite(panel_id, body.email)
    repo.session.commit()
    return {"pseudonym": member.pseudonym, "email": member.user.email}


@router.get("/{panel_id}/scenario", responses=_ERRORS)
def panel_scenario(panel_id: PanelIdPath, repo: Repo) -> dict[str, Any]:
    """The scenario version the panel codes."""
    return _panels(repo).scenario(panel_id).model_dump(mode="json", exclude_none=True)


@router.get("/{panel_id}/coding", responses=_ERRORS)
def own_codings(panel_id: PanelIdPath, repo: Repo) -> dict[str, Any]:
    """The caller's own codings, by round number."""
    return {
        str(k): v.model_dump(mode="json") for k, v in _panels(repo).own_codings(panel_id).items()
    }


@router.put("/{panel_id}/coding", responses=_ERRORS)
def submit(
    panel_id: PanelIdPath,
    body: Coding,
    repo: Repo,
    round_: Annotated[int | None, Query(alias="round", ge=1, le=10_000)] = None,
) -> dict[str, Any]:
    """Submit or replace the caller's coding in the open round (validated in full first).

    With ``round``, a coding meant for a round that has closed since is refused."""
    row = _panels(repo).submit(panel_id, body, number=round_)
    number = row.round.number
    repo.session.commit()
    return {"round": number, "status": "stored"}


@router.post("/{panel_id}/rounds/close", responses=_ERRORS)
def close_round(panel_id: PanelIdPath, body: CloseRound, repo: Repo) -> dict[str, Any]:
    """Close the open round and freeze its anonymised summary."""
    panels = _panels(repo)
    closed = panels.close_round(panel_id, final=body.final)
    number = closed.number
    repo.session.commit()
    return {"closed": number, "panel": panels.view(panel_id)}


@router.get("/{panel_id}/rounds/{number}/summary", responses=_ERRORS)
def round_summary(panel_id: PanelIdPath, number: RoundPath, repo: Repo) -> dict[str, Any]:
    """The anonymised median, spread and rationales of a closed round."""
    return _panels(repo).summary(panel_id, number)


@router.get("/{panel_id}/report", responses=_ERRORS)
def report(
    panel_id: PanelIdPath,
    repo: Repo,
    level: LevelName = "interval",
    round_: Annotated[int | None, Query(alias="round", ge=1, le=10_000)] = None,
    names: bool = False,
) -> dict[str, Any]:
    """Krippendorff's alpha overall and per field, actor and issue; ICC; disagreement."""
    with _needs_codings():
        return _panels(repo).report(panel_id, round_, level=level, names=names)


@router.get("/{panel_id}/brief", responses=_ERRORS)
def brief(panel_id: PanelIdPath, repo: Repo, level: LevelName = "interval") -> dict[str, Any]:
    """What a brief's panel section shows: who coded, alpha, where coders disagree."""
    with _needs_codings():
        return _panels(repo).brief(panel_id, level=level)


@router.post("/{panel_id}/aggregate", status_code=201, responses=_ERRORS)
def aggregate(panel_id: PanelIdPath, body: AggregateRequest, repo: Repo) -> dict[str, Any]:
    """Aggregate the codings into a new scenario version with the panel's uncertainty."""
    with _needs_codings():
        version = _panels(repo).aggregate(
            panel_id, method=body.method, trim=body.trim, number=body.round
        )
    out = {
        "scenario_id": version.scenario_id,
        "version": version.number,
        "comment": version.comment,
    }
    repo.session.commit()
    return out
