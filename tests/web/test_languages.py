"""The web app in Turkish and Arabic: choosing the language, direction, translated messages."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from minilateral.i18n import negotiate
from tests.web.test_views import _editor_form, _login, _save_new
from tests.web.websupport import Web


def _html_attrs(text: str) -> tuple[str, str]:
    found = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', text)
    assert found, text[:200]
    return found.group(1), found.group(2)


def test_accept_language_then_query_then_cookie(web: Web) -> None:
    page = web.client.get("/login", headers={"Accept-Language": "ar-QA,ar;q=0.9,en;q=0.5"})
    assert _html_attrs(page.text) == ("ar", "rtl")
    assert "تسجيل الدخول" in page.text
    assert "Sign in" not in page.text
    page = web.client.get("/login?lang=tr", headers={"Accept-Language": "ar"})
    assert _html_attrs(page.text) == ("tr", "ltr")
    assert "Oturum aç" in page.text
    # the choice is remembered in a cookie and wins over the browser's preference
    page = web.client.get("/login", headers={"Accept-Language": "ar"})
    assert _html_attrs(page.text) == ("tr", "ltr")
    # the switcher links to every language, each marked with its own lang
    assert re.search(r'<a href="/login\?lang=ar" lang="ar" hreflang="ar">العربية</a>', page.text)
    assert '<span class="current" lang="tr" aria-current="true">Türkçe</span>' in page.text


def test_unknown_language_falls_back_to_english(web: Web) -> None:
    page = web.client.get("/login?lang=xx", headers={"Accept-Language": "de-DE, fr;q=0.8"})
    assert _html_attrs(page.text) == ("en", "ltr")


def test_negotiate_follows_quality_values() -> None:
    assert negotiate("fr-CH, fr;q=0.9, tr;q=0.8, en;q=0.7") == "tr"
    assert negotiate("en;q=0.2, ar-SA;q=0.8") == "ar"
    assert negotiate("ar;q=0, en") == "en"
    assert negotiate("de, *;q=0.1") == "en"
    assert negotiate("de") is None
    assert negotiate("") is None
    assert negotiate("tr;q=abc, en") == "en"


def test_choice_is_stored_per_user(web: Web) -> None:
    _login(web, "analyst@a.org")
    page = web.client.get("/scenarios?lang=ar")
    assert _html_attrs(page.text) == ("ar", "rtl")
    assert "السيناريوهات" in page.text
    engine = sa.create_engine(web.db_url)
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("select language from users where email = 'analyst@a.org'")
        ).scalar_one()
    engine.dispose()
    assert stored == "ar"
    # another browser (no cookie, an English Accept-Language) gets the user's choice
    web.client.cookies.clear()
    _login(web, "analyst@a.org")
    web.client.cookies.delete("minilateral_lang")
    page = web.client.get("/scenarios", headers={"Accept-Language": "en"})
    assert _html_attrs(page.text) == ("ar", "rtl")


def test_editor_messages_and_numbers_in_turkish(web: Web) -> None:
    csrf = _login(web, "analyst@a.org")
    web.client.get("/scenarios?lang=tr")
    bad = _editor_form(csrf, action="validate", **{"pos-0-0": "12", "actor-1-capability": "çok"})
    r = web.client.post("/scenarios/editor", data=bad, headers={"HX-Request": "true"})
    assert "&#39;çok&#39; bir sayı değil" in r.text
    assert "ölçeğin dışında [0, 10]" in r.text
    assert "2 alan düzeltilmeli" in r.text
    # a decimal comma, as typed in Turkish, is a number
    ok = _editor_form(csrf, action="validate", **{"sal-0-0": "0,5"})
    r = web.client.post("/scenarios/editor", data=ok, headers={"HX-Request": "true"})
    assert "Senaryo geçerli." in r.text
    sid = _save_new(web, csrf)
    page = web.client.get(f"/scenarios/{sid}")
    assert "0,5" in page.text  # Babel: Turkish decimal comma
    assert "Model çalıştır" in page.text


def test_arabic_pages_are_right_to_left_with_arabic_labels(web: Web) -> None:
    csrf = _login(web, "analyst@a.org")
    sid = _save_new(web, csrf)
    web.client.get("/scenarios?lang=ar")
    page = web.client.get(f"/scenarios/{sid}")
    assert _html_attrs(page.text) == ("ar", "rtl")
    assert "تشغيل نموذج" in page.text
    assert "حل ناش التفاوضي لكل قضية" in page.text
    r = web.client.post(
        f"/scenarios/{sid}/runs",
        data={"csrf_token": csrf, "model": "nash", "seed": "-4", "options": ""},
    )
    assert r.status_code == 422
    assert "يجب أن تكون البذرة عددًا صحيحًا" in r.text
    missing = web.client.get("/scenarios/999999")
    assert missing.status_code == 404
    assert "غير موجود" in missing.text


def test_arabic_indic_digits_option(tmp_path, migrated_db) -> None:
    import shutil

    from fastapi.testclient import TestClient

    from minilateral.web import Settings, create_app
    from tests.web.websupport import seed_users

    shutil.copy(migrated_db, tmp_path / "w.db")
    url = f"sqlite:///{tmp_path / 'w.db'}"
    app = create_app(Settings(db_url=url, load_library=False, digits="arab"))
    with TestClient(app) as client:
        web = Web(client, url, seed_users(app))
        csrf = _login(web, "analyst@a.org")
        sid = _save_new(web, csrf)
        page = web.client.get(f"/scenarios/{sid}?lang=ar")
        assert "٠٫٥" in page.text  # salience 0.5 with Arabic-Indic digits and separator
        english = web.client.get(f"/scenarios/{sid}?lang=en")
        assert "0.5" in english.text  # only Arabic pages use them
    with pytest.raises(Exception, match="choose latn"):
        Settings(digits="roman")
