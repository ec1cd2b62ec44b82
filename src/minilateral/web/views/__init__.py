"""HTML pages (Jinja2 templates, HTMX fragments), one router per area.

To add a page area (e.g. the alignment map or mediation tables), write a module with a
``router`` and append it to :data:`VIEW_ROUTERS`.
"""

from fastapi import APIRouter

from minilateral.web.views import auth, runs, scenarios
from minilateral.web.views._common import html_error

VIEW_ROUTERS: list[APIRouter] = [auth.router, scenarios.router, runs.router]

__all__ = ["VIEW_ROUTERS", "html_error"]
