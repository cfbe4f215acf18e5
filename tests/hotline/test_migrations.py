"""The migrations and the models describe the same schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from config.db import Database
from dispatch.models import queue_keys
from dispatch.states import OPEN_STATUSES
from hotline import db as migrations
from hotline.models import metadata

EXPRESSION_INDEXES = {
    "ix_tickets_queue",
    "ix_tickets_queue_status",
}  # reflection cannot compare them: checked by their SQL below


def _compared(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def test_models_match_the_migrated_schema(db: Database) -> None:
    with db.engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": _compared})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_the_queue_index_is_the_queue_order(db: Database) -> None:
    """``ix_tickets_queue`` holds ``dispatch.models.queue_keys()`` as migrated: if the open statuses
    change, the index must be rebuilt by a new migration, or the queue falls back to sorting."""
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            sql = connection.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'ix_tickets_queue'"))
        else:
            sql = connection.scalar(text("SELECT pg_get_indexdef('ix_tickets_queue'::regclass)"))
    assert sql is not None
    flat = " ".join(sql.replace("::text", "").replace("(", " ").replace(")", " ").split()).lower()
    for key in queue_keys():
        for status in OPEN_STATUSES:
            assert f"'{status}'" in flat
        assert key.split(" WHEN ")[1].split(" ")[0] in flat
    assert flat.count("case when") == 3


def test_the_status_queue_index_is_the_queue_order_within_a_status(db: Database) -> None:
    """``ix_tickets_queue_status``: the status, then the queue's keys but the first (migration 0972)."""
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            sql = connection.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'ix_tickets_queue_status'"))
        else:
            sql = connection.scalar(text("SELECT pg_get_indexdef('ix_tickets_queue_status'::regclass)"))
    assert sql is not None

    def flat(sql: str) -> str:
        for noise in ("::text", '"', "(", ")", ","):
            sql = sql.replace(noise, " ")
        return " ".join(sql.split()).lower()

    columns = re.sub(r"^.* on (public\.)?tickets (using btree )?", "", flat(sql))
    assert columns == flat(" ".join(["status", *queue_keys()[1:], "due_at", "created_at", "id"]))


def test_the_database_is_at_every_head(db: Database) -> None:
    heads = set(ScriptDirectory.from_config(migrations.alembic_config(db.url)).get_heads())
    assert migrations.current_heads(db) == heads
    assert len(heads) == 1, f"several heads {sorted(heads)}: add a merge revision"
