"""merge leads core, lead workflows, and accounts and contacts

Revision ID: 0003
Revises: 0002, 0102, 0202
Create Date: 2026-11-23 01:06:00
"""

from collections.abc import Sequence

revision: str = "0003"
down_revision: str | tuple[str, ...] | None = ("0002", "0102", "0202")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
