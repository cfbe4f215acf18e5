"""Playing a scenario against the training database.

The scenario is the resident and the providers; the trainee is the operator on the real console.
``start`` sets the scene (the scenario's resident, an earlier request for a repeat complaint) and
writes the run; the resident's first text or call then goes through the phone simulator's signed
webhooks (``views``). ``advance`` looks at the trainee's ticket and says what the provider side
does next (``N 1234`` once for a provider who declines, ``Y 1234`` to a live offer), recording it
in the run's script first so a step is never played twice. ``finish`` gathers the facts and scores.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from config import areas, catalog, clock
from config.errors import NotFound
from config.settings import Settings
from config.staff import Actor, Staff
from dispatch import lifecycle, residents, service
from dispatch.models import Offer, Resident, Ticket, TicketEvent
from hotline.training import scoring
from hotline.training.models import TrainingRun
from hotline.training.scenarios import SCENARIOS, Scenario
from hotline.voice import twilio_calls
from providers import hours
from providers import service as provider_service
from providers.models import Provider
from sms.models import OutboundMessage

HISTORY_DAYS = 6  # the earlier request of a repeat complaint
TRIAGE_EVENTS = ("classified", "located", "urgency")
OPEN = ("new", "dispatching", "offered", "accepted", "reopened")  # what a new run cancels

# Providers of the training centre: (kind, name, phone, items, area, documents)
PROVIDERS = [
    ("company", "培训-南湖水电维修部", "+8613800990001", ["PE-PIPE-LEAK", "EH-BURST-PIPE", "PE-TAP"], "330402003"),
    ("company", "培训-嘉禾家电维修公司", "+8613800990002", ["AR-WASHER", "AR-AC-REPAIR"], "330402003"),
    ("individual", "培训-王师傅", "+8613800990003", ["AR-WASHER", "AR-AC-REPAIR", "PE-PIPE-LEAK"], "330402003"),
    ("company", "培训-平安应急救助队", "+8613800990004", ["EH-ELDERLY-FALL", "EH-BURST-PIPE"], "330402003"),
]
DOCUMENTS = {"company": ("business_licence", "insurance"), "individual": ("skill_certificate",)}
COURSES = ("induction", "etiquette", "safety")


def seed(session: Session, settings: Settings) -> str:
    """The training centre's providers (on duty around the clock, papers in order) and a
    supervisor. Adds only what is missing; returns what it added."""
    today = clock.now().astimezone(settings.zone).date()
    added = 0
    for kind, name, phone, items, area in PROVIDERS:
        if session.scalar(select(Provider.id).where(Provider.phone == phone)) is not None:
            continue
        provider = provider_service.create_provider(
            session,
            kind=kind,
            name_zh=name,
            name_en=None,
            phone=phone,
            items=[catalog.get_item(session, code=code) for code in items],
            areas=[areas.get(session, code=area)],
            capacity=5,
            hours=hours.parse("daily 00:00-24:00"),
            standard_prices=True,
            organisation=None,
            status="active",
            actor=Actor.system(),
            note="training",
        )
        for document in DOCUMENTS[kind]:
            provider_service.add_document(
                session,
                provider=provider,
                kind=document,
                expires_on=today + dt.timedelta(days=365),
                actor=Actor.system(),
                zone=settings.zone,
            )
        for course in COURSES:
            provider_service.add_training(
                session, provider=provider, course=course, completed_on=today, actor=Actor.system(), zone=settings.zone
            )
        added += 1
    return f"{added} training providers"


def foreign_residents(session: Session) -> int:
    """Residents in a database that was not set up for training: someone's real (or demo) data,
    into which training would mix practice tickets, so ``hotline training`` refuses it. A training
    database (its providers were seeded) may hold anyone a trainer texted from in the simulator."""
    if session.scalar(select(Provider.id).where(Provider.phone.in_([row[2] for row in PROVIDERS])).limit(1)):
        return 0
    ours = [scenario.phone for scenario in SCENARIOS]
    return session.scalar(select(func.count()).select_from(Resident).where(Resident.phone.not_in(ours))) or 0


def _resident(session: Session, scenario: Scenario, settings: Settings) -> Resident:
    resident = residents.get_or_create_resident(
        session,
        phone=scenario.phone,
        name=scenario.caller,
        community=areas.get_community(session, code=scenario.community),
        address=scenario.address,
        language="zh_CN",
    )
    residents.set_resident_tags(session, resident=resident, tags=scenario.tags)
    return resident


def _close_earlier(session: Session, resident: Resident, settings: Settings) -> None:
    """A new run starts clean: the resident's tickets of earlier runs are cancelled."""
    open_tickets = session.scalars(select(Ticket).where(Ticket.resident_id == resident.id, Ticket.status.in_(OPEN)))
    for ticket in open_tickets:
        lifecycle.cancel(session, ticket=ticket, settings=settings, actor=Actor.system(), note="training run ended")


