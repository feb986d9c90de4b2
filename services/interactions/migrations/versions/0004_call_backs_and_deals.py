"""call backs counted per number, calls linked to the partner's only open deal

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 17:45:00

``tasks`` count the missed calls of one number on one open call-back task (``missed_count``,
``last_missed_at``; ``closed_by_call_id`` when an answered call closed it), at most one open per
number (``uq_tasks_open_call_back``): open call backs of one number made before are folded into
the oldest. ``followed_deals`` holds deals as deals' events tell them (open or not), so a call
from a partner with one open deal is linked to it; ``replay_state`` records deals' replay of the
deals open before (crm_kit.replay).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN_CALL_BACK_WHERE = "kind = 'call_back' AND status = 'open' AND phone IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('missed_count', sa.Integer(), nullable=False, server_default='1'))
        batch.add_column(sa.Column('last_missed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('closed_by_call_id', sa.String(length=200), nullable=True))
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE tasks SET last_missed_at = due_at"))
    # Several open call backs of one number (made before): the oldest counts them all, the
    # others are done, naming it.
    rows = bind.execute(sa.text(
        f"SELECT id, phone, due_at FROM tasks WHERE {OPEN_CALL_BACK_WHERE} ORDER BY phone, created_at, id"
    )).all()
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.phone, []).append(row)
    for group in groups.values():
        if len(group) < 2:
            continue
        keep, rest = group[0], group[1:]
        last = max((r.due_at for r in group if r.due_at is not None), default=None)
        bind.execute(sa.text("UPDATE tasks SET missed_count = :n, last_missed_at = :last WHERE id = :id"),
                     {"n": len(group), "last": last, "id": keep.id})
        for row in rest:
            bind.execute(sa.text("UPDATE tasks SET status = 'done', completed_at = due_at, "
                                 "note = :note WHERE id = :id"), {"note": f"counted on task {keep.id}", "id": row.id})
    op.create_index('uq_tasks_open_call_back', 'tasks', ['phone'], unique=True,
                    postgresql_where=sa.text(OPEN_CALL_BACK_WHERE), sqlite_where=sa.text(OPEN_CALL_BACK_WHERE))
    op.create_table(
        'followed_deals',
        sa.Column('deal_id', sa.Uuid(as_uuid=False), nullable=False),
        sa.Column('partner_id', sa.Uuid(as_uuid=False), nullable=False),
        sa.Column('open', sa.Boolean(), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('deal_id', name=op.f('pk_followed_deals')),
    )
    op.create_index('ix_followed_deals_open', 'followed_deals', ['partner_id'],
                    postgresql_where=sa.text('open'), sqlite_where=sa.text('open'))
    op.create_table(
        'replay_state',
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('replay_id', sa.String(length=36), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('records', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('source', name=op.f('pk_replay_state')),
    )


def downgrade() -> None:
    op.drop_table('replay_state')
    op.drop_index('ix_followed_deals_open', table_name='followed_deals')
    op.drop_table('followed_deals')
    op.drop_index('uq_tasks_open_call_back', table_name='tasks')
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('closed_by_call_id')
        batch.drop_column('last_missed_at')
        batch.drop_column('missed_count')
