"""Click-to-call from the survey call list: ring the operator's extension, then the resident (AMI
``Originate``, as ``flows.call_back`` does for missed callers). The attempt is committed on the
survey before the action is sent; what Asterisk answers decides the attempt: an answered call is
the operator's to record (``hotline surveys record``), any other result counts as an unanswered
attempt (tried again later, or the survey closes after the last)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from callbacks import service as surveys
from config import phones, staff
from config.db import Database
from config.errors import InvalidInput, NotFound
from config.settings import Settings
from config.staff import Actor
from hotline.voice import flows
from hotline.voice.ami import AmiConnection
from hotline.voice.service import ORIGINATE_REASONS
from hotline.voice.tracker import CALLBACK_ACCOUNT


@dataclass
class SurveyCallResult:
    survey_id: int
    action_id: str
    result: str  # answered, no_answer, busy, congested, failed, no_response, connection_lost
    number: str


def result_of(answer: object) -> str:
    final = answer[-1] if isinstance(answer, list) else answer
    if not isinstance(final, dict) and not hasattr(final, "get"):
        return "failed"
    response = str(final.get("Response") or "").lower()
    reason = str(final.get("Reason") or "")
    code = int(reason) if reason.isdigit() else None
    if response == "success" and code in (None, 4):
        return "answered"
    return ORIGINATE_REASONS.get(code if code is not None else 0, "failed")


async def call_resident(
    *,
    db: Database,
    settings: Settings,
    survey_id: int,
    extension: str,
    connection: AmiConnection | None = None,
    action_id: str | None = None,
    timeout: float = flows.RING_SECONDS + 15,
) -> SurveyCallResult:
    action_id = action_id or f"hotline-sv-{survey_id}-{uuid.uuid4().hex[:12]}"

    def start() -> str:
        with db.transaction() as session:
            survey = surveys.get_survey(session, survey_id=survey_id)
            if survey.channel != "desk":
                raise InvalidInput(f"survey {survey_id} is asked by {survey.channel}, not on the call list")
            operator = staff.get_by_extension(session, extension=extension)
            if operator is None:
                raise NotFound(f"no active staff member has extension {extension} (see: hotline users list)")
            surveys.start_desk_call(session, survey=survey, operator=operator, action_id=action_id)
            return phones.national(survey.resident.phone)

    def unanswered(result: str) -> None:
        with db.transaction() as session:
            survey = surveys.get_survey(session, survey_id=survey_id)
            operator = staff.get_by_extension(session, extension=extension)
            actor = Actor.of_staff(operator) if operator else Actor.system()
            surveys.record_no_answer(session, survey=survey, actor=actor, settings=settings, result=result)

    own = connection is None
    if connection is None:
        connection = await flows._open(settings)
    try:
        number = await asyncio.to_thread(start)
        action = flows.originate_action(
            extension=extension, number=number, context=settings.ami_context, entry_id=survey_id, action_id=action_id
        )
        action["Account"] = f"{CALLBACK_ACCOUNT}survey-{survey_id}"  # a call we placed: not a missed call
        try:
            answer = await connection.action(action, timeout)
        except (TimeoutError, ConnectionError, OSError) as exc:
            result = "no_response" if isinstance(exc, TimeoutError) else "connection_lost"
        else:
            result = result_of(answer)
    finally:
        if own:
            connection.close()
    if result not in ("answered", "no_response", "connection_lost"):  # our side failing is no attempt
        await asyncio.to_thread(unanswered, result)
    return SurveyCallResult(survey_id, action_id, result, number)
