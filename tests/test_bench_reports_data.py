"""bench/reports.py's data set (no timing here): every ticket has its facts in the ledger, and the
bulk load (indexes and, on PostgreSQL, constraints dropped and built again; SQLite without journal
while loading) leaves the schema as the migrations made it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import text

from config.db import Database

CLOSING = "('completed_on_time', 'completed_late', 'survey_score', 'complaint', 'overcharge')"


def _bench() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "bench" / "reports.py"
    spec = importlib.util.spec_from_file_location("bench_reports", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _schema(db: Database) -> list[Any]:
    with db.engine.connect() as connection:
        if db.is_sqlite:
            return sorted(
                connection.exec_driver_sql(
                    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('tickets', 'provider_ledger')"
                ).all()
            )
        constraints = connection.exec_driver_sql(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE conrelid IN ('tickets'::regclass, 'provider_ledger'::regclass)"
        ).all()
        indexes = connection.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('tickets', 'provider_ledger')"
        ).all()
        return sorted(constraints) + sorted(indexes)


def test_generated_tickets_match_their_ledger_facts_and_the_schema_is_restored(db: Database) -> None:
    bench = _bench()
    before = _schema(db)
    assert any("ix_provider_ledger_at_kind" in str(row) for row in before)

    tickets, facts, _ = bench.generate(db, 0.001)  # the smallest data set: 1,000 tickets

    assert _schema(db) == before
    with db.engine.connect() as connection:

        def one(sql: str) -> Any:
            return connection.execute(text(sql)).scalar_one()

        assert (tickets, facts) == (1000, 3000)
        assert one("SELECT count(*) FROM tickets") == 1000
        assert one("SELECT count(*) FROM provider_ledger") == 3000
        closed = one("SELECT count(*) FROM tickets WHERE status = 'closed' AND provider_id IS NOT NULL")
        cancelled = one("SELECT count(*) FROM tickets WHERE status = 'cancelled' AND provider_id IS NULL")
        assert closed + cancelled == 1000 and 850 < closed < 970  # 8% of the offers expire
        assert (
            one(
                "SELECT count(DISTINCT t.id) FROM tickets t JOIN provider_ledger l "
                "ON l.ticket_ref = 'ticket:' || t.number AND l.kind = 'offered' AND l.at = t.created_at"
            )
            == 1000
        )
        assert (
            one(
                "SELECT count(*) FROM tickets t JOIN provider_ledger l ON l.ticket_ref = 'ticket:' || t.number "
                "AND l.provider_id = t.provider_id AND l.kind = 'accepted' AND l.at = t.accepted_at"
            )
            == closed
        )
        assert (
            one(
                "SELECT count(*) FROM tickets t JOIN provider_ledger l ON l.ticket_ref = 'ticket:' || t.number "
                f"AND l.provider_id = t.provider_id AND l.kind IN {CLOSING} AND l.at = t.completed_at"
            )
            == closed
        )
        assert one("SELECT count(*) FROM provider_ledger WHERE kind IN ('timed_out', 'declined')") == 2 * cancelled
        assert one("SELECT count(*) FROM tickets WHERE due_at <= created_at OR completed_at <= accepted_at") == 0
        if db.is_sqlite:
            assert one("PRAGMA journal_mode") == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
