from __future__ import annotations

import itertools

import pytest

from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import service
from dispatch.states import STATUSES, TRANSITIONS, IllegalTransition, check_transition
from tests import factories

LEGAL = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]
ILLEGAL = [(a, b) for a, b in itertools.product(STATUSES, STATUSES) if b not in TRANSITIONS[a]]

# How to reach each status from "new" along legal steps.
PATHS = {
    "new": [],
    "dispatching": ["dispatching"],
    "offered": ["dispatching", "offered"],
    "accepted": ["dispatching", "offered", "accepted"],
    "in_service": ["dispatching", "offered", "accepted", "in_service"],
    "completed": ["dispatching", "offered", "accepted", "in_service", "completed"],
    "surveyed": ["dispatching", "offered", "accepted", "in_service", "completed", "surveyed"],
    "closed": ["dispatching", "offered", "accepted", "in_service", "completed", "closed"],
    "cancelled": ["cancelled"],
    "reopened": ["cancelled", "reopened"],
}


def test_every_status_has_a_rule_and_a_path() -> None:
    assert set(TRANSITIONS) == set(STATUSES) == set(PATHS)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_illegal_steps_are_refused_by_the_rules(current: str, target: str) -> None:
    with pytest.raises(IllegalTransition, match=f"cannot go from {current} to {target}"):
        check_transition(current, target)


def test_unknown_status_is_refused() -> None:
    with pytest.raises(Exception, match="unknown status 'done'"):
        check_transition("new", "done")


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_every_legal_step_is_performed_and_audited(db: Database, settings: Settings, current: str, target: str) -> None:
    with db.transaction() as session:
        ticket = factories.ticket(session, settings)
        for step in PATHS[current]:
            service.move_ticket(session, ticket=ticket, to=step, actor=Actor.system())
        assert ticket.status == current
        event = service.move_ticket(session, ticket=ticket, to=target, actor=Actor("staff:1"), note="why")
        number = ticket.number
    with db.read() as session:
        stored = service.get_ticket(session, number=number)
        assert stored.status == target
        last = stored.events[-1]
        assert (last.kind, last.from_status, last.to_status, last.actor, last.note) == (
            "status",
            current,
            target,
            "staff:1",
            "why",
        )
        assert last.id == event.id
        assert len(stored.events) == 1 + len(PATHS[current]) + 1


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "completed"),
        ("closed", "new"),
        ("in_service", "cancelled"),
        ("cancelled", "dispatching"),
        ("surveyed", "surveyed"),
    ],
)
def test_an_illegal_step_changes_nothing(db: Database, settings: Settings, current: str, target: str) -> None:
    with db.transaction() as session:
        ticket = factories.ticket(session, settings)
        for step in PATHS[current]:
            service.move_ticket(session, ticket=ticket, to=step, actor=Actor.system())
        number, events = ticket.number, len(ticket.events)
    with pytest.raises(IllegalTransition), db.transaction() as session:
        service.move_ticket(session, ticket=service.get_ticket(session, number=number), to=target, actor=Actor.system())
    with db.read() as session:
        stored = service.get_ticket(session, number=number)
        assert stored.status == current
        assert len(stored.events) == events


def test_closing_stamps_and_reopening_clears_closed_at(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        ticket = factories.ticket(session, settings)
        service.move_ticket(session, ticket=ticket, to="cancelled", actor=Actor.system())
        assert ticket.closed_at is not None
        service.move_ticket(session, ticket=ticket, to="reopened", actor=Actor.system())
        assert ticket.closed_at is None
