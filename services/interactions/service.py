"""The interactions service: a table of contents of its RPCs; the work is in usecases/ and domain/.

Meetings, planned interactions, phone calls and emails with a partner, deal or claim, their
participants, chains, reminders, calendar and forgotten clients; phone calls told by the PBX
(call events consumed in batches from ``telephony.calls``: usecases/call_ingest.py, numbers
matched in usecases/caller_matching.py), the call-back tasks of missed calls (usecases/tasks.py),
prospects and leads for unknown callers (usecases/call_leads.py). Every RPC takes JSON values,
validates them at the boundary (a bad payload gets a ValidationError naming the fields and
writes nothing), applies row-level access for the calling actor on the responsible user, region
and department (NotFound for interactions it may not see), and answers JSON values. Changes are
committed with their events (outbox) before the reply. Errors: ValidationError, NotFound,
PermissionDenied, PreconditionFailed (crm_kit.errors).
"""

from __future__ import annotations

from nameko.events import BROADCAST

from contracts import deals as deal_events
from contracts import partners as partner_events
from contracts.telephony import BINDING_KEY, EXCHANGE, QUEUE
from crm_kit import phones
from crm_kit.access import require_operator
from crm_kit.actor_provider import ActorProvider
from crm_kit.batch import consumes_batch, handles_batch
from crm_kit.config import env_int
from crm_kit.contracts import EventContract
from crm_kit.db import Database
from crm_kit.entrypoints import handles, hears, rpc, timer
from crm_kit.errors import ValidationError
from crm_kit.idempotency import idempotent
from crm_kit.observability import Observability
from crm_kit.replay import Backfill, Replayer, replay_request, replays
from crm_kit.validation import datetime_arg, uuid_arg
from services.interactions.caller_directory import CallerDirectory
from services.interactions.deals_client import DealsClient
from services.interactions.models import Base
from services.interactions.partners_client import PartnersClient
from services.interactions.usecases import (
    agenda,
    call_deals,
    call_ingest,
    call_leads,
    call_queries,
    caller_matching,
    card,
    details,
    extensions,
    flood,
    follow_ups,
    history,
    last_interaction,
    merges,
    participants,
    reassignment,
    registration,
    reminders,
    replay,
    status_moves,
    tasks,
)

REMINDER_SCAN_S = env_int("INTERACTIONS_REMINDER_SCAN_S", 30, minimum=1)
CALL_BATCH = env_int("INTERACTIONS_CALL_BATCH", 1000, minimum=1, maximum=5000)
CALL_BATCH_WAIT_MS = env_int("INTERACTIONS_CALL_BATCH_WAIT_MS", 50, minimum=0, maximum=10_000)
CALL_FOLLOW_UP_S = env_int("INTERACTIONS_CALL_FOLLOW_UP_S", 2, minimum=1)
CALL_EVENTS_KEEP_DAYS = env_int("INTERACTIONS_CALL_EVENTS_KEEP_DAYS", 30, minimum=1)
CALLER_DIRECTORY_CHECK_S = 5
# How long one follow-up round may work through due prospects and leads (committing every chunk):
# short when the flood lets a round through (once a minute), long enough when the consumer is
# calm that a backlog of thousands is not left waiting between ticks.
FOLLOW_UP_ROUND_FLOODED_S, FOLLOW_UP_ROUND_CALM_S = 1.5, 10.0


def _forget_callers(contract: EventContract):
    """Every running instance hears this partners event (a queue of its own) and drops the
    cached caller matches it makes stale (caller_directory.HEARD lists them)."""
    return hears(contract, handler_type=BROADCAST, reliable_delivery=False)


