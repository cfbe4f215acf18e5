"""A provider suspended or removed stops receiving offers at once: the offer sweeper withdraws
their live offers and their jobs not yet started, tells them, and gives the ticket to the next
candidate (the resident hears when someone had been announced). A job in service runs on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from config import clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import jobs, offers
from hotline import scheduler
from providers import service as provider_service
from tests.dispatch import scene
from tests.dispatch.scene import NOW, PLUMBERS, RESIDENT


@pytest.fixture(autouse=True)
def friday_morning() -> Iterator[None]:
    with clock.freeze(NOW):
        yield


says = scene.says


def leak_offered_to_the_first_plumber(db: Database, settings: Settings) -> tuple[str, str]:
    with db.transaction() as session:
        scene.plumber(session, settings, 0, area_codes=(scene.COMMUNITY,))  # same community: ranks first
        scene.plumber(session, settings, 1)
        ticket = scene.leak(session, settings)
        (made,) = offers.offer(session, ticket=ticket, settings=settings, actor=Actor("cli"))
        assert made.provider.phone == PLUMBERS[0]
        return ticket.number, made.code


def set_status(db: Database, phone: str, to: str) -> None:
    with db.transaction() as session:
        provider = provider_service.get_provider_by_phone(session, phone=phone)
        assert provider is not None
        provider_service.change_status(session, provider=provider, to=to, actor=Actor.system(), reason="review")


def sweep(db: Database, settings: Settings) -> int:
    return scheduler.get_job("dispatch.offers").make(db, settings)()


def test_a_suspended_providers_live_offer_is_withdrawn_and_the_next_candidate_offered(
    db: Database, settings: Settings
) -> None:
    number, code = leak_offered_to_the_first_plumber(db, settings)
    assert sweep(db, settings) == 0  # nothing to do while the provider is active
    set_status(db, PLUMBERS[0], "suspended")
    assert sweep(db, settings) == 1
    with db.read() as session:
        ticket = scene.ticket(session, number)
        first, second = scene.offers_of(session, number)
        assert (first.status, second.status) == ("withdrawn", "live")
        assert second.provider.phone == PLUMBERS[1] and ticket.status == "offered"
        told = scene.texts_to(session, PLUMBERS[0])[-1]
        assert told.purpose == "offer_stood_down" and code in told.body and "请勿上门" in told.body
        (event,) = [e for e in ticket.events if e.kind == "offer_withdrawn"]
        assert event.data == {
            "offer": first.id,
            "provider": first.provider_id,
            "code": code,
            "provider_status": "suspended",
        }
        assert not [t for t in scene.texts_to(session, RESIDENT) if t.purpose == "reassigned"]  # nobody was announced
    assert sweep(db, settings) == 0  # done once
    assert code in says(db, settings, PLUMBERS[0], f"Y {code}")
    with db.read() as session:
        assert scene.ticket(session, number).status == "offered"


def test_a_removed_providers_job_in_hand_goes_to_another_and_the_resident_is_told(
    db: Database, settings: Settings
) -> None:
    number, code = leak_offered_to_the_first_plumber(db, settings)
    says(db, settings, PLUMBERS[0], f"Y {code}")
    set_status(db, PLUMBERS[0], "removed")
    assert sweep(db, settings) == 1
    with db.read() as session:
        ticket = scene.ticket(session, number)
        assert [o.status for o in scene.offers_of(session, number)] == ["withdrawn", "live"]
        assert ticket.status == "offered" and ticket.provider is None and ticket.expected_at is None
        steps = [(e.from_status, e.to_status) for e in ticket.events if e.kind == "status"]
        assert ("accepted", "dispatching") in steps and steps[-1] == ("dispatching", "offered")
        (reassigned,) = [t for t in scene.texts_to(session, RESIDENT) if t.purpose == "reassigned"]
        assert number in reassigned.body and "水电维修1号" in reassigned.body
        assert scene.texts_to(session, PLUMBERS[1])[-1].purpose == "offer"
    second_code = scene_code(db, number)
    assert second_code in says(db, settings, PLUMBERS[1], f"Y {second_code}")
    with db.read() as session:
        ticket = scene.ticket(session, number)
        assert ticket.status == "accepted" and ticket.provider is not None and ticket.provider.phone == PLUMBERS[1]


def scene_code(db: Database, number: str) -> str:
    with db.read() as session:
        return scene.offers_of(session, number)[-1].code


def test_a_job_in_service_runs_on_and_a_paused_provider_keeps_their_offer(db: Database, settings: Settings) -> None:
    number, code = leak_offered_to_the_first_plumber(db, settings)
    with db.transaction() as session:
        provider = provider_service.get_provider_by_phone(session, phone=PLUMBERS[0])
        assert provider is not None
        provider_service.set_paused(session, provider=provider, paused=True, actor=Actor.system())
    assert jobs.stand_down_ineligible(db, settings) == 0  # pausing stops new offers only
    says(db, settings, PLUMBERS[0], f"Y {code}")
    says(db, settings, PLUMBERS[0], f"ARRIVED {code}")
    set_status(db, PLUMBERS[0], "suspended")
    assert jobs.stand_down_ineligible(db, settings) == 0
    with db.read() as session:
        assert scene.ticket(session, number).status == "in_service"
        assert [o.status for o in scene.offers_of(session, number)] == ["accepted"]
