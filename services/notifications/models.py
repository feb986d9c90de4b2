"""The notifications service's own database: its copy of the recipients, templates, kinds and
messages (on the kit's base, with the outbox and inbox tables)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_kit.models import Id, created_at_column, id_column, service_base, updated_at_column
from crm_kit.replay import replay_tables

Base = service_base()
# Where the backfill of the recipients copy from the partners service stands (crm_kit.replay).
replay_tables(Base.metadata)


class RecipientPartner(Base):
    """A partner as the partners service last told of it (its events): what a notification
    needs to reach it. ``as_of`` is the time of the event whose whole partner this is; an older
    event arriving late (each event type has its own queue) changes nothing. The manager is
    kept apart (``manager_as_of``): ``partner_reassigned`` carries no whole partner."""

    __tablename__ = "recipient_partners"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    short_name: Mapped[str] = mapped_column(String(300), default="")
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="active")
    merged_into: Mapped[str | None] = mapped_column(Id)
    segment: Mapped[str | None] = mapped_column(String(100))
    emails: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    phones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    as_of: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    manager_id: Mapped[str | None] = mapped_column(String(64), index=True)
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(100))
    manager_as_of: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RecipientContact(Base):
    """A contact person of a partner as last told of; ``status`` ``removed`` is a tombstone, so
    an older event arriving late does not bring a removed contact back."""

    __tablename__ = "recipient_contacts"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    partner_id: Mapped[str] = mapped_column(Id, index=True)
    full_name: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="active")
    emails: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    phones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StaffContact(Base):
    """Where a user of the platform is reached (set by administrators)."""

    __tablename__ = "staff_contacts"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    full_name: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = updated_at_column()
    updated_by: Mapped[str | None] = mapped_column(String(64))


class Template(Base):
    """One version of a template: saving a template again adds the next version; the newest is
    the one notifications use."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("code", "channel", "version", name="uq_templates_code_channel_version"),)

    id: Mapped[str] = id_column()
    code: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    variables: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))


class NotificationKind(Base):
    """A notification made by an event (domain/kinds.py names them): whether it is on, and the
    template it uses."""

    __tablename__ = "notification_kinds"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    template_code: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Message(Base):
    """One notification to one recipient over one channel: unique per the event that made it,
    the recipient and the channel, so a redelivered event sends nothing twice.

    ``status``: queued → sending → sent, or failed (final). ``next_attempt_at`` is when a
    queued message is due; for one being sent it is when its claim lapses (a sender that died
    mid-send: the message is taken up again)."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient", "channel", name="uq_messages_event_id_recipient_channel"),
        Index("ix_messages_due", "status", "next_attempt_at"),
        Index("ix_messages_partner", "partner_id", "created_at"),
        Index("ix_messages_mailing", "mailing_id", "status"),
    )

    id: Mapped[str] = id_column()
    kind: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[str] = mapped_column(String(36))
    recipient: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(320))
    partner_id: Mapped[str | None] = mapped_column(Id)
    contact_id: Mapped[str | None] = mapped_column(Id)
    user_id: Mapped[str | None] = mapped_column(String(64))
    template_code: Mapped[str | None] = mapped_column(String(100))
    template_version: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    provider_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A marketing letter's topic (None: transactional); decides who may get it (domain/consent.py).
    topic: Mapped[str | None] = mapped_column(String(100))
    # The mailing that made it (its ``event_id`` is the mailing's id too).
    mailing_id: Mapped[str | None] = mapped_column(Id)


class Subscription(Base):
    """An address's consent to a marketing topic: when, how (``source``) and by whom it was
    given; an unsubscribe keeps the row, ``unsubscribed`` with when and how."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("address", "topic", name="uq_subscriptions_address_topic"),)

    id: Mapped[str] = id_column()
    address: Mapped[str] = mapped_column(String(320))
    topic: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(10), default="email")
    status: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[str | None] = mapped_column(Id, index=True)
    contact_id: Mapped[str | None] = mapped_column(Id)
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    consent_source: Mapped[str] = mapped_column(String(20))
    consent_by: Mapped[str | None] = mapped_column(String(64))
    consent_note: Mapped[str | None] = mapped_column(Text)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unsubscribe_source: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = updated_at_column()


class Suppression(Base):
    """An address not to write to, for a reason (unsubscribed, hard_bounce, complaint, manual),
    since ``created_at``; one row per address and reason."""

    __tablename__ = "suppressions"

    address: Mapped[str] = mapped_column(String(320), primary_key=True)
    reason: Mapped[str] = mapped_column(String(20), primary_key=True)
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))


class MailingGroup(Base):
    """Who a mailing goes to: ``static`` (chosen partners and contacts: ``members``) or
    ``dynamic`` (``conditions`` on the recipients copy, evaluated when a mailing is sent).
    Owned like the other services' records (manager, region, department)."""

    __tablename__ = "mailing_groups"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    members: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    manager_id: Mapped[str | None] = mapped_column(String(64), index=True)
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = updated_at_column()


class Mailing(Base):
    """A marketing mailing: draft → scheduled → sending → sent, or cancelled. Its fan-out
    walks the group's partners in id order, ``cursor`` the last one done (committed with the
    messages of its chunk, so a crash resumes where it stopped); ``fanned_out`` once all are."""

    __tablename__ = "mailings"
    __table_args__ = (Index("ix_mailings_due", "status", "scheduled_at"),)

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(100))
    template_code: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int] = mapped_column(Integer)
    group_id: Mapped[str] = mapped_column(Id, index=True)
    status: Mapped[str] = mapped_column(String(20))
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cursor: Mapped[str | None] = mapped_column(String(36))
    fanned_out: Mapped[bool] = mapped_column(Boolean, default=False)
    manager_id: Mapped[str | None] = mapped_column(String(64), index=True)
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = updated_at_column()
