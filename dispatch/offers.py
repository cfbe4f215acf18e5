"""Offers: a ticket reaches a provider.

``suggest`` ranks who may take a ticket (``dispatch.matching`` over ``providers.eligibility``);
``offer`` texts the job to the top candidate, a named one, or the top N at once; ``redispatch``
offers the next candidate when an offer ended without the job (``dispatch.answers``), and
escalates (``dispatch.escalation``) when candidates or rounds run out.

Every step writes a ticket event and a performance-ledger fact (idempotent per ticket and
provider) in the caller's transaction; texts go through the outbox (``dispatch.notify``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload

from config import areas, clock
from config.errors import Conflict, Forbidden, InvalidInput, NotFound
from config.i18n import N_
from config.settings import Settings
from config.staff import Actor, Staff
from dispatch import matching, notify
from dispatch.escalation import escalate
from dispatch.models import LIVE, Offer, Ticket
from dispatch.service import _record, move_ticket
from providers import eligibility, ledger, ratings
from providers.eligibility import Eligibility, Reason
from providers.models import Provider, ProviderArea

MAX_FAN_OUT = 5
# An offer of this ticket a provider already had keeps them out of the next rounds.
TRIED = {
    "live": Reason("offer_live", N_("Has a live offer of this ticket")),
    "declined": Reason("declined", N_("Declined this ticket")),
    "expired": Reason("timed_out", N_("Did not answer this ticket's offer in time")),
    "accepted": Reason("holds_job", N_("Holds this ticket's job")),
}


def ticket_ref(ticket: Ticket) -> str:
    """The ledger's opaque reference back to a ticket."""
    return f"ticket:{ticket.number}"


# --- who may take it --------------------------------------------------------------------------


def open_jobs(session: Session, *, provider_ids: Sequence[int]) -> dict[int, int]:
    """Jobs each provider has in hand (accepted or in service) plus its live offers."""
    if not provider_ids:
        return {}
    ids = list(provider_ids)
    counts: dict[int, int] = {}
    held = select(Ticket.provider_id, func.count()).where(
        Ticket.provider_id.in_(ids), Ticket.status.in_(("accepted", "in_service"))
    )
    live = select(Offer.provider_id, func.count()).where(Offer.provider_id.in_(ids), Offer.status == LIVE)
    for query in (held.group_by(Ticket.provider_id), live.group_by(Offer.provider_id)):
        for provider_id, count in session.execute(query):
            if provider_id is not None:
                counts[provider_id] = counts.get(provider_id, 0) + count
    return counts


def _where(ticket: Ticket) -> tuple[object, object]:
    if ticket.item is None:
        raise InvalidInput(
            f"ticket {ticket.number} has no service item yet: classify it first (hotline ticket classify)"
        )
    community = ticket.community or ticket.resident.community
    if community is None:
        raise InvalidInput(
            f"ticket {ticket.number} has no community: set one first "
            f"(hotline ticket locate {ticket.number} --community ...)"
        )
    return ticket.item, community


