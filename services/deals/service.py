"""The deals service: a table of contents of its RPCs; the work is in usecases/ and domain/.

Every RPC takes JSON values, validates them at the boundary (a bad payload gets a
ValidationError naming the fields and writes nothing), applies row-level access for the calling
actor (NotFound for deals it may not see), and answers JSON values. Changes are committed with
their events (outbox) before the reply. Errors: ValidationError, NotFound, Conflict,
PermissionDenied, PreconditionFailed (crm_kit.errors); Unavailable when the partners
service, asked about a partner or an agreement, does not answer in time (UNAVAILABLE at the
gateway).
"""

from __future__ import annotations

from datetime import date

from contracts import partners as partner_events
from crm_kit.access import require_operator
from crm_kit.actor_provider import ActorProvider
from crm_kit.batch import handles_batch
from crm_kit.config import env_int
from crm_kit.db import Database
from crm_kit.entrypoints import handles, rpc, timer
from crm_kit.idempotency import idempotent
from crm_kit.observability import Observability
from crm_kit.replay import Replayer, replay_request
from crm_kit.validation import date_arg, datetime_arg, uuid_arg
from services.deals.models import Base
from services.deals.partners_client import PartnersClient
from services.deals.usecases import (
    card,
    details,
    forecast,
    invoices,
    listing,
    merges,
    offers,
    opening,
    reassignment,
    replay,
    scans,
    stages,
    terms,
    work,
)

OVERDUE_SCAN_S = env_int("DEALS_OVERDUE_SCAN_S", 60, minimum=1)
STUCK_SCAN_S = env_int("DEALS_STUCK_SCAN_S", 300, minimum=1)
OFFER_EXPIRY_SCAN_S = env_int("DEALS_OFFER_EXPIRY_SCAN_S", 300, minimum=1)


