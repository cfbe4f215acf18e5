"""The phone simulator's engine: a text or a call step becomes the very request Twilio would send
(its form fields, signed with the configured auth token for ``HOTLINE_PUBLIC_URL`` + path, as
``twilio``'s RequestValidator computes it) and is posted to the app's own webhook in process, through
every middleware and the real signature check. Nothing here writes to the database: the webhooks do.

What a phone shows comes back from the database: the texts it sent (``sms_inbound``) and every text
addressed to it (``sms_outbound``: the webhook's TwiML answers and the outbox rows).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
import xml.etree.ElementTree as ElementTree
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from config.settings import Settings
from sms.models import InboundMessage, OutboundMessage

SMS_PATH = "/sms/twilio/inbound"
# The voice webhooks a simulated call may reach (the IVR's and the automated survey call's).
VOICE_PATH = re.compile(r"^/voice/twilio/(incoming|menu|wait|queue-exit|voicemail|status|survey/(ask|answer|status))$")
ACCOUNT_SID = "AC" + "5" * 32  # the simulator's pretend account (Twilio's ids are AC + 32 hex)
SIMULATED_CALL = "CAsim"  # CallSids the simulator makes start with this
THREAD_LIMIT = 200


def hotline_number(settings: Settings) -> str:
    return settings.twilio_from_number or "+8657396345"


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)[: 34 - len(prefix)]


def sign(settings: Settings, path_and_query: str, form: dict[str, str]) -> str:
    """``X-Twilio-Signature`` for a POST of ``form`` to ``path_and_query`` on the public URL."""
    return str(
        RequestValidator(settings.twilio_auth_token).compute_signature(
            settings.public_url.rstrip("/") + path_and_query, form
        )
    )


@dataclasses.dataclass(frozen=True)
class Posted:
    status: int
    body: str


async def post(app: Any, settings: Settings, path_and_query: str, form: dict[str, str]) -> Posted:
    """POST ``form`` to the app's own webhook as Twilio would, signed."""
    headers = {"X-Twilio-Signature": sign(settings, path_and_query, form)}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://simulator.invalid") as client:
        response = await client.post(path_and_query, data=form, headers=headers)
    return Posted(response.status_code, response.text)


