"""Residents' personal data: what each package holds about one person, and the audit of who
exported or erased it (China's PIPL, the GDPR).

Each package that keeps personal data offers a ``Holder``: ``export`` (everything about one
person, JSON-ready), ``erase`` (anonymise it now) and ``expire`` (anonymise what is older than the
retention period). Anonymise, do not delete: tickets, texts and calls stay countable for statistics,
without phone, name, address or free text. ``hotline.privacy.HOLDERS`` lists them in order; a new
package (offers, surveys) adds its holder there, and its ``erase`` cancels what is still scheduled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import JSON, CursorResult, Executable, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from config import clock
from config.db import Base

ERASED = "erased"  # what an erased phone number, name or text becomes


@dataclass(frozen=True)
class Person:
    phone: str  # E.164
    resident_id: int | None  # None: the hotline has texts or calls from the number, no resident


@dataclass(frozen=True)
class Holder:
    name: str  # the key of its part in an export ("tickets", "texts", "calls", ...)
    export: Callable[[Session, Person], list[dict[str, Any]]]
    erase: Callable[[Session, Person], int]  # rows anonymised or cancelled
    expire: Callable[[Session, dt.datetime], int]  # rows older than the cutoff anonymised


class PrivacyEvent(Base):
    """One export, erasure or retention pass: who, when, why, how many rows (never the phone)."""

    __tablename__ = "privacy_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=clock.now, index=True)
    kind: Mapped[str] = mapped_column(String(12))  # export, erase, retention
    actor: Mapped[str] = mapped_column(String(40))
    resident_id: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)


def record_event(
    session: Session, *, kind: str, actor: str, counts: dict[str, int], resident_id: int | None, reason: str | None
) -> PrivacyEvent:
    event = PrivacyEvent(kind=kind, actor=actor, counts=counts, resident_id=resident_id, reason=reason, at=clock.now())
    session.add(event)
    session.flush()
    return event


def changed(session: Session, statement: Executable) -> int:
    """Rows an UPDATE changed."""
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount or 0)
