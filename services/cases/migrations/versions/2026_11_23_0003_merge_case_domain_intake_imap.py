"""merge the case domain, mail intake and IMAP state branches

Revision ID: 0003
Revises: 0102, 0202, 0302
Create Date: 2026-11-23 03:10:00
"""

from collections.abc import Sequence

revision: str = "0003"
down_revision: tuple[str, ...] | None = ("0102", "0202", "0302")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
