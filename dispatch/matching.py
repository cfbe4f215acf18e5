"""Ranking the providers who may take a ticket: pure, deterministic, explained.

``rank`` takes what ``providers.eligibility`` decided and what ``providers.ratings`` knows, and
returns the eligible providers best first, each with its score, the components of the score and
its reasons in words, plus the providers left out with why. The same input gives the same order
(ties go to the lower provider id). Weights live in ``[dispatch.weights]`` of config/default.toml.

Components, each 0..1, summed with their weights:
- ``rating``: the Bayesian rating (1..5) mapped to 0..1;
- ``acceptance`` and ``on_time``: the provider's (shrunk) rates;
- ``load``: the share of its capacity still free (jobs in hand and live offers count);
- ``fairness``: fewer offers in the last 30 days than the busiest candidate scores higher, so equal
  providers take turns and a poorer one still gets some work;
- ``proximity``: covers the ticket's community 1, its street 0.6, its district 0.3;
- ``welfare_volunteer``: a welfare item, and a volunteer covering the resident's own community.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from config.areas import Area
from config.catalog import ServiceItem
from config.i18n import N_
from config.settings import DispatchWeights
from providers.eligibility import Eligibility, Reason
from providers.models import Provider
from providers.ratings import Record

PROXIMITY = {"community": 1.0, "street": 0.6, "district": 0.3, "none": 0.0}
PROXIMITY_REASONS = {
    "community": N_("Same community"),
    "street": N_("Same street"),
    "district": N_("Same district"),
}


@dataclass(frozen=True)
class Candidate:
    provider: Provider
    score: float
    components: dict[str, dict[str, Any]]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Excluded:
    provider: Provider
    reasons: tuple[Reason, ...]


@dataclass
class Ranking:
    candidates: list[Candidate] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    preferred: Excluded | None = None  # the provider asked for, when not eligible (with why)

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def proximity_of(provider: Provider, community: Area | None, covered: Iterable[int] | None = None) -> str:
    """How close the provider's coverage (``covered`` area ids, else its ``areas``) comes to the
    ticket's community."""
    if community is None:
        return "none"
    covered = set(covered) if covered is not None else {area.id for area in provider.areas}
    level_of = {community.id: "community"}
    parent = community.parent
    while parent is not None:
        level_of[parent.id] = parent.level
        parent = parent.parent
    best = "none"
    for area_id, level in level_of.items():
        if area_id in covered and PROXIMITY.get(level, 0) > PROXIMITY[best]:
            best = level
    return best


def rank(
    assessed: Sequence[tuple[Provider, Eligibility]],
    *,
    records: Mapping[int, Record],
    open_jobs: Mapping[int, int],
    item: ServiceItem,
    community: Area | None,
    weights: DispatchWeights,
    prefer: int | None = None,
    prefer_source: str = "operator",
    coverage: Mapping[int, Iterable[int]] | None = None,
) -> Ranking:
    """Rank ``assessed`` (provider, eligibility) pairs; see the module docstring. ``coverage``:
    each provider's covered area ids (default: read from ``provider.areas``)."""
    ranking = Ranking()
    eligible = [p for p, verdict in assessed if verdict.eligible]
    busiest = max((records[p.id].offers_recent for p in eligible if p.id in records), default=0)
    scored = []
    for provider, verdict in assessed:
        if not verdict.eligible:
            ranking.excluded.append(Excluded(provider, verdict.reasons))
            continue
        record = records[provider.id]
        covered = coverage.get(provider.id, ()) if coverage is not None else None
        components, reasons = _components(
            provider,
            record,
            open_jobs.get(provider.id, 0),
            busiest,
            item=item,
            proximity=proximity_of(provider, community, covered),
            weights=weights,
        )
        score = round(sum(c["score"] * c["weight"] for c in components.values()), 4)
        scored.append(Candidate(provider, score, components, reasons))
    scored.sort(key=lambda c: (-c.score, c.provider.id))
    if prefer is not None:
        chosen = [c for c in scored if c.provider.id == prefer]
        if chosen:
            asked = Reason(
                "preferred",
                N_("Asked for by the resident") if prefer_source == "resident" else N_("Named by the dispatcher"),
            )
            first = Candidate(chosen[0].provider, chosen[0].score, chosen[0].components, (asked, *chosen[0].reasons))
            scored = [first, *(c for c in scored if c.provider.id != prefer)]
        else:
            left_out = [e for e in ranking.excluded if e.provider.id == prefer]
            if left_out:
                ranking.preferred = left_out[0]
    ranking.candidates = scored
    ranking.excluded.sort(key=lambda e: e.provider.id)
    return ranking


def _components(
    provider: Provider,
    record: Record,
    open_now: int,
    busiest: int,
    *,
    item: ServiceItem,
    proximity: str,
    weights: DispatchWeights,
) -> tuple[dict[str, dict[str, Any]], tuple[Reason, ...]]:
    reasons: list[Reason] = []
    if proximity in PROXIMITY_REASONS:
        reasons.append(Reason(f"same_{proximity}", PROXIMITY_REASONS[proximity]))
    if record.surveys:
        reasons.append(
            Reason(
                "rating",
                N_("Rating {rating} from {surveys} surveys"),
                {"rating": f"{record.rating:.1f}", "surveys": record.surveys},
            )
        )
    else:
        reasons.append(Reason("rating_new", N_("No surveys yet (rated {rating})"), {"rating": f"{record.rating:.1f}"}))
    capacity = max(provider.capacity, 1)
    free = max(0.0, 1 - open_now / capacity)
    reasons.append(Reason("load", N_("{open} of {capacity} jobs in hand"), {"open": open_now, "capacity": capacity}))
    reasons.append(Reason("offers_30d", N_("{offers} offers in the last 30 days"), {"offers": record.offers_recent}))
    if record.offers:
        reasons.append(
            Reason(
                "acceptance",
                N_("Accepted {accepted} of {offers} offers"),
                {"accepted": record.accepted, "offers": record.offers},
            )
        )
    welfare = item.welfare and provider.kind == "volunteer" and proximity == "community"
    if welfare:
        reasons.append(Reason("welfare_volunteer", N_("Volunteer of the resident's community (welfare service)")))
    components: dict[str, dict[str, Any]] = {
        "rating": {"score": (record.rating - 1) / 4, "rating": record.rating, "surveys": record.surveys},
        "acceptance": {
            "score": record.acceptance_rate,
            "rate": record.acceptance_rate,
            "accepted": record.accepted,
            "offers": record.offers,
        },
        "on_time": {"score": record.on_time_rate, "rate": record.on_time_rate, "completed": record.completed},
        "load": {"score": free, "open": open_now, "capacity": capacity},
        "fairness": {"score": 1 - record.offers_recent / (busiest + 1), "offers_30d": record.offers_recent},
        "proximity": {"score": PROXIMITY[proximity], "level": proximity},
        "welfare_volunteer": {"score": 1.0 if welfare else 0.0},
    }
    for name, component in components.items():
        component["weight"] = getattr(weights, name)
        component["score"] = round(component["score"], 4)
    return components, tuple(reasons)
