"""Joining and accounts (issue 21): an owner's organisation page with one-time invitation
links, the page that accepts a link (the invitee sets their own password), and the password
change of a signed-in user."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from minilateral.errors import StoreError
from minilateral.i18n import N_
from minilateral.store.accounts import (
    SESSION_TTL,
    accept_invite,
    change_password,
    create_invite,
    find_invite,
    issue_token,
)
from minilateral.store.orm import Invite, Membership, Organisation, User, utcnow
from minilateral.web.api.auth import login_key
from minilateral.web.dependencies import Auth, DbSession, optional_auth
from minilateral.web.schemas import MAX_ID
from minilateral.web.security import CSRF_COOKIE, CSRF_FIELD
from minilateral.web.views._common import PageAuth, check_csrf, page_gettext, render
from minilateral.web.views.auth import set_session_cookie

router = APIRouter()

InviteId = Annotated[int, Path(ge=1, le=MAX_ID)]
ROLE_LABELS = {"owner": N_("Owner"), "analyst": N_("Analyst"), "viewer": N_("Viewer")}


def invite_url(request: Request, secret: str) -> str:
    """The link an owner hands to the invitee (the app's own address + ``/join/SECRET``)."""
    return f"{str(request.base_url).rstrip('/')}/join/{secret}"


def _organisations(session: DbSession, auth: Auth) -> list[dict[str, object]]:
    """The user's organisations with members, and, where they are owner, pending invites."""
    out = []
    for org_id, role in sorted(auth.principal.roles.items()):
        org = session.get(Organisation, org_id)
        if org is None:
            continue
        members = session.execute(
            select(User.email, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.org_id == org_id)
            .order_by(User.email)
        ).all()
        invites = []
        if role == "owner":
            invites = list(
                session.scalars(
                    select(Invite)
                    .where(
                        Invite.org_id == org_id,
                        Invite.used_at.is_(None),
                        Invite.expires_at > utcnow(),
                    )
                    .order_by(Invite.id.desc())
                ).all()
            )
        out.append(
            {
                "org": org,
                "role": role,
                "members": members,
                "invites": invites,
                "owner": role == "owner",
            }
        )
    return out


def _org_page(
    request: Request,
    auth: Auth,
    session: DbSession,
    status: int = 200,
    error: str | None = None,
    link: str | None = None,
    invited: Invite | None = None,
) -> Response:
    response = render(
        request,
        "organisation.html",
        auth,
        status,
        organisations=_organisations(session, auth),
        roles=ROLE_LABELS,
        error=error,
        link=link,
        invited=invited,
    )
    response.headers["Cache-Control"] = "no-store"  # the link is shown once; keep it off disk
    return response


@router.get("/organisation")
def organisation_page(request: Request, auth: PageAuth, session: DbSession) -> Response:
    """The user's organisations and members; owners invite here."""
    return _org_page(request, auth, session)


@router.post("/organisation/invites")
async def organisation_invite(request: Request, auth: PageAuth, session: DbSession) -> Response:
    """Create a one-time invitation link and show it (once) to the owner."""
    form = await check_csrf(request, auth)
    raw = form.get("org_id", "")
    org_id = int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_ID else 0
    if auth.principal.roles.get(org_id) != "owner":
        return _org_page(
            request,
            auth,
            session,
            403,
            page_gettext(request, auth)(N_("Only the organisation's owners invite members.")),
        )
    try:
        issued = create_invite(
            session, auth.user, org_id, form.get("email", "")[:320], form.get("role", "")[:40]
        )
    except StoreError as err:
        return _org_page(request, auth, session, 422, str(err))
    session.commit()
    return _org_page(
        request, auth, session, link=invite_url(request, issued.secret), invited=issued.row
    )


@router.post("/organisation/invites/{invite_id}/revoke")
async def organisation_revoke(
    request: Request, invite_id: InviteId, auth: PageAuth, session: DbSession
) -> Response:
    """Withdraw a pending invitation (owners of its organisation only)."""
    await check_csrf(request, auth)
    row = session.get(Invite, invite_id)
    if row is None or auth.principal.roles.get(row.org_id) != "owner":
        return _org_page(
            request, auth, session, 404, page_gettext(request, auth)(N_("No such invitation."))
        )
    session.delete(row)
    session.commit()
    return RedirectResponse("/organisation", status_code=303)


def _join_page(
    request: Request,
    token: str,
    auth: Auth | None,
    session: DbSession,
    status: int = 200,
    error: str | None = None,
) -> Response:
    try:
        invite = find_invite(session, token)
    except StoreError as err:
        return render(request, "join.html", auth, 404, invite=None, error=str(err), token="")
    existing = session.scalar(select(User.id).where(User.email == invite.email)) is not None
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "join.html",
        auth,
        status,
        invite=invite,
        organisation=invite.organisation.name,
        role=ROLE_LABELS.get(invite.role, invite.role),
        existing=existing,
        error=error,
        token=token,
        join_csrf=csrf,
    )
    if auth is None:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/join/{token}")
