"""Helpers of the web tests: users of organisations A and B, and a client wrapper."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from minilateral.store.accounts import create_user, issue_token

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


def seed_users(app) -> dict[str, dict[str, str]]:
    headers = {}
    with app.state.db.session() as s:
        for key, (email, org, role) in USERS.items():
            user = create_user(s, email, PASSWORD, org=org, role=role)
            headers[key] = {"Authorization": f"Bearer {issue_token(s, user).secret}"}
        s.commit()
    return headers


@contextmanager
def live_server(db_path: Path, *, start_timeout: float = 20) -> Iterator[tuple[str, dict]]:
    """A live web app on a free loopback port, on a new SQLite database at ``db_path``, with
    the users of :func:`seed_users`; yields its base URL and their bearer headers, and stops
    the server on exit."""
    import uvicorn

    from minilateral.web import Settings, create_app

    app = create_app(Settings(db_url=f"sqlite:///{db_path}"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    headers = seed_users(app)
    try:
        yield f"http://127.0.0.1:{port}", headers
    finally:
        server.should_exit = True
        thread.join(timeout=10)
