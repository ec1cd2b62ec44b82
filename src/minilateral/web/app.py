"""Assemble the FastAPI application: state, error handlers, routers, static files.

The app only assembles; endpoints live in ``web/api/`` (JSON) and ``web/views/`` (HTML).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from minilateral.presentation import plotly_assets
from minilateral.provenance import package_version
from minilateral.resources import TIME_SETTING, WEB_DEFAULT_MAX_SECONDS
from minilateral.store.db import Database
from minilateral.store.repository import load_library, mark_interrupted
from minilateral.web.api import ROUTERS
from minilateral.web.errors import (
    ErrorBody,
    error_responses_schema,
    install_handlers,
    single_query_values,
)
from minilateral.web.jobs import JobRunner
from minilateral.web.security import BodySizeLimit, LoginLimiter, SecurityHeaders
from minilateral.web.services import UploadParser
from minilateral.web.settings import Settings
from minilateral.web.views import VIEW_ROUTERS, html_error

__all__ = ["create_app"]

log = logging.getLogger(__name__)

_STATIC = Path(__file__).with_name("static")
_PLOTLY = Path(plotly_assets())


def _prepare(db: Database, settings: Settings) -> None:
    if settings.migrate:
        db.ensure_schema()
    with db.session() as session:
        lost = mark_interrupted(session)
        if lost:
            log.warning("%d run(s) were interrupted by the last shutdown", lost)
        if settings.load_library:
            load_library(session)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The minilateral web application for ``settings``.

    At start-up it migrates the database, marks runs left running by a previous process as
    ``interrupted``, and stores the embedded scenario library as public examples.
    """
    settings = settings or Settings()
    # An upload must not start a run of hours: a time limit unless the operator set one.
    os.environ.setdefault(TIME_SETTING, str(WEB_DEFAULT_MAX_SECONDS))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database.connect(settings.db_url)
        _prepare(db, settings)
        app.state.db = db
        app.state.jobs = JobRunner(db, settings.workers)
        app.state.uploads = UploadParser(settings.upload_workers, settings.upload_timeout_s)
        try:
            yield
        finally:
            app.state.jobs.shutdown()
            app.state.uploads.shutdown()
            db.dispose()

    app = FastAPI(
        title="minilateral",
        version=package_version(),
        description="Scenarios, negotiation forecasts and stored runs. Authenticate with "
        "`Authorization: Bearer <token>` from `POST /api/auth/token`.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.limiter = LoginLimiter(
        settings.login_attempts,
        settings.login_window_s,
        backoff=settings.login_backoff_s,
        client_usernames=settings.login_client_usernames,
    )
    install_handlers(app, html_error)
    # Room for multipart framing and form fields around a file of the maximum size.
    app.add_middleware(BodySizeLimit, limit=settings.max_upload_bytes + 256 * 1024)
    app.add_middleware(SecurityHeaders)
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(single_query_values)])
    for router in VIEW_ROUTERS:
        app.include_router(router, include_in_schema=False)
    app.mount("/static/plotly", StaticFiles(directory=_PLOTLY), name="plotly")
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            # Validation errors use the same body as every other error.
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in body.pop("$defs", {}).items():
                schemas[name] = sub
            schemas["HTTPValidationError"] = body
            # A JSON or form body that cannot be parsed at all is a 400.
            for ops in schema.get("paths", {}).values():
                for op in ops.values():
                    if "requestBody" in op:
                        op["responses"].setdefault("400", error_responses_schema(400))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
