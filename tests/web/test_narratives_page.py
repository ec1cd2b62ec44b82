"""The narrative monitor page: upload a corpus, see the report; errors as messages."""

from __future__ import annotations

import io

from tests.narratives.generator import make_corpus
from tests.web.test_views import _login
from tests.web.websupport import Web


def _csv() -> bytes:
    planted = make_corpus(seed=5, n_organic=150, campaign_sizes=(10,), campaign_narratives=(2,))
    buf = io.StringIO()
    planted.posts[["id", "time", "author", "text", "url", "lang", "repost_of"]].to_csv(
        buf, index=False
    )
    return buf.getvalue().encode("utf-8")


def test_narratives_page_upload(web: Web) -> None:
    csrf = _login(web, "analyst@a.org")
    page = web.client.get("/narratives")
    assert page.status_code == 200
    assert "Corpus file" in page.text
    r = web.client.post(
        "/narratives", data={"csrf_token": csrf}, files={"file": ("posts.csv", _csv())}
    )
    assert r.status_code == 200, r.text[:500]
    assert "accounts behaved in a coordinated way" in r.text
    assert "narratives-timeline-data" in r.text
    assert "Coordination network" in r.text


def test_narratives_page_bad_file(web: Web) -> None:
    csrf = _login(web, "analyst@a.org")
    r = web.client.post(
        "/narratives",
        data={"csrf_token": csrf},
        files={"file": ("posts.csv", b"id,time,author,text\n1,soon,a,t\n")},
    )
    assert r.status_code == 400
    assert "posts.csv: line 2: field &#39;time&#39;" in r.text or "posts.csv: line 2" in r.text
    assert "/tmp" not in r.text


def test_narratives_page_needs_sign_in(web: Web) -> None:
    r = web.client.get("/narratives", follow_redirects=False)
    assert r.status_code == 303
    assert "/login" in r.headers["location"]
