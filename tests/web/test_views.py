"""HTML pages: login with CSRF, the editor's inline validation, runs and results, isolation."""

from __future__ import annotations

import json
import re

from tests.web.websupport import PASSWORD, Web


def _login(web: Web, email: str) -> str:
    """Sign in through the form; return the session's CSRF token."""
    page = web.client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = web.client.post(
        "/login",
        data={"username": email, "password": PASSWORD, "csrf_token": token, "next": "/scenarios"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/scenarios"
    listing = web.client.get("/scenarios")
    return re.search(r'name="csrf_token" value="([^"]+)"', listing.text).group(1)


def _editor_form(csrf: str, **cells: str) -> dict[str, str]:
    form = {
        "csrf_token": csrf,
        "scenario_id": "",
        "n_issues": "1",
        "n_actors": "2",
        "name": "border",
        "title": "Border talks",
        "visibility": "private",
        "issue-0-name": "border",
        "issue-0-lo": "0",
        "issue-0-hi": "10",
        "actor-0-name": "North",
        "actor-0-capability": "4",
        "pos-0-0": "2",
        "sal-0-0": "0.5",
        "actor-1-name": "South",
        "actor-1-capability": "3",
        "pos-1-0": "9",
        "sal-1-0": "0.8",
    }
    form.update(cells)
    return form


def _save_new(web: Web, csrf: str) -> int:
    """Save the editor's default table as a new scenario; return its id."""
    saved = web.client.post(
        "/scenarios/editor", data=_editor_form(csrf, action="save"), follow_redirects=False
    )
    assert saved.status_code == 303
    return int(saved.headers["location"].rsplit("/", 1)[1])


def test_pages_need_login(web: Web) -> None:
    r = web.client.get("/scenarios", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/scenarios"
    r = web.client.get("/runs/1/status", headers={"HX-Request": "true"})
    assert r.headers["HX-Redirect"].startswith("/login")


def test_login_needs_the_form_token_and_rate_limits(web: Web) -> None:
    web.client.get("/login")
    r = web.client.post(
        "/login", data={"username": "owner@a.org", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert r.status_code == 403
    assert "expired" in r.text
    page = web.client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    wrong = web.client.post(
        "/login", data={"username": "owner@a.org", "password": "x", "csrf_token": token}
    )
    assert wrong.status_code == 401
    assert "Wrong e-mail address or password" in wrong.text
    assert '<label for="username">' in page.text
    assert '<label for="password">' in page.text


def test_form_posts_need_the_csrf_token(web: Web) -> None:
    _login(web, "analyst@a.org")
    r = web.client.post("/scenarios/editor", data=_editor_form("forged", action="save"))
    assert r.status_code == 403
    assert web.client.get("/api/scenarios", headers=web.as_("a_analyst")).json()["total"] == 0
    # a cookie session calling the JSON API must send the CSRF header for writes
    r = web.client.post("/api/scenarios", json={"name": "x", "scenario": {}})
    assert r.status_code == 403


def test_editor_validates_inline_and_saves_versions(web: Web) -> None:
    csrf = _login(web, "analyst@a.org")
    hx = {"HX-Request": "true"}
    bad = _editor_form(
        csrf, action="validate", **{"sal-1-0": "1.7", "pos-0-0": "12", "actor-1-capability": "lots"}
    )
    r = web.client.post("/scenarios/editor", data=bad, headers=hx)
    assert r.status_code == 200
    assert "<html" not in r.text
    assert re.search(r'id="actor-1-capability"[^>]*aria-invalid="true"', r.text)
    assert "&#39;lots&#39; is not a number" in r.text
    fixed = _editor_form(csrf, action="validate", **{"sal-1-0": "1.7", "pos-0-0": "12"})
    r = web.client.post("/scenarios/editor", data=fixed, headers=hx)
    assert re.search(r'id="pos-0-0"[^>]*aria-invalid="true"', r.text)
    assert "outside the scale [0, 10]" in r.text
    assert re.search(r'id="sal-1-0"[^>]*aria-invalid="true"', r.text)
    half = _editor_form(csrf, action="validate", **{"sal-0-0": ""})
    assert (
        "enter both position and salience"
        in web.client.post("/scenarios/editor", data=half, headers=hx).text
    )
    added = web.client.post(
        "/scenarios/editor", data=_editor_form(csrf, action="add_issue"), headers=hx
    )
    assert 'name="n_issues" value="2"' in added.text
    assert 'id="pos-1-1"' in added.text
    sid = _save_new(web, csrf)
    edit = _editor_form(csrf, action="save", scenario_id=str(sid), **{"pos-0-0": "3"})
    web.client.post("/scenarios/editor", data=edit, follow_redirects=False)
    detail = web.client.get(f"/api/scenarios/{sid}", headers=web.as_("a_analyst")).json()
    assert detail["latest_version"] == 2
    assert detail["scenario"]["actors"][0]["positions"]["border"] == 3.0
    page = web.client.get(f"/scenarios/{sid}/edit")
    assert 'id="pos-0-0" name="pos-0-0" value="3"' in page.text


def test_run_page_progress_and_results(web: Web) -> None:
    csrf = _login(web, "analyst@a.org")
    sid = _save_new(web, csrf)
    page = web.client.get(f"/scenarios/{sid}")
    for model in ("nash", "weighted-median", "mean"):
        assert f'<option value="{model}">' in page.text
    runs = []
    for model in ("mean", "nash"):
        r = web.client.post(
            f"/scenarios/{sid}/runs",
            data={"csrf_token": csrf, "model": model, "seed": "", "options": ""},
            follow_redirects=False,
        )
        assert r.status_code == 303
        runs.append(int(r.headers["location"].rsplit("/", 1)[1]))
    for run_id in runs:
        web.wait(run_id)
    status = web.client.get(f"/runs/{runs[1]}/status", headers={"HX-Request": "true"})
    assert status.headers["HX-Redirect"] == f"/runs/{runs[1]}/result"
    run_page = web.client.get(f"/runs/{runs[1]}")
    assert "<progress" in run_page.text
    assert "done" in run_page.text
    result = web.client.get(f"/runs/{runs[1]}/result")
    assert result.status_code == 200
    chart = json.loads(re.search(r'id="chart-data">(.*?)</script>', result.text, re.S).group(1))
    assert chart["issues"][0]["name"] == "border"
    assert {a["name"] for a in chart["issues"][0]["actors"]} == {"North", "South"}
    assert 'id="per-model"' in result.text
    assert ">mean</a>" in result.text
    assert "/static/plotly/plotly.min.js" in result.text
    assert f'href="/runs/{runs[1]}/brief.pdf"' in result.text
    brief_html = web.client.get(f"/runs/{runs[1]}/brief.html")
    assert brief_html.status_code == 200
    assert "Reproducibility" in brief_html.text
    brief_pdf = web.client.get(f"/runs/{runs[1]}/brief.pdf")
    assert brief_pdf.headers["content-type"] == "application/pdf"
    assert brief_pdf.content.startswith(b"%PDF")
    bad = web.client.post(
        f"/scenarios/{sid}/runs", data={"csrf_token": csrf, "model": "nash", "options": "speed=3"}
    )
    assert bad.status_code == 422
    assert "no option" in bad.text
    web.client.cookies.clear()
    _login(web, "analyst@b.org")
    assert web.client.get(f"/runs/{runs[1]}/brief.pdf").status_code == 404


def test_other_organisation_sees_a_404_page(web: Web) -> None:
    csrf = _login(web, "analyst@a.org")
    sid = _save_new(web, csrf)
    web.client.cookies.clear()
    _login(web, "analyst@b.org")
    assert "border" not in web.client.get("/scenarios").text
    r = web.client.get(f"/scenarios/{sid}")
    assert r.status_code == 404
    assert "Not found" in r.text
    assert web.client.get(f"/scenarios/{sid}/edit").status_code == 404


def test_static_assets_are_vendored(web: Web) -> None:
    htmx = web.client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200
    assert "htmx" in htmx.text[:2000]
    plotly = web.client.get("/static/plotly/plotly.min.js")
    assert plotly.status_code == 200
    assert len(plotly.content) > 1_000_000
    assert web.client.get("/static/style.css").status_code == 200


def test_logout_ends_the_session(web: Web) -> None:
    csrf = _login(web, "viewer@a.org")
    listing = web.client.get("/scenarios")
    assert "New scenario" not in listing.text  # viewers do not create
    r = web.client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert web.client.get("/scenarios", follow_redirects=False).status_code == 303


def test_results_show_the_alignment_map_of_the_states(web: Web, data_root) -> None:
    scenario = {
        "title": "Gulf talks",
        "date": "2019-06-01",
        "issues": [{"name": "deal", "lo": 0, "hi": 100}],
        "actors": [
            {
                "name": n,
                "code": c,
                "capability": 1,
                "positions": {"deal": p},
                "salience": {"deal": 0.5},
            }
            for n, c, p in [
                ("Qatar", "QAT", 20),
                ("Turkey", "TUR", 30),
                ("Egypt", "EGY", 70),
                ("Saudi Arabia", "SAU", 80),
                ("Hamas", None, 10),
            ]
        ],
    }
    h = web.as_("a_analyst")
    sid = web.client.post(
        "/api/scenarios", json={"name": "g", "scenario": scenario}, headers=h
    ).json()["id"]
    run = web.client.post("/api/runs", json={"scenario_id": sid, "model": "mean"}, headers=h)
    web.wait(run.json()["id"])
    _login(web, "analyst@a.org")
    page = web.client.get(f"/runs/{run.json()['id']}/result")
    assert f'hx-get="/runs/{run.json()["id"]}/alignment"' in page.text
    fragment = web.client.get(f"/runs/{run.json()['id']}/alignment")
    figure = json.loads(re.search(r'id="alignment-data">(.*?)</script>', fragment.text, re.S)[1])
    names = " ".join(str(t.get("text", "")) + str(t.get("hovertext", "")) for t in figure["data"])
    for state in ("Qatar", "Türkiye", "Egypt", "Saudi Arabia"):
        assert state in names
    assert "(2019)" in fragment.text
    # the same choropleth of strategic autonomy as the brief and `align map`, states by name
    choropleth = json.loads(
        re.search(r'id="alignment-map-data">(.*?)</script>', fragment.text, re.S)[1]
    )
    labels = " ".join(str(a.get("text", "")) for a in choropleth["layout"]["annotations"])
    for state in ("Qatar", "Türkiye", "Egypt"):
        assert state in labels


def test_alignment_map_without_data_says_how_to_install(web: Web, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MINILATERAL_DATA_DIR", str(tmp_path / "no-data"))
    scenario = {
        "title": "t",
        "issues": [{"name": "deal", "lo": 0, "hi": 100}],
        "actors": [
            {
                "name": n,
                "code": n,
                "capability": 1,
                "positions": {"deal": 50},
                "salience": {"deal": 0.5},
            }
            for n in ("QAT", "TUR")
        ],
    }
    h = web.as_("a_analyst")
    sid = web.client.post(
        "/api/scenarios", json={"name": "t", "scenario": scenario}, headers=h
    ).json()["id"]
    run = web.client.post("/api/runs", json={"scenario_id": sid, "model": "mean"}, headers=h)
    web.wait(run.json()["id"])
    _login(web, "analyst@a.org")
    fragment = web.client.get(f"/runs/{run.json()['id']}/alignment")
    assert "No alignment map" in fragment.text
    assert "minilateral data import" in fragment.text
    api = web.client.get("/api/alignment/dyads?states=QAT,TUR&years=2019", headers=h)
    assert api.status_code == 409
    assert "not installed" in api.json()["message"]


def test_import_form(web: Web) -> None:
    from tests.web.test_api import YAML

    csrf = _login(web, "analyst@a.org")
    r = web.client.post(
        "/scenarios/import",
        data={"csrf_token": csrf, "visibility": "private"},
        files={"file": ("border.yaml", YAML)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "North" in web.client.get(r.headers["location"]).text
    broken = YAML.replace("capability: 3", "capability: lots")
    bad = web.client.post(
        "/scenarios/import", data={"csrf_token": csrf}, files={"file": ("b.yaml", broken)}
    )
    assert bad.status_code == 400
    assert "b.yaml" in bad.text
    assert "capability" in bad.text
    big = web.client.post(
        "/scenarios/import",
        data={"csrf_token": csrf},
        files={"file": ("big.yaml", "#" * (5 * 1024 * 1024 + 10))},
    )
    assert big.status_code == 413


def test_run_pages_cancel_and_restart(web: Web) -> None:
    from tests.web.test_api import _create, _queued_run

    sid = _create(
        web,
        "a_analyst",
        {
            "title": "t",
            "issues": [{"name": "q"}],
            "actors": [
                {"name": "A", "capability": 1, "positions": {"q": 10}, "salience": {"q": 0.5}},
                {"name": "B", "capability": 2, "positions": {"q": 90}, "salience": {"q": 0.5}},
            ],
        },
    )["id"]
    run_id = _queued_run(web, sid, "a_analyst")
    csrf = _login(web, "analyst@a.org")
    assert web.client.get("/", follow_redirects=False).headers["location"] == "/scenarios"
    page = web.client.get(f"/runs/{run_id}")
    assert 'hx-trigger="load delay:700ms"' in page.text  # live polling while queued
    assert "queued" in web.client.get("/runs").text
    r = web.client.post(f"/runs/{run_id}/cancel", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    page = web.client.get(f"/runs/{run_id}")
    assert "cancelled" in page.text
    assert "hx-trigger" not in page.text.split('id="run-status"')[1].split(">")[0]
    r = web.client.post(
        f"/runs/{run_id}/restart", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    assert web.wait(run_id)["status"] == "done"
    assert web.client.get(f"/runs/{run_id}/result").status_code == 200
    forged = web.client.post(f"/runs/{run_id}/restart", data={"csrf_token": "x"})
    assert forged.status_code == 403
