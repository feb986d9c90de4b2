"""The notifications service: a table of contents of its RPCs, event handlers and the sender;
the work is in usecases/ and domain/.

How the platform speaks to clients and its own staff. It keeps its own copy of the partners
and their contacts (fed by the partners service's events: usecases/recipients.py), where
users are reached (usecases/staff.py), templates (usecases/templates.py), and one message per
triggering event, recipient and channel (usecases/notifying.py), which the sender sends over
SMTP (usecases/sending.py, smtp.py). Every RPC validates its payload at the boundary (a bad
one gets a ValidationError naming the fields and writes nothing). Errors: ValidationError,
NotFound, Conflict, PermissionDenied (crm_kit.errors).
"""

from __future__ import annotations

from contracts import deals as deal_events
from contracts import interactions as interaction_events
from contracts import partners as partner_events
from crm_kit.access import require_operator
from crm_kit.actor_provider import ActorProvider
from crm_kit.batch import handles_batch
from crm_kit.config import env_float, env_int
from crm_kit.db import Database
from crm_kit.entrypoints import handles, rpc, timer
from crm_kit.idempotency import idempotent
from crm_kit.observability import Observability
from crm_kit.replay import Backfill, replays
from crm_kit.validation import uuid_arg
from services.notifications.domain import kinds
from services.notifications.domain.delivery import RetryPolicy
from services.notifications.models import Base
from services.notifications.smtp import Mailer
from services.notifications.usecases import (
    consent,
    mailings,
    messages,
    notification_kinds,
    notifying,
    recipients,
    sending,
    staff,
    templates,
)

SEND_INTERVAL_S = env_float("NOTIFICATIONS_SEND_INTERVAL_S", 1.0, minimum=0.05)
SEND_BATCH = env_int("NOTIFICATIONS_SEND_BATCH", 100, minimum=1, maximum=10_000)
RETRY_POLICY = RetryPolicy(
    base_s=env_float("NOTIFICATIONS_RETRY_BASE_S", 5.0, minimum=0.01),
    max_s=env_float("NOTIFICATIONS_RETRY_MAX_S", 600.0, minimum=0.01),
    max_attempts=env_int("NOTIFICATIONS_MAX_ATTEMPTS", 8, minimum=1, maximum=100),
)
MAILING_INTERVAL_S = env_float("NOTIFICATIONS_MAILING_INTERVAL_S", 1.0, minimum=0.05)
MAILING_CHUNK = env_int("NOTIFICATIONS_MAILING_CHUNK", 1000, minimum=1, maximum=50_000)
MAILING_CHUNKS_PER_TICK = env_int("NOTIFICATIONS_MAILING_CHUNKS_PER_TICK", 10, minimum=1, maximum=1000)
# One service per process: the sender's memory of a provider outage lives as long as it does.
OUTAGE_BACKOFF = sending.OutageBackoff(RETRY_POLICY)


