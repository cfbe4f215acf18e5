"""the live queue's order as an index: a page of the queue reads 50 rows in order, never sorts them all

Revision ID: 0702
Revises: 0560
Create Date: 2026-11-27 17:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0702"
down_revision: str | Sequence[str] | None = "0560"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# dispatch.models.queue_keys() as it was written (a migration does not follow later code changes)
OPEN = "CASE WHEN status IN ('accepted', 'dispatching', 'in_service', 'new', 'offered', 'reopened') THEN 0 ELSE 1 END"
EMERGENCY = "CASE WHEN urgency = 'emergency' THEN 0 ELSE 1 END"
NO_DUE_TIME = "CASE WHEN due_at IS NULL THEN 1 ELSE 0 END"


def upgrade() -> None:
    op.create_index(
        "ix_tickets_queue",
        "tickets",
        [sa.text(f"({OPEN})"), sa.text(f"({EMERGENCY})"), sa.text(f"({NO_DUE_TIME})"), "due_at", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_queue", table_name="tickets")
