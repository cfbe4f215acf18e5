"""``/simulator``: a phone in the browser. Pick or type a number; text the hotline, dial its IVR
and press keys, answer offers as a provider, answer surveys. Every action is the signed request
Twilio would send, posted to the real webhook (``phone.post``).

Mounted only in demo and training mode (``hotline.simulator.install``); it has no login, so its
POSTs take JSON only: a cross-site form cannot send ``application/json`` without a CORS preflight,
which this app never grants.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from callbacks.models import Survey
from callbacks.states import ASKED
from config import phones
from config.db import Database
from config.errors import InvalidInput
from config.i18n import gettext
from config.settings import Settings
from config.web import DatabaseDep, LocaleDep, SettingsDep, render
from dispatch.models import Resident
from dispatch.resident_views import TAG_LABELS
from hotline.simulator import phone
from providers import ratings
from providers.models import Provider

router = APIRouter(prefix="/simulator", include_in_schema=False)
SCRIPT = Path(__file__).resolve().parent / "phone.js"
STYLE = Path(__file__).resolve().parent / "phone.css"
PICK_LIMIT = 40
DISPATCHABLE = ("active", "probation")


def _json_only(request: Request) -> None:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise InvalidInput("the simulator takes JSON (Content-Type: application/json)")


JsonOnly = Depends(_json_only)


class TextIn(BaseModel):
    phone: str = Field(max_length=40)
    body: str = Field(max_length=1600)


class CallIn(BaseModel):
    phone: str = Field(max_length=40)
    path: str = Field(default="/voice/twilio/incoming", max_length=200)
    call_sid: str = Field(default="", max_length=64)
    fields: dict[str, str] = Field(default_factory=dict)


def _phone(settings: Settings, raw: str) -> str:
    return settings.normalize_phone(raw)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("", response_class=HTMLResponse)
def page(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    number: Annotated[str, Query(alias="phone", max_length=40)] = "",
) -> HTMLResponse:
    """The simulator: numbers to pick from and the phone."""
    with db.read() as session:
        not_erased = Resident.phone.startswith("+")  # an erased resident's phone is "erased:<id>"
        residents = list(session.scalars(select(Resident).where(not_erased).order_by(Resident.id).limit(PICK_LIMIT)))
        providers = list(
            session.scalars(
                select(Provider).where(Provider.status.in_(DISPATCHABLE)).order_by(Provider.id).limit(PICK_LIMIT)
            )
        )
        records = ratings.records(
            session,
            provider_ids=[p.id for p in providers],
            prior_mean=settings.dispatch.rating_prior_mean,
            prior_weight=settings.dispatch.rating_prior_weight,
        )
        people = [
            {"phone": r.phone, "name": r.name or "", "tags": r.tags, "shown": phones.national(r.phone)}
            for r in residents
        ]
        crew = [
            {
                "phone": p.phone,
                "name": p.name(locale),
                "shown": phones.national(p.phone),
                "rating": records[p.id].rating,
                "surveys": records[p.id].surveys,
                "paused": p.paused,
            }
            for p in providers
        ]
    chosen = ""
    if number:
        try:
            chosen = _phone(settings, number)
        except InvalidInput:
            chosen = ""
    return render(
        request,
        "simulator/phone.html",
        {
            "residents": people,
            "providers": crew,
            "chosen": chosen,
            "hotline_number": phone.hotline_number(settings),
            "strings": _strings(locale),
            "tag_labels": TAG_LABELS,
        },
    )


def _strings(locale: str) -> dict[str, str]:
    """Words the page's script shows, in the reader's language."""
    return {
        "typing": gettext(locale, "Sending…"),
        "calling": gettext(locale, "Calling the hotline…"),
        "in_queue": gettext(locale, "Waiting for an operator ({queue})"),
        "ended": gettext(locale, "Call ended"),
        "failed": gettext(locale, "The hotline refused the request ({status})."),
        "bad_phone": gettext(locale, "Pick or type a phone number first."),
        "reply": gettext(locale, "Answer"),
        "queued": gettext(locale, "in the outbox"),
        "ringing": gettext(locale, "Incoming call from the hotline (survey)"),
        "empty": gettext(locale, "No messages yet. Write one below."),
    }


@router.get("/phone.js", response_class=Response)
def script() -> Response:
    return Response(SCRIPT.read_text(encoding="utf-8"), media_type="text/javascript")


@router.get("/phone.css", response_class=Response)
def style() -> Response:
    return Response(STYLE.read_text(encoding="utf-8"), media_type="text/css")


def conversation(db: Database, settings: Settings, number: str) -> dict[str, Any]:
    """What the phone at ``number`` shows: its messages and a survey call ringing, if one is."""
    with db.read() as session:
        bubbles = [b.as_json(settings) for b in phone.thread(session, phone=number)]
        ringing = session.execute(
            select(Survey.id, Survey.call_sid)
            .join(Resident, Resident.id == Survey.resident_id)
            .where(
                Resident.phone == number,
                Survey.channel == "voice",
                Survey.status.in_(ASKED),
                Survey.call_sid.like(f"{phone.SIMULATED_CALL}%"),
            )
            .order_by(Survey.id)
        ).all()
        who = _who(session, number)
    return {
        "phone": number,
        "who": who,
        "bubbles": bubbles,
        "calls": [{"survey": survey_id, "call_sid": sid} for survey_id, sid in ringing],
    }


def _who(session: Any, number: str) -> dict[str, Any]:
    provider = session.scalar(select(Provider).where(Provider.phone == number))
    if provider is not None:
        return {"kind": "provider", "name": provider.name_zh, "status": provider.status}
    resident = session.scalar(select(Resident).where(Resident.phone == number))
    if resident is not None:
        return {"kind": "resident", "name": resident.name or "", "tags": resident.tags}
    return {"kind": "unknown"}


@router.get("/thread")
def thread(
    db: DatabaseDep, settings: SettingsDep, number: Annotated[str, Query(alias="phone", max_length=40)]
) -> JSONResponse:
    """The phone's conversation (polled by the page every two seconds)."""
    return JSONResponse(conversation(db, settings, _phone(settings, number)))


