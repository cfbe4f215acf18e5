"""The demo centre's provider roster, the size of Jiaxing's 96345 resource library: member
companies, skilled individuals and a volunteer station with its substations and service points,
written by the roster import's bulk writer (``providers.bulk``). Drawn from a seeded random."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import areas, catalog, clock
from config.settings import Settings
from config.staff import Actor
from providers import bulk, hours, service
from providers.demo import PROVIDERS
from providers.imports import ProviderRow
from providers.models import VolunteerOrg

# How a provider behaves in the demo's history: its answers to offers, punctuality, survey scores
# (weights of 1..5), overcharging and extra complaints. Most are good; a few are poor enough for
# each review rule (providers.reviews) to fire on their figures.
PROFILES: dict[str, dict[str, Any]] = {
    "good": {"accept": 0.88, "decline": 0.08, "on_time": 0.93, "scores": (1, 2, 6, 25, 66), "over": 0.0},
    "poor": {"accept": 0.80, "decline": 0.12, "on_time": 0.72, "scores": (30, 30, 25, 10, 5), "over": 0.03},
    "weak": {"accept": 0.82, "decline": 0.10, "on_time": 0.80, "scores": (12, 25, 35, 18, 10), "over": 0.0},
    "complaints": {"accept": 0.85, "decline": 0.10, "on_time": 0.85, "scores": (8, 10, 20, 32, 30), "over": 0.0},
    "expirer": {"accept": 0.35, "decline": 0.08, "on_time": 0.90, "scores": (2, 4, 14, 35, 45), "over": 0.0},
    "decliner": {"accept": 0.30, "decline": 0.65, "on_time": 0.90, "scores": (2, 4, 14, 35, 45), "over": 0.0},
    "late": {"accept": 0.85, "decline": 0.10, "on_time": 0.45, "scores": (4, 8, 22, 36, 30), "over": 0.0},
    "overcharger": {"accept": 0.85, "decline": 0.10, "on_time": 0.88, "scores": (6, 10, 24, 35, 25), "over": 0.2},
}
# trade: (name ending, item codes, hours, capacity range, share of the companies)
TRADES: dict[str, tuple[str, tuple[str, ...], str, tuple[int, int], int]] = {
    "housekeeping": (
        "家政服务有限公司",
        (
            "HK-CLEAN-HOURLY",
            "HK-NANNY-LIVEIN",
            "HK-MATERNITY",
            "HK-CHILDCARE",
            "HK-ELDER-NANNY",
            "HK-COOK",
            "HK-ORGANISE",
            "MC-DEEP-CLEAN",
            "MC-WINDOW",
            "EC-HOME-CARE",
        ),
        "daily 07:00-21:00",
        (4, 12),
        30,
    ),
    "cleaning": (
        "保洁服务有限公司",
        (
            "MC-DEEP-CLEAN",
            "MC-POST-RENOVATION",
            "MC-WINDOW",
            "MC-KITCHEN-DEGREASE",
            "MC-SOFA-CARPET",
            "MC-MATTRESS",
            "MC-PEST",
            "AR-HOOD-CLEAN",
            "AR-AC-CLEAN",
        ),
        "daily 08:00-19:00",
        (3, 10),
        18,
    ),
    "moving": (
        "搬家服务有限公司",
        ("MC-HOUSE-MOVE", "MC-OFFICE-MOVE", "MC-SMALL-MOVE", "MC-WASTE-REMOVAL"),
        "daily 07:00-19:00",
        (2, 6),
        10,
    ),
    "plumbing": (
        "水电安装维修有限公司",
        (
            "PE-PIPE-LEAK",
            "PE-DRAIN-UNBLOCK",
            "PE-TOILET-UNBLOCK",
            "PE-TOILET-CISTERN",
            "PE-TAP",
            "PE-VALVE",
            "PE-WATER-HEATER-INSTALL",
            "PE-CIRCUIT-FAULT",
            "PE-SOCKET-SWITCH",
            "PE-LIGHTING",
            "PE-WIRING",
            "PE-METER",
            "EH-BURST-PIPE",
            "EH-POWER-FAILURE",
            "EH-SEWAGE-BACKFLOW",
        ),
        "daily 00:00-24:00",
        (3, 10),
        28,
    ),
    "appliance": (
        "家电维修服务有限公司",
        (
            "AR-AC-REPAIR",
            "AR-AC-CLEAN",
            "AR-AC-INSTALL",
            "AR-WASHER",
            "AR-FRIDGE",
            "AR-TV",
            "AR-GAS-STOVE",
            "AR-MICROWAVE",
            "AR-WATER-HEATER",
            "AR-SMALL-APPLIANCE",
            "AR-COMPUTER",
        ),
        "daily 08:00-20:00",
        (3, 8),
        24,
    ),
    "repair": (
        "房屋修缮工程有限公司",
        (
            "HR-ROOF-LEAK",
            "HR-WALL-REPAIR",
            "HR-PAINT",
            "HR-TILE",
            "HR-DOOR-WINDOW",
            "HR-SCREEN",
            "HR-WATERPROOF",
            "HR-FURNITURE-ASSEMBLY",
            "HR-FURNITURE-REPAIR",
            "HR-FLOOR",
            "HR-WALL-MOUNT",
        ),
        "mon-sat 08:00-18:00",
        (2, 6),
        18,
    ),
    "eldercare": (
        "养老服务有限公司",
        (
            "EC-MEAL-DELIVERY",
            "EC-DAY-CARE",
            "EC-HOME-CARE",
            "EC-BATH",
            "EC-CLEAN-HELP",
            "EC-AGE-FRIENDLY",
            "EC-ALARM-FOLLOWUP",
            "HK-ELDER-NANNY",
        ),
        "daily 07:00-20:00",
        (4, 12),
        14,
    ),
    "nursing": (
        "护理服务有限公司",
        (
            "ME-HOSPITAL-ESCORT",
            "ME-NIGHT-CARE",
            "ME-INPATIENT-CARE",
            "ME-REGISTRATION",
            "ME-REPORT-PICKUP",
            "ME-REHAB",
            "ME-HOME-NURSING",
            "ME-TRANSFER",
            "ME-DIALYSIS-ESCORT",
        ),
        "daily 00:00-24:00",
        (3, 10),
        10,
    ),
    "locksmith": ("开锁服务部", ("EH-UNLOCK", "HR-LOCK-REPLACE"), "daily 00:00-24:00", (1, 3), 6),
    "legal": (
        "律师事务所",
        (
            "LC-LEGAL-AID",
            "LC-LEASE",
            "LC-CONTRACT",
            "LC-LABOUR",
            "LC-FAMILY",
            "LC-INHERITANCE",
            "LC-CONSUMER",
            "LC-DEBT",
            "LC-DOCUMENT",
        ),
        "mon-fri 08:30-17:30",
        (2, 5),
        5,
    ),
    "staffing": (
        "人力资源有限公司",
        ("EM-JOB-MATCH", "EM-SKILL-TRAIN", "EM-RECRUIT", "EM-DOMESTIC-TRAIN", "EM-FLEX-WORK"),
        "mon-fri 08:30-17:30",
        (2, 5),
        3,
    ),
}
# skill: (item codes, hours, share of the individuals)
SKILLS: dict[str, tuple[tuple[str, ...], str, int]] = {
    "plumber": (
        ("PE-PIPE-LEAK", "PE-DRAIN-UNBLOCK", "PE-TOILET-UNBLOCK", "PE-TAP", "PE-VALVE", "PE-TOILET-CISTERN"),
        "mon-sat 07:30-19:00",
        30,
    ),
    "electrician": (
        ("PE-CIRCUIT-FAULT", "PE-SOCKET-SWITCH", "PE-LIGHTING", "PE-WIRING", "PE-METER"),
        "mon-sat 08:00-19:00",
        22,
    ),
    "appliance": (
        ("AR-AC-REPAIR", "AR-WASHER", "AR-FRIDGE", "AR-TV", "AR-WATER-HEATER", "AR-GAS-STOVE"),
        "daily 08:00-19:00",
        22,
    ),
    "cleaner": (("HK-CLEAN-HOURLY", "HK-COOK", "HK-LAUNDRY", "HK-ORGANISE", "MC-WINDOW"), "mon-sat 08:00-18:00", 30),
    "carer": (
        ("EC-HOME-CARE", "EC-BATH", "ME-HOSPITAL-ESCORT", "ME-NIGHT-CARE", "HK-ELDER-NANNY"),
        "daily 07:00-20:00",
        25,
    ),
    "carpenter": (
        ("HR-DOOR-WINDOW", "HR-FURNITURE-ASSEMBLY", "HR-FURNITURE-REPAIR", "HR-FLOOR", "HR-WALL-MOUNT", "HR-SCREEN"),
        "mon-sat 08:00-18:00",
        15,
    ),
    "barber": (("EC-HAIRCUT", "EC-FOOT-CARE"), "mon-fri 09:00-17:00", 7),
}
VOLUNTEER_ITEMS = (
    "EC-VISIT",
    "EC-BATH",
    "EC-HAIRCUT",
    "EC-MEDICINE",
    "EC-CLEAN-HELP",
    "EC-FOOT-CARE",
    "EC-HEALTH-CHECK",
    "EC-DISABLED-ASSIST",
    "EC-ALARM-FOLLOWUP",
    "HK-ERRAND",
    "HK-SCHOOL-PICKUP",
    "LC-PSYCH",
    "LC-ANTI-FRAUD",
)
WORDS = [
    "嘉禾",
    "禾城",
    "南湖",
    "鸳湖",
    "月河",
    "瑞丰",
    "恒信",
    "安家",
    "邻里",
    "福满",
    "佳洁",
    "康乐",
    "金牌",
    "诚信",
    "万家",
    "惠民",
    "乐居",
    "顺达",
    "安心",
    "益家",
    "和美",
    "优家",
    "红船",
    "秀洲",
    "南溪",
    "梅湾",
    "嘉城",
    "江南",
    "润泽",
    "鑫源",
    "永安",
    "宏达",
    "家福",
    "好帮手",
    "小棉袄",
    "贴心",
    "暖阳",
    "夕阳红",
    "颐和",
    "康宁",
    "一心",
    "至诚",
    "百佳",
    "利民",
    "家和",
    "同心",
    "锦程",
    "兴达",
    "昌盛",
    "长安",
    "东升",
    "新禾",
    "乐邦",
    "诚达",
    "嘉美",
    "福寿",
    "吉祥",
    "平安",
    "和顺",
    "益民",
    "安居",
    "鸿福",
]
STATION_NAME = "嘉兴市南湖区志愿服务总站"
THEMED_SUBSTATIONS = (
    "助老服务分站",
    "助残服务分站",
    "应急救援分站",
    "医疗陪护分站",
    "青年志愿者分站",
    "巾帼志愿者分站",
)
# The sizes of Jiaxing's 96345 resource library (issue #13), less the named sample providers above.
FULL_SIZE = {"company": 166, "individual": 151, "volunteer": 320}
# A few poor providers per rule: (trade, profile, status)
FLAGGED = (
    ("housekeeping", "poor", "active"),
    ("plumbing", "poor", "probation"),
    ("appliance", "weak", "active"),
    ("moving", "complaints", "active"),
    ("plumbing", "expirer", "active"),
    ("appliance", "expirer", "active"),
    ("housekeeping", "decliner", "active"),
    ("repair", "late", "active"),
    ("locksmith", "overcharger", "active"),
)


@dataclass
class Member:
    """A provider of the demo roster, as the history generator needs it."""

    id: int
    kind: str
    name: str
    items: list[str]
    areas: list[str]
    status: str
    profile: str
    weight: float  # share of the work it gets


def _status(rng: random.Random) -> str:
    return rng.choices(("active", "probation", "vetting", "applicant", "suspended", "removed"), (82, 6, 4, 4, 2, 2))[0]


def roster(
    session: Session, settings: Settings, rng: random.Random, people: Any, *, scale: float, actor: Actor
) -> list[Member]:
    """Member companies, skilled individuals and volunteers (a station with 12 substations and a
    service point per community of the district), written by the roster import's bulk writer."""
    items = {item.code: item for item in catalog.list_items(session)}
    district = areas.get(session, code="330402")
    every = areas.list_areas(session)
    streets = [a for a in every if a.level == "street" and a.parent_id == district.id]
    communities = [a for a in every if a.level == "community" and a.parent_id in {s.id for s in streets}]
    other_district = [a for a in every if a.level == "district" and a.id != district.id]
    today = clock.now().astimezone(settings.zone).date()
    sizes = {kind: max(3, round(n * scale)) for kind, n in FULL_SIZE.items()}
    rows: list[ProviderRow] = []
    meta: list[tuple[str, float]] = []  # profile, weight per row
    used_names: set[str] = {p[1] for p in PROVIDERS}

    def add(
        kind: str,
        name: str,
        codes: Sequence[str],
        covered: Sequence[Any],
        span: str,
        capacity: int,
        status: str,
        profile: str,
        weight: float,
        organisation: str | None = None,
    ) -> None:
        documents: dict[str, dt.date] = {}
        if kind == "company":
            documents = {
                "business_licence": today + dt.timedelta(days=rng.randint(120, 1500)),
                "insurance": today + dt.timedelta(days=rng.randint(-10 if status == "probation" else 20, 360)),
            }
        elif kind == "individual":
            documents = {"skill_certificate": today + dt.timedelta(days=rng.randint(15, 1200))}
        courses = {
            "induction": today - dt.timedelta(days=rng.randint(100, 1500)),
            "safety": today - dt.timedelta(days=rng.randint(10, 340)),
        }
        if kind != "volunteer":
            courses["etiquette"] = today - dt.timedelta(days=rng.randint(10, 700))
        if status in ("applicant", "vetting"):
            courses = {}
        rows.append(
            ProviderRow(
                line=len(rows) + 1,
                raw={},
                kind=kind,
                name_zh=name,
                name_en=None,
                phone=people.mobile(),
                other_phones=[],
                items=[items[c] for c in codes if c in items],
                areas=list(covered),
                capacity=capacity,
                status=status,
                organisation=organisation,
                hours=hours.parse(span),
                days_off=[],
                standard_prices=kind != "volunteer",
                language="zh_CN",
                licence_number=f"91330402MA{rng.randrange(10**8):08d}" if kind == "company" else None,
                documents={k: v for k, v in documents.items() if v >= today},
                courses={k: v for k, v in courses.items() if v <= today},
            )
        )
        meta.append((profile, weight))

    def company_name(trade: str) -> str:
        ending = TRADES[trade][0]
        for _ in range(500):
            word = rng.choice(WORDS)
            name = (
                f"浙江{word}{ending}"
                if trade == "legal"
                else (f"嘉兴{word}{ending}" if trade == "locksmith" else f"嘉兴市{word}{ending}")
            )
            if name not in used_names:
                used_names.add(name)
                return name
        raise RuntimeError("ran out of company names")

    trade_names = list(TRADES)
    shares = [TRADES[t][4] for t in trade_names]
    for number in range(sizes["company"]):
        flagged = FLAGGED[number] if number < len(FLAGGED) and scale >= 0.05 else None
        trade = flagged[0] if flagged else rng.choices(trade_names, shares)[0]
        _ending, codes, span, (low, high), _share = TRADES[trade]
        chosen = rng.sample(codes, k=min(len(codes), rng.randint(3, 7))) if not flagged else list(codes)
        covered = (
            [district, *other_district]
            if flagged
            else ([district] if rng.random() < 0.4 else rng.sample(streets, k=rng.randint(1, 3)))
        )
        status = flagged[2] if flagged else _status(rng)
        add(
            "company",
            company_name(trade),
            chosen,
            covered,
            span,
            high if flagged else rng.randint(low, high),
            status,
            flagged[1] if flagged else "good",
            9.0 if flagged else rng.uniform(1.0, 4.0),
        )
    skill_names = list(SKILLS)
    for _ in range(sizes["individual"]):
        skill = rng.choices(skill_names, [SKILLS[s][2] for s in skill_names])[0]
        codes, span, _share = SKILLS[skill]
        home = rng.choice(streets)
        covered = [home] if rng.random() < 0.6 else rng.sample([c for c in communities if c.parent_id == home.id], 2)
        add(
            "individual",
            people.name(unique=True),
            rng.sample(codes, k=min(len(codes), rng.randint(2, 4))),
            covered,
            span,
            rng.randint(1, 2),
            _status(rng),
            "good",
            rng.uniform(0.5, 2.0),
        )
    points = _organisation(session, streets, communities)
    for _ in range(sizes["volunteer"]):
        community = rng.choice(communities)
        span = rng.choice(("sat-sun 09:00-17:00", "mon-fri 14:00-18:00", "daily 08:00-20:00", "wed-sun 09:00-16:00"))
        add(
            "volunteer",
            people.name(unique=True),
            rng.sample(VOLUNTEER_ITEMS, k=rng.randint(2, 4)),
            [community],
            span,
            rng.randint(1, 2),
            rng.choices(("active", "applicant", "vetting"), (90, 6, 4))[0],
            "good",
            rng.uniform(0.2, 1.0),
            organisation=points[community.code],
        )
    ids = bulk.write_rows(session, rows, actor=actor, zone=settings.zone, source="the demo roster")
    return [
        Member(pid, r.kind, r.name_zh, [i.code for i in r.items], [a.code for a in r.areas], r.status, profile, weight)
        for pid, r, (profile, weight) in zip(ids, rows, meta, strict=True)
    ]


def _organisation(session: Session, streets: Sequence[Any], communities: Sequence[Any]) -> dict[str, str]:
    """The volunteer station: a substation per street and six themed ones (12), and a service point
    in each community (50). Returns each community's service point path."""
    paths: dict[str, str] = {}
    for street in streets:
        substation = f"{street.name_zh}志愿服务分站"
        for community in (c for c in communities if c.parent_id == street.id):
            path = f"{STATION_NAME} > {substation} > {community.name_zh}志愿服务点"
            service.get_or_create_org_path(session, path=path)
            paths[community.code] = path
    station = session.scalar(
        select(VolunteerOrg).where(VolunteerOrg.level == "station", VolunteerOrg.name_zh == STATION_NAME)
    )
    for theme in THEMED_SUBSTATIONS:  # substations whose volunteers serve the whole district
        session.add(VolunteerOrg(level="substation", parent=station, name_zh=theme))
    session.flush()
    return paths
