"""Staff log in with a name and password: sessions, idle expiry, logout, throttling, demo logins."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from config import clock
from config.auth import SESSION_COOKIE
from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from hotline.login import safe_next
from tests.console_support import PASSWORD, staff_member

MORNING = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def _form(client: TestClient, path: str = "/login") -> dict[str, str]:
    page = client.get(path).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None, page
    return {"csrf": csrf.group(1)}


def _log_in(client: TestClient, name: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/login", data={**_form(client), "name": name, "password": password, **extra}, follow_redirects=False
    )


def test_an_operator_logs_in_and_out_and_the_cookie_is_locked_down(db: Database, settings: Settings) -> None:
    staff_member(db, "operator")
    with TestClient(create_app(settings, db)) as client:
        assert client.get("/", follow_redirects=False).status_code == 401
        response = _log_in(client, "王芳", PASSWORD, next="/providers")
        assert response.status_code == 303 and response.headers["location"] == "/providers"
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        page = client.get("/", headers={"accept-language": "zh-CN"}).text
        assert "王芳 · 话务员" in page and "退出登录" in page
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert csrf is not None
        client.post("/logout", data={"csrf": csrf.group(1)})
        assert client.get("/", follow_redirects=False).status_code == 401


def test_the_cookie_is_secure_when_the_public_url_is_https(db: Database, settings: Settings) -> None:
    staff_member(db, "operator")
    https = settings.model_copy(update={"public_url": "https://hotline.example.org"})
    with TestClient(create_app(https, db), base_url="https://testserver") as client:
        response = _log_in(client, "王芳", PASSWORD)
    assert response.status_code == 303
    assert all("Secure" in c for c in response.headers.get_list("set-cookie"))


def test_a_wrong_password_says_so_in_the_readers_language(db: Database, settings: Settings) -> None:
    staff_member(db, "operator")
    with TestClient(create_app(settings, db)) as client:
        client.cookies.set("lang", "zh_CN")
        wrong = _log_in(client, "王芳", "not the password")
        unknown = _log_in(client, "无此人", PASSWORD)
    assert wrong.status_code == 401 and "姓名或密码错误" in wrong.text
    assert unknown.status_code == 401 and "姓名或密码错误" in unknown.text


def test_failed_logins_are_throttled_per_account_then_released(db: Database, settings: Settings) -> None:
    staff_member(db, "operator")
    with clock.freeze(MORNING), TestClient(create_app(settings, db)) as client:
        for _ in range(5):
            assert _log_in(client, "王芳", "guess").status_code == 401
        client.cookies.set("lang", "en")
        blocked = _log_in(client, "王芳", PASSWORD)
        assert blocked.status_code == 429 and "Wait 15 minutes" in blocked.text
    with clock.freeze(MORNING + dt.timedelta(minutes=16)), TestClient(create_app(settings, db)) as client:
        assert _log_in(client, "王芳", PASSWORD).status_code == 303


def test_failed_logins_are_throttled_per_address_across_names(db: Database, settings: Settings) -> None:
    staff_member(db, "operator")
    with clock.freeze(MORNING), TestClient(create_app(settings, db)) as client:
        for n in range(20):
            assert _log_in(client, f"guess{n}", "guess").status_code == 401
        assert _log_in(client, "王芳", PASSWORD).status_code == 429


def test_a_session_expires_when_idle_and_only_that_session(db: Database, settings: Settings) -> None:
    staff_member(db, "operator")
    app = create_app(settings, db)
    with clock.freeze(MORNING), TestClient(app) as early, TestClient(app) as other:
        assert _log_in(early, "王芳", PASSWORD).status_code == 303
        assert _log_in(other, "王芳", PASSWORD).status_code == 303
    busy = MORNING + dt.timedelta(minutes=50)
    with clock.freeze(busy), TestClient(app, cookies=other.cookies) as other:
        assert other.get("/").status_code == 200  # used: its idle clock restarts
    with clock.freeze(MORNING + dt.timedelta(minutes=61)):
        with TestClient(app, cookies=early.cookies) as client:
            assert client.get("/", follow_redirects=False).status_code == 401
            browser = client.get("/", headers={"accept": "text/html"}, follow_redirects=False)
            assert browser.status_code == 303 and browser.headers["location"] == "/login?next=/"
        with TestClient(app, cookies=other.cookies) as client:
            assert client.get("/").status_code == 200


def test_disabling_a_staff_member_ends_their_sessions(db: Database, settings: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    staff_member(db, "operator")
    with TestClient(create_app(settings, db)) as client:
        assert _log_in(client, "王芳", PASSWORD).status_code == 303
        assert client.get("/").status_code == 200
        assert cli("users", "disable", "王芳").stdout == "disabled 王芳; 1 session(s) ended\n"
        assert client.get("/").status_code == 401
        assert _log_in(client, "王芳", PASSWORD).status_code == 401


def test_a_login_page_left_open_too_long_reloads_and_says_so(db: Database, settings: Settings) -> None:
    staff_member(db, "operator")
    with TestClient(create_app(settings, db)) as client:
        with clock.freeze(MORNING):
            form = _form(client)
        client.cookies.set("lang", "en")
        stale = client.post("/login", data={**form, "name": "王芳", "password": PASSWORD})
        forged = client.post("/login", data={"csrf": "forged", "name": "王芳", "password": PASSWORD})
    assert stale.status_code == 400 and "has been reloaded" in stale.text
    assert 'name="password"' in stale.text  # a fresh form, ready to use
    assert forged.status_code == 400 and SESSION_COOKIE not in forged.headers.get("set-cookie", "")


def test_demo_mode_offers_one_click_logins_per_role(db: Database, settings: Settings) -> None:
    for role in ("observer", "operator", "dispatcher", "supervisor", "admin"):
        staff_member(db, role)
    with TestClient(create_app(settings.model_copy(update={"demo": True}), db)) as client:
        page = client.get("/login?lang=en").text
        for role in ("observer", "operator", "dispatcher", "supervisor", "admin"):
            assert f'data-role="{role}"' in page
        dispatcher = staff_member(db, "dispatcher")
        response = client.post(
            "/login/demo", data={**_form(client), "staff_id": str(dispatcher.id)}, follow_redirects=False
        )
        assert response.status_code == 303
        assert "Chen Jing · Dispatcher" in client.get("/?lang=en").text
    with TestClient(create_app(settings, db)) as client:
        assert 'data-role="' not in client.get("/login").text
        refused = client.post("/login/demo", data={**_form(client), "staff_id": str(dispatcher.id)})
        assert refused.status_code == 404


def test_next_only_leads_within_the_site() -> None:
    assert safe_next("/providers?x=1") == "/providers?x=1"
    assert safe_next("//evil.example") == "/"
    assert safe_next("https://evil.example") == "/"
    assert safe_next("/\\evil.example") == "/"
    assert safe_next(None) == "/"
