"""default pipeline and its stages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm_shared.ids import new_id

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES = (
    ("Prospecting", 10, "open"),
    ("Qualification", 20, "open"),
    ("Proposal", 50, "open"),
    ("Negotiation", 80, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
)


def upgrade() -> None:
    pipelines = sa.table(
        "pipelines",
        sa.column("id", sa.Uuid),
        sa.column("name", sa.String),
        sa.column("currency", sa.String),
        sa.column("is_default", sa.Boolean),
    )
    stages = sa.table(
        "stages",
        sa.column("id", sa.Uuid),
        sa.column("pipeline_id", sa.Uuid),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("probability", sa.Integer),
        sa.column("kind", sa.String),
    )
    pipeline_id = new_id()
    op.bulk_insert(pipelines, [{"id": pipeline_id, "name": "Default", "currency": "EUR", "is_default": True}])
    op.bulk_insert(
        stages,
        [
            {"id": new_id(), "pipeline_id": pipeline_id, "name": name, "position": position,
             "probability": probability, "kind": kind}
            for position, (name, probability, kind) in enumerate(STAGES)
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM stages WHERE pipeline_id IN (SELECT id FROM pipelines WHERE is_default)")
    op.execute("DELETE FROM pipelines WHERE is_default")
