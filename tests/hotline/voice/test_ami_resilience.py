from __future__ import annotations

import logging

from fastapi.testclient import TestClient

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from hotline.voice.models import CallChannel
from tests.hotline.voice.ami_peer import AmiPeer, Connection, eventually, message, transcript
from tests.hotline.voice.test_ami_listener import callbacks, calls, count


def messages_until(data: bytes, event: str) -> tuple[bytes, bytes]:
    """Split a transcript just before the first ``Event: <event>`` message."""
    marker = f"Event: {event}\r\n".encode()
    blocks = data.split(b"\r\n\r\n")
    index = next(i for i, block in enumerate(blocks) if block.startswith(marker))
    return b"\r\n\r\n".join(blocks[:index]) + b"\r\n\r\n", b"\r\n\r\n".join(blocks[index:])


CALLER_CHANNEL = {
    "Channel": "PJSIP/7007-001600e7",
    "Uniqueid": "1781704152.3807872",
    "Linkedid": "1781704152.3807872",
    "CallerIDNum": "7007",
    "ChannelState": "6",
    "ChannelStateDesc": "Up",
}


async def test_wrong_secret_is_a_clear_health_failure_and_is_retried(
    db: Database, settings: Settings, run_listener
) -> None:  # type: ignore[no-untyped-def]
    async with AmiPeer(Connection()) as peer, run_listener(peer, ami_secret="wrong") as listener:
        await eventually(lambda: len(peer.logins) >= 3)
        problem = listener.health()
        app = create_app(settings, db)
        app.state.health_checks["ami"] = listener.health
        with TestClient(app) as client:
            response = client.get("/healthz")
    assert problem == (
        f"AMI login refused by 127.0.0.1:{peer.port}: Authentication failed (check HOTLINE_AMI_USERNAME/_SECRET)"
    )
    assert all(not ok for _user, secret, ok in peer.logins) and peer.logins[0][1] == "wrong"
    assert response.status_code == 503 and response.json()["checks"]["ami"] == problem
    assert listener.sessions == 0


async def test_unreachable_asterisk_is_reported_then_healthy_once_connected(db: Database, run_listener) -> None:  # type: ignore[no-untyped-def]
    async with AmiPeer(Connection()) as peer:
        port = peer.port
    async with run_listener(peer, ami_port=port) as listener:
        await eventually(lambda: listener.health())
        assert f"cannot reach AMI at 127.0.0.1:{port}" in (listener.health() or "")
    async with AmiPeer(Connection()) as peer, run_listener(peer) as listener:
        await eventually(lambda: listener.connected.is_set())
        assert listener.health() is None


async def test_socket_closed_mid_call_reconnects_and_closes_the_call_that_ended_meanwhile(db, run_listener) -> None:  # type: ignore[no-untyped-def]
    before, _after = messages_until(transcript("queue.txt"), "AgentComplete")
    first = Connection(after_login=[before], close_after=True)
    back = Connection(live_channels=[])  # Asterisk comes back: the call is gone
    async with AmiPeer(first, back) as peer, run_listener(peer) as listener:
        await eventually(lambda: calls(db))
        await listener.settled()
    [call] = calls(db)
    assert peer.connections == 2 and listener.sessions == 2 and listener.reconciled == 1
    assert call.outcome == "answered" and call.hold_seconds == 28 and call.operator_extension == "7006"
    assert call.hangup_cause_text == "ended while AMI was away"


async def test_call_still_live_after_reconnect_is_kept_and_finished_by_later_events(db, run_listener) -> None:  # type: ignore[no-untyped-def]
    before, after = messages_until(transcript("queue.txt"), "AgentComplete")
    first = Connection(after_login=[before], close_after=True)
    back = Connection(live_channels=[CALLER_CHANNEL], after_login=[after])
    async with AmiPeer(first, back) as peer, run_listener(peer) as listener:
        await eventually(lambda: calls(db))
        await listener.settled()
    [call] = calls(db)
    assert listener.reconciled == 0
    assert call.outcome == "answered" and call.talk_seconds == 12 and call.hangup_cause_text == "Normal Clearing"


