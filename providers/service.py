"""Data access for providers. Keyword-only, flushes, never commits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import Session, lazyload

from config import clock
from config.areas import Area
from config.catalog import ServiceItem
from config.errors import Conflict, InvalidInput, NotFound
from config.staff import Actor, Staff
from providers import hours as working_hours
from providers.models import (
    Provider,
    ProviderArea,
    ProviderDocument,
    ProviderEvent,
    ProviderItem,
    ProviderReminder,
    ProviderTraining,
    VettingCheck,
    VolunteerOrg,
)
from providers.states import (
    CHECKLIST,
    COURSE_VALIDITY,
    COURSES,
    DOCUMENT_KINDS,
    REMIND_AHEAD,
    STATUSES,
    SUPERVISOR_ROLES,
    SUPERVISOR_STEPS,
    check_kind,
    check_transition,
)

ORG_LEVELS = ("station", "substation", "point")


def record_event(
    session: Session,
    provider: Provider,
    *,
    kind: str,
    actor: Actor,
    note: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    data: dict[str, Any] | None = None,
) -> ProviderEvent:
    event = ProviderEvent(
        provider=provider,
        kind=kind,
        actor=actor.ref,
        staff_id=actor.staff_id,
        note=note,
        from_status=from_status,
        to_status=to_status,
        data=data,
        at=clock.now(),
    )
    session.add(event)
    session.flush()
    return event


# --- volunteer organisations -----------------------------------------------------------------


def get_or_create_org_path(session: Session, *, path: str) -> VolunteerOrg:
    """``station > substation > point`` (``>`` or ``/``): each level found by name or created.
    Returns the service point; a volunteer belongs to a point."""
    names = [part.strip() for part in re.split(r"[>/＞]", path) if part.strip()]
    if len(names) != len(ORG_LEVELS):
        raise InvalidInput(f"organisation {path!r}: expected 'station > substation > service point'")
    parent: VolunteerOrg | None = None
    for level, name in zip(ORG_LEVELS, names, strict=True):
        parent_id = parent.id if parent is not None else None
        org = session.scalar(
            select(VolunteerOrg).where(
                VolunteerOrg.name_zh == name,
                VolunteerOrg.parent_id.is_(None) if parent_id is None else VolunteerOrg.parent_id == parent_id,
            )
        )
        if org is None:
            org = VolunteerOrg(level=level, name_zh=name, parent=parent)
            session.add(org)
            session.flush()
        parent = org
    assert parent is not None
    return parent


# --- providers -------------------------------------------------------------------------------


def get_provider(session: Session, *, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotFound(f"no provider with id {provider_id} (see: hotline providers list)")
    return provider


def get_provider_row(session: Session, *, provider_id: int) -> Provider:
    """``get_provider`` without its collections (items, areas, documents, training): for a text
    from the provider, which reads none of them."""
    provider = session.get(Provider, provider_id, options=[lazyload("*")])
    if provider is None:
        raise NotFound(f"no provider with id {provider_id} (see: hotline providers list)")
    return provider


def get_provider_by_phone(session: Session, *, phone: str) -> Provider | None:
    """The provider whose primary phone is ``phone`` (E.164), or None."""
    # every inbound text asks this, and most senders are residents: load the row only
    return session.scalar(select(Provider).where(Provider.phone == phone).options(lazyload("*")))


def provider_id_with_phone(phone: str | ColumnElement[str]) -> ScalarSelect[int]:
    """``get_provider_by_phone``'s id as a scalar subquery (NULL: not a provider), for asking
    several things about a sender in one statement."""
    return select(Provider.id).where(Provider.phone == phone).scalar_subquery()


def create_provider(
    session: Session,
    *,
    kind: str,
    name_zh: str,
    phone: str,
    items: Sequence[ServiceItem],
    areas: Sequence[Area],
    capacity: int,
    actor: Actor,
    name_en: str | None = None,
    other_phones: Sequence[str] = (),
    hours: dict[str, list[str]] | None = None,
    days_off: Sequence[str] = (),
    standard_prices: bool = False,
    language: str = "zh_CN",
    organisation: VolunteerOrg | None = None,
    status: str = "applicant",
    note: str | None = None,
) -> Provider:
    """``phone`` is E.164 (normalise at the boundary). ``status`` other than applicant is for
    migrating an existing roster; it is recorded as such in the audit trail."""
    check_kind(kind)
    name_zh = name_zh.strip()
    if not name_zh:
        raise InvalidInput("provider name is empty")
    if capacity < 1:
        raise InvalidInput(f"capacity must be at least 1, got {capacity}")
    if not items:
        raise InvalidInput("a provider offers at least one service item")
    if not areas:
        raise InvalidInput("a provider covers at least one community, street or district")
    if kind == "volunteer" and organisation is None:
        raise InvalidInput("a volunteer belongs to a service point (organisation)")
    existing = get_provider_by_phone(session, phone=phone)
    if existing is not None:
        raise Conflict(f"phone {phone} already belongs to provider {existing.id} ({existing.name_zh})")
    if status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
    provider = Provider(
        kind=kind,
        name_zh=name_zh,
        name_en=(name_en or "").strip() or None,
        phone=phone,
        other_phones=list(other_phones),
        capacity=capacity,
        hours=hours if hours is not None else working_hours.parse(None),
        days_off=list(days_off),
        standard_prices=standard_prices,
        language=language,
        organisation=organisation,
        status=status,
        items=list(items),
        areas=list(areas),
    )
    session.add(provider)
    session.flush()
    record_event(session, provider, kind="created", actor=actor, to_status=status, note=note)
    return provider


def list_providers(
    session: Session,
    *,
    kinds: Sequence[str] = (),
    statuses: Sequence[str] = (),
    item: ServiceItem | None = None,
    area: Area | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Provider]:
    """Providers by id; ``area`` matches providers covering it directly (a street: also those
    covering its district) — use ``eligibility.eligible_providers`` for a community's coverage."""
    query = select(Provider).order_by(Provider.id)
    if kinds:
        query = query.where(Provider.kind.in_(kinds))
    if statuses:
        query = query.where(Provider.status.in_(statuses))
    if item is not None:
        query = query.where(Provider.id.in_(select(ProviderItem.provider_id).where(ProviderItem.item_id == item.id)))
    if area is not None:
        chain = [a.id for a in _ancestors(area)]
        query = query.where(Provider.id.in_(select(ProviderArea.provider_id).where(ProviderArea.area_id.in_(chain))))
    if offset:
        query = query.offset(offset)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def _ancestors(area: Area) -> list[Area]:
    chain: list[Area] = []
    current: Area | None = area
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Provider.status, func.count()).group_by(Provider.status))
    return {status: count for status, count in rows}


