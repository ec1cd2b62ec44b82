"""Issue 21 (web): invitation links, password change, copies, export filenames, run kinds."""

from __future__ import annotations

import datetime as dt
import re

from minilateral.store.orm import Invite
from tests.web.websupport import PASSWORD, Web

NEW_PASSWORD = "a-fresh-passphrase"


def _invite(web: Web, who: str = "a_owner", email: str = "new@a.org", role: str = "analyst"):
    me = web.client.get("/api/auth/me", headers=web.as_(who)).json()
    org = me["organisations"][0]["id"]
    return org, web.client.post(
        f"/api/organisations/{org}/invites",
        json={"email": email, "role": role},
        headers=web.as_(who),
    )


def test_invite_accept_once_and_sign_in(web: Web) -> None:
    org, answer = _invite(web)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["url"].endswith(f"/join/{body['token']}")
    # Only the SHA-256 of the secret is stored.
    from sqlalchemy import create_engine, text

    with create_engine(web.db_url).connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM invites")).scalars().all()
    assert body["token"] not in stored
    assert len(stored[0]) == 64
    listed = web.client.get(f"/api/organisations/{org}/invites", headers=web.as_("a_owner"))
    assert [i["email"] for i in listed.json()] == ["new@a.org"]
    assert listed.json()[0]["url"] is None
    joined = web.client.post(
        "/api/invites/accept", json={"token": body["token"], "password": NEW_PASSWORD}
    )
    assert joined.status_code == 201, joined.text
    assert joined.json()["organisations"] == [{"id": org, "name": "Org A", "role": "analyst"}]
    again = web.client.post(
        "/api/invites/accept", json={"token": body["token"], "password": NEW_PASSWORD}
    )
    assert again.status_code == 404
    assert "not valid" in again.json()["message"]
    token = web.client.post(
        "/api/auth/token", data={"username": "new@a.org", "password": NEW_PASSWORD}
    )
    assert token.status_code == 200


def test_invites_cannot_escalate_or_leak(web: Web) -> None:
    # Analysts and viewers do not invite; other organisations get 404.
    assert _invite(web, "a_analyst")[1].status_code == 403
    assert _invite(web, "a_viewer")[1].status_code == 403
    org_a = _invite(web)[0]
    other = web.client.post(
        f"/api/organisations/{org_a}/invites",
        json={"email": "x@b.org", "role": "viewer"},
        headers=web.as_("b_analyst"),
    )
    assert other.status_code == 404
    # Unknown roles are refused by the schema.
    assert _invite(web, role="admin")[1].status_code == 422


def test_expired_and_demoted_invites_stop_working(web: Web) -> None:
    from sqlalchemy import create_engine, text

    _, first = _invite(web, email="late@a.org")
    _, second = _invite(web, email="orphan@a.org")
    engine = create_engine(web.db_url)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE invites SET expires_at = :t WHERE email = 'late@a.org'"), {"t": past}
        )
    late = web.client.post(
        "/api/invites/accept", json={"token": first.json()["token"], "password": NEW_PASSWORD}
    )
    assert late.status_code == 404
    # The owner who invited is demoted: the link no longer vouches for anyone.
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE memberships SET role = 'viewer' WHERE user_id = "
                "(SELECT id FROM users WHERE email = 'owner@a.org')"
            )
        )
    orphan = web.client.post(
        "/api/invites/accept", json={"token": second.json()["token"], "password": NEW_PASSWORD}
    )
    assert orphan.status_code == 404
    assert Invite.__tablename__ == "invites"


def test_existing_account_joins_only_as_itself(web: Web) -> None:
    _, answer = _invite(web, email="analyst@b.org", role="viewer")
    token = answer.json()["token"]
    # Someone holding the link cannot set the existing account's password.
    hijack = web.client.post("/api/invites/accept", json={"token": token, "password": "x" * 12})
    assert hijack.status_code == 409
    assert "sign in as analyst@b.org" in hijack.json()["message"]
    bad = {"Authorization": "Bearer not-a-token"}
    assert (
        web.client.post("/api/invites/accept", json={"token": token}, headers=bad).status_code
        == 401
    )
    joined = web.client.post(
        "/api/invites/accept", json={"token": token}, headers=web.as_("b_analyst")
    )
    assert joined.status_code == 201
    roles = {o["name"]: o["role"] for o in joined.json()["organisations"]}
    assert roles == {"Org A": "viewer", "Org B": "analyst"}
    old = web.client.post(
        "/api/auth/token", data={"username": "analyst@b.org", "password": PASSWORD}
    )
    assert old.status_code == 200


def test_password_change(web: Web) -> None:
    wrong = web.client.post(
        "/api/auth/password",
        json={"current_password": "not-the-password", "new_password": NEW_PASSWORD},
        headers=web.as_("a_viewer"),
    )
    assert wrong.status_code == 403
    ok = web.client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=web.as_("a_viewer"),
    )
    assert ok.status_code == 204

    def sign_in(pw: str) -> int:
        return web.client.post(
            "/api/auth/token", data={"username": "viewer@a.org", "password": pw}
        ).status_code

    assert sign_in(PASSWORD) == 401
    assert sign_in(NEW_PASSWORD) == 200


