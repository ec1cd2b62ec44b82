"""End to end in Debian's Chromium (Playwright): sign in, create a scenario in the editor, run
a forecast, see the chart, and check that another organisation cannot see the scenario.

Set ``MINILATERAL_SCREENSHOTS=DIR`` to save screenshots of the main pages (as in ``docs/``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.websupport import PASSWORD, live_server


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """A live server on 127.0.0.1 with users in organisations A and B."""
    with live_server(tmp_path_factory.mktemp("e2e") / "e2e.db") as (url, _):
        yield url


def _shot(page, name: str) -> None:
    folder = os.environ.get("MINILATERAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _login(page, base: str, email: str, t=str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label(t("E-mail address")).fill(email)
    page.get_by_label(t("Password")).fill(PASSWORD)
    page.get_by_role("button", name=t("Sign in")).click()
    page.wait_for_url(f"{base}/scenarios")


@pytest.mark.parametrize("lang", ["en", "ar", "tr"])
def test_create_run_chart_and_isolation(server: str, browser, lang: str) -> None:
    """The same journey in each language; the browser asks for it with Accept-Language."""
    from minilateral.web.views._common import web_catalogue

    t = web_catalogue(lang).gettext
    suffix = "" if lang == "en" else f" ({lang})"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=lang)
    page = context.new_page()
    page.set_default_timeout(20_000)
    _shot_login = page.goto(f"{server}/login")
    assert _shot_login.ok
    assert page.get_attribute("html", "lang") == lang
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    _shot(page, "login" + ("" if lang == "en" else f"-{lang}"))
    _login(page, server, "analyst@a.org", t)
    page.get_by_role("link", name=t("New scenario")).click()
    page.get_by_label(t("Name"), exact=True).fill("Border talks" + suffix)
    page.get_by_label(t("Title")).fill("Border talks, round one")
    page.get_by_label(t("Issue %(number)s name") % {"number": 1}).fill("border")
    page.get_by_label(t("Label of the low end")).fill("closed")
    page.get_by_label(t("Label of the high end")).fill("open")
    rows = [("North", "4", "20", "0.9"), ("South", "3", "80", "0.6"), ("Broker", "2", "55", "0.4")]
    for i, (name, cap, pos, sal) in enumerate(rows):
        page.fill(f"#actor-{i}-name", name)
        page.fill(f"#actor-{i}-capability", cap)
        page.fill(f"#pos-{i}-0", pos)
        page.fill(f"#sal-{i}-0", sal)
    # inline validation: an out-of-scale salience is flagged next to its cell
    page.fill("#sal-1-0", "1.6")
    page.keyboard.press("Tab")
    page.wait_for_selector("#sal-1-0-error")
    assert page.inner_text("#sal-1-0-error") == t("salience must lie in [0, 1]")
    _shot(page, "editor" + ("" if lang == "en" else f"-{lang}"))
    page.fill("#sal-1-0", "0.6")
    page.keyboard.press("Tab")
    page.wait_for_selector("#sal-1-0-error", state="detached")
    page.get_by_role("button", name=t("Save scenario")).click()
    page.wait_for_url(re.compile(r".*/scenarios/\d+$"))
    scenario_url = page.url
    assert page.get_by_role("heading", name="Border talks" + suffix).is_visible()
    page.get_by_label(t("Model"), exact=True).select_option("nash")
    _shot(page, "scenario" + ("" if lang == "en" else f"-{lang}"))
    page.get_by_role("button", name=t("Run"), exact=True).click()
    page.wait_for_url(re.compile(r".*/runs/\d+(/result)?$"))
    if not page.url.endswith("/result"):  # still running: the page follows it live
        _shot(page, "run")
        see = page.get_by_role("link", name=t("See the results"))
        see.or_(page.locator("#chart")).wait_for()
        if not page.url.endswith("/result"):
            see.click()
    page.wait_for_url(re.compile(r".*/runs/\d+/result$"))
    page.wait_for_selector("#chart .main-svg")
    assert page.locator("#outcome tbody tr").count() == 1
    if lang == "ar":
        # mirrored: the header's brand sits at the right, the table's first column too
        width = page.viewport_size["width"]
        brand = page.locator("a.brand").bounding_box()
        assert brand["x"] > width / 2
        first = page.locator("#outcome th[scope=row]").first.bounding_box()
        last = page.locator("#outcome tbody td").last.bounding_box()
        assert first["x"] > last["x"]
    _shot(page, "result" + ("" if lang == "en" else f"-{lang}"))
    page.goto(f"{server}/scenarios")
    _shot(page, "scenarios" + ("" if lang == "en" else f"-{lang}"))
    context.close()

    other = browser.new_context(locale=lang)
    page = other.new_page()
    page.set_default_timeout(20_000)
    _login(page, server, "analyst@b.org", t)
    assert "Border talks" not in page.content()
    response = page.goto(scenario_url)
    assert response.status == 404
    assert page.get_by_role("heading", name=t("Not found")).is_visible()
    other.close()
