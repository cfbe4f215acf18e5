"""training mode: trainees' scenario runs and their scores

Revision ID: 0902
Revises: 0560
Create Date: 2026-11-27 17:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from config.db import UTCDateTime

revision: str = "0902"
down_revision: str | Sequence[str] | None = "0560"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(length=32), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("trainee", sa.String(length=80), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ticket_number", sa.String(length=16), nullable=True),
        sa.Column("script", sa.JSON(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_training_runs_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_runs")),
    )
    op.create_index(op.f("ix_training_runs_scenario"), "training_runs", ["scenario"], unique=False)
    op.create_index(op.f("ix_training_runs_staff_id"), "training_runs", ["staff_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_training_runs_staff_id"), table_name="training_runs")
    op.drop_index(op.f("ix_training_runs_scenario"), table_name="training_runs")
    op.drop_table("training_runs")
