"""Narrative monitor: coordinated behaviour and narratives in an analyst's own corpus of posts.

``read_corpus`` reads exports (generic CSV/JSONL, information-operations archives, Telegram
Desktop, GDELT 2.0); ``detect_coordination`` finds clusters of accounts that behaved in a
coordinated way (co-link, near-duplicate text, co-repost within a window estimated from the
data); ``find_narratives`` clusters the posts into narratives. Methods and limits:
``docs/narratives.md``.
"""

from minilateral.narratives.coordination import (
    CoordinationOptions,
    CoordinationResult,
    detect_coordination,
    estimate_window,
)
from minilateral.narratives.ingest import Corpus, load_store, read_corpus, save_store
from minilateral.narratives.topics import NarrativeOptions, NarrativeResult, find_narratives

__all__ = [
    "CoordinationOptions",
    "CoordinationResult",
    "Corpus",
    "NarrativeOptions",
    "NarrativeResult",
    "detect_coordination",
    "estimate_window",
    "find_narratives",
    "load_store",
    "read_corpus",
    "save_store",
]
