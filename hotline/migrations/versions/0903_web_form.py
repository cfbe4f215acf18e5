"""web form: texted codes and status look-ups of the resident pages

Revision ID: 0903
Revises: 0560
Create Date: 2026-11-27 17:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from config.db import UTCDateTime

revision: str = "0903"
down_revision: str | Sequence[str] | None = "0560"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("ticket_number", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_codes")),
        sa.UniqueConstraint("token", name=op.f("uq_web_codes_token")),
    )
    op.create_index(op.f("ix_web_codes_phone"), "web_codes", ["phone"], unique=False)
    op.create_index(op.f("ix_web_codes_client"), "web_codes", ["client"], unique=False)
    op.create_index(op.f("ix_web_codes_created_at"), "web_codes", ["created_at"], unique=False)
    op.create_table(
        "web_status_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_status_lookups")),
    )
    op.create_index(op.f("ix_web_status_lookups_at"), "web_status_lookups", ["at"], unique=False)
    op.create_index(op.f("ix_web_status_lookups_client"), "web_status_lookups", ["client"], unique=False)
    op.create_index(op.f("ix_web_status_lookups_number"), "web_status_lookups", ["number"], unique=False)


def downgrade() -> None:
    op.drop_table("web_status_lookups")
    op.drop_table("web_codes")
