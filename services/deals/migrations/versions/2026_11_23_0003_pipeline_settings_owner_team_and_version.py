"""pipeline settings, owner team and version

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 01:53:02.492349
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGS = ("win_when_order_confirmed", "is_renewal_pipeline", "title_date_prefix")


def upgrade() -> None:
    op.add_column("pipelines", sa.Column("team", sa.String(length=128), nullable=True))
    op.add_column("pipelines", sa.Column("proposal_stage_id", sa.Uuid(), nullable=True))
    for flag in FLAGS:
        op.add_column("pipelines", sa.Column(flag, sa.Boolean(), server_default="false", nullable=False))
    op.add_column("pipelines", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    # The default pipeline's quotes land in its "Proposal" stage.
    op.execute(
        "UPDATE pipelines SET proposal_stage_id = s.id FROM stages s"
        " WHERE pipelines.is_default AND s.pipeline_id = pipelines.id AND s.name = 'Proposal'"
    )


def downgrade() -> None:
    op.drop_column("pipelines", "version")
    for flag in reversed(FLAGS):
        op.drop_column("pipelines", flag)
    op.drop_column("pipelines", "proposal_stage_id")
    op.drop_column("pipelines", "team")
