"""Dispatch's sweepers, run by the scheduler (``hotline serve``) or once by name
(``hotline jobs run dispatch.offers [--at ISO-8601]``):

- ``dispatch.offers``: expire offers past their window and offer the next candidate; withdraw the
  live offers and not-yet-started jobs of providers suspended or removed since (``stand_down``);
- ``dispatch.sla``: mark tickets at risk, escalate breached ones to a supervisor;
- ``dispatch.auto``: offer new tickets of the automatic categories without an operator, and try
  escalated automatic tickets again every ``retry_minutes`` (a provider may have freed up).

Each row is handled in a transaction of its own, so one bad ticket costs only itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import or_, select

from config import clock
from config.catalog import Category, ServiceItem
from config.db import Database
from config.settings import Settings
from dispatch import answers, escalation, offers
from dispatch.models import LIVE, Offer, Ticket
from providers.models import Provider
from providers.states import DISPATCHABLE

log = logging.getLogger("hotline.dispatch")
BATCH = 100


def _each(db: Database, ids: list[int], step: Callable[..., bool], **kwargs: object) -> int:
    done = 0
    for row_id in ids:
        try:
            with db.transaction() as session:
                done += bool(step(session, row_id, **kwargs))
        except Exception:
            log.exception("dispatch: %s failed on %s", step.__name__, row_id)
    return done


def expire_offers(db: Database, settings: Settings) -> int:
    with db.read() as session:
        ids = list(
            session.scalars(
                select(Offer.id)
                .where(Offer.status == LIVE, Offer.expires_at <= clock.now())
                .order_by(Offer.expires_at, Offer.id)
                .limit(BATCH)
            )
        )

    def step(session, offer_id: int, settings: Settings) -> bool:  # type: ignore[no-untyped-def]
        row = session.get(Offer, offer_id)
        return row is not None and row.status == LIVE and answers.expire(session, offer=row, settings=settings)

    return _each(db, ids, step, settings=settings)


def stand_down_ineligible(db: Database, settings: Settings) -> int:
    """Offers and jobs in hand whose provider may no longer take jobs: withdrawn, re-dispatched."""
    with db.read() as session:
        ids = list(
            session.scalars(
                select(Offer.id)
                .join(Provider, Provider.id == Offer.provider_id)
                .join(Ticket, Ticket.id == Offer.ticket_id)
                .where(
                    Provider.status.not_in(DISPATCHABLE),
                    or_(Offer.status == LIVE, (Offer.status == "accepted") & (Ticket.status == "accepted")),
                )
                .order_by(Offer.id)
                .limit(BATCH)
            )
        )

    def step(session, offer_id: int, settings: Settings) -> bool:  # type: ignore[no-untyped-def]
        row = session.get(Offer, offer_id)
        return row is not None and answers.stand_down(session, offer=row, settings=settings)

    return _each(db, ids, step, settings=settings)


def sweep_offers(db: Database, settings: Settings) -> int:
    """The ``dispatch.offers`` job: offers past their window, then those of stood-down providers."""
    return expire_offers(db, settings) + stand_down_ineligible(db, settings)


def watch_sla(db: Database, settings: Settings) -> int:
    with db.transaction() as session:
        return escalation.watch(session, settings=settings)


def auto_dispatch(db: Database, settings: Settings) -> int:
    """Offer what may go without an operator: returns how many tickets got an offer."""
    config = settings.dispatch
    if not config.auto_categories:
        return 0
    now = clock.now()
    with db.read() as session:
        items = select(ServiceItem.id).join(Category).where(Category.code.in_(config.auto_categories))
        fresh = (
            select(Ticket.id)
            .where(
                Ticket.status.in_(("new", "reopened")),
                Ticket.item_id.in_(items),
                Ticket.community_id.is_not(None),
                Ticket.resolution.is_(None),
                or_(Ticket.item_confidence.is_(None), Ticket.item_confidence >= settings.classifier_precision_target),
            )
            .order_by(Ticket.created_at, Ticket.id)
            .limit(BATCH)
        )
        waiting = (
            select(Ticket.id)
            .where(
                Ticket.status == "dispatching",
                Ticket.escalation == "dispatcher",
                Ticket.item_id.in_(items),
                Ticket.updated_at <= now - dt.timedelta(minutes=config.retry_minutes),
            )
            .order_by(Ticket.updated_at, Ticket.id)
            .limit(BATCH)
        )
        ids = list(session.scalars(fresh)) + list(session.scalars(waiting))
    return _each(db, ids, _offer_automatically, settings=settings)


def _offer_automatically(session, ticket_id: int, settings: Settings) -> bool:  # type: ignore[no-untyped-def]
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        return False
    if ticket.status in ("new", "reopened"):
        made = offers.redispatch(session, ticket=ticket, settings=settings)
        if made and ticket.urgency == "emergency":
            escalation.alert(session, ticket=ticket, settings=settings)
        return bool(made)
    if ticket.status == "dispatching":  # escalated before: anyone new since?
        made = offers.redispatch(session, ticket=ticket, settings=settings, ignore_rounds=True)
        if not made:
            ticket.updated_at = clock.now()  # wait another retry interval
        return bool(made)
    return False
