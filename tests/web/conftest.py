"""A web app on a fresh SQLite database with users in organisations A and B."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from minilateral.store.accounts import create_user, issue_token
from minilateral.web import Settings, create_app

PASSWORD = "s3cret-passphrase"
USERS = {
    "a_owner": ("owner@a.org", "Org A", "owner"),
    "a_analyst": ("analyst@a.org", "Org A", "analyst"),
    "a_viewer": ("viewer@a.org", "Org A", "viewer"),
    "b_analyst": ("analyst@b.org", "Org B", "analyst"),
}


@dataclass
class Web:
    """The test client, the database URL and a bearer header per user."""

    client: TestClient
    db_url: str
    headers: dict[str, dict[str, str]]

    def as_(self, who: str) -> dict[str, str]:
        return self.headers[who]

    def wait(self, run_id: int, who: str = "a_analyst", timeout: float = 20.0) -> dict:
        """Poll a run until it leaves queued/running."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.client.get(f"/api/runs/{run_id}", headers=self.as_(who)).json()
            if body["status"] not in ("queued", "running"):
                return body
            time.sleep(0.02)
        raise AssertionError(f"run {run_id} did not finish: {body}")


def _seed_users(app) -> dict[str, dict[str, str]]:
    headers = {}
    with app.state.db.session() as s:
        for key, (email, org, role) in USERS.items():
            user = create_user(s, email, PASSWORD, org=org, role=role)
            headers[key] = {"Authorization": f"Bearer {issue_token(s, user).secret}"}
        s.commit()
    return headers


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    app = create_app(Settings(db_url=url, workers=2, max_upload_bytes=5 * 1024 * 1024))
    with TestClient(app) as client:
        yield Web(client, url, _seed_users(app))


@pytest.fixture(scope="module")
def web_session(tmp_path_factory, scenario_factory) -> Iterator[tuple[Web, int]]:
    """One app for a whole module (hypothesis tests), with a scenario of org A."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    app = create_app(Settings(db_url=url, load_library=False))
    with TestClient(app) as client:
        web = Web(client, url, _seed_users(app))
        sid = client.post(
            "/api/scenarios",
            json={"name": "s", "scenario": scenario_factory()},
            headers=web.as_("a_analyst"),
        ).json()["id"]
        yield web, sid
