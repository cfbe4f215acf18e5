from __future__ import annotations

import asyncio

from config.db import Database
from config.events import LocalEventBus
from config.settings import Settings
from dispatch import residents
from tests import factories
from tests.hotline.voice.ami_peer import AmiPeer, Connection, eventually, transcript
from tests.hotline.voice.test_ami_listener import calls


def answered_call_from(phone_as_asterisk_gives_it: str) -> bytes:
    """answered.txt, with the caller's channel showing an outside number instead of 7001."""
    return transcript("answered.txt").replace(
        b"CallerIDNum: 7001\r\n", f"CallerIDNum: {phone_as_asterisk_gives_it}\r\n".encode()
    )


async def test_known_resident_rings_operator_who_sees_record_open_tickets_and_last_contacts(
    db: Database, settings: Settings, bus: LocalEventBus, run_listener
) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        factories.operator(session, name="张伟", extension="7002")
        ticket = factories.ticket(session, settings, phone="+8613800138000", text="厨房水管漏水")
        resident = ticket.resident
        resident.name = "王秀英"
        residents.set_resident_tags(session, resident=resident, tags=["elderly", "lives_alone"])
    earlier = transcript("missed.txt").replace(b"CallerIDNum: 7003\r\n", b"CallerIDNum: 013800138000\r\n")
    with bus.subscribe("extension:7002") as operator_7002, bus.subscribe("extension:7004") as operator_7004:
        async with (
            AmiPeer(Connection(after_login=[earlier, answered_call_from("013800138000")])) as peer,
            run_listener(peer) as listener,
        ):
            await eventually(lambda: len(calls(db)) == 2)
            await listener.settled()
        missed_pop = await asyncio.wait_for(operator_7004.get(), 1)
        pop = await asyncio.wait_for(operator_7002.get(), 1)
        assert operator_7002.queue.empty(), "one pop per call and extension"
    assert missed_pop["new_caller"] is False and missed_pop["last_contacts"] == []
    assert pop["kind"] == "screen_pop" and pop["extension"] == "7002"
    assert pop["caller"] == "+8613800138000" and pop["new_caller"] is False
    assert pop["resident"]["name"] == "王秀英" and pop["resident"]["tags"] == ["elderly", "lives_alone"]
    assert [t["number"] for t in pop["open_tickets"]] == [ticket.number]
    assert [(c["outcome"], c["call_id"]) for c in pop["last_contacts"]] == [("missed", calls(db)[0].id)]


async def test_unknown_caller_pops_as_new_caller_on_every_extension_the_queue_rings(
    db: Database, bus: LocalEventBus, run_listener
) -> None:  # type: ignore[no-untyped-def]
    with bus.subscribe("extension:7008") as first, bus.subscribe("extension:7006") as second:
        async with AmiPeer(Connection(after_login=[transcript("queue.txt")])) as peer, run_listener(peer) as listener:
            await eventually(lambda: calls(db))
            await listener.settled()
        pops = [await asyncio.wait_for(first.get(), 1), await asyncio.wait_for(second.get(), 1)]
        assert first.queue.empty() and second.queue.empty()
    for pop in pops:
        assert pop["new_caller"] is True and pop["resident"] is None and pop["queue"] == "88"
        assert pop["caller"] == "7007" and pop["open_tickets"] == []
