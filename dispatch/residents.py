"""Data access for residents (the people who contact the hotline, by phone number). Keyword-only,
flushes, never commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, ScalarSelect, select
from sqlalchemy.orm import Session, lazyload

from config import areas, clock
from config.errors import InvalidInput
from dispatch.models import RESIDENT_TAGS, Resident, ResidentTag


def get_resident_by_phone(session: Session, *, phone: str) -> Resident | None:
    # relationships load when used: most lookups (texts, calls) find nobody or need only the row
    return session.scalar(select(Resident).where(Resident.phone == phone).options(lazyload("*")))


def get_resident(session: Session, *, resident_id: int) -> Resident | None:
    return session.get(Resident, resident_id, options=[lazyload("*")])


def resident_id_with_phone(phone: str | ColumnElement[str]) -> ScalarSelect[int]:
    """The id of the resident with ``phone`` as a scalar subquery, for asking several things about
    a sender in one statement (the SMS intake); NULL if there is none."""
    return select(Resident.id).where(Resident.phone == phone).scalar_subquery()


def get_or_create_resident(
    session: Session,
    *,
    phone: str,
    name: str | None = None,
    community: areas.Area | None = None,
    address: str | None = None,
    language: str | None = None,
) -> Resident:
    """``phone`` is E.164 (normalise at the boundary with ``Settings.normalize_phone``)."""
    resident = get_resident_by_phone(session, phone=phone)
    if resident is None:
        resident = create_resident(session, phone=phone, language=language)
    if name and not resident.name:
        resident.name = name
    if community is not None and resident.community_id is None:
        resident.community = community
    if address and not resident.address:
        resident.address = address
    session.flush()
    return resident


def create_resident(session: Session, *, phone: str, language: str | None = None) -> Resident:
    """A new resident; the caller knows ``phone`` (E.164) has none yet (or use get_or_create_resident).
    Not flushed: it is written with the ticket or change that follows (one flush instead of two)."""
    resident = Resident(phone=phone, language=language or "zh_CN", tag_rows=[])
    session.add(resident)
    return resident


def set_resident_tags(session: Session, *, resident: Resident, tags: Iterable[str]) -> None:
    wanted = set(tags)
    unknown = wanted - set(RESIDENT_TAGS)
    if unknown:
        raise InvalidInput(f"unknown tag {sorted(unknown)[0]!r} (one of {', '.join(RESIDENT_TAGS)})")
    resident.tag_rows = [row for row in resident.tag_rows if row.tag in wanted] + [
        ResidentTag(tag=tag) for tag in sorted(wanted - set(resident.tags))
    ]
    session.flush()


def set_sms_opt_out(session: Session, *, resident: Resident, opted_out: bool) -> None:
    resident.sms_opt_out = opted_out
    session.flush()


def set_preferred_provider(session: Session, *, resident: Resident, provider_id: int | None) -> None:
    """The provider the resident asked for (自由选择服务主体), or None to forget it."""
    resident.preferred_provider_id = provider_id
    resident.updated_at = clock.now()
    session.flush()