def test_copy_of_shared_scenario_stays_in_the_copiers_organisation(
    web: Web, small_scenario
) -> None:
    made = web.client.post(
        "/api/scenarios",
        json={
            "name": "Talks",
            "scenario": small_scenario,
            "visibility": "shared",
            "shared_with": ["Org B"],
        },
        headers=web.as_("a_analyst"),
    ).json()
    copy = web.client.post(
        f"/api/scenarios/{made['id']}/copy", json={}, headers=web.as_("b_analyst")
    )
    assert copy.status_code == 201, copy.text
    body = copy.json()
    assert body["visibility"] == "private"
    assert body["name"] == "Talks"
    assert "copied from Talks version 1 (Org A)" in body["versions"][0]["comment"]
    # Org A cannot see Org B's copy; editing the copy leaves the original alone.
    assert (
        web.client.get(f"/api/scenarios/{body['id']}", headers=web.as_("a_analyst")).status_code
        == 404
    )
    edited = dict(small_scenario, title="Talks, our reading")
    patch = web.client.patch(
        f"/api/scenarios/{body['id']}", json={"scenario": edited}, headers=web.as_("b_analyst")
    )
    assert patch.status_code == 200
    original = web.client.get(f"/api/scenarios/{made['id']}", headers=web.as_("a_analyst")).json()
    assert len(original["versions"]) == 1
    # A second copy gets a distinct name; a viewer cannot copy.
    second = web.client.post(
        f"/api/scenarios/{made['id']}/copy", json={}, headers=web.as_("b_analyst")
    )
    assert second.json()["name"] == "Talks (copy)"
    viewer = web.client.post(
        f"/api/scenarios/{made['id']}/copy", json={}, headers=web.as_("a_viewer")
    )
    assert viewer.status_code == 403


def test_export_has_a_filename(web: Web, small_scenario) -> None:
    sid = web.client.post(
        "/api/scenarios",
        json={"name": "gaza", "scenario": small_scenario},
        headers=web.as_("a_analyst"),
    ).json()["id"]
    yaml = web.client.get(f"/api/scenarios/{sid}/export", headers=web.as_("a_analyst"))
    assert yaml.headers["content-disposition"] == 'attachment; filename="gaza.yaml"'
    js = web.client.get(
        f"/api/scenarios/{sid}/export?format=json&version=1", headers=web.as_("a_analyst")
    )
    assert js.headers["content-disposition"] == 'attachment; filename="gaza-v1.json"'


def test_runs_list_kind_column_and_filters(web: Web, small_scenario) -> None:
    sid = web.client.post(
        "/api/scenarios",
        json={"name": "k", "scenario": small_scenario},
        headers=web.as_("a_analyst"),
    ).json()["id"]
    ids = {}
    for kind, extra in (("forecast", {}), ("sweep", {"draws": 20, "seed": 1})):
        ids[kind] = web.client.post(
            "/api/runs",
            json={"scenario_id": sid, "model": "mean", "kind": kind, **extra},
            headers=web.as_("a_analyst"),
        ).json()["id"]
    for run_id in ids.values():
        web.wait(run_id)
    api = web.client.get("/api/runs?kind=sweep", headers=web.as_("a_analyst")).json()
    assert [r["id"] for r in api["items"]] == [ids["sweep"]]
    page = _page(web, "/runs?kind=sweep")
    assert "Monte Carlo sweep" in page
    assert f"#{ids['sweep']}<" in page
    assert f"#{ids['forecast']}<" not in page
    everything = _page(web, "/runs")
    assert re.search(r'<td class="kind">Forecast</td>', everything)


def _page(web: Web, path: str) -> str:
    login = web.client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
    web.client.post(
        "/login",
        data={"username": "analyst@a.org", "password": PASSWORD, "csrf_token": csrf, "next": "/"},
    )
    return web.client.get(path).text


def _signed_in(web: Web, email: str) -> str:
    """Sign the test client in as ``email``; the page's CSRF token."""
    login = web.client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
    web.client.post(
        "/login", data={"username": email, "password": PASSWORD, "csrf_token": csrf, "next": "/"}
    )
    page = web.client.get("/organisation")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_pages_invite_revoke_and_change_password(web: Web) -> None:
    csrf = _signed_in(web, "owner@a.org")
    org = re.search(r'name="org_id" value="(\d+)"', web.client.get("/organisation").text)[1]
    forged = web.client.post(
        "/organisation/invites",
        data={"csrf_token": "forged", "org_id": org, "email": "p@a.org", "role": "viewer"},
    )
    assert forged.status_code == 403
    made = web.client.post(
        "/organisation/invites",
        data={"csrf_token": csrf, "org_id": org, "email": "p@a.org", "role": "viewer"},
    )
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    link = re.search(r'id="invite-url" type="text" readonly value="([^"]+)"', made.text)[1]
    path = "/join/" + link.rsplit("/join/", 1)[1]
    invite_id = re.search(r"/organisation/invites/(\d+)/revoke", made.text)[1]
    revoked = web.client.post(
        f"/organisation/invites/{invite_id}/revoke",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    gone = web.client.get(path)
    assert gone.status_code == 404
    assert "not valid" in gone.text
    # Password change: wrong current password, mismatch, then success.
    wrong = web.client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": "nope-nope",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 422
    assert "current password is wrong" in wrong.text
    done = web.client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert done.status_code == 200
    assert 'id="password-done"' in done.text
    # The session that changed it stays signed in; the owner's API token was revoked.
    assert web.client.get("/account").status_code == 200
    assert web.client.get("/api/auth/me", headers=web.as_("a_owner")).status_code == 401
