"""join the webhook spool's markers (hardening) with dispatch and the classifier

Revision ID: 0560
Revises: 0550, 0601
Create Date: 2026-11-27 15:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0560"
down_revision: str | Sequence[str] | None = ("0550", "0601")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
