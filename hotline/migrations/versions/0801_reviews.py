"""reviews: each provider's keep / warn / probation / remove review per period

Revision ID: 0801
Revises: 0560
Create Date: 2026-11-27 17:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from config.db import UTCDateTime

revision: str = "0801"
down_revision: str | Sequence[str] | None = "0560"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=24), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("proposal", sa.String(length=12), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("appeal", sa.Text(), nullable=True),
        sa.Column("appealed_at", UTCDateTime(), nullable=True),
        sa.Column("reinstated_at", UTCDateTime(), nullable=True),
        sa.Column("reinstate_reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["staff.id"], name=op.f("fk_provider_reviews_decided_by_id_staff")),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_provider_reviews_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_reviews")),
        sa.UniqueConstraint("period", "provider_id", name=op.f("uq_provider_reviews_period")),
    )
    op.create_index(op.f("ix_provider_reviews_period"), "provider_reviews", ["period"], unique=False)
    op.create_index(op.f("ix_provider_reviews_provider_id"), "provider_reviews", ["provider_id"], unique=False)
    # reports and reviews group the ledger by kind and time over every provider
    op.create_index("ix_provider_ledger_at_kind", "provider_ledger", ["at", "kind"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_provider_ledger_at_kind", table_name="provider_ledger")
    op.drop_index(op.f("ix_provider_reviews_provider_id"), table_name="provider_reviews")
    op.drop_index(op.f("ix_provider_reviews_period"), table_name="provider_reviews")
    op.drop_table("provider_reviews")
