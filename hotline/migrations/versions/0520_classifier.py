"""classifier: trained models learned from operators' labels

Every retrain (``hotline classifier train``, the job ``dispatch.classifier_train``) is a row; the
newest accepted one is the model in use, refused ones keep their reason.

Revision ID: 0520
Revises: 0401
Create Date: 2026-11-27 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import config.db

revision: str = "0520"
down_revision: str | Sequence[str] | None = "0401"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classifier_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", config.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("corrections_upto", sa.Integer(), nullable=False),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("artifact", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classifier_models")),
    )
    op.create_index(op.f("ix_classifier_models_accepted"), "classifier_models", ["accepted"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_classifier_models_accepted"), table_name="classifier_models")
    op.drop_table("classifier_models")
