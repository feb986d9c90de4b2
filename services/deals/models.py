"""The deals service's own database: sales processes, deals with their stage history, offers,
the work plan, documents, supplier orders, invoices with payments, stuck-deal notices, and the
outbox/inbox tables every service has.

Partners, contacts, agreements and competitors are the partners service's: they are referred
to by UUID, with no foreign key (services never share a database).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_kit.clock import utcnow
from crm_kit.models import Id, created_at_column, id_column, service_base, updated_at_column

Base = service_base()
Day = date  # a document has a column named ``date``
Money = Numeric(18, 2)

# The overdue scan reads only unpaid invoices not yet raised; the partial index holds just them,
# so a scan over a million invoices touches the few that matter (bench/deals).
OVERDUE_SCAN_WHERE = "status IN ('issued', 'partially_paid') AND overdue_notified_at IS NULL"
OFFER_EXPIRY_WHERE = "status = 'sent' AND valid_until IS NOT NULL"


class SalesProcessRecord(Base):
    """A sales process as data (services/deals/domain/process.py reads it); the built-in ones
    are inserted by the first migration."""

    __tablename__ = "sales_processes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(20))
    stages: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))


class Deal(Base):
    __tablename__ = "deals"

    id: Mapped[str] = id_column()
    title: Mapped[str] = mapped_column(String(300))
    partner_id: Mapped[str] = mapped_column(Id)
    contact_id: Mapped[str | None] = mapped_column(Id)
    process_code: Mapped[str] = mapped_column(String(64), ForeignKey("sales_processes.code"))
    stage: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    # The sales terms chosen: an approved agreement of the partners service, with the terms
    # documents are checked against, as the agreement said when it was chosen (an approved
    # agreement's terms do not change). ``agreement_status`` becomes expired or cancelled when
    # partners says so (agreement events): the terms then no longer count as chosen.
    agreement_id: Mapped[str | None] = mapped_column(Id)
    agreement_status: Mapped[str | None] = mapped_column(String(20))
    terms_credit_days: Mapped[int | None] = mapped_column(Integer)
    terms_discount_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    terms_prepayment_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # As last learned from the partners service (asked when a stage needs it).
    partner_is_client: Mapped[bool] = mapped_column(Boolean, default=False)
    loss_reason: Mapped[str | None] = mapped_column(String(40))
    lost_at_stage: Mapped[str | None] = mapped_column(String(64))
    competitor_id: Mapped[str | None] = mapped_column(Id)
    source: Mapped[str | None] = mapped_column(String(50))
    source_ref: Mapped[str | None] = mapped_column(String(100))
    manager_id: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = updated_at_column()
    stage_entered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The client's idempotency key: a retried open_deal returns the first deal.
    request_id: Mapped[str | None] = mapped_column(String(100), unique=True)

    history: Mapped[list[StageStay]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=lambda: (StageStay.entered_at, StageStay.id)
    )
    offers: Mapped[list[Offer]] = relationship(cascade="all, delete-orphan", lazy="selectin", order_by="Offer.created_at")
    tasks: Mapped[list[Task]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=lambda: (Task.due_date, Task.created_at)
    )
    documents: Mapped[list[Document]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Document.created_at"
    )
    supplier_orders: Mapped[list[SupplierOrder]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SupplierOrder.created_at"
    )
    invoices: Mapped[list[Invoice]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=lambda: (Invoice.issued_on, Invoice.created_at)
    )

    __table_args__ = (
        # list_deals: newest first, keyset on (created_at, id), alone or per partner / manager.
        Index("ix_deals_created", "created_at", "id"),
        Index("ix_deals_partner_created", "partner_id", "created_at"),
        Index("ix_deals_manager_created", "manager_id", "created_at"),
        Index("ix_deals_region", "region"),
        Index("ix_deals_department", "department"),
        # Agreement events find the deals that chose the agreement.
        Index("ix_deals_agreement", "agreement_id"),
        # The stuck scan and the forecast read deals in progress.
        Index("ix_deals_status_stage_entered", "status", "stage_entered_at"),
        Index("ix_deals_status_close_date", "status", "expected_close_date"),
        # One lead per call: open_lead_from_call is idempotent even when two arrive at once.
        Index(
            "uq_deals_call_lead",
            "source_ref",
            unique=True,
            postgresql_where=text("source = 'call'"),
            sqlite_where=text("source = 'call'"),
        ),
    )


class StageStay(Base):
    """One stay of a deal in a stage; the current stay has ``left_at`` NULL."""

    __tablename__ = "stage_history"

    id: Mapped[str] = id_column()
    deal_id: Mapped[str] = mapped_column(Id, ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    entered_by: Mapped[str | None] = mapped_column(String(64))
    left_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class Offer(Base):
    """A commercial offer: lines, total, validity and status (domain/offers.py)."""

    __tablename__ = "offers"

    id: Mapped[str] = id_column()
    deal_id: Mapped[str] = mapped_column(Id, ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    valid_until: Mapped[date | None] = mapped_column(Date)
    total: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A head of sales' or admin's override of the agreement's terms (domain/terms.py), as given.
    terms_override: Mapped[dict | None] = mapped_column(JSON)

    lines: Mapped[list[OfferLine]] = relationship(cascade="all, delete-orphan", lazy="selectin", order_by="OfferLine.position")

    __table_args__ = (
        # The expiry scan reads sent offers past their last valid day.
        Index("ix_offers_expiry_scan", "valid_until", postgresql_where=text(OFFER_EXPIRY_WHERE),
              sqlite_where=text(OFFER_EXPIRY_WHERE)),
    )


class OfferLine(Base):
    __tablename__ = "offer_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    offer_id: Mapped[str] = mapped_column(Id, ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    unit: Mapped[str | None] = mapped_column(String(20))
    price: Mapped[Decimal] = mapped_column(Money)
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    amount: Mapped[Decimal] = mapped_column(Money)


class Task(Base):
    """A task of the deal's work plan: ``work`` (planned by people) or ``reminder`` (raised by
    the stuck-deal scan)."""

    __tablename__ = "tasks"

    id: Mapped[str] = id_column()
    deal_id: Mapped[str] = mapped_column(Id, ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    due_date: Mapped[date] = mapped_column(Date)
    responsible_id: Mapped[str | None] = mapped_column(String(64), index=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(20), default="work")
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        # list_tasks: open tasks by due date, across deals (overdue ones first).
        Index("ix_tasks_open_due", "due_date", "id", postgresql_where=text("NOT done"), sqlite_where=text("NOT done")),
    )


class Document(Base):
    """A link to an external document (order, contract, shipment...) of the deal."""

    __tablename__ = "documents"

    id: Mapped[str] = id_column()
    deal_id: Mapped[str] = mapped_column(Id, ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str | None] = mapped_column(String(100))
    date: Mapped[Day | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))


class SupplierOrder(Base):
    """An order raised with a supplier (a partner) for the deal: a reference record."""

    __tablename__ = "supplier_orders"

    id: Mapped[str] = id_column()
    deal_id: Mapped[str] = mapped_column(Id, ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[str] = mapped_column(Id, index=True)
    number: Mapped[str | None] = mapped_column(String(100))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    status: Mapped[str] = mapped_column(String(20), default="placed")
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))


class Invoice(Base):
    """An invoice to the deal's partner; ``paid`` is the running sum of its payments."""

    __tablename__ = "invoices"

    id: Mapped[str] = id_column()
    deal_id: Mapped[str] = mapped_column(Id, ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[str] = mapped_column(Id, index=True)
    number: Mapped[str] = mapped_column(String(50))
    issued_on: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(20))
    # Set by the overdue scan in the transaction that raises invoice_overdue: raised once.
    overdue_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A head of sales' or admin's override of the agreement's terms (domain/terms.py), as given.
    terms_override: Mapped[dict | None] = mapped_column(JSON)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))

    payments: Mapped[list[Payment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=lambda: (Payment.paid_on, Payment.created_at)
    )

    __table_args__ = (
        UniqueConstraint("deal_id", "number", name="uq_invoices_deal_number"),
        Index(
            "ix_invoices_overdue_scan",
            "due_date",
            postgresql_where=text(OVERDUE_SCAN_WHERE),
            sqlite_where=text(OVERDUE_SCAN_WHERE),
        ),
    )


class Payment(Base):
    """A payment against an invoice; ``external_id`` (the accounting system's id) is applied once."""

    __tablename__ = "payments"

    id: Mapped[str] = id_column()
    invoice_id: Mapped[str] = mapped_column(Id, ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date] = mapped_column(Date)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    source: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))