def join_form(request: Request, token: str, session: DbSession) -> Response:
    """The invitation: whom it invites, to which organisation and role; a password form."""
    auth = optional_auth(request, session)
    return _join_page(request, token[:200], auth, session)


@router.post("/join/{token}")
async def join(request: Request, token: str, session: DbSession) -> Response:
    """Accept the invitation: set a password (new account) or, signed in, join as oneself."""
    token = token[:200]
    auth = optional_auth(request, session)
    form = await request.form()
    sent = str(form.get(CSRF_FIELD, ""))
    expected = (auth.token.csrf or "") if auth else request.cookies.get(CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, sent):
        _ = page_gettext(request, auth)
        return _join_page(request, token, auth, session, 403, _("The form expired; try again."))
    password = str(form.get("password", ""))[:1000]
    if auth is None and password != str(form.get("confirm", ""))[:1000]:
        _ = page_gettext(request, auth)
        return _join_page(request, token, auth, session, 422, _("The two passwords differ."))
    try:
        member = accept_invite(session, token, password=password, user=auth.user if auth else None)
    except StoreError as err:
        session.rollback()
        return _join_page(request, token, auth, session, 422, str(err))
    response = RedirectResponse("/scenarios", status_code=303)
    if auth is None:
        issued = issue_token(session, member, kind="session", name="browser", ttl=SESSION_TTL)
        set_session_cookie(request, response, issued.secret)
    session.commit()
    return response


@router.get("/account")
def account_page(request: Request, auth: PageAuth) -> Response:
    """The signed-in user's account: change the password."""
    return render(request, "account.html", auth, error=None, done=False)


@router.post("/account/password")
async def account_password(request: Request, auth: PageAuth, session: DbSession) -> Response:
    """Change the password (the current one is required; throttled like sign-in). Every other
    session and API token of the user is revoked."""
    form = await check_csrf(request, auth)
    limiter = request.app.state.limiter
    key = login_key(request, auth.user.email)
    wait = limiter.retry_after(key)
    _ = page_gettext(request, auth)
    if wait:
        message = _("Too many wrong passwords; try again in {wait} seconds.").format(wait=wait)
        return render(request, "account.html", auth, 429, error=message, done=False)
    new = form.get("new_password", "")[:1000]
    if new != form.get("confirm", "")[:1000]:
        return render(
            request, "account.html", auth, 422, error=_("The two new passwords differ."), done=False
        )
    try:
        change_password(
            session, auth.user, form.get("current_password", "")[:1000], new, keep=auth.token
        )
    except StoreError as err:
        if getattr(err, "field", None) == "current_password":
            limiter.failed(key)
        session.rollback()
        return render(request, "account.html", auth, 422, error=str(err), done=False)
    limiter.succeeded(key)
    session.commit()
    return render(request, "account.html", auth, error=None, done=True)
