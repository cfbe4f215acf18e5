"""What the public pages keep: texted codes (with the form they confirm) and status look-ups.

Both exist to stop the pages being used to spam phones or to guess other people's tickets;
rows older than a day are purged as new ones are written (``codes.purge_old``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from config import clock
from config.db import Base


class WebCode(Base):
    """A code texted to a phone to confirm one filled-in request form (``draft``)."""

    __tablename__ = "web_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # names the draft in the confirm page
    phone: Mapped[str] = mapped_column(String(20), index=True)  # E.164
    client: Mapped[str] = mapped_column(String(64), index=True)  # the browser's address
    code_hash: Mapped[str] = mapped_column(String(64))  # HMAC of token and code; the code is never stored
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now, index=True)
    expires_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(default=0)  # wrong codes typed
    used_at: Mapped[dt.datetime | None]
    ticket_number: Mapped[str | None] = mapped_column(String(16))


class StatusLookup(Base):
    """One look-up on the status page (found or not), counted to throttle guessing."""

    __tablename__ = "web_status_lookups"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=clock.now, index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[str] = mapped_column(String(32), index=True)
    found: Mapped[bool] = mapped_column(default=False)
