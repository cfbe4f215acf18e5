"""the queue filtered by one status, as an index: a status filter reads its page in order, never sorts

Revision ID: 0972
Revises: 0960
Create Date: 2026-11-27 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0972"
down_revision: str | Sequence[str] | None = "0960"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# dispatch.models.queue_keys()[1:] as it was written (a migration does not follow later code changes)
EMERGENCY = "CASE WHEN urgency = 'emergency' THEN 0 ELSE 1 END"
NO_DUE_TIME = "CASE WHEN due_at IS NULL THEN 1 ELSE 0 END"


def upgrade() -> None:
    op.create_index(
        "ix_tickets_queue_status",
        "tickets",
        ["status", sa.text(f"({EMERGENCY})"), sa.text(f"({NO_DUE_TIME})"), "due_at", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_queue_status", table_name="tickets")
