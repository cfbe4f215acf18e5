"""Editing a resident's record from the console or the CLI: tags (elderly, disabled, low income,
lives alone, one-touch line), language, opt-outs, preferred provider, name. One call, one audit
row (``resident_events``) listing each field that changed from what to what."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import clock, i18n
from config.errors import InvalidInput, NotFound
from config.staff import Actor
from dispatch.models import Resident, ResidentEvent
from dispatch.residents import set_resident_tags
from providers.models import Provider

_KEEP: Any = object()


def edit_resident(
    session: Session,
    *,
    resident: Resident,
    actor: Actor,
    tags: Iterable[str] | None = None,
    language: str | None = None,
    sms_opt_out: bool | None = None,
    call_opt_out: bool | None = None,
    preferred_provider_id: int | None = _KEEP,
    name: str | None = _KEEP,
) -> dict[str, dict[str, Any]]:
    """Apply what is given; returns ``{field: {"from": ..., "to": ...}}`` for what changed."""
    changes: dict[str, dict[str, Any]] = {}

    def note(field: str, before: Any, after: Any) -> None:
        if before != after:
            changes[field] = {"from": before, "to": after}

    if tags is not None:
        before = list(resident.tags)
        set_resident_tags(session, resident=resident, tags=tags)
        note("tags", before, sorted(set(tags)))
    if language is not None:
        if language not in i18n.LOCALES:
            raise InvalidInput(f"unknown language {language!r} (one of {', '.join(i18n.LOCALES)})")
        note("language", resident.language, language)
        resident.language = language
    for field, value in (("sms_opt_out", sms_opt_out), ("call_opt_out", call_opt_out)):
        if value is not None:
            note(field, getattr(resident, field), value)
            setattr(resident, field, value)
    if preferred_provider_id is not _KEEP:
        if preferred_provider_id is not None and session.get(Provider, preferred_provider_id) is None:
            raise NotFound(f"no provider with id {preferred_provider_id}")
        note("preferred_provider_id", resident.preferred_provider_id, preferred_provider_id)
        resident.preferred_provider_id = preferred_provider_id
    if name is not _KEEP:
        cleaned = (name or "").strip()[:80] or None
        note("name", resident.name, cleaned)
        resident.name = cleaned
    if changes:
        resident.updated_at = clock.now()
        session.add(
            ResidentEvent(
                resident_id=resident.id, actor=actor.ref, staff_id=actor.staff_id, kind="edited", data=changes
            )
        )
        session.flush()
    return changes


def history(session: Session, *, resident: Resident) -> list[ResidentEvent]:
    query = select(ResidentEvent).where(ResidentEvent.resident_id == resident.id).order_by(ResidentEvent.id)
    return list(session.scalars(query))
