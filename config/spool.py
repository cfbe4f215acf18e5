"""A durable local spool for webhook requests the database could not take in time.

The promise: a request the webhook answered with a holding reply is in ``webhooks.jsonl``,
appended and fsync'd *before* the answer, so it survives ``kill -9`` or a power cut after that.
``replay`` then writes each entry into the database exactly once: a ``spool_replays`` row named by
the entry's id commits in the same transaction as the entry's own writes, so an entry replayed
again (the process died after that commit, before the file was compacted) finds its row and is
skipped. Entries leave the file only once their row is committed.

Writers (webhooks in one or several processes) and the compaction take an ``flock`` on
``webhooks.lock``; the replay itself runs without it, so a webhook never waits for the database
behind the spool's lock. Files are created 0600 in a 0700 directory: they hold residents' texts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import String
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Mapped, Session, mapped_column

from config import clock
from config.db import Base, Database, DatabaseBusy

log = logging.getLogger("hotline.spool")
T = TypeVar("T")

# What "the database cannot take this write now" looks like: our writer lock's timeout, SQLite's
# "database is locked", PostgreSQL's lock/statement timeouts and refused connections, a full pool.
UNAVAILABLE: tuple[type[Exception], ...] = (DatabaseBusy, OperationalError, PoolTimeout)

# How one kind of entry is written into the database, inside the replay's transaction.
Replayer = Callable[[Session, "Entry"], None]


class SpoolReplay(Base):
    """An entry of the spool that has been written into the database (exactly-once marker)."""

    __tablename__ = "spool_replays"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the entry's id
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str | None] = mapped_column(String(64))  # MessageSid / CallSid
    received_at: Mapped[dt.datetime]
    replayed_at: Mapped[dt.datetime]


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str  # "sms.inbound", "voice.incoming", ...
    key: str | None  # MessageSid / CallSid, for the log and the marker
    received_at: dt.datetime
    form: dict[str, str]

    def line(self) -> bytes:
        record = {
            "id": self.id,
            "kind": self.kind,
            "key": self.key,
            "received_at": self.received_at.isoformat(),
            "form": self.form,
        }
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"

    @classmethod
    def parse(cls, line: bytes) -> Entry | None:
        try:
            record = json.loads(line)
            return cls(
                id=str(record["id"]),
                kind=str(record["kind"]),
                key=record.get("key"),
                received_at=dt.datetime.fromisoformat(record["received_at"]),
                form={str(k): str(v) for k, v in record["form"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # a line torn by a crash mid-write: never acknowledged, so never answered


class Spool:
    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.path = self.directory / "webhooks.jsonl"
        self._lock_path = self.directory / "webhooks.lock"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def append(self, *, kind: str, key: str | None, form: Mapping[str, str]) -> Entry:
        """Keep a request durably: when this returns, the entry is on disk (fsync'd)."""
        entry = Entry(id=uuid.uuid4().hex, kind=kind, key=key, received_at=clock.now(), form=dict(form))
        with self._locked():
            created = not self.path.exists()
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                size = os.fstat(fd).st_size
                torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"  # a crash mid-write left half a line
                os.write(fd, (b"\n" if torn else b"") + entry.line())
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                _fsync_directory(self.directory)
        return entry

    def pending(self) -> list[Entry]:
        """Every entry still in the spool, oldest first."""
        with self._locked():
            return self._read()

    def count(self) -> int:
        if not self.path.exists():
            return 0
        return len(self.pending())

    def discard(self, ids: set[str]) -> None:
        """Drop entries that are in the database now (rewrite, fsync, rename)."""
        if not ids:
            return
        with self._locked():
            keep = [entry for entry in self._read() if entry.id not in ids]
            if not keep:
                self.path.unlink(missing_ok=True)
            else:
                fresh = self.path.with_suffix(".tmp")
                fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    os.write(fd, b"".join(entry.line() for entry in keep))
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(fresh, self.path)
            _fsync_directory(self.directory)

    def _read(self) -> list[Entry]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        entries = []
        for line in data.splitlines():
            if line.strip():
                entry = Entry.parse(line)
                if entry is None:
                    log.warning("spool %s: skipped a torn line of %d bytes", self.path, len(line))
                else:
                    entries.append(entry)
        return entries

    def health(self) -> str | None:
        """None when empty; else one line for ``/healthz``."""
        entries = self.pending() if self.path.exists() else []
        if not entries:
            return None
        return f"{len(entries)} webhook request(s) waiting in the spool since {entries[0].received_at.isoformat()}"


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_or_spool(
    spool: Spool,
    *,
    kind: str,
    key: str | None,
    form: Mapping[str, str],
    write: Callable[[], T],
    holding: Callable[[], T],
) -> T:
    """``write()`` (a bounded database unit); if the database cannot take it now, keep the request
    in the spool and return ``holding()`` (the answer that does not need the database)."""
    try:
        return write()
    except UNAVAILABLE as exc:
        entry = spool.append(kind=kind, key=key, form=form)
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        log.warning("database unavailable (%s): %s %s kept in the spool as %s", reason, kind, key, entry.id)
        return holding()


def replay(db: Database, spool: Spool, replayers: Mapping[str, Replayer], *, wait: float | None = None) -> int:
    """Write the spooled entries into the database, each once, oldest first; returns how many were
    written. Stops at the first entry the database still cannot take (the next pass goes on)."""
    written: set[str] = set()
    done: set[str] = set()
    for entry in spool.pending():
        replayer = replayers.get(entry.kind)
        if replayer is None:
            log.error("spool entry %s: no replayer for kind %r; left in the spool", entry.id, entry.kind)
            continue
        try:
            with db.transaction(wait=wait) as session:
                if session.get(SpoolReplay, entry.id) is None:
                    session.add(
                        SpoolReplay(
                            id=entry.id,
                            kind=entry.kind,
                            key=(entry.key or "")[:64] or None,
                            received_at=entry.received_at,
                            replayed_at=clock.now(),
                        )
                    )
                    session.flush()
                    replayer(session, entry)
                    written.add(entry.id)
            done.add(entry.id)
        except UNAVAILABLE as exc:
            log.info("spool replay paused, the database is still unavailable: %s", str(exc).splitlines()[0][:200])
            break
        except Exception:  # one bad entry must not hold back the others; it stays for an operator
            log.exception("spool entry %s (%s %s) failed to replay; left in the spool", entry.id, entry.kind, entry.key)
    spool.discard(done)
    if written:
        log.info("replayed %d spooled webhook request(s) into the database", len(written))
    return len(written)
