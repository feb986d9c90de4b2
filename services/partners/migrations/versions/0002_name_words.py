"""name words: the dictionary of name-key words for the similar-name duplicate search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:00:00

``name_words`` holds every word of the partners' name keys with the number of partners whose
key holds it; ``partner_name_words`` the postings (word, partner, key length). On PostgreSQL
the dictionary gets a pg_trgm index on (length(word), word) (a typo'd word finds its
neighbours among the distinct words instead of a million names) and the postings an index
on (word, key_length, partner_id); both are filled from the existing partners (tombstones
of merges left out). Index-only scans of the postings want a VACUUM after the backfill.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The same split as usecases/name_words.py: a name key is words separated by single spaces.
BACKFILL_POSTINGS = """
INSERT INTO partner_name_words (partner_id, word, key_length)
SELECT DISTINCT p.id, w.word, length(p.name_key)
FROM partners p CROSS JOIN LATERAL regexp_split_to_table(p.name_key, ' ') AS w(word)
WHERE p.status <> 'merged' AND w.word <> ''
"""
BACKFILL_DICTIONARY = """
INSERT INTO name_words (word, partners)
SELECT word, count(*) FROM partner_name_words GROUP BY word
"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        'name_words',
        sa.Column('word', sa.String(length=300), nullable=False),
        sa.Column('partners', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('word', name=op.f('pk_name_words')),
    )
    postings = [
        sa.Column('partner_id', sa.Uuid(as_uuid=False), nullable=False),
        sa.Column('word', sa.String(length=300), nullable=False),
        sa.Column('key_length', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['partner_id'], ['partners.id'], name=op.f('fk_partner_name_words_partner_id_partners'), ondelete='CASCADE'
        ),
    ]
    if not postgres:
        op.create_table(
            'partner_name_words', *postings,
            sa.PrimaryKeyConstraint('partner_id', 'word', name=op.f('pk_partner_name_words')),
        )
        op.create_index('ix_partner_name_words_lookup', 'partner_name_words', ['word', 'key_length', 'partner_id'])
        return
    # PostgreSQL: filled first, keys and indexes built after (one sort each, not a million inserts).
    op.create_table('partner_name_words', *postings)
    op.execute("SET LOCAL maintenance_work_mem = '512MB'")
    op.execute(BACKFILL_POSTINGS)
    op.execute(BACKFILL_DICTIONARY)
    op.create_primary_key('pk_partner_name_words', 'partner_name_words', ['partner_id', 'word'])
    op.create_index('ix_partner_name_words_lookup', 'partner_name_words', ['word', 'key_length', 'partner_id'])
    # Neighbours of a typo'd word are looked for among words of about its length: btree_gin
    # puts the length in the trigram index, so the recheck does not see every short word.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute("CREATE INDEX ix_name_words_trgm ON name_words USING gin (length(word), word gin_trgm_ops)")
    op.execute("ANALYZE name_words")
    op.execute("ANALYZE partner_name_words")


def downgrade() -> None:
    op.drop_table('partner_name_words')
    op.drop_table('name_words')
