"""The Asterisk Manager Interface link, built on panoramisk with its traps handled:

- panoramisk decodes each TCP chunk on its own with ``errors='ignore'`` (a Chinese name split
  across two chunks loses characters) and lets one odd message (a repeated ``Event`` header)
  raise inside ``data_received``, which makes asyncio drop the connection. ``AmiProtocol`` reads
  with an incremental decoder, frames messages itself (CRLF or LF, so a process-wide
  ``panoramisk.utils.EOL`` change cannot break it) and skips a bad message with one log line.
- ``Manager.connection_lost`` schedules a reconnect that ``close()`` never cancels, and the pinger
  never checks for a Pong. ``AmiConnection`` is one connection and never reconnects by itself;
  ``AmiListener`` owns reconnection (with backoff) and a heartbeat that waits for the answer.
- actions unanswered when a connection drops would be re-sent on the next login (an Originate
  would ring a resident twice); here their futures fail with ``ConnectionError`` instead.
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import re
from collections.abc import Callable
from typing import Any

from panoramisk import Manager
from panoramisk.actions import Action
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

from config import phones

log = logging.getLogger("hotline.voice.ami")

BANNER = "Asterisk Call Manager/"
_MESSAGE_END = re.compile(r"\r?\n\r?\n")
_LINE = re.compile(r"\r?\n")
_UNDECODABLE = re.compile(r"[\udc80-\udcff]")
SNAPSHOT_EVENTS = ("CoreShowChannel", "CoreShowChannelsComplete")


class LoginRefused(Exception):
    pass


def parse_transcript(data: bytes) -> list[Message]:
    """Every usable message of a recorded AMI stream (bench, replay tools)."""
    text = data.decode("utf-8", errors="surrogateescape")
    return [m for part in _MESSAGE_END.split(text) if (m := parse_message(part)) is not None]


def parse_message(text: str) -> Message | None:
    """One AMI message (header lines, CRLF or LF); None, with one log line, when it is unusable."""
    headers: dict[str, Any] = {}
    content: list[str] = []
    for line in _LINE.split(text.strip("\r\n")):
        key, sep, value = line.partition(":")
        if not sep or not key or " " in key:
            content.append(line)
            continue
        value = value[1:] if value.startswith(" ") else value
        if _UNDECODABLE.search(value):
            log.warning(
                "AMI header %s skipped: its value is not UTF-8 (%r)", key, value.encode(errors="surrogateescape")
            )
            continue
        if key in headers:
            previous = headers[key]
            headers[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            headers[key] = value
    if "Event" not in headers and "Response" not in headers:
        if headers or any(content):
            log.warning("AMI message skipped: neither Event nor Response: %r", phones.redacted(text[:200]))
        return None
    for key in ("Event", "Response", "ActionID"):
        if isinstance(headers.get(key), list):
            log.warning("AMI message skipped: header %s repeated: %r", key, phones.redacted(text[:200]))
            return None
    return Message(headers, "\n".join(content))


class AmiProtocol(AMIProtocol):  # type: ignore[misc]
    version: str | None
    closed: bool

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        self._buffer = ""

    def data_received(self, data: bytes) -> None:
        self._buffer += self._decoder.decode(data)
        if self.version is None:
            if "\n" not in self._buffer:
                return
            first, _, rest = self._buffer.partition("\n")
            if first.startswith(BANNER):
                self.version = first.removeprefix(BANNER).strip()
                self._buffer = rest
            else:
                self.version = ""
        *complete, self._buffer = _MESSAGE_END.split(self._buffer)
        for text in complete:
            message = parse_message(text)
            if message is None:
                continue
            try:
                self.handle_message(message)
            except Exception:
                log.exception("AMI message skipped: %r", phones.redacted(text[:200]))

    def handle_message(self, message: Message) -> None:
        answers_action = message.id in self.responses or (message.action_id or "") in self.responses
        super().handle_message(message)
        if answers_action and message.get("Event") in SNAPSHOT_EVENTS:
            # consumed by the CoreShowChannels action, but the listener needs their place in the
            # stream too: events before the snapshot happened before it, events after, after.
            self.factory.dispatch(message)

    def send(self, data: Any, as_list: bool | None = False) -> asyncio.Future[Any]:
        action = data if isinstance(data, Action) else Action(data, as_list=as_list)
        action.as_list = as_list
        self.responses[action.id] = action
        lines = []
        for key, value in action.items():
            for item in value if isinstance(value, list | tuple) else [value]:
                lines.append(f"{key}: {item}")
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
        return action.future  # type: ignore[no-any-return]

    def close(self) -> None:
        lost = ConnectionError("AMI connection closed before Asterisk answered")
        for action in list(self.responses.values()):
            if not action.future.done():
                action.future.set_exception(lost)
                action.future.exception()  # retrieved here: nobody may be waiting any more
        self.responses.clear()
        if not self.closed:
            self.transport.close()
            self.closed = True


class AmiConnection(Manager):  # type: ignore[misc]
    """One logged-in AMI connection. ``lost`` completes when it ends (socket closed, Shutdown
    event, or ``close()``); it never reconnects by itself."""

    def __init__(self, *, host: str, port: int, username: str, secret: str, on_event: Callable[[Message], None]):
        super().__init__(host=host, port=port, username=username, secret=secret, protocol_factory=AmiProtocol)
        self.loop = asyncio.get_running_loop()
        self.lost: asyncio.Future[object] = self.loop.create_future()
        self.register_event("*", lambda _manager, message: on_event(message))

    async def open(self, timeout: float = 10.0) -> None:
        config = self.config
        _transport, protocol = await asyncio.wait_for(
            self.loop.create_connection(AmiProtocol, config["host"], config["port"]), timeout
        )
        protocol.factory = self
        protocol.log = log
        protocol.config = config
        protocol.encoding = self.encoding = "utf-8"
        self.protocol = protocol
        self.responses = protocol.responses
        self._connected = True
        try:
            response = await asyncio.wait_for(
                self.send_action(
                    {"Action": "Login", "Username": config["username"], "Secret": config["secret"], "Events": "on"}
                ),
                timeout,
            )
        except BaseException:
            self.close()
            raise
        if not response.success:
            self.close()
            raise LoginRefused(response.get("Message") or response.get("Response") or "refused")
        self.authenticated = True

    def connection_lost(self, exc: object) -> None:  # panoramisk would schedule a reconnect here
        self._connected = False
        if not self.lost.done():
            self.lost.set_result(exc)

    def close(self) -> None:
        if self.protocol is not None:
            self.protocol.close()
        self.connection_lost(None)

    async def action(self, fields: dict[str, Any], timeout: float) -> Any:
        if self.lost.done():
            raise ConnectionError("AMI connection is closed")
        return await asyncio.wait_for(self.send_action(fields), timeout)
