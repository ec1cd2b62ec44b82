"""``GET /docs``: Swagger UI served from the vendored ``swagger-ui-dist`` files (no CDN)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter()

_VENDOR = "/static/vendor/swagger-ui"


@router.get("/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    """The interactive API documentation."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="minilateral API",
        swagger_js_url=f"{_VENDOR}/swagger-ui-bundle.js",
        swagger_css_url=f"{_VENDOR}/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
