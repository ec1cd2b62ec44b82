"""Labels of stored values shown on the web pages (run status, visibility, run kinds, model
summaries), marked for translation; templates show ``_(label)``.

``MODEL_SUMMARIES`` (from :mod:`minilateral.model_labels`) holds the models' summaries.
"""

from __future__ import annotations

from minilateral.i18n import N_
from minilateral.model_labels import MODEL_SUMMARIES

__all__ = ["MODEL_SUMMARIES", "RUN_KINDS", "STATUS", "VISIBILITY"]

STATUS: dict[str, str] = {
    "queued": N_("queued"),
    "running": N_("running"),
    "done": N_("done"),
    "failed": N_("failed"),
    "cancelled": N_("cancelled"),
    "interrupted": N_("interrupted"),
}

VISIBILITY: dict[str, str] = {
    "private": N_("private"),
    "shared": N_("shared"),
    "public": N_("public"),
}

RUN_KINDS: dict[str, str] = {
    "forecast": N_("one forecast"),
    "sweep": N_("Monte Carlo sweep"),
    "coalitions": N_("mediating coalitions"),
}
