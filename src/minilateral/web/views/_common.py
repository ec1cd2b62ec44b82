"""Templates, the signed-in user of a page, CSRF checks and the HTML error page."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from minilateral.provenance import package_version
from minilateral.store.repository import Repository
from minilateral.web.dependencies import Auth, DbSession, optional_auth
from minilateral.web.errors import ApiError
from minilateral.web.security import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER

__all__ = ["PageAuth", "check_csrf", "html_error", "page_auth", "render", "templates"]

templates = Jinja2Templates(directory=str(Path(__file__).parents[1] / "templates"))
templates.env.globals["app_version"] = package_version()


def _kind_label(kind: str) -> str:
    from minilateral.web.views.runs import KIND_LABELS

    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


templates.env.globals["kind_label"] = _kind_label


def render(
    request: Request, name: str, auth: Auth | None, status: int = 200, **context: Any
) -> Response:
    """Render template ``name`` with the user, their CSRF token and ``context``."""
    context.update(
        user=auth.user if auth else None,
        csrf_token=auth.token.csrf if auth else request.cookies.get(CSRF_COOKIE, ""),
        csrf_field=CSRF_FIELD,
        csrf_header=CSRF_HEADER,
    )
    return templates.TemplateResponse(request, name, context, status_code=status)


def page_auth(auth: Annotated[Auth | None, Depends(optional_auth)]) -> Auth:
    """The signed-in user of a page; otherwise the page redirects to the login form."""
    if auth is None:
        raise ApiError(401, "sign in to continue")
    return auth


PageAuth = Annotated[Auth, Depends(page_auth)]


def page_repo(auth: PageAuth, session: DbSession) -> Repository:
    """The repository scoped to the page's user."""
    return Repository(session, auth.principal)


PageRepo = Annotated[Repository, Depends(page_repo)]


async def check_csrf(request: Request, auth: Auth) -> dict[str, str]:
    """The posted form, after checking its CSRF token (form field or HTMX header)."""
    form = await request.form()
    sent = str(form.get(CSRF_FIELD, "")) or request.headers.get(CSRF_HEADER, "")
    if not auth.token.csrf or not secrets.compare_digest(sent, auth.token.csrf):
        raise ApiError(403, "the form has expired or did not come from this site; reload the page")
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


def html_error(request: Request, status: int, message: str) -> Response:
    """An error as a page; 401 sends the browser to the login form."""
    if status == 401:
        target = quote(request.url.path)
        if request.headers.get("HX-Request"):
            return Response(status_code=200, headers={"HX-Redirect": f"/login?next={target}"})
        return RedirectResponse(f"/login?next={target}", status_code=303)
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "user": None, "csrf_token": ""},
        status_code=status,
    )