@router.post("/text", dependencies=[JsonOnly])
async def send_text(request: Request, message: TextIn) -> JSONResponse:
    """The phone texts the hotline: Twilio's signed POST to ``/sms/twilio/inbound``."""
    settings = _settings(request)
    number = _phone(settings, message.phone)
    if not message.body.strip():
        raise InvalidInput("write something to send")
    posted = await phone.post(
        request.app, settings, phone.SMS_PATH, phone.text_form(settings, phone=number, body=message.body)
    )
    shown = await run_in_threadpool(conversation, request.app.state.db, settings, number)
    return JSONResponse(
        {"status": posted.status, "reply": phone.read_twiml(posted.body).messages, **shown},
        status_code=200 if posted.status < 400 else 502,
    )


@router.post("/call", dependencies=[JsonOnly])
async def call_step(request: Request, step: CallIn) -> JSONResponse:
    """One step of the phone's call: dialling (``/voice/twilio/incoming``), keys pressed (the
    Gather's action), leaving the queue or a message, hanging up (the status callback)."""
    settings = _settings(request)
    number = _phone(settings, step.phone)
    path = phone.voice_path(step.path)
    if path is None:
        raise InvalidInput(f"{step.path!r} is not a voice webhook of the hotline")
    call_sid = step.call_sid.strip() or phone.new_sid(phone.SIMULATED_CALL)
    form = phone.call_form(settings, phone=number, call_sid=call_sid, extra=step.fields)
    posted = await phone.post(request.app, settings, path, form)
    screen = phone.read_twiml(posted.body)
    return JSONResponse(
        {"status": posted.status, "call_sid": call_sid, "path": path, "screen": screen.__dict__},
        status_code=200 if posted.status < 400 else 502,
    )
