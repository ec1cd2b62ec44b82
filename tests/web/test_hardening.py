"""Regression tests of issue 17 over HTTP: bombs, body limit, shares, login, headers."""

from __future__ import annotations

import re
import resource
import socket
import statistics
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from minilateral.store.accounts import create_user, issue_token
from minilateral.store.orm import Run
from minilateral.web import Settings, create_app
from tests.conftest import scenario_dict
from tests.io.test_fuzz_corpus import _invalid, _truncated
from tests.io.test_hardening import XML_BOMB, YAML_BOMB
from tests.web.websupport import PASSWORD, Web


def _import(web: Web, name: str, data: str | bytes, who: str = "a_analyst") -> httpx.Response:
    return web.client.post(
        "/api/scenarios/import", files={"file": (name, data)}, headers=web.as_(who)
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bomb.yaml", YAML_BOMB, "aliases"),
        ("bomb.xml", XML_BOMB, "entity declarations"),
        ("deep.yaml", "title: t\nissues: " + "[" * 5000 + "]" * 5000, "nested more than"),
        ("date.yaml", "title: t\ndate: 2025-13-45\n", "not a valid date"),
        ("big.csv", "Actor,Capability,Position,Salience\nA," + "1" * 200_000 + ",1,1\n", "KiB"),
    ],
)
def test_hostile_uploads_are_located_400s(web: Web, name: str, data: str, message: str) -> None:
    start = time.perf_counter()
    r = _import(web, name, data)
    assert r.status_code == 400, r.text
    assert name in r.json()["message"]
    assert message in r.json()["message"]
    assert time.perf_counter() - start < 5


def test_boolean_capability_is_refused_by_the_api(web: Web) -> None:
    data = scenario_dict()
    data["actors"][0]["capability"] = True
    r = web.client.post(
        "/api/scenarios", json={"name": "b", "scenario": data}, headers=web.as_("a_analyst")
    )
    assert r.status_code == 422, r.text


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size


def test_chunked_body_over_the_limit_is_413_before_auth(tmp_path, migrated_db) -> None:
    import shutil

    shutil.copy(migrated_db, tmp_path / "c.db")
    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'c.db'}", max_upload_bytes=64 * 1024))
    with TestClient(app) as client:
        r = client.post(
            "/api/scenarios/import",
            content=_chunks(2 * 1024 * 1024),
            headers={"content-type": "multipart/form-data; boundary=x"},
        )
        assert r.status_code == 413
        assert r.json()["code"] == "too_large"
        small = client.post("/api/scenarios/import", content=_chunks(1024, 1024))
        assert small.status_code == 401  # under the limit: on to authentication


def test_security_headers(web: Web) -> None:
    for url in ("/login", "/health"):
        headers = web.client.get(url).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"


# -- shares: three organisations -------------------------------------------------------------


def _org_c(web: Web) -> dict[str, str]:
    app = web.client.app
    with app.state.db.session() as s:
        user = create_user(s, "analyst@c.org", PASSWORD, org="Org C", role="analyst")
        header = {"Authorization": f"Bearer {issue_token(s, user).secret}"}
        s.commit()
    return header


