"""name words everywhere: fill the name-word dictionary on SQLite too

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 14:00:00

Until now only PostgreSQL kept ``name_words`` and ``partner_name_words`` (and searched similar
names through them); the embedded default found equal name keys only. The similar-name search
now runs on every database (usecases/duplicates.py), so an existing SQLite database gets its
postings and dictionary from its partners here (tombstones of merges left out), as 0002 did
for PostgreSQL. Nothing to do on PostgreSQL.
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
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        return
    postings, counts = [], {}
    for partner_id, key in bind.execute(sa.text("SELECT id, name_key FROM partners WHERE status <> 'merged'")):
        for word in sorted(set((key or "").split())):
            postings.append({"partner_id": partner_id, "word": word, "key_length": len(key)})
            counts[word] = counts.get(word, 0) + 1
    bind.execute(sa.text("DELETE FROM partner_name_words"))
    bind.execute(sa.text("DELETE FROM name_words"))
    if postings:
        bind.execute(
            sa.text("INSERT INTO partner_name_words (partner_id, word, key_length) VALUES (:partner_id, :word, :key_length)"),
            postings,
        )
        bind.execute(
            sa.text("INSERT INTO name_words (word, partners) VALUES (:word, :partners)"),
            [{"word": word, "partners": n} for word, n in sorted(counts.items())],
        )


def downgrade() -> None:
    pass
