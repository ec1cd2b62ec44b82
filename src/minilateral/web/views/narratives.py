"""The narrative monitor page: upload a corpus, see narratives and coordinated clusters.

The upload is analysed in the request (up to the upload limit, 5 MB by default) and nothing
is stored; larger corpora go through ``minilateral narratives report``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from minilateral.errors import MinilateralError
from minilateral.i18n import N_
from minilateral.web.views._common import PageAuth, check_csrf, page_gettext, render

router = APIRouter()

_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".json", ".tsv", ".txt", ".zip")


def narratives_context(path: Path) -> dict[str, Any]:
    """Report data and figure JSON for a corpus file (the same functions the CLI runs)."""
    from minilateral.narratives import detect_coordination, find_narratives, read_corpus
    from minilateral.presentation import figure_json
    from minilateral.presentation.narratives import network_figure, report_context, timeline_figure

    corpus = read_corpus(path)
    coord = detect_coordination(corpus)
    nar = find_narratives(corpus, coordination=coord)
    return {
        "report": report_context(coord, nar),
        "timeline_json": figure_json(timeline_figure(nar)),
        "network_json": figure_json(network_figure(coord)),
    }


@router.get("/narratives")
def narratives_page(request: Request, auth: PageAuth) -> Response:
    """The upload form."""
    return render(request, "narratives.html", auth)


@router.post("/narratives")
async def narratives_upload(request: Request, auth: PageAuth) -> Response:
    """Analyse an uploaded corpus file and show the report."""
    from starlette.concurrency import run_in_threadpool

    await check_csrf(request, auth)
    form = await request.form()
    upload = form.get("file")
    limit = request.app.state.settings.max_upload_bytes
    if upload is None or isinstance(upload, str) or not upload.filename:
        return render(
            request,
            "narratives.html",
            auth,
            400,
            error=page_gettext(request, auth)(N_("Choose a corpus file.")),
        )
    data = await upload.read(limit + 1)
    if len(data) > limit:
        return render(
            request,
            "narratives.html",
            auth,
            413,
            error=page_gettext(request, auth)(
                N_("The file is larger than the upload limit; use the command line for it.")
            ),
        )
    name = PurePath(upload.filename).name or "corpus.csv"
    if not name.lower().endswith(_SUFFIXES):
        return render(
            request,
            "narratives.html",
            auth,
            400,
            error=page_gettext(request, auth)(
                N_("Upload a CSV, JSON lines, Telegram export or GDELT file.")
            ),
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            context = await run_in_threadpool(narratives_context, path)
        except MinilateralError as err:
            message = str(err).replace(str(path), name)
            return render(request, "narratives.html", auth, 400, error=message)
    return render(request, "narratives.html", auth, filename=name, **context)


__all__ = ["narratives_context", "router"]