def start(session: Session, *, scenario: Scenario, trainee: Staff, settings: Settings) -> TrainingRun:
    resident = _resident(session, scenario, settings)
    _close_earlier(session, resident, settings)
    earlier: Ticket | None = None
    if scenario.history:  # still open: the angry text lands on it (the intake threads it)
        with clock.freeze(clock.now() - dt.timedelta(days=HISTORY_DAYS)):
            earlier, _ = service.create_ticket(
                session,
                resident=resident,
                channel="sms",
                description=scenario.history,
                zone=settings.zone,
                actor=Actor.system(),
                item=catalog.get_item(session, code=scenario.items[0]),
            )
            service.move_ticket(session, ticket=earlier, to="dispatching", actor=Actor.system())
    run = TrainingRun(
        scenario=scenario.code,
        staff_id=trainee.id,
        trainee=trainee.name,
        phone=scenario.phone,
        started_at=clock.now(),
        ticket_number=earlier.number if earlier is not None else None,
        script={},
        marks={},
    )
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, run_id: int) -> TrainingRun:
    run = session.get(TrainingRun, run_id)
    if run is None:
        raise NotFound(f"no training run {run_id}")
    return run


def remember_call(session: Session, *, run: TrainingRun, call_sid: str) -> None:
    """The scenario's call, so that the trainee's new ticket can be linked to it."""
    call = twilio_calls.find(session, call_sid=call_sid)
    run.script = {**run.script, "call_sid": call_sid, "call_id": call.id if call is not None else None}


def ticket_of(session: Session, run: TrainingRun) -> Ticket | None:
    """The ticket the run is about: the scenario resident's first one opened after the start."""
    if run.ticket_number:
        return service.get_ticket(session, number=run.ticket_number)
    ticket = session.scalar(
        select(Ticket)
        .join(Resident, Resident.id == Ticket.resident_id)
        .where(Resident.phone == run.phone, Ticket.created_at >= run.started_at)
        .order_by(Ticket.id)
        .limit(1)
    )
    if ticket is not None:
        run.ticket_number = ticket.number
    return ticket


def advance(session: Session, *, run: TrainingRun, scenario: Scenario) -> list[tuple[str, str]]:
    """The provider side's next texts, ``(phone, body)``, already marked as played in the script."""
    if run.finished_at is not None:
        return []
    ticket = ticket_of(session, run)
    if ticket is None:
        return []
    texts: list[tuple[str, str]] = []
    live = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id, Offer.status == "live").order_by(Offer.id))
    for offer in live:
        played = f"offer:{offer.id}"
        if played in run.script:
            continue
        declines = scenario.provider == "decline_first" and "declined" not in run.script
        verb = "N" if declines else "Y"
        run.script = {**run.script, played: verb, **({"declined": offer.id} if declines else {})}
        texts.append((offer.provider.phone, f"{verb} {offer.code}"))
        if verb == "Y":
            break  # one provider takes the job; the others lose their offers
    return texts


def facts(session: Session, *, run: TrainingRun, scenario: Scenario) -> scoring.Facts:
    ticket = ticket_of(session, run)
    if ticket is None:
        return scoring.Facts(started_at=run.started_at)
    offers = list(session.scalars(select(Offer).where(Offer.ticket_id == ticket.id).order_by(Offer.id)))
    declined = [o for o in offers if o.status == "declined"]
    first_declined = min((o.id for o in declined), default=None)  # offers are numbered as they are made
    after = [o for o in offers if first_declined is not None and o.id > first_declined]
    if scenario.channel == "call":
        opened_at: dt.datetime | None = ticket.created_at
    else:  # the text opened the ticket by itself: the trainee's time is to the first triage
        opened_at = session.scalar(
            select(func.min(TicketEvent.at)).where(
                TicketEvent.ticket_id == ticket.id,
                TicketEvent.staff_id == run.staff_id,
                TicketEvent.kind.in_(TRIAGE_EVENTS),
            )
        )
    told = session.scalar(
        select(
            exists().where(
                OutboundMessage.to == run.phone,
                OutboundMessage.subject == f"ticket:{ticket.number}",
                OutboundMessage.via == "outbox",
            )
        )
    )
    return scoring.Facts(
        started_at=run.started_at,
        ticket_number=ticket.number,
        ticket_at=opened_at,
        item=ticket.item.code if ticket.item else None,
        community=ticket.community.code if ticket.community else None,
        urgency=ticket.urgency,
        offers=len(offers),
        trainee_offers=sum(o.actor == f"staff:{run.staff_id}" for o in offers),
        offers_after_decline=len(after),
        declined=len(declined),
        resident_told=bool(told),
    )


def finish(session: Session, *, run: TrainingRun, scenario: Scenario) -> TrainingRun:
    found = facts(session, run=run, scenario=scenario)
    score, marks = scoring.score(scenario, found)
    run.score, run.marks, run.finished_at = score, scoring.marks_json(marks, found), clock.now()
    return run