def text_form(settings: Settings, *, phone: str, body: str) -> dict[str, str]:
    """What Twilio posts when ``phone`` texts ``body`` to the hotline's number."""
    return {
        "MessageSid": new_sid("SM"),
        "AccountSid": ACCOUNT_SID,
        "From": phone,
        "To": hotline_number(settings),
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


def call_form(settings: Settings, *, phone: str, call_sid: str, extra: dict[str, str]) -> dict[str, str]:
    """What Twilio posts at a step of ``phone``'s call to the hotline."""
    form = {
        "CallSid": call_sid,
        "AccountSid": ACCOUNT_SID,
        "From": phone,
        "To": hotline_number(settings),
        "Direction": "inbound",
        "CallStatus": "in-progress",
        "ApiVersion": "2010-04-01",
    }
    form.update({key: value for key, value in extra.items() if key in CALL_FIELDS})
    return form


# Fields a call step may carry besides the call's own (Gather, Enqueue, Record, status callback).
CALL_FIELDS = ("Digits", "QueueResult", "QueueTime", "RecordingUrl", "RecordingDuration", "CallStatus")


def voice_path(url: str) -> str | None:
    """A TwiML action URL (path, or the public URL + path) as a path on this app, if it is one a
    call may reach; else None."""
    parts = urlsplit(url)
    if not VOICE_PATH.match(parts.path):
        return None
    return parts.path + ("?" + parts.query if parts.query else "")


# --- reading TwiML ------------------------------------------------------------------------------


@dataclasses.dataclass
class Screen:
    """What a TwiML answer means on a phone: words heard or read, and what the caller can do next."""

    says: list[str] = dataclasses.field(default_factory=list)
    messages: list[str] = dataclasses.field(default_factory=list)
    gather: dict[str, str] | None = None  # action, numDigits, finishOnKey
    enqueue: dict[str, str] | None = None  # queue, action, waitUrl
    record: dict[str, str] | None = None  # action
    redirect: str | None = None
    hangup: bool = False
    leave: bool = False


def read_twiml(body: str) -> Screen:
    """Parse a TwiML answer; a body that is not TwiML reads as an empty screen."""
    screen = Screen()
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return screen
    for element in root:
        _read(element, screen)
    return screen


def _read(element: ElementTree.Element, screen: Screen) -> None:
    tag, text = element.tag, (element.text or "").strip()
    if tag == "Say" and text:
        screen.says.append(text)
    elif tag == "Message":
        body = element.find("Body")
        screen.messages.append(((body.text if body is not None else element.text) or "").strip())
    elif tag == "Gather":
        screen.gather = {
            "action": element.get("action", ""),
            "numDigits": element.get("numDigits", ""),
            "finishOnKey": element.get("finishOnKey", "#"),
        }
        for child in element:
            _read(child, screen)
    elif tag == "Enqueue":
        screen.enqueue = {"queue": text, "action": element.get("action", ""), "waitUrl": element.get("waitUrl", "")}
    elif tag == "Record":
        screen.record = {"action": element.get("action", "")}
    elif tag == "Redirect" and screen.redirect is None:
        screen.redirect = text
    elif tag == "Hangup":
        screen.hangup = True
    elif tag == "Leave":
        screen.leave = True


# --- a phone's messages -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Bubble:
    id: str
    mine: bool  # sent from the simulated phone
    body: str
    at: dt.datetime
    kind: str  # sent, reply (the webhook's TwiML answer), text (from the outbox)
    status: str  # received, queued, sent ...

    def as_json(self, settings: Settings) -> dict[str, Any]:
        local = self.at.astimezone(settings.zone)
        return {
            "id": self.id,
            "mine": self.mine,
            "body": self.body,
            "at": local.isoformat(timespec="seconds"),
            "time": local.strftime("%m-%d %H:%M"),
            "kind": self.kind,
            "status": self.status,
        }


def thread(session: Session, *, phone: str, limit: int = THREAD_LIMIT) -> list[Bubble]:
    """``phone``'s conversation with the hotline, oldest first (the newest ``limit``)."""
    sent = session.scalars(
        select(InboundMessage)
        .where(InboundMessage.phone == phone)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(limit)
    )
    received = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.to == phone)
        .order_by(OutboundMessage.created_at.desc(), OutboundMessage.id.desc())
        .limit(limit)
    )
    bubbles = [Bubble(f"in{m.id}", True, m.body, m.received_at, "sent", m.status) for m in sent]
    bubbles += [
        Bubble(f"out{m.id}", False, m.body, m.created_at, "reply" if m.via == "twiml" else "text", m.status)
        for m in received
    ]
    # a reply is stored in the same instant as the text it answers: the text comes first
    bubbles.sort(key=lambda b: (b.at, 0 if b.mine else 1, int(b.id.lstrip("inout"))))
    return bubbles[-limit:]


# --- survey calls ringing the simulator ---------------------------------------------------------


class SimulatorCallPlacer:
    """``callbacks.calls.CallPlacer`` for demo and training mode without Twilio: the call "rings"
    the simulated phone. The survey keeps the returned ``CallSid``; the phone's page sees a voice
    survey asked with a simulator CallSid and offers to answer it, which posts to the very URLs
    Twilio would fetch (``url``, its Gather's action, ``status_callback``)."""

    def place(self, *, to: str, url: str, status_callback: str) -> str:
        return new_sid(SIMULATED_CALL)


def placer_for(settings: Settings) -> SimulatorCallPlacer | None:
    return SimulatorCallPlacer() if settings.demo or settings.training else None
