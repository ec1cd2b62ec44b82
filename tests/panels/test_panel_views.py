"""Panel pages without a browser: what a coder and an outsider see, and the coding form's
errors."""

from __future__ import annotations

from tests.conftest import scenario_dict
from tests.panels.helpers import coding
from tests.web.test_views import _login
from tests.web.websupport import Web


def test_panel_pages(web: Web) -> None:
    c = web.client
    owner = web.as_("a_owner")
    sid = c.post(
        "/api/scenarios", json={"name": "talks", "scenario": scenario_dict()}, headers=owner
    ).json()["id"]
    pid = c.post("/api/panels", json={"scenario_id": sid, "name": "Talks"}, headers=owner).json()[
        "id"
    ]
    for email in ("owner@a.org", "analyst@b.org"):
        c.post(f"/api/panels/{pid}/members", json={"email": email}, headers=owner)
    c.put(f"/api/panels/{pid}/coding", json=coding(-5), headers=owner)

    csrf = _login(web, "analyst@b.org")
    page = c.get(f"/panels/{pid}")
    assert page.status_code == 200
    assert "you code as Coder B" in page.text
    assert "owner@a.org" not in page.text
    assert "Org A" not in page.text
    form = c.get(f"/panels/{pid}/code")
    assert 'id="pos-0-0" name="pos-0-0" inputmode="decimal" value="20"' in form.text
    fields = {f"pos-{i}-{j}": "" for i in range(3) for j in range(2)}
    fields.update(
        {"csrf_token": csrf, "pos-0-0": "35", "sal-0-0": "0.9", "pos-0-1": "2", "sal-0-1": "0.4"}
    )
    fields.update({"pos-1-0": "80", "sal-1-0": "0.7", "pos-1-1": "8", "sal-1-1": "0.6"})
    fields.update({"cap-0": "10", "cap-1": "6", "cap-2": "3"})
    missing = c.post(f"/panels/{pid}/code", data=fields)  # Gamma's ceasefire cell left blank
    assert missing.status_code == 400
    assert "1 cell not coded: Gamma / ceasefire" in missing.text
    assert 'value="35"' in missing.text
    assert c.get(f"/api/panels/{pid}/coding", headers=web.as_("b_analyst")).json() == {}
    fields.update({"pos-2-0": "60", "sal-2-0": "0.5", "cap-2": "three"})
    wrong = c.post(f"/panels/{pid}/code", data=fields)
    assert wrong.status_code == 400
    assert "Gamma, capability: &#39;three&#39; is not a number" in wrong.text
    assert (
        'id="cap-2" name="cap-2" inputmode="decimal" value="three" aria-invalid="true"'
        in wrong.text
    )
    fields["cap-2"] = "3"
    saved = c.post(f"/panels/{pid}/code", data=fields)
    assert saved.status_code == 200
    assert "Your coding for round 1 is saved." in saved.text
    assert c.get(f"/panels/{pid}/report").status_code == 403

    _login(web, "viewer@a.org")  # a reader of org A, not invited
    assert c.get(f"/panels/{pid}").status_code == 200
    assert c.get(f"/panels/{pid}/report").status_code == 200
    _login(web, "analyst@a.org")
    report = c.get(f"/panels/{pid}/report")
    assert 'id="heatmap"' in report.text
    assert 'data-sd="0.1"' in report.text  # Alpha's ceasefire: 15 and 35 on 0-100, sd 10
