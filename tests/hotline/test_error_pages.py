"""Browsers get error pages in their language; API clients get JSON."""

from __future__ import annotations

from fastapi.testclient import TestClient

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests.console_support import log_in

HTML = {"accept": "text/html,application/xhtml+xml"}


def test_error_pages_for_browsers_json_for_programs(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        log_in(client, db, settings, "observer")
        missing_zh = client.get("/no-such-page", headers={**HTML, "accept-language": "zh-CN"})
        forbidden = client.get("/voice/events?extension=7001", headers={**HTML, "accept-language": "zh-CN"})
        invalid = client.post("/login/demo", data={}, headers={**HTML, "accept-language": "en"})
        api_missing = client.get("/api/v1/tickets/0000000000", headers=HTML)
        script = client.get("/no-such-page")
        missing_en = client.get("/tickets/0000000000?lang=en", headers=HTML)  # sets the lang cookie: last
    assert missing_zh.status_code == 404 and "未找到" in missing_zh.text and "此地址没有页面" in missing_zh.text
    assert "返回工单队列" in missing_zh.text and "退出登录" in missing_zh.text  # the logged-in menu
    assert missing_en.status_code == 404 and "Not found" in missing_en.text and "0000000000" in missing_en.text
    assert (
        forbidden.status_code == 403
        and "无权操作" in forbidden.text
        and "not allowed to ticket.create" in forbidden.text
    )
    assert invalid.status_code == 422 and "Check what was entered" in invalid.text and "staff_id" in invalid.text
    assert api_missing.status_code == 404 and api_missing.json() == {"detail": "no ticket numbered '0000000000'"}
    assert script.status_code == 404 and script.json() == {"detail": "Not Found"}
