"""dispatch: offers, the ticket's provider and dispatch figures, a resident's preferred provider,
quiet-hours holds on outbound texts

Revision ID: 0501
Revises: 0401
Create Date: 2026-11-27 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from config.db import UTCDateTime

revision: str = "0501"
down_revision: str | Sequence[str] | None = "0401"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("provider_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("accepted_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("expected_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("arrived_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("completed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("rounds", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("escalation", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("escalated_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("sla_flag", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("charged", sa.Numeric(10, 2), nullable=True))
        batch.add_column(sa.Column("overcharged", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("service_hours", sa.Double(), nullable=True))
        batch.add_column(sa.Column("resolution", sa.Text(), nullable=True))
        batch.create_foreign_key("fk_tickets_provider_id_providers", "providers", ["provider_id"], ["id"])
        batch.create_index("ix_tickets_provider_id", ["provider_id"], unique=False)
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("preferred_provider_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_residents_preferred_provider_id_providers",
            "providers",
            ["preferred_provider_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("sms_outbound") as batch:
        batch.add_column(sa.Column("quiet", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("provider_id", sa.Integer(), sa.ForeignKey("providers.id"), nullable=False),
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("offered_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
    )
    op.create_index(
        "uq_offers_ticket_accepted",
        "offers",
        ["ticket_id"],
        unique=True,
        sqlite_where=sa.text("status = 'accepted'"),
        postgresql_where=sa.text("status = 'accepted'"),
    )
    op.create_index(
        "uq_offers_provider_live_code",
        "offers",
        ["provider_id", "code"],
        unique=True,
        sqlite_where=sa.text("status = 'live'"),
        postgresql_where=sa.text("status = 'live'"),
    )
    op.create_index("ix_offers_status_expires_at", "offers", ["status", "expires_at"])
    op.create_index("ix_offers_ticket_id", "offers", ["ticket_id"])
    op.create_index("ix_offers_provider_status", "offers", ["provider_id", "status"])


def downgrade() -> None:
    op.drop_table("offers")
    with op.batch_alter_table("sms_outbound") as batch:
        batch.drop_column("quiet")
    with op.batch_alter_table("residents") as batch:
        batch.drop_constraint("fk_residents_preferred_provider_id_providers", type_="foreignkey")
        batch.drop_column("preferred_provider_id")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_provider_id")
        batch.drop_constraint("fk_tickets_provider_id_providers", type_="foreignkey")
        for column in (
            "resolution",
            "service_hours",
            "overcharged",
            "charged",
            "sla_flag",
            "escalated_at",
            "escalation",
            "rounds",
            "completed_at",
            "arrived_at",
            "expected_at",
            "accepted_at",
            "provider_id",
        ):
            batch.drop_column(column)