class DealsService:
    name = "deals"

    db = Database(Base.metadata)
    actor = ActorProvider()
    partners = PartnersClient()
    observability = Observability()
    replayer = Replayer(*replay.READERS)

    @rpc
    def health_ping(self) -> str:
        """Answers "pong": the gateway's cheap liveness probe of this service over RPC."""
        return "pong"

    # --- sales processes ------------------------------------------------------------------
    @rpc
    def list_processes(self) -> list:
        """Every sales process (standard, manual, none, and those defined) with its stages."""
        return stages.list_processes(self.db.session)

    @rpc
    @idempotent
    def define_process(self, process, request_id=None) -> dict:
        """Define a sales process: code, name, mode (strict | manual | none), stages in order with
        probability, time limit and preconditions. Admins and heads of sales only
        (PermissionDenied). Refuses duplicate stage codes, probabilities outside 0..100 or
        falling, unknown preconditions, no stages unless mode none (ValidationError naming the
        field), a code already taken (Conflict)."""
        return stages.define_process(self.db, self.actor, process)

    # --- deals ----------------------------------------------------------------------------
    @rpc
    def open_deal(self, deal, options=None) -> dict:
        """Open a deal at its process's first stage, in progress; the manager defaults to the
        caller, the region and department are the partner's. ``options``: ``request_id`` (a
        retried call answers the first deal, ``replayed``). Refuses a partner or contact that
        does not exist or that the caller may not see (NotFound), an unknown process_code or the
        source "call" (ValidationError) and a manager the caller may not assign
        (PermissionDenied)."""
        return opening.open_deal(self.db, self.actor, deal, options, partners=self.partners)

    @rpc
    @idempotent
    def open_lead_from_call(self, call, request_id=None) -> dict:
        """Open a lead from a first call (source "call"); once per ``call_id``: a second call
        answers the first deal. Services only: the interactions service, for a call from an
        unknown number (PermissionDenied for people: call ids are the PBX's). Refuses a missing
        partner_id or call_id (ValidationError), a partner that does not exist (NotFound)."""
        return opening.open_lead_from_call(self.db, self.actor, call, partners=self.partners)

    @rpc
    def get_deal(self, deal_id) -> dict:
        """The deal with its stage history, offers, tasks, documents, supplier orders and
        invoices with balances. NotFound also when the caller may not see it."""
        return details.get_deal(self.db.session, self.actor, uuid_arg(deal_id, "deal_id"))

    @rpc
    def reassign_deal(self, deal_id, assignment) -> dict:
        """Hand one deal to another manager (``{manager_id, reason}``) with the open tasks of its
        plan that were the previous manager's; recorded in its ``assignments``, raises
        ``deal_reassigned``. Heads of sales and admins only (PermissionDenied); refuses a missing
        reason (ValidationError), a won or lost deal or one already the manager's
        (PreconditionFailed)."""
        return reassignment.reassign_deal(self.db, self.actor, uuid_arg(deal_id, "deal_id"), assignment)

    @rpc
    def update_deal(self, deal_id, changes) -> dict:
        """Change title, amount, currency, expected_close_date or contact_id. Refuses other fields
        (ValidationError), a contact not of the deal's partner (ValidationError) or not seen
        (NotFound), and a won or lost deal (PreconditionFailed)."""
        return details.update_deal(self.db, self.actor, uuid_arg(deal_id, "deal_id"), changes, partners=self.partners)

    @rpc
    def list_deals(self, filters=None) -> dict:
        """Deals the caller may see, newest first, by partner, manager, status, stage, process and
        title text; keyset pages (``limit`` <= 500, ``cursor``)."""
        return listing.list_deals(self.db.session, self.actor, filters)

    @rpc
    def move_to_stage(self, deal_id, move) -> dict:
        """Move a deal to another stage (``{stage, note?}``), recording the stay. Refuses
        (PreconditionFailed): a deal not in progress, a deal without stages, the current stage,
        in a strict process a skipped stage (details ``skipped``) or a stage whose preconditions
        are missing (details ``missing``, e.g. partner_is_client, terms_chosen). An unknown stage
        is a ValidationError on ``stage``."""
        return stages.move_to_stage(self.db, self.actor, self.partners, uuid_arg(deal_id, "deal_id"), move)

    @rpc
    def set_status(self, deal_id, change) -> dict:
        """Win, lose (with loss_reason, competitor_id), postpone or resume a deal. Refuses leaving
        won or lost, winning a strict deal before its last stage (PreconditionFailed), losing
        without a reason (ValidationError on ``loss_reason``), a competitor the caller may not
        see (NotFound)."""
        return stages.set_status(self.db, self.actor, uuid_arg(deal_id, "deal_id"), change, partners=self.partners)

    @rpc
    def choose_terms(self, deal_id, terms) -> dict:
        """Choose the deal's sales terms (``{agreement_id}``), checked with the partners service.
        Refuses an agreement not approved or individual for another partner
        (PreconditionFailed), one the caller may not see (NotFound), a closed deal. The
        agreement's credit days, discount and prepayment share then bind the deal's invoices,
        offers and shipment; when partners expires or cancels it, the terms no longer count as
        chosen."""
        return stages.choose_terms(self.db, self.actor, self.partners, uuid_arg(deal_id, "deal_id"), terms)

    # --- offers ---------------------------------------------------------------------------
    @rpc
    @idempotent
    def add_offer(self, deal_id, offer, options=None, request_id=None) -> dict:
        """Add a draft commercial offer with lines; amounts and total are computed. Refuses bad
        lines (ValidationError naming ``lines.<i>.<field>``), a closed deal, and a line discount
        above the deal's agreement's (PreconditionFailed, ``rule`` "discount_percent") unless a
        head of sales or admin gives ``options.override_reason`` (recorded on the offer;
        PermissionDenied for anyone else)."""
        return offers.add_offer(self.db, self.actor, uuid_arg(deal_id, "deal_id"), offer, options)

    @rpc
    def set_offer_status(self, offer_id, change) -> dict:
        """Send, accept or reject an offer (``{status}``); accepting sets the deal's amount to the
        offer total. Refuses transitions the flow does not allow and accepting after
        valid_until (PreconditionFailed)."""
        return offers.set_offer_status(self.db, self.actor, uuid_arg(offer_id, "offer_id"), change)

    # --- work plan, documents, supplier orders --------------------------------------------
    @rpc
    @idempotent
    def add_task(self, deal_id, task, request_id=None) -> dict:
        """Put a task on the deal's plan (``{title, due_date, responsible_id?}``). Refuses a
        missing title or due date (ValidationError)."""
        return work.add_task(self.db, self.actor, uuid_arg(deal_id, "deal_id"), task)

    @rpc
    def complete_task(self, task_id) -> dict:
        """Mark a task done (again: no change)."""
        return work.complete_task(self.db, self.actor, uuid_arg(task_id, "task_id"))

    @rpc
    def list_tasks(self, filters=None) -> dict:
        """Tasks across the deals the caller may see (a head of sales: the department's), soonest
        due first: open ones unless ``include_done``, by ``responsible_id``, ``deal_id``,
        ``kind``, or ``overdue_only``; keyset pages (``limit`` <= 500, ``cursor``)."""
        return work.list_tasks(self.db.session, self.actor, filters)

    @rpc
    @idempotent
    def add_document(self, deal_id, document, request_id=None) -> dict:
        """Link an external document (order, contract, shipment, other) by number or URL."""
        return work.add_document(self.db, self.actor, uuid_arg(deal_id, "deal_id"), document)

    @rpc
    @idempotent
    def add_supplier_order(self, deal_id, order, request_id=None) -> dict:
        """Record a supplier order raised for the deal (``{supplier_id, number?, amount?, ...}``).
        Refuses a supplier that does not exist or that the caller may not see (NotFound)."""
        return work.add_supplier_order(self.db, self.actor, uuid_arg(deal_id, "deal_id"), order, partners=self.partners)

    # --- invoices and payments ------------------------------------------------------------
    @rpc
    @idempotent
    def issue_invoice(self, deal_id, invoice, options=None, request_id=None) -> dict:
        """Issue an invoice (``{number, amount, due_date, issued_on?, currency?}``). Refuses an
        amount not above zero, a due date before the issue date (ValidationError), a number the
        deal already has (Conflict), a lost deal, a due date later than the deal's agreement's
        credit days allow (PreconditionFailed, ``rule`` "credit_days") unless a head of sales or
        admin gives ``options.override_reason`` (recorded on the invoice; PermissionDenied for
        anyone else)."""
        return invoices.issue_invoice(self.db, self.actor, uuid_arg(deal_id, "deal_id"), invoice, options)

    @rpc
    def cancel_invoice(self, invoice_id, cancellation) -> dict:
        """Withdraw an invoice (``{reason}``): never overdue, never a debt, no payments after.
        Again: no change. Refuses a missing reason (ValidationError) and an invoice with
        payments (PreconditionFailed)."""
        return invoices.cancel_invoice(self.db, self.actor, uuid_arg(invoice_id, "invoice_id"), cancellation)

    @rpc
    @idempotent
    def record_payment(self, invoice_id, payment, request_id=None) -> dict:
        """Apply a payment (``{amount, paid_on, external_id}``) and answer the invoice; once per
        external_id (a repeat answers ``replayed``). Refuses an overpayment (ValidationError on
        ``amount``), an external_id used for another invoice (Conflict), a cancelled invoice."""
        return invoices.record_payment(self.db, self.actor, uuid_arg(invoice_id, "invoice_id"), payment)

    @rpc
    def list_invoices(self, filters=None) -> dict:
        """Invoices the caller may see by partner_id and/or deal_id, optionally ``overdue_only``;
        ``{"items", "next_cursor"}``."""
        return invoices.list_invoices(self.db.session, self.actor, filters)

    # --- forecast and the client card -----------------------------------------------------
    @rpc
    def forecast(self, query=None) -> dict:
        """The weighted pipeline of in-progress deals the caller may see, by manager and period
        (``month`` | ``quarter``), optionally within dates and for one manager."""
        return forecast.forecast(self.db.session, self.actor, query)

    @rpc
    def card_section(self, partner_id) -> dict:
        """What the client card shows from deals: open deals, recent won and lost, pipeline total
        and weighted, invoices owed and how many are overdue."""
        return card.card_section(self.db.session, self.actor, uuid_arg(partner_id, "partner_id"))

    # --- scans ----------------------------------------------------------------------------
    @rpc(internal=True)
    def run_overdue_scan(self, today=None) -> dict:
        """Run the overdue-invoice scan now, as of ``today`` (default: today). Admins and services
        only (PermissionDenied)."""
        require_operator(self.actor, "run the overdue scan")
        return scans.scan_overdue(self.db, date_arg(today, "today") or date.today())

    @rpc(internal=True)
    def run_stuck_scan(self, now=None) -> dict:
        """Run the stuck-deal scan now, as of ``now`` (ISO date-time, default: now). Admins and
        services only (PermissionDenied)."""
        require_operator(self.actor, "run the stuck scan")
        return scans.scan_stuck(self.db, datetime_arg(now, "now"))

    @rpc(internal=True)
    def run_offer_expiry_scan(self, today=None) -> dict:
        """Run the offer expiry scan now, as of ``today`` (default: today). Admins and services
        only (PermissionDenied)."""
        require_operator(self.actor, "run the offer expiry scan")
        return scans.scan_offer_expiry(self.db, date_arg(today, "today") or date.today())

    @timer(interval=OVERDUE_SCAN_S)
    def scan_overdue(self) -> dict:
        """Every DEALS_OVERDUE_SCAN_S seconds: invoice_overdue once for each invoice unpaid past
        its due date."""
        return scans.scan_overdue(self.db, date.today())

    @timer(interval=STUCK_SCAN_S)
    def scan_stuck(self) -> dict:
        """Every DEALS_STUCK_SCAN_S seconds: deal_stuck once per stay over its stage's limit, with
        a reminder task on the manager's plan."""
        return scans.scan_stuck(self.db)

    @timer(interval=OFFER_EXPIRY_SCAN_S)
    def scan_offer_expiry(self) -> dict:
        """Every DEALS_OFFER_EXPIRY_SCAN_S seconds: offer_expired once for each sent offer past
        its valid_until."""
        return scans.scan_offer_expiry(self.db, date.today())

    # --- events ---------------------------------------------------------------------------
    @handles(partner_events.PARTNERS_MERGED)
    def on_partners_merged(self, event) -> dict:
        """Two partners became one: deals, invoices and supplier orders of the merged partner now
        name the survivor, and its deals sit where the survivor sits."""
        counts = merges.partners_merged(self.db, event)
        reassignment.partner_placed(self.db, event)
        return counts

    @handles_batch(partner_events.PARTNER_REASSIGNED, queue="deals.partner_reassigned")
    def on_partner_reassigned(self, events) -> dict:
        """Partners have another manager (alone, or a whole base handed over: one event per
        partner, taken in batches): their open deals that the previous manager had go to the new
        one with their open tasks; their deals take their region and department. Each changed
        deal raises ``deal_reassigned``."""
        return reassignment.partners_reassigned(self.db, events)

    @handles(partner_events.PARTNER_REGISTERED)
    def on_partner_registered(self, event) -> dict:
        """Remember where a new partner sits; deals opened for it before take its region and
        department."""
        return reassignment.partner_placed(self.db, event)

    @handles(partner_events.PARTNER_UPDATED)
    def on_partner_updated(self, event) -> dict:
        """A partner's details changed: its deals follow its region and department."""
        return reassignment.partner_placed(self.db, event)

    @handles(partner_events.AGREEMENT_EXPIRED)
    def on_agreement_expired(self, event) -> dict:
        """An agreement's last day passed: open deals that chose it no longer count as having
        terms chosen."""
        return terms.agreement_withdrawn(self.db, event)

    @handles(partner_events.AGREEMENT_CANCELLED)
    def on_agreement_cancelled(self, event) -> dict:
        """An agreement was cancelled: open deals that chose it no longer count as having terms
        chosen."""
        return terms.agreement_withdrawn(self.db, event)

    @rpc(internal=True)
    def replay_to(self, consumer, replay_id, since):
        """Stream the current state of every deal with its stage history and invoices to ``consumer`` (crm_kit.replay), for a
        consumer that starts late, and answer at once; the stream ends with the ids of events
        it already reflects. Only a service may ask; a bad consumer name, id or time is refused."""
        return self.replayer.start_replay(*replay_request(self.actor, consumer, replay_id, since))