async def test_shutdown_event_reconnects_and_the_missed_call_is_reconciled(db, run_listener, caplog) -> None:  # type: ignore[no-untyped-def]
    before, _after = messages_until(transcript("missed.txt"), "Hangup")
    shutdown = message(("Event", "Shutdown"), ("Privilege", "system,all"), ("Shutdown", "Cleanly"), ("Restart", "True"))
    first = Connection(after_login=[before, shutdown])  # the socket stays open: only the event says so
    async with AmiPeer(first, Connection()) as peer, run_listener(peer) as listener:
        await eventually(lambda: calls(db))
        await listener.settled()
    assert peer.connections == 2
    [call] = calls(db)
    assert call.outcome == "missed"
    assert [e.number for e in callbacks(db)] == ["7003"]
    assert any("Asterisk sent Shutdown" in r.getMessage() for r in caplog.records)


async def test_silent_peer_is_detected_by_the_heartbeat_and_replaced(db, run_listener, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, "hotline.voice.ami")
    silent = Connection(answer_pings=False)
    async with (
        AmiPeer(silent, Connection()) as peer,
        run_listener(peer, heartbeat_interval=0.05, heartbeat_timeout=0.2) as listener,
    ):
        await eventually(lambda: peer.connections >= 2 and listener.connected.is_set())
    assert any("did not answer; closing the connection" in r.getMessage() for r in caplog.records)


async def test_call_that_started_while_away_is_adopted_from_the_live_channels(db, run_listener) -> None:  # type: ignore[no-untyped-def]
    resident_leg = {
        "Channel": "PJSIP/trunk-00000009",
        "Uniqueid": "1781709000.5",
        "Linkedid": "1781709000.5",
        "CallerIDNum": "13800138000",
        "ChannelStateDesc": "Up",
        "Duration": "00:01:30",
    }
    operator_leg = {**resident_leg, "Channel": "PJSIP/7001-0000000a", "Uniqueid": "1781709000.6", "CallerIDNum": "7001"}
    hangup = message(
        ("Event", "Hangup"),
        ("Channel", "PJSIP/trunk-00000009"),
        ("Uniqueid", "1781709000.5"),
        ("Linkedid", "1781709000.5"),
        ("Cause", "16"),
        ("Cause-txt", "Normal Clearing"),
    )
    script = Connection(live_channels=[operator_leg, resident_leg], after_login=[hangup])
    async with AmiPeer(script) as peer, run_listener(peer) as listener:
        await eventually(lambda: calls(db))
        await listener.settled()
    [call] = calls(db)
    assert call.caller_phone == "+8613800138000" and call.hangup_cause == 16
    assert call.ended_at is not None and 85 <= (call.ended_at - call.started_at).total_seconds() <= 95
    assert count(db, CallChannel) == 2  # the operator's leg joined the adopted call


async def test_call_whose_hangup_was_lost_is_closed_by_the_periodic_snapshot(db, run_listener) -> None:  # type: ignore[no-untyped-def]
    before, _after = messages_until(transcript("missed.txt"), "Hangup")  # the Hangups never arrive
    async with (
        AmiPeer(Connection(after_login=[before])) as peer,
        run_listener(peer, reconcile_interval=0.2) as listener,
    ):
        await eventually(lambda: calls(db))
        await listener.settled()
    assert peer.connections == 1 and listener.reconciled == 1
    [call] = calls(db)
    assert call.outcome == "missed" and [e.number for e in callbacks(db)] == ["7003"]


async def test_manager_user_without_reporting_rights_is_warned_about_and_calls_still_tracked(
    db, run_listener, caplog
) -> None:  # type: ignore[no-untyped-def]
    script = Connection(may_list_channels=False, after_login=[transcript("missed.txt")])
    async with AmiPeer(script) as peer, run_listener(peer) as listener:
        await eventually(lambda: calls(db))
        await listener.settled()
        assert listener.health() is None
    assert "AMI refused CoreShowChannels (Permission denied)" in caplog.text and "write = reporting" in caplog.text
    assert [c.outcome for c in calls(db)] == ["missed"]
