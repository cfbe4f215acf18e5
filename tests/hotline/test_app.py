from __future__ import annotations

from fastapi.testclient import TestClient

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests import factories
from tests.console_support import log_in


def test_health_is_200_when_the_database_answers(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "spool": "ok"}}


def test_health_is_503_when_the_database_is_unreachable(settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a-file").write_text("not a directory")
    broken = Database(f"sqlite:///{tmp_path}/a-file/hotline.db")
    with TestClient(create_app(settings, broken)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unreachable"


def test_health_reports_a_failing_channel(db: Database, settings: Settings) -> None:
    app = create_app(settings, db)
    app.state.health_checks["ami"] = lambda: "login refused by 127.0.0.1:5038"
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["ami"] == "login refused by 127.0.0.1:5038"


def test_api_docs_work_offline_for_staff_only(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        assert client.get("/openapi.json").status_code == 401
        assert (
            client.get("/docs", headers={"accept": "text/html"}, follow_redirects=False).headers["location"]
            == "/login?next=/docs"
        )
        log_in(client, db, settings, "observer")
        docs = client.get("/docs")
        assert docs.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in docs.text
        assert "cdn" not in docs.text.lower()
        assert "/docs-assets/redoc.standalone.js" in client.get("/redoc").text
        assert "fonts.googleapis" not in client.get("/redoc").text
        assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
        assert client.get("/docs-assets/..%2Fconsts.py").status_code == 404
        assert "/healthz" in client.get("/openapi.json").json()["paths"]


def test_the_ticket_list_needs_a_login(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        browser = client.get("/?status=new", headers={"accept": "text/html"}, follow_redirects=False)
        script = client.get("/")
    assert browser.status_code == 303 and browser.headers["location"] == "/login?next=/%3Fstatus%3Dnew"
    assert script.status_code == 401 and script.json()["detail"].startswith("log in first")


def test_phones_are_full_for_operators_and_masked_for_observers(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        number = factories.ticket(session, settings, phone="+8613800138000", text="厨房水管漏水").number
    with TestClient(create_app(settings, db)) as client:
        log_in(client, db, settings, "observer")
        page = client.get("/", headers={"accept-language": "zh-CN"}).text
        english = client.get("/?lang=en").text
        log_in(client, db, settings, "operator")
        operator_page = client.get("/").text
    assert number in page and "厨房水管漏水" in page and "工单" in page
    assert "138****8000" in page and "13800138000" not in page and "+8613800138000" not in page
    assert "Tickets" in english
    assert "138 0013 8000" in operator_page  # in full, grouped as it is read aloud
