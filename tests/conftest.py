"""Shared fixtures: the reference data in ``../shared`` (skipped without it, except under CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ``shared/`` folder beside the checkout; skip (or fail under CI) when it is absent."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the reference data folder {SHARED} is missing")
        pytest.skip(f"reference data folder {SHARED} not found (CI places it beside the checkout)")
    return SHARED


@pytest.fixture(scope="session")
def benchmarks(shared: Path) -> Path:
    """``shared/benchmarks``."""
    return shared / "benchmarks"
