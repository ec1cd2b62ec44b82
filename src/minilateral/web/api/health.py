"""``GET /health``: liveness and the database's schema revision."""

from __future__ import annotations

from fastapi import APIRouter, Request

from minilateral.provenance import package_version
from minilateral.store.db import current_revision
from minilateral.web.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(request: Request) -> Health:
    """The server is up; reports the database backend and schema revision."""
    db = request.app.state.db
    return Health(
        status="ok",
        version=package_version(),
        database=db.backend,
        schema_revision=current_revision(db),
    )
