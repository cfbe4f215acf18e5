"""The AMI listener ``hotline serve`` runs when ``HOTLINE_AMI_HOST`` is set: connect, log in,
reconcile live channels, follow events; on a refused login, a dropped socket, a ``Shutdown``
event or a silent peer (no Pong), close and try again with backoff. Health: ``problem``."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from panoramisk.message import Message

from config.db import Database
from config.events import EventBus
from config.settings import Settings
from hotline.voice.ami import AmiConnection, LoginRefused
from hotline.voice.tracker import AmiEvent, CallTracker

log = logging.getLogger("hotline.voice.ami")
BATCH = 200


class AmiListener:
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        bus: EventBus | None = None,
        initial_delay: float = 1.0,
        max_delay: float = 60.0,
        heartbeat_interval: float = 20.0,
        heartbeat_timeout: float = 10.0,
        reconcile_interval: float = 600.0,
        action_timeout: float = 10.0,
    ) -> None:
        self.settings = settings
        self.host, self.port = settings.ami_host, settings.ami_port
        self.tracker = CallTracker(db, settings, bus)
        self.initial_delay, self.max_delay = initial_delay, max_delay
        self.heartbeat_interval, self.heartbeat_timeout = heartbeat_interval, heartbeat_timeout
        self.action_timeout = action_timeout
        self.reconcile_interval = reconcile_interval
        self.problem: str | None = None
        self.connection: AmiConnection | None = None
        self.connected = asyncio.Event()
        self.sessions = 0
        self.reconciled = 0
        self._snapshot: list[AmiEvent] = []
        self._inbox: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def health(self) -> str | None:
        return self.problem

    async def run(self) -> None:
        consumer = asyncio.create_task(self._consume(), name="ami-events")
        delay = self.initial_delay
        try:
            while True:
                try:
                    await self._session()
                    delay = self.initial_delay  # a session that logged in resets the backoff
                    wait = delay
                except LoginRefused as exc:
                    self.problem = f"AMI login refused by {self.where}: {exc} (check HOTLINE_AMI_USERNAME/_SECRET)"
                    wait, delay = delay, min(delay * 2, self.max_delay)
                except (OSError, TimeoutError, ConnectionError) as exc:
                    self.problem = f"cannot reach AMI at {self.where}: {exc or type(exc).__name__}"
                    wait, delay = delay, min(delay * 2, self.max_delay)
                log.warning("%s; retrying in %.1f s", self.problem or "AMI connection ended", wait)
                await asyncio.sleep(wait)
        finally:
            consumer.cancel()
            if self.connection is not None:
                self.connection.close()

    async def _session(self) -> None:
        connection = AmiConnection(
            host=self.host,
            port=self.port,
            username=self.settings.ami_username,
            secret=self.settings.ami_secret,
            on_event=self._received,
        )
        await connection.open(self.action_timeout)
        self.connection = connection
        self._snapshot = []
        self.sessions += 1
        self.problem = None
        log.info("AMI connected to %s (Asterisk Call Manager %s)", self.where, connection.protocol.version)
        heartbeat = asyncio.create_task(self._heartbeat(connection))
        try:
            # the snapshot reaches the tracker through _received, in stream order
            listing = await connection.action({"Action": "CoreShowChannels"}, self.action_timeout)
            first = listing[0] if isinstance(listing, list) else listing
            if not first.success:
                log.warning(
                    "AMI refused CoreShowChannels (%s): calls that end while disconnected stay open; "
                    "give the manager user write = reporting",
                    first.get("Message") or first.get("Response"),
                )
            self.connected.set()
            reason = await connection.lost
            self.problem = f"AMI connection to {self.where} lost ({_describe(reason)}); reconnecting"
        finally:
            self.connected.clear()
            heartbeat.cancel()
            connection.close()
            self.connection = None

    async def _heartbeat(self, connection: AmiConnection) -> None:
        """panoramisk's pinger never looks for the Pong; a half-open socket stays silent forever.
        Now and then the live channels are listed again, so a call whose Hangup was lost without
        a reconnect is still closed."""
        loop = asyncio.get_running_loop()
        next_snapshot = loop.time() + self.reconcile_interval
        while True:
            await asyncio.sleep(min(self.heartbeat_interval, max(0.0, next_snapshot - loop.time())))
            try:
                if loop.time() >= next_snapshot:
                    next_snapshot = loop.time() + self.reconcile_interval
                    await connection.action({"Action": "CoreShowChannels"}, self.heartbeat_timeout)
                else:
                    await connection.action({"Action": "Ping"}, self.heartbeat_timeout)
            except (TimeoutError, ConnectionError):
                log.warning("AMI peer %s did not answer; closing the connection", self.where)
                connection.close()
                return

    def _received(self, message: Message) -> None:
        event = dict(message.items())
        name = event.get("Event")
        if name == "CoreShowChannel":
            self._snapshot.append(event)
            return
        if name == "CoreShowChannelsComplete":
            self._inbox.put_nowait(("reconcile", self._snapshot))
            self._snapshot = []
        else:
            self._inbox.put_nowait(("event", event))
        self._idle.clear()

    async def _consume(self) -> None:
        """Apply events in arrival order, in batches, off the event loop."""
        pending: tuple[str, Any] | None = None
        while True:
            kind, item = pending or await self._inbox.get()
            pending = None
            if kind == "reconcile":
                self.reconciled += await asyncio.to_thread(self.tracker.reconcile, item)
            else:
                batch: list[AmiEvent] = [item]
                while len(batch) < BATCH and not self._inbox.empty():
                    following = self._inbox.get_nowait()
                    if following[0] != "event":
                        pending = following  # a reconcile: after this batch, in order
                        break
                    batch.append(following[1])
                await asyncio.to_thread(self.tracker.handle_many, batch)
            if pending is None and self._inbox.empty():
                self._idle.set()

    async def settled(self) -> None:
        """Until every event received so far has been applied (tests, graceful stops)."""
        await self._idle.wait()


def _describe(reason: object) -> str:
    if isinstance(reason, Message):
        return f"Asterisk sent {reason.get('Event')}"
    if reason is None:
        return "closed"
    return str(reason) or type(reason).__name__
