"""Schema migrations (Alembic) and the process's Database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from config.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(db: Database, revision: str = "heads") -> None:
    """Bring the schema to the newest revision (every package's branch)."""
    with db.engine.begin() as connection:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def current_heads(db: Database) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())
