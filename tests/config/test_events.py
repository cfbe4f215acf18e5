from __future__ import annotations

import asyncio
import threading

from config.events import LocalEventBus


async def test_subscriber_receives_what_is_published_on_its_topic_only() -> None:
    bus = LocalEventBus()
    with bus.subscribe("extension:7001") as mine, bus.subscribe("extension:7002") as other:
        assert bus.publish("extension:7001", {"kind": "screen_pop", "call_id": 1}) == 1
        assert await asyncio.wait_for(mine.get(), 1) == {"kind": "screen_pop", "call_id": 1}
        assert other.queue.empty()
    assert bus.subscriber_count("extension:7001") == 0
    assert bus.publish("extension:7001", {"kind": "lost"}) == 0


async def test_publishing_from_a_worker_thread_reaches_the_subscriber_loop() -> None:
    bus = LocalEventBus()
    with bus.subscribe("t") as sub:
        thread = threading.Thread(target=bus.publish, args=("t", {"n": 1}))
        thread.start()
        thread.join()
        assert await asyncio.wait_for(sub.get(), 1) == {"n": 1}


async def test_a_stalled_subscriber_loses_its_oldest_events_not_the_publisher(caplog) -> None:  # type: ignore[no-untyped-def]
    bus = LocalEventBus(maxsize=2)
    with bus.subscribe("t") as sub:
        for n in range(4):
            bus.publish("t", {"n": n})
        assert [await sub.get(), await sub.get()] == [{"n": 2}, {"n": 3}]
        assert sub.dropped == 2
    assert "dropped its oldest event" in caplog.text
