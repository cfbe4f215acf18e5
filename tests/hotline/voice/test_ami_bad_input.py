from __future__ import annotations

import logging

import pytest

from tests.hotline.voice.ami_peer import AmiPeer, Connection, eventually, message, transcript
from tests.hotline.voice.test_ami_listener import calls

NEW_CALL = [
    ("Event", "Newchannel"),
    ("Privilege", "call,all"),
    ("Channel", "PJSIP/trunk-00000001"),
    ("ChannelState", "4"),
    ("ChannelStateDesc", "Ring"),
    ("CallerIDNum", "013800138000"),
    ("Exten", "96345"),
    ("Uniqueid", "1781709999.1"),
    ("Linkedid", "1781709999.1"),
]


def gbk_name_call() -> bytes:
    """A trunk that sends the caller's name in GBK, not UTF-8."""
    head = message(*NEW_CALL).removesuffix(b"\r\n")
    return head + b"CallerIDName: " + "王秀英".encode("gbk") + b"\r\n\r\n"


@pytest.fixture(autouse=True)
def warnings_of_the_listener(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, "hotline.voice.ami")
    return caplog


async def run_with(db, run_listener, *chunks: bytes, pause: float = 0.0):  # type: ignore[no-untyped-def]
    """Send ``chunks`` and then a whole answered call: the listener must still follow it."""
    script = Connection(after_login=[*chunks, transcript("answered.txt")], pause=pause)
    async with AmiPeer(script) as peer, run_listener(peer) as listener:
        await eventually(lambda: any(c.external_id == "1781704172.3807878" for c in calls(db)))
        await listener.settled()
        assert peer.connections == 1, "bad input must not cost the connection"
        return listener


async def test_unknown_events_are_skipped(db, run_listener) -> None:  # type: ignore[no-untyped-def]
    listener = await run_with(db, run_listener, message(("Event", "SomethingNew"), ("Linkedid", "1.2")))
    assert [c.outcome for c in calls(db)] == ["answered"] and listener.tracker.skipped == 0


async def test_events_for_unknown_channels_are_logged_and_skipped(db, run_listener, caplog) -> None:  # type: ignore[no-untyped-def]
    orphan = message(("Event", "Hangup"), ("Channel", "PJSIP/7999-1"), ("Uniqueid", "9.9"), ("Linkedid", "9.9"))
    listener = await run_with(db, run_listener, orphan)
    assert listener.tracker.skipped == 1
    assert "no call known for Linkedid 9.9" in caplog.text
    assert [c.outcome for c in calls(db)] == ["answered"]


async def test_truncated_messages_are_logged_and_skipped(db, run_listener, caplog) -> None:  # type: ignore[no-untyped-def]
    cut = message(("Event", "Newchannel"), ("Channel", "PJSIP/7005-0001"))  # no Uniqueid, no Linkedid
    headless = b"Channel: PJSIP/7005-0001\r\nUniqueid: 1.1\r\n\r\n"  # its Event line was lost
    listener = await run_with(db, run_listener, cut, headless)
    assert listener.tracker.skipped == 1
    assert "header Linkedid is missing" in caplog.text and "neither Event nor Response" in caplog.text


async def test_a_message_cut_by_a_dropped_connection_is_discarded(db, run_listener) -> None:  # type: ignore[no-untyped-def]
    first = Connection(after_login=[b"Event: Newchannel\r\nChannel: PJSIP/70"], close_after=True)
    async with (
        AmiPeer(first, Connection(after_login=[transcript("answered.txt")])) as peer,
        run_listener(peer) as listener,
    ):
        await eventually(lambda: calls(db))
        await listener.settled()
    assert peer.connections == 2 and [c.outcome for c in calls(db)] == ["answered"]


async def test_duplicated_keys_are_logged_and_skipped(db, run_listener, caplog) -> None:  # type: ignore[no-untyped-def]
    two_calls = message(*NEW_CALL[:-1], ("Linkedid", "1781709999.1"), ("Linkedid", "1781709999.7"))
    two_events = message(("Event", "Hangup"), ("Event", "Newchannel"), ("Uniqueid", "5.5"), ("Linkedid", "5.5"))
    listener = await run_with(db, run_listener, two_calls, two_events)
    assert listener.tracker.skipped == 1
    assert "header Linkedid given 2 times with different values" in caplog.text
    assert "header Event repeated" in caplog.text
    assert [c.external_id for c in calls(db, finished=False)] == ["1781704172.3807878"]


async def test_non_utf8_caller_name_is_dropped_and_the_call_still_tracked(db, run_listener, caplog) -> None:  # type: ignore[no-untyped-def]
    await run_with(db, run_listener, gbk_name_call())
    new = next(c for c in calls(db, finished=False) if c.external_id == "1781709999.1")
    assert new.caller_phone == "+8613800138000" and new.caller_name is None and new.outcome == "in_progress"
    assert "AMI header CallerIDName skipped: its value is not UTF-8" in caplog.text


async def test_utf8_name_split_across_tcp_chunks_arrives_whole(db, run_listener) -> None:  # type: ignore[no-untyped-def]
    whole = message(*NEW_CALL, ("CallerIDName", "王秀英"))
    chunks = [whole[i : i + 5] for i in range(0, len(whole), 5)]  # cuts through the 3-byte characters
    await run_with(db, run_listener, *chunks, pause=0.002)
    new = next(c for c in calls(db, finished=False) if c.external_id == "1781709999.1")
    assert new.caller_name == "王秀英"
