"""Staff of the centre: operators, dispatchers, supervisors, admins.

Every domain records who acted (ticket events, provider status changes, calls), so staff live
on the ground floor with the other shared reference data. Logins arrive with the console.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from config import clock
from config.db import Base
from config.errors import Conflict, InvalidInput, NotFound

ROLES = ("operator", "dispatcher", "supervisor", "admin")


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))
    extension: Mapped[str | None] = mapped_column(String(20), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)


def create(session: Session, *, name: str, role: str, extension: str | None = None) -> Staff:
    name = name.strip()
    if not name:
        raise InvalidInput("name is empty")
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r} (one of {', '.join(ROLES)})")
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