def suggest(
    session: Session, *, ticket: Ticket, settings: Settings, prefer: int | None = None, at: dt.datetime | None = None
) -> matching.Ranking:
    """Every provider who offers the ticket's item in its area, ranked best first, with the ones
    who may not take it now and why. ``prefer`` (or the resident's stored preference) goes first
    when eligible."""
    item, community = _where(ticket)
    at = at or clock.now()
    ids = eligibility.candidate_ids(session, item=item, community=community, dispatchable_only=False)  # type: ignore[arg-type]
    # the prefilter guaranteed item and area: load neither collection (lazy: never read), check neither
    # again; documents and trainings are read as plain rows (eligibility.papers), not as collections
    providers = (
        list(
            session.scalars(
                select(Provider)
                .where(Provider.id.in_(ids))
                .order_by(Provider.id)
                .options(
                    lazyload(Provider.items),
                    lazyload(Provider.areas),
                    lazyload(Provider.documents),
                    lazyload(Provider.trainings),
                )
            )
        )
        if ids
        else []
    )
    jobs = open_jobs(session, provider_ids=ids)
    assessed = eligibility.assess(
        session,
        providers=providers,
        at=at,
        zone=settings.zone,
        open_jobs=jobs,
        papers=eligibility.papers(session, provider_ids=ids),
    )
    chain = [area.id for area in areas.ancestors_and_self(community)]  # type: ignore[arg-type]
    coverage: dict[int, set[int]] = {}
    if ids:
        links = select(ProviderArea.provider_id, ProviderArea.area_id).where(
            ProviderArea.provider_id.in_(ids), ProviderArea.area_id.in_(chain)
        )
        for provider_id, area_id in session.execute(links):
            coverage.setdefault(provider_id, set()).add(area_id)
    tried: dict[int, str] = {
        provider_id: status
        for provider_id, status in session.execute(
            select(Offer.provider_id, Offer.status).where(Offer.ticket_id == ticket.id).order_by(Offer.id)
        )
    }
    assessed = [(p, _not_again(verdict, tried.get(p.id))) for p, verdict in assessed]
    config = settings.dispatch
    records = ratings.records(
        session,
        provider_ids=[p.id for p, verdict in assessed if verdict.eligible],
        prior_mean=config.rating_prior_mean,
        prior_weight=config.rating_prior_weight,
        at=at,
    )
    source = "operator"
    if prefer is None and ticket.resident.preferred_provider_id is not None:
        prefer, source = ticket.resident.preferred_provider_id, "resident"
    return matching.rank(
        assessed,
        records=records,
        open_jobs=jobs,
        item=item,  # type: ignore[arg-type]
        community=community,  # type: ignore[arg-type]
        weights=config.weights,
        prefer=prefer,
        prefer_source=source,
        coverage=coverage,
    )


def _not_again(verdict: Eligibility, status: str | None) -> Eligibility:
    if status not in TRIED:
        return verdict
    return Eligibility(eligible=False, reasons=(*verdict.reasons, TRIED[status]))


# --- offering -----------------------------------------------------------------------------------


def offer(
    session: Session,
    *,
    ticket: Ticket,
    settings: Settings,
    actor: Actor,
    staff: Staff | None = None,
    provider_id: int | None = None,
    fan_out: int = 1,
    reason: str | None = None,
    prefer: int | None = None,
) -> list[Offer]:
    """An operator's or dispatcher's offer: to the top candidate, the top ``fan_out``, or the
    named provider (not the top one: an override, which needs a reason and a dispatcher)."""
    if not 1 <= fan_out <= MAX_FAN_OUT:
        raise InvalidInput(f"--fan-out is 1 to {MAX_FAN_OUT}, got {fan_out}")
    if ticket.status not in ("new", "reopened", "dispatching", "offered"):
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}: only new, reopened or dispatching tickets are offered"
        )
    ranking = suggest(session, ticket=ticket, settings=settings, prefer=prefer)
    override = None
    if provider_id is not None:
        if fan_out != 1:
            raise InvalidInput("--provider offers to one provider; leave out --fan-out")
        picks = [(n, c) for n, c in enumerate(ranking.candidates, 1) if c.provider.id == provider_id]
        if not picks:
            raise _not_offerable(session, ranking, provider_id, ticket)
        if picks[0][0] != 1:
            reason = (reason or "").strip()
            if not reason:
                top = ranking.candidates[0].provider
                raise InvalidInput(
                    f"provider {provider_id} is not the top candidate ({top.id} {top.name_zh}): "
                    "an override needs --reason"
                )
            if staff is not None and staff.role == "operator":
                raise Forbidden(f"{staff.name} is an operator: only a dispatcher or above may override the ranking")
            override = reason
    else:
        picks = list(enumerate(ranking.candidates[:fan_out], 1))
        if not picks:
            raise Conflict(f"no provider may take ticket {ticket.number} now: {_summary(ranking)}")
    return _make_offers(session, ticket=ticket, settings=settings, actor=actor, picks=picks, reason=override)


def _not_offerable(session: Session, ranking: matching.Ranking, provider_id: int, ticket: Ticket) -> Exception:
    for left in ranking.excluded:
        if left.provider.id == provider_id:
            why = "; ".join(r.text("en") for r in left.reasons)
            return Conflict(f"provider {provider_id} may not be offered ticket {ticket.number}: {why}")
    if session.get(Provider, provider_id) is None:
        return NotFound(f"no provider with id {provider_id}")
    return Conflict(f"provider {provider_id} does not offer this item in ticket {ticket.number}'s area")


