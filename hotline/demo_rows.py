"""The demo history's job specs (``hotline.demo_history``) as the rows the real steps write:
tickets and their audit events, offers, ledger facts, surveys and their events, complaints and
theirs, result notices and the ticket counters. Core executemany, a few statements per table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from callbacks import timing
from callbacks.models import CallbackEvent, Complaint, ResultNotice, Survey
from config.settings import Settings
from dispatch.models import Offer, Ticket, TicketCounter, TicketEvent
from hotline.demo_history import RESOLUTIONS, JobSpec
from providers.models import LedgerEntry

CHUNK = 1000
UPHELD_REPLY = "已核实，已责令服务商整改并致歉"
OTHER_REPLY = "经核实，服务符合标准，已向您说明"


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _returning(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        statement = insert(_table(model)).returning(model.id, sort_by_parameter_order=True)
        ids += [row[0] for row in session.execute(statement, rows[start : start + CHUNK])]
    return ids


def _plain(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        if rows[start : start + CHUNK]:
            session.execute(insert(_table(model)), rows[start : start + CHUNK])


def number_tickets(session: Session, specs: Sequence[JobSpec], zone: dt.tzinfo) -> None:
    """``YYMMDDNNNN`` in creation order per centre-local day; the day counters follow."""
    last: dict[str, int] = {}
    for spec in specs:
        day = spec.created_at.astimezone(zone).strftime("%y%m%d")
        last[day] = last.get(day, 0) + 1
        spec.number = f"{day}{last[day]:04d}"
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    counters = _table(TicketCounter)
    for day, value in last.items():
        statement = dialect.insert(counters).values(day=day, last=value)
        session.execute(statement.on_conflict_do_update(index_elements=["day"], set_={"last": value}))


class Writer:
    def __init__(self, session: Session, settings: Settings, *, supervisor: int, now: dt.datetime) -> None:
        self.session, self.settings, self.supervisor, self.now = session, settings, supervisor, now
        self.events: list[dict[str, Any]] = []
        self.ledger: list[dict[str, Any]] = []

    def event(self, ticket_id: int, at: dt.datetime, kind: str, actor: str, **extra: Any) -> None:
        staff_id = int(actor.split(":")[1]) if actor.startswith("staff:") else None
        self.events.append(
            {
                "ticket_id": ticket_id,
                "at": at,
                "kind": kind,
                "actor": actor,
                "staff_id": staff_id,
                "from_status": extra.get("frm"),
                "to_status": extra.get("to"),
                "note": extra.get("note"),
                "data": extra.get("data"),
            }
        )

    def fact(self, provider: int, kind: str, at: dt.datetime, number: str, value: float | None = None) -> None:
        row = {"provider_id": provider, "kind": kind, "at": at, "ticket_ref": f"ticket:{number}", "value": value}
        self.ledger.append({**row, "note": None, "created_at": at})

    def write(self, specs: Sequence[JobSpec], progress: Callable[[int], None]) -> list[int]:
        """Write the history; returns the tickets' ids in the order of ``specs``."""
        session = self.session
        ticket_ids = _returning(session, Ticket, [self._ticket(s) for s in specs])
        progress(len(specs) // 4)
        offer_rows, offer_owner = [], []
        for spec, ticket_id in zip(specs, ticket_ids, strict=True):
            for round_, offer in enumerate(spec.offers, start=1):
                window = self.settings.dispatch.window(spec.urgency)
                status = {"accepted": "completed"}.get(offer.outcome, offer.outcome)
                offer_rows.append(
                    {
                        "ticket_id": ticket_id,
                        "provider_id": offer.member.id,
                        "code": spec.number[-4:],
                        "status": status,
                        "round": round_,
                        "rank": 1,
                        "score": None,
                        "actor": f"staff:{spec.operator_id}" if spec.operator_id and round_ == 1 else "system",
                        "reason": None,
                        "offered_at": offer.offered_at,
                        "expires_at": offer.offered_at + window,
                        "answered_at": offer.answered_at,
                    }
                )
                offer_owner.append((spec, ticket_id, round_, offer))
        offer_ids = _returning(session, Offer, offer_rows)
        by_ticket: dict[int, list[tuple[int, Any]]] = {}
        for offer_id, (_spec, ticket_id, _round, offer) in zip(offer_ids, offer_owner, strict=True):
            by_ticket.setdefault(ticket_id, []).append((offer_id, offer))
        progress(len(specs) // 4)
        for spec, ticket_id in zip(specs, ticket_ids, strict=True):
            self._history(spec, ticket_id, by_ticket.get(ticket_id, []))
        survey_specs = [(s, t) for s, t in zip(specs, ticket_ids, strict=True) if s.survey is not None]
        survey_ids = _returning(session, Survey, [self._survey_row(s, t) for s, t in survey_specs])
        callback_events: list[dict[str, Any]] = []
        complaint_rows, complaint_owner = [], []
        for survey_id, (spec, ticket_id) in zip(survey_ids, survey_specs, strict=True):
            callback_events += self._survey_events(spec, survey_id)
            if spec.complaint is not None:
                complaint_rows.append(self._complaint_row(spec, ticket_id, survey_id))
                complaint_owner.append((spec, ticket_id))
        complaint_ids = _returning(session, Complaint, complaint_rows)
        for complaint_id, (spec, ticket_id) in zip(complaint_ids, complaint_owner, strict=True):
            callback_events += self._complaint_events(spec, ticket_id, complaint_id)
        progress(len(specs) // 4)
        _plain(session, TicketEvent, sorted(self.events, key=lambda e: (e["at"], e["ticket_id"])))
        _plain(session, LedgerEntry, self.ledger)
        _plain(session, CallbackEvent, callback_events)
        _plain(session, ResultNotice, self._notices(specs, ticket_ids))
        session.flush()
        progress(len(specs) - 3 * (len(specs) // 4))
        return ticket_ids

    # --- rows ----------------------------------------------------------------------------------

    def _ticket(self, s: JobSpec) -> dict[str, Any]:
        status = {"resolved": "closed"}.get(s.fate, s.fate)
        updated = max(filter(None, (s.created_at, s.completed_at, s.closed_at, (s.survey or {}).get("answered_at"))))
        return {
            "number": s.number,
            "channel": s.channel,
            "resident_id": s.resident.id,
            "item_id": s.item.id,
            "item_confidence": round(0.9 + (hash(s.number) % 9) / 100, 2) if s.channel == "sms" else None,
            "description": s.description,
            "community_id": s.community_id,
            "address": s.resident.address,
            "urgency": s.urgency,
            "status": status,
            "operator_id": s.operator_id,
            "created_at": s.created_at,
            "updated_at": updated,
            "due_at": s.created_at + dt.timedelta(minutes=s.item.sla_minutes),
            "closed_at": s.closed_at,
            "provider_id": s.provider.id if s.provider else None,
            "accepted_at": s.accepted_at,
            "expected_at": s.expected_at,
            "arrived_at": s.arrived_at,
            "completed_at": s.completed_at,
            "rounds": len(s.offers),
            "escalation": None,
            "escalated_at": None,
            "sla_flag": 0,
            "charged": s.charged,
            "overcharged": s.overcharge is not None,
            "service_hours": s.hours if s.provider is not None and s.provider.kind == "volunteer" else None,
            "resolution": RESOLUTIONS[len(s.number) % len(RESOLUTIONS)] if s.fate == "resolved" else None,
        }

    def _history(self, s: JobSpec, tid: int, offers: list[tuple[int, Any]]) -> None:
        who = f"staff:{s.operator_id}" if s.operator_id else "system"
        data = {"channel": s.channel, "urgency": s.urgency, "item": s.item.code}
        self.event(tid, s.created_at, "created", who, to="new", note=s.description, data=data)
        if s.fate == "resolved":
            note = RESOLUTIONS[len(s.number) % len(RESOLUTIONS)]
            assert s.closed_at is not None
            self.event(tid, s.closed_at, "status", who, frm="new", to="closed", note=note, data={"first_contact": True})
            return
        status = "new"
        for round_, (offer_id, offer) in enumerate(offers, start=1):
            actor = who if round_ == 1 else "system"
            if status in ("new", "dispatching"):
                if status == "new":
                    self.event(tid, offer.offered_at, "status", actor, frm="new", to="dispatching")
                self.event(tid, offer.offered_at, "status", actor, frm="dispatching", to="offered")
                status = "offered"
            pid = offer.member.id
            self.fact(pid, "offered", offer.offered_at, s.number)
            expires = offer.offered_at + self.settings.dispatch.window(s.urgency)
            detail = {"offer": offer_id, "provider": pid, "name": offer.member.name, "code": s.number[-4:]}
            self.event(
                tid, offer.offered_at, "offered", actor,
                data={**detail, "round": round_, "rank": 1, "score": None, "expires_at": expires.isoformat(),
                      "override": False},
            )  # fmt: skip
            brief = {"offer": offer_id, "provider": pid, "code": s.number[-4:]}
            if offer.outcome in ("declined", "expired"):
                kind, fact = (
                    ("offer_declined", "declined") if offer.outcome == "declined" else ("offer_expired", "timed_out")
                )
                by = f"provider:{pid}" if offer.outcome == "declined" else "system"
                self.event(tid, offer.answered_at, kind, by, data=brief)
                self.fact(pid, fact, offer.answered_at, s.number)
                self.event(tid, offer.answered_at, "status", "system", frm="offered", to="dispatching")
                status = "dispatching"
            elif offer.outcome == "accepted":
                self.event(
                    tid, offer.answered_at, "status", f"provider:{pid}", frm="offered", to="accepted", data=brief
                )
                self.fact(pid, "accepted", offer.answered_at, s.number)
                self._done(s, tid)
                status = "done"
        if s.fate == "cancelled":
            assert s.closed_at is not None
            frm = status if status in ("new", "dispatching", "offered") else "dispatching"
            by = f"staff:{s.closed_by}"
            self.event(tid, s.closed_at, "status", by, frm=frm, to="cancelled", note="居民已自行解决，不再需要")

    def _done(self, s: JobSpec, tid: int) -> None:
        assert s.provider is not None and s.completed_at is not None and s.arrived_at is not None
        pid, by = s.provider.id, f"provider:{s.provider.id}"
        self.event(tid, s.arrived_at, "status", by, frm="accepted", to="in_service")
        charged = f"{s.charged:.2f}" if s.charged is not None else None
        data: dict[str, Any] = {"charged": charged, "hours": s.hours}
        if s.overcharge is not None:
            data["overcharge"] = f"{s.overcharge:.2f}"
        self.event(tid, s.completed_at, "status", by, frm="in_service", to="completed", data=data)
        self.fact(pid, "completed_on_time" if s.on_time else "completed_late", s.completed_at, s.number)
        if s.overcharge is not None:
            self.fact(pid, "overcharge", s.completed_at, s.number, s.overcharge)
        if s.provider.kind == "volunteer" and s.hours:
            self.fact(pid, "service_hours", s.completed_at, s.number, s.hours)
        survey = s.survey or {}
        answered = survey.get("answered_at")
        if answered is not None:
            answerer = f"staff:{s.operator_id or s.closed_by or 0}" if survey["channel"] == "desk" else "resident"
            if answerer == "staff:0":
                answerer = "resident"
            data = {"score": survey["score"], "channel": survey["channel"]}
            self.event(
                tid, answered, "status", answerer, frm="completed", to="surveyed", note=survey["comment"], data=data
            )
            self.fact(pid, "survey_score", answered, s.number, float(survey["score"]))
        if s.fate == "closed" and s.closed_at is not None:
            frm = "surveyed" if answered is not None else "completed"
            self.event(tid, s.closed_at, "status", f"staff:{s.closed_by}", frm=frm, to="closed")

    def _survey_row(self, s: JobSpec, tid: int) -> dict[str, Any]:
        v = s.survey
        assert v is not None and s.provider is not None
        status = "answered" if v["answered_at"] is not None else "expired"
        return {
            "ticket_id": tid, "round": 1, "resident_id": s.resident.id, "channel": v["channel"], "status": status,
            "completed_at": s.completed_at, "due_at": v["due_at"], "lease_until": None, "claim": None,
            "attempts": 1 if v["channel"] == "sms" or status == "answered" else 3, "code": s.number[-4:],
            "provider_id": s.provider.id, "operator_id": s.operator_id, "sent_at": v["sent_at"],
            "expires_at": v["sent_at"] + dt.timedelta(hours=self.settings.callbacks.answer_hours)
            if v["channel"] == "sms" else None,
            "answered_at": v["answered_at"], "score": v["score"], "comment": v["comment"], "clarified": False,
            "reason": None if status == "answered" else "no_answer", "call_sid": None, "created_at": s.completed_at,
        }  # fmt: skip

    def _survey_events(self, s: JobSpec, sid: int) -> list[dict[str, Any]]:
        v = s.survey
        assert v is not None

        def row(at: dt.datetime, kind: str, frm: str | None, to: str | None, **data: Any) -> dict[str, Any]:
            return {"survey_id": sid, "complaint_id": None, "at": at, "kind": kind, "actor": "system", "staff_id": None,
                    "from_status": frm, "to_status": to, "note": None, "data": data or None}  # fmt: skip

        assert s.completed_at is not None
        rows = [
            row(s.completed_at, "scheduled", None, "scheduled", channel=v["channel"], due_at=v["due_at"].isoformat())
        ]
        if v["channel"] == "sms":
            rows.append(row(v["sent_at"], "status", "scheduled", "sent"))
        if v["answered_at"] is not None:
            rows.append(row(v["answered_at"], "status", "sent" if v["channel"] == "sms" else "scheduled", "answered",
                            score=v["score"], channel=v["channel"]))  # fmt: skip
            rows[-1]["actor"] = (
                "resident" if v["channel"] == "sms" else f"staff:{s.operator_id}" if s.operator_id else "resident"
            )
        else:
            rows.append(row(v["expired_at"], "status", "sent" if v["channel"] == "sms" else "scheduled", "expired"))
            rows[-1]["note"] = "no_answer"
        return rows

    def _complaint_row(self, s: JobSpec, tid: int, sid: int) -> dict[str, Any]:
        c = s.complaint
        assert c is not None and s.provider is not None
        decided = c["decided_at"]
        deadline = timing.working_deadline(c["opened_at"], self.settings.callbacks.complaint_days, self.settings)
        return {
            "resident_id": s.resident.id, "ticket_id": tid, "provider_id": s.provider.id,
            "survey_id": sid if c["source"] == "survey" else None, "source": c["source"], "text": c["text"],
            "status": "decided" if decided else "open", "owner_id": self.supervisor, "deadline_at": deadline,
            "escalated_at": None, "outcome": c["outcome"] if decided else None,
            "reply": (UPHELD_REPLY if c["outcome"] == "upheld" else OTHER_REPLY) if decided else None,
            "decided_at": decided, "decided_by": f"staff:{self.supervisor}" if decided else None,
            "told_at": decided if decided and s.resident.mobile else None, "created_at": c["opened_at"],
        }  # fmt: skip

    def _complaint_events(self, s: JobSpec, tid: int, cid: int) -> list[dict[str, Any]]:
        c = s.complaint
        assert c is not None and s.provider is not None
        by = "resident" if c["source"] != "operator" else f"staff:{self.supervisor}"
        rows = [{"survey_id": None, "complaint_id": cid, "at": c["opened_at"], "kind": "status", "actor": by,
                 "staff_id": None, "from_status": None, "to_status": "open", "note": c["text"],
                 "data": {"source": c["source"], "owner": self.supervisor}}]  # fmt: skip
        self.event(tid, c["opened_at"], "complaint_opened", by, note=c["text"][:200], data={"complaint": cid})
        if c["decided_at"]:
            sup = f"staff:{self.supervisor}"
            rows.append({"survey_id": None, "complaint_id": cid, "at": c["decided_at"], "kind": "status", "actor": sup,
                         "staff_id": self.supervisor, "from_status": "open", "to_status": "decided", "note": None,
                         "data": {"outcome": c["outcome"], "late": False}})  # fmt: skip
            self.event(tid, c["decided_at"], "complaint_decided", sup, data={"complaint": cid, "outcome": c["outcome"]})
            if c["outcome"] == "upheld":
                self.fact(s.provider.id, "complaint", c["decided_at"], s.number)
        return rows

    def _notices(self, specs: Sequence[JobSpec], ids: Sequence[int]) -> list[dict[str, Any]]:
        horizon = self.now - dt.timedelta(days=self.settings.callbacks.horizon_days + 1)
        rows = []
        for spec, tid in zip(specs, ids, strict=True):
            if (
                spec.closed_at is None
                or spec.fate not in ("closed", "cancelled", "resolved")
                or spec.closed_at < horizon
            ):
                continue
            skip = "opted_out" if spec.resident.sms_opt_out else None if spec.resident.mobile else "landline"
            rows.append({"ticket_id": tid, "closed_at": spec.closed_at, "status": "skipped" if skip else "told",
                         "reason": skip, "created_at": spec.closed_at})  # fmt: skip
        return rows


def counts(session: Session, model: Any) -> int:
    from sqlalchemy import func

    return int(session.scalar(select(func.count()).select_from(model)) or 0)
