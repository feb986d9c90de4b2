"""partner archive: when, by whom and why a partner was archived

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 14:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('partners') as batch:
        batch.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('archived_by', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('archive_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('partners') as batch:
        batch.drop_column('archive_reason')
        batch.drop_column('archived_by')
        batch.drop_column('archived_at')
