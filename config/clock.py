"""The one clock. Stored times are UTC; tests move time with ``freeze``."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, aware, in UTC."""
    return _frozen if _frozen is not None else dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def freeze(at: dt.datetime) -> Iterator[None]:
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    previous, _frozen = _frozen, at.astimezone(dt.UTC)
    try:
        yield
    finally:
        _frozen = previous


def local(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    return value.astimezone(zone)
