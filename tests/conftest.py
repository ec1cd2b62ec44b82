"""Shared fixtures: the reference data in ``../shared`` (skipped without it, except under CI)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
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


def scenario_dict(title: str = "Ceasefire talks", shift: float = 0.0) -> dict:
    """A small valid scenario (two issues, three actors; one actor absent from one issue)."""
    return {
        "title": title,
        "issues": [
            {"name": "ceasefire", "lo": 0, "hi": 100, "lo_label": "none", "hi_label": "permanent"},
            {"name": "aid", "lo": 0, "hi": 10},
        ],
        "actors": [
            {
                "name": "Alpha",
                "capability": 10,
                "positions": {"ceasefire": 20 + shift, "aid": 2},
                "salience": {"ceasefire": 0.9, "aid": 0.4},
            },
            {
                "name": "Beta",
                "capability": 6,
                "positions": {"ceasefire": 80, "aid": 8},
                "salience": {"ceasefire": 0.7, "aid": 0.6},
            },
            {
                "name": "Gamma",
                "capability": 3,
                "positions": {"ceasefire": 60},
                "salience": {"ceasefire": 0.5},
            },
        ],
    }


@pytest.fixture
def small_scenario() -> dict:
    """A small valid scenario as plain data (see :func:`scenario_dict`)."""
    return scenario_dict()


@pytest.fixture(scope="session")
def scenario_factory():
    """:func:`scenario_dict`, for fixtures broader than one test."""
    return scenario_dict


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Cheap argon2 parameters in tests (the defaults take ~0.1 s a hash by design)."""
    try:
        from argon2 import PasswordHasher

        from minilateral.store import accounts
    except ImportError:
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024))
        yield


CHROMIUM = os.environ.get("MINILATERAL_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium through Playwright; skipped when absent, except under CI."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but Chromium is missing at {CHROMIUM}")
        pytest.skip(f"Chromium not installed at {CHROMIUM} (Debian package 'chromium')")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    """Caches (the scenario-summary cache of ``scenarios list``) go to a temporary folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MINILATERAL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield
