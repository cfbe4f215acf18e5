"""Residents' numbers and words stay out of logs and out of other users' reach on disk."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from config import phones
from config.db import Database
from dispatch import residents
from sms.senders import ConsoleSender, Outgoing


def test_the_console_sender_logs_a_masked_number_and_the_body_only_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="hotline.sms"):
        ConsoleSender().send(Outgoing(to="+8613800138000", body="张阿姨，师傅马上到", idempotency_key="k1"))
    assert "138****8000" in caplog.text
    assert "13800138000" not in caplog.text and "张阿姨" not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="hotline.sms"):
        ConsoleSender().send(Outgoing(to="+8613800138000", body="张阿姨，师傅马上到", idempotency_key="k2"))
    assert "张阿姨" in caplog.text and "13800138000" not in caplog.text


@pytest.mark.parametrize(
    ("raw", "logged"),
    [("+8613800138000", "138****8000"), ("10086", "10086"), ("138001380001234", "138****1234"), ("", "")],
)
def test_numbers_are_masked_for_logs(raw: str, logged: str) -> None:
    assert phones.for_log(raw) == logged


def test_numbers_inside_a_raw_message_are_masked() -> None:
    assert phones.redacted("Event: Newchannel\r\nCallerIDNum: 13800138000\r\nExten: 7001") == (
        "Event: Newchannel\r\nCallerIDNum: 138****8000\r\nExten: 7001"
    )


def test_a_database_error_does_not_print_the_bound_values(db: Database) -> None:
    with db.transaction() as session:
        residents.get_or_create_resident(session, phone="+8613800138000", name="张阿姨")
    insert = text("INSERT INTO residents (phone, name) VALUES (:phone, :name)")
    with pytest.raises(IntegrityError) as failure, db.transaction() as session:
        session.execute(insert, {"phone": "+8613800138000", "name": "张阿姨"})
    assert "13800138000" not in str(failure.value) and "张阿姨" not in str(failure.value)
    assert "hidden due to hide_parameters" in str(failure.value)


def test_a_new_sqlite_database_and_its_wal_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}/var/hotline.db")
    try:
        with database.transaction() as session:
            session.execute(text("CREATE TABLE probe (x INTEGER)"))
            session.execute(text("INSERT INTO probe VALUES (1)"))
        for name in ("hotline.db", "hotline.db-wal"):
            assert stat.S_IMODE((tmp_path / "var" / name).stat().st_mode) == 0o600, name
    finally:
        database.dispose()
