"""notifications initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-12-04 17:23:09

"""
import uuid
from datetime import datetime, timezone
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# The notification kinds and their default templates (Russian) the service ships, written out
# as of this revision: a migration must not change when the code does later.
_SIGNATURE = "\n\n--\nЭто письмо отправлено автоматически CRM-системой."
DEFAULT_TEMPLATES = [
    {
        "code": "invoice_overdue", "channel": "email", "name": "Просроченный счёт (клиенту)",
        "variables": ["partner_name", "recipient_name", "invoice_number", "amount", "balance", "currency", "due_date",
                      "days_overdue"],
        "subject": "Счёт № {{ invoice_number }}: оплата просрочена на {{ days_overdue }} "
                   "{{ days_overdue | plural('день', 'дня', 'дней') }}",
        "text": "Здравствуйте{% if recipient_name %}, {{ recipient_name }}{% endif %}!\n\n"
                "Срок оплаты счёта № {{ invoice_number }} на сумму {{ amount | money(currency) }} "
                "(до {{ due_date | date }}) истёк. Не оплачено: {{ balance | money(currency) }} "
                "(просрочка {{ days_overdue }} {{ days_overdue | plural('день', 'дня', 'дней') }}).\n\n"
                "Просим оплатить счёт или сообщить нам об уже сделанной оплате." + _SIGNATURE,
        "html": "<p>Здравствуйте{% if recipient_name %}, {{ recipient_name }}{% endif %}!</p>\n"
                "<p>Срок оплаты счёта № {{ invoice_number }} на сумму {{ amount | money(currency) }} "
                "(до {{ due_date | date }}) истёк. Не оплачено: <b>{{ balance | money(currency) }}</b> "
                "(просрочка {{ days_overdue }} {{ days_overdue | plural('день', 'дня', 'дней') }}).</p>\n"
                "<p>Просим оплатить счёт или сообщить нам об уже сделанной оплате.</p>\n",
    },
    {
        "code": "reminder_due", "channel": "email", "name": "Напоминание ответственному",
        "variables": ["partner_name", "recipient_name", "title", "interaction_kind", "remind_at", "planned_at"],
        "subject": "Напоминание: {{ title or 'взаимодействие' }}{% if partner_name %} ({{ partner_name }}){% endif %}",
        "text": "{{ recipient_name }}, напоминаем: {{ title or 'взаимодействие' }}"
                "{% if partner_name %} с {{ partner_name }}{% endif %}"
                "{% if planned_at %}, запланировано на {{ planned_at | datetime }}{% endif %}." + _SIGNATURE,
        "html": None,
    },
    {
        "code": "call_missed", "channel": "email", "name": "Пропущенный звонок",
        "variables": ["partner_name", "recipient_name", "number", "started_at", "direction"],
        "subject": "Пропущенный звонок{% if partner_name %} от {{ partner_name }}{% endif %}",
        "text": "{{ recipient_name }}, пропущен звонок с номера {{ number or 'не определён' }}"
                "{% if partner_name %} ({{ partner_name }}){% endif %} в {{ started_at | datetime }}. "
                "Перезвоните, пожалуйста: задача уже в вашем плане." + _SIGNATURE,
        "html": None,
    },
    {
        "code": "deal_stuck", "channel": "email", "name": "Сделка задержалась на этапе",
        "variables": ["partner_name", "recipient_name", "deal_id", "stage", "entered_at", "limit_days"],
        "subject": "Сделка{% if partner_name %} с {{ partner_name }}{% endif %} задержалась на этапе «{{ stage }}»",
        "text": "{{ recipient_name }}, сделка{% if partner_name %} с {{ partner_name }}{% endif %} находится на этапе "
                "«{{ stage }}» с {{ entered_at | date }}, дольше {{ limit_days }} "
                "{{ limit_days | plural('дня', 'дней', 'дней') }}. Сделка: {{ deal_id }}." + _SIGNATURE,
        "html": None,
    },
]
DEFAULT_KINDS = [
    {"code": code, "channel": "email", "template_code": code, "enabled": True}
    for code in ("invoice_overdue", "reminder_due", "call_missed", "deal_stuck")
]


