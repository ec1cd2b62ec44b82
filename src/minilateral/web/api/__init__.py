"""JSON API routers, each resource in its own module.

To add a resource (e.g. mediation tables), write a module with an
``APIRouter`` named ``router`` and append it to :data:`ROUTERS`; ``web/app.py`` includes them all.
"""

from fastapi import APIRouter

from minilateral.web.api import accounts, alignment, auth, docs, health, models, runs, scenarios
from minilateral.web.api import panels as _panels

ROUTERS: list[APIRouter] = [
    health.router,
    docs.router,
    auth.router,
    scenarios.router,
    runs.router,
    models.router,
    alignment.router,
    _panels.router,
    accounts.router,
]

__all__ = ["ROUTERS"]
