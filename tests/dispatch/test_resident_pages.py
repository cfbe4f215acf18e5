"""Residents in the console and the CLI: find by phone, edit tags and the one-touch line,
language, opt-outs, preferred provider; every change audited with who made it."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from config.db import Database
from config.settings import Settings
from dispatch import resident_edits, residents
from hotline.app import create_app
from tests import factories
from tests.console_support import log_in


def test_find_a_resident_by_phone_and_edit_the_record(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        resident_id = factories.resident(session, "+8613800138000", name="李阿姨").id
        factories.ticket(session, settings)
    with TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, "operator")
        found = client.get("/residents?phone=138-0013-8000", follow_redirects=False)
        missing = client.get("/residents?phone=13900000000", headers={"accept-language": "zh-CN"})
        edited = client.post(
            f"/residents/{resident_id}",
            data={
                "csrf": me.csrf,
                "tags": ["elderly", "one_touch"],
                "language": "en",
                "sms_opt_out": "1",
                "name": "李阿姨",
            },
            follow_redirects=False,
        )
        page = client.get(f"/residents/{resident_id}", headers={"accept-language": "zh-CN"}).text
        log_in(client, db, settings, "observer")
        observed = client.get(f"/residents/{resident_id}").text
        refused = client.post(f"/residents/{resident_id}", data={"csrf": "x", "tags": ["disabled"]})
    assert found.status_code == 303 and found.headers["location"] == f"/residents/{resident_id}"
    assert "没有该电话号码的居民" in missing.text
    assert edited.status_code == 303
    assert "138 0013 8000" in page and "老年人" in page and "一键通" in page and "不接收回访短信" in page
    assert "138****8000" in observed and f'action="/residents/{resident_id}"' not in observed
    assert refused.status_code == 403
    with db.read() as session:
        resident = residents.get_resident(session, resident_id=resident_id)
        assert resident is not None
        assert (resident.tags, resident.language, resident.sms_opt_out) == (["elderly", "one_touch"], "en", True)
        [event] = resident_edits.history(session, resident=resident)
        assert event.staff_id == me.staff_id
        assert event.data == {
            "tags": {"from": [], "to": ["elderly", "one_touch"]},
            "language": {"from": "zh_CN", "to": "en"},
            "sms_opt_out": {"from": False, "to": True},
        }


def test_a_bad_preferred_provider_is_refused_with_why(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        resident_id = factories.resident(session).id
    with TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, "operator")
        refused = client.post(f"/residents/{resident_id}", data={"csrf": me.csrf, "preferred_provider": "999"})
    assert refused.status_code == 404 and "no provider with id 999" in refused.text


def test_residents_show_and_tag_from_the_cli(cli, db: Database, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        factories.resident(session, "+8613800138000", name="李阿姨")
        number = factories.ticket(session, settings).number
    cli("users", "create", "--name", "孙丽", "--role", "observer")
    refused = cli("residents", "tag", "13800138000", "--add", "elderly", "--by", "孙丽")
    assert refused.stderr == "hotline: error: 孙丽 is observer: not allowed to resident.edit\n"
    tagged = cli("residents", "tag", "138 0013 8000", "--add", "elderly", "--add", "lives_alone")
    assert tagged.stdout == "+8613800138000: tags elderly, lives_alone\n"
    cli("residents", "tag", "13800138000", "--remove", "lives_alone", "--add", "one_touch")
    record = json.loads(cli("residents", "show", "13800138000", "--json").stdout)
    assert record["resident"]["tags"] == ["elderly", "one_touch"] and record["open_tickets"] == [number]
    assert [h["actor"] for h in record["history"]] == ["cli", "cli"]
    assert "tags: elderly, one_touch" in cli("residents", "show", "13800138000").stdout
    assert cli("residents", "show", "13900000000").stderr == "hotline: error: no resident with phone +8613900000000\n"
