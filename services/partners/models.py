"""The partners service's own database: partners, their contacts and details, relationships,
agreements, manager history, and the outbox/inbox tables every service has."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_kit.clock import utcnow
from crm_kit.models import Id, created_at_column, id_column, service_base, updated_at_column

PARTNER_KINDS = ("client", "prospect", "supplier", "competitor", "dealer", "distributor", "carrier", "other")
ACTIVE, MERGED, ARCHIVED = "active", "merged", "archived"


Base = service_base()


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[str] = id_column()
    legal_form: Mapped[str] = mapped_column(String(20))
    short_name: Mapped[str] = mapped_column(String(300))
    full_name: Mapped[str | None] = mapped_column(String(500))
    # Canonical name for duplicate matching (services/partners/domain/names.py).
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    inn: Mapped[str | None] = mapped_column(String(12), index=True)
    kpp: Mapped[str | None] = mapped_column(String(9))
    ogrn: Mapped[str | None] = mapped_column(String(15))
    legal_address: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    segment: Mapped[str | None] = mapped_column(String(100), index=True)
    source: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100), index=True)
    manager_id: Mapped[str | None] = mapped_column(String(64), index=True)
    department: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE)
    merged_into: Mapped[str | None] = mapped_column(Id)
    comment: Mapped[str | None] = mapped_column(Text)
    # Who registered it despite a strong duplicate match, when and why.
    duplicate_override: Mapped[dict | None] = mapped_column(JSON)
    # Archived (out of searches, caller matching and duplicate blocks; still found, as archived):
    # when, by whom and why. Unarchiving clears them.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived_by: Mapped[str | None] = mapped_column(String(64))
    archive_reason: Mapped[str | None] = mapped_column(Text)
    # The client's idempotency key: a retried registration returns the first result.
    request_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = updated_at_column()

    kinds: Mapped[list[PartnerKind]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    phones: Mapped[list[Phone]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Phone.id",
        primaryjoin="and_(Phone.partner_id == Partner.id, Phone.contact_id.is_(None))", overlaps="phones",
    )
    emails: Mapped[list[Email]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Email.id",
        primaryjoin="and_(Email.partner_id == Partner.id, Email.contact_id.is_(None))", overlaps="emails",
    )
    addresses: Mapped[list[Address]] = relationship(cascade="all, delete-orphan", lazy="selectin", order_by="Address.id")
    bank_accounts: Mapped[list[BankAccount]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="BankAccount.id"
    )
    properties: Mapped[list[Property]] = relationship(cascade="all, delete-orphan", lazy="selectin", order_by="Property.key")
    contacts: Mapped[list[Contact]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Contact.created_at", back_populates="partner"
    )

    __table_args__ = (
        Index("ix_partners_name_order", "short_name", "id"),
        Index("ix_partners_created", "created_at", "id"),
        # Similar names (services/partners/usecases/duplicates.py); pg_trgm exists on PostgreSQL only.
        Index(
            "ix_partners_name_key_trgm", "name_key", postgresql_using="gin", postgresql_ops={"name_key": "gin_trgm_ops"}
        ).ddl_if(dialect="postgresql"),
    )

    @property
    def kind_names(self) -> list[str]:
        return sorted(kind.kind for kind in self.kinds)


class NameWord(Base):
    """A word of the partners' name keys and how many partners' keys hold it: the dictionary
    the similar-name duplicate search looks typo'd words up in (pg_trgm index on PostgreSQL).
    Kept up to date by ``usecases/name_words.py``."""

    __tablename__ = "name_words"

    word: Mapped[str] = mapped_column(String(300), primary_key=True)
    partners: Mapped[int] = mapped_column(Integer, default=0)


# A typo'd word's neighbours of about its length (btree_gin puts the length in the trigram index).
Index(
    "ix_name_words_trgm", func.length(NameWord.word), NameWord.word,
    postgresql_using="gin", postgresql_ops={"word": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")


class PartnerNameWord(Base):
    """A word of a partner's name key, with the key's length: the postings of ``name_words``.
    Looked up by (word, key_length) to find partners with a word inside a length window."""

    __tablename__ = "partner_name_words"

    partner_id: Mapped[str] = mapped_column(Id, ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True)
    word: Mapped[str] = mapped_column(String(300), primary_key=True)
    key_length: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_partner_name_words_lookup", "word", "key_length", "partner_id"),)


class PartnerKind(Base):
    __tablename__ = "partner_kinds"

    partner_id: Mapped[str] = mapped_column(Id, ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[str] = id_column()
    partner_id: Mapped[str] = mapped_column(Id, ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(300))
    position: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="active")
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()

    partner: Mapped[Partner] = relationship(back_populates="contacts")
    phones: Mapped[list[Phone]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Phone.id", overlaps="phones"
    )
    emails: Mapped[list[Email]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Email.id", overlaps="emails"
    )


class Phone(Base):
    __tablename__ = "phones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(Id, ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[str | None] = mapped_column(Id, ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20), index=True)  # E.164
    kind: Mapped[str] = mapped_column(String(20), default="work")
    extension: Mapped[str | None] = mapped_column(String(10))


class Email(Base):
    __tablename__ = "emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(Id, ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[str | None] = mapped_column(Id, ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(320), index=True)
    # The corporate domain, NULL for public mail providers (gmail.com, mail.ru...).
    domain: Mapped[str | None] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="work")


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(Id, ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # legal, actual, postal, delivery
    text: Mapped[str] = mapped_column(Text)


class BankAccount(Base):
    __tablename__ = "bank_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(Id, ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    bic: Mapped[str] = mapped_column(String(9))
    account: Mapped[str] = mapped_column(String(20))
    bank_name: Mapped[str | None] = mapped_column(String(300))


class Property(Base):
    """An extra property of a partner: any key with a text value."""

    __tablename__ = "partner_properties"

    partner_id: Mapped[str] = mapped_column(Id, ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Relationship(Base):
    """A typed link partner→partner (head office of, dealer of...) or contact→contact."""

    __tablename__ = "relationships"

    id: Mapped[str] = id_column()
    kind: Mapped[str] = mapped_column(String(40))
    from_partner_id: Mapped[str | None] = mapped_column(Id, ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    to_partner_id: Mapped[str | None] = mapped_column(Id, ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    from_contact_id: Mapped[str | None] = mapped_column(Id, ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    to_contact_id: Mapped[str | None] = mapped_column(Id, ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint(
            "(from_partner_id IS NOT NULL AND to_partner_id IS NOT NULL"
            " AND from_contact_id IS NULL AND to_contact_id IS NULL)"
            " OR (from_contact_id IS NOT NULL AND to_contact_id IS NOT NULL"
            " AND from_partner_id IS NULL AND to_partner_id IS NULL)",
            name="ends",
        ),
    )


class Agreement(Base):
    """Sales terms: a standard agreement for a segment, or an individual one for a partner."""

    __tablename__ = "agreements"

    id: Mapped[str] = id_column()
    kind: Mapped[str] = mapped_column(String(20))  # standard | individual
    number: Mapped[str | None] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(300))
    partner_id: Mapped[str | None] = mapped_column(Id, ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    segment: Mapped[str | None] = mapped_column(String(100), index=True)
    parent_id: Mapped[str | None] = mapped_column(Id, ForeignKey("agreements.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    prepayment_share: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    credit_days: Mapped[int] = mapped_column(Integer, default=0)
    price_type: Mapped[str | None] = mapped_column(String(100))
    delivery_terms: Mapped[str | None] = mapped_column(String(300))
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    created_at: Mapped[datetime] = created_at_column()
    created_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(64))
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ManagerAssignment(Base):
    """One change of a partner's responsible manager: the handover history."""

    __tablename__ = "manager_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(Id, ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    manager_id: Mapped[str | None] = mapped_column(String(64))
    previous_manager_id: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(String(64))
