"""A trainee's run of a scenario, and its score (kept in the training database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from config import clock
from config.db import Base


class TrainingRun(Base):
    __tablename__ = "training_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario: Mapped[str] = mapped_column(String(32), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    trainee: Mapped[str] = mapped_column(String(80))  # the staff member's name when the run started
    phone: Mapped[str] = mapped_column(String(20))  # the scenario's resident
    started_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    ticket_number: Mapped[str | None] = mapped_column(String(16))  # the ticket the trainee handled
    script: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what the scenario has done so far
    finished_at: Mapped[dt.datetime | None]
    score: Mapped[int | None]  # 0-100 once finished
    marks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # each criterion: points, of, facts
