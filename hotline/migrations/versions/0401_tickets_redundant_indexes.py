"""tickets: drop the indexes that composite ones already lead with

ix_tickets_resident_id is the prefix of ix_tickets_resident_item_status, ix_tickets_status that of
ix_tickets_status_due_at: every lookup they served uses the composite index, and each ticket
written no longer updates two more b-trees.

Revision ID: 0401
Revises: 0400
Create Date: 2026-11-21 23:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0401"
down_revision: str | Sequence[str] | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_tickets_resident_id", table_name="tickets")
    op.drop_index("ix_tickets_status", table_name="tickets")


def downgrade() -> None:
    op.create_index("ix_tickets_status", "tickets", ["status"], unique=False)
    op.create_index("ix_tickets_resident_id", "tickets", ["resident_id"], unique=False)