def _scenario(web: Web, **body) -> int:
    r = web.client.post(
        "/api/scenarios",
        json={"name": "s", "scenario": scenario_dict(), **body},
        headers=web.as_("a_analyst"),
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _run(web: Web, sid: int, who: str, visibility: str = "private") -> httpx.Response:
    return web.client.post(
        "/api/runs",
        json={"scenario_id": sid, "model": "compromise", "visibility": visibility},
        headers=web.as_(who),
    )


def _html_login(web: Web, email: str) -> None:
    page = web.client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    web.client.post(
        "/login",
        data={"username": email, "password": PASSWORD, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


def test_share_recipient_cannot_publish(web: Web) -> None:
    sid = _scenario(web, visibility="shared", shared_with=["Org B"])
    refused = _run(web, sid, "b_analyst", "public")
    assert refused.status_code == 403, refused.text
    assert "visible" in refused.json()["message"]
    assert _run(web, sid, "b_analyst", "private").status_code == 202
    own_private = _scenario(web)
    assert _run(web, own_private, "a_analyst", "public").status_code == 403


def test_runs_are_withdrawn_with_their_scenario(web: Web) -> None:
    c = _org_c(web)
    sid = _scenario(web, visibility="public")
    run = _run(web, sid, "b_analyst", "public").json()["id"]
    web.wait(run, "b_analyst")
    assert web.client.get(f"/api/runs/{run}", headers=c).status_code == 200
    # the owner makes the scenario private: the public run of Org B is withdrawn from Org C
    web.client.patch(
        f"/api/scenarios/{sid}",
        json={"visibility": "shared", "shared_with": ["Org B"]},
        headers=web.as_("a_analyst"),
    )
    assert web.client.get(f"/api/runs/{run}", headers=c).status_code == 404
    assert run not in [r["id"] for r in web.client.get("/api/runs", headers=c).json()["items"]]
    assert web.client.get(f"/api/runs/{run}", headers=web.as_("b_analyst")).status_code == 200
    # revoking the share withdraws it from Org B too
    web.client.patch(
        f"/api/scenarios/{sid}", json={"visibility": "private"}, headers=web.as_("a_analyst")
    )
    assert web.client.get(f"/api/runs/{run}", headers=web.as_("b_analyst")).status_code == 404
    assert web.client.get(f"/api/runs/{run}", headers=web.as_("a_analyst")).status_code == 200
    # and over HTML
    _html_login(web, "analyst@b.org")
    assert web.client.get(f"/runs/{run}").status_code == 404
    assert web.client.get(f"/runs/{run}/result").status_code == 404


def test_deleting_a_scenario_withdraws_public_runs(web: Web) -> None:
    c = _org_c(web)
    sid = _scenario(web, visibility="public")
    run = _run(web, sid, "b_analyst", "public").json()["id"]
    web.wait(run, "b_analyst")
    web.client.delete(f"/api/scenarios/{sid}", headers=web.as_("a_analyst"))
    assert web.client.get(f"/api/runs/{run}", headers=c).status_code == 404
    _html_login(web, "analyst@c.org")
    assert web.client.get(f"/runs/{run}").status_code == 404


def test_scenario_owner_can_cancel_and_delete_runs_of_it(web: Web) -> None:
    sid = _scenario(web, visibility="shared", shared_with=["Org B"])
    run = _run(web, sid, "b_analyst").json()["id"]
    web.wait(run, "b_analyst")
    # finished: cancelling is a conflict, not a permission error
    cancel = web.client.post(f"/api/runs/{run}/cancel", headers=web.as_("a_analyst"))
    assert cancel.status_code == 409, cancel.text
    deleted = web.client.delete(f"/api/runs/{run}", headers=web.as_("a_analyst"))
    assert deleted.status_code == 204, deleted.text
    assert web.client.get(f"/api/runs/{run}", headers=web.as_("b_analyst")).status_code == 404


def test_unknown_organisation_answer_names_nothing(web: Web) -> None:
    r = web.client.post(
        "/api/scenarios",
        json={"name": "s", "scenario": scenario_dict(), "shared_with": ["Nope"]},
        headers=web.as_("a_analyst"),
    )
    assert r.status_code == 409
    assert "no organisation" not in r.json()["message"]


@pytest.mark.parametrize("method", ["post", "patch"])
def test_unknown_and_refused_organisations_answer_alike(web: Web, method: str) -> None:
    """An unknown name and an existing organisation that may not receive the share (the
    scenario's own) give the same status and body, apart from the name itself."""
    sid = _scenario(web)

    def share(name: str) -> httpx.Response:
        if method == "post":
            body = {"name": "s", "scenario": scenario_dict(), "shared_with": [name]}
            return web.client.post("/api/scenarios", json=body, headers=web.as_("a_analyst"))
        body = {"visibility": "shared", "shared_with": [name]}
        return web.client.patch(f"/api/scenarios/{sid}", json=body, headers=web.as_("a_analyst"))

    unknown, own = share("Org Z"), share("Org A")
    assert unknown.status_code == own.status_code == 409
    assert unknown.text.replace("Org Z", "NAME") == own.text.replace("Org A", "NAME")
    assert "cannot share with 'Org Z'" in unknown.json()["message"]
    # nothing was shared on the refused attempts
    got = web.client.get(f"/api/scenarios/{sid}", headers=web.as_("a_analyst")).json()
    assert got["shared_with"] == []


def test_wrong_method_is_405_with_allow(web: Web) -> None:
    """Every path of the API answers a method it does not serve with 405 and an ``Allow``
    header naming all the methods it does serve (not only the first route's), also where a
    literal segment sits beside a path parameter (``/api/scenarios/import``)."""
    paths = web.client.app.openapi()["paths"]
    for path, ops in paths.items():
        url = re.sub(r"\{[a-z_]+\}", "1", path)
        for method in {"get", "post", "put", "patch", "delete"} - set(ops):
            r = web.client.request(method.upper(), url, headers=web.as_("a_analyst"))
            assert r.status_code == 405, (method, path, r.status_code)
            allowed = set(r.headers["allow"].split(", ")) - {"HEAD"}
            assert allowed == {m.upper() for m in ops}, (method, path)
            assert r.json()["code"] == "method_not_allowed"


# -- login --------------------------------------------------------------------------------------


def _login_app(tmp_path, **settings) -> TestClient:
    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'l.db'}", **settings))
    client = TestClient(app)
    client.__enter__()
    with app.state.db.session() as s:
        for k in range(3):
            create_user(s, f"u{k}@a.org", PASSWORD, org="A", role="analyst")
        s.commit()
    return client


def _token(client: TestClient, user: str, password: str, **headers: str) -> int:
    return client.post(
        "/api/auth/token", data={"username": user, "password": password}, headers=headers
    ).status_code


def test_back_off_not_lock_out(tmp_path) -> None:
    client = _login_app(tmp_path, login_attempts=3, login_backoff_s=0.2)
    try:
        for _ in range(3):
            assert _token(client, "u0@a.org", "wrong") == 401
        assert _token(client, "u0@a.org", PASSWORD) == 429
        time.sleep(0.3)
        assert _token(client, "u0@a.org", PASSWORD) == 200
    finally:
        client.__exit__(None, None, None)


def test_spraying_usernames_from_one_client_is_throttled(tmp_path) -> None:
    client = _login_app(tmp_path, login_attempts=3, login_client_usernames=5, login_backoff_s=60)
    try:
        codes = [_token(client, f"nobody{k}@a.org", "wrong") for k in range(5)]
        assert codes == [401] * 5
        assert _token(client, "nobody99@a.org", "wrong") == 429
    finally:
        client.__exit__(None, None, None)


def test_forwarded_for_is_trusted_only_from_a_trusted_proxy(tmp_path) -> None:
    client = _login_app(tmp_path, login_attempts=2, login_backoff_s=60)
    try:
        for k in range(2):
            assert _token(client, "u1@a.org", "wrong", **{"X-Forwarded-For": f"10.0.0.{k}"}) == 401
        assert _token(client, "u1@a.org", "wrong", **{"X-Forwarded-For": "10.0.0.9"}) == 429
    finally:
        client.__exit__(None, None, None)
    proxied = _login_app(
        tmp_path / "..", login_attempts=2, login_backoff_s=60, trusted_proxies=("testclient",)
    )
    try:
        for _ in range(2):
            assert _token(proxied, "u2@a.org", "x", **{"X-Forwarded-For": "10.0.0.1"}) == 401
        assert _token(proxied, "u2@a.org", "x", **{"X-Forwarded-For": "10.0.0.1"}) == 429
        # another client behind the proxy is not held back by the first one's failures
        assert _token(proxied, "u2@a.org", PASSWORD, **{"X-Forwarded-For": "10.0.0.2"}) == 200
    finally:
        proxied.__exit__(None, None, None)


def test_serve_does_not_let_uvicorn_trust_forwarded_for(monkeypatch, tmp_path) -> None:
    from typer.testing import CliRunner

    from minilateral.cli import app

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    result = CliRunner().invoke(
        app, ["serve", "--db-url", f"sqlite:///{tmp_path / 's.db'}", "--trusted-proxy", "::1"]
    )
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is False


# -- the event loop under a bounded loop of bombs ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_health_answers_while_bombs_are_uploaded(tmp_path, migrated_db) -> None:
    """20 bomb uploads from 4 threads at 127.0.0.1 while /health is polled: p95 < 1 s and the
    server's peak memory grows by less than 200 MB."""
    import shutil

    shutil.copy(migrated_db, tmp_path / "h.db")
    url = f"sqlite:///{tmp_path / 'h.db'}"
    app = create_app(Settings(db_url=url, load_library=False))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        with app.state.db.session() as s:
            user = create_user(s, "bomb@a.org", PASSWORD, org="A", role="analyst")
            auth = {"Authorization": f"Bearer {issue_token(s, user).secret}"}
            s.commit()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        codes: list[int] = []

        def bomb(k: int) -> None:
            with httpx.Client(base_url=base, timeout=10) as http:
                for i in range(5):
                    name, data = ("b.yaml", YAML_BOMB) if (k + i) % 2 else ("b.xml", XML_BOMB)
                    r = http.post(
                        "/api/scenarios/import", files={"file": (name, data)}, headers=auth
                    )
                    codes.append(r.status_code)

        workers = [threading.Thread(target=bomb, args=(k,)) for k in range(4)]
        for w in workers:
            w.start()
        latencies = []
        with httpx.Client(base_url=base, timeout=5) as http:
            while any(w.is_alive() for w in workers) or len(latencies) < 10:
                t = time.perf_counter()
                assert http.get("/health").status_code == 200
                latencies.append(time.perf_counter() - t)
                time.sleep(0.02)
                if len(latencies) > 500:
                    break
        for w in workers:
            w.join(15)
        assert codes == [400] * 20
        p95 = statistics.quantiles(latencies, n=20)[-1]
        assert p95 < 1.0, p95
        grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
        assert grown_mb < 200, grown_mb
    finally:
        server.should_exit = True
        thread.join(10)


def test_the_import_endpoint_answers_4xx_to_the_corpus(web: Web) -> None:
    cases = list(_invalid())[::3] + list(_truncated())[::4]
    for case, name, data in cases:
        r = web.client.post(
            "/api/scenarios/import", files={"file": (name, data)}, headers=web.as_("a_analyst")
        )
        assert r.status_code < 500, f"{case}: {r.status_code} {r.text[:200]}"
        if "truncated" not in case:
            assert r.status_code in (400, 413, 422), f"{case}: {r.status_code}"
            assert name in r.json()["message"], f"{case}: {r.text[:200]}"


def test_panel_without_codings_is_a_conflict(web: Web) -> None:
    """A schema-valid request on a panel nobody has coded yet meets a state of the panel: 409
    naming the codings, not a 422 as if the request were malformed."""
    sid = _scenario(web)
    owner = web.as_("a_analyst")
    pid = web.client.post(
        "/api/panels", json={"scenario_id": sid, "name": "p"}, headers=owner
    ).json()["id"]
    for r in (
        web.client.get(f"/api/panels/{pid}/report", headers=owner),
        web.client.get(f"/api/panels/{pid}/brief", headers=owner),
        web.client.post(f"/api/panels/{pid}/aggregate", json={}, headers=owner),
    ):
        assert r.status_code == 409, r.text
        assert r.json()["message"] == "field 'codings': the panel has no codings yet"


def test_repeated_query_parameter_is_refused(web: Web) -> None:
    """``?q=a&q=b`` is not silently read as ``b``: 422 naming the parameter."""
    r = web.client.get("/api/scenarios?q=a&q=b", headers=web.as_("a_analyst"))
    assert r.status_code == 422, r.text
    assert r.json()["message"] == "query.q: given more than once"


def test_undeclared_query_parameter_is_refused(web: Web) -> None:
    """A misspelt filter (``?kindd=sweep``) is not silently ignored: 422 naming it and the
    operation's parameters; the declared ones still work."""
    r = web.client.get("/api/runs?kindd=sweep", headers=web.as_("a_analyst"))
    assert r.status_code == 422, r.text
    message = r.json()["message"]
    assert message.startswith("query.kindd: not a parameter of this operation (parameters: ")
    assert "kind" in message
    assert "model" in message
    ok = web.client.get("/api/runs?kind=sweep&model=bdm", headers=web.as_("a_analyst"))
    assert ok.status_code == 200, ok.text
    assert web.client.get("/api/scenarios?q=a", headers=web.as_("a_analyst")).status_code == 200


def test_brief_of_a_run_without_its_scenario_version_redirects_to_the_run(web: Web) -> None:
    """A run's scenario version is nullable (``ON DELETE SET NULL``); without it the brief
    sends the reader back to the run page, as the result page does, instead of failing."""
    sid = _scenario(web, visibility="shared", shared_with=["Org B"])
    run = _run(web, sid, "b_analyst").json()["id"]
    web.wait(run, "b_analyst")
    with web.client.app.state.db.session() as s:
        s.get(Run, run).scenario_version_id = None
        s.commit()
    _html_login(web, "analyst@b.org")
    for page in ("result", "brief.html"):
        answer = web.client.get(f"/runs/{run}/{page}", follow_redirects=False)
        assert answer.status_code == 303, (page, answer.status_code)
        assert answer.headers["location"] == f"/runs/{run}"
