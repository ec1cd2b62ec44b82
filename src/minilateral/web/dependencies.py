"""Shared dependencies: the database session, the signed-in principal, the repository."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from minilateral.store.accounts import resolve_token
from minilateral.store.db import Database
from minilateral.store.orm import ApiToken, User
from minilateral.store.repository import Principal, Repository
from minilateral.web.errors import ApiError
from minilateral.web.jobs import JobRunner
from minilateral.web.security import CSRF_HEADER, SESSION_COOKIE
from minilateral.web.settings import Settings

__all__ = [
    "Auth",
    "AuthDep",
    "DbSession",
    "Jobs",
    "Repo",
    "get_auth",
    "get_session",
    "optional_auth",
]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_bearer = HTTPBearer(auto_error=False, description="An API token from POST /api/auth/token.")


def get_database(request: Request) -> Database:
    """The application's database."""
    return request.app.state.db


def get_settings(request: Request) -> Settings:
    """The application's settings."""
    return request.app.state.settings


def get_jobs(request: Request) -> JobRunner:
    """The application's job runner."""
    return request.app.state.jobs


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request; committed by the endpoint, closed afterwards."""
    with get_database(request).session() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]
Jobs = Annotated[JobRunner, Depends(get_jobs)]


@dataclass(frozen=True)
class Auth:
    """The signed-in user, how they signed in, and their principal."""

    user: User
    token: ApiToken
    principal: Principal

    @property
    def via_session(self) -> bool:
        """True for a browser session cookie, False for a bearer token."""
        return self.token.kind == "session"


def _authenticate(request: Request, session: Session, bearer: str | None) -> Auth | None:
    token = None
    if bearer:
        token = resolve_token(session, bearer, kind="api")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            token = resolve_token(session, cookie, kind="session")
    if token is None:
        return None
    return Auth(token.user, token, Principal.for_user(session, token.user))


def optional_auth(request: Request, session: DbSession) -> Auth | None:
    """The signed-in user (bearer token or session cookie), or ``None``."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    bearer = value.strip() if scheme.lower() == "bearer" else None
    return _authenticate(request, session, bearer)


def get_auth(
    request: Request,
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Auth:
    """The signed-in user of an API call; 401 without valid credentials.

    A browser session may call the API too; its state-changing calls must carry the session's
    CSRF token in the ``X-CSRF-Token`` header.
    """
    auth = _authenticate(request, session, credentials.credentials if credentials else None)
    if auth is None:
        raise ApiError(
            401,
            "sign in: send 'Authorization: Bearer <token>' (from POST /api/auth/token)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if (
        auth.via_session
        and request.method not in _SAFE_METHODS
        and request.headers.get(CSRF_HEADER) != auth.token.csrf
    ):
        raise ApiError(403, f"missing or wrong {CSRF_HEADER} header for a cookie session")
    return auth


AuthDep = Annotated[Auth, Depends(get_auth)]


def get_repo(auth: AuthDep, session: DbSession) -> Repository:
    """The repository scoped to the signed-in principal."""
    return Repository(session, auth.principal)


Repo = Annotated[Repository, Depends(get_repo)]
