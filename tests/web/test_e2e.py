"""End to end in Debian's Chromium (Playwright): sign in, create a scenario in the editor, run
a forecast, see the chart, and check that another organisation cannot see the scenario.

Set ``MINILATERAL_SCREENSHOTS=DIR`` to save screenshots of the main pages (as in ``docs/``).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from minilateral.web import Settings, create_app
from tests.web.websupport import PASSWORD, seed_users


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """A live server on 127.0.0.1 with users in organisations A and B."""
    import uvicorn

    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"
    app = create_app(Settings(db_url=url))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    seed_users(app)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _shot(page, name: str) -> None:
    folder = os.environ.get("MINILATERAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/scenarios")


def test_create_run_chart_and_isolation(server: str, browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    _shot_login = page.goto(f"{server}/login")
    assert _shot_login.ok
    _shot(page, "login")
    _login(page, server, "analyst@a.org")
    page.get_by_role("link", name="New scenario").click()
    page.get_by_label("Name", exact=True).fill("Border talks")
    page.get_by_label("Title").fill("Border talks, round one")
    page.get_by_label("Issue 1 name").fill("border")
    page.get_by_label("Label of the low end").fill("closed")
    page.get_by_label("Label of the high end").fill("open")
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
    assert "[0, 1]" in page.inner_text("#sal-1-0-error")
    _shot(page, "editor")
    page.fill("#sal-1-0", "0.6")
    page.keyboard.press("Tab")
    page.wait_for_selector("#sal-1-0-error", state="detached")
    page.get_by_role("button", name="Save scenario").click()
    page.wait_for_url(re.compile(r".*/scenarios/\d+$"))
    scenario_url = page.url
    assert page.get_by_role("heading", name="Border talks").is_visible()
    page.get_by_label("Model").select_option("nash")
    _shot(page, "scenario")
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_url(re.compile(r".*/runs/\d+(/result)?$"))
    if not page.url.endswith("/result"):  # still running: the page follows it live
        _shot(page, "run")
        page.get_by_role("link", name="See the results").or_(page.locator("#chart")).wait_for()
        if not page.url.endswith("/result"):
            page.get_by_role("link", name="See the results").click()
    page.wait_for_url(re.compile(r".*/runs/\d+/result$"))
    page.wait_for_selector("#chart .main-svg")
    assert page.locator("#outcome tbody tr").count() == 1
    _shot(page, "result")
    page.goto(f"{server}/scenarios")
    _shot(page, "scenarios")
    context.close()

    other = browser.new_context()
    page = other.new_page()
    page.set_default_timeout(20_000)
    _login(page, server, "analyst@b.org")
    assert "Border talks" not in page.content()
    response = page.goto(scenario_url)
    assert response.status == 404
    assert page.get_by_role("heading", name="Not found").is_visible()
    other.close()
