"""The webhook spool on its own: durable appends, torn lines, compaction, exactly-once replay."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from config.db import Database
from config.spool import Entry, Spool, SpoolReplay, replay


def test_an_appended_request_is_on_disk_readable_by_its_owner_only(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    entry = spool.append(kind="sms.inbound", key="SM1", form={"Body": "厨房水管漏水", "From": "+8613800138000"})
    assert spool.pending() == [entry]
    assert stat.S_IMODE(spool.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(spool.directory.stat().st_mode) == 0o700
    assert spool.health() is not None and "1 webhook request(s)" in (spool.health() or "")


def test_a_line_torn_by_a_crash_is_skipped_and_the_next_append_starts_a_fresh_line(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    first = spool.append(kind="sms.inbound", key="SM1", form={"Body": "a"})
    with spool.path.open("ab") as f:  # the process died in the middle of writing an entry
        f.write(b'{"id":"dead","kind":"sms.inb')
    second = spool.append(kind="sms.inbound", key="SM2", form={"Body": "b"})
    assert spool.pending() == [first, second]


def test_discard_keeps_what_was_appended_meanwhile_and_removes_an_empty_spool(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    a = spool.append(kind="k", key="1", form={})
    b = spool.append(kind="k", key="2", form={})
    spool.discard({a.id})
    assert spool.pending() == [b]
    assert stat.S_IMODE(spool.path.stat().st_mode) == 0o600
    spool.discard({b.id})
    assert not spool.path.exists() and spool.health() is None and spool.count() == 0


def _written(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(text("SELECT value FROM spool_probe ORDER BY value")))


@pytest.fixture
def probe(db: Database) -> Iterator[Database]:
    """A table outside the models for the replayer to write into (dropped again: the migrations
    test compares the database with the models)."""
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE spool_probe (value VARCHAR(20))"))
    try:
        yield db
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE spool_probe"))


def _probe_replayer(session: Session, entry: Entry) -> None:
    session.execute(text("INSERT INTO spool_probe (value) VALUES (:v)"), {"v": entry.form["v"]})


def test_each_entry_is_written_once_even_if_the_process_died_before_compacting(
    probe: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = Spool(tmp_path)
    for value in ("one", "two"):
        spool.append(kind="probe", key=value, form={"v": value})
    with monkeypatch.context() as patch:  # committed, then killed before the file was rewritten
        patch.setattr(Spool, "discard", lambda self, ids: None)
        assert replay(probe, spool, {"probe": _probe_replayer}) == 2
    assert len(spool.pending()) == 2
    assert replay(probe, spool, {"probe": _probe_replayer}) == 0  # markers found: nothing twice
    assert _written(probe) == ["one", "two"]
    assert spool.pending() == []
    with probe.read() as session:
        assert session.scalar(select(func.count()).select_from(SpoolReplay)) == 2


def test_a_failing_entry_stays_for_an_operator_and_does_not_hold_back_the_others(
    probe: Database, tmp_path: Path
) -> None:
    spool = Spool(tmp_path)
    bad = spool.append(kind="probe", key="bad", form={})  # no "v": the replayer raises KeyError
    spool.append(kind="probe", key="good", form={"v": "good"})
    unknown = spool.append(kind="nobody-knows", key="x", form={})
    assert replay(probe, spool, {"probe": _probe_replayer}) == 1
    assert _written(probe) == ["good"]
    assert spool.pending() == [bad, unknown]
