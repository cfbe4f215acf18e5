"""The demo centre for ``hotline demo``: a centre the size of Jiaxing's 96345 (a district of 6
streets and 50 communities, ~166 member companies, ~151 skilled individuals, a volunteer station
with 12 substations and 50 service points, a few thousand residents) with 90 days of history.
Old history is bulk-inserted (``hotline.demo_history`` / ``demo_rows`` / ``demo_calls``); the last
days go through the real code paths (offers, answers, surveys, texts, calls). Seeds once, from a
seeded random, into a database it marks as a demo centre (``config.demo``); never real data."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from callbacks import service as surveys
from callbacks import sweep
from callbacks.models import Survey
from config import areas, catalog, clock, phones, staff
from config import demo as marker
from config.errors import HotlineError
from config.settings import Settings
from config.staff import Actor
from dispatch import answers, escalation, lifecycle, offers, residents, service
from dispatch.models import Offer, Resident, ResidentTag, Ticket
from hotline import demo_calls, demo_reviews, intake
from hotline.demo_history import Drafter
from hotline.demo_people import People
from hotline.demo_rows import Writer, number_tickets
from hotline.demo_texts import describe
from providers import demo as provider_demo
from providers import demo_roster
from providers.models import Provider
from sms import flows

SEED = 96345
RESIDENTS_FULL = 3000
RECENT_TICKETS = 40  # through the real code paths, in the last two days
Progress = Callable[[str, int, int], None]  # phase, done, total

STAFF = [
    ("王芳", "operator", "7001"),
    ("李强", "operator", "7002"),
    ("Chen Jing", "dispatcher", "7003"),
    ("赵敏", "supervisor", None),
    ("周磊", "admin", None),
    ("孙丽", "observer", None),
    ("沈佳怡", "operator", "7004"),
    ("陆建华", "operator", "7005"),
    ("顾晓红", "dispatcher", "7006"),
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
    """What this database holds that the demo did not put there (None: nothing). A database the
    demo seeded records so (``config.demo``); any other holding residents, providers or staff is
    refused, since demo mode publishes what it holds."""
    if marker.record(session) is not None:
        return None
    counts = {
        "residents": session.scalar(select(func.count()).select_from(Resident)),
        "providers": session.scalar(select(func.count()).select_from(Provider)),
        "staff": session.scalar(select(func.count()).select_from(staff.Staff)),
    }
    found = [f"{count} {what}" for what, count in counts.items() if count]
    return ", ".join(found) or None


@dataclass
class Drawn:
    """A resident as the history draws them."""

    id: int
    phone: str
    address: str | None
    tags: list[str]
    mobile: bool
    sms_opt_out: bool
    community_id: int | None


def seed(
    session: Session, settings: Settings, *, scale: float = 1.0, rng_seed: int = SEED, progress: Progress | None = None
) -> dict[str, int]:
    """Seed the demo centre unless tickets already exist (returns {} then); returns what was
    added, by kind. ``scale`` shrinks the centre (tests); the same seed gives the same centre."""
    if session.scalar(select(func.count()).select_from(Ticket)):
        return {}
    tell = progress or (lambda phase, done, total: None)
    rng = random.Random(rng_seed)
    now = clock.now()
    members = [staff.create(session, name=n, role=r, extension=e) for n, r, e in STAFF]
    supervisor = next(m for m in members if m.role == "supervisor")
    provider_demo.seed(session, settings, supervisor=supervisor, sample_facts=False)
    people = _named_residents(session, settings)
    taken = {r.phone for r in people} | {settings.normalize_phone(p[3]) for p in provider_demo.PROVIDERS}
    taken |= {settings.normalize_phone(phone) for phone, _ in TEXTS}
    names = People(rng, taken=taken)
    tell("providers", 0, 1)
    roster = demo_roster.roster(session, settings, rng, names, scale=scale, actor=Actor.of_staff(supervisor))
    tell("providers", 1, 1)
    drawn = _residents(session, settings, rng, names, count=max(60, round(RESIDENTS_FULL * scale)), now=now)
    tell("residents", 1, 1)
    drafter = _drafter(session, settings, rng, now=now, roster=roster, drawn=drawn, staff_members=members, scale=scale)
    specs = drafter.jobs()
    number_tickets(session, specs, settings.zone)
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        tell("history", done, len(specs))

    ticket_ids = Writer(session, settings, supervisor=supervisor.id, now=now).write(specs, step)
    calls_rng = random.Random(96345)  # its own stream: the history drawn above stays as it was
    demo_calls.write_history(session, settings, specs, ticket_ids, calls_rng)
    recent = _scripted(session, settings, members, people, now)
    recent += _recent(
        session, settings, rng, drafter, members, now, count=max(5, round(RECENT_TICKETS * scale)), tell=tell
    )
    _surveys(session, settings, rng)
    demo_calls.waiting_callers(session, settings, now, calls_rng)
    demo_reviews.seed(session, settings, supervisor, now)
    route = intake.router_for(settings)
    for phone, body in TEXTS:
        sender = settings.normalize_phone(phone)
        flows.receive_in(session, flows.IncomingText(None, sender, settings.twilio_from_number, body), route, settings)
    summary = {
        "staff": len(members),
        "providers": len(roster) + len(provider_demo.PROVIDERS),
        "residents": len(drawn) + len(people),
        "tickets": len(specs) + recent,
        "texts": len(TEXTS),
    }
    marker.mark(session, seed=rng_seed, scale=scale, summary=summary)
    return summary


def _named_residents(session: Session, settings: Settings) -> list[Resident]:
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
    return people


def _residents(
    session: Session, settings: Settings, rng: random.Random, names: People, *, count: int, now: dt.datetime
) -> list[Drawn]:
    """A few thousand residents over the district's communities: some elderly (some living alone,
    on a landline, on the one-touch line), disabled, on low income; a few write in English."""
    district = areas.get(session, code="330402")
    streets = {a.id for a in areas.list_areas(session, level="street") if a.parent_id == district.id}
    communities = [a for a in areas.list_areas(session, level="community") if a.parent_id in streets]
    rows: list[dict[str, Any]] = []
    tag_rows: list[list[str]] = []
    for _ in range(count):
        elderly = rng.random() < 0.32
        phone = names.landline() if elderly and rng.random() < 0.3 else names.mobile()
        tags = []
        if elderly:
            tags.append("elderly")
            tags += [t for t, p in (("lives_alone", 0.3), ("one_touch", 0.4), ("disabled", 0.08)) if rng.random() < p]
        elif rng.random() < 0.03:
            tags.append("disabled")
        if rng.random() < 0.08:
            tags.append("low_income")
        english = rng.random() < 0.02
        since = now - dt.timedelta(days=rng.randint(100, 900))
        rows.append(
            {
                "phone": phone,
                "name": names.elder() if elderly and rng.random() < 0.4 else names.name(),
                "community_id": rng.choice(communities).id,
                "address": names.address(),
                "language": "en" if english else "zh_CN",
                "sms_opt_out": rng.random() < 0.02,
                "call_opt_out": False,
                "created_at": since,
                "updated_at": since,
            }
        )
        tag_rows.append(sorted(tags))
    ids = [
        r[0]
        for r in session.execute(insert(_table(Resident)).returning(Resident.id, sort_by_parameter_order=True), rows)
    ]
    links = [{"resident_id": rid, "tag": tag} for rid, tags in zip(ids, tag_rows, strict=True) for tag in tags]
    if links:
        session.execute(insert(_table(ResidentTag)), links)
    return [
        Drawn(
            rid,
            row["phone"],
            row["address"],
            tags,
            phones.is_mobile(row["phone"]),
            row["sms_opt_out"],
            row["community_id"],
        )
        for rid, row, tags in zip(ids, rows, tag_rows, strict=True)
    ]


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _drafter(
    session: Session,
    settings: Settings,
    rng: random.Random,
    *,
    now: dt.datetime,
    roster: list[demo_roster.Member],
    drawn: list[Drawn],
    staff_members: list[staff.Staff],
    scale: float,
) -> Drafter:
    every = areas.list_areas(session)
    under: dict[str, list[int]] = {}
    by_id = {a.id: a for a in every}
    for area in every:
        if area.level != "community":
            continue
        for code in (area.code, by_id[area.parent_id].code, by_id[by_id[area.parent_id].parent_id].code):  # type: ignore[index]
            under.setdefault(code, []).append(area.id)
    by_community: dict[int, list[Any]] = {}
    for person in drawn:
        by_community.setdefault(person.community_id or 0, []).append(person)
    items = {item.code: item for item in catalog.list_items(session)}
    categories = {item.code: item.category.code for item in items.values()}

    def survey_channel(resident: Drawn, item: Any) -> str:
        return sweep.channel_for(
            phone=resident.phone, tags=resident.tags, category=categories.get(item.code), settings=settings
        )

    operators = [m.id for m in staff_members if m.role in ("operator", "dispatcher")]
    return Drafter(
        rng, settings, now=now, members=roster, residents_by_community=by_community, communities_under=under,
        items=items, operators=operators, describe=describe, survey_channel=survey_channel, scale=scale,
    )  # fmt: skip


def _scripted(
    session: Session, settings: Settings, members: list[staff.Staff], people: list[Resident], now: dt.datetime
) -> int:
    """The named sample tickets, step by step through the real dispatch code."""
    for index, (who, code, text, urgency, channel, hours_ago, steps) in enumerate(TICKETS):
        operator = members[index % 3]
        _through(session, settings, resident=people[who], code=code, text=text, urgency=urgency, channel=channel,
                 operator=operator, at=now - dt.timedelta(hours=hours_ago), steps=steps)  # fmt: skip
    return len(TICKETS)


FATES: tuple[tuple[list[str], int, tuple[float, float]], ...] = (
    ([], 12, (0.2, 3)),
    (["dispatching"], 8, (0.5, 4)),
    (["dispatching", "offered"], 14, (0.1, 0.4)),
    (["dispatching", "offered", "accepted"], 14, (1, 6)),
    (["dispatching", "offered", "accepted", "in_service"], 10, (1, 5)),
    (["dispatching", "offered", "accepted", "in_service", "completed"], 30, (6, 44)),
    (["dispatching", "offered", "cancelled"], 6, (1, 30)),
)


def _recent(
    session: Session, settings: Settings, rng: random.Random, drafter: Drafter, members: list[staff.Staff],
    now: dt.datetime, *, count: int, tell: Progress,
) -> int:  # fmt: skip
    """The last two days through the real code paths: new tickets, offers, acceptances, arrivals,
    completions and a cancellation, each at its own moment (``clock.freeze``)."""
    operators = [m for m in members if m.role in ("operator", "dispatcher")]
    good = [m for m in drafter.members if m.profile == "good" and m.kind != "volunteer"]
    made = 0
    for number in range(count):
        steps, _weight, (low, high) = rng.choices(FATES, [f[1] for f in FATES])[0]
        member = rng.choice(good)
        code = rng.choice([c for c in member.items if c in drafter.items])
        community_id, person = drafter._place(member)
        resident = session.get_one(Resident, person.id)
        item = drafter.items[code]
        urgency = "urgent" if code.startswith("EH-") else "normal"
        at = _daytime(now - dt.timedelta(hours=rng.uniform(low, high)), now=now, zone=settings.zone, rng=rng)
        community = session.get(areas.Area, community_id)
        _through(session, settings, resident=resident, code=code, text=describe(item, rng), urgency=urgency,
                 channel=rng.choice(("phone", "phone", "sms", "web")), operator=rng.choice(operators), at=at,
                 steps=steps, community=community)  # fmt: skip
        made += 1
        tell("recent", number + 1, count)
    return made


def _daytime(at: dt.datetime, *, now: dt.datetime, zone: dt.tzinfo, rng: random.Random) -> dt.datetime:
    """``at``, or the afternoon before it when it falls outside 09:00-17:00 centre time: most
    providers work by day, so the recent tickets meet the same candidates whenever the demo is
    seeded (and the demo is the same at 3 a.m. as at noon)."""
    local = at.astimezone(zone)
    if not 9 <= local.hour < 17:
        day = local.date() - dt.timedelta(days=1 if local.hour < 9 else 0)
        local = dt.datetime.combine(day, dt.time(rng.randint(13, 16), rng.randrange(60)), tzinfo=zone)
    return min(local.astimezone(dt.UTC), now)


def _through(
    session: Session, settings: Settings, *, resident: Resident, code: str, text: str, urgency: str, channel: str,
    operator: staff.Staff, at: dt.datetime, steps: list[str], community: areas.Area | None = None,
) -> Ticket:  # fmt: skip
    actor = Actor.of_staff(operator)
    with clock.freeze(at):
        ticket, _ = service.create_ticket(
            session, resident=resident, channel=channel, description=text, zone=settings.zone,
            actor=actor if channel == "phone" else Actor.system(), item=catalog.get_item(session, code=code),
            urgency=urgency, operator=operator if channel == "phone" else None, community=community,
        )  # fmt: skip
        if channel == "phone":
            demo_calls.answered_call(session, settings, ticket=ticket, operator=operator)
    offer: Offer | None = None
    for step_index, step in enumerate(steps, start=1):
        with clock.freeze(min(at + dt.timedelta(minutes=4 * step_index), clock.now())):  # within any reply window
            offer = _step(session, settings, ticket, step, actor, offer)
        if offer is None and step == "offered":
            break  # nobody on duty at that hour: the ticket waits for the dispatchers
    return ticket


def _surveys(session: Session, settings: Settings, rng: random.Random) -> None:
    """The real survey sweep schedules the recent completions; some residents answer at once
    (a few poorly: complaints open), and one ticket is reopened by a dispatcher."""
    sweep.schedule_completed(session, settings=settings)
    scheduled = list(session.scalars(select(Survey).where(Survey.status == "scheduled").order_by(Survey.id)))
    for index, survey in enumerate(scheduled):
        if index % 3 == 2:
            continue  # still to be asked: the sweeper does it once the demo serves
        score = rng.choices((1, 2, 3, 4, 5), (4, 4, 8, 30, 54))[0]
        surveys.record_answer(
            session, survey=survey, score=score, comment="", actor=Actor("resident"), settings=settings
        )
    surveyed = session.scalar(select(Ticket).where(Ticket.status == "surveyed").order_by(Ticket.id.desc()).limit(1))
    if surveyed is not None:
        dispatcher = session.scalar(select(staff.Staff).where(staff.Staff.role == "dispatcher").limit(1))
        assert dispatcher is not None
        service.move_ticket(session, ticket=surveyed, to="reopened", actor=Actor.of_staff(dispatcher),
                            note="居民来电：问题又出现了")  # fmt: skip


def iter_logins() -> Iterator[tuple[str, str]]:
    """The demo's one-click logins: name and role."""
    for name, role, _extension in STAFF:
        yield name, role


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
