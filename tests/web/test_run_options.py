"""Run requests are checked with the model's ``validate_options`` before anything is stored."""

from __future__ import annotations

from tests.web.websupport import Web


def test_out_of_range_option_is_422_and_stores_no_run(web: Web, small_scenario: dict) -> None:
    h = web.as_("a_analyst")
    r = web.client.post(
        "/api/scenarios", json={"name": "talks", "scenario": small_scenario}, headers=h
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    for options in ({"Q": 5}, {"rounds": 0}):
        bad = web.client.post(
            "/api/runs",
            json={"scenario_id": sid, "model": "bdm", "kind": "sweep", "options": options},
            headers=h,
        )
        assert bad.status_code == 422, bad.text
        assert bad.json()["errors"][0]["loc"] == [next(iter(options))]
    listing = web.client.get(f"/api/runs?scenario_id={sid}", headers=h).json()
    assert listing["total"] == 0
