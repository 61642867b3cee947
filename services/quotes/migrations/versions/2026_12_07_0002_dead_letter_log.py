"""dead letter log

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The dead letters an operator replayed or discarded (crm_shared.db.plumbing.define_dead_letter_log).
    op.create_table(
        'dead_letter_log',
        sa.Column('letter', sa.String(length=300), nullable=False),
        sa.Column('consumer', sa.String(length=128), nullable=False),
        sa.Column('event_id', sa.Uuid(), nullable=True),
        sa.Column('event_type', sa.String(length=128), nullable=True),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('outcome', sa.String(length=32), nullable=True),
        sa.Column('actor', sa.String(length=128), nullable=False),
        sa.Column('handled_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('letter', name=op.f('pk_dead_letter_log')),
    )


def downgrade() -> None:
    op.drop_table('dead_letter_log')
