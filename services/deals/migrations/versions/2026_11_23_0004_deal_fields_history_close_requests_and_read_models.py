"""deal fields, history, close requests, read models

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 02:13:06.389227
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('accounts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('owner_id', sa.String(length=128), nullable=True),
    sa.Column('csm_id', sa.String(length=128), nullable=True),
    sa.Column('customer', sa.String(length=8), server_default='none', nullable=False),
    sa.Column('merged_into', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts'))
    )
    op.create_table('deal_revisions',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('deal_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=128), nullable=False),
    sa.Column('pipeline_id', sa.Uuid(), nullable=False),
    sa.Column('stage_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('snapshot', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_revisions')),
    sa.UniqueConstraint('deal_id', 'version', name='uq_deal_revisions_version')
    )
    op.create_index('ix_deal_revisions_at', 'deal_revisions', ['at'], unique=False)
    op.create_table('deal_stage_periods',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('deal_id', sa.Uuid(), nullable=False),
    sa.Column('pipeline_id', sa.Uuid(), nullable=False),
    sa.Column('stage_id', sa.Uuid(), nullable=False),
    sa.Column('stage_name', sa.String(length=255), nullable=False),
    sa.Column('stage_kind', sa.String(length=8), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('entered_by', sa.String(length=128), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_stage_periods'))
    )
    op.create_index('ix_deal_stage_periods_deal', 'deal_stage_periods', ['deal_id', 'entered_at'], unique=False)
    op.create_index('ix_deal_stage_periods_stage', 'deal_stage_periods', ['stage_id', 'entered_at'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('team', sa.String(length=128), nullable=True),
    sa.Column('roles', postgresql.ARRAY(sa.String(length=16)), server_default='{}', nullable=False),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    op.create_table('close_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deal_id', sa.Uuid(), nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('signed_amount_minor', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('requested_by', sa.String(length=128), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=128), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_close_requests_deal_id_deals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_close_requests'))
    )
    op.create_index(op.f('ix_close_requests_deal_id'), 'close_requests', ['deal_id'], unique=False)
    op.create_index('uq_close_requests_pending', 'close_requests', ['deal_id'], unique=True, postgresql_where=sa.text("status = 'pending'"))
    op.create_table('signed_offers',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=128), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['close_requests.id'], name=op.f('fk_signed_offers_request_id_close_requests')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_signed_offers'))
    )
    op.add_column('deals', sa.Column('description', sa.Text(), nullable=True))
    op.add_column('deals', sa.Column('best_case_minor', sa.BigInteger(), nullable=True))
    op.add_column('deals', sa.Column('worst_case_minor', sa.BigInteger(), nullable=True))
    op.add_column('deals', sa.Column('probability_overridden', sa.Boolean(), server_default='false', nullable=False))
    op.add_column('deals', sa.Column('score', sa.SmallInteger(), nullable=True))
    op.add_column('deals', sa.Column('expected_close_date', sa.Date(), nullable=True))
    op.add_column('deals', sa.Column('team', sa.String(length=128), nullable=True))
    op.add_column('deals', sa.Column('contact_ids', postgresql.ARRAY(sa.Uuid()), server_default='{}', nullable=False))
    op.add_column('deals', sa.Column('tags', postgresql.ARRAY(sa.String(length=50)), server_default='{}', nullable=False))
    op.add_column('deals', sa.Column('recontact_on', sa.Date(), nullable=True))
    op.add_column('deals', sa.Column('follow_up_of', sa.Uuid(), nullable=True))
    op.add_column('deals', sa.Column('renewal_of_contract', sa.Uuid(), nullable=True))
    op.add_column('deals', sa.Column('renewal_start', sa.Date(), nullable=True))
    op.add_column('deals', sa.Column('rank', sa.Float(), server_default='0', nullable=False))
    op.add_column('deals', sa.Column('needs_review', sa.Boolean(), server_default='false', nullable=False))
    op.add_column('deals', sa.Column('review_reason', sa.Text(), nullable=True))
    op.add_column('deals', sa.Column('created_by', sa.String(length=128), nullable=True))
    op.add_column('deals', sa.Column('updated_by', sa.String(length=128), nullable=True))
    op.add_column('deals', sa.Column('stage_entered_at', sa.DateTime(timezone=True), nullable=True))
    # Deals made before these columns: their owner made them, and they entered their stage when last changed.
    op.execute(
        "UPDATE deals SET created_by = owner_id, updated_by = owner_id, stage_entered_at = updated_at"
    )
    for column in ("created_by", "updated_by", "stage_entered_at"):
        op.alter_column("deals", column, nullable=False)
    op.execute(
        "INSERT INTO deal_stage_periods (deal_id, pipeline_id, stage_id, stage_name, stage_kind, entered_at,"
        " entered_by) SELECT d.id, d.pipeline_id, d.stage_id, s.name, s.kind, d.updated_at, d.owner_id"
        " FROM deals d JOIN stages s ON s.id = d.stage_id"
    )
    op.drop_index(op.f('ix_deals_owner_id'), table_name='deals')
    op.drop_index(op.f('ix_deals_stage_id'), table_name='deals')
    op.drop_index(op.f('ix_deals_status'), table_name='deals')
    op.create_index('ix_deals_board', 'deals', ['stage_id', 'rank', 'id'], unique=False)
    op.create_index(op.f('ix_deals_contact_id'), 'deals', ['contact_id'], unique=False)
    op.create_index('ix_deals_contact_ids', 'deals', ['contact_ids'], unique=False, postgresql_using='gin')
    op.create_index(op.f('ix_deals_follow_up_of'), 'deals', ['follow_up_of'], unique=False)
    op.create_index('ix_deals_forecast', 'deals', ['expected_close_date'], unique=False, postgresql_where=sa.text("status = 'open'"))
    op.create_index('ix_deals_owner_status', 'deals', ['owner_id', 'status', 'id'], unique=False)
    op.create_index('ix_deals_status_id', 'deals', ['status', 'id'], unique=False)
    op.create_index('ix_deals_tags', 'deals', ['tags'], unique=False, postgresql_using='gin')
    op.create_index('ix_deals_title_trgm', 'deals', ['title'], unique=False, postgresql_using='gin', postgresql_ops={'title': 'gin_trgm_ops'})
    op.create_unique_constraint('uq_deals_renewal', 'deals', ['renewal_of_contract', 'renewal_start'])
    op.add_column('pipelines', sa.Column('is_cold_leads_pipeline', sa.Boolean(), server_default='false', nullable=False))


def downgrade() -> None:
    op.drop_column('pipelines', 'is_cold_leads_pipeline')
    op.drop_constraint('uq_deals_renewal', 'deals', type_='unique')
    op.drop_index('ix_deals_title_trgm', table_name='deals', postgresql_using='gin', postgresql_ops={'title': 'gin_trgm_ops'})
    op.drop_index('ix_deals_tags', table_name='deals', postgresql_using='gin')
    op.drop_index('ix_deals_status_id', table_name='deals')
    op.drop_index('ix_deals_owner_status', table_name='deals')
    op.drop_index('ix_deals_forecast', table_name='deals', postgresql_where=sa.text("status = 'open'"))
    op.drop_index(op.f('ix_deals_follow_up_of'), table_name='deals')
    op.drop_index('ix_deals_contact_ids', table_name='deals', postgresql_using='gin')
    op.drop_index(op.f('ix_deals_contact_id'), table_name='deals')
    op.drop_index('ix_deals_board', table_name='deals')
    op.create_index(op.f('ix_deals_status'), 'deals', ['status'], unique=False)
    op.create_index(op.f('ix_deals_stage_id'), 'deals', ['stage_id'], unique=False)
    op.create_index(op.f('ix_deals_owner_id'), 'deals', ['owner_id'], unique=False)
    op.drop_column('deals', 'stage_entered_at')
    op.drop_column('deals', 'updated_by')
    op.drop_column('deals', 'created_by')
    op.drop_column('deals', 'review_reason')
    op.drop_column('deals', 'needs_review')
    op.drop_column('deals', 'rank')
    op.drop_column('deals', 'renewal_start')
    op.drop_column('deals', 'renewal_of_contract')
    op.drop_column('deals', 'follow_up_of')
    op.drop_column('deals', 'recontact_on')
    op.drop_column('deals', 'tags')
    op.drop_column('deals', 'contact_ids')
    op.drop_column('deals', 'team')
    op.drop_column('deals', 'expected_close_date')
    op.drop_column('deals', 'score')
    op.drop_column('deals', 'probability_overridden')
    op.drop_column('deals', 'worst_case_minor')
    op.drop_column('deals', 'best_case_minor')
    op.drop_column('deals', 'description')
    op.drop_table('signed_offers')
    op.drop_index('uq_close_requests_pending', table_name='close_requests', postgresql_where=sa.text("status = 'pending'"))
    op.drop_index(op.f('ix_close_requests_deal_id'), table_name='close_requests')
    op.drop_table('close_requests')
    op.drop_table('users')
    op.drop_index('ix_deal_stage_periods_stage', table_name='deal_stage_periods')
    op.drop_index('ix_deal_stage_periods_deal', table_name='deal_stage_periods')
    op.drop_table('deal_stage_periods')
    op.drop_index('ix_deal_revisions_at', table_name='deal_revisions')
    op.drop_table('deal_revisions')
    op.drop_table('accounts')
