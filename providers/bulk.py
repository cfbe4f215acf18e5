"""Writing checked roster rows in bulk (executemany in chunks), and the rejects file of
``--partial``. Row checking lives in ``providers.imports``."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from config import clock
from config.csvcells import guarded
from config.staff import Actor
from providers import service
from providers.imports import ProviderRow, RowError
from providers.models import (
    Provider,
    ProviderArea,
    ProviderDocument,
    ProviderEvent,
    ProviderItem,
    ProviderReminder,
    ProviderTraining,
    VolunteerOrg,
)
from providers.states import COURSE_VALIDITY

CHUNK = 500


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def write_rows(
    session: Session,
    rows: Sequence[ProviderRow],
    *,
    actor: Actor,
    zone: dt.tzinfo,
    source: str,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Insert providers with their items, areas, documents, training, a ``created`` audit row and
    expiry reminders. Returns the new ids in row order. The caller's transaction commits."""
    orgs: dict[str, VolunteerOrg] = {}
    for row in rows:
        if row.organisation and row.organisation not in orgs:
            orgs[row.organisation] = service.get_or_create_org_path(session, path=row.organisation)
    now = clock.now()
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        values = [
            {
                "uuid": str(uuid.uuid4()),
                "kind": r.kind,
                "name_zh": r.name_zh,
                "name_en": r.name_en,
                "phone": r.phone,
                "other_phones": r.other_phones,
                "language": r.language,
                "capacity": r.capacity,
                "hours": r.hours,
                "days_off": r.days_off,
                "standard_prices": r.standard_prices,
                "paused": False,
                "status": r.status,
                "organisation_id": orgs[r.organisation].id if r.organisation else None,
                "created_at": now,
                "updated_at": now,
            }
            for r in chunk
        ]
        # Core inserts on the tables: the ORM's bulk insert ran ~24,000 statements for 10,000 rows
        returned = session.execute(
            insert(_table(Provider)).returning(Provider.id, sort_by_parameter_order=True), values
        )
        new_ids = [row[0] for row in returned]
        ids += new_ids
        links: dict[Any, list[dict[str, Any]]] = {
            ProviderItem: [],
            ProviderArea: [],
            ProviderDocument: [],
            ProviderTraining: [],
            ProviderEvent: [],
            ProviderReminder: [],
        }
        for provider_id, r in zip(new_ids, chunk, strict=True):
            links[ProviderItem] += [{"provider_id": provider_id, "item_id": i.id} for i in r.items]
            links[ProviderArea] += [{"provider_id": provider_id, "area_id": a.id} for a in r.areas]
            for kind, expires in r.documents.items():
                number = r.licence_number if kind == "business_licence" else None
                links[ProviderDocument].append(
                    {
                        "provider_id": provider_id,
                        "kind": kind,
                        "number": number,
                        "expires_on": expires,
                        "recorded_at": now,
                    }
                )
                links[ProviderReminder] += service.reminder_rows(
                    provider_id=provider_id, subject=f"document:{kind}", expires_on=expires, zone=zone
                )
            for course, done in r.courses.items():
                validity = COURSE_VALIDITY[course]
                expires_on = done + validity if validity else None
                links[ProviderTraining].append(
                    {
                        "provider_id": provider_id,
                        "course": course,
                        "completed_on": done,
                        "expires_on": expires_on,
                        "recorded_at": now,
                    }
                )
                if expires_on is not None:
                    links[ProviderReminder] += service.reminder_rows(
                        provider_id=provider_id, subject=f"training:{course}", expires_on=expires_on, zone=zone
                    )
            links[ProviderEvent].append(
                {
                    "provider_id": provider_id,
                    "at": now,
                    "kind": "created",
                    "actor": actor.ref,
                    "staff_id": actor.staff_id,
                    "from_status": None,
                    "to_status": r.status,
                    "note": f"imported from {source}, row {r.line}",
                }
            )
        for model, link_rows in links.items():
            if link_rows:
                session.execute(insert(_table(model)), link_rows)  # Core executemany
        if progress:
            progress(len(chunk))
    session.flush()
    return ids


def write_rejects(path: Path, headers: list[str], errors: Sequence[RowError]) -> None:
    """The rejected rows as they were read, plus an ``error`` column: fix them and import this file.
    ``.xlsx`` writes a workbook; anything else a CSV in UTF-8 with BOM (Excel opens it right)."""
    table = [[*headers, "error"]] + [[guarded(_cell(e.raw.get(h))) for h in headers] + [e.message] for e in errors]
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("rejects")
        for line in table:
            sheet.append(line)
        book.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(table)


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value
