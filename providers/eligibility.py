"""Who may be offered a job: one function with reasons, and the query for a ticket's candidates.

``check`` is pure: it reads the provider as loaded and the open-job count it is given. Dispatch,
which knows its own open offers and jobs, passes that count; without one, ``eligible_providers``
and ``assess`` take it from the performance ledger (accepted, not yet completed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from config.areas import Area
from config.catalog import ServiceItem
from config.i18n import N_, gettext
from providers import hours as working_hours
from providers import ledger, service
from providers.models import Provider, ProviderArea, ProviderDocument, ProviderItem, ProviderTraining
from providers.states import (
    COURSE_LABELS,
    DISPATCHABLE,
    DOCUMENT_LABELS,
    LABELS,
    REQUIRED_COURSES,
    REQUIRED_DOCUMENTS,
)


class Label(str):
    """A parameter that is itself a message id, translated with the reason."""


class Hours(dict[str, list[str]]):
    """Working hours as a parameter, written out in the reason's language."""


def _localize(value: Any, locale: str) -> Any:
    if isinstance(value, Label):
        return gettext(locale, value)
    if isinstance(value, Hours):
        return working_hours.format(value, locale) or "-"
    return value


@dataclass(frozen=True)
class Reason:
    code: str  # machine code: status, paused, document_missing, document_expired, ...
    message: str  # message id (English), translated by ``text``
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: str) -> str:
        values = {k: _localize(v, locale) for k, v in self.params.items()}
        return gettext(locale, self.message, **values)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[Reason, ...]

    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]


class Paper(NamedTuple):
    """A document or a course as ``check`` reads it: only whether and until when it holds."""

    expires_on: dt.date | None


class Papers(NamedTuple):
    """A provider's newest document of each kind and newest course of each kind, read as rows."""

    documents: Mapping[str, Paper]
    trainings: Mapping[str, Paper]


def papers(session: Session, *, provider_ids: Sequence[int]) -> dict[int, Papers]:
    """``Papers`` for many providers in two plain queries, without loading the ORM collections
    (ranking a ticket's candidates reads nothing else of them). The same choice as
    ``service.latest_documents`` / ``latest_trainings``: the last recorded document of a kind,
    the course completed last."""
    documents: dict[int, dict[str, Paper]] = {pid: {} for pid in provider_ids}
    trainings: dict[int, dict[str, Paper]] = {pid: {} for pid in provider_ids}
    if provider_ids:
        for pid, kind, expires_on in session.execute(
            select(ProviderDocument.provider_id, ProviderDocument.kind, ProviderDocument.expires_on)
            .where(ProviderDocument.provider_id.in_(provider_ids))
            .order_by(ProviderDocument.id)
        ):
            documents[pid][kind] = Paper(expires_on)
        for pid, course, expires_on in session.execute(
            select(ProviderTraining.provider_id, ProviderTraining.course, ProviderTraining.expires_on)
            .where(ProviderTraining.provider_id.in_(provider_ids))
            .order_by(ProviderTraining.completed_on, ProviderTraining.id)
        ):
            trainings[pid][course] = Paper(expires_on)
    return {pid: Papers(documents[pid], trainings[pid]) for pid in provider_ids}


def _covers(provider: Provider, community: Area) -> bool:
    chain = {area.id for area in service._ancestors(community)}
    return any(area.id in chain for area in provider.areas)


