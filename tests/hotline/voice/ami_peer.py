"""A real AMI peer on 127.0.0.1 for the tests: sends the banner, checks the login, answers the
actions the hotline sends, and writes recorded transcripts byte for byte while panoramisk is
connected for real. (Never ``panoramisk.testing``: it changes the end-of-line for the process.)"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import shared_fixture

BANNER = b"Asterisk Call Manager/5.0.5\r\n"
USERNAME, SECRET = "hotline", "s3cret-ami"


def transcript(name: str) -> bytes:
    return shared_fixture("ami", "pyfreepbx", name).read_bytes()


def recorded_response(yaml_name: str) -> list[tuple[str, str]]:
    """The server's part of a panoramisk fixture (LF, the client's ``Action:`` block first)."""
    text = shared_fixture("ami", "panoramisk", yaml_name).read_text()
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    reply = next(b for b in blocks if b.lstrip().startswith("Response:"))
    return [tuple(line.split(": ", 1)) for line in reply.strip().splitlines()]  # type: ignore[misc]


def message(*pairs: tuple[str, str]) -> bytes:
    return ("".join(f"{k}: {v}\r\n" for k, v in pairs) + "\r\n").encode()


@dataclass
class Connection:
    """What one client connection should see after a successful login."""

    after_login: list[bytes] = field(default_factory=list)  # chunks written once logged in
    close_after: bool = False  # close the socket once ``after_login`` is written
    answer_pings: bool = True
    live_channels: list[dict[str, str]] = field(default_factory=list)  # for CoreShowChannels
    may_list_channels: bool = True  # False: the manager user lacks write = reporting
    on_originate: Callable[[dict[str, str]], bytes | None] | None = None  # None: drop the socket
    pause: float = 0.0  # between chunks, so the client really receives them apart
    gate: threading.Event | None = None  # wait for it before writing ``after_login``


class AmiPeer:
    def __init__(self, *scripts: Connection, username: str = USERNAME, secret: str = SECRET) -> None:
        self.scripts = list(scripts)
        self.username, self.secret = username, secret
        self.logins: list[tuple[str, str, bool]] = []
        self.actions: list[dict[str, str]] = []
        self.connections = 0
        self.server: asyncio.AbstractServer | None = None
        self.port = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._handlers: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> AmiPeer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self._writers:
            writer.close()
        # A client that was connecting while the test ended (a listener cancelled mid-login) may
        # never close its end: give the handlers a moment, then cancel the ones still reading.
        handlers = list(self._handlers)
        if handlers:
            _done, pending = await asyncio.wait(handlers, timeout=2.0)
            for task in pending:
                task.cancel()
            await asyncio.gather(*handlers, return_exceptions=True)
        await self.server.wait_closed()

    def script_for(self, index: int) -> Connection:
        return (
            self.scripts[index] if index < len(self.scripts) else (self.scripts[-1] if self.scripts else Connection())
        )

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        script = self.script_for(self.connections)
        self.connections += 1
        self._writers.append(writer)
        writer.write(BANNER)
        transcript_sent = False
        try:
            while True:
                try:
                    raw = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                action = dict(line.split(": ", 1) for line in raw.decode().strip().split("\r\n") if ": " in line)
                self.actions.append(action)
                name = action.get("Action", "").lower()
                action_id = action.get("ActionID", "")
                if name == "login":
                    ok = action.get("Username") == self.username and action.get("Secret") == self.secret
                    self.logins.append((action.get("Username", ""), action.get("Secret", ""), ok))
                    if not ok:
                        pairs = [
                            (k, action_id if k == "ActionID" else v) for k, v in recorded_response("login_failed.yaml")
                        ]
                        writer.write(message(*pairs))
                        continue
                    writer.write(
                        message(
                            ("Response", "Success"), ("ActionID", action_id), ("Message", "Authentication accepted")
                        )
                    )
                    writer.write(
                        message(("Event", "FullyBooted"), ("Privilege", "system,all"), ("Status", "Fully Booted"))
                    )
                elif name == "coreshowchannels" and not script.may_list_channels:
                    writer.write(
                        message(("Response", "Error"), ("ActionID", action_id), ("Message", "Permission denied"))
                    )
                elif name == "coreshowchannels":
                    writer.write(
                        message(
                            ("Response", "Success"),
                            ("ActionID", action_id),
                            ("EventList", "start"),
                            ("Message", "Channels will follow"),
                        )
                    )
                    for channel in script.live_channels:
                        writer.write(message(("Event", "CoreShowChannel"), ("ActionID", action_id), *channel.items()))
                    writer.write(
                        message(
                            ("Event", "CoreShowChannelsComplete"),
                            ("ActionID", action_id),
                            ("EventList", "Complete"),
                            ("ListItems", str(len(script.live_channels))),
                        )
                    )
                elif name == "ping":
                    if script.answer_pings:
                        writer.write(
                            message(
                                ("Response", "Success"),
                                ("ActionID", action_id),
                                ("Ping", "Pong"),
                                ("Timestamp", "1409169929.412068"),
                            )
                        )
                elif name == "originate" and script.on_originate is not None:
                    answer = script.on_originate(action)
                    if answer is None:
                        writer.close()
                        return
                    writer.write(answer)
                elif name == "logoff":
                    writer.write(
                        message(
                            ("Response", "Goodbye"), ("ActionID", action_id), ("Message", "Thanks for all the fish.")
                        )
                    )
                    writer.close()
                    return
                else:
                    writer.write(
                        message(("Response", "Error"), ("ActionID", action_id), ("Message", "Invalid/unknown command"))
                    )
                await writer.drain()
                if name == "coreshowchannels" and not transcript_sent:
                    # the hotline lists live channels right after login: now the recorded call
                    transcript_sent = True
                    if script.gate is not None:
                        await asyncio.to_thread(script.gate.wait, 10)
                    for chunk in script.after_login:
                        writer.write(chunk)
                        await writer.drain()
                        if script.pause:
                            await asyncio.sleep(script.pause)
                    if script.close_after:
                        writer.close()
                        return
        finally:
            writer.close()


async def eventually(check: Callable[[], object], timeout: float = 30.0) -> object:
    """Poll ``check`` until it returns something truthy. The limit only ends a broken test: it is
    not a speed requirement, and a busy CI machine may need seconds for what takes milliseconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)


def path(name: str) -> Path:
    return shared_fixture("ami", "pyfreepbx", name)


class ThreadedPeer:
    """An ``AmiPeer`` on its own event loop in a thread, for tests of synchronous code (the CLI)."""

    def __init__(self, *scripts: Connection) -> None:
        self.peer = AmiPeer(*scripts)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> AmiPeer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.peer.__aenter__(), self._loop).result(5)
        return self.peer

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.peer.__aexit__(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