def _summary(ranking: matching.Ranking) -> str:
    if not ranking.excluded:
        return "nobody offers this item in this area"
    codes: dict[str, int] = {}
    for left in ranking.excluded:
        for r in left.reasons:
            codes[r.code] = codes.get(r.code, 0) + 1
    return f"{len(ranking.excluded)} left out (" + ", ".join(f"{c}: {n}" for c, n in sorted(codes.items())) + ")"


def _make_offers(
    session: Session,
    *,
    ticket: Ticket,
    settings: Settings,
    actor: Actor,
    picks: Sequence[tuple[int, matching.Candidate]],
    reason: str | None = None,
) -> list[Offer]:
    now = clock.now()
    if ticket.status in ("new", "reopened"):
        move_ticket(session, ticket=ticket, to="dispatching", actor=actor)
    if ticket.status == "dispatching":
        move_ticket(session, ticket=ticket, to="offered", actor=actor)
    ticket.rounds += 1
    expires = now + settings.dispatch.window(ticket.urgency)
    made = []
    for position, candidate in picks:
        provider = candidate.provider
        row = Offer(
            ticket_id=ticket.id,
            provider=provider,
            code=_free_code(session, provider_id=provider.id, number=ticket.number),
            status=LIVE,
            round=ticket.rounds,
            rank=position,
            score=candidate.score,
            actor=actor.ref,
            reason=reason,
            offered_at=now,
            expires_at=expires,
        )
        session.add(row)
        session.flush()
        ledger.note(session, provider_id=provider.id, kind="offered", at=now, ticket_ref=ticket_ref(ticket))
        _record(
            session,
            ticket,
            kind="offered",
            actor=actor,
            note=reason,
            data={
                "offer": row.id,
                "provider": provider.id,
                "name": provider.name_zh,
                "code": row.code,
                "round": row.round,
                "rank": position,
                "score": candidate.score,
                "expires_at": expires.isoformat(),
                "override": reason is not None,
            },
        )
        notify.offer(session, offer=row, ticket=ticket, settings=settings)
        made.append(row)
    return made


def _free_code(session: Session, *, provider_id: int, number: str) -> str:
    """4 digits unique among the provider's live offers: the ticket number's last four when free."""
    taken = set(session.scalars(select(Offer.code).where(Offer.provider_id == provider_id, Offer.status == LIVE)))
    base = int(number[-4:])
    for step in range(10_000):
        code = f"{(base + step * 37) % 10_000:04d}"  # 37 is prime to 10,000: every code is visited once
        if code not in taken:
            return code
    raise Conflict(f"provider {provider_id} has 10,000 live offers")


def redispatch(
    session: Session, *, ticket: Ticket, settings: Settings, actor: Actor | None = None, ignore_rounds: bool = False
) -> list[Offer]:
    """Offer the ticket to the next candidate (no operator); escalate when the rounds are used
    up or nobody is left. The ticket is ``dispatching`` (or ``new``/``reopened``) when called.
    ``ignore_rounds``: a retry of an escalated ticket (the round limit has done its work)."""
    actor = actor or Actor.system()
    if not ignore_rounds and ticket.rounds >= settings.dispatch.max_rounds:
        escalate(session, ticket=ticket, settings=settings, level="dispatcher", why="rounds")
        return []
    try:
        ranking = suggest(session, ticket=ticket, settings=settings)
    except InvalidInput:
        escalate(session, ticket=ticket, settings=settings, level="dispatcher", why="unroutable")
        return []
    if ranking.top is None:
        escalate(session, ticket=ticket, settings=settings, level="dispatcher", why="no_candidates")
        return []
    return _make_offers(session, ticket=ticket, settings=settings, actor=actor, picks=[(1, ranking.top)])


def live_offers(session: Session, *, ticket: Ticket) -> list[Offer]:
    return list(
        session.scalars(
            select(Offer)
            .where(Offer.ticket_id == ticket.id, Offer.status == LIVE)
            .order_by(Offer.id)
            .options(lazyload(Offer.provider))  # by primary key from the session when it is read
        )
    )


def offers_of(session: Session, *, ticket: Ticket) -> list[Offer]:
    return list(session.scalars(select(Offer).where(Offer.ticket_id == ticket.id).order_by(Offer.id)))
