"""Sample staff, residents and tickets for ``hotline demo``. Seeds once; never touches real data."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import areas, catalog, clock, staff
from config.errors import HotlineError
from config.settings import Settings
from config.staff import Actor
from dispatch import answers, escalation, lifecycle, offers, residents, service
from dispatch.models import Offer, Resident, Ticket
from hotline import intake
from providers import demo as provider_demo
from providers.models import Provider
from sms import flows

STAFF = [
    ("王芳", "operator", "7001"),
    ("李强", "operator", "7002"),
    ("Chen Jing", "dispatcher", "7003"),
    ("赵敏", "supervisor", None),
    ("周磊", "admin", None),
    ("孙丽", "observer", None),
]

RESIDENTS = [
    # phone as typed, name, community code, address, tags, language
    ("13800138000", "张阿姨", "330402003001", "3幢2单元401", ["elderly", "lives_alone", "one_touch"], "zh_CN"),
    ("0573-82123456", "刘大爷", "330402001001", "12号楼101", ["elderly", "disabled"], "zh_CN"),
    ("13912345678", "陈先生", "330402002002", "7幢1203", [], "zh_CN"),
    ("15857300001", "Emily Brown", "330411001001", "Unit 5, Bldg 2", [], "en"),
    ("13605730002", "孙女士", "330402004001", "18幢502", ["low_income"], "zh_CN"),
    ("18857300003", "周师傅", "330411002001", "5号", [], "zh_CN"),
]

# resident index, item code, text, urgency, channel, hours ago, steps
TICKETS = [
    (
        0,
        "EC-VISIT",
        "独居老人，希望志愿者每周上门陪聊",
        "normal",
        "phone",
        50,
        ["dispatching", "offered", "accepted", "in_service", "completed", "surveyed", "closed"],
    ),
    (
        0,
        "PE-PIPE-LEAK",
        "厨房水管漏水，地上都是水",
        "urgent",
        "sms",
        30,
        ["dispatching", "offered", "accepted", "in_service", "completed"],
    ),
    (1, "EC-BATH", "老人行动不便，需要助浴服务", "normal", "phone", 26, ["dispatching", "offered", "accepted"]),
    (3, "AR-AC-CLEAN", "Air conditioner needs cleaning before summer", "normal", "web", 20, ["dispatching", "offered"]),
    (4, "HK-CLEAN-HOURLY", "每周六上午需要钟点工打扫卫生", "normal", "phone", 6, ["dispatching"]),
    (5, "EH-UNLOCK", "钥匙锁在家里了，进不了门", "urgent", "phone", 2, []),
    (
        0,
        "EH-ELDERLY-FALL",
        "一键通报警：老人在卫生间摔倒",
        "emergency",
        "phone",
        1,
        ["dispatching", "offered", "accepted", "in_service"],
    ),
    (2, "AR-WASHER", "洗衣机不脱水", "normal", "sms", 3, ["cancelled"]),
]


# Categories the demo dispatches without an operator (``dispatch.auto_categories``).
AUTO_CATEGORIES = ["plumbing_electrical", "appliance_repair", "emergency_help"]

# Texts residents send once the tickets above exist: answered by the real intake router.
TEXTS = [
    ("13912345678", "查询"),
    ("15857300001", "Ceiling light not working in the kitchen, Ziyang Community block 2"),
    ("13705730009", "楼道灯坏了好几天，晚上很黑，禾兴小区5幢"),
]


def foreign_data(session: Session, settings: Settings) -> str | None:
    """What this database holds that the demo did not put there (None: nothing). Demo mode
    publishes residents' records, so ``hotline demo`` refuses such a database."""
    known_residents = {settings.normalize_phone(row[0]) for row in RESIDENTS}
    known_residents |= {settings.normalize_phone(phone) for phone, _ in TEXTS}
    known_providers = {settings.normalize_phone(row[3]) for row in provider_demo.PROVIDERS}
    counts = {
        "residents": session.scalar(
            select(func.count()).select_from(Resident).where(Resident.phone.not_in(known_residents))
        ),
        "providers": session.scalar(
            select(func.count()).select_from(Provider).where(Provider.phone.not_in(known_providers))
        ),
        "staff": session.scalar(
            select(func.count()).select_from(staff.Staff).where(staff.Staff.name.not_in([n for n, _, _ in STAFF]))
        ),
    }
    found = [f"{count} {what}" for what, count in counts.items() if count]
    return ", ".join(found) or None


