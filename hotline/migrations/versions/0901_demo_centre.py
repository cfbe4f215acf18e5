"""demo: the record that a database is a demo centre (demo mode belongs to the database)

Revision ID: 0901
Revises: 0560
Create Date: 2026-11-27 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from config.db import UTCDateTime

revision: str = "0901"
down_revision: str | Sequence[str] | None = "0560"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demo_centre",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seeded_at", UTCDateTime(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("scale", sa.Double(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demo_centre")),
    )


def downgrade() -> None:
    op.drop_table("demo_centre")
