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
from providers.demo_trades import (
    FLAGGED,
    FULL_SIZE,
    SKILLS,
    STATION_NAME,
    THEMED_SUBSTATIONS,
    TRADES,
    VOLUNTEER_ITEMS,
    WORDS,
)
from providers.imports import ProviderRow
from providers.models import VolunteerOrg


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
    record: int | None = None  # FLAGGED: the record starts this many months back (None: the 90 days)


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
    meta: list[tuple[str, float, int | None]] = []  # profile, weight, record per row
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
        record: int | None = None,
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
        meta.append((profile, weight, record))

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
            record=flagged[3] if flagged else None,
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
        Member(pid, r.kind, r.name_zh, [i.code for i in r.items], [a.code for a in r.areas], r.status, *extra)
        for pid, r, extra in zip(ids, rows, meta, strict=True)
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
