"""subscriptions with consent, the suppression list, mailing groups, mailings; a message's
marketing topic and mailing, a partner's source in the recipients copy

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 18:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('subscriptions',
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('partner_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('contact_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('consent_source', sa.String(length=20), nullable=False),
    sa.Column('consent_by', sa.String(length=64), nullable=True),
    sa.Column('consent_note', sa.Text(), nullable=True),
    sa.Column('unsubscribed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unsubscribe_source', sa.String(length=20), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions')),
    sa.UniqueConstraint('address', 'topic', name='uq_subscriptions_address_topic')
    )
    op.create_index(op.f('ix_subscriptions_partner_id'), 'subscriptions', ['partner_id'], unique=False)
    op.create_table('suppressions',
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('address', 'reason', name=op.f('pk_suppressions'))
    )
    op.add_column('messages', sa.Column('topic', sa.String(length=100), nullable=True))
    op.add_column('messages', sa.Column('mailing_id', sa.Uuid(as_uuid=False), nullable=True))
    op.create_index('ix_messages_mailing', 'messages', ['mailing_id', 'status'], unique=False)
    op.add_column('recipient_partners', sa.Column('source', sa.String(length=100), nullable=True))
    op.create_table('mailing_groups',
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('manager_id', sa.String(length=64), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailing_groups'))
    )
    op.create_index(op.f('ix_mailing_groups_manager_id'), 'mailing_groups', ['manager_id'], unique=False)
    op.create_table('mailings',
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('template_code', sa.String(length=100), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cursor', sa.String(length=36), nullable=True),
    sa.Column('fanned_out', sa.Boolean(), nullable=False),
    sa.Column('manager_id', sa.String(length=64), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailings'))
    )
    op.create_index(op.f('ix_mailings_group_id'), 'mailings', ['group_id'], unique=False)
    op.create_index(op.f('ix_mailings_manager_id'), 'mailings', ['manager_id'], unique=False)
    op.create_index('ix_mailings_due', 'mailings', ['status', 'scheduled_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_mailings_due', table_name='mailings')
    op.drop_index(op.f('ix_mailings_manager_id'), table_name='mailings')
    op.drop_index(op.f('ix_mailings_group_id'), table_name='mailings')
    op.drop_table('mailings')
    op.drop_index(op.f('ix_mailing_groups_manager_id'), table_name='mailing_groups')
    op.drop_table('mailing_groups')
    op.drop_column('recipient_partners', 'source')
    op.drop_index('ix_messages_mailing', table_name='messages')
    op.drop_column('messages', 'mailing_id')
    op.drop_column('messages', 'topic')
    op.drop_table('suppressions')
    op.drop_index(op.f('ix_subscriptions_partner_id'), table_name='subscriptions')
    op.drop_table('subscriptions')
