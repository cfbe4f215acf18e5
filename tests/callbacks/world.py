"""A finished job to survey: the leak in 南湖社区 (tests.dispatch.scene) offered to a plumber who
texts 接 and 完成 through the real intake, on Friday 2026-11-20 at 10:00 in Shanghai."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from callbacks import jobs
from callbacks.models import Complaint, Survey
from config import clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import offers, residents
from providers.models import Provider
from sms.models import OutboundMessage
from tests.dispatch import scene
from tests.dispatch.scene import COMMUNITY, NOW, PLUMBERS, RESIDENT

__all__ = ["NOW", "PLUMBERS", "RESIDENT"]


def at(hours: float) -> dt.datetime:
    return NOW + dt.timedelta(hours=hours)


says = scene.says  # the texts go through the real intake


def completed_job(
    db: Database, settings: Settings, *, phone: str = RESIDENT, item: str = "PE-PIPE-LEAK", tags: tuple[str, ...] = ()
) -> str:
    """A ticket the plumber accepted and finished by text; returns its number."""
    with clock.freeze(NOW):
        with db.transaction() as session:
            if session.scalar(select(Provider.id).limit(1)) is None:
                scene.plumber(session, settings, 0, area_codes=(COMMUNITY,), capacity=5)
            ticket = scene.leak(session, settings, phone=phone, item=item)
            if tags:
                residents.set_resident_tags(session, resident=ticket.resident, tags=tags)
            (offer,) = offers.offer(session, ticket=ticket, settings=settings, actor=Actor("cli"))
            number, code = ticket.number, offer.code
        says(db, settings, PLUMBERS[0], f"接 {code}")
        says(db, settings, PLUMBERS[0], f"完成 {code} 50")
    return number


def sweep(db: Database, settings: Settings, when: dt.datetime) -> int:
    with clock.freeze(when):
        return jobs.sweep_surveys(db, settings)


def surveys(db: Database) -> list[Survey]:
    with db.read() as session:
        rows = list(session.scalars(select(Survey).order_by(Survey.id)))
        session.expunge_all()
        return rows


def complaints(db: Database) -> list[Complaint]:
    with db.read() as session:
        rows = list(session.scalars(select(Complaint).order_by(Complaint.id)))
        session.expunge_all()
        return rows


def survey_texts(db: Database, phone: str = RESIDENT) -> list[str]:
    with db.read() as session:
        query = select(OutboundMessage.body).where(OutboundMessage.to == phone, OutboundMessage.purpose == "survey")
        return list(session.scalars(query.order_by(OutboundMessage.id)))
