"""Staff of the centre: observers, operators, dispatchers, supervisors, admins.

Every domain records who acted (ticket events, provider status changes, calls), so staff live
on the ground floor with the other shared reference data. What each role may do is
``config.roles``; sessions and throttling are ``config.logins``.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from config import clock, roles
from config.db import Base
from config.errors import Conflict, InvalidInput, NotFound

if TYPE_CHECKING:
    from argon2 import PasswordHasher

ROLES = roles.NAMES
MIN_PASSWORD = 10


@functools.cache
def _hasher() -> PasswordHasher:
    """argon2's hasher, imported on first use (only logins and passwords need it)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


@functools.cache
def _nobody() -> str:
    """Verified against when the name is unknown, so a wrong name costs as long as a wrong
    password. Made on first use: hashing at import would slow every CLI command."""
    return _hasher().hash("not anybody's password")


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)  # what a staff member logs in with
    role: Mapped[str] = mapped_column(String(20))
    extension: Mapped[str | None] = mapped_column(String(20), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    password_hash: Mapped[str | None] = mapped_column(String(200))  # argon2id; None: no login
    password_changed_at: Mapped[dt.datetime | None]


def create(session: Session, *, name: str, role: str, extension: str | None = None) -> Staff:
    name = name.strip()
    if not name:
        raise InvalidInput("name is empty")
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if session.scalar(select(Staff).where(Staff.name == name)) is not None:
        raise Conflict(f"a staff member named {name!r} exists already")
    if extension is not None:
        extension = extension.strip()
        if not extension.isdigit():
            raise InvalidInput(f"extension {extension!r} must be digits")
        if session.scalar(select(Staff).where(Staff.extension == extension)) is not None:
            raise Conflict(f"extension {extension} already belongs to someone else")
    staff = Staff(name=name, role=role, extension=extension)
    session.add(staff)
    session.flush()
    return staff


def set_password(staff: Staff, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password needs at least {MIN_PASSWORD} characters")
    staff.password_hash = _hasher().hash(password)
    staff.password_changed_at = clock.now()


def password_matches(staff: Staff | None, password: str) -> bool:
    """Constant work whether or not the staff member exists or has a password."""
    from argon2.exceptions import InvalidHashError, VerificationError

    stored = staff.password_hash if staff is not None and staff.password_hash else _nobody()
    try:
        ok = _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and staff is not None and staff.password_hash is not None


def disable(staff: Staff) -> None:
    staff.active = False


def find(session: Session, *, who: str) -> Staff:
    """By extension (digits) or name, as the CLI's ``--by`` and the login form give it."""
    member = get_by_extension(session, extension=who) if who.isdigit() else None
    return member or get_by_name(session, name=who)


def get(session: Session, *, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(f"no staff member with id {staff_id}")
    return staff


def get_by_extension(session: Session, *, extension: str) -> Staff | None:
    return session.scalar(select(Staff).where(Staff.extension == extension, Staff.active.is_(True)))


def get_by_name(session: Session, *, name: str) -> Staff:
    staff = session.scalar(select(Staff).where(Staff.name == name))
    if staff is None:
        raise NotFound(f"no staff member named {name!r} (see: hotline users list)")
    return staff


def list_staff(session: Session) -> list[Staff]:
    return list(session.scalars(select(Staff).order_by(Staff.id)))


class Actor:
    """Who did something, as recorded in every audit trail: ``staff:3``, ``system``, ``resident``,
    ``provider:12``, ``cli``."""

    __slots__ = ("ref", "staff_id")

    def __init__(self, ref: str, staff_id: int | None = None) -> None:
        self.ref = ref
        self.staff_id = staff_id

    @classmethod
    def of_staff(cls, staff: Staff) -> Actor:
        return cls(f"staff:{staff.id}", staff.id)

    @classmethod
    def system(cls) -> Actor:
        return cls("system")

    @classmethod
    def resident(cls) -> Actor:
        return cls("resident")

    @classmethod
    def provider(cls, provider_id: int) -> Actor:
        return cls(f"provider:{provider_id}")

    def __repr__(self) -> str:
        return f"Actor({self.ref!r})"
