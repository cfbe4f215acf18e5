"""Marking a run: a pure function of what happened (``Facts``), so a constructed run can be
scored in a test. Each criterion is worth points; the score is the share earned, 0-100."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from config.i18n import N_
from hotline.training.scenarios import Scenario

READY_SCORE = 80  # a trainee whose latest run of every scenario scored this much is ready

# criterion -> (points, message id of its name)
CRITERIA: dict[str, tuple[int, str]] = {
    "time_to_ticket": (20, N_("Time to ticket")),
    "item": (20, N_("Service item right")),
    "community": (15, N_("Community right")),
    "urgency": (15, N_("Urgency right")),
    "offer": (20, N_("Offer made")),
    "resident_told": (10, N_("Resident told")),
}


@dataclass(frozen=True)
class Facts:
    """What the trainee's ticket looked like when the run was scored."""

    started_at: dt.datetime
    ticket_number: str | None = None
    ticket_at: dt.datetime | None = None  # when the ticket was opened (texted scenarios: when triaged)
    item: str | None = None
    community: str | None = None
    urgency: str | None = None
    offers: int = 0  # offers made on the ticket
    trainee_offers: int = 0  # of those, offers the trainee made (not the engine's automatic re-offers)
    offers_after_decline: int = 0  # offers made after a provider declined
    declined: int = 0
    resident_told: bool = False  # a text to the resident about the ticket left through the outbox


@dataclass(frozen=True)
class Mark:
    criterion: str
    points: int
    of: int
    found: dict[str, Any]  # what was found and what was right (codes, counts, seconds): shown translated


def time_points(seconds: float, target: int, points: int) -> int:
    """Full points within the target, none at three times the target or later, linear between."""
    if seconds <= target:
        return points
    if seconds >= 3 * target:
        return 0
    return round(points * (3 * target - seconds) / (2 * target))


def score(scenario: Scenario, facts: Facts) -> tuple[int, list[Mark]]:
    marks: list[Mark] = []

    def mark(criterion: str, earned: float, **found: Any) -> None:
        points = CRITERIA[criterion][0]
        marks.append(Mark(criterion, round(points * earned), points, found))

    of = CRITERIA["time_to_ticket"][0]
    if facts.ticket_at is None:
        marks.append(Mark("time_to_ticket", 0, of, {"seconds": None, "target": scenario.target_seconds}))
    else:
        seconds = round(max(0.0, (facts.ticket_at - facts.started_at).total_seconds()))
        points = time_points(seconds, scenario.target_seconds, of)
        marks.append(Mark("time_to_ticket", points, of, {"seconds": seconds, "target": scenario.target_seconds}))
    mark("item", facts.item in scenario.items, value=facts.item, right=", ".join(scenario.items))
    mark("community", facts.community == scenario.community, value=facts.community, right=scenario.community)
    mark("urgency", facts.urgency == scenario.urgency, value=facts.urgency, right=scenario.urgency)
    counts = {
        "offers": facts.offers,
        "by_trainee": facts.trainee_offers,
        "declined": facts.declined,
        "after": facts.offers_after_decline,
    }
    # The points are for the trainee's own offer; after a decline the ticket must also have been
    # offered again (by the engine at once, or by the trainee when nobody else was left).
    again = scenario.provider != "decline_first" or facts.offers_after_decline > 0
    mark("offer", facts.trainee_offers > 0 and again, **counts)
    mark("resident_told", facts.resident_told, told=facts.resident_told)
    total = sum(m.points for m in marks)
    return round(100 * total / sum(points for points, _ in CRITERIA.values())), marks


def marks_json(marks: list[Mark], facts: Facts) -> dict[str, object]:
    return {
        "marks": [asdict(m) for m in marks],
        "facts": {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in asdict(facts).items()},
    }
