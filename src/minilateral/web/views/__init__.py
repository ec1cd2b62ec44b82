"""HTML pages (Jinja2 templates, HTMX fragments), one router per area.

To add a page area (e.g. mediation tables), write a module with a
``router`` and append it to :data:`VIEW_ROUTERS`.
"""

from fastapi import APIRouter

from minilateral.web.views import account, alignment, auth, narratives, panels, runs, scenarios
from minilateral.web.views._common import html_error

VIEW_ROUTERS: list[APIRouter] = [
    auth.router,
    scenarios.router,
    runs.router,
    alignment.router,
    panels.router,
    narratives.router,
    account.router,
]

__all__ = ["VIEW_ROUTERS", "html_error"]
