"""join reviews (0801), the demo marker (0901), training runs (0902) and the web form (0903)

Revision ID: 0950
Revises: 0801, 0901, 0902, 0903
Create Date: 2026-11-27 18:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0950"
down_revision: str | Sequence[str] | None = ("0801", "0901", "0902", "0903")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
