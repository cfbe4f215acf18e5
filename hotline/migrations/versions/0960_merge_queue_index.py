"""join the queue index (0702) with reviews, demo, training and the web form (0950)

Revision ID: 0960
Revises: 0702, 0950
Create Date: 2026-11-27 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0960"
down_revision: str | Sequence[str] | None = ("0702", "0950")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
