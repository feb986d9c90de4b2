"""The partners service: a table of contents of its RPCs; the work is in usecases/ and domain/.

Every RPC takes JSON values, validates them at the boundary (a bad payload gets a
ValidationError naming the fields and writes nothing), applies row-level access for the calling
actor, and answers JSON values. Changes are committed with their events (outbox) before the
reply. Errors: ValidationError, NotFound, Conflict (duplicates), PermissionDenied,
PreconditionFailed (crm_kit.errors).
"""

from __future__ import annotations

from datetime import date

from crm_kit.actor_provider import ActorProvider
from crm_kit.db import Database
from crm_kit.entrypoints import rpc, timer
from crm_kit.idempotency import idempotent
from crm_kit.observability import Observability
from crm_kit.replay import Replayer, replay_request
from crm_kit.validation import date_arg, uuid_arg
from services.partners.models import Base
from services.partners.usecases import (
    agreements,
    archive,
    card,
    contacts,
    details,
    duplicates,
    managers,
    merge,
    registration,
    relationships,
    replay,
    search,
)
from services.partners.usecases.lookup import PARTNERS
from services.partners.usecases.search import DIRECTORY_PAGE
from services.partners.views import PARTNER


class PartnersService:
    name = "partners"

    db = Database(Base.metadata)
    actor = ActorProvider()
    observability = Observability()
    replayer = Replayer(*replay.READERS)

    @rpc
    def health_ping(self) -> str:
        """Answers "pong": the gateway's cheap liveness probe of this service over RPC."""
        return "pong"

    # --- partners -------------------------------------------------------------------------
    @rpc
    def register(self, partner, options=None) -> dict:
        """Register a partner with its contacts, legal details, bank accounts and properties.

        ``options``: ``duplicate_policy`` (block | warn | skip, default block), ``override_reason``,
        ``request_id`` (a retried call with the same id returns the first result). Refuses a
        strong duplicate under ``block`` with Conflict listing the duplicates and reasons.
        Answers ``{"partner", "duplicates", "branches"}``.
        """
        return registration.register(self.db, self.actor, partner, options)

    @rpc
    def get(self, partner_id) -> dict:
        """The partner with everything it holds. NotFound also when the actor may not see it."""
        return PARTNERS.read(self.db.session, self.actor, uuid_arg(partner_id, "partner_id"), PARTNER)

    @rpc
    def update(self, partner_id, changes) -> dict:
        """Change a partner's details (not its manager: see reassign; not contacts)."""
        return details.update(self.db, self.actor, uuid_arg(partner_id, "partner_id"), changes)

    @rpc
    def archive(self, partner_id, request) -> dict:
        """Archive a partner with a ``reason``: out of searches, caller matching and duplicate
        blocks, everything it holds kept."""
        return archive.archive(self.db, self.actor, uuid_arg(partner_id, "partner_id"), request)

    @rpc
    def unarchive(self, partner_id) -> dict:
        """Take an archived partner out of the archive."""
        return archive.unarchive(self.db, self.actor, uuid_arg(partner_id, "partner_id"))

    @rpc
    def search(self, filters=None) -> dict:
        """Partners by kind, segment, region, manager, source, status and text; keyset pages."""
        return search.search(self.db.session, self.actor, filters)

    @rpc
    def find_duplicates(self, candidate) -> dict:
        """Possible duplicates of a candidate (name, INN/KPP, phones, emails), ranked, with reasons."""
        return duplicates.find_duplicates(self.db.session, self.actor, candidate)

    @rpc
    def find_by_phone(self, number) -> dict:
        """The partners and contacts behind a phone number in any format (caller matching)."""
        return search.find_by_phone(self.db.session, self.actor, number)

    @rpc
    def find_by_email(self, address) -> dict:
        """The partners and contacts with this email address (participant linking)."""
        return search.find_by_email(self.db.session, self.actor, address)

    @rpc(internal=True)
    def find_by_phones(self, numbers) -> dict:
        """Caller matching for up to 500 numbers in one call: ``{results: {given: {number,
        matches}}, invalid: [given]}`` (numbers that are no phone number, like extensions)."""
        return search.find_by_phones(self.db.session, self.actor, numbers)

    @rpc(internal=True)
    def phone_directory(self, after=None, limit=DIRECTORY_PAGE) -> dict:
        """Every number of active partners and contacts with who has it, a page of ``limit``
        numbers after ``after`` (``next`` names the next page); services and admins only."""
        return search.phone_directory(self.db.session, self.actor, after, limit)

    @rpc
    def merge(self, request) -> dict:
        """Merge ``merged_id`` into ``survivor_id``; ``keep`` chooses values per field."""
        return merge.merge(self.db, self.actor, request)

    @rpc
    def get_card(self, partner_id) -> dict:
        """What a manager sees when the client calls: partner, contacts, relationships,
        agreements in force, manager history and key figures."""
        return card.client_card(self.db.session, self.actor, uuid_arg(partner_id, "partner_id"))

    # --- contacts -------------------------------------------------------------------------
    @rpc
    @idempotent
    def add_contact(self, partner_id, contact, request_id=None) -> dict:
        """Add a contact person with roles, phones and emails to a partner."""
        return contacts.add_contact(self.db, self.actor, uuid_arg(partner_id, "partner_id"), contact)

    @rpc
    def update_contact(self, contact_id, changes) -> dict:
        """Change a contact person; phones or emails given replace the stored ones."""
        return contacts.update_contact(self.db, self.actor, uuid_arg(contact_id, "contact_id"), changes)

    @rpc
    def remove_contact(self, contact_id) -> dict:
        """Remove a contact person."""
        return contacts.remove_contact(self.db, self.actor, uuid_arg(contact_id, "contact_id"))

    @rpc(internal=True)
    def get_contact(self, contact_id) -> dict:
        """A contact person with its partner_id; NotFound also when the caller may not see its
        partner (other services ask before a write names the contact)."""
        return contacts.get_contact(self.db.session, self.actor, uuid_arg(contact_id, "contact_id"))

    @rpc
    def list_contacts(self, partner_id) -> list:
        """A partner's contact persons."""
        return contacts.list_contacts(self.db.session, self.actor, uuid_arg(partner_id, "partner_id"))

    # --- relationships --------------------------------------------------------------------
    @rpc
    @idempotent
    def add_relationship(self, relationship, request_id=None) -> dict:
        """Link two partners (head office of, dealer of...) or two contacts (reports to...)."""
        return relationships.add_relationship(self.db, self.actor, relationship)

    @rpc
    def remove_relationship(self, relationship_id) -> dict:
        """Remove a relationship."""
        return relationships.remove_relationship(self.db, self.actor, uuid_arg(relationship_id, "relationship_id"))

    @rpc
    def list_relationships(self, partner_id) -> list:
        """A partner's relationships in both directions, and those between its contacts."""
        return relationships.list_relationships(self.db.session, self.actor, uuid_arg(partner_id, "partner_id"))

    # --- agreements -----------------------------------------------------------------------
    @rpc
    @idempotent
    def create_agreement(self, agreement, request_id=None) -> dict:
        """A standard agreement for a segment, or an individual one for a partner (optionally
        derived from a standard one). Starts as a draft."""
        return agreements.create_agreement(self.db, self.actor, agreement)

    @rpc
    def update_agreement(self, agreement_id, changes) -> dict:
        """Change a draft agreement's terms."""
        return agreements.update_agreement(self.db, self.actor, uuid_arg(agreement_id, "agreement_id"), changes)

    @rpc
    def set_agreement_status(self, agreement_id, change) -> dict:
        """Move an agreement along draft → approved → expired/cancelled."""
        return agreements.set_agreement_status(self.db, self.actor, uuid_arg(agreement_id, "agreement_id"), change)

    @rpc
    def get_agreement(self, agreement_id) -> dict:
        """One agreement."""
        return agreements.get_agreement(self.db.session, self.actor, uuid_arg(agreement_id, "agreement_id"))

    @rpc
    def list_agreements(self, partner_id=None, segment=None, in_force_on=None) -> list:
        """Agreements of a partner and/or segment, optionally only those in force on a date."""
        on = date_arg(in_force_on, "in_force_on")
        pid = uuid_arg(partner_id, "partner_id") if partner_id else None
        return agreements.list_agreements(self.db.session, self.actor, partner_id=pid, segment=segment, in_force_on=on)

    @timer(interval=3600)
    def expire_agreements(self) -> int:
        """Hourly: approved agreements past their end date become expired."""
        return agreements.expire_ended(self.db, date.today())

    # --- responsible managers -------------------------------------------------------------
    @rpc
    def reassign(self, partner_id, assignment) -> dict:
        """Give a partner another responsible manager; the history is kept."""
        return managers.reassign(self.db, self.actor, uuid_arg(partner_id, "partner_id"), assignment)

    @rpc
    @idempotent
    def handover(self, handover, request_id=None) -> dict:
        """Hand a manager's whole client base to another manager (heads of sales, admins)."""
        return managers.handover(self.db, self.actor, handover)

    @rpc
    def manager_history(self, partner_id) -> list:
        """Who was responsible for a partner, newest first."""
        return managers.manager_history(self.db.session, self.actor, uuid_arg(partner_id, "partner_id"))

    @rpc(internal=True)
    def replay_to(self, consumer, replay_id, since):
        """Stream the current state of every partner to ``consumer`` (crm_kit.replay), for a
        consumer that starts late, and answer at once; the stream ends with the ids of events
        it already reflects. Only a service may ask; a bad consumer name, id or time is refused."""
        return self.replayer.start_replay(*replay_request(self.actor, consumer, replay_id, since))
