"""A ticket reaches a provider: offer by text, answers by text in both languages, the next
candidate after a decline or a timeout, escalation, the resident kept informed, the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from config import clock
from config.db import Database
from config.errors import Conflict, Forbidden, InvalidInput
from config.settings import Settings
from config.staff import Actor
from dispatch import answers, lifecycle, offers
from dispatch.models import TicketEvent
from hotline import scheduler
from providers import service as provider_service
from tests.dispatch import scene
from tests.dispatch.scene import NOW, PLUMBERS, RESIDENT
from tests.providers import builders


@pytest.fixture(autouse=True)
def friday_morning() -> Iterator[None]:
    with clock.freeze(NOW):
        yield


says = scene.says  # the texts go through the real intake


def two_plumbers_and_a_leak(db: Database, settings: Settings, **leak: object) -> str:
    with db.transaction() as session:
        scene.plumber(session, settings, 0, area_codes=(scene.COMMUNITY,))  # same community: ranks first
        scene.plumber(session, settings, 1)  # covers the street
        return scene.leak(session, settings, **leak).number  # type: ignore[arg-type]


def offer_top(db: Database, settings: Settings, number: str, **kwargs: object) -> list[str]:
    with db.transaction() as session:
        made = offers.offer(
            session, ticket=scene.ticket(session, number), settings=settings, actor=Actor("cli"), **kwargs
        )  # type: ignore[arg-type]
        return [o.code for o in made]


def test_an_offer_texts_the_job_without_the_address_and_the_acceptance_gives_both_sides_the_details(
    db: Database, settings: Settings
) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    (code,) = offer_top(db, settings, number)
    assert code == number[-4:]
    with db.read() as session:
        (offer_text,) = scene.texts_to(session, PLUMBERS[0])
        assert f"接 {code} 接单" in offer_text.body and "50元/次" in offer_text.body
        assert "南湖社区" in offer_text.body and "南湖街道" in offer_text.body
        assert "3幢401" not in offer_text.body  # the exact address only after acceptance
        assert "138****8000" in offer_text.body and "13800138000" not in offer_text.body
        assert scene.ticket(session, number).status == "offered"
    answer = says(db, settings, PLUMBERS[0], f"接 {code}")
    assert code in answer
    with db.read() as session:
        ticket = scene.ticket(session, number)
        assert ticket.status == "accepted" and ticket.provider is not None and ticket.provider.phone == PLUMBERS[0]
        details = scene.texts_to(session, PLUMBERS[0])[-1].body
        assert "3幢401" in details and "13800138000" in details
        told = scene.texts_to(session, RESIDENT)[-1].body
        assert "水电维修1号" in told and "13857300101" in told and "50元/次" in told
        assert [k for k, _ in scene.facts(session, ticket.provider.id)] == ["offered", "accepted"]


@pytest.mark.parametrize(
    ("accept", "arrive", "finish"),
    [
        ("Y {code}", "ARRIVED {code}", "DONE {code} 80"),
        ("接 {code}", "到 {code}", "完成 {code} 80"),
        ("接单{code}", "到达 {code}", "完成 {code} 80元"),
        ("ｙ　{wide}", "ａｒｒｉｖｅｄ {wide}", "ｄｏｎｅ　{wide}　８０"),
        ("yes", "arrived", "done 80"),  # one live offer: the code may be left out
    ],
)
def test_every_reply_form_walks_a_job_to_completion(
    db: Database, settings: Settings, accept: str, arrive: str, finish: str
) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    (code,) = offer_top(db, settings, number)
    wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for body in (accept, arrive, finish):
        says(db, settings, PLUMBERS[0], body.format(code=code, wide=wide))
    with db.read() as session:
        ticket = scene.ticket(session, number)
        assert ticket.status == "completed" and ticket.charged == Decimal("80.00")
        steps = [(e.from_status, e.to_status) for e in ticket.events if e.kind == "status"]
        assert steps[-3:] == [("offered", "accepted"), ("accepted", "in_service"), ("in_service", "completed")]


def test_done_straight_after_acceptance_steps_through_in_service_and_flags_an_overcharge(
    db: Database, settings: Settings
) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    (code,) = offer_top(db, settings, number)
    says(db, settings, PLUMBERS[0], f"Y {code}")
    with db.read() as session:
        price = scene.ticket(session, number).item.price  # type: ignore[union-attr]
    says(db, settings, PLUMBERS[0], f"完成 {code} {price + 100}")
    with db.read() as session:
        ticket = scene.ticket(session, number)
        steps = [e.to_status for e in ticket.events if e.kind == "status"]
        assert steps[-2:] == ["in_service", "completed"] and ticket.overcharged
        facts = dict(scene.facts(session, ticket.provider_id))  # type: ignore[arg-type]
        assert facts["overcharge"] == pytest.approx(100.0) and "completed_on_time" in facts


def test_an_english_speaking_provider_is_offered_and_answered_in_english(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        scene.plumber(session, settings, 0, language="en")
        number = scene.leak(session, settings).number
    (code,) = offer_top(db, settings, number)
    with db.read() as session:
        assert f"Y {code} to accept" in scene.texts_to(session, PLUMBERS[0])[0].body
    assert says(db, settings, PLUMBERS[0], f"N {code}") == f"You declined job {code}. Thank you for answering."


def test_a_decline_offers_the_next_candidate_at_once(db: Database, settings: Settings) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    (code,) = offer_top(db, settings, number)
    says(db, settings, PLUMBERS[0], f"拒 {code}")
    with db.read() as session:
        rows = scene.offers_of(session, number)
        assert [(o.provider.phone, o.status) for o in rows] == [(PLUMBERS[0], "declined"), (PLUMBERS[1], "live")]
        assert scene.ticket(session, number).status == "offered"
        assert ("declined", None) in scene.facts(session, rows[0].provider_id)


def test_an_unanswered_offer_expires_then_the_next_one_then_the_ticket_is_escalated(
    db: Database, settings: Settings, cli
) -> None:  # type: ignore[no-untyped-def]
    settings_with_duty = settings.model_copy(
        update={"dispatch": settings.dispatch.model_copy(update={"duty_dispatcher_phone": "+8613900000001"})}
    )
    number = two_plumbers_and_a_leak(db, settings_with_duty)
    offer_top(db, settings_with_duty, number)
    run = scheduler.get_job("dispatch.offers").make
    with clock.freeze(scene.later(29)):
        assert run(db, settings_with_duty)() == 0  # the 30-minute window is not over
    with clock.freeze(scene.later(31)):
        assert run(db, settings_with_duty)() == 1
    with db.read() as session:
        assert [o.status for o in scene.offers_of(session, number)] == ["expired", "live"]
        assert "已过期" in scene.texts_to(session, PLUMBERS[0])[-1].body
    with clock.freeze(scene.later(62)):
        assert run(db, settings_with_duty)() == 1
    with db.read() as session:
        ticket = scene.ticket(session, number)
        assert ticket.status == "dispatching" and ticket.escalation == "dispatcher"
        assert [e.data["why"] for e in ticket.events if e.kind == "escalated"] == ["no_candidates"]  # type: ignore[index]
        assert scene.texts_to(session, "+8613900000001"), "the duty dispatcher is texted"
        assert [t.purpose for t in scene.texts_to(session, RESIDENT)] == ["delayed"]
        assert "比平时长" in scene.texts_to(session, RESIDENT)[0].body
        facts = [k for p in (0, 1) for k, _ in scene.facts(session, scene.offers_of(session, number)[p].provider_id)]
        assert facts.count("timed_out") == 2
    with clock.freeze(scene.later(70)):  # a second pass raises nothing twice
        assert run(db, settings_with_duty)() == 0
    result = cli("jobs", "run", "dispatch.offers", "--at", "2026-11-20T11:30")
    assert result.exit_code == 0 and "dispatch.offers: 0 handled" in result.output


def test_a_late_yes_after_expiry_is_answered_politely_and_changes_nothing(db: Database, settings: Settings) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    (code,) = offer_top(db, settings, number)
    with clock.freeze(scene.later(45)):
        answer = says(db, settings, PLUMBERS[0], f"Y {code}")
    assert "已过期" in answer
    with db.read() as session:
        assert scene.ticket(session, number).status == "offered"
        assert [k for k, _ in scene.facts(session, scene.offers_of(session, number)[0].provider_id)] == ["offered"]


def test_unknown_codes_and_other_providers_codes_are_refused_without_a_change(db: Database, settings: Settings) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    (code,) = offer_top(db, settings, number)
    other = "0000" if code != "0000" else "1111"
    assert other in says(db, settings, PLUMBERS[0], f"Y {other}")
    assert code in says(db, settings, PLUMBERS[1], f"Y {code}")  # not theirs: "no job 4821 for you"
    with db.read() as session:
        assert scene.ticket(session, number).status == "offered"
        assert [o.status for o in scene.offers_of(session, number)] == ["live"]


def test_done_before_acceptance_and_a_charge_that_is_not_a_number_change_nothing(
    db: Database, settings: Settings
) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    (code,) = offer_top(db, settings, number)
    assert f"接 {code}" in says(db, settings, PLUMBERS[0], f"DONE {code}")  # "accept it first"
    says(db, settings, PLUMBERS[0], f"Y {code}")
    assert "八十" in says(db, settings, PLUMBERS[0], f"完成 {code} 八十")
    with db.read() as session:
        assert scene.ticket(session, number).status == "accepted"


def test_a_provider_suspended_after_the_offer_cannot_accept_it(db: Database, settings: Settings) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    (code,) = offer_top(db, settings, number)
    with db.transaction() as session:
        provider = provider_service.get_provider_by_phone(session, phone=PLUMBERS[0])
        assert provider is not None
        provider_service.change_status(session, provider=provider, to="suspended", actor=Actor.system(), reason="test")
    says(db, settings, PLUMBERS[0], f"Y {code}")
    with db.read() as session:
        assert scene.ticket(session, number).status == "offered"


def test_cancelling_a_ticket_withdraws_its_live_offer_and_tells_the_provider(db: Database, settings: Settings) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    (code,) = offer_top(db, settings, number)
    with db.transaction() as session:
        withdrawn = lifecycle.cancel(
            session,
            ticket=scene.ticket(session, number),
            settings=settings,
            actor=Actor("cli"),
            note="resident fixed it",
        )
    assert withdrawn == 1
    with db.read() as session:
        assert [o.status for o in scene.offers_of(session, number)] == ["withdrawn"]
        assert code in scene.texts_to(session, PLUMBERS[0])[-1].body
    assert "已取消" in says(db, settings, PLUMBERS[0], f"Y {code}")


def test_the_same_command_twice_is_answered_twice_and_done_once(db: Database, settings: Settings) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    (code,) = offer_top(db, settings, number)
    says(db, settings, PLUMBERS[0], f"Y {code}")
    again = says(db, settings, PLUMBERS[0], f"Y {code}")
    assert code in again
    with db.read() as session:
        ticket = scene.ticket(session, number)
        assert sum(1 for e in ticket.events if e.to_status == "accepted") == 1
        assert len(scene.texts_to(session, RESIDENT)) == 1


def test_fan_out_offers_to_several_and_the_first_acceptance_wins(db: Database, settings: Settings) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    codes = offer_top(db, settings, number, fan_out=2)
    assert len(codes) == 2
    says(db, settings, PLUMBERS[1], f"Y {codes[1]}")
    late = says(db, settings, PLUMBERS[0], f"Y {codes[0]}")
    assert codes[0] in late
    with db.read() as session:
        assert [o.status for o in scene.offers_of(session, number)] == ["lost", "accepted"]
        assert scene.ticket(session, number).provider.phone == PLUMBERS[1]  # type: ignore[union-attr]
        assert codes[0] in scene.texts_to(session, PLUMBERS[0])[-1].body  # told the job has gone


def test_an_override_needs_a_reason_and_a_dispatcher(db: Database, settings: Settings) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    with db.transaction() as session:
        second = provider_service.get_provider_by_phone(session, phone=PLUMBERS[1])
        assert second is not None
        ticket = scene.ticket(session, number)
        with pytest.raises(InvalidInput, match="needs --reason"):
            offers.offer(session, ticket=ticket, settings=settings, actor=Actor("cli"), provider_id=second.id)
        operator = builders.operator(session)
        with pytest.raises(Forbidden):
            offers.offer(
                session,
                ticket=ticket,
                settings=settings,
                actor=Actor.of_staff(operator),
                staff=operator,
                provider_id=second.id,
                reason="resident asked",
            )
        made = offers.offer(
            session,
            ticket=ticket,
            settings=settings,
            actor=Actor("cli"),
            provider_id=second.id,
            reason="knows the building",
        )
        assert made[0].reason == "knows the building"
        event = session.scalars(select(TicketEvent).where(TicketEvent.kind == "offered")).one()
        assert event.data["override"] is True and event.note == "knows the building"  # type: ignore[index]


def test_a_ticket_without_eligible_providers_cannot_be_offered_and_says_why(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        scene.plumber(session, settings, 0, status="suspended")
        ticket = scene.leak(session, settings)
        with pytest.raises(Conflict, match="no provider may take"):
            offers.offer(session, ticket=ticket, settings=settings, actor=Actor("cli"))


def test_operator_completion_records_volunteer_hours(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        builders.provider(
            session, settings, kind="volunteer", phone=PLUMBERS[0], items=("EC-VISIT",), area_codes=(scene.COMMUNITY,)
        )
        number = scene.leak(session, settings, item="EC-VISIT").number
    (code,) = offer_top(db, settings, number)
    says(db, settings, PLUMBERS[0], f"Y {code}")
    with db.transaction() as session:
        ticket = scene.ticket(session, number)
        answers.complete(session, ticket=ticket, settings=settings, actor=Actor("cli"), hours=2.5)
        assert ("service_hours", 2.5) in scene.facts(session, ticket.provider_id)  # type: ignore[arg-type]


def test_first_contact_resolution_closes_a_new_ticket_with_its_answer(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        ticket = scene.leak(session, settings, item="PE-PIPE-LEAK")
        lifecycle.resolve(session, ticket=ticket, note="told how to close the main valve", actor=Actor("cli"))
        assert ticket.status == "closed" and ticket.resolution == "told how to close the main valve"
        with pytest.raises(Conflict):
            lifecycle.resolve(session, ticket=ticket, note="again", actor=Actor("cli"))


def test_status_tells_the_resident_who_is_coming_and_when(db: Database, settings: Settings) -> None:
    number = two_plumbers_and_a_leak(db, settings)
    (code,) = offer_top(db, settings, number)
    says(db, settings, PLUMBERS[0], f"Y {code}")
    answer = says(db, settings, RESIDENT, "查询")
    assert number in answer and "水电维修1号" in answer and "13857300101" in answer and "11-20 12:00" in answer


def test_erasing_a_resident_cancels_their_open_ticket_and_withdraws_its_live_offer(
    db: Database, settings: Settings
) -> None:
    from hotline import privacy

    number = two_plumbers_and_a_leak(db, settings)
    (code,) = offer_top(db, settings, number)
    with db.transaction() as session:
        exported = privacy.export_resident(session, phone=RESIDENT, actor="cli")
        counts = privacy.erase_resident(session, phone=RESIDENT, actor="cli", reason="resident asked (PIPL art. 47)")
        assert counts["offers"] == 2  # the ticket cancelled and its offer withdrawn
    with db.read() as session:
        ticket = scene.ticket(session, number)
        assert ticket.status == "cancelled"
        assert [o.status for o in scene.offers_of(session, number)] == ["withdrawn"]
        assert code in scene.texts_to(session, PLUMBERS[0])[-1].body
    assert [o["status"] for o in exported["offers"]] == ["live"]