class NotificationsService:
    name = "notifications"

    db = Database(Base.metadata)
    actor = ActorProvider()
    smtp = Mailer()
    observability = Observability()
    # Partners registered before this service first ran are replayed to it (crm_kit.replay);
    # its handlers of partners' events wait until the replay is complete.
    backfill = Backfill("partners")

    @rpc
    def health_ping(self) -> str:
        """Answers "pong": the gateway's cheap liveness probe of this service over RPC."""
        return "pong"

    # --- templates ------------------------------------------------------------------------
    @rpc
    def save_template(self, template) -> dict:
        """Save a template (``{code, channel, name, variables, subject?, text, html?}``) as its
        next version. Refuses (ValidationError naming the field and the variable) a part that
        does not parse, a variable used but not declared, a declared variable its notification
        kind does not offer, a missing subject or text. Admins and heads of sales only
        (PermissionDenied); Conflict when saved by two at once."""
        return templates.save_template(self.db, self.actor, template)

    @rpc
    def get_template(self, ref) -> dict:
        """A template (``{code, channel?, version?}``: default email, newest). NotFound."""
        return templates.get_template(self.db.session, self.actor, ref)

    @rpc
    def list_templates(self) -> list:
        """The newest version of every template."""
        return templates.list_templates(self.db.session, self.actor)

    @rpc
    def delete_template(self, ref) -> dict:
        """Delete every version of a template (``{code, channel?}``) no notification kind uses
        (PreconditionFailed naming the kinds that do). Admins and heads of sales only."""
        return templates.delete_template(self.db, self.actor, ref)

    @rpc
    def preview(self, request) -> dict:
        """A stored template (``code``, ``channel``, ``version``) or a draft (``template``)
        rendered with ``variables`` (default: its kind's example): ``{channel, subject, text,
        html}``. Refuses a draft that a save would refuse and a variable without a value
        (ValidationError naming ``variables.<name>``)."""
        return templates.preview(self.db.session, self.actor, request)

    # --- notification kinds ---------------------------------------------------------------
    @rpc
    def list_kinds(self) -> list:
        """Every notification kind: its event, audience, channel, template, whether it is on,
        and the variables its templates may use."""
        return notification_kinds.list_kinds(self.db.session, self.actor)

    @rpc
    def set_kind(self, code, change) -> dict:
        """Turn a kind on or off (``enabled``) or bind it to another template of its channel
        (``template_code``). Refuses an unknown kind (NotFound) and a template that does not
        exist or declares a variable the kind does not offer (ValidationError on
        ``template_code``). Admins and heads of sales only."""
        return notification_kinds.set_kind(self.db, self.actor, code, change)

    # --- where users are reached ----------------------------------------------------------
    @rpc
    def set_staff_contact(self, user_id, contact) -> dict:
        """Set where a user is reached (``{full_name?, email?, phone?}``). Administrators only."""
        return staff.set_staff_contact(self.db, self.actor, user_id, contact)

    @rpc(internal=True)
    def get_staff_contact(self, user_id) -> dict:
        """Where a user is reached (the user, administrators and services). NotFound."""
        return staff.get_staff_contact(self.db.session, self.actor, user_id)

    @rpc(internal=True)
    def recipients_of(self, partner_id) -> dict:
        """What this service's copy holds of a partner and its active contacts (operators)."""
        require_operator(self.actor, "read the recipients copy")
        return recipients.recipients_of(self.db.session, uuid_arg(partner_id, "partner_id"))

    # --- subscriptions and the suppression list (usecases/consent.py) -----------------------
    @rpc
    @idempotent
    def subscribe(self, subscription, request_id=None) -> dict:
        """Record an address's consent to a marketing topic (``{address, topic, source,
        consent_at?, note?, partner_id?, contact_id?}``): when, how and by whom (the caller).
        An address of a partner: whoever sees the partner; of none: admins and heads of sales."""
        return consent.subscribe(self.db, self.actor, subscription)

    @rpc
    def unsubscribe(self, request) -> dict:
        """Record an unsubscribe staff were told of (``{address, topic, source?}``). NotFound."""
        return consent.unsubscribe(self.db, self.actor, request)

    @rpc
    def unsubscribe_by_token(self, token) -> dict:
        """The one-click unsubscribe of a marketing letter's ``List-Unsubscribe`` link (RFC 8058):
        no login, the signed token is the proof (ValidationError on ``token`` when it is not)."""
        return consent.unsubscribe_by_token(self.db, token)

    @rpc
    def list_subscriptions(self, filters=None) -> dict:
        """Subscriptions the caller may see, by ``address``, ``partner_id``, ``topic``, ``status``."""
        return consent.list_subscriptions(self.db.session, self.actor, filters)

    @rpc
    def suppress(self, suppression) -> dict:
        """Put an address on the suppression list (``{address, reason, detail?}``; reasons:
        unsubscribed, hard_bounce, complaint, manual). Admins and heads of sales."""
        return consent.suppress(self.db, self.actor, suppression)

    @rpc
    def unsuppress(self, request) -> dict:
        """Take an address off the suppression list for a reason (``{address, reason}``). NotFound."""
        return consent.unsuppress(self.db, self.actor, request)

    @rpc
    def list_suppressions(self, filters=None) -> dict:
        """The suppression list, by ``address`` and ``reason``. Admins and heads of sales."""
        return consent.list_suppressions(self.db.session, self.actor, filters)

    # --- mailing groups and mailings (usecases/mailings.py) ---------------------------------
    @rpc
    @idempotent
    def create_group(self, group, request_id=None) -> dict:
        """A mailing group: ``{name, kind: static|dynamic, members?: {partner_ids, contact_ids},
        conditions?: [{field, op, values}], region?, department?}``. ValidationError naming the
        field (a condition on an unknown field, a member the caller does not see)."""
        return mailings.create_group(self.db, self.actor, group)

    @rpc
    def get_group(self, group_id) -> dict:
        """A mailing group the caller sees. NotFound."""
        return mailings.get_group(self.db.session, self.actor, group_id)

    @rpc
    def list_groups(self) -> list:
        """The mailing groups the caller sees, newest first."""
        return mailings.list_groups(self.db.session, self.actor)

    @rpc
    def delete_group(self, group_id) -> dict:
        """Delete a group no mailing uses (PreconditionFailed naming them)."""
        return mailings.delete_group(self.db, self.actor, group_id)

    @rpc
    def preview_group(self, group_id) -> dict:
        """How many partners and addresses a group reaches now (before consent)."""
        return mailings.preview_group(self.db.session, self.actor, group_id)

    @rpc
    @idempotent
    def create_mailing(self, mailing, request_id=None) -> dict:
        """A mailing ``{name, topic, template_code, group_id, scheduled_at?}``: a draft, or
        scheduled when ``scheduled_at`` is given. ValidationError naming the field."""
        return mailings.create_mailing(self.db, self.actor, mailing)

    @rpc
    def schedule_mailing(self, mailing_id, schedule=None) -> dict:
        """Schedule a draft (``{scheduled_at?}``, default now). PreconditionFailed once sending."""
        return mailings.schedule_mailing(self.db, self.actor, mailing_id, schedule)

    @rpc
    def cancel_mailing(self, mailing_id) -> dict:
        """Cancel a mailing not yet sent; its queued messages are cancelled."""
        return mailings.cancel_mailing(self.db, self.actor, mailing_id)

    @rpc
    def get_mailing(self, mailing_id) -> dict:
        """A mailing with its counters (queued, sent, failed, bounced, suppressed, cancelled,
        unsubscribed)."""
        return mailings.get_mailing(self.db.session, self.actor, mailing_id)

    @rpc
    def list_mailings(self, filters=None) -> dict:
        """The mailings the caller sees, by ``status`` and ``group_id``, newest first."""
        return mailings.list_mailings(self.db.session, self.actor, filters)

    @timer(interval=MAILING_INTERVAL_S)
    def fan_out_mailings(self) -> dict:
        """Every NOTIFICATIONS_MAILING_INTERVAL_S seconds: due mailings start, and up to
        NOTIFICATIONS_MAILING_CHUNKS_PER_TICK chunks of NOTIFICATIONS_MAILING_CHUNK partners
        become messages (a worker is never held by a whole base); fanned-out mailings with
        nothing waiting are sent."""
        return mailings.fan_out(self.db, chunk=MAILING_CHUNK, max_chunks=MAILING_CHUNKS_PER_TICK)

    # --- messages -------------------------------------------------------------------------
    @rpc
    def list_messages(self, filters=None) -> dict:
        """Messages the caller may see, newest first, by ``partner_id``, ``user_id``, ``kind``,
        ``status``; ``{"items"}`` (at most ``limit`` <= 500)."""
        return messages.list_messages(self.db.session, self.actor, filters)

    @rpc
    def get_message(self, message_id) -> dict:
        """One message with its status, attempts, provider id and error. NotFound also when the
        caller may not see it."""
        return messages.get_message(self.db.session, self.actor, message_id)

    @rpc
    def card_section(self, partner_id) -> dict:
        """What the client card shows from notifications (GATEWAY_CARD_SECTIONS): the last
        messages to the client with their states, and how many are queued, sent, failed."""
        return messages.card_section(self.db.session, self.actor, uuid_arg(partner_id, "partner_id"))

    @timer(interval=SEND_INTERVAL_S)
    def send_due(self) -> dict:
        """Every NOTIFICATIONS_SEND_INTERVAL_S seconds: due messages go out over SMTP; each ends
        sent (``message_sent``), queued again (a 4xx, or the server unreachable: nothing lost),
        failed for good (a 5xx, or the last attempt: ``message_failed``; 550/551/553 to RCPT
        suppresses the address as a hard bounce) or suppressed (its address may not be written
        to: ``message_failed``)."""
        return sending.send_due(self.db, self.smtp, RETRY_POLICY, OUTAGE_BACKOFF, batch=SEND_BATCH)

    # --- notification kinds: the events that make messages ---------------------------------
    @handles(deal_events.INVOICE_OVERDUE)
    def on_invoice_overdue(self, event) -> dict:
        """A debt notice to the client's billing address (its accountant, else its main email)."""
        return notifying.notify(self.db, kinds.INVOICE_OVERDUE, event)

    @handles(deal_events.DEAL_STUCK)
    def on_deal_stuck(self, event) -> dict:
        """The deal's manager hears that it stayed in its stage past the limit."""
        return notifying.notify(self.db, kinds.DEAL_STUCK, event)

    @handles(interaction_events.REMINDER_DUE)
    def on_reminder_due(self, event) -> dict:
        """The responsible user gets the reminder."""
        return notifying.notify(self.db, kinds.REMINDER_DUE, event)

    @handles(interaction_events.CALL_MISSED)
    def on_call_missed(self, event) -> dict:
        """The assignee of a missed incoming call's call-back task hears of it."""
        return notifying.notify(self.db, kinds.CALL_MISSED, event)

    # --- the recipients copy: partners' events ---------------------------------------------
    @replays(partner_events.PARTNER_SNAPSHOT)
    def apply_partner_snapshots(self, records) -> dict:
        """Every partner as the partners service holds it, replayed once when this service first
        starts: the copy knows the partners registered before it ran."""
        return {"applied": recipients.partners_replayed(self.db, records)}

    @handles(partner_events.PARTNER_REGISTERED)
    def on_partner_registered(self, event) -> None:
        """A new partner with its contacts joins the copy."""
        recipients.partner_told(self.db, event)

    @handles(partner_events.PARTNER_UPDATED)
    def on_partner_updated(self, event) -> None:
        """A partner's names, addresses and contacts as they are now."""
        recipients.partner_told(self.db, event)

    @handles(partner_events.PARTNER_ARCHIVED)
    def on_partner_archived(self, event) -> None:
        """An archived partner stays (its debts still get notices), marked archived."""
        recipients.partner_told(self.db, event)

    @handles(partner_events.PARTNER_UNARCHIVED)
    def on_partner_unarchived(self, event) -> None:
        """A partner back from the archive."""
        recipients.partner_told(self.db, event)

    @handles(partner_events.PARTNERS_MERGED)
    def on_partners_merged(self, event) -> None:
        """The merged partner points at the survivor, which is as the event tells."""
        recipients.partners_merged(self.db, event)

    @handles_batch(partner_events.PARTNER_REASSIGNED, queue="notifications.partner_reassigned")
    def on_partner_reassigned(self, events) -> dict:
        """Partners got another manager (alone, or a whole base: taken in batches)."""
        return {"applied": recipients.partner_reassigned(self.db, events)}

    @handles(partner_events.CONTACT_ADDED)
    def on_contact_added(self, event) -> None:
        """A contact person joins the copy."""
        recipients.contact_told(self.db, event)

    @handles(partner_events.CONTACT_UPDATED)
    def on_contact_updated(self, event) -> None:
        """A contact person as they are now."""
        recipients.contact_told(self.db, event)

    @handles(partner_events.CONTACT_REMOVED)
    def on_contact_removed(self, event) -> None:
        """A contact person is gone (a tombstone)."""
        recipients.contact_removed(self.db, event)
