"""sales terms on deals and documents, cancelled invoices, offer expiry, task lists

Revision ID: 0003_sales_terms
Revises: 0002_handover
Create Date: 2026-12-04 14:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003_sales_terms'
down_revision: Union[str, Sequence[str], None] = '0002_handover'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The built-in processes' shipment stage now also needs the agreement's prepayment paid
# (services/deals/domain/process.py as of this revision, written out).
_BUILTIN = ("standard", "manual")
_SHIPMENT = "shipment"
_PREPAYMENT = "prepayment_paid"


def _set_shipment_preconditions(add: bool) -> None:
    processes = sa.table("sales_processes", sa.column("code", sa.String), sa.column("stages", sa.JSON))
    connection = op.get_bind()
    for code, stages in connection.execute(sa.select(processes.c.code, processes.c.stages)
                                           .where(processes.c.code.in_(_BUILTIN))).all():
        changed = []
        for stage in stages or []:
            stage = dict(stage)
            preconditions = [name for name in stage.get("preconditions") or [] if name != _PREPAYMENT]
            if add and stage.get("code") == _SHIPMENT:
                preconditions.append(_PREPAYMENT)
            stage["preconditions"] = preconditions
            changed.append(stage)
        connection.execute(processes.update().where(processes.c.code == code).values(stages=changed))


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('deals', sa.Column('agreement_status', sa.String(length=20), nullable=True))
    op.add_column('deals', sa.Column('terms_credit_days', sa.Integer(), nullable=True))
    op.add_column('deals', sa.Column('terms_discount_percent', sa.Numeric(precision=5, scale=2), nullable=True))
    op.add_column('deals', sa.Column('terms_prepayment_share', sa.Numeric(precision=5, scale=2), nullable=True))
    op.create_index('ix_deals_agreement', 'deals', ['agreement_id'], unique=False)
    op.add_column('offers', sa.Column('terms_override', sa.JSON(), nullable=True))
    op.create_index('ix_offers_expiry_scan', 'offers', ['valid_until'], unique=False,
                    postgresql_where=sa.text("status = 'sent' AND valid_until IS NOT NULL"),
                    sqlite_where=sa.text("status = 'sent' AND valid_until IS NOT NULL"))
    op.add_column('invoices', sa.Column('terms_override', sa.JSON(), nullable=True))
    op.add_column('invoices', sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('invoices', sa.Column('cancelled_by', sa.String(length=64), nullable=True))
    op.add_column('invoices', sa.Column('cancel_reason', sa.String(length=500), nullable=True))
    op.create_index('ix_tasks_open_due', 'tasks', ['due_date', 'id'], unique=False,
                    postgresql_where=sa.text('NOT done'), sqlite_where=sa.text('NOT done'))
    # Deals that chose terms before this revision: their agreement was approved when chosen.
    op.execute("UPDATE deals SET agreement_status = 'approved' WHERE agreement_id IS NOT NULL")
    _set_shipment_preconditions(add=True)


def downgrade() -> None:
    """Downgrade schema."""
    _set_shipment_preconditions(add=False)
    op.drop_index('ix_tasks_open_due', table_name='tasks', postgresql_where=sa.text('NOT done'),
                  sqlite_where=sa.text('NOT done'))
    with op.batch_alter_table('invoices') as batch:
        batch.drop_column('cancel_reason')
        batch.drop_column('cancelled_by')
        batch.drop_column('cancelled_at')
        batch.drop_column('terms_override')
    op.drop_index('ix_offers_expiry_scan', table_name='offers')
    with op.batch_alter_table('offers') as batch:
        batch.drop_column('terms_override')
    op.drop_index('ix_deals_agreement', table_name='deals')
    with op.batch_alter_table('deals') as batch:
        batch.drop_column('terms_prepayment_share')
        batch.drop_column('terms_discount_percent')
        batch.drop_column('terms_credit_days')
        batch.drop_column('agreement_status')
