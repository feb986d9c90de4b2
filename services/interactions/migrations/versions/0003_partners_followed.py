"""partners followed: forgotten clients include the never contacted, and belong to the client's manager

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 15:30:00

``partner_activity`` now holds every partner heard of from partners' events (its name, whether
it is a client, its status and when it was registered), not only those an interaction has
happened with: ``last_interaction_at`` may be empty (never contacted).
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
    with op.batch_alter_table('partner_activity') as batch:
        batch.alter_column('last_interaction_at', existing_type=sa.DateTime(timezone=True), nullable=True)
        batch.add_column(sa.Column('partner_name', sa.String(length=300), nullable=True))
        batch.add_column(sa.Column('client', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('status', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('registered_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('partner_activity') as batch:
        batch.drop_column('registered_at')
        batch.drop_column('status')
        batch.drop_column('client')
        batch.drop_column('partner_name')
