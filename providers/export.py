"""The directory for others: Open Referral HSDS 3.x organizations (JSON) and the roster CSV
(the import format, so an export can be edited and imported elsewhere).

HSDS ids are uuids that stay the same across exports: the organization's is the provider's
stored ``uuid``; every nested object's is a uuid5 of it and a fixed path."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterable
from typing import Any

from config.csvcells import guarded
from config.i18n import gettext
from config.settings import WEEKDAYS
from providers import hours as working_hours
from providers import service
from providers.imports import COURSE_COLUMNS, DOCUMENT_COLUMNS
from providers.models import Provider
from providers.states import DISPATCHABLE, KIND_LABELS

ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
CSV_COLUMNS = (
    "kind",
    "name",
    "name_en",
    "phone",
    "other_phones",
    "items",
    "areas",
    "capacity",
    "status",
    "organisation",
    "hours",
    "days_off",
    "standard_prices",
    "language",
    "licence_number",
    *DOCUMENT_COLUMNS,
    *COURSE_COLUMNS,
)


def _id(provider: Provider, *path: str) -> str:
    return str(uuid.uuid5(uuid.UUID(provider.uuid), "/".join(path)))


def _offset_hours(zone: dt.tzinfo) -> str:
    offset = dt.datetime.now(zone).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _service_status(provider: Provider) -> str:
    if provider.status in DISPATCHABLE:
        return "temporarily closed" if provider.paused else "active"
    return "defunct" if provider.status == "removed" else "inactive"


def hsds_organization(provider: Provider, *, zone: dt.tzinfo) -> dict[str, Any]:
    """One provider as an HSDS organization with its services (one per catalogue item), each
    with the areas covered and the weekly schedule, and the provider's phones."""
    org_id = provider.uuid
    suffix = _offset_hours(zone)
    phones = [
        {
            "id": _id(provider, "phone", str(index)),
            "organization_id": org_id,
            "number": number,
            "type": "cell" if index == 0 else "voice",
        }
        for index, number in enumerate([provider.phone, *provider.other_phones])
    ]
    services = []
    for item in provider.items:
        service_id = _id(provider, "service", item.code)
        services.append(
            {
                "id": service_id,
                "organization_id": org_id,
                "name": item.name_zh,
                "alternate_name": item.name_en,
                "description": f"{item.name_zh} / {item.name_en} ({item.code})",
                "status": _service_status(provider),
                "fees_description": f"{item.price} CNY / {item.unit}" if item.price else "free",
                "service_areas": [
                    {
                        "id": _id(provider, "service", item.code, "area", area.code),
                        "service_id": service_id,
                        "name": area.path("zh_CN"),
                        "description": area.code,
                        "extent_type": "text",
                    }
                    for area in provider.areas
                ],
                "schedules": [
                    {
                        "id": _id(provider, "service", item.code, "schedule", day),
                        "service_id": service_id,
                        "freq": "WEEKLY",
                        "wkst": "MO",
                        "byday": ICAL_DAYS[WEEKDAYS.index(day)],
                        "opens_at": span[0] + suffix,
                        "closes_at": ("23:59" if span[1] == "24:00" else span[1]) + suffix,
                    }
                    for day, span in provider.hours.items()
                ],
            }
        )
    description = gettext("zh_CN", KIND_LABELS[provider.kind]) + " / " + gettext("en", KIND_LABELS[provider.kind])
    if provider.organisation is not None:
        description += f" · {provider.organisation.path()}"
    organization: dict[str, Any] = {
        "id": org_id,
        "name": provider.name_zh,
        "description": description,
        "phones": phones,
        "services": services,
    }
    if provider.name_en:
        organization["alternate_name"] = provider.name_en
    return organization


def hsds(providers: Iterable[Provider], *, zone: dt.tzinfo) -> list[dict[str, Any]]:
    return [hsds_organization(p, zone=zone) for p in providers]


def csv_text(providers: Iterable[Provider]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for p in providers:
        documents = service.latest_documents(p)
        trainings = service.latest_trainings(p)
        licence = documents.get("business_licence")
        row = {
            "kind": p.kind,
            "name": p.name_zh,
            "name_en": p.name_en or "",
            "phone": p.phone,
            "other_phones": ";".join(p.other_phones),
            "items": ";".join(i.code for i in p.items),
            "areas": ";".join(a.code for a in p.areas),
            "capacity": p.capacity,
            "status": p.status,
            "organisation": p.organisation.path() if p.organisation else "",
            "hours": working_hours.format(p.hours),
            "days_off": ";".join(p.days_off),
            "standard_prices": "yes" if p.standard_prices else "no",
            "language": p.language,
            "licence_number": (licence.number or "") if licence else "",
        }
        for column, kind in DOCUMENT_COLUMNS.items():
            document = documents.get(kind)
            row[column] = document.expires_on.isoformat() if document and document.expires_on else ""
        for column, course in COURSE_COLUMNS.items():
            training = trainings.get(course)
            row[column] = training.completed_on.isoformat() if training else ""
        writer.writerow([guarded(row[c]) for c in CSV_COLUMNS])
    return buffer.getvalue()
