"""callbacks: surveys after every service, complaints, result notices, their audit trail

Revision ID: 0601
Revises: 0501
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from config.db import UTCDateTime

revision: str = "0601"
down_revision: str | Sequence[str] | None = "0501"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASKED = sa.text("status IN ('sent', 'no_answer')")


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("residents.id"), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("claim", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=True),
        sa.Column("provider_id", sa.Integer(), sa.ForeignKey("providers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("operator_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("clarified", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("call_sid", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("ticket_id", "round", name="uq_surveys_ticket_id"),
    )
    op.create_index("ix_surveys_status_due_at", "surveys", ["status", "due_at"])
    op.create_index(
        "uq_surveys_resident_open_code",
        "surveys",
        ["resident_id", "code"],
        unique=True,
        sqlite_where=ASKED,
        postgresql_where=ASKED,
    )
    op.create_index("ix_surveys_resident_status", "surveys", ["resident_id", "status"])
    op.create_index("ix_surveys_call_sid", "surveys", ["call_sid"])
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("residents.id"), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True),
        sa.Column("provider_id", sa.Integer(), sa.ForeignKey("providers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("survey_id", sa.Integer(), sa.ForeignKey("surveys.id", ondelete="SET NULL"), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("deadline_at", UTCDateTime(), nullable=False),
        sa.Column("escalated_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("told_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("survey_id", name="uq_complaints_survey_id"),
    )
    op.create_index("ix_complaints_status_deadline_at", "complaints", ["status", "deadline_at"])
    op.create_index("ix_complaints_resident_id", "complaints", ["resident_id"])
    op.create_index("ix_complaints_ticket_id", "complaints", ["ticket_id"])
    op.create_table(
        "result_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("ticket_id", "closed_at", name="uq_result_notices_ticket_id"),
    )
    op.create_table(
        "callback_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("survey_id", sa.Integer(), sa.ForeignKey("surveys.id", ondelete="CASCADE"), nullable=True),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaints.id", ondelete="CASCADE"), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
    )
    op.create_index("ix_callback_events_survey_id", "callback_events", ["survey_id"])
    op.create_index("ix_callback_events_complaint_id", "callback_events", ["complaint_id"])


def downgrade() -> None:
    op.drop_table("callback_events")
    op.drop_table("result_notices")
    op.drop_table("complaints")
    op.drop_table("surveys")