# --- status, pause -----------------------------------------------------------------------------


def change_status(
    session: Session, *, provider: Provider, to: str, actor: Actor, reason: str, staff: Staff | None = None
) -> ProviderEvent:
    """One status step with who and why. Approval after vetting and reinstatement after a
    suspension are a supervisor's act; approval also needs the kind's whole checklist."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("say why the status changes (--reason)")
    check_transition(provider.status, to)
    if (provider.status, to) in SUPERVISOR_STEPS:
        if staff is None or staff.role not in SUPERVISOR_ROLES:
            who = f"{staff.name}'s role is {staff.role}" if staff else "no staff member given"
            raise InvalidInput(f"{provider.status} -> {to} is a supervisor's decision ({who})")
        if provider.status == "vetting":
            missing = missing_checks(provider)
            if missing:
                raise InvalidInput(f"vetting checklist incomplete: {', '.join(missing)} (hotline providers vet)")
    previous = provider.status
    provider.status = to
    provider.updated_at = clock.now()
    return record_event(session, provider, kind="status", actor=actor, from_status=previous, to_status=to, note=reason)


def set_paused(session: Session, *, provider: Provider, paused: bool, actor: Actor, note: str | None = None) -> bool:
    """Pause or resume offers; returns whether anything changed (an audit row only then)."""
    if provider.paused == paused:
        return False
    provider.paused = paused
    provider.updated_at = clock.now()
    record_event(session, provider, kind="paused" if paused else "resumed", actor=actor, note=note)
    return True


# --- vetting -----------------------------------------------------------------------------------


def missing_checks(provider: Provider) -> list[str]:
    done = {check.item for check in provider.checks}
    return [item for item in CHECKLIST[provider.kind] if item not in done]


def check_vetting_item(
    session: Session, *, provider: Provider, item: str, staff: Staff, note: str | None = None
) -> VettingCheck:
    if item not in CHECKLIST[provider.kind]:
        raise InvalidInput(
            f"{item!r} is not on the {provider.kind} checklist (one of {', '.join(CHECKLIST[provider.kind])})"
        )
    if provider.status not in ("applicant", "vetting"):
        raise InvalidInput(f"provider {provider.id} is {provider.status}, not being vetted")
    for check in provider.checks:
        if check.item == item:
            return check
    check = VettingCheck(item=item, staff_id=staff.id, note=note, at=clock.now())
    provider.checks.append(check)
    session.flush()
    record_event(session, provider, kind="vetting_check", actor=Actor.of_staff(staff), note=note, data={"item": item})
    return check


# --- documents, training, reminders ------------------------------------------------------------


def reminder_rows(*, provider_id: int, subject: str, expires_on: dt.date, zone: dt.tzinfo) -> list[dict[str, Any]]:
    """Two reminders for the sweeper: REMIND_AHEAD before the expiry and on the day itself (09:00
    centre time). A reminder whose document was renewed meanwhile is skipped when it comes due."""
    return [
        {
            "provider_id": provider_id,
            "subject": subject,
            "expires_on": expires_on,
            "stage": stage,
            "due_at": dt.datetime.combine(day, dt.time(9, 0), tzinfo=zone).astimezone(dt.UTC),
        }
        for stage, day in (("expiring", expires_on - REMIND_AHEAD), ("expired", expires_on))
    ]


def schedule_reminders(
    session: Session, *, provider: Provider, subject: str, expires_on: dt.date, zone: dt.tzinfo
) -> None:
    for row in reminder_rows(provider_id=provider.id, subject=subject, expires_on=expires_on, zone=zone):
        exists = session.scalar(
            select(ProviderReminder.id).where(
                ProviderReminder.provider_id == provider.id,
                ProviderReminder.subject == subject,
                ProviderReminder.expires_on == expires_on,
                ProviderReminder.stage == row["stage"],
            )
        )
        if exists is None:
            session.add(ProviderReminder(**row))
    session.flush()


def add_document(
    session: Session,
    *,
    provider: Provider,
    kind: str,
    expires_on: dt.date | None,
    actor: Actor,
    zone: dt.tzinfo,
    number: str | None = None,
) -> ProviderDocument:
    if kind not in DOCUMENT_KINDS:
        raise InvalidInput(f"unknown document {kind!r} (one of {', '.join(DOCUMENT_KINDS)})")
    document = ProviderDocument(kind=kind, expires_on=expires_on, number=number, recorded_at=clock.now())
    provider.documents.append(document)
    session.flush()
    if expires_on is not None:
        schedule_reminders(session, provider=provider, subject=f"document:{kind}", expires_on=expires_on, zone=zone)
    record_event(
        session,
        provider,
        kind="document",
        actor=actor,
        data={"kind": kind, "expires_on": expires_on.isoformat() if expires_on else None},
    )
    return document


def refuse_lapsed_document(*, kind: str, expires_on: dt.date, today: dt.date) -> None:
    """A document whose expiry has passed is refused, as the roster import refuses it."""
    if expires_on < today:
        raise InvalidInput(f"{kind} {expires_on.isoformat()} has passed; record the renewed document")


def refuse_lapsed_course(*, course: str, completed_on: dt.date, today: dt.date) -> None:
    """A course completed in the future, or whose validity has run out, is refused (as the import)."""
    validity = COURSE_VALIDITY.get(course)
    if completed_on > today:
        raise InvalidInput(f"{course} {completed_on.isoformat()} is in the future")
    if validity is not None and completed_on + validity < today:
        raise InvalidInput(f"{course} {completed_on.isoformat()} expired on {(completed_on + validity).isoformat()}")


def add_training(
    session: Session,
    *,
    provider: Provider,
    course: str,
    completed_on: dt.date,
    actor: Actor,
    zone: dt.tzinfo,
    staff: Staff | None = None,
) -> ProviderTraining:
    """Record a completed course. A course that is an item of the provider's vetting checklist
    (a volunteer's induction) ticks it when a staff member records it during vetting."""
    if course not in COURSES:
        raise InvalidInput(f"unknown training course {course!r} (one of {', '.join(COURSES)})")
    validity = COURSE_VALIDITY[course]
    expires_on = completed_on + validity if validity else None
    training = ProviderTraining(
        course=course, completed_on=completed_on, expires_on=expires_on, recorded_at=clock.now()
    )
    provider.trainings.append(training)
    session.flush()
    if expires_on is not None:
        schedule_reminders(session, provider=provider, subject=f"training:{course}", expires_on=expires_on, zone=zone)
    record_event(
        session,
        provider,
        kind="training",
        actor=actor,
        data={"course": course, "completed_on": completed_on.isoformat()},
    )
    if staff is not None and course in CHECKLIST[provider.kind] and provider.status in ("applicant", "vetting"):
        check_vetting_item(session, provider=provider, item=course, staff=staff, note=f"{course} {completed_on}")
    return training


def latest_documents(provider: Provider) -> dict[str, ProviderDocument]:
    """The newest document of each kind (a renewal replaces the old one)."""
    latest: dict[str, ProviderDocument] = {}
    for document in provider.documents:
        latest[document.kind] = document
    return latest


def latest_trainings(provider: Provider) -> dict[str, ProviderTraining]:
    latest: dict[str, ProviderTraining] = {}
    for training in sorted(provider.trainings, key=lambda t: (t.completed_on, t.id or 0)):
        latest[training.course] = training
    return latest


def events_of(session: Session, *, provider: Provider) -> list[ProviderEvent]:
    return list(
        session.scalars(
            select(ProviderEvent).where(ProviderEvent.provider_id == provider.id).order_by(ProviderEvent.id)
        )
    )