def seed(session: Session, settings: Settings) -> str:
    """Add the sample data unless tickets already exist. Returns what was added ('' if nothing)."""
    if session.scalar(select(func.count()).select_from(Ticket)):
        return ""
    members = [staff.create(session, name=n, role=r, extension=e) for n, r, e in STAFF]
    supervisor = next(m for m in members if m.role == "supervisor")
    providers = provider_demo.seed(session, settings, supervisor=supervisor)
    people = []
    for phone, name, community, address, tags, language in RESIDENTS:
        resident = residents.get_or_create_resident(
            session,
            phone=settings.normalize_phone(phone),
            name=name,
            community=areas.get_community(session, code=community),
            address=address,
            language=language,
        )
        residents.set_resident_tags(session, resident=resident, tags=tags)
        people.append(resident)
    now = clock.now()
    for index, (who, code, text, urgency, channel, hours_ago, steps) in enumerate(TICKETS):
        operator = members[index % 3]
        actor = Actor.of_staff(operator)
        at = now - dt.timedelta(hours=hours_ago)
        with clock.freeze(at):
            ticket, _ = service.create_ticket(
                session,
                resident=people[who],
                channel=channel,
                description=text,
                zone=settings.zone,
                actor=actor if channel == "phone" else Actor.system(),
                item=catalog.get_item(session, code=code),
                urgency=urgency,
                operator=operator if channel == "phone" else None,
            )
        offer: Offer | None = None
        for step_index, step in enumerate(steps, start=1):
            with clock.freeze(at + dt.timedelta(minutes=4 * step_index)):  # within any reply window
                offer = _step(session, settings, ticket, step, actor, offer)
            if offer is None and step == "offered":
                break  # nobody on duty at that hour: the ticket waits for the dispatchers
    route = intake.router_for(settings)
    for phone, body in TEXTS:
        sender = settings.normalize_phone(phone)
        flows.receive_in(session, flows.IncomingText(None, sender, settings.twilio_from_number, body), route, settings)
    return f"{len(members)} staff, {len(people)} residents, {len(TICKETS)} tickets, {len(TEXTS)} texts, {providers}"


def _step(
    session: Session, settings: Settings, ticket: Ticket, step: str, actor: Actor, offer: Offer | None
) -> Offer | None:
    """One step of a sample ticket through the real dispatch code (offers, texts, ledger)."""
    if step == "offered":
        try:
            (made,) = offers.offer(session, ticket=ticket, settings=settings, actor=actor)
        except HotlineError:  # no eligible provider at the seeded hour: the dispatchers are told
            escalation.escalate(session, ticket=ticket, settings=settings, level="dispatcher", why="no_candidates")
            return None
        return made
    if step == "accepted" and offer is not None:
        answers.accept(session, offer=offer, settings=settings)
    elif step == "in_service" and offer is not None:
        answers.arrive(session, offer=offer)
    elif step == "completed" and offer is not None:
        assert ticket.item is not None
        answers.complete(session, ticket=ticket, settings=settings, actor=actor, charged=ticket.item.price)
    elif step == "cancelled":
        lifecycle.cancel(session, ticket=ticket, settings=settings, actor=actor, note="the resident no longer needs it")
    elif step in ("surveyed", "closed") or (step == "dispatching" and ticket.status in ("new", "reopened")):
        service.move_ticket(session, ticket=ticket, to=step, actor=actor)
    return offer
