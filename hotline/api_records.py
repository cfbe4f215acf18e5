"""The JSON API's records beside the tickets (``/api/v1``, same rules as ``hotline.api``):
residents (show, tag), phone surveys (the call list, a result), provider paperwork (documents,
training courses). Each endpoint checks the role table; a write is audited with the session's
staff member or ``apikey:<id>``, through the same functions as the pages and the CLI."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from callbacks import replies
from callbacks import service as surveys
from callbacks.schemas import DeskEntryOut, SurveyOut
from config import clock, phones
from config.auth import Principal, require
from config.errors import InvalidInput, NotFound
from config.settings import Settings
from config.web import DatabaseDep, SettingsDep
from dispatch import resident_edits
from dispatch import residents as resident_service
from dispatch.models import RESIDENT_TAGS, Resident
from dispatch.schemas import ResidentRecordOut
from providers import service as provider_service
from providers.schemas import DocumentOut, TrainingOut

router = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(HTTPBearer(auto_error=False))])

Viewer = Annotated[Principal, Depends(require("console.view"))]
ResidentEditor = Annotated[Principal, Depends(require("resident.edit"))]
SurveyRecorder = Annotated[Principal, Depends(require("survey.record"))]
Vetter = Annotated[Principal, Depends(require("provider.vet"))]


class TagsIn(BaseModel):
    add: list[str] = Field(default_factory=list, description=f"Tags to add: {', '.join(RESIDENT_TAGS)}")
    remove: list[str] = Field(default_factory=list)


class SurveyResultIn(BaseModel):
    score: int | None = Field(default=None, ge=1, le=5, description="1 (very dissatisfied) to 5")
    comment: str = ""
    no_answer: bool = Field(default=False, description="Nobody answered: tried again later, or closed")


class DocumentIn(BaseModel):
    kind: str
    expires_on: dt.date
    number: str | None = None


class TrainingIn(BaseModel):
    course: str
    completed_on: dt.date


def _resident(session, settings: Settings, phone: str) -> Resident:  # type: ignore[no-untyped-def]
    e164 = settings.normalize_phone(phone)
    found = resident_service.get_resident_by_phone(session, phone=e164)
    if found is None:
        raise NotFound(f"no resident with phone {e164}")
    return found


def _masked(record: ResidentRecordOut, who: Principal) -> ResidentRecordOut:
    if not who.can("resident.phone"):
        record.resident.phone = phones.masked(record.resident.phone)
    return record


@router.get("/residents/{phone}", response_model=ResidentRecordOut)
def show_resident(phone: str, db: DatabaseDep, settings: SettingsDep, who: Viewer) -> ResidentRecordOut:
    """A resident's record (the phone masked for roles that may not see it in full)."""
    with db.read() as session:
        return _masked(ResidentRecordOut.of(session, _resident(session, settings, phone)), who)


@router.post("/residents/{phone}/tags", response_model=ResidentRecordOut)
def tag_resident(
    phone: str, body: TagsIn, db: DatabaseDep, settings: SettingsDep, who: ResidentEditor
) -> ResidentRecordOut:
    """Add or remove tags (``one_touch`` enrols on the one-touch emergency line); audited."""
    unknown = sorted((set(body.add) | set(body.remove)) - set(RESIDENT_TAGS))
    if unknown:
        raise InvalidInput(f"unknown tag(s) {', '.join(unknown)} (one of {', '.join(RESIDENT_TAGS)})")
    with db.transaction() as session:
        resident = _resident(session, settings, phone)
        wanted = (set(resident.tags) | set(body.add)) - set(body.remove)
        resident_edits.edit_resident(session, resident=resident, actor=who.actor, tags=wanted)
        return _masked(ResidentRecordOut.of(session, resident), who)


@router.get("/surveys/due", response_model=list[DeskEntryOut])
def surveys_due(db: DatabaseDep, settings: SettingsDep, who: Viewer) -> list[DeskEntryOut]:
    """Phone surveys due now, oldest first, with what to say (``hotline surveys desk``)."""
    with db.read() as session:
        entries = [DeskEntryOut.of(s, settings) for s in surveys.desk_list(session)]
    if not who.can("resident.phone"):
        for entry in entries:
            entry.survey.phone = phones.masked(entry.survey.phone)
    return entries


@router.post("/surveys/{survey_id}/result", response_model=SurveyOut)
def record_survey_result(
    survey_id: int, body: SurveyResultIn, db: DatabaseDep, settings: SettingsDep, who: SurveyRecorder
) -> SurveyOut:
    """What a survey call gave: a score and the resident's words (a low score or complaint words
    open a complaint), or no answer."""
    if (body.score is None) == (not body.no_answer):
        raise InvalidInput("give a score or no_answer")
    with db.transaction() as session:
        survey = surveys.get_survey(session, survey_id=survey_id)
        if body.no_answer:
            surveys.record_no_answer(session, survey=survey, actor=who.actor, settings=settings, result="no_answer")
        else:
            assert body.score is not None
            reading = replies.read(body.comment, low_score=settings.callbacks.low_score)
            surveys.record_answer(
                session,
                survey=survey,
                score=body.score,
                comment=body.comment,
                actor=who.actor,
                settings=settings,
                complaint=reading.complaint,
            )
        out = SurveyOut.of(survey)
    if not who.can("resident.phone"):
        out.phone = phones.masked(out.phone)
    return out


def _today(settings: Settings) -> dt.date:
    return clock.now().astimezone(settings.zone).date()


@router.post("/providers/{provider_id}/documents", response_model=DocumentOut, status_code=201)
def record_document(
    provider_id: int, body: DocumentIn, db: DatabaseDep, settings: SettingsDep, who: Vetter
) -> DocumentOut:
    """A licence, insurance or certificate (a renewal replaces the previous one); one whose expiry
    has passed is refused, as the roster import refuses it. Reminders are scheduled."""
    provider_service.refuse_lapsed_document(kind=body.kind, expires_on=body.expires_on, today=_today(settings))
    with db.transaction() as session:
        provider = provider_service.get_provider(session, provider_id=provider_id)
        document = provider_service.add_document(
            session,
            provider=provider,
            kind=body.kind,
            expires_on=body.expires_on,
            number=body.number,
            actor=who.actor,
            zone=settings.zone,
        )
        return DocumentOut(kind=document.kind, number=document.number, expires_on=document.expires_on)


@router.post("/providers/{provider_id}/trainings", response_model=TrainingOut, status_code=201)
def record_training(
    provider_id: int, body: TrainingIn, db: DatabaseDep, settings: SettingsDep, who: Vetter
) -> TrainingOut:
    """A completed course (refused in the future or past its validity); a course on the provider's
    vetting checklist is ticked when a staff member records it during vetting."""
    provider_service.refuse_lapsed_course(course=body.course, completed_on=body.completed_on, today=_today(settings))
    with db.transaction() as session:
        provider = provider_service.get_provider(session, provider_id=provider_id)
        training = provider_service.add_training(
            session,
            provider=provider,
            course=body.course,
            completed_on=body.completed_on,
            actor=who.actor,
            zone=settings.zone,
            staff=session.merge(who.staff) if who.staff is not None else None,
        )
        return TrainingOut(course=training.course, completed_on=training.completed_on, expires_on=training.expires_on)
