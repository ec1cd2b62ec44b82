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


@pytest.fixture(scope="session")
def data_root(shared: Path, tmp_path_factory: pytest.TempPathFactory):
    """A temporary MINILATERAL_DATA_DIR holding every table of ``shared/data`` (imported)."""
    from minilateral.data.importer import import_tables

    root = tmp_path_factory.mktemp("mldata")
    report = import_tables(shared / "data", root=root)
    assert not report.failed, report.failed
    old = os.environ.get("MINILATERAL_DATA_DIR")
    os.environ["MINILATERAL_DATA_DIR"] = str(root)
    yield root
    if old is None:
        os.environ.pop("MINILATERAL_DATA_DIR", None)
    else:
        os.environ["MINILATERAL_DATA_DIR"] = old


@pytest.fixture(scope="session")
def rollcalls(data_root: Path):
    """Prepared ``un_votes_ccode`` votes."""
    from minilateral.alignment.votes import load_votes

    return load_votes("un_votes_ccode", data_root)
