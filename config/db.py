"""Database wiring: ``Base``, engines, and the unit of work (one transaction, the caller commits).

SQLite (the embedded default) runs in WAL mode with foreign keys on. Writers are serialised:
a write unit takes a process-wide lock and opens its transaction with ``BEGIN IMMEDIATE``, so
two writers never fight in SQLite's busy handler (see ARCHITECTURE.md for the measurements).
PostgreSQL needs none of this.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from config.events import PENDING

log = logging.getLogger("hotline.db")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, whatever the backend stores."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use config.clock.now()")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime}  # noqa: RUF012 (SQLAlchemy reads it as is)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN (so SAVEPOINT and BEGIN IMMEDIATE work).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        database = url.split("///", 1)[1] if "///" in url else ""
        if database and database != ":memory:":
            with contextlib.suppress(OSError):  # an unusable path shows up on first connect
                Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class Database:
    """An engine and the units of work on it. One per process (web app, CLI command, worker)."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = threading.Lock()
        self.bus: Any = None  # config.events.EventBus: receives config.events.changed() after commit

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work that writes: commits at the end, rolls back on any error."""
        lock = self._writer if self.is_sqlite else contextlib.nullcontext()
        with lock, self._sessions() as session:
            if self.is_sqlite:
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                session.info.pop(PENDING, None)
                raise
            self._publish(session.info.pop(PENDING, ()))

    def _publish(self, pending: Any) -> None:
        if self.bus is None:
            return
        for topic, payload in pending:
            try:
                self.bus.publish(topic, payload)
            except Exception:  # a live screen missing an event must never fail a committed change
                log.exception("could not publish %s", topic)

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work; anything written is rolled back."""
        with self._sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()
