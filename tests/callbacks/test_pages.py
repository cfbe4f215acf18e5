"""The survey call list page: phone surveys due now with their script, phones masked, demo only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from config import clock
from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests.callbacks import world
from tests.callbacks.world import at


def test_the_call_list_page_shows_due_phone_surveys_with_the_script_and_masked_phones(
    db: Database, settings: Settings
) -> None:
    number = world.completed_job(db, settings, tags=("elderly",))
    world.sweep(db, settings, at(0.1))
    with TestClient(create_app(settings.model_copy(update={"demo": True}), db)) as client:
        with clock.freeze(at(1)):
            assert "目前没有应拨打的电话回访。" in client.get("/surveys/desk?lang=zh_CN").text
        with clock.freeze(at(24)):
            page = client.get("/surveys/desk?lang=zh_CN")
            english = client.get("/surveys/desk?lang=en").text
    assert page.status_code == 200 and number in page.text and "138****8000" in page.text
    assert "13800138000" not in page.text and "回访您11-20的水管漏水维修服务" in page.text
    assert "Leaking pipe repair" in english and "Survey calls" in english
    with TestClient(create_app(settings, db)) as client:
        assert client.get("/surveys/desk").status_code == 404
