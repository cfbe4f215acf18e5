"""A provider's way from applicant to active, and every step's audit row."""

from __future__ import annotations

import pytest

from config.db import Database
from config.errors import InvalidInput
from config.settings import Settings
from config.staff import Actor
from providers import service
from providers.states import CHECKLIST, STATUSES, TRANSITIONS, IllegalTransition, check_transition
from tests.providers import builders


def test_every_status_has_its_steps_and_none_leads_nowhere() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    for targets in TRANSITIONS.values():
        assert targets and targets <= set(STATUSES)
    check_transition("applicant", "vetting")
    with pytest.raises(IllegalTransition, match="cannot go from applicant to active"):
        check_transition("applicant", "active")
    with pytest.raises(InvalidInput, match="unknown status"):
        check_transition("active", "retired")


def test_supervisor_vets_and_approves_an_applicant_with_an_audit_trail(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        boss = builders.supervisor(session)
        clerk = builders.operator(session)
        p = builders.provider(session, settings, kind="individual", status="applicant")
        service.change_status(
            session, provider=p, to="vetting", actor=Actor.of_staff(clerk), reason="papers in", staff=clerk
        )
        with pytest.raises(InvalidInput, match="checklist incomplete: identity, skill_certificate"):
            service.change_status(session, provider=p, to="active", actor=Actor.of_staff(boss), reason="ok", staff=boss)
        for item in CHECKLIST["individual"]:
            service.check_vetting_item(session, provider=p, item=item, staff=clerk)
        with pytest.raises(InvalidInput, match=r"supervisor's decision \(王芳's role is operator\)"):
            service.change_status(
                session, provider=p, to="active", actor=Actor.of_staff(clerk), reason="ok", staff=clerk
            )
        assert p.status == "vetting"
        service.change_status(
            session, provider=p, to="probation", actor=Actor.of_staff(boss), reason="new plumber: 3 months", staff=boss
        )
        events = service.events_of(session, provider=p)
    steps = [(e.kind, e.from_status, e.to_status, e.actor, e.note) for e in events if e.kind in ("created", "status")]
    assert steps == [
        ("created", None, "applicant", "system", None),
        ("status", "applicant", "vetting", f"staff:{clerk.id}", "papers in"),
        ("status", "vetting", "probation", f"staff:{boss.id}", "new plumber: 3 months"),
    ]
    assert [e.data["item"] for e in events if e.kind == "vetting_check"] == list(CHECKLIST["individual"])


def test_suspension_needs_a_reason_and_reinstatement_needs_a_supervisor(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        clerk = builders.operator(session)
        boss = builders.supervisor(session)
        p = builders.provider(session, settings)
        with pytest.raises(InvalidInput, match="say why"):
            service.change_status(
                session, provider=p, to="suspended", actor=Actor.of_staff(clerk), reason=" ", staff=clerk
            )
        service.change_status(
            session,
            provider=p,
            to="suspended",
            actor=Actor.of_staff(clerk),
            reason="3 complaints in a week",
            staff=clerk,
        )
        with pytest.raises(InvalidInput, match="supervisor"):
            service.change_status(
                session, provider=p, to="active", actor=Actor.of_staff(clerk), reason="ok", staff=clerk
            )
        service.change_status(
            session, provider=p, to="active", actor=Actor.of_staff(boss), reason="retrained", staff=boss
        )
        service.change_status(session, provider=p, to="removed", actor=Actor.of_staff(boss), reason="left", staff=boss)
        with pytest.raises(IllegalTransition):
            service.change_status(
                session, provider=p, to="active", actor=Actor.of_staff(boss), reason="back", staff=boss
            )
        assert p.status == "removed"


def test_a_checklist_item_of_another_kind_is_refused(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        boss = builders.supervisor(session)
        p = builders.provider(session, settings, kind="volunteer", status="applicant")
        with pytest.raises(InvalidInput, match="not on the volunteer checklist"):
            service.check_vetting_item(session, provider=p, item="site_visit", staff=boss)
        first = service.check_vetting_item(session, provider=p, item="identity", staff=boss)
        assert service.check_vetting_item(session, provider=p, item="identity", staff=boss) is first
        assert service.missing_checks(p) == ["organisation", "induction"]
