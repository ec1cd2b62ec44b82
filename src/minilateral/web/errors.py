"""One error body for every failure, and the handlers that produce it.

Every error response is ``{"code": ..., "message": ..., "errors": [{"loc", "msg", "type"}]}``;
``errors`` lists field problems (422) and is empty otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from minilateral.errors import (
    FormatError,
    MinilateralError,
    NotFoundError,
    OptionError,
    PermissionDeniedError,
    ScenarioError,
    ScenarioValidationError,
    UnknownModelError,
)

__all__ = ["ApiError", "ErrorBody", "FieldError", "error_responses", "install_handlers"]

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    500: "internal_error",
}


class FieldError(BaseModel):
    """One problem with one field of the request."""

    loc: list[str | int] = Field(description="Path to the field, e.g. ['body', 'scenario'].")
    msg: str
    type: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    code: str = Field(description="Machine-readable error kind, e.g. 'not_found'.")
    message: str = Field(description="What went wrong, in words.")
    errors: list[FieldError] = Field(default_factory=list)


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting :class:`ErrorBody` for ``codes``."""
    return {code: {"model": ErrorBody, "description": _CODES.get(code, "error")} for code in codes}


class ApiError(Exception):
    """An error with an HTTP status, raised by endpoints and dependencies."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []
        self.headers = headers


def _body(status: int, message: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return ErrorBody(
        code=_CODES.get(status, "error"),
        message=message,
        errors=[FieldError.model_validate(e) for e in errors or []],
    ).model_dump()


def status_of(err: MinilateralError) -> int:
    """HTTP status for a library error."""
    if isinstance(err, NotFoundError):
        return 404
    if isinstance(err, PermissionDeniedError):
        return 403
    if isinstance(err, ScenarioValidationError | OptionError | UnknownModelError):
        return 422
    if isinstance(err, FormatError | ScenarioError | ValueError):
        return 400
    return 409


def _loc(loc: Any) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in loc]


HtmlErrors = Callable[[Request, int, str], Response]
_JSON_PREFIXES = ("/api/", "/health", "/openapi.json", "/docs", "/static/")


def allowed_methods(app: FastAPI, request: Request) -> str:
    """Every method some route answers on this path (Starlette's own 405 names only the first
    route of the path, and the API registers one route per method)."""
    return ", ".join(
        method
        for method in ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in app.router.routes
        )
    )


def _query_names(dependant: Any) -> set[str]:
    """The query parameters an operation declares, its dependencies' included."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def single_query_values(request: Request) -> None:
    """Refuse a query parameter given twice or one the operation does not declare.

    Every API parameter is a single value, and taking the last one silently would answer a
    question the caller did not ask; an undeclared parameter (a misspelt filter, say) would be
    ignored just as silently.
    """
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key in seen:
            raise ApiError(
                422,
                f"query.{key[:100]}: given more than once",
                errors=[
                    {"loc": ["query", key[:100]], "msg": "given more than once", "type": "repeated"}
                ],
            )
        seen.add(key)
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    declared = _query_names(dependant)
    unknown = sorted(seen - declared)
    if unknown:
        key = unknown[0][:100]
        known = ", ".join(sorted(declared)) or "none"
        raise ApiError(
            422,
            f"query.{key}: not a parameter of this operation (parameters: {known})",
            errors=[
                {"loc": ["query", key], "msg": "not a parameter of this operation", "type": "extra"}
            ],
        )


def error_responses_schema(status: int) -> dict[str, Any]:
    """The OpenAPI response object of an error status (the body is :class:`ErrorBody`)."""
    return {
        "description": _CODES.get(status, "error"),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }


def install_handlers(app: FastAPI, html: HtmlErrors | None = None) -> None:
    """Map every exception to :class:`ErrorBody`; for the HTML pages (paths outside the API),
    ``html`` renders the same status and message as a page instead."""

    def respond(
        request: Request,
        status: int,
        message: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        if html is not None and not request.url.path.startswith(_JSON_PREFIXES):
            return html(request, status, message)
        return JSONResponse(_body(status, message, errors), status, headers)

    @app.exception_handler(ApiError)
    async def _api(request: Request, err: ApiError) -> Response:
        return respond(request, err.status, err.message, err.errors, err.headers)

    @app.exception_handler(MinilateralError)
    async def _lib(request: Request, err: MinilateralError) -> Response:
        errors = []
        if isinstance(err, ScenarioValidationError):
            errors = [{"loc": ["body"], "msg": p, "type": "scenario"} for p in err.problems]
        elif err.field is not None:
            errors = [{"loc": [err.field], "msg": err.message, "type": type(err).__name__}]
        return respond(request, status_of(err), str(err), errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, err: RequestValidationError) -> Response:
        errors = [
            {"loc": _loc(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
            for e in err.errors()
        ]
        first = errors[0] if errors else None
        where = ".".join(str(p) for p in first["loc"]) if first else ""
        message = f"{where}: {first['msg']}" if first else "invalid request"
        return respond(request, 422, message, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, err: StarletteHTTPException) -> Response:
        headers = getattr(err, "headers", None)
        if err.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(app, request)}
        return respond(request, err.status_code, str(err.detail), headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, err: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal error; the server log has the details")
