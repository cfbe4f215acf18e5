"""Staff sessions, login throttling and API keys: the state behind "who is this request".

A session is a row; the browser's cookie holds its random token, signed (``itsdangerous``) so a
forged or truncated cookie is refused before the database is asked, and only the token's SHA-256
is stored. Sessions expire one by one: after ``session_idle_minutes`` without a request, or when
logged out; disabling a staff member ends theirs. Each session carries its own CSRF token.

Failed logins are rows too (``login_failures``), so throttling holds across processes and
restarts: too many failures for one name, or from one address, within the window refuse further
attempts, right password or not, until the window has passed.

API keys are shown once and stored as a SHA-256 hash with a short prefix to find them by.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from config import clock, roles
from config.db import Base
from config.errors import Forbidden, InvalidInput, NotFound
from config.staff import Staff

ACCOUNT_FAILURES = 5  # failed logins for one name within the window
ADDRESS_FAILURES = 20  # failed logins from one address within the window
FAILURE_WINDOW = dt.timedelta(minutes=15)
TOUCH_EVERY = dt.timedelta(seconds=60)  # last_seen_at is written at most this often
KEY_PREFIX = "hlk_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    ended_at: Mapped[dt.datetime | None]
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    staff: Mapped[Staff] = relationship(lazy="joined")


class LoginFailure(Base):
    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=clock.now, index=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


# --- logging in ---------------------------------------------------------------------------------


class LoginRefused(Exception):
    """Why a login failed, as a message id for the page (never which of name or password)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def throttled(session: Session, *, name: str, address: str) -> bool:
    since = clock.now() - FAILURE_WINDOW
    per_name = session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.name == name, LoginFailure.at >= since)
    )
    per_address = session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.address == address, LoginFailure.at >= since)
    )
    return (per_name or 0) >= ACCOUNT_FAILURES or (per_address or 0) >= ADDRESS_FAILURES


def log_in(
    session: Session, *, name: str, password: str, address: str, user_agent: str = ""
) -> tuple[StaffSession, str]:
    """Check the password (throttled) and open a session; returns it with its cookie token.
    A failure is recorded in the caller's transaction, which must commit it."""
    from config.staff import password_matches

    name = name.strip()[:80]
    if throttled(session, name=name, address=address):
        raise LoginRefused("Too many failed logins. Wait 15 minutes and try again.")
    member = session.scalar(select(Staff).where(Staff.name == name, Staff.active.is_(True)))
    if not password_matches(member, password):
        session.add(LoginFailure(name=name, address=address))
        session.flush()
        raise LoginRefused("Wrong name or password.")
    assert member is not None
    return open_session(session, member=member, address=address, user_agent=user_agent)


def open_session(
    session: Session, *, member: Staff, address: str = "", user_agent: str = ""
) -> tuple[StaffSession, str]:
    if not member.active:
        raise Forbidden(f"{member.name} is disabled")
    token = secrets.token_urlsafe(32)
    row = StaffSession(
        token_hash=_digest(token),
        staff_id=member.id,
        staff=member,
        csrf_token=secrets.token_urlsafe(32),
        address=address[:64] or None,
        user_agent=user_agent[:200] or None,
    )
    session.add(row)
    session.flush()
    return row, token


def current_session(session: Session, *, token: str, idle: dt.timedelta) -> StaffSession | None:
    """The live session for a cookie token, or None (unknown, ended, idle too long, staff disabled)."""
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == _digest(token)))
    if row is None or row.ended_at is not None or not row.staff.active:
        return None
    if clock.now() - row.last_seen_at > idle:
        return None
    return row


def touch(session: Session, *, session_id: int) -> None:
    """Mark a session used now (the idle clock restarts); written at most once a minute."""
    row = session.get(StaffSession, session_id)
    if row is not None and row.ended_at is None and clock.now() - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = clock.now()


def needs_touch(row: StaffSession) -> bool:
    return clock.now() - row.last_seen_at >= TOUCH_EVERY


def end_session(session: Session, *, session_id: int) -> None:
    row = session.get(StaffSession, session_id)
    if row is not None and row.ended_at is None:
        row.ended_at = clock.now()


def end_sessions_of(session: Session, *, staff_id: int) -> int:
    """When a staff member is disabled or their password changes: each of their sessions ends."""
    rows = list(
        session.scalars(select(StaffSession).where(StaffSession.staff_id == staff_id, StaffSession.ended_at.is_(None)))
    )
    for row in rows:
        row.ended_at = clock.now()
    return len(rows)


# --- API keys ------------------------------------------------------------------------------------


def create_api_key(
    session: Session, *, name: str, role: str, created_by: str, granter_role: str = "admin"
) -> tuple[ApiKey, str]:
    """A new key for ``role``; returns the row and the key, which is never stored nor shown again."""
    name = name.strip()
    if not name:
        raise InvalidInput("the key needs a --name")
    if role not in roles.BY_NAME:
        raise InvalidInput(f"unknown role {role!r} (one of {', '.join(roles.KEY_NAMES)})")
    if not roles.may_grant(granter_role, role):
        raise Forbidden(f"a {granter_role} may not create a key with the role {role}")
    if session.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
        raise InvalidInput(f"an API key named {name!r} exists already")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, role=role, prefix=secret[:12], key_hash=_digest(secret), created_by=created_by)
    session.add(row)
    session.flush()
    return row, secret


def api_key_for(session: Session, *, secret: str) -> ApiKey | None:
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(secret)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def revoke_api_key(session: Session, *, name: str) -> ApiKey:
    row = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if row is None:
        raise NotFound(f"no API key named {name!r} (see: hotline apikeys list)")
    row.revoked_at = row.revoked_at or clock.now()
    return row


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))
