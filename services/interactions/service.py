"""The interactions service: a table of contents of its RPCs; the work is in usecases/ and domain/.

Meetings, planned interactions, phone calls and emails with a partner, deal or claim, their
participants, chains, reminders, calendar and forgotten clients. Every RPC takes JSON values,
validates them at the boundary (a bad payload gets a ValidationError naming the fields and
writes nothing), applies row-level access for the calling actor on the responsible user, region
and department (NotFound for interactions it may not see), and answers JSON values. Changes are
committed with their events (outbox) before the reply. Errors: ValidationError, NotFound,
PermissionDenied, PreconditionFailed (crm_kit.errors).
"""

from __future__ import annotations

from crm_kit.actor_provider import ActorProvider
from crm_kit.config import env_int
from crm_kit.db import Database
from crm_kit.entrypoints import handles, rpc, timer
from crm_kit.observability import Observability
from crm_kit.validation import datetime_arg, uuid_arg
from services.interactions.models import Base
from services.interactions.partners_client import PartnersClient
from services.interactions.usecases import agenda, interactions, participants, reminders

REMINDER_SCAN_S = env_int("INTERACTIONS_REMINDER_SCAN_S", 30, minimum=1)


class InteractionsService:
    name = "interactions"

    db = Database(Base.metadata)
    actor = ActorProvider()
    partners = PartnersClient()
    observability = Observability()

    @rpc
    def health_ping(self) -> str:
        """Answers "pong": the gateway's cheap liveness probe of this service over RPC."""
        return "pong"

    # --- interactions ---------------------------------------------------------------------
    @rpc
    def register(self, interaction) -> dict:
        """Register a meeting (planned_at, place), planned interaction (planned_at), phone call
        (direction, from/to numbers, duration_s, recording_url) or email (email_subject, body,
        email_from, email_to, thread_id) about a subject (``subject_kind`` partner | deal | claim,
        ``subject_id``), optionally a reply (``reply_to_id``, same subject: same chain), with
        participants and a reminder (``remind_at``). The responsible user defaults to the
        caller. Refuses fields missing for the kind or belonging to another (ValidationError
        naming them) and a responsible or region the caller may not assign (PermissionDenied)."""
        return interactions.register(self.db, self.actor, interaction)

    @rpc
    def get(self, interaction_id) -> dict:
        """The interaction with its participants. NotFound also when the caller may not see it."""
        return interactions.get(self.db.session, self.actor, uuid_arg(interaction_id, "interaction_id"))

    @rpc
    def update(self, interaction_id, changes) -> dict:
        """Change title, planned_at, place, outcome, remind_at (arms the reminder again),
        duration_s or recording_url. Refuses changing a done or cancelled one (except outcome)."""
        return interactions.update_interaction(
            self.db, self.actor, uuid_arg(interaction_id, "interaction_id"), changes
        )

    @rpc
    def set_status(self, interaction_id, change) -> dict:
        """Move to planned, in_progress, done (``outcome``), postponed (``planned_at``) or
        cancelled. Refuses a move the flow does not allow (PreconditionFailed)."""
        return interactions.set_status(self.db, self.actor, uuid_arg(interaction_id, "interaction_id"), change)

    @rpc
    def complete(self, interaction_id, outcome=None) -> dict:
        """Mark done with its outcome: ``set_status`` to done."""
        return interactions.set_status(
            self.db, self.actor, uuid_arg(interaction_id, "interaction_id"), {"status": "done", "outcome": outcome}
        )

    @rpc
    def follow_up(self, interaction_id, follow_up=None) -> dict:
        """Plan a follow-up interaction (``{kind?, title?, planned_at, place?, remind_at?,
        responsible_id?}``): same subject and chain, ``follow_up_of_id`` linking back."""
        return interactions.follow_up(self.db, self.actor, uuid_arg(interaction_id, "interaction_id"), follow_up)

    @rpc
    def link_created(self, interaction_id, kind, id) -> dict:  # noqa: A002 - the RPC's argument name
        """Record that a contact, deal or claim (``kind``) with ``id`` was created from this
        interaction by its own service; the link is kept on the interaction."""
        return interactions.link_created(self.db, self.actor, uuid_arg(interaction_id, "interaction_id"), kind, id)

    # --- chains ---------------------------------------------------------------------------
    @rpc
    def list_chain(self, interaction_id) -> list:
        """The chain (first interaction and its replies) this one belongs to, in order."""
        return interactions.list_chain(self.db.session, self.actor, uuid_arg(interaction_id, "interaction_id"))

    @rpc
    def list_by_subject(self, subject_kind, subject_id, limit=200) -> list:
        """The interactions about a partner, deal or claim, oldest first (``limit`` <= 1000)."""
        return interactions.list_by_subject(self.db.session, self.actor, subject_kind, subject_id, limit)

    # --- participants ---------------------------------------------------------------------
    @rpc
    def add_participant(self, interaction_id, participant) -> dict:
        """Add a participant: free text (name, phone, email) and/or a partner, contact or user."""
        return participants.add_participant(
            self.db, self.actor, uuid_arg(interaction_id, "interaction_id"), participant
        )

    @rpc
    def link_participant(self, participant_id, link) -> dict:
        """Link a participant by hand (``{partner_id?, contact_id?, user_id?}``)."""
        return participants.link_participant(self.db, self.actor, uuid_arg(participant_id, "participant_id"), link)

    @rpc
    def link_participants(self, interaction_id) -> dict:
        """Link text-only participants by phone through ``partners.find_by_phone``. When the
        partners service is not running or does not answer, they stay unlinked and the answer
        says ``partners_available: false``."""
        return participants.link_participants(
            self.db, self.actor, self.partners, uuid_arg(interaction_id, "interaction_id")
        )

    # --- calendar, overdue, forgotten clients, the client card ----------------------------
    @rpc
    def calendar(self, query) -> dict:
        """A user's interactions (``user_id``, default the caller) from ``date_from`` to
        ``date_to`` inclusive (at most a year), in time order."""
        return agenda.calendar(self.db.session, self.actor, query)

    @rpc
    def overdue(self, user_id=None, now=None) -> dict:
        """A user's planned interactions whose time has passed (as of ``now``, default now)."""
        return agenda.overdue(self.db.session, self.actor, user_id, datetime_arg(now, "now"))

    @rpc
    def forgotten_clients(self, manager_id, days, now=None) -> dict:
        """Partners of ``manager_id`` with no interaction for more than ``days`` days (as of
        ``now``, ISO date-time, default now). Only partners this service has seen an
        interaction with are known here; one never interacted with is not listed."""
        return agenda.forgotten_clients(self.db.session, self.actor, manager_id, days, datetime_arg(now, "now"))

    @rpc
    def card_section(self, partner_id) -> dict:
        """What the client card shows from interactions: ``last_interactions`` (5),
        ``upcoming`` (planned) and ``open_tasks`` (empty for now)."""
        return agenda.card_section(self.db.session, self.actor, uuid_arg(partner_id, "partner_id"))

    # --- reminders ------------------------------------------------------------------------
    @rpc
    def run_reminder_scan(self, now=None) -> dict:
        """Run the reminder scan now, as of ``now`` (ISO date-time, default: now). Admins and
        services only (PermissionDenied)."""
        reminders.require_operator(self.actor, "reminder scan")
        return reminders.scan_reminders(self.db, datetime_arg(now, "now"))

    @timer(interval=REMINDER_SCAN_S)
    def scan_reminders(self) -> dict:
        """Every INTERACTIONS_REMINDER_SCAN_S seconds: reminder_due once per interaction whose
        reminder time has come."""
        return reminders.scan_reminders(self.db)

    # --- events ---------------------------------------------------------------------------
    @handles("partners", "partners_merged")
    def on_partners_merged(self, event) -> dict:
        """Two partners became one: subjects, partners, participants and last-interaction dates
        of the merged partner now name the survivor."""
        return interactions.partners_merged(self.db, event)
