"""The survey call list page: phone surveys due now with their script, for logged-in staff; phones
in full only for roles that may see them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from config import clock
from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests.callbacks import world
from tests.callbacks.world import at
from tests.console_support import log_in


def test_the_call_list_page_shows_due_phone_surveys_with_the_script(db: Database, settings: Settings) -> None:
    number = world.completed_job(db, settings, tags=("elderly",))
    world.sweep(db, settings, at(0.1))
    with TestClient(create_app(settings, db)) as client:
        assert client.get("/surveys/desk").status_code == 401  # staff only
        log_in(client, db, settings, "operator")
        with clock.freeze(at(1)):
            assert "目前没有应拨打的电话回访。" in client.get("/surveys/desk?lang=zh_CN").text
        with clock.freeze(at(24)):
            page = client.get("/surveys/desk?lang=zh_CN")
            english = client.get("/surveys/desk?lang=en").text
    assert page.status_code == 200 and number in page.text and "138 0013 8000" in page.text
    assert "回访您11-20的水管漏水维修服务" in page.text
    assert "Leaking pipe repair" in english and "Survey calls" in english


def test_an_observer_sees_the_call_list_with_phones_masked(db: Database, settings: Settings) -> None:
    world.completed_job(db, settings, tags=("elderly",))
    world.sweep(db, settings, at(0.1))
    with TestClient(create_app(settings, db)) as client:
        log_in(client, db, settings, "observer")
        with clock.freeze(at(24)):
            page = client.get("/surveys/desk?lang=zh_CN")
    assert page.status_code == 200 and "138****8000" in page.text and "13800138000" not in page.text
