"""hardening: the webhook spool's exactly-once markers, the audit of residents' data exports and erasures

Revision ID: 0510
Revises: 0401
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import config.db

revision: str = "0510"
down_revision: str | Sequence[str] | None = "0401"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spool_replays",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("received_at", config.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", config.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spool_replays")),
    )
    op.create_table(
        "privacy_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", config.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_events")),
    )
    op.create_index(op.f("ix_privacy_events_at"), "privacy_events", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_privacy_events_at"), table_name="privacy_events")
    op.drop_table("privacy_events")
    op.drop_table("spool_replays")
