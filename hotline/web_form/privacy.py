"""The web form's part of a resident's personal data (see ``config.privacy``): the filled-in
forms waiting for, or confirmed by, a texted code. They live a day (``codes.KEEP``); an erasure
blanks them at once, so a form still open cannot be confirmed afterwards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config.privacy import ERASED, Holder, Person, changed
from hotline.web_form.models import WebCode


def export(session: Session, person: Person) -> list[dict[str, Any]]:
    rows = session.scalars(select(WebCode).where(WebCode.phone == person.phone).order_by(WebCode.id))
    return [
        {
            "at": row.created_at.isoformat(),
            "form": {k: v for k, v in row.draft.items() if k not in ("phone_e164",)},
            "ticket": row.ticket_number,
        }
        for row in rows
    ]


def _blank(session: Session, *conditions: Any) -> int:
    return changed(
        session,
        update(WebCode).where(WebCode.phone != ERASED, *conditions).values(phone=ERASED, draft={}, code_hash=""),
    )


def erase(session: Session, person: Person) -> int:
    return _blank(session, WebCode.phone == person.phone)


def expire(session: Session, before: dt.datetime) -> int:
    return _blank(session, WebCode.created_at < before)


HOLDER = Holder(name="web_forms", export=export, erase=erase, expire=expire)
