"""Texted codes that confirm a web request, and the throttles that keep the public pages from
being used to spam phones or to guess other people's tickets.

The promise: a code leaves only through the SMS outbox, in the same transaction as its row; a
code is good for ``CODE_TTL`` and ``MAX_ATTEMPTS`` wrong tries, then a new one must be asked for;
a phone gets at most ``PER_PHONE_HOUR`` codes an hour (and one per ``RESEND_AFTER``), an address
``PER_CLIENT_HOUR``; the status page answers an address at most ``LOOKUP_MISSES`` wrong number /
phone pairs per ``LOOKUP_WINDOW`` (and a ticket number as many, whatever the address), so neither
page can be driven by a script. Counts are rows, so they hold across processes and restarts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from config import clock
from hotline.web_form.models import StatusLookup, WebCode

CODE_TTL = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_AFTER = dt.timedelta(seconds=60)
PER_PHONE_HOUR = 5
PER_CLIENT_HOUR = 10
LOOKUP_WINDOW = dt.timedelta(minutes=15)
LOOKUP_MISSES = 10
LOOKUPS_PER_CLIENT = 60  # found or not, per LOOKUP_WINDOW
KEEP = dt.timedelta(days=1)


class Throttled(Exception):
    """Too many codes or look-ups; ``wait`` is how long until the next one is allowed."""

    def __init__(self, reason: str, wait: dt.timedelta) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait

    @property
    def minutes(self) -> int:
        return max(1, -(-int(self.wait.total_seconds()) // 60))


@dataclass(frozen=True)
class Issued:
    row: WebCode
    code: str  # the digits texted; only the caller that texts them ever sees them


def _hash(secret: str, token: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{token}:{code}".encode(), hashlib.sha256).hexdigest()


def purge_old(session: Session) -> None:
    cutoff = clock.now() - KEEP
    session.execute(delete(WebCode).where(WebCode.created_at < cutoff))
    session.execute(delete(StatusLookup).where(StatusLookup.at < cutoff))


def _check_code_throttle(session: Session, *, phone: str, client: str) -> None:
    now = clock.now()
    hour_ago = now - dt.timedelta(hours=1)
    by_phone = session.execute(
        select(func.count(), func.max(WebCode.created_at), func.min(WebCode.created_at)).where(
            WebCode.phone == phone, WebCode.created_at >= hour_ago
        )
    ).one()
    count, newest, oldest = by_phone
    if newest is not None and now - newest < RESEND_AFTER:
        raise Throttled("resend", RESEND_AFTER - (now - newest))
    if count >= PER_PHONE_HOUR:
        raise Throttled("phone", oldest + dt.timedelta(hours=1) - now)
    by_client, oldest_client = session.execute(
        select(func.count(), func.min(WebCode.created_at)).where(
            WebCode.client == client, WebCode.created_at >= hour_ago
        )
    ).one()
    if by_client >= PER_CLIENT_HOUR:
        raise Throttled("client", oldest_client + dt.timedelta(hours=1) - now)


def issue(session: Session, *, secret: str, phone: str, client: str, draft: dict[str, Any]) -> Issued:
    """A new code for ``draft``, or ``Throttled``. The caller texts ``Issued.code``."""
    purge_old(session)
    _check_code_throttle(session, phone=phone, client=client)
    now = clock.now()
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = WebCode(
        token=token,
        phone=phone,
        client=client[:64],
        code_hash=_hash(secret, token, code),
        draft=draft,
        created_at=now,
        expires_at=now + CODE_TTL,
        attempts=0,
    )
    session.add(row)
    session.flush()
    return Issued(row, code)


def get(session: Session, *, token: str) -> WebCode | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(select(WebCode).where(WebCode.token == token))


@dataclass(frozen=True)
class Checked:
    ok: bool
    reason: str = ""  # expired, used_up, wrong
    tries_left: int = 0


def check(session: Session, *, secret: str, row: WebCode, code: str) -> Checked:
    """Compare ``code`` with the row's; a wrong one counts (flushed: the caller commits it)."""
    if row.used_at is not None:
        return Checked(True)
    if clock.now() >= row.expires_at:
        return Checked(False, "expired")
    if row.attempts >= MAX_ATTEMPTS:
        return Checked(False, "used_up")
    digits = "".join(ch for ch in code if ch.isdigit())
    if hmac.compare_digest(row.code_hash, _hash(secret, row.token, digits)):
        return Checked(True)
    row.attempts += 1
    session.flush()
    left = MAX_ATTEMPTS - row.attempts
    return Checked(False, "wrong" if left > 0 else "used_up", left)


def mark_used(session: Session, *, row: WebCode, ticket_number: str) -> None:
    row.used_at = clock.now()
    row.ticket_number = ticket_number
    session.flush()


def check_lookup_throttle(session: Session, *, client: str, number: str) -> None:
    now = clock.now()
    since = now - LOOKUP_WINDOW
    misses_client, all_client, oldest = session.execute(
        select(
            func.count().filter(StatusLookup.found.is_(False)),
            func.count(),
            func.min(StatusLookup.at),
        ).where(StatusLookup.client == client, StatusLookup.at >= since)
    ).one()
    if misses_client >= LOOKUP_MISSES or all_client >= LOOKUPS_PER_CLIENT:
        raise Throttled("client", (oldest or now) + LOOKUP_WINDOW - now)
    misses_number, oldest_number = session.execute(
        select(func.count(), func.min(StatusLookup.at)).where(
            StatusLookup.number == number, StatusLookup.found.is_(False), StatusLookup.at >= since
        )
    ).one()
    if misses_number >= LOOKUP_MISSES:
        raise Throttled("number", (oldest_number or now) + LOOKUP_WINDOW - now)


def record_lookup(session: Session, *, client: str, number: str, found: bool) -> None:
    session.add(StatusLookup(at=clock.now(), client=client[:64], number=number[:32], found=found))
    session.flush()