def check(
    provider: Provider,
    *,
    at: dt.datetime,
    zone: dt.tzinfo,
    item: ServiceItem | None = None,
    community: Area | None = None,
    open_jobs: int | None = None,
    papers: Papers | None = None,
) -> Eligibility:
    """Whether ``provider`` may be offered ``item`` in ``community`` at ``at``, with every reason
    why not. ``item``/``community`` None skip those two tests (the roster's "dispatchable now");
    ``open_jobs`` None skips the capacity test (the caller has no count); ``papers`` (from
    ``papers()``) stand for the provider's documents and trainings when given."""
    reasons: list[Reason] = []
    if provider.status not in DISPATCHABLE:
        reasons.append(
            Reason(
                "status",
                N_("Status is {status}: only active or probation providers get offers"),
                {"status": Label(LABELS[provider.status])},
            )
        )
    if provider.paused:
        reasons.append(Reason("paused", N_("Paused by text message (PAUSE); RESUME restarts offers")))
    local = at.astimezone(zone)
    today = local.date()
    documents: Mapping[str, Any] = papers.documents if papers else service.latest_documents(provider)
    for kind in REQUIRED_DOCUMENTS[provider.kind]:
        document = documents.get(kind)
        if document is None:
            reasons.append(
                Reason("document_missing", N_("{document} not on file"), {"document": Label(DOCUMENT_LABELS[kind])})
            )
        elif document.expires_on is not None and document.expires_on < today:
            reasons.append(
                Reason(
                    "document_expired",
                    N_("{document} expired on {date}"),
                    {"document": Label(DOCUMENT_LABELS[kind]), "date": document.expires_on.isoformat()},
                )
            )
    trainings: Mapping[str, Any] = papers.trainings if papers else service.latest_trainings(provider)
    for course in REQUIRED_COURSES[provider.kind]:
        training = trainings.get(course)
        if training is None:
            reasons.append(
                Reason(
                    "training_missing", N_("{course} training not recorded"), {"course": Label(COURSE_LABELS[course])}
                )
            )
        elif training.expires_on is not None and training.expires_on < today:
            reasons.append(
                Reason(
                    "training_expired",
                    N_("{course} training expired on {date}"),
                    {"course": Label(COURSE_LABELS[course]), "date": training.expires_on.isoformat()},
                )
            )
    if item is not None and all(offered.id != item.id for offered in provider.items):
        reasons.append(Reason("item_not_offered", N_("Does not offer {item}"), {"item": item.code}))
    if community is not None and not _covers(provider, community):
        reasons.append(Reason("area_not_covered", N_("Does not cover {area}"), {"area": community.code}))
    if today.isoformat() in provider.days_off:
        reasons.append(Reason("day_off", N_("Day off on {date}"), {"date": today.isoformat()}))
    elif not working_hours.is_working(provider.hours, provider.days_off, local):
        reasons.append(
            Reason(
                "outside_hours",
                N_("Outside working hours ({hours})"),
                {"hours": Hours(provider.hours)},
            )
        )
    if open_jobs is not None and open_jobs >= provider.capacity:
        reasons.append(
            Reason(
                "at_capacity",
                N_("At capacity: {open} of {capacity} jobs open"),
                {"open": open_jobs, "capacity": provider.capacity},
            )
        )
    return Eligibility(eligible=not reasons, reasons=tuple(reasons))


def assess(
    session: Session,
    *,
    providers: Sequence[Provider],
    at: dt.datetime,
    zone: dt.tzinfo,
    item: ServiceItem | None = None,
    community: Area | None = None,
    open_jobs: Mapping[int, int] | None = None,
    papers: Mapping[int, Papers] | None = None,
) -> list[tuple[Provider, Eligibility]]:
    """``check`` for each provider, with open jobs from ``open_jobs`` or else from the ledger,
    and the documents and trainings from ``papers`` when given."""
    counts = (
        open_jobs if open_jobs is not None else ledger.open_jobs(session, provider_ids=[p.id for p in providers], at=at)
    )
    return [
        (
            p,
            check(
                p,
                at=at,
                zone=zone,
                item=item,
                community=community,
                open_jobs=counts.get(p.id, 0),
                papers=papers.get(p.id) if papers is not None else None,
            ),
        )
        for p in providers
    ]


def candidate_ids(session: Session, *, item: ServiceItem, community: Area, dispatchable_only: bool = True) -> list[int]:
    """The SQL prefilter on indexed columns: dispatchable status, not paused, offers the item,
    covers the community or its street or district. ``dispatchable_only=False`` keeps every
    status (a dispatcher asking "who would do this, and why not the others?")."""
    chain = [area.id for area in service._ancestors(community)]
    # IN (subquery) rather than correlated EXISTS: SQLite then reads the (item_id, provider_id)
    # and (area_id, provider_id) link indexes instead of scanning every provider
    conditions: list[ColumnElement[bool]] = [
        Provider.id.in_(select(ProviderItem.provider_id).where(ProviderItem.item_id == item.id)),
        Provider.id.in_(select(ProviderArea.provider_id).where(ProviderArea.area_id.in_(chain))),
    ]
    if dispatchable_only:
        conditions += [Provider.status.in_(sorted(DISPATCHABLE)), Provider.paused.is_(False)]
    return list(session.scalars(select(Provider.id).where(*conditions).order_by(Provider.id)))


def eligible_providers(
    session: Session,
    *,
    item: ServiceItem,
    community: Area,
    at: dt.datetime,
    zone: dt.tzinfo,
    open_jobs: Mapping[int, int] | None = None,
) -> list[Provider]:
    """Providers who may be offered ``item`` in ``community`` at ``at``: an indexed SQL prefilter,
    then ``check`` (documents, training, hours, capacity) on the few left."""
    ids = candidate_ids(session, item=item, community=community)
    if not ids:
        return []
    providers = list(session.scalars(select(Provider).where(Provider.id.in_(ids)).order_by(Provider.id)))
    assessed = assess(
        session, providers=providers, at=at, zone=zone, item=item, community=community, open_jobs=open_jobs
    )
    return [provider for provider, verdict in assessed if verdict.eligible]
