"""Demo mode belongs to a database: ``hotline demo`` records in the database it seeds that it is
a demo centre, and only a database holding that record runs in demo mode (one-click logins,
placeholder secrets allowed). A ``HOTLINE_DEMO`` flag beside a real database changes nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, String, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Mapped, Session, mapped_column

from config import clock
from config.db import Base

TABLE = "demo_centre"


class DemoCentre(Base):
    """The record that this database is a demo centre (one row, written by ``hotline demo``)."""

    __tablename__ = TABLE

    id: Mapped[int] = mapped_column(primary_key=True)
    seeded_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    seed: Mapped[int] = mapped_column(default=0)  # the random seed of the sample data
    scale: Mapped[float] = mapped_column(default=1.0)  # 1.0: a centre the size of Jiaxing's 96345
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what was seeded, by kind
    version: Mapped[str] = mapped_column(String(20), default="1")


def mark(session: Session, *, seed: int, scale: float, summary: dict[str, Any]) -> DemoCentre:
    """Record that this database is a demo centre (idempotent: the first record stays)."""
    existing = session.scalar(select(DemoCentre).limit(1))
    if existing is not None:
        return existing
    row = DemoCentre(seeded_at=clock.now(), seed=seed, scale=scale, summary=summary)
    session.add(row)
    session.flush()
    return row


def record(session: Session) -> DemoCentre | None:
    return session.scalar(select(DemoCentre).limit(1))


def database_is_demo(url: str) -> bool:
    """Whether the database at ``url`` records that it is a demo centre. Never creates anything:
    a missing SQLite file, a missing table or a server that does not answer is not a demo."""
    if url.startswith("sqlite"):
        database = make_url(url).database or ""
        if not database or database == ":memory:" or not Path(database).is_file():
            return False
        try:
            with contextlib.closing(sqlite3.connect(f"file:{Path(database).resolve()}?mode=ro", uri=True)) as conn:
                found = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,))
                if found.fetchone() is None:
                    return False
                return conn.execute(f"SELECT 1 FROM {TABLE} LIMIT 1").fetchone() is not None
        except sqlite3.Error:
            return False
    engine = create_engine(url, connect_args={"connect_timeout": 5}, hide_parameters=True)
    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT to_regclass(:name)"), {"name": TABLE}).scalar() is None:
                return False
            return conn.execute(text(f"SELECT 1 FROM {TABLE} LIMIT 1")).first() is not None
    except Exception:  # unreachable or refused: not known to be a demo, so the real rules apply
        return False
    finally:
        engine.dispose()
