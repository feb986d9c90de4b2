"""The interactions service's own database: interactions with their participants, the
per-partner last-interaction dates (for forgotten clients), and the outbox/inbox tables every
service has.

Partners, contacts, deals, claims and users belong to other services: they are referred to by
UUID or user id, with no foreign key (services never share a database).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, MetaData, String, Text, Uuid, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from crm_kit.db import messaging_tables, utcnow


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


outbox, inbox = messaging_tables(Base.metadata)

Id = Uuid(as_uuid=False)

# The reminder scan reads only reminders not yet raised; the partial index holds just them.
REMINDER_SCAN_WHERE = "remind_at IS NOT NULL AND reminded_at IS NULL"


class Interaction(Base):
    """One meeting, planned interaction, phone call or email (domain/kinds.py)."""

    __tablename__ = "interactions"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(String(300))
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(Id)
    # The partner it is with: the subject when that is a partner, else as the caller said.
    partner_id: Mapped[str | None] = mapped_column(Id, index=True)
    # The chain: the first interaction of a reply thread; reply_to_id the one it answers.
    chain_id: Mapped[str] = mapped_column(Id, index=True)
    reply_to_id: Mapped[str | None] = mapped_column(Id, ForeignKey("interactions.id"))
    follow_up_of_id: Mapped[str | None] = mapped_column(Id, ForeignKey("interactions.id"))
    planned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    place: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[str | None] = mapped_column(Text)
    # A phone call
    direction: Mapped[str | None] = mapped_column(String(10))
    from_number: Mapped[str | None] = mapped_column(String(40))
    to_number: Mapped[str | None] = mapped_column(String(40))
    duration_s: Mapped[int | None] = mapped_column(Integer)
    recording_url: Mapped[str | None] = mapped_column(String(2000))
    # An email
    email_subject: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str | None] = mapped_column(Text)
    email_from: Mapped[str | None] = mapped_column(String(320))
    email_to: Mapped[list | None] = mapped_column(JSON)
    thread_id: Mapped[str | None] = mapped_column(String(300))
    # Reminder: raised once (reminded_at set in the same transaction as reminder_due).
    remind_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What was created from it by other services, linked back.
    created_contact_id: Mapped[str | None] = mapped_column(Id)
    created_deal_id: Mapped[str | None] = mapped_column(Id)
    created_claim_id: Mapped[str | None] = mapped_column(Id)
    # Row-level access: the responsible user is the manager.
    responsible_id: Mapped[str | None] = mapped_column(String(64), index=True)
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    participants: Mapped[list[Participant]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Participant.position"
    )

    __table_args__ = (
        Index("ix_interactions_subject", "subject_kind", "subject_id", "created_at"),
        Index("ix_interactions_calendar", "responsible_id", "planned_at"),
        Index(
            "ix_interactions_reminder_scan", "remind_at",
            postgresql_where=text(REMINDER_SCAN_WHERE), sqlite_where=text(REMINDER_SCAN_WHERE),
        ),
    )


class Participant(Base):
    """Someone taking part: free text (name, phone, email) and/or a link to a partner, contact
    person or user."""

    __tablename__ = "participants"

    id: Mapped[str] = mapped_column(Id, primary_key=True, default=new_id)
    interaction_id: Mapped[str] = mapped_column(Id, ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    partner_id: Mapped[str | None] = mapped_column(Id, index=True)
    contact_id: Mapped[str | None] = mapped_column(Id)
    user_id: Mapped[str | None] = mapped_column(String(64))
    linked_by: Mapped[str | None] = mapped_column(String(20))  # "hand" | "phone" | None


class PartnerActivity(Base):
    """The last time this service saw an interaction with a partner actually happen, and the
    manager responsible for it. Partners never interacted with are not here."""

    __tablename__ = "partner_activity"

    partner_id: Mapped[str] = mapped_column(Id, primary_key=True)
    manager_id: Mapped[str | None] = mapped_column(String(64), index=True)
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    last_interaction_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_interaction_id: Mapped[str | None] = mapped_column(Id)
