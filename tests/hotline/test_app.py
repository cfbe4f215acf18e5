from __future__ import annotations

from fastapi.testclient import TestClient

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests import factories


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


def test_openapi_page_and_schema(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        assert client.get("/docs").status_code == 200
        assert "/healthz" in client.get("/openapi.json").json()["paths"]


def test_ticket_list_is_not_public_outside_demo_mode(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        response = client.get("/")
    assert response.status_code == 404


def test_demo_ticket_list_masks_phone_numbers(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        number = factories.ticket(session, settings, phone="+8613800138000", text="厨房水管漏水").number
    demo = settings.model_copy(update={"demo": True})
    with TestClient(create_app(demo, db)) as client:
        page = client.get("/", headers={"accept-language": "zh-CN"}).text
        english = client.get("/?lang=en").text
    assert number in page and "厨房水管漏水" in page and "工单" in page
    assert "138****8000" in page and "13800138000" not in page and "+8613800138000" not in page
    assert ("Tickets" in english and "Leaking pipe" in english) or "Pipe" in english