class StuckNotice(Base):
    """That ``deal_stuck`` was raised for one stay: the key makes it once per stay."""

    __tablename__ = "stuck_notices"

    deal_id: Mapped[str] = mapped_column(Id, ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    stage_history_id: Mapped[str] = mapped_column(
        Id, ForeignKey("stage_history.id", ondelete="CASCADE"), primary_key=True
    )
    notified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DealAssignment(Base):
    """Who handed a deal over to whom, when and why: one row per change of its manager, region
    or department (a reassignment of the deal alone, or following its partner's)."""

    __tablename__ = "deal_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(Id, ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    manager_id: Mapped[str | None] = mapped_column(String(64))
    previous_manager_id: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    # Set when the deal followed its partner (partner_reassigned): the handover it was part of.
    handover_id: Mapped[str | None] = mapped_column(Id)
    tasks_moved: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(String(64))


class PartnerPlacement(Base):
    """Where a partner sits (its manager, region and department), as the partners service last
    told (its events; asked once when a deal is opened for a partner not heard of yet). A deal
    takes its region and department from here, so a partner and its deals are seen by the same
    people."""

    __tablename__ = "partner_placements"

    partner_id: Mapped[str] = mapped_column(Id, primary_key=True)
    manager_id: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    # When the events applied happened: where it sits (any partner event), who has its deals
    # (partner_reassigned); an older event arriving late does not undo a newer one.
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reassigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
