"""Invitations and passwords (issue 21): owners create one-time invitation links for their
organisation, invitees accept them with their own password, users change their password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from sqlalchemy import select

from minilateral.errors import NotFoundError, StoreError
from minilateral.store.accounts import accept_invite, change_password, create_invite
from minilateral.store.orm import Invite, utcnow
from minilateral.store.repository import Principal, Repository
from minilateral.web.api.auth import check_rate, login_key
from minilateral.web.dependencies import AuthDep, DbSession, optional_auth
from minilateral.web.errors import ApiError, error_responses
from minilateral.web.schemas import (
    MAX_ID,
    InviteAccept,
    InviteCreate,
    InviteOut,
    MeOut,
    OrganisationOut,
    PasswordChange,
)
from minilateral.web.security import CSRF_HEADER

router = APIRouter(tags=["accounts"])

OrgId = Annotated[int, Path(ge=1, le=MAX_ID)]
InviteId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _owner(auth: AuthDep, org_id: int) -> None:
    role = auth.principal.roles.get(org_id)
    if role is None:
        raise ApiError(404, f"no organisation {org_id}")
    if role != "owner":
        raise ApiError(403, "only the organisation's owners manage invitations")


def _out(row: Invite, url: str | None = None, token: str | None = None) -> InviteOut:
    return InviteOut(
        id=row.id,
        org_id=row.org_id,
        email=row.email,
        role=row.role,  # type: ignore[arg-type]
        created_at=row.created_at,
        expires_at=row.expires_at,
        url=url,
        token=token,
    )


@router.post(
    "/api/organisations/{org_id}/invites",
    status_code=201,
    response_model=InviteOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def create(
    request: Request, org_id: OrgId, body: InviteCreate, auth: AuthDep, session: DbSession
) -> InviteOut:
    """A one-time invitation link (owners only; at most the owner's own role). The answer is
    the only place the link appears: no e-mail is sent, and only its SHA-256 is stored."""
    from minilateral.web.views.account import invite_url

    _owner(auth, org_id)
    try:
        issued = create_invite(session, auth.user, org_id, body.email, body.role)
    except StoreError as err:
        raise ApiError(409, str(err)) from err
    session.commit()
    return _out(issued.row, invite_url(request, issued.secret), issued.secret)


@router.get(
    "/api/organisations/{org_id}/invites",
    response_model=list[InviteOut],
    responses=error_responses(401, 403, 404, 422),
)
def pending(org_id: OrgId, auth: AuthDep, session: DbSession) -> list[InviteOut]:
    """The organisation's unused, unexpired invitations (owners only; without their links)."""
    _owner(auth, org_id)
    rows = session.scalars(
        select(Invite)
        .where(Invite.org_id == org_id, Invite.used_at.is_(None), Invite.expires_at > utcnow())
        .order_by(Invite.id.desc())
    ).all()
    return [_out(r) for r in rows]


@router.delete(
    "/api/organisations/{org_id}/invites/{invite_id}",
    status_code=204,
    responses=error_responses(401, 403, 404, 422),
)
def revoke(org_id: OrgId, invite_id: InviteId, auth: AuthDep, session: DbSession) -> None:
    """Withdraw an invitation; its link stops working."""
    _owner(auth, org_id)
    row = session.get(Invite, invite_id)
    if row is None or row.org_id != org_id:
        raise ApiError(404, f"no invitation {invite_id}")
    session.delete(row)
    session.commit()


@router.post(
    "/api/invites/accept",
    status_code=201,
    response_model=MeOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def accept(request: Request, body: InviteAccept, session: DbSession) -> MeOut:
    """Accept an invitation. Without credentials: a new account with ``password``. With the
    invited account's credentials: join the organisation (the password is not changed)."""
    auth = optional_auth(request, session)
    if auth is None and request.headers.get("authorization"):
        raise ApiError(
            401, "the credentials sent are not valid", headers={"WWW-Authenticate": "Bearer"}
        )
    if (
        auth is not None
        and auth.via_session
        and request.headers.get(CSRF_HEADER) != auth.token.csrf
    ):
        raise ApiError(403, f"missing or wrong {CSRF_HEADER} header for a cookie session")
    if auth is None and body.password is None:
        raise ApiError(422, "a new account needs a password (at least 8 characters)")
    try:
        member = accept_invite(
            session, body.token, password=body.password, user=auth.user if auth else None
        )
    except NotFoundError as err:
        session.rollback()
        raise ApiError(404, str(err)) from err
    except StoreError as err:
        session.rollback()
        raise ApiError(409, str(err)) from err
    session.commit()

    orgs = Repository(session, Principal.for_user(session, member)).organisations()
    return MeOut(
        id=member.id,
        email=member.email,
        organisations=[OrganisationOut(id=o.id, name=o.name, role=r) for o, r in orgs],
    )


@router.post(
    "/api/auth/password", status_code=204, responses=error_responses(401, 403, 409, 422, 429)
)
def password(request: Request, body: PasswordChange, auth: AuthDep, session: DbSession) -> None:
    """Change the caller's password (the current one is required; wrong ones are throttled
    like sign-ins). Every other session and token of the caller is revoked."""
    key = login_key(request, auth.user.email)
    check_rate(request, key)
    try:
        change_password(
            session, auth.user, body.current_password, body.new_password, keep=auth.token
        )
    except StoreError as err:
        session.rollback()
        if err.field == "current_password":
            request.app.state.limiter.failed(key)
            raise ApiError(403, str(err)) from err
        raise ApiError(409, str(err)) from err
    request.app.state.limiter.succeeded(key)
    session.commit()
