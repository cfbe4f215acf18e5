"""A resident's personal data across every package: export, erase, and the retention job.

``HOLDERS`` is the one list of what the hotline keeps about a person (``config.privacy.Holder``),
in order. A package that starts keeping personal data adds its holder here; its ``erase`` also
cancels what is still to happen for that person (outbox texts; the resident's open tickets and
their live offers: ``dispatch.offer_privacy``; open surveys: ``callbacks.privacy``).

Every export and erasure is audited (``privacy_events``: who, when, why, how many rows; never the
number). The retention job ``hotline.retention`` anonymises what is older than
``Settings.retention_days`` in batches, each batch its own transaction that selects its rows
itself, so it can be stopped and run again at any time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from callbacks import privacy as callback_privacy
from config import clock
from config.db import Database
from config.errors import NotFound
from config.privacy import Holder, Person, record_event
from config.settings import Settings
from dispatch import offer_privacy, residents
from dispatch import privacy as dispatch_privacy
from hotline.voice import privacy as voice_privacy
from hotline.web_form import privacy as web_form_privacy
from sms import privacy as sms_privacy

HOLDERS: tuple[Holder, ...] = (
    offer_privacy.HOLDER,  # first: cancels what is still to happen, then the others anonymise
    callback_privacy.HOLDER,
    sms_privacy.HOLDER,
    voice_privacy.HOLDER,
    dispatch_privacy.HOLDER,
    web_form_privacy.HOLDER,
)
JOB_NAME = "hotline.retention"


def person_of(session: Session, phone: str) -> Person:
    resident = residents.get_resident_by_phone(session, phone=phone)
    return Person(phone=phone, resident_id=resident.id if resident is not None else None)


def export_resident(session: Session, *, phone: str, actor: str, reason: str | None = None) -> dict[str, Any]:
    """Everything held about the person with ``phone`` (E.164), as JSON (docs/json.md)."""
    person = person_of(session, phone)
    parts = {holder.name: holder.export(session, person) for holder in HOLDERS}
    if not any(parts.values()):
        raise NotFound(f"nothing is held about {phone}")
    record_event(
        session,
        kind="export",
        actor=actor,
        counts={name: len(rows) for name, rows in parts.items()},
        resident_id=person.resident_id,
        reason=reason,
    )
    return {"phone": phone, "exported_at": clock.now().isoformat(), **parts}


def erase_resident(session: Session, *, phone: str, actor: str, reason: str) -> dict[str, int]:
    """Anonymise now everything held about ``phone``; returns rows changed per holder."""
    person = person_of(session, phone)
    counts = {holder.name: holder.erase(session, person) for holder in HOLDERS}
    if not any(counts.values()):
        raise NotFound(f"nothing is held about {phone}")
    record_event(session, kind="erase", actor=actor, counts=counts, resident_id=person.resident_id, reason=reason)
    return counts


def expire_pass(db: Database, settings: Settings) -> int:
    """One pass of the retention job: every holder, in batches, until nothing is left."""
    cutoff = clock.now() - dt.timedelta(days=settings.retention_days)
    total: dict[str, int] = {}
    for holder in HOLDERS:
        while True:
            with db.transaction() as session:
                changed = holder.expire(session, cutoff)
            total[holder.name] = total.get(holder.name, 0) + changed
            if changed < dispatch_privacy.BATCH:
                break
    if any(total.values()):
        with db.transaction() as session:
            reason = f"older than {settings.retention_days} days"
            record_event(session, kind="retention", actor="system", counts=total, resident_id=None, reason=reason)
    return sum(total.values())
