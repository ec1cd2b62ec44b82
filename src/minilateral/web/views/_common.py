"""Templates, the signed-in user of a page, CSRF checks, the page's language, the error page.

Language of a page (see :func:`page_language`): ``?lang=`` if given (remembered in the ``lang``
cookie and, for a signed-in user, in their account), else the user's stored choice, else the
cookie, else the browser's ``Accept-Language``, else English. Templates translate with
``_()`` / ``ngettext()`` from the ``web`` catalogue of the page's language
(``web/locale/<lang>/LC_MESSAGES/web.po``), and format numbers and dates with the ``num``,
``pct``, ``date`` and ``datetime`` filters (Babel, per locale).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy.orm import object_session

from minilateral import i18n
from minilateral.i18n import N_
from minilateral.provenance import package_version
from minilateral.store.repository import Repository
from minilateral.web import labels
from minilateral.web.dependencies import Auth, DbSession, optional_auth
from minilateral.web.errors import ApiError
from minilateral.web.security import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER

__all__ = [
    "LANG_COOKIE",
    "LOCALE_DIR",
    "PageAuth",
    "check_csrf",
    "html_error",
    "page_auth",
    "page_gettext",
    "page_language",
    "render",
    "templates",
]

LOCALE_DIR = Path(__file__).parents[1] / "locale"
DOMAIN = "web"
LANG_COOKIE = "minilateral_lang"
_YEAR = 365 * 24 * 3600

templates = Jinja2Templates(directory=str(Path(__file__).parents[1] / "templates"))
templates.env.globals["app_version"] = package_version()
templates.env.globals["languages"] = i18n.LANGUAGES
templates.env.globals.update(
    status_labels=labels.STATUS,
    visibility_labels=labels.VISIBILITY,
    run_kinds=labels.RUN_KINDS,
    model_summaries=labels.MODEL_SUMMARIES,
)


def web_catalogue(lang: str) -> i18n.Catalogue:
    """The web app's catalogue of ``lang``."""
    return i18n.catalogue(DOMAIN, lang, LOCALE_DIR)


def _ctx_catalogue(context: Context) -> i18n.Catalogue:
    return web_catalogue(context.get("lang") or "en")


@pass_context
def _gettext(context: Context, message: str) -> str:
    return _ctx_catalogue(context).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return _ctx_catalogue(context).ngettext(singular, plural, n)


def _digits(context: Context) -> i18n.Digits:
    return context.get("digits") or "latn"


@pass_context
def _num(context: Context, value: float | None, decimals: int | None = None) -> str:
    return i18n.format_number(
        value, context.get("lang", "en"), decimals=decimals, digits=_digits(context)
    )


@pass_context
def _pct(context: Context, value: float | None, decimals: int = 0) -> str:
    return i18n.format_percent(
        value, context.get("lang", "en"), decimals=decimals, digits=_digits(context)
    )


@pass_context
def _date(context: Context, value: Any) -> str:
    return i18n.format_date(value, context.get("lang", "en"), digits=_digits(context))


@pass_context
def _datetime(context: Context, value: Any) -> str:
    return i18n.format_datetime(value, context.get("lang", "en"), digits=_digits(context))


templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
templates.env.filters.update(num=_num, pct=_pct, date=_date, datetime=_datetime)


def _requested(request: Request) -> str | None:
    wanted = request.query_params.get("lang")
    if wanted and i18n.base_language(wanted) in i18n.LANGUAGES:
        return i18n.base_language(wanted)
    return None


def page_language(request: Request, auth: Auth | None = None) -> str:
    """The language of the page: ``?lang=``, the user's choice, the cookie, ``Accept-Language``."""
    cached = getattr(request.state, "lang", None)
    if cached:
        return cached
    stored = auth.user.language if auth is not None else None
    cookie = request.cookies.get(LANG_COOKIE)
    lang = (
        _requested(request)
        or (stored if stored in i18n.LANGUAGES else None)
        or (cookie if cookie in i18n.LANGUAGES else None)
        or i18n.negotiate(request.headers.get("accept-language"))
        or "en"
    )
    request.state.lang = lang
    return lang


def page_gettext(request: Request, auth: Auth | None = None) -> Any:
    """``gettext`` of the page's language, for messages written by the views."""
    return web_catalogue(page_language(request, auth)).gettext


def _remember(request: Request, auth: Auth | None, response: Response) -> None:
    """Keep a language chosen with ``?lang=``: in a cookie, and on the signed-in user."""
    chosen = _requested(request)
    if chosen is None:
        return
    response.set_cookie(LANG_COOKIE, chosen, max_age=_YEAR, httponly=True, samesite="lax")
    if auth is not None and auth.user.language != chosen:
        session = object_session(auth.user)
        if session is not None:
            auth.user.language = chosen
            session.commit()


def _switch_url(request: Request, code: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", code))
    return str(request.url.path) + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in params)


def _language_context(request: Request, auth: Auth | None) -> dict[str, Any]:
    lang = page_language(request, auth)
    settings = getattr(request.app.state, "settings", None)
    return {
        "lang": lang,
        "dir": i18n.direction(lang),
        "digits": getattr(settings, "digits", "latn") if lang == "ar" else "latn",
        "switch_urls": {code: _switch_url(request, code) for code in i18n.LANGUAGES},
    }


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
        **_language_context(request, auth),
    )
    response = templates.TemplateResponse(request, name, context, status_code=status)
    _remember(request, auth, response)
    return response


def page_auth(auth: Annotated[Auth | None, Depends(optional_auth)]) -> Auth:
    """The signed-in user of a page; otherwise the page redirects to the login form."""
    if auth is None:
        raise ApiError(401, N_("sign in to continue"))
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
        raise ApiError(
            403, N_("the form has expired or did not come from this site; reload the page")
        )
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


def html_error(request: Request, status: int, message: str) -> Response:
    """An error as a page; 401 sends the browser to the login form."""
    if status == 401:
        target = quote(request.url.path)
        if request.headers.get("HX-Request"):
            return Response(status_code=200, headers={"HX-Redirect": f"/login?next={target}"})
        return RedirectResponse(f"/login?next={target}", status_code=303)
    context = {"status": status, "user": None, "csrf_token": "", **_language_context(request, None)}
    # Messages the web app writes itself are in its catalogue; others stay as written.
    context["message"] = web_catalogue(context["lang"]).gettext(message)
    return templates.TemplateResponse(request, "error.html", context, status_code=status)
