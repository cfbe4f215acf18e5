"""Sample providers for ``hotline demo``: every kind and status, an expired document, a paused
provider, volunteers in a station's tree, and some performance facts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import areas, catalog, clock
from config.settings import Settings
from config.staff import Actor, Staff
from providers import hours, ledger, service
from providers.models import Provider

STATION = "嘉兴市南湖区志愿服务总站 > 南湖街道志愿服务分站 > 南湖社区志愿服务点"

# kind, name_zh, name_en, phone, items, areas, capacity, hours, status, organisation, documents, courses
PROVIDERS = [
    (
        "company",
        "嘉禾家政服务有限公司",
        "Jiahe Housekeeping Co.",
        "13857300101",
        ["HK-CLEAN-HOURLY", "MC-DEEP-CLEAN", "AR-AC-CLEAN"],
        ["330402"],
        5,
        "daily 07:00-21:00",
        "active",
        None,
        {"business_licence": 700, "insurance": 200},
        {"induction": -400, "etiquette": -300, "safety": -100},
    ),
    (
        "company",
        "南湖水电维修服务部",
        "Nanhu Plumbing & Electrical",
        "13857300102",
        ["PE-PIPE-LEAK", "PE-TAP", "PE-CIRCUIT-FAULT"],
        ["330402003", "330402001"],
        3,
        "daily 00:00-24:00",
        "active",
        None,
        {"business_licence": 500, "insurance": 20},
        {"induction": -200, "etiquette": -200, "safety": -60},
    ),
    (
        "company",
        "秀洲开锁服务中心",
        "Xiuzhou Locksmiths",
        "13857300103",
        ["EH-UNLOCK"],
        ["330411"],
        2,
        "daily 00:00-24:00",
        "probation",
        None,
        {"business_licence": 400, "insurance": -5},
        {"induction": -100, "etiquette": -100, "safety": -100},
    ),
    (
        "individual",
        "王建国师傅",
        "Master Wang Jianguo",
        "13957300104",
        ["PE-PIPE-LEAK", "AR-WASHER"],
        ["330402003001", "330402003002"],
        1,
        "mon-sat 08:00-18:00",
        "active",
        None,
        {"skill_certificate": 900},
        {"induction": -500, "etiquette": -500, "safety": -30},
    ),
    (
        "individual",
        "李秀英",
        "Li Xiuying",
        "13957300105",
        ["EC-BATH", "HK-CLEAN-HOURLY"],
        ["330402004"],
        2,
        "mon-fri 08:00-17:00",
        "vetting",
        None,
        {"skill_certificate": 600},
        {},
    ),
    (
        "volunteer",
        "张志愿",
        "Zhang Zhiyuan",
        "13657300106",
        ["EC-VISIT"],
        ["330402003001"],
        2,
        "sat-sun 09:00-17:00; wed 14:00-18:00",
        "active",
        STATION,
        {},
        {"induction": -90, "safety": -90},
    ),
    (
        "volunteer",
        "陈阿姨",
        "Auntie Chen",
        "13657300107",
        ["EC-VISIT", "EC-BATH"],
        ["330402003"],
        1,
        "daily 08:00-20:00",
        "applicant",
        STATION,
        {},
        {},
    ),
    (
        "company",
        "老城区搬家公司",
        "Old Town Movers",
        "13857300108",
        ["MC-HOUSE-MOVE", "MC-SMALL-MOVE"],
        ["330402002"],
        4,
        "daily 08:00-18:00",
        "suspended",
        None,
        {"business_licence": 300, "insurance": 100},
        {"induction": -700, "etiquette": -700, "safety": -200},
    ),
]


def seed(session: Session, settings: Settings, *, supervisor: Staff | None = None, sample_facts: bool = True) -> str:
    """Add the sample providers unless some exist. Returns what was added ('' if nothing)."""
    if session.scalar(select(func.count()).select_from(Provider)):
        return ""
    today = clock.now().astimezone(settings.zone).date()
    actor = Actor.of_staff(supervisor) if supervisor else Actor.system()
    added = []
    for kind, name_zh, name_en, phone, items, area_codes, capacity, span, status, org, documents, courses in PROVIDERS:
        provider = service.create_provider(
            session,
            kind=kind,
            name_zh=name_zh,
            name_en=name_en,
            phone=settings.normalize_phone(phone),
            items=[catalog.get_item(session, code=code) for code in items],
            areas=[areas.get(session, code=code) for code in area_codes],
            capacity=capacity,
            hours=hours.parse(span),
            standard_prices=kind != "volunteer",
            organisation=service.get_or_create_org_path(session, path=org) if org else None,
            status=status,
            actor=actor,
            note="演示数据",
        )
        for document, days in documents.items():
            service.add_document(
                session,
                provider=provider,
                kind=document,
                expires_on=today + dt.timedelta(days=days),
                actor=actor,
                zone=settings.zone,
            )
        for course, days in courses.items():
            service.add_training(
                session,
                provider=provider,
                course=course,
                completed_on=today + dt.timedelta(days=days),
                actor=actor,
                zone=settings.zone,
            )
        added.append(provider)
    if supervisor is not None:
        service.check_vetting_item(session, provider=added[4], item="identity", staff=supervisor)
        service.check_vetting_item(session, provider=added[4], item="skill_certificate", staff=supervisor)
    service.set_paused(session, provider=added[3], paused=True, actor=Actor.provider(added[3].id), note="by text: 暂停")
    if not sample_facts:  # the demo centre writes its providers' history with its tickets
        return f"{len(added)} providers"
    now = clock.now()
    for number in range(1, 13):
        ref = f"ticket:demo{number:04d}"
        at = now - dt.timedelta(days=number * 3)
        provider = added[number % 2]
        ledger.record(session, provider=provider, kind="offered", ticket_ref=ref, at=at)
        if number % 5 == 0:
            ledger.record(session, provider=provider, kind="declined", ticket_ref=ref, at=at)
            continue
        ledger.record(session, provider=provider, kind="accepted", ticket_ref=ref, at=at)
        late = number % 4 == 0
        ledger.record(
            session,
            provider=provider,
            kind="completed_late" if late else "completed_on_time",
            ticket_ref=ref,
            at=at + dt.timedelta(hours=3),
        )
        ledger.record(
            session,
            provider=provider,
            kind="survey_score",
            ticket_ref=ref,
            value=3.0 if late else 5.0,
            at=at + dt.timedelta(days=1),
        )
    ledger.record(session, provider=added[1], kind="complaint", ticket_ref="ticket:demo0008", note="迟到一小时")
    return f"{len(added)} providers"
