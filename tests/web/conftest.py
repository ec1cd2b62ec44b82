"""A web app on a fresh SQLite database with users in organisations A and B."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from minilateral.store.db import Database
from minilateral.web import Settings, create_app
from tests.web.websupport import Web, seed_users


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    """A migrated, empty SQLite file; tests start from copies (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database.connect(f"sqlite:///{path}")
    db.upgrade()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture
def web(tmp_path: Path, migrated_db: Path) -> Iterator[Web]:
    shutil.copy(migrated_db, tmp_path / "web.db")
    url = f"sqlite:///{tmp_path / 'web.db'}"
    app = create_app(
        Settings(db_url=url, workers=2, max_upload_bytes=5 * 1024 * 1024, load_library=False)
    )
    with TestClient(app) as client:
        yield Web(client, url, seed_users(app))


@pytest.fixture(scope="module")
def web_session(tmp_path_factory, scenario_factory) -> Iterator[tuple[Web, int]]:
    """One app for a whole module (hypothesis tests), with a scenario of org A."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    app = create_app(Settings(db_url=url, load_library=False))
    with TestClient(app) as client:
        web = Web(client, url, seed_users(app))
        sid = client.post(
            "/api/scenarios",
            json={"name": "s", "scenario": scenario_factory()},
            headers=web.as_("a_analyst"),
        ).json()["id"]
        yield web, sid
