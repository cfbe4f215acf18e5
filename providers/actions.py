"""What each role may do on a provider's page: vetting checks, documents and training
(``provider.vet``), pause and status with a reason (``provider.status``), approval after vetting
(``provider.approve``). Each POST is checked against the role table and the session's CSRF token,
runs the same service function as the CLI in one transaction, and is audited with the staff
member; a refusal re-renders the page with why, nothing changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from config import clock
from config.auth import Principal, require
from config.errors import Forbidden, HotlineError, InvalidInput
from config.settings import Settings
from config.staff import Staff
from config.web import DatabaseDep, LocaleDep, SettingsDep
from providers import service
from providers.models import Provider
from providers.views import render_profile

router = APIRouter(prefix="/providers", include_in_schema=False)
Vetter = Annotated[Principal, Depends(require("provider.vet"))]
StatusChanger = Annotated[Principal, Depends(require("provider.status"))]
Approver = Annotated[Principal, Depends(require("provider.approve"))]


def _member(session: Session, who: Principal) -> Staff:
    if who.staff is None:
        raise Forbidden("provider decisions are recorded with a person: log in as a staff member")
    return session.merge(who.staff)


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def _today(settings: Settings) -> dt.date:
    return clock.now().astimezone(settings.zone).date()


def _act(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: str,
    provider_id: int,
    action: Callable[[Session, Provider], object],
) -> Response:
    try:
        with db.transaction() as session:
            action(session, service.get_provider(session, provider_id=provider_id))
    except HotlineError as exc:
        with db.read() as session:
            return render_profile(
                request,
                session,
                provider_id=provider_id,
                settings=settings,
                locale=locale,
                error=exc.message,
                status_code=exc.status_code,
            )
    return RedirectResponse(f"/providers/{provider_id}", status_code=303)


@router.post("/{provider_id}/vet")
def vet(
    request: Request,
    provider_id: int,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Vetter,
    item: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, provider: Provider) -> None:
        member = _member(session, who)
        service.check_vetting_item(session, provider=provider, item=item, staff=member, note=note.strip() or None)

    return _act(request, db, settings, locale, provider_id, action)


@router.post("/{provider_id}/document")
def document(
    request: Request,
    provider_id: int,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Vetter,
    kind: Annotated[str, Form()] = "",
    expires: Annotated[str, Form()] = "",
    number: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, provider: Provider) -> None:
        expires_on = _date(expires, "expires")
        service.refuse_lapsed_document(kind=kind, expires_on=expires_on, today=_today(settings))
        service.add_document(
            session,
            provider=provider,
            kind=kind,
            expires_on=expires_on,
            number=number.strip() or None,
            actor=who.actor,
            zone=settings.zone,
        )

    return _act(request, db, settings, locale, provider_id, action)


@router.post("/{provider_id}/training")
def training(
    request: Request,
    provider_id: int,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Vetter,
    course: Annotated[str, Form()] = "",
    completed: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, provider: Provider) -> None:
        completed_on = _date(completed, "completed")
        service.refuse_lapsed_course(course=course, completed_on=completed_on, today=_today(settings))
        service.add_training(
            session,
            provider=provider,
            course=course,
            completed_on=completed_on,
            actor=who.actor,
            zone=settings.zone,
            staff=session.merge(who.staff) if who.staff is not None else None,  # ticks the checklist's course
        )

    return _act(request, db, settings, locale, provider_id, action)


@router.post("/{provider_id}/status")
def status(
    request: Request,
    provider_id: int,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: StatusChanger,
    to: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, provider: Provider) -> None:
        member = _member(session, who)
        service.change_status(session, provider=provider, to=to, actor=who.actor, reason=reason, staff=member)

    return _act(request, db, settings, locale, provider_id, action)


@router.post("/{provider_id}/pause")
def pause(
    request: Request,
    provider_id: int,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: StatusChanger,
    paused: Annotated[str, Form()] = "1",
    reason: Annotated[str, Form()] = "",
) -> Response:
    def action(session: Session, provider: Provider) -> None:
        service.set_paused(session, provider=provider, paused=paused == "1", actor=who.actor, note=reason or None)

    return _act(request, db, settings, locale, provider_id, action)


@router.post("/{provider_id}/approve")
def approve(
    request: Request,
    provider_id: int,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    who: Approver,
    probation: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "vetting complete",
) -> Response:
    def action(session: Session, provider: Provider) -> None:
        member = _member(session, who)
        to = "probation" if probation else "active"
        service.change_status(session, provider=provider, to=to, actor=who.actor, reason=reason, staff=member)

    return _act(request, db, settings, locale, provider_id, action)