def _seed() -> None:
    now = datetime.now(timezone.utc)
    templates = sa.table(
        "templates", sa.column("id", sa.Uuid(as_uuid=False)), sa.column("code"), sa.column("channel"),
        sa.column("version"), sa.column("name"), sa.column("variables", sa.JSON()), sa.column("subject"),
        sa.column("text"), sa.column("html"), sa.column("created_at", sa.DateTime(timezone=True)), sa.column("created_by"),
    )
    op.bulk_insert(templates, [
        {**template, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"crm:notifications:template:{template['code']}:1")),
         "version": 1, "created_at": now, "created_by": "system"}
        for template in DEFAULT_TEMPLATES
    ])
    kinds = sa.table("notification_kinds", sa.column("code"), sa.column("channel"), sa.column("template_code"),
                     sa.column("enabled", sa.Boolean()))
    op.bulk_insert(kinds, DEFAULT_KINDS)


def upgrade() -> None:
    """Upgrade schema."""
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('inbox',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('handler', sa.String(length=200), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', 'handler', name=op.f('pk_inbox'))
    )
    op.create_table('messages',
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('recipient', sa.String(length=120), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=True),
    sa.Column('partner_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('contact_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('user_id', sa.String(length=64), nullable=True),
    sa.Column('template_code', sa.String(length=100), nullable=True),
    sa.Column('template_version', sa.Integer(), nullable=True),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('body_text', sa.Text(), nullable=True),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('provider_id', sa.String(length=200), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('event_id', 'recipient', 'channel', name='uq_messages_event_id_recipient_channel')
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_messages_partner', ['partner_id', 'created_at'], unique=False)

    op.create_table('notification_kinds',
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('template_code', sa.String(length=100), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_notification_kinds'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('headers', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_published_at', ['published_at'], unique=False)
        batch_op.create_index('ix_outbox_unpublished', ['id'], unique=False, postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))

    op.create_table('replay_state',
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('replay_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_replay_state'))
    )
    op.create_table('recipient_contacts',
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('partner_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('emails', sa.JSON(), nullable=False),
    sa.Column('phones', sa.JSON(), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recipient_contacts'))
    )
    with op.batch_alter_table('recipient_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recipient_contacts_partner_id'), ['partner_id'], unique=False)

    op.create_table('recipient_partners',
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('short_name', sa.String(length=300), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('merged_into', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('segment', sa.String(length=100), nullable=True),
    sa.Column('emails', sa.JSON(), nullable=False),
    sa.Column('phones', sa.JSON(), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=True),
    sa.Column('manager_id', sa.String(length=64), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('manager_as_of', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recipient_partners'))
    )
    with op.batch_alter_table('recipient_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recipient_partners_manager_id'), ['manager_id'], unique=False)

    op.create_table('staff_contacts',
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=300), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_staff_contacts'))
    )
    op.create_table('templates',
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('variables', sa.JSON(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_templates')),
    sa.UniqueConstraint('code', 'channel', 'version', name='uq_templates_code_channel_version')
    )
    # ### end Alembic commands ###
    _seed()


def downgrade() -> None:
    """Downgrade schema."""
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('templates')
    op.drop_table('staff_contacts')
    with op.batch_alter_table('recipient_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recipient_partners_manager_id'))

    op.drop_table('recipient_partners')
    with op.batch_alter_table('recipient_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recipient_contacts_partner_id'))

    op.drop_table('replay_state')
    op.drop_table('recipient_contacts')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_unpublished', postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))
        batch_op.drop_index('ix_outbox_published_at')

    op.drop_table('outbox')
    op.drop_table('notification_kinds')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_partner')
        batch_op.drop_index('ix_messages_due')

    op.drop_table('messages')
    op.drop_table('inbox')
    # ### end Alembic commands ###