class InteractionsService:
    name = "interactions"

    db = Database(Base.metadata)
    actor = ActorProvider()
    partners = PartnersClient()
    deals = DealsClient()
    callers = CallerDirectory()
    observability = Observability()
    replayer = Replayer(*replay.READERS)
    # Deals' current state once, when first started with followed_deals (call_deals.py); deals'
    # live events wait until it is applied.
    backfill = Backfill(deal_events.SOURCE)

    @rpc
    def health_ping(self) -> str:
        """Answers "pong": the gateway's cheap liveness probe of this service over RPC."""
        return "pong"

    # --- interactions ---------------------------------------------------------------------
    @rpc
    @idempotent
    def register(self, interaction, request_id=None) -> dict:
        """Register a meeting (planned_at, place), planned interaction (planned_at), phone call
        (direction, from/to numbers, duration_s, recording_url) or email (email_subject, body,
        email_from, email_to, thread_id) about a subject (``subject_kind`` partner | deal | claim,
        ``subject_id``), optionally a reply (``reply_to_id``, same subject: same chain), with
        participants and a reminder (``remind_at``). The responsible user defaults to the
        caller. Refuses fields missing for the kind or belonging to another (ValidationError
        naming them), a subject partner or deal, partner, or participant's partner or contact
        that does not exist or that the caller may not see (NotFound naming the field), and a
        responsible or region the caller may not assign (PermissionDenied)."""
        return registration.register(self.db, self.actor, interaction, partners=self.partners, deals=self.deals)

    @rpc
    def get(self, interaction_id) -> dict:
        """The interaction with its participants. NotFound also when the caller may not see it."""
        return details.get(self.db.session, self.actor, uuid_arg(interaction_id, "interaction_id"))

    @rpc
    def update(self, interaction_id, changes) -> dict:
        """Change title, planned_at, place, outcome, remind_at (arms the reminder again),
        duration_s or recording_url. Refuses changing a done or cancelled one (except outcome)."""
        return details.update_interaction(
            self.db, self.actor, uuid_arg(interaction_id, "interaction_id"), changes
        )

    @rpc
    def set_status(self, interaction_id, change) -> dict:
        """Move to planned, in_progress, done (``outcome``), postponed (``planned_at``) or
        cancelled. Refuses a move the flow does not allow (PreconditionFailed)."""
        return status_moves.set_status(self.db, self.actor, uuid_arg(interaction_id, "interaction_id"), change)

    @rpc
    def complete(self, interaction_id, outcome=None) -> dict:
        """Mark done with its outcome: ``set_status`` to done."""
        return status_moves.set_status(
            self.db, self.actor, uuid_arg(interaction_id, "interaction_id"), {"status": "done", "outcome": outcome}
        )

    @rpc
    @idempotent
    def follow_up(self, interaction_id, follow_up=None, request_id=None) -> dict:
        """Plan a follow-up interaction (``{kind?, title?, planned_at, place?, remind_at?,
        responsible_id?}``): same subject and chain, ``follow_up_of_id`` linking back."""
        return follow_ups.follow_up(self.db, self.actor, uuid_arg(interaction_id, "interaction_id"), follow_up)

    @rpc
    @idempotent
    def link_created(self, interaction_id, kind, id, request_id=None) -> dict:  # noqa: A002 - the RPC's argument name
        """Record that a contact, deal or claim (``kind``) with ``id`` was created from this
        interaction by its own service; the link is kept on the interaction. Refuses a contact
        or deal that does not exist or that the caller may not see (NotFound on ``id``)."""
        return details.link_created(
            self.db, self.actor, uuid_arg(interaction_id, "interaction_id"), kind, id, partners=self.partners, deals=self.deals
        )

    # --- chains ---------------------------------------------------------------------------
    @rpc
    def list_chain(self, interaction_id) -> list:
        """The chain (first interaction and its replies) this one belongs to, in order."""
        return history.list_chain(self.db.session, self.actor, uuid_arg(interaction_id, "interaction_id"))

    @rpc
    def list_by_subject(self, subject_kind, subject_id, limit=200) -> list:
        """The interactions about a partner, deal or claim, oldest first (``limit`` <= 1000)."""
        return history.list_by_subject(self.db.session, self.actor, subject_kind, subject_id, limit)

    # --- participants ---------------------------------------------------------------------
    @rpc
    @idempotent
    def add_participant(self, interaction_id, participant, request_id=None) -> dict:
        """Add a participant: free text (name, phone, email) and/or a partner, contact or user.
        Refuses a partner or contact that does not exist or that the caller may not see
        (NotFound)."""
        return participants.add_participant(
            self.db, self.actor, uuid_arg(interaction_id, "interaction_id"), participant, partners=self.partners
        )

    @rpc
    def link_participant(self, participant_id, link) -> dict:
        """Link a participant by hand (``{partner_id?, contact_id?, user_id?}``). Refuses a
        partner or contact that does not exist or that the caller may not see (NotFound)."""
        return participants.link_participant(
            self.db, self.actor, uuid_arg(participant_id, "participant_id"), link, partners=self.partners
        )

    @rpc
    def link_participants(self, interaction_id) -> dict:
        """Link text-only participants by phone (``partners.find_by_phone``) or, without a
        phone, by email (``partners.find_by_email``). When the partners service is not running
        or does not answer, they stay unlinked and the answer says ``partners_available: false``."""
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
        """Clients with no interaction for more than ``days`` days (as of ``now``, ISO
        date-time, default now), never contacted ones first; of ``manager_id`` (their responsible
        manager), or every one the caller may see when it is empty."""
        return agenda.forgotten_clients(self.db.session, self.actor, manager_id or None, days, datetime_arg(now, "now"))

    @rpc
    def card_section(self, partner_id) -> dict:
        """What the client card shows from interactions: ``last_interactions`` (5),
        ``upcoming`` (planned) and ``open_tasks`` (call-backs of missed calls)."""
        return card.card_section(self.db.session, self.actor, uuid_arg(partner_id, "partner_id"))

    # --- reminders ------------------------------------------------------------------------
    @rpc(internal=True)
    def run_reminder_scan(self, now=None) -> dict:
        """Run the reminder scan now, as of ``now`` (ISO date-time, default: now). Admins and
        services only (PermissionDenied)."""
        require_operator(self.actor, "run the reminder scan")
        return reminders.scan_reminders(self.db, datetime_arg(now, "now"))

    @timer(interval=REMINDER_SCAN_S)
    def scan_reminders(self) -> dict:
        """Every INTERACTIONS_REMINDER_SCAN_S seconds: reminder_due once per interaction whose
        reminder time has come."""
        return reminders.scan_reminders(self.db)

    # --- events ---------------------------------------------------------------------------
    @handles(partner_events.PARTNERS_MERGED)
    def on_partners_merged(self, event) -> dict:
        """Two partners became one: subjects, partners, participants and last-interaction dates
        of the merged partner now name the survivor."""
        return merges.partners_merged(self.db, event)

    @handles(partner_events.PARTNER_REGISTERED)
    def on_partner_registered(self, event) -> None:
        """A partner to follow for forgotten clients (last_interaction.py), never contacted yet."""
        last_interaction.follow_partners(self.db.session, [event["data"]])

    @handles(partner_events.PARTNER_UPDATED)
    def on_partner_updated(self, event) -> None:
        """Where the partner sits, its name, kinds and status, for forgotten clients."""
        last_interaction.follow_partners(self.db.session, [event["data"]])

    @handles(partner_events.PARTNER_ARCHIVED)
    def on_partner_archived(self, event) -> None:
        """An archived partner is no forgotten client."""
        last_interaction.follow_partners(self.db.session, [event["data"]])

    @handles(partner_events.PARTNER_UNARCHIVED)
    def on_partner_unarchived(self, event) -> None:
        """Back from the archive: followed again."""
        last_interaction.follow_partners(self.db.session, [event["data"]])

    @handles_batch(partner_events.PARTNER_REASSIGNED, queue="interactions.partner_reassigned")
    def on_partner_reassigned(self, events) -> dict:
        """Partners have another manager (alone, or a whole base handed over: one event per
        partner, taken in batches): their planned interactions and open call-back tasks that were
        the previous manager's go to the new one (``interaction_reassigned``, ``task_reassigned``)."""
        return reassignment.partners_reassigned(self.db, events)

    @replays(deal_events.DEAL_SNAPSHOT)
    def apply_deal_snapshots(self, records) -> None:
        """Deals as they were when this service first followed them: which are open
        (call_deals.py)."""
        call_deals.deals_replayed(self.db.session, [record["data"] for record in records])

    @handles(deal_events.DEAL_OPENED)
    def on_deal_opened(self, event) -> None:
        """A partner's open deal: while it is the partner's only one, its calls are about it
        (call_deals.py)."""
        call_deals.deal_opened(self.db.session, event["data"], event.get("occurred_at"))

    @handles(deal_events.DEAL_WON)
    def on_deal_won(self, event) -> None:
        """A won deal is closed: calls are no longer linked to it."""
        call_deals.deal_closed(self.db.session, event["data"])

    @handles(deal_events.DEAL_LOST)
    def on_deal_lost(self, event) -> None:
        """A lost deal is closed: calls are no longer linked to it."""
        call_deals.deal_closed(self.db.session, event["data"])

    # --- phone calls from the PBX -----------------------------------------------------------
    @consumes_batch(EXCHANGE, QUEUE, BINDING_KEY, max_batch=CALL_BATCH, max_wait_ms=CALL_BATCH_WAIT_MS)
    def ingest_call_events(self, bodies) -> dict:
        """Up to INTERACTIONS_CALL_BATCH call events (or what came in INTERACTIONS_CALL_BATCH_WAIT_MS)
        in one transaction: one call interaction per call whatever the order, each event once,
        numbers matched, missed-call tasks, leads queued. Malformed events are parked."""
        flood.FLOOD.batch(len(bodies), CALL_BATCH)
        return call_ingest.ingest(self.db, self.partners, self.callers, bodies)

    @timer(interval=CALL_FOLLOW_UP_S)
    def follow_up_calls(self) -> dict:
        """Every INTERACTIONS_CALL_FOLLOW_UP_S seconds: match calls stored while partners did
        not answer, then make the prospects and leads of unknown callers that are due (a round
        of up to 10 s, chunks committed as they go). While the PBX floods the consumer (full
        batches), this waits, at most a minute at a time, and the round it then lets through
        is short (usecases/flood.py)."""
        if flood.FLOOD.defer_follow_ups():
            return {"deferred": "the consumer is flooded with call events"}
        calm = flood.FLOOD.calm()
        return self.run_call_follow_ups_now(FOLLOW_UP_ROUND_CALM_S if calm else FOLLOW_UP_ROUND_FLOODED_S)

    def run_call_follow_ups_now(self, budget_s: float = FOLLOW_UP_ROUND_FLOODED_S) -> dict:
        matched = caller_matching.retry_pending_matches(self.db, self.partners, self.callers)
        return {"matches": matched, "leads": call_leads.process(self.db, self.partners, self.deals, budget_s=budget_s)}

    @rpc(internal=True)
    def run_call_follow_ups(self) -> dict:
        """Run the follow-up of calls now (admins and services only)."""
        require_operator(self.actor, "run the call follow-ups")
        return self.run_call_follow_ups_now()

    @timer(interval=3600)
    def prune_call_events(self) -> dict:
        """Hourly: forget call event ids older than INTERACTIONS_CALL_EVENTS_KEEP_DAYS days."""
        return {"pruned": call_ingest.prune_call_events(self.db.session, CALL_EVENTS_KEEP_DAYS)}

    @rpc
    def get_call(self, call_id) -> dict:
        """The call interaction of the PBX's ``call_id``. NotFound also when not visible."""
        return call_queries.get_call(self.db.session, self.actor, call_id)

    @rpc
    def list_calls(self, query=None) -> dict:
        """Calls, newest first, by ``partner_id``, ``responsible_id``, ``state``, ``date_from``/
        ``date_to`` (``limit`` <= 1000)."""
        return call_queries.list_calls(self.db.session, self.actor, query)

    @rpc(internal=True)
    def list_call_leads(self, state=None, limit=100) -> list:
        """Unknown callers queued for a prospect and a lead (``state`` pending | done | failed);
        admins and services only."""
        require_operator(self.actor, "read the call lead list")
        if state not in (None, call_leads.PENDING, call_leads.DONE, call_leads.FAILED):
            raise ValidationError.for_field("state", "pending, done or failed")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise ValidationError.for_field("limit", "a whole number from 1 to 1000")
        return call_leads.list_leads(self.db.session, state, limit)

    # --- tasks and extensions -------------------------------------------------------------
    @rpc
    def list_tasks(self, query=None) -> dict:
        """Tasks of ``assignee_id`` (default the caller) or of ``partner_id``; ``status`` open
        (default), done or all."""
        return tasks.list_tasks(self.db.session, self.actor, query)

    @rpc
    def complete_task(self, task_id, note=None) -> dict:
        """Mark a task done with an optional note; raises task_completed."""
        return tasks.complete_task(self.db, self.actor, uuid_arg(task_id, "task_id"), note)

    @rpc
    def set_extension(self, extension, user_id, region=None, department=None) -> dict:
        """Say which user answers a PBX extension (admins only)."""
        return extensions.set_extension(
            self.db, self.actor, {"extension": extension, "user_id": user_id, "region": region, "department": department}
        )

    @rpc
    def list_extensions(self) -> dict:
        """Which user answers each PBX extension, in extension order; anyone signed in may read
        it (PermissionDenied for an anonymous caller)."""
        return extensions.list_extensions(self.db.session, self.actor)

    @rpc
    def remove_extension(self, extension) -> dict:
        """Nobody answers this PBX extension any more (admins only); ``removed`` says whether it
        was set."""
        return extensions.remove_extension(self.db, self.actor, extension)

    # --- the caller cache follows partners ------------------------------------------------
    @timer(interval=CALLER_DIRECTORY_CHECK_S, eager=True)
    def refresh_caller_directory(self) -> dict:
        """At start, then when INTERACTIONS_CALLER_DIRECTORY_RELOAD_S has passed or an event
        could not be applied: read the whole phone directory from partners (caller_directory.py).
        While partners does not answer, matching asks it per number."""
        return caller_matching.refresh_directory(self.callers, self.partners)

    @_forget_callers(partner_events.PARTNER_REGISTERED)
    @_forget_callers(partner_events.PARTNER_UPDATED)
    @_forget_callers(partner_events.PARTNER_REASSIGNED)
    @_forget_callers(partner_events.PARTNERS_MERGED)
    @_forget_callers(partner_events.CONTACT_ADDED)
    @_forget_callers(partner_events.CONTACT_UPDATED)
    @_forget_callers(partner_events.CONTACT_REMOVED)
    @_forget_callers(partner_events.PARTNER_ARCHIVED)
    @_forget_callers(partner_events.PARTNER_UNARCHIVED)
    def forget_stale_callers(self, event) -> None:
        """Drop cached caller matches a partners event makes stale (caller_directory.py)."""
        self.callers.forget_for_event(event, phones.lookup_key)

    @rpc(internal=True)
    def replay_to(self, consumer, replay_id, since):
        """Stream the current state of every interaction, calls included to ``consumer`` (crm_kit.replay), for a
        consumer that starts late, and answer at once; the stream ends with the ids of events
        it already reflects. Only a service may ask; a bad consumer name, id or time is refused."""
        return self.replayer.start_replay(*replay_request(self.actor, consumer, replay_id, since))
