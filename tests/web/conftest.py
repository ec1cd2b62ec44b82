"""A web app on a fresh SQLite database with users in organisations A and B."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from websupport import Web, seed_users  # type: ignore[import-not-found]

from minilateral.web import Settings, create_app


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    app = create_app(Settings(db_url=url, workers=2, max_upload_bytes=5 * 1024 * 1024))
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
