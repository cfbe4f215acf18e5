"""join sms, voice and providers

Revision ID: 0400
Revises: 0101, 0201, 0301
Create Date: 2026-11-21 22:15:41.341095
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0400"
down_revision: str | Sequence[str] | None = ("0101", "0201", "0301")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
