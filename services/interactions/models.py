"""The interactions service's own database: interactions with their participants, the
per-partner last-interaction dates (for forgotten clients), and the outbox/inbox tables every
service has.

Partners, contacts, deals, claims and users belong to other services: they are referred to by
UUID or user id, with no foreign key (services never share a database).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_kit.clock import utcnow
from crm_kit.models import Id, created_at_column, id_column, service_base, updated_at_column
from crm_kit.replay import replay_tables

Base = service_base()
# Deals' replay of their current state (call_deals.py: open deals known from before this service
# followed deals' events).
replay_tables(Base.metadata)

# The reminder scan reads only reminders not yet raised; the partial index holds just them.
REMINDER_SCAN_WHERE = "remind_at IS NOT NULL AND reminded_at IS NULL"


class Interaction(Base):
    """One meeting, planned interaction, phone call or email (domain/kinds.py)."""

    __tablename__ = "interactions"

    id: Mapped[str] = id_column()
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(String(300))
    # Null only for a call from a number nobody knows yet (until its prospect is registered).
    subject_kind: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[str | None] = mapped_column(Id)
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
    # A call from the PBX (domain/calls.py): one interaction per call_id, folded from its events.
    call_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    call_state: Mapped[str | None] = mapped_column(String(20))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    extension: Mapped[str | None] = mapped_column(String(200))
    extension_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    transfers: Mapped[list | None] = mapped_column(JSON)
    # The other party's number (E.164 when it is one) and whether it was matched to a partner:
    # matched | unknown (nobody has it) | pending (partners did not answer yet) | none (no number).
    external_number: Mapped[str | None] = mapped_column(String(200), index=True)
    match_state: Mapped[str | None] = mapped_column(String(20))
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
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = updated_at_column()

    participants: Mapped[list[Participant]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Participant.position"
    )

    __table_args__ = (
        Index("ix_interactions_subject", "subject_kind", "subject_id", "created_at"),
        Index("ix_interactions_calendar", "responsible_id", "planned_at"),
        Index(
            "ix_interactions_match_pending", "created_at",
            postgresql_where=text("match_state = 'pending'"), sqlite_where=text("match_state = 'pending'"),
        ),
        Index(
            "ix_interactions_reminder_scan", "remind_at",
            postgresql_where=text(REMINDER_SCAN_WHERE), sqlite_where=text(REMINDER_SCAN_WHERE),
        ),
    )


class Participant(Base):
    """Someone taking part: free text (name, phone, email) and/or a link to a partner, contact
    person or user."""

    __tablename__ = "participants"

    id: Mapped[str] = id_column()
    interaction_id: Mapped[str] = mapped_column(Id, ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    partner_id: Mapped[str | None] = mapped_column(Id, index=True)
    contact_id: Mapped[str | None] = mapped_column(Id)
    user_id: Mapped[str | None] = mapped_column(String(64))
    linked_by: Mapped[str | None] = mapped_column(String(20))  # "hand" | "phone" | "email" | None


class PartnerActivity(Base):
    """A partner as forgotten clients are found: who is responsible for it, where it sits, whether
    it is a client, and the last time this service saw an interaction with it actually happen
    (none: never contacted). Kept from partners' events (registered, updated, reassigned,
    archived) and from the interactions themselves (last_interaction.py)."""

    __tablename__ = "partner_activity"

    partner_id: Mapped[str] = mapped_column(Id, primary_key=True)
    manager_id: Mapped[str | None] = mapped_column(String(64), index=True)
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    last_interaction_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_interaction_id: Mapped[str | None] = mapped_column(Id)
    # From partners' events; None while only interactions have named the partner.
    partner_name: Mapped[str | None] = mapped_column(String(300))
    client: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str | None] = mapped_column(String(20))
    registered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CallEvent(Base):
    """Each PBX event applied, by its ``event_id``: a redelivered or duplicated event is
    skipped. Kept INTERACTIONS_CALL_EVENTS_KEEP_DAYS days, then pruned."""

    __tablename__ = "call_events"

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(200))  # not indexed: nothing looks events up by call
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Extension(Base):
    """Which user answers a PBX extension (for a call's responsible and missed-call tasks)."""

    __tablename__ = "extensions"

    extension: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = updated_at_column()
    updated_by: Mapped[str | None] = mapped_column(String(64))


# At most one open call-back task per number: repeated missed calls count on it (tasks.py).
OPEN_CALL_BACK_WHERE = "kind = 'call_back' AND status = 'open' AND phone IS NOT NULL"


class Task(Base):
    """Something a user has to do, made by the platform: calling back a missed call.
    One per kind and interaction (a missed call makes one task however often it is told), and
    one open call back per number: the missed calls from it are counted on that one
    (``missed_count``, ``last_missed_at``; ``interaction_id``/``call_id`` name the first)."""

    __tablename__ = "tasks"

    id: Mapped[str] = id_column()
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="open")
    assignee_id: Mapped[str | None] = mapped_column(String(64), index=True)
    partner_id: Mapped[str | None] = mapped_column(Id, index=True)
    contact_id: Mapped[str | None] = mapped_column(Id)
    interaction_id: Mapped[str] = mapped_column(Id, ForeignKey("interactions.id", ondelete="CASCADE"))
    call_id: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by: Mapped[str | None] = mapped_column(String(64))
    missed_count: Mapped[int] = mapped_column(Integer, default=1)
    last_missed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The answered call that closed it by itself (the number called back, or calling in again).
    closed_by_call_id: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("kind", "interaction_id", name="uq_tasks_kind_interaction"),
        Index("uq_tasks_open_call_back", "phone", unique=True,
              postgresql_where=text(OPEN_CALL_BACK_WHERE), sqlite_where=text(OPEN_CALL_BACK_WHERE)),
    )


class FollowedDeal(Base):
    """A deal as calls are linked to it (call_deals.py): whose it is and whether it is still
    open, kept from deals' events (opened, won, lost) and partners' merges. A call from a partner
    with exactly one open deal is about that deal. Closed deals stay as rows (``open`` false),
    so a ``deal_opened`` heard after the deal's ``deal_won`` does not open it again."""

    __tablename__ = "followed_deals"

    deal_id: Mapped[str] = mapped_column(Id, primary_key=True)
    partner_id: Mapped[str] = mapped_column(Id)
    open: Mapped[bool] = mapped_column(Boolean)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_followed_deals_open", "partner_id", postgresql_where=text("open"), sqlite_where=text("open")),
    )


class CallLead(Base):
    """An incoming call from a number nobody knew: a prospect and a lead are to be made for it
    by the partners and deals services, once per number (usecases/call_leads.py). Pending rows
    are retried with backoff while those services do not answer."""

    __tablename__ = "call_leads"

    number: Mapped[str] = mapped_column(String(200), primary_key=True)
    interaction_id: Mapped[str] = mapped_column(Id)
    call_id: Mapped[str] = mapped_column(String(200))
    responsible_id: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    partner_id: Mapped[str | None] = mapped_column(Id)
    deal_id: Mapped[str | None] = mapped_column(Id)
    created_at: Mapped[datetime] = created_at_column()
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index(
            "ix_call_leads_due", "next_attempt_at",
            postgresql_where=text("state = 'pending'"), sqlite_where=text("state = 'pending'"),
        ),
    )
