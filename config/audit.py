"""The one public shape of an audit event (a ticket's or a provider's): who, when, from, to, note."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    kind: str
    actor: str
    from_status: str | None
    to_status: str | None
    note: str | None
    data: dict[str, Any] | None

    @classmethod
    def of(cls, event: object) -> AuditEventOut:
        """From any audit row with these columns (``TicketEvent``, ``ProviderEvent``)."""
        return cls.model_validate(event)
