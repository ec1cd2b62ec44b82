"""Login and logout pages (session cookie; CSRF by double-submit cookie on the login form)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from minilateral.store.accounts import SESSION_TTL, authenticate, issue_token, revoke_token
from minilateral.web.api.auth import login_key
from minilateral.web.dependencies import DbSession
from minilateral.web.security import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE
from minilateral.web.views._common import (
    LANG_COOKIE,
    PageAuth,
    check_csrf,
    page_gettext,
    page_language,
    render,
)

router = APIRouter()


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    """Sign the browser in with the session token ``secret``; the pre-login CSRF cookie goes
    (the session carries its own)."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
    )
    response.delete_cookie(CSRF_COOKIE)


def _safe_next(target: str | None) -> str:
    """Only local paths, so the login form cannot redirect elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/scenarios"


@router.get("/")
def home() -> Response:
    """The scenario list."""
    return RedirectResponse("/scenarios", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request, "login.html", None, next=_safe_next(next), error=None, login_csrf=token
    )
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict")
    return response


@router.post("/login")
async def login(request: Request, session: DbSession) -> Response:
    """Check the password, open a session, go to ``next``."""
    form = await request.form()
    username = str(form.get("username", ""))[:320]
    password = str(form.get("password", ""))[:1000]
    target = _safe_next(str(form.get("next", "")))
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = str(form.get(CSRF_FIELD, ""))

    def fail(message: str, status: int) -> Response:
        token = cookie or secrets.token_urlsafe(24)
        response = render(
            request,
            "login.html",
            None,
            status,
            next=target,
            error=message,
            login_csrf=token,
            username=username,
        )
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict")
        return response

    gettext = page_gettext(request)
    if not cookie or not secrets.compare_digest(cookie, sent):
        return fail(gettext("The form expired; please sign in again."), 403)
    limiter = request.app.state.limiter
    key = login_key(request, username)
    wait = limiter.retry_after(key)
    if wait:
        return fail(
            gettext("Too many failed attempts; try again in %(seconds)s seconds.")
            % {"seconds": wait},
            429,
        )
    user = authenticate(session, username, password)
    if user is None:
        limiter.failed(key)
        return fail(gettext("Wrong e-mail address or password."), 401)
    limiter.succeeded(key)
    if user.language is None and request.cookies.get(LANG_COOKIE):
        # The language chosen before signing in becomes the account's choice.
        user.language = page_language(request)
    issued = issue_token(session, user, kind="session", name="browser", ttl=SESSION_TTL)
    session.commit()
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, issued.secret)
    return response


@router.post("/logout")
async def logout(request: Request, auth: PageAuth, session: DbSession) -> Response:
    """End the session."""
    await check_csrf(request, auth)
    revoke_token(session, request.cookies.get(SESSION_COOKIE, ""))
    session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
