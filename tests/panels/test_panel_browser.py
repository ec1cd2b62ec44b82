"""The panel flow in Debian's Chromium (Playwright): an owner of organisation A starts a panel
and invites a coder of organisation B; both code; a bad value is flagged and loses nothing; the
round closes, the coder reads the anonymised summary and revises; the reliability report with
its heat map renders.

Set ``MINILATERAL_SCREENSHOTS=DIR`` to save screenshots of the panel pages.
"""

from __future__ import annotations

import re

from tests.conftest import scenario_dict
from tests.web.test_e2e import _shot, server  # noqa: F401
from tests.web.websupport import PASSWORD


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/scenarios")


def _seed_scenario(base: str) -> None:
    import httpx

    token = httpx.post(
        f"{base}/api/auth/token", data={"username": "owner@a.org", "password": PASSWORD}
    ).json()["access_token"]
    r = httpx.post(
        f"{base}/api/scenarios",
        json={"name": "Ceasefire talks (panel)", "scenario": scenario_dict()},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text


def test_panel_flow_in_chromium(server: str, browser) -> None:  # noqa: F811
    _seed_scenario(server)
    owner = browser.new_context(viewport={"width": 1280, "height": 900})
    page = owner.new_page()
    page.set_default_timeout(20_000)
    _login(page, server, "owner@a.org")
    page.get_by_role("link", name="Panels").click()
    page.get_by_label("Scenario").select_option(label="Ceasefire talks (panel)")
    page.get_by_label("Panel name").fill("Two-institute dialogue")
    page.get_by_role("button", name="Start panel").click()
    page.wait_for_url(re.compile(r".*/panels/\d+$"))
    panel_url = page.url
    for email in ("owner@a.org", "analyst@b.org"):
        page.get_by_label("E-mail address").fill(email)
        page.get_by_role("button", name="Invite").click()
        page.wait_for_selector("[role=status]")
    assert "analyst@b.org invited as Coder B" in page.inner_text("[role=status]")
    # the owner codes the scenario's own values with a harder line on Alpha
    page.get_by_role("link", name="Code round 1").click()
    page.fill("#pos-0-0", "5")
    page.fill("#why-0-0", "no ceasefire before the elections")
    page.get_by_role("button", name="Submit coding").click()
    page.wait_for_selector("#coding-notice")

    guest = browser.new_context(viewport={"width": 1280, "height": 900})
    gpage = guest.new_page()
    gpage.set_default_timeout(20_000)
    _login(gpage, server, "analyst@b.org")
    assert "Ceasefire talks (panel)" not in gpage.content()  # org A's scenario list stays hidden
    gpage.goto(panel_url)
    gpage.get_by_role("link", name="Code round 1").click()
    gpage.fill("#pos-0-0", "45")
    gpage.fill("#why-0-0", "guarantors push for a truce")
    gpage.fill("#sal-1-1", "1.4")  # outside [0, 1]
    gpage.get_by_role("button", name="Submit coding").click()
    gpage.wait_for_selector("#coding-error")
    assert "salience 1.4 is outside 0 to 1" in gpage.inner_text("#coding-error")
    assert gpage.get_attribute("#sal-1-1", "aria-invalid") == "true"
    assert gpage.input_value("#pos-0-0") == "45"  # what was typed is kept
    _shot(gpage, "panel-code-error")
    gpage.fill("#sal-1-1", "0.6")
    gpage.get_by_role("button", name="Submit coding").click()
    gpage.wait_for_selector("#coding-notice")

    page.goto(panel_url)
    page.get_by_role("button", name="Close round 1").click()
    page.wait_for_url(re.compile(r".*/rounds/1$"))

    gpage.goto(panel_url)
    gpage.get_by_role("link", name="Round 1 summary").click()
    gpage.wait_for_selector("#round-summary")
    text = gpage.inner_text("#round-summary")
    assert "guarantors push for a truce" in text
    assert "no ceasefire before the elections" in text
    assert "owner@a.org" not in gpage.content()
    _shot(gpage, "panel-round")
    gpage.get_by_role("link", name="Revise in round 2").click()
    assert gpage.input_value("#pos-0-0") == "45"
    gpage.fill("#pos-0-0", "30")
    gpage.get_by_role("button", name="Submit coding").click()
    gpage.wait_for_selector("#coding-notice")
    assert "round 2" in gpage.inner_text("#coding-notice")
    response = gpage.goto(panel_url + "/report")
    assert response.status == 403
    guest.close()

    page.goto(panel_url)
    page.get_by_role("link", name="Reliability report").click()
    page.wait_for_selector("#heatmap")
    assert "Krippendorff's alpha" in page.inner_text("#alpha-overall")
    hot = page.locator("#heatmap td[data-sd='0.125']")  # Alpha/ceasefire: positions 5 and 30
    assert hot.count() == 1
    assert hot.evaluate("e => getComputedStyle(e).backgroundColor") != "rgb(255, 255, 255)"
    assert page.locator("#disputed tbody tr").first.inner_text().startswith("Alpha")
    _shot(page, "panel-report")
    page.get_by_role("link", name="Back to the panel").click()
    page.get_by_role("button", name="Aggregate into a scenario version").click()
    page.wait_for_url(re.compile(r".*/scenarios/\d+$"))
    assert "round 2, median of 2 coders" in page.content()
    owner.close()
