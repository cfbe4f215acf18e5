"""join dispatch and the classifier's models

Revision ID: 0530
Revises: 0501, 0520
Create Date: 2026-11-27 14:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0530"
down_revision: str | Sequence[str] | None = ("0501", "0520")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
