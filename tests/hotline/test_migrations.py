"""The migrations and the models describe the same schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from config.db import Database
from hotline import db as migrations
from hotline.models import metadata


def test_models_match_the_migrated_schema(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_the_database_is_at_every_head(db: Database) -> None:
    heads = set(ScriptDirectory.from_config(migrations.alembic_config(db.url)).get_heads())
    assert migrations.current_heads(db) == heads
    assert len(heads) == 1, f"several heads {sorted(heads)}: add a merge revision"
