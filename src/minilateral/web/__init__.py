"""The web application: REST API under ``/api``, HTML pages (Jinja2 + HTMX + Plotly).

``create_app(Settings(...))`` builds the FastAPI app; ``minilateral serve`` runs it with uvicorn.
"""

from minilateral.web.app import create_app
from minilateral.web.settings import Settings

__all__ = ["Settings", "create_app"]
