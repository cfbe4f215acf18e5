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
import os
import threading
import time
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


BUSY_TIMEOUT_MS = 10_000


class DatabaseBusy(Exception):
    """A bounded write unit (``transaction(wait=...)``) could not start in time."""


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN (so SAVEPOINT and BEGIN IMMEDIATE work).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        busy_ms = int(options.get("sqlite_busy_ms", BUSY_TIMEOUT_MS))
        if conn.info.get("busy_ms", BUSY_TIMEOUT_MS) != busy_ms:  # per connection, set only when it changes
            conn.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
            conn.info["busy_ms"] = busy_ms
        conn.exec_driver_sql(f"BEGIN {options.get('sqlite_begin', '')}".strip())


def _create_private_file(database: str) -> None:
    """The SQLite file holds residents' data: create it readable by its owner only (SQLite gives
    its -wal and -shm files the database file's mode)."""
    path = Path(database)
    with contextlib.suppress(OSError):  # an unusable path shows up on first connect
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, **kwargs: Any) -> Engine:
    # Bound parameters (phone numbers, texts) never appear in error messages or logs.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        database = url.split("///", 1)[1] if "///" in url else ""
        if database and database != ":memory:" and not database.startswith("file:"):
            _create_private_file(database)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _sqlite_setup(engine)
        return engine
    # connect_timeout: a server that does not answer fails the unit instead of hanging it
    engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5}, **kwargs)
    _postgres_setup(engine)
    return engine


def _postgres_setup(engine: Engine) -> None:
    @event.listens_for(engine, "handle_error")
    def _no_row_values_in_messages(context: Any) -> None:
        """PostgreSQL's DETAIL repeats the row's values ("Key (phone)=(+8613800138000) already
        exists"): keep it out of the message that reaches logs (it stays in ``orig.diag``)."""
        for error in (context.original_exception, context.sqlalchemy_exception):
            if error is not None and error.args and "\nDETAIL:" in str(error.args[0]):
                error.args = (str(error.args[0]).split("\nDETAIL:")[0], *error.args[1:])


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
    def transaction(self, *, wait: float | None = None) -> Iterator[Session]:
        """A unit of work that writes: commits at the end, rolls back on any error.

        ``wait`` bounds how long it waits for the database (webhooks, which must answer within
        Twilio's 15 s): for SQLite's write lock (DatabaseBusy, or OperationalError "database is
        locked" from another process), for PostgreSQL's locks and each statement (OperationalError)."""
        with self._writer_lock(wait) as left, self._sessions() as session:
            try:
                if self.is_sqlite:
                    options: dict[str, Any] = {"sqlite_begin": "IMMEDIATE"}
                    if left is not None:
                        options["sqlite_busy_ms"] = max(int(left * 1000), 1)
                    session.connection(execution_options=options)
                elif wait is not None:
                    millis = max(int(wait * 1000), 1)
                    session.execute(text(f"SET LOCAL lock_timeout = {millis}"))
                    session.execute(text(f"SET LOCAL statement_timeout = {millis * 2}"))
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
    def _writer_lock(self, wait: float | None) -> Iterator[float | None]:
        """The process-wide SQLite writer lock; yields how much of ``wait`` is left."""
        if not self.is_sqlite:
            yield wait
            return
        started = time.monotonic()
        if not self._writer.acquire(timeout=-1 if wait is None else wait):
            raise DatabaseBusy(f"another write held the database for {time.monotonic() - started:.1f} s")
        try:
            yield None if wait is None else max(wait - (time.monotonic() - started), 0.001)
        finally:
            self._writer.release()

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
