"""Live events inside the hotline (screen pops, ticket changes) with a small publish/subscribe
interface.

``LocalEventBus`` keeps one bounded asyncio queue per subscriber in this process. ``publish`` is
synchronous and thread-safe (the AMI tracker publishes from a worker thread; the web app's SSE
stream consumes on the event loop). A scale-out deployment replaces it with a PostgreSQL
``LISTEN/NOTIFY`` bus of the same shape: topics are short strings and payloads plain JSON objects,
so both cross a process boundary unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

log = logging.getLogger("hotline.events")
PENDING = "hotline.events.pending"  # key in Session.info: events to publish once the unit commits

Payload = dict[str, Any]


class Subscription(Protocol):
    topic: str

    async def get(self) -> Payload: ...

    def drain(self) -> list[Payload]:
        """Whatever else is waiting, without waiting (a burst becomes one refresh)."""

    def __aiter__(self) -> AsyncIterator[Payload]: ...


class EventBus(Protocol):
    def publish(self, topic: str, payload: Payload) -> int:
        """Deliver ``payload`` to every current subscriber of ``topic``; returns how many."""

    def subscribe(self, topic: str) -> contextlib.AbstractContextManager[Subscription]:
        """A subscription for the ``with`` block; events published before it are not seen."""


class _LocalSubscription:
    def __init__(self, topic: str, loop: asyncio.AbstractEventLoop, maxsize: int) -> None:
        self.topic = topic
        self.loop = loop
        self.queue: asyncio.Queue[Payload] = asyncio.Queue(maxsize)
        self.dropped = 0

    def _put(self, payload: Payload) -> None:
        if self.queue.full():  # a stalled reader must not hold memory or block publishers
            self.queue.get_nowait()
            self.dropped += 1
            log.warning("subscriber of %s is not reading; dropped its oldest event", self.topic)
        self.queue.put_nowait(payload)

    async def get(self) -> Payload:
        return await self.queue.get()

    def drain(self) -> list[Payload]:
        waiting = []
        while not self.queue.empty():
            waiting.append(self.queue.get_nowait())
        return waiting

    async def __anext__(self) -> Payload:
        return await self.queue.get()

    def __aiter__(self) -> _LocalSubscription:
        return self


class LocalEventBus:
    """The in-process bus. Subscribe from a coroutine (the subscriber's loop receives events)."""

    def __init__(self, *, maxsize: int = 100) -> None:
        self.maxsize = maxsize
        self._subscribers: dict[str, list[_LocalSubscription]] = {}
        self._lock = threading.Lock()

    def publish(self, topic: str, payload: Payload) -> int:
        with self._lock:
            subscribers = list(self._subscribers.get(topic, ()))
        for sub in subscribers:
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is sub.loop:
                sub._put(payload)
            else:
                with contextlib.suppress(RuntimeError):  # the subscriber's loop has closed
                    sub.loop.call_soon_threadsafe(sub._put, payload)
        return len(subscribers)

    @contextlib.contextmanager
    def subscribe(self, topic: str) -> Iterator[_LocalSubscription]:
        sub = _LocalSubscription(topic, asyncio.get_running_loop(), self.maxsize)
        with self._lock:
            self._subscribers.setdefault(topic, []).append(sub)
        try:
            yield sub
        finally:
            with self._lock:
                self._subscribers[topic].remove(sub)
                if not self._subscribers[topic]:
                    del self._subscribers[topic]

    def subscriber_count(self, topic: str) -> int:
        with self._lock:
            return len(self._subscribers.get(topic, ()))


def changed(session: Any, topic: str, payload: Payload) -> None:
    """Publish ``payload`` on ``topic`` once ``session``'s unit of work commits (never on rollback).

    Services call this where they change what a live screen shows (a ticket), so a change made by
    the web app, a sweeper or the SMS webhook reaches the consoles whichever way it was made;
    ``config.db.Database.transaction`` hands the events to its ``bus`` after the commit. Changes made
    in another process (the CLI) reach them through the stream's own check of the database."""
    session.info.setdefault(PENDING, []).append((topic, payload))
