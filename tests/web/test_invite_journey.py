"""Issue 21's browser walk in Debian's Chromium (Playwright): an owner invites, the newcomer
joins with their own password, copies the gaza library scenario into their organisation, edits
the copy, runs bdm, sees the run labelled by kind in the runs list and
downloads the YAML as ``gaza.yaml``. The browser console stays clean throughout."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.web.websupport import PASSWORD, live_server

NEWCOMER = "newcomer@a.org"
NEW_PASSWORD = "newcomer-passphrase"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """A live server with the embedded library and users in organisations A and B."""
    with live_server(tmp_path_factory.mktemp("journey") / "journey.db", start_timeout=30) as (
        url,
        _,
    ):
        yield url


def _watch(page, problems: list[str]) -> None:
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))


def test_invite_join_copy_edit_run_download(server: str, browser, tmp_path) -> None:
    problems: list[str] = []

    # The owner creates an invitation link; it is shown to them, no mail is sent.
    owner = browser.new_context()
    page = owner.new_page()
    page.set_default_timeout(30_000)
    _watch(page, problems)
    page.goto(f"{server}/login")
    page.get_by_label("E-mail address").fill("owner@a.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server}/scenarios")
    page.get_by_role("link", name="Organisation").click()
    page.get_by_label("E-mail address").fill(NEWCOMER)
    page.get_by_label("Role").select_option("analyst")
    page.get_by_role("button", name="Create invitation link").click()
    link = page.get_by_label("Invitation link").input_value()
    assert re.fullmatch(rf"{re.escape(server)}/join/[\w-]{{40,}}", link), link
    expect(page.get_by_role("cell", name=NEWCOMER)).to_be_visible()  # listed as pending
    owner.close()

    # The newcomer opens the link in their own browser and chooses a password.
    newcomer = browser.new_context(accept_downloads=True)
    page = newcomer.new_page()
    page.set_default_timeout(30_000)
    _watch(page, problems)
    page.goto(link)
    expect(page.get_by_role("heading", name="Join Org A")).to_be_visible()
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Join", exact=True).click()
    page.wait_for_url(f"{server}/scenarios")
    expect(page.get_by_text(NEWCOMER)).to_be_visible()

    # Copy the gaza library scenario into Org A; the copy opens in the editor.
    page.get_by_role("link", name="gaza", exact=True).click()
    expect(page.get_by_text("minilateral library").first).to_be_visible()
    library_url = page.url
    page.get_by_role("button", name="Copy to my organisation").click()
    page.wait_for_url(re.compile(r".*/scenarios/\d+/edit$"))
    copy_url = page.url.removesuffix("/edit")
    assert copy_url != library_url
    page.get_by_label("Title").fill("Gaza, our reading")
    page.get_by_role("button", name="Save new version").click()
    page.wait_for_url(copy_url)
    expect(page.get_by_text("Gaza, our reading").first).to_be_visible()
    expect(page.get_by_text("version 2").first).to_be_visible()
    expect(page.get_by_text("Org A").first).to_be_visible()

    # The run form defaults to the compromise model (not the mean); run bdm to its results.
    assert page.get_by_label("Model").input_value() == "compromise"
    page.get_by_label("Model").select_option("bdm")
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_url(re.compile(r".*/runs/\d+(/result)?$"))
    run_id = re.search(r"/runs/(\d+)", page.url).group(1)
    page.wait_for_url(re.compile(r".*/runs/\d+/result$"), timeout=90_000)

    # The runs list names the kind and filters by it.
    page.get_by_role("link", name="Runs", exact=True).click()
    row = page.locator("tr", has=page.get_by_role("link", name=f"#{run_id}", exact=True))
    assert row.locator("td.kind").inner_text() == "Forecast"
    assert "bdm" in row.inner_text()
    page.get_by_label("Kind").select_option("sweep")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*/runs\?kind=sweep.*"))
    assert page.get_by_role("link", name=f"#{run_id}", exact=True).count() == 0
    page.get_by_label("Kind").select_option("forecast")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=f"#{run_id}", exact=True)).to_be_visible()

    # The YAML download of the copy carries its name.
    page.goto(copy_url)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download YAML").click()
    download = info.value
    assert download.suggested_filename == "gaza.yaml"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert "Gaza, our reading" in saved.read_text(encoding="utf-8")
    newcomer.close()

    assert problems == []
