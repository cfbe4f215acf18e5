"""The volunteers report: service hours (the ledger's service_hours facts) and welfare jobs done
(completions) of volunteers, summed up the organisation tree: station > substation > service point
> volunteer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.periods import Period
from hotline.reports.figures import COMPLETED
from providers.models import LedgerEntry, Provider, VolunteerOrg


@dataclass
class OrgRow:
    level: str  # station, substation, point, volunteer
    name: str
    depth: int
    hours: float
    jobs: int


@dataclass
class VolunteersReport:
    period: Period
    rows: list[OrgRow]
    hours: float
    jobs: int
    volunteers: int


def volunteers(session: Session, *, period: Period, locale: str) -> VolunteersReport:
    """Hours (the ledger's service_hours) and welfare jobs done (completions) of volunteers, summed
    up the organisation tree: station > substation > service point > volunteer."""
    facts = session.execute(
        select(LedgerEntry.provider_id, LedgerEntry.kind, func.count(), func.sum(LedgerEntry.value))
        .join(Provider, Provider.id == LedgerEntry.provider_id)
        .where(
            Provider.kind == "volunteer",
            LedgerEntry.kind.in_(("service_hours", *COMPLETED)),
            LedgerEntry.at >= period.start,
            LedgerEntry.at < period.end,
        )
        .group_by(LedgerEntry.provider_id, LedgerEntry.kind)
    )
    hours: dict[int, float] = defaultdict(float)
    jobs: dict[int, int] = defaultdict(int)
    for provider_id, kind, count, total in facts:
        if kind == "service_hours":
            hours[provider_id] += float(total or 0)
        else:
            jobs[provider_id] += int(count)
    people = (
        {p.id: p for p in session.scalars(select(Provider).where(Provider.id.in_(set(hours) | set(jobs))))}
        if (hours or jobs)
        else {}
    )
    orgs = {o.id: o for o in session.scalars(select(VolunteerOrg))}
    org_hours: dict[int, float] = defaultdict(float)
    org_jobs: dict[int, int] = defaultdict(int)
    members: dict[int | None, list[int]] = defaultdict(list)
    for pid, person in people.items():
        members[person.organisation_id].append(pid)
        org_id = person.organisation_id
        while org_id is not None:
            org_hours[org_id] += hours[pid]
            org_jobs[org_id] += jobs[pid]
            org_id = orgs[org_id].parent_id
    children: dict[int | None, list[int]] = defaultdict(list)
    for org in orgs.values():
        children[org.parent_id].append(org.id)
    rows: list[OrgRow] = []

    def name_of(org: VolunteerOrg) -> str:
        return (org.name_en or org.name_zh) if locale == "en" else org.name_zh

    def walk(parent: int | None, depth: int) -> None:
        for org_id in sorted(children[parent], key=lambda i: (-org_hours[i], orgs[i].name_zh)):
            if org_hours[org_id] or org_jobs[org_id]:
                org = orgs[org_id]
                rows.append(OrgRow(org.level, name_of(org), depth, round(org_hours[org_id], 1), org_jobs[org_id]))
                walk(org_id, depth + 1)
                for pid in sorted(members[org_id], key=lambda i: -hours[i]):
                    rows.append(
                        OrgRow("volunteer", people[pid].name(locale), depth + 1, round(hours[pid], 1), jobs[pid])
                    )

    walk(None, 0)
    for pid in sorted(members[None], key=lambda i: -hours[i]):
        rows.append(OrgRow("volunteer", people[pid].name(locale), 0, round(hours[pid], 1), jobs[pid]))
    return VolunteersReport(
        period=period,
        rows=rows,
        hours=round(sum(hours.values()), 1),
        jobs=sum(jobs.values()),
        volunteers=len(people),
    )
