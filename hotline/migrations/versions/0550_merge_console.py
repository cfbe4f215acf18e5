"""join the webhook spool's markers (hardening) with dispatch and the classifier

Revision ID: 0550
Revises: 0540, 0701
Create Date: 2026-11-27 15:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0550"
down_revision: str | Sequence[str] | None = ("0540", "0701")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
