"""Every figure of the HTML pages draws in a real browser (Debian's Chromium via Playwright).

Opens the HTML brief, the demo's ``index.html`` and the web app's result pages (forecast, sweep,
coalitions, and the run's HTML brief) and checks that each figure container holds a non-empty
SVG or canvas and that the page logged no error (console errors, uncaught exceptions, failed
requests). Skipped with a reason when Chromium is missing, except under ``CI``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Figure containers of the project's pages and the JavaScript that counts the empty ones.
_CHECK = """() => {
  const boxes = [...document.querySelectorAll(
    "div.plotly-chart, div.chart, div[id^='chart'], div[id^='mediation-'], figure, " +
    "div.plotly-graph-div")];
  const empty = boxes.filter(el => {
    const drawn = el.querySelector("svg.main-svg, canvas, svg, img");
    if (!drawn) return true;
    const r = drawn.getBoundingClientRect();
    return r.width < 10 || r.height < 10;
  }).map(el => el.id || el.className || el.tagName);
  return {count: boxes.length, empty};
}"""


def _open(context, url: str) -> tuple[dict, list[str]]:
    """Load ``url``, wait for the charts, and return the figure check and the errors logged."""
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status}: {r.url}"))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(500)
    result = page.evaluate(_CHECK)
    page.close()
    return result, errors


def _assert_drawn(result: dict, errors: list[str], minimum: int) -> None:
    assert not errors, errors
    assert result["count"] >= minimum, result
    assert result["empty"] == [], result


@pytest.fixture(scope="module")
def brief_html(tmp_path_factory, data_root: Path) -> Path:
    """An HTML brief of two theatres with sweeps of every model (NaN-prone: smp, bdm), their
    agreement searches and the alignment section (choropleth and cohesion)."""
    from minilateral.brief import run_brief, write_brief

    out = tmp_path_factory.mktemp("brief") / "brief.html"
    run = run_brief(["gaza", "syria"], draws=40, seed=1, mediation_draws=20, data_root=data_root)
    assert run.alignment is not None
    return write_brief(run, out)


def test_html_brief_draws_every_figure(browser, brief_html: Path) -> None:
    context = browser.new_context()
    result, errors = _open(context, brief_html.as_uri())
    context.close()
    _assert_drawn(result, errors, minimum=6)


def test_demo_pages_draw_every_figure(browser, tmp_path: Path, data_root: Path) -> None:
    from minilateral.demo import run_demo

    run_demo(tmp_path, brief=False)
    context = browser.new_context()
    result, errors = _open(context, (tmp_path / "index.html").as_uri())
    _assert_drawn(result, errors, minimum=5)
    result, errors = _open(context, (tmp_path / "alignment.html").as_uri())
    _assert_drawn(result, errors, minimum=1)
    context.close()


def test_align_map_draws_network_and_choropleth(browser, tmp_path: Path, data_root) -> None:
    from minilateral.presentation.alignment import write_map

    out = tmp_path / "map.html"
    write_map(2019, out, root=data_root)
    context = browser.new_context()
    result, errors = _open(context, out.as_uri())
    context.close()
    _assert_drawn(result, errors, minimum=2)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, dict]]:
    """A live web app with the library scenarios and users of organisations A and B."""
    from tests.web.websupport import live_server

    with live_server(tmp_path_factory.mktemp("browser") / "web.db") as started:
        yield started


def test_web_result_pages_draw_every_figure(browser, server) -> None:
    import httpx

    from tests.web.websupport import PASSWORD

    base, headers = server
    h = headers["a_analyst"]
    scenarios = httpx.get(f"{base}/api/scenarios", headers=h, timeout=20).json()["items"]
    gaza = next(s for s in scenarios if "gaza" in s["name"].lower())
    runs = [
        {"model": "compromise"},
        {"model": "bdm"},
        {"model": "compromise", "kind": "sweep", "draws": 40},
        {"model": "bdm", "kind": "coalitions", "draws": 20},
    ]
    ids = []
    for body in runs:
        r = httpx.post(
            f"{base}/api/runs", json={"scenario_id": gaza["id"], **body}, headers=h, timeout=20
        )
        assert r.status_code == 202, r.text
        ids.append(r.json()["id"])
    for rid in ids:
        deadline = time.monotonic() + 120
        while True:
            status = httpx.get(f"{base}/api/runs/{rid}", headers=h, timeout=20).json()["status"]
            if status not in ("queued", "running"):
                break
            assert time.monotonic() < deadline, f"run {rid} did not finish"
            time.sleep(0.2)
        assert status == "done", status
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill("analyst@a.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/scenarios")
    page.close()
    # the forecast pages draw a chart; the sweep and coalition pages are tables (no figure)
    for rid, minimum in zip(ids, (1, 1, 0, 0), strict=True):
        result, errors = _open(context, f"{base}/runs/{rid}/result")
        _assert_drawn(result, errors, minimum=minimum)
    result, errors = _open(context, f"{base}/runs/{ids[0]}/brief.html")
    _assert_drawn(result, errors, minimum=1)
    # the same pages and the brief in Arabic (right to left) and Turkish
    for lang in ("ar", "tr"):
        for rid, minimum in zip(ids, (1, 1, 0, 0), strict=True):
            result, errors = _open(context, f"{base}/runs/{rid}/result?lang={lang}")
            _assert_drawn(result, errors, minimum=minimum)
        result, errors = _open(context, f"{base}/runs/{ids[0]}/brief.html")
        _assert_drawn(result, errors, minimum=1)
        page = context.new_page()
        page.goto(f"{base}/runs/{ids[0]}/result")
        assert page.get_attribute("html", "lang") == lang
        assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
        page.close()
    context.close()
