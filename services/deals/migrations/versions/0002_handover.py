"""deals: the history of who a deal was handed to (deal_assignments) and where each partner sits
(partner_placements), for deals that follow their partner

Revision ID: 0002_handover
Revises: 0001
Create Date: 2026-12-04 14:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002_handover'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('deal_assignments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('deal_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('manager_id', sa.String(length=64), nullable=True),
    sa.Column('previous_manager_id', sa.String(length=64), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('handover_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('tasks_moved', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_assignments_deal_id_deals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_assignments'))
    )
    with op.batch_alter_table('deal_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_assignments_deal_id'), ['deal_id'], unique=False)
    op.create_table('partner_placements',
    sa.Column('partner_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('manager_id', sa.String(length=64), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reassigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('partner_id', name=op.f('pk_partner_placements'))
    )


def downgrade() -> None:
    op.drop_table('partner_placements')
    with op.batch_alter_table('deal_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_assignments_deal_id'))
    op.drop_table('deal_assignments')
