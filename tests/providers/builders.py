"""Builders for provider tests: a provider who is dispatchable unless told otherwise."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from config import areas, catalog, staff
from config.settings import Settings
from config.staff import Actor
from providers import hours, service
from providers.models import Provider

# Friday 2026-11-20 10:00 in Shanghai
WORKDAY_MORNING = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


def provider(
    session: Session,
    settings: Settings,
    *,
    kind: str = "company",
    phone: str = "+8613857300101",
    name: str = "南湖水电维修服务部",
    items: tuple[str, ...] = ("PE-PIPE-LEAK",),
    area_codes: tuple[str, ...] = ("330402003",),
    capacity: int = 2,
    span: str = "mon-fri 08:00-18:00",
    status: str = "active",
    documents_valid_until: dt.date | None = dt.date(2027, 12, 31),
    trained_on: dt.date | None = dt.date(2026, 6, 1),
    language: str = "zh_CN",
    organisation: str | None = None,
) -> Provider:
    if kind == "volunteer" and organisation is None:
        organisation = "总站 > 分站 > 服务点"
    created = service.create_provider(
        session,
        kind=kind,
        name_zh=name,
        phone=phone,
        items=[catalog.get_item(session, code=code) for code in items],
        areas=[areas.get(session, code=code) for code in area_codes],
        capacity=capacity,
        hours=hours.parse(span),
        status=status,
        language=language,
        organisation=service.get_or_create_org_path(session, path=organisation) if organisation else None,
        actor=Actor.system(),
    )
    if documents_valid_until is not None:
        from providers.states import REQUIRED_DOCUMENTS

        for document in REQUIRED_DOCUMENTS[kind]:
            service.add_document(
                session,
                provider=created,
                kind=document,
                expires_on=documents_valid_until,
                actor=Actor.system(),
                zone=settings.zone,
            )
    if trained_on is not None:
        for course in ("induction", "etiquette", "safety"):
            service.add_training(
                session,
                provider=created,
                course=course,
                completed_on=trained_on,
                actor=Actor.system(),
                zone=settings.zone,
            )
    return created


def supervisor(session: Session, name: str = "赵敏") -> staff.Staff:
    return staff.create(session, name=name, role="supervisor")


def operator(session: Session, name: str = "王芳", extension: str | None = "7001") -> staff.Staff:
    return staff.create(session, name=name, role="operator", extension=extension)
