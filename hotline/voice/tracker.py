"""Follows calls through AMI events, by ``Linkedid`` (the call) and ``Uniqueid`` (each leg), and
keeps the ``calls`` rows true. Replaying the same events changes nothing: rows are keyed by those
ids, times are set once, and a finished call takes no more changes.

Runs in a worker thread (synchronous SQLAlchemy); each event is its own unit of work, so one bad
event is logged and skipped without touching the others.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import clock
from config.db import Database
from config.events import EventBus
from config.settings import Settings
from hotline.voice import callerid, service
from hotline.voice.models import Call, CallChannel

log = logging.getLogger("hotline.voice.ami")

AmiEvent = Mapping[str, Any]  # header -> value, or a list of values when the header repeated
CALLBACK_ACCOUNT = "hotline-callback-"  # the AccountCode our Originate sets on callback calls


class SkipEvent(Exception):
    """An event that cannot be used (missing or contradictory headers); logged, then skipped."""


def field(event: AmiEvent, name: str, *, required: bool = False) -> str | None:
    value = event.get(name)
    if isinstance(value, list):
        if len(set(value)) != 1:
            raise SkipEvent(f"header {name} given {len(value)} times with different values")
        value = value[0]
    if value is None or value == "":
        if required:
            raise SkipEvent(f"header {name} is missing")
        return None
    return str(value)


def int_field(event: AmiEvent, name: str) -> int | None:
    value = field(event, name)
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        raise SkipEvent(f"header {name} is not a number: {value!r}") from None


def event_time(event: AmiEvent) -> dt.datetime:
    """``Timestamp`` (manager.conf ``timestampevents = yes``) when present, else now."""
    stamp = field(event, "Timestamp")
    if stamp:
        try:
            return dt.datetime.fromtimestamp(float(stamp), dt.UTC)
        except (ValueError, OverflowError, OSError):
            pass
    return clock.now()


class CallTracker:
    def __init__(self, db: Database, settings: Settings, bus: EventBus | None = None) -> None:
        self.db = db
        self.settings = settings
        self.bus = bus
        self.seen = 0  # every event given to handle()
        self.handled = 0  # applied by a handler
        self.skipped = 0  # bad input, logged
        self._pops: list[tuple[str, dict[str, Any]]] = []
        self._handlers: dict[str, Callable[[Session, AmiEvent], None]] = {
            "Newchannel": self._new_channel,
            "NewCallerid": self._new_callerid,
            "Newstate": self._new_state,
            "DialBegin": self._dial_begin,
            "DialEnd": self._dial_end,
            "QueueCallerJoin": self._queue_join,
            "QueueCallerLeave": self._ignore,
            "QueueCallerAbandon": self._queue_abandon,
            "AgentCalled": self._agent_called,
            "AgentConnect": self._agent_connect,
            "AgentComplete": self._agent_complete,
            "AgentRingNoAnswer": self._ignore,
            "BridgeEnter": self._bridge_enter,
            "BridgeLeave": self._ignore,
            "Hangup": self._hangup,
            "OriginateResponse": self._originate_response,
        }

    # --- entry points -------------------------------------------------------------------------

    def handle_many(self, events: Iterable[AmiEvent]) -> None:
        for event in events:
            self.handle(event)

    def handle(self, event: AmiEvent) -> None:
        """Apply one event; never raises for bad input (logs and skips)."""
        pops: list[tuple[str, dict[str, Any]]] = []
        self.seen += 1
        try:
            name = field(event, "Event", required=True)
            assert name is not None
            handler = self._handlers.get(name)
            if handler is None:
                log.debug("AMI event %s ignored", name)
                return
            with self.db.transaction() as session:
                self._pops = pops
                handler(session, event)
            self.handled += 1
        except SkipEvent as exc:
            self.skipped += 1
            log.warning("AMI event %s skipped: %s", _name(event), exc)
            return
        except Exception:
            self.skipped += 1
            log.exception("AMI event %s skipped: could not be applied", _name(event))
            return
        if self.bus is not None:
            for topic, payload in pops:
                self.bus.publish(topic, payload)

    def reconcile(self, live: list[AmiEvent]) -> int:
        """After a (re)connect: ``live`` are the ``CoreShowChannel`` events. Channels we thought
        open but Asterisk no longer has were hung up while we were away; calls whose caller leg is
        gone are finished. Live channels we never saw are adopted. Returns calls closed."""
        live_ids: set[str] = set()
        # first legs first, so a call we never saw is created before its other legs join it
        live = sorted(live, key=lambda item: item.get("Uniqueid") != item.get("Linkedid"))
        for item in live:
            try:
                uniqueid = field(item, "Uniqueid", required=True)
            except SkipEvent as exc:
                log.warning("CoreShowChannel skipped: %s", exc)
                continue
            assert uniqueid is not None
            live_ids.add(uniqueid)
            self.handle({**item, "Event": "Newchannel", **_started(item)})
        closed = 0
        try:
            with self.db.transaction() as session:
                now = clock.now()
                open_channels = session.scalars(
                    select(CallChannel).join(Call).where(CallChannel.hungup_at.is_(None), Call.transport == "ami")
                )
                for channel in open_channels:
                    if channel.uniqueid not in live_ids:
                        channel.hungup_at = now
                for call in session.scalars(select(Call).where(Call.transport == "ami", Call.ended_at.is_(None))):
                    caller_leg = next((c for c in call.channels if c.uniqueid == call.external_id), None)
                    if caller_leg is None or caller_leg.hungup_at is not None:
                        service.finish_call(session, call=call, ended_at=now, cause_text="ended while AMI was away")
                        closed += 1
        except Exception:
            log.exception("reconciling live channels failed")
        if closed:
            log.info("reconciled %d call(s) that ended while the AMI link was down", closed)
        return closed

    # --- handlers -----------------------------------------------------------------------------

    def _call(self, session: Session, event: AmiEvent) -> Call:
        linkedid = field(event, "Linkedid", required=True)
        assert linkedid is not None
        call = service.get_call_by_external_id(session, transport="ami", external_id=linkedid)
        if call is None:
            raise SkipEvent(f"no call known for Linkedid {linkedid} (started before we connected?)")
        return call

    def _live_call(self, session: Session, event: AmiEvent) -> Call | None:
        call = self._call(session, event)
        return None if call.ended_at is not None else call

    def _ignore(self, session: Session, event: AmiEvent) -> None:
        self._call(session, event)  # still report events for unknown calls

    def _new_channel(self, session: Session, event: AmiEvent) -> None:
        linkedid = field(event, "Linkedid", required=True)
        uniqueid = field(event, "Uniqueid", required=True)
        channel_name = field(event, "Channel", required=True)
        assert linkedid and uniqueid and channel_name
        if session.scalar(select(CallChannel.id).where(CallChannel.uniqueid == uniqueid)) is not None:
            return
        call = service.get_call_by_external_id(session, transport="ami", external_id=linkedid)
        if call is None:
            if uniqueid != linkedid:
                raise SkipEvent(f"leg {uniqueid} of unknown call {linkedid}")
            caller = callerid.parse(field(event, "CallerIDNum"), self.settings)
            account = field(event, "AccountCode") or ""
            call = service.create_call(
                session,
                transport="ami",
                external_id=linkedid,
                caller=caller,
                caller_name=_name_of(field(event, "CallerIDName")),
                started_at=event_time(event),
                direction="callback" if account.startswith(CALLBACK_ACCOUNT) else "inbound",
            )
        session.add(
            CallChannel(
                call=call,
                uniqueid=uniqueid,
                channel=channel_name[:160],
                state=field(event, "ChannelStateDesc"),
                created_at=event_time(event),
            )
        )
        session.flush()

    def _new_callerid(self, session: Session, event: AmiEvent) -> None:
        call = self._live_call(session, event)
        if call is None or field(event, "Uniqueid") != call.external_id:
            return
        caller = callerid.parse(field(event, "CallerIDNum"), self.settings)
        service.set_caller(session, call=call, caller=caller, name=_name_of(field(event, "CallerIDName")))

    def _new_state(self, session: Session, event: AmiEvent) -> None:
        self._call(session, event)
        uniqueid = field(event, "Uniqueid", required=True)
        channel = session.scalar(select(CallChannel).where(CallChannel.uniqueid == uniqueid))
        if channel is not None and channel.hungup_at is None:
            channel.state = field(event, "ChannelStateDesc")

    def _ringing(self, session: Session, call: Call, extension: str | None, event: AmiEvent) -> None:
        if call.ring_started_at is None:
            call.ring_started_at = event_time(event)
        if extension and extension not in call.rung_extensions:
            call.rung_extensions = [*call.rung_extensions, extension]
            session.flush()
            if call.direction == "inbound":
                pop = service.screen_pop(session, call=call, extension=extension, settings=self.settings)
                self._pops.append((f"extension:{extension}", pop))

    def _dial_begin(self, session: Session, event: AmiEvent) -> None:
        call = self._live_call(session, event)
        if call is not None:
            self._ringing(session, call, callerid.extension_of(field(event, "DestChannel")), event)

    def _dial_end(self, session: Session, event: AmiEvent) -> None:
        call = self._live_call(session, event)
        if call is None or field(event, "DialStatus") != "ANSWER":
            return
        if call.answered_at is None:
            call.answered_at = event_time(event)
        extension = callerid.extension_of(field(event, "DestChannel"))
        if extension:
            service.set_operator(session, call=call, extension=extension)

    def _queue_join(self, session: Session, event: AmiEvent) -> None:
        call = self._live_call(session, event)
        if call is not None and not call.queue:
            call.queue = field(event, "Queue", required=True)

    def _queue_abandon(self, session: Session, event: AmiEvent) -> None:
        call = self._live_call(session, event)
        if call is not None:
            call.hold_seconds = int_field(event, "HoldTime")

    def _agent_called(self, session: Session, event: AmiEvent) -> None:
        call = self._live_call(session, event)
        if call is not None:
            extension = callerid.extension_of(field(event, "Interface")) or callerid.extension_of(
                field(event, "DestChannel")
            )
            self._ringing(session, call, extension, event)

    def _agent_connect(self, session: Session, event: AmiEvent) -> None:
        call = self._live_call(session, event)
        if call is None:
            return
        if call.answered_at is None:
            call.answered_at = event_time(event)
        call.hold_seconds = int_field(event, "HoldTime")
        call.ring_seconds = int_field(event, "RingTime")
        extension = callerid.extension_of(field(event, "Interface")) or callerid.extension_of(
            field(event, "DestChannel")
        )
        if extension:
            service.set_operator(session, call=call, extension=extension)

    def _agent_complete(self, session: Session, event: AmiEvent) -> None:
        call = self._call(session, event)
        if call.outcome not in ("in_progress", "answered"):
            return
        call.hold_seconds = int_field(event, "HoldTime")
        call.talk_seconds = int_field(event, "TalkTime")

    def _bridge_enter(self, session: Session, event: AmiEvent) -> None:
        call = self._live_call(session, event)
        caller_leg = call is not None and field(event, "Uniqueid") == call.external_id
        # the caller bridged to someone we rang: answered (when no DialEnd/AgentConnect said so)
        if caller_leg and call is not None and call.answered_at is None and call.rung_extensions:
            call.answered_at = event_time(event)

    def _hangup(self, session: Session, event: AmiEvent) -> None:
        uniqueid = field(event, "Uniqueid", required=True)
        call = self._call(session, event)
        channel = session.scalar(select(CallChannel).where(CallChannel.uniqueid == uniqueid))
        if channel is None:
            raise SkipEvent(f"hangup of unknown channel {uniqueid}")
        if channel.hungup_at is not None:
            return
        channel.hungup_at = event_time(event)
        channel.cause = int_field(event, "Cause")
        if uniqueid == call.external_id and call.ended_at is None:
            service.finish_call(
                session,
                call=call,
                ended_at=channel.hungup_at,
                cause=channel.cause,
                cause_text=field(event, "Cause-txt"),
            )

    def _originate_response(self, session: Session, event: AmiEvent) -> None:
        action_id = field(event, "ActionID", required=True)
        assert action_id is not None
        service.record_originate_result(
            session,
            action_id=action_id,
            response=field(event, "Response") or "",
            reason=int_field(event, "Reason"),
            channel=field(event, "Channel"),
            uniqueid=field(event, "Uniqueid"),
        )


def _started(channel: AmiEvent) -> dict[str, str]:
    """A live channel's start, from its ``Duration`` (``HH:MM:SS``), as an event ``Timestamp``."""
    duration = channel.get("Duration")
    if "Timestamp" in channel or not isinstance(duration, str):
        return {}
    try:
        hours, minutes, seconds = (int(part) for part in duration.split(":"))
    except ValueError:
        return {}
    started = clock.now() - dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    return {"Timestamp": f"{started.timestamp():.6f}"}


def _name(event: AmiEvent) -> str:
    value = event.get("Event")
    return value if isinstance(value, str) else repr(value)


def _name_of(value: str | None) -> str | None:
    if value is None or value.strip().lower() in callerid.WITHHELD:
        return None
    return value.strip()
