"""Tokens for scripts: ``POST /api/auth/token``; the signed-in user: ``GET /api/auth/me``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from minilateral.store.accounts import authenticate, issue_token, revoke_token
from minilateral.store.repository import Repository
from minilateral.web.dependencies import AuthDep, DbSession
from minilateral.web.errors import ApiError, error_responses
from minilateral.web.schemas import MeOut, OrganisationOut, TokenOut
from minilateral.web.security import client_address

router = APIRouter(prefix="/api/auth", tags=["auth"])


def login_key(request: Request, username: str) -> tuple[str, str]:
    """Throttling key: the account and the client address (``X-Forwarded-For`` is used only
    when the peer is one of the configured ``trusted_proxies``)."""
    client = client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        request.app.state.settings.trusted_proxies,
    )
    return username.strip().lower()[:320], client


def check_rate(request: Request, key: tuple[str, str]) -> None:
    """429 with ``Retry-After`` when ``key`` has used up its failed attempts."""
    wait = request.app.state.limiter.retry_after(key)
    if wait:
        raise ApiError(
            429,
            f"too many failed sign-ins; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )


@router.post("/token", response_model=TokenOut, responses=error_responses(401, 422, 429))
def token(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(min_length=1, max_length=320)],
    password: Annotated[str, Form(min_length=1, max_length=1000)],
    name: Annotated[str, Form(max_length=200)] = "api",
) -> TokenOut:
    """Exchange an e-mail address and password for a bearer token."""
    key = login_key(request, username)
    check_rate(request, key)
    user = authenticate(session, username, password)
    if user is None:
        request.app.state.limiter.failed(key)
        raise ApiError(401, "wrong e-mail address or password")
    request.app.state.limiter.succeeded(key)
    issued = issue_token(session, user, kind="api", name=name)
    session.commit()
    return TokenOut(access_token=issued.secret)


@router.delete("/token", status_code=204, responses=error_responses(401, 403))
def revoke(request: Request, auth: AuthDep, session: DbSession) -> None:
    """Revoke the token (or session) used for this call."""
    secret = request.headers.get("authorization", "").partition(" ")[2].strip()
    if secret:
        revoke_token(session, secret)
    else:
        session.delete(auth.token)
    session.commit()


@router.get("/me", response_model=MeOut, responses=error_responses(401))
def me(auth: AuthDep, session: DbSession) -> MeOut:
    """The signed-in user and their organisations."""
    orgs = Repository(session, auth.principal).organisations()
    return MeOut(
        id=auth.user.id,
        email=auth.user.email,
        organisations=[OrganisationOut(id=o.id, name=o.name, role=r) for o, r in orgs],
    )
