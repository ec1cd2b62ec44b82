"""The REST API of panels: three coders in two organisations, rounds, visibility, bad input."""

from __future__ import annotations

from tests.conftest import scenario_dict
from tests.panels.helpers import coding, with_cell
from tests.web.websupport import Web


def test_panel_api_flow(web: Web) -> None:
    c = web.client
    owner, analyst, guest = web.as_("a_owner"), web.as_("a_analyst"), web.as_("b_analyst")
    sid = c.post(
        "/api/scenarios", json={"name": "talks", "scenario": scenario_dict()}, headers=owner
    ).json()["id"]
    r = c.post("/api/panels", json={"scenario_id": sid, "name": "Talks panel"}, headers=owner)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    for email in ("owner@a.org", "analyst@a.org", "analyst@b.org"):
        assert (
            c.post(f"/api/panels/{pid}/members", json={"email": email}, headers=owner).status_code
            == 201
        )
    r = c.post(f"/api/panels/{pid}/members", json={"email": "nobody@x.org"}, headers=owner)
    assert r.status_code == 404
    assert "create the account first" in r.json()["message"]
    # an analyst of org B cannot invite, the viewer of A was not invited and cannot code
    assert (
        c.post(
            f"/api/panels/{pid}/members", json={"email": "viewer@a.org"}, headers=guest
        ).status_code
        == 403
    )
    r = c.put(f"/api/panels/{pid}/coding", json=coding(0), headers=web.as_("a_viewer"))
    assert r.status_code == 403
    assert "not invited" in r.json()["message"]

    for who, shift in ((owner, -10), (analyst, 0), (guest, 12)):
        r = c.put(
            f"/api/panels/{pid}/coding", json=coding(shift, rationale=f"view {shift}"), headers=who
        )
        assert r.status_code == 200, r.text
    r = c.put(
        f"/api/panels/{pid}/coding",
        json=with_cell(coding(0), "Gamma", "ceasefire", position=-3),
        headers=guest,
    )
    assert r.status_code == 400
    assert "outside the issue's scale" in r.json()["message"]
    assert (
        c.get(f"/api/panels/{pid}/coding", headers=guest).json()["1"]["cells"][0]["position"] == 32
    )

    # what the guest sees: the panel, its scenario, their own coding; not org A's other things
    view = c.get(f"/api/panels/{pid}", headers=guest).json()
    assert view["role"] == "coder"
    assert "members" not in view
    assert c.get(f"/api/panels/{pid}/scenario", headers=guest).json()["title"] == "Ceasefire talks"
    assert c.get(f"/api/scenarios/{sid}", headers=guest).status_code == 404
    assert c.get(f"/api/panels/{pid}/report", headers=guest).status_code == 403
    assert c.get(f"/api/panels/{pid}/rounds/1/summary", headers=guest).status_code == 409
    assert c.get(f"/api/panels/{pid}", headers=web.as_("a_viewer")).json()["role"] == "reader"

    report = c.get(f"/api/panels/{pid}/report", headers=owner).json()
    assert report["coders"] == 3
    assert report["heatmap"]["actors"] == ["Alpha", "Beta", "Gamma"]
    brief = c.get(f"/api/panels/{pid}/brief", headers=owner).json()
    assert brief["coders"] == ["Coder A", "Coder B", "Coder C"]
    assert brief["disputed_cells"][0]["issue"] == "ceasefire"

    r = c.post(f"/api/panels/{pid}/rounds/close", json={}, headers=owner)
    assert r.status_code == 200
    assert r.json()["panel"]["current_round"] == 2
    summary = c.get(f"/api/panels/{pid}/rounds/1/summary", headers=guest).json()
    assert summary["cells"][0]["position"]["median"] == 20
    assert "@" not in str(summary)
    late = c.put(f"/api/panels/{pid}/coding?round=1", json=coding(9), headers=guest)
    assert late.status_code == 409
    assert "round 1 of panel" in late.json()["message"]
    assert c.put(f"/api/panels/{pid}/coding", json=coding(2), headers=guest).json()["round"] == 2
    r = c.post(f"/api/panels/{pid}/aggregate", json={"method": "mean"}, headers=owner)
    assert r.status_code == 201
    assert r.json()["version"] == 2
    content = c.get(f"/api/scenarios/{sid}", headers=owner).json()
    assert content["versions"][-1]["comment"].startswith(f"panel {pid}")
    assert (
        c.post(f"/api/panels/{pid}/rounds/close", json={"final": True}, headers=owner).status_code
        == 200
    )
    r = c.put(f"/api/panels/{pid}/coding", json=coding(0), headers=guest)
    assert r.status_code == 409
    assert "has ended" in r.json()["message"]
    assert (
        c.get(f"/api/panels/{pid}/coding", headers=guest).json()["2"]["cells"][0]["position"] == 22
    )
