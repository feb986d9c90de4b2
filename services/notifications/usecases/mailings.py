"""Mailing groups and mailings (campaigns), and the fan-out that turns a mailing into messages.

Groups and mailings are owned like the other services' records (crm_kit.access): made by a
manager for themself or their regions, seen by whoever sees them. A static group's members must
exist in the recipients copy and be seen by its maker.

The fan-out (a timer): a scheduled mailing that is due starts ``sending``; then chunk after chunk
of the group's partners (in id order, from the mailing's ``cursor``) becomes messages, one per
address subscribed to the mailing's topic and not suppressed, each unique per (mailing, address,
channel). A chunk's messages and the advanced cursor commit together: a crash mid-fan-out resumes
at the chunk it was on, and a chunk done twice makes nothing twice. Once every partner is done
and no message of it is waiting, the mailing is ``sent``. The sender checks each letter again
before it goes (an address that unsubscribed meanwhile gets nothing).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from crm_kit.access import RowAccess
from crm_kit.actor import Actor
from crm_kit.clock import utcnow
from crm_kit.db import UnitOfWork, upsert
from crm_kit.errors import PreconditionFailed
from crm_kit.models import new_id
from crm_kit.validation import field_errors, load, uuid_arg
from services.notifications import views
from services.notifications.domain import consent, groups
from services.notifications.domain.kinds import COMMON
from services.notifications.domain.templates import TemplateProblem, render
from services.notifications.models import (
    Mailing,
    MailingGroup,
    Message,
    RecipientContact,
    RecipientPartner,
    Subscription,
    Suppression,
    Template,
)
from services.notifications.schemas import GroupPayload, MailingFilters, MailingPayload, ScheduleMailing
from services.notifications.usecases.messages import PARTNERS
from services.notifications.usecases.templates import text_of

log = logging.getLogger(__name__)

GROUPS = RowAccess(MailingGroup, "group", owner=MailingGroup.manager_id, region=MailingGroup.region, department=MailingGroup.department)
MAILINGS = RowAccess(Mailing, "mailing", owner=Mailing.manager_id, region=Mailing.region, department=Mailing.department)
MAILING_KIND = "mailing"


# --- groups ---------------------------------------------------------------------------------
def create_group(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """A mailing group. Refuses (ValidationError naming the field) a dynamic group without
    conditions or with one on an unknown field, a static one without members or with a partner
    or contact the caller does not see."""
    data = load(GroupPayload(), payload, what="group")
    session = uow.session
    members, conditions = {"partner_ids": [], "contact_ids": []}, []
    if data["kind"] == groups.DYNAMIC:
        if data["members"]:
            field_errors({"members": ["a dynamic group has conditions, not members"]}, "group")
        field_errors(groups.condition_problems(data["conditions"]), "group")
        conditions = data["conditions"]
    else:
        if data["conditions"]:
            field_errors({"conditions": ["a static group has members, not conditions"]}, "group")
        chosen = data["members"] or {"partner_ids": [], "contact_ids": []}
        # In the caller's order (a refusal names the index it gave), each once.
        members = {key: list(dict.fromkeys(str(value) for value in chosen[key])) for key in ("partner_ids", "contact_ids")}
        if not members["partner_ids"] and not members["contact_ids"]:
            field_errors({"members": ["a static group needs at least one partner or contact"]}, "group")
        _check_members(session, actor, members)
    owner = {"manager_id": None, "region": data["region"], "department": data["department"]}
    GROUPS.assign_owner(actor, owner, "create mailing groups")
    row = MailingGroup(name=data["name"], kind=data["kind"], members=members, conditions=conditions, created_by=actor.user_id, **owner)
    session.add(row)
    session.flush()
    return views.mailing_group(row)


def _check_members(session, actor: Actor, members: dict[str, list[str]]) -> None:
    problems: dict[str, list[str]] = {}
    seen = {
        row.id: row
        for row in session.scalars(select(RecipientPartner).where(RecipientPartner.id.in_(members["partner_ids"]), PARTNERS.visible(actor)))
    }
    for index, partner_id in enumerate(members["partner_ids"]):
        if partner_id not in seen:
            problems[f"members.partner_ids.{index}"] = [f"partner {partner_id} not found"]
    contacts = {row.id: row for row in session.scalars(select(RecipientContact).where(RecipientContact.id.in_(members["contact_ids"])))}
    visible = set(
        session.scalars(
            select(RecipientPartner.id).where(RecipientPartner.id.in_({c.partner_id for c in contacts.values()}), PARTNERS.visible(actor))
        )
    )
    for index, contact_id in enumerate(members["contact_ids"]):
        contact = contacts.get(contact_id)
        if contact is None or contact.status != "active" or contact.partner_id not in visible:
            problems[f"members.contact_ids.{index}"] = [f"contact {contact_id} not found"]
    field_errors(problems, "group")


def get_group(session, actor: Actor, group_id: Any) -> dict[str, Any]:
    return views.mailing_group(GROUPS.for_read(session, actor, uuid_arg(group_id, "group_id")))


def list_groups(session, actor: Actor) -> list[dict[str, Any]]:
    query = select(MailingGroup).where(GROUPS.visible(actor)).order_by(MailingGroup.created_at.desc(), MailingGroup.id).limit(500)
    return [views.mailing_group(row) for row in session.scalars(query)]


def delete_group(uow: UnitOfWork, actor: Actor, group_id: Any) -> dict[str, Any]:
    """Delete a group no mailing uses (PreconditionFailed naming them)."""
    row = GROUPS.for_change(uow.session, actor, uuid_arg(group_id, "group_id"))
    using = list(uow.session.scalars(select(Mailing.id).where(Mailing.group_id == row.id).limit(20)))
    if using:
        raise PreconditionFailed(f"mailings use group {row.id}", {"group_id": row.id, "mailing_ids": using})
    uow.session.delete(row)
    uow.session.flush()
    return {"group_id": row.id, "deleted": True}


def _group_partners(session, group: MailingGroup, cursor: str | None, limit: int) -> tuple[list[RecipientPartner], list[str]]:
    """Of the next ``limit`` partners of the copy after ``cursor`` (in id order, the scalar
    conditions in SQL), those the group reaches (a partner's kinds checked here), and the ids
    of all that were scanned."""
    query = select(RecipientPartner).where(RecipientPartner.status != "merged").order_by(RecipientPartner.id).limit(limit)
    if cursor:
        query = query.where(RecipientPartner.id > cursor)
    if group.kind == groups.STATIC:
        contact_partners = select(RecipientContact.partner_id).where(RecipientContact.id.in_(group.members.get("contact_ids") or []))
        query = query.where(or_(RecipientPartner.id.in_(group.members.get("partner_ids") or []), RecipientPartner.id.in_(contact_partners)))
        rows = list(session.scalars(query))
        return rows, [row.id for row in rows]
    for condition in group.conditions:
        column_name = groups.FIELDS[condition["field"]]
        if column_name == "kinds":
            continue
        column = getattr(RecipientPartner, column_name)
        if condition["op"] in ("eq", "in"):
            query = query.where(column.in_(condition["values"]))
        else:
            query = query.where(or_(column.is_(None), column.not_in(condition["values"])))
    scanned = list(session.scalars(query))
    return [row for row in scanned if groups.matches(group.conditions, _columns(row))], [row.id for row in scanned]


def _columns(row: RecipientPartner) -> dict[str, Any]:
    return {name: getattr(row, name) for name in groups.FIELDS.values()}


def preview_group(session, actor: Actor, group_id: Any, limit: int = 100_000) -> dict[str, Any]:
    """How many partners and addresses a group reaches now (before consent)."""
    group = GROUPS.for_read(session, actor, uuid_arg(group_id, "group_id"))
    partners, _ = _group_partners(session, group, None, limit)
    addresses = {address for _, address, _, _ in _recipients(session, group, partners)}
    return {"group_id": group.id, "partners": len(partners), "addresses": len(addresses)}


Reached = tuple[RecipientPartner, str, str | None, str | None]


def _recipients(session, group: MailingGroup, partners: list[RecipientPartner]) -> list[Reached]:
    """``(partner, address, contact_id, name)`` of the partners' recipients, one per address."""
    ids = [row.id for row in partners]
    by_partner: dict[str, list[dict[str, Any]]] = {}
    for contact in session.scalars(select(RecipientContact).where(RecipientContact.partner_id.in_(ids)).order_by(RecipientContact.id)):
        by_partner.setdefault(contact.partner_id, []).append(
            {"id": contact.id, "status": contact.status, "emails": contact.emails, "full_name": contact.full_name}
        )
    chosen_partners = set(group.members.get("partner_ids") or []) if group.kind == groups.STATIC else None
    chosen_contacts = set(group.members.get("contact_ids") or []) if group.kind == groups.STATIC else None
    found, seen = [], set()
    for partner in partners:
        only = None if chosen_partners is None or partner.id in chosen_partners else chosen_contacts
        view = {"emails": partner.emails, "short_name": partner.short_name}
        for address, contact_id, name in groups.addresses_of(view, by_partner.get(partner.id, []), only):
            address = consent.normalized(address)
            if address not in seen:
                seen.add(address)
                found.append((partner, address, contact_id, name))
    return found


# --- mailings -------------------------------------------------------------------------------
def _template(session, code: str) -> Template:
    template = session.scalar(
        select(Template).where(Template.code == code, Template.channel == "email").order_by(Template.version.desc()).limit(1)
    )
    if template is None:
        field_errors({"template_code": [f"no email template {code!r}"]}, "mailing")
    extra = sorted(set(template.variables or ()) - set(COMMON))
    if extra:
        problem = f"a mailing's template may use only {', '.join(COMMON)}; it declares {', '.join(extra)}"
        field_errors({"template_code": [problem]}, "mailing")
    return template


def create_mailing(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """A mailing (a draft, or scheduled when ``scheduled_at`` is given) of the newest version of
    an email template to a group the caller sees, for subscribers of ``topic``."""
    data = load(MailingPayload(), payload, what="mailing")
    session = uow.session
    group = session.get(MailingGroup, str(data["group_id"]))
    if group is None or not GROUPS.sees(actor, group):
        field_errors({"group_id": [f"group {data['group_id']} not found"]}, "mailing")
    template = _template(session, data["template_code"])
    owner = {"manager_id": None, "region": group.region, "department": group.department}
    MAILINGS.assign_owner(actor, owner, "create mailings")
    row = Mailing(
        name=data["name"],
        topic=data["topic"],
        template_code=template.code,
        template_version=template.version,
        group_id=group.id,
        status=groups.SCHEDULED if data["scheduled_at"] else groups.DRAFT,
        scheduled_at=data["scheduled_at"],
        cursor=None,
        fanned_out=False,
        created_by=actor.user_id,
        **owner,
    )
    session.add(row)
    session.flush()
    return mailing_view(session, row)


def schedule_mailing(uow: UnitOfWork, actor: Actor, mailing_id: Any, payload: Any) -> dict[str, Any]:
    """Schedule a draft (or move a scheduled mailing) to ``scheduled_at`` (default: now)."""
    data = load(ScheduleMailing(), payload or {}, what="schedule")
    row = MAILINGS.for_change(uow.session, actor, uuid_arg(mailing_id, "mailing_id"))
    if row.status not in groups.MAY_SCHEDULE:
        raise PreconditionFailed(f"mailing {row.id} is {row.status}", {"mailing_id": row.id, "status": row.status})
    row.status, row.scheduled_at = groups.SCHEDULED, data["scheduled_at"] or utcnow()
    uow.session.flush()
    return mailing_view(uow.session, row)


def cancel_mailing(uow: UnitOfWork, actor: Actor, mailing_id: Any) -> dict[str, Any]:
    """Cancel a mailing not yet sent: its messages not yet taken by the sender are cancelled."""
    row = MAILINGS.for_change(uow.session, actor, uuid_arg(mailing_id, "mailing_id"))
    if row.status not in groups.MAY_CANCEL:
        raise PreconditionFailed(f"mailing {row.id} is {row.status}", {"mailing_id": row.id, "status": row.status})
    now = utcnow()
    row.status, row.cancelled_at = groups.CANCELLED, now
    uow.session.execute(
        update(Message)
        .where(Message.mailing_id == row.id, Message.status == "queued")
        .values(status="cancelled", next_attempt_at=None, updated_at=now)
    )
    uow.session.flush()
    return mailing_view(uow.session, row)


def get_mailing(session, actor: Actor, mailing_id: Any) -> dict[str, Any]:
    """A mailing with its counters."""
    return mailing_view(session, MAILINGS.for_read(session, actor, uuid_arg(mailing_id, "mailing_id")))


def list_mailings(session, actor: Actor, filters: Any) -> dict[str, Any]:
    data = load(MailingFilters(), filters or {}, what="filters")
    query = select(Mailing).where(MAILINGS.visible(actor)).order_by(Mailing.created_at.desc(), Mailing.id).limit(data["limit"])
    if data["status"]:
        query = query.where(Mailing.status == data["status"])
    if data["group_id"]:
        query = query.where(Mailing.group_id == data["group_id"])
    return {"items": [mailing_view(session, row) for row in session.scalars(query)]}


def counters(session, row: Mailing) -> dict[str, int]:
    """queued (waiting or being sent), sent, failed, bounced, suppressed (refused by consent at
    send time), cancelled, unsubscribed (by recipients of it, after it was queued to them)."""
    statuses = select(Message.status, func.count()).where(Message.mailing_id == row.id).group_by(Message.status)
    by_status = dict(session.execute(statuses).all())
    unsubscribed = session.scalar(
        select(func.count())
        .select_from(Message)
        .join(Subscription, and_(Subscription.address == Message.address, Subscription.topic == row.topic))
        .where(
            Message.mailing_id == row.id,
            Subscription.status == consent.UNSUBSCRIBED,
            Subscription.unsubscribed_at >= Message.created_at,
        )
    )
    return {
        "queued": by_status.get("queued", 0) + by_status.get("sending", 0),
        "sent": by_status.get("sent", 0),
        "failed": by_status.get("failed", 0),
        "bounced": by_status.get("bounced", 0),
        "suppressed": by_status.get("suppressed", 0),
        "cancelled": by_status.get("cancelled", 0),
        "unsubscribed": unsubscribed or 0,
    }


def mailing_view(session, row: Mailing) -> dict[str, Any]:
    return {**views.mailing(row), "counters": counters(session, row)}


# --- the fan-out ----------------------------------------------------------------------------
def fan_out(uow: UnitOfWork, *, chunk: int = 1000, max_chunks: int = 10) -> dict[str, int]:
    """One tick: due scheduled mailings start; up to ``max_chunks`` chunks of ``chunk`` partners
    become messages (each chunk committed with its cursor); mailings fully fanned out with
    nothing left waiting are sent. Answers what it did."""
    session, now = uow.session, utcnow()
    done = {"started": 0, "chunks": 0, "queued": 0, "finished": 0}
    for row in session.scalars(
        select(Mailing).where(Mailing.status == groups.SCHEDULED, Mailing.scheduled_at <= now).with_for_update(skip_locked=True)
    ):
        row.status, row.started_at = groups.SENDING, now
        done["started"] += 1
    uow.commit()
    for _ in range(max_chunks):
        row = session.scalar(
            select(Mailing)
            .where(Mailing.status == groups.SENDING, Mailing.fanned_out.is_(False))
            .order_by(Mailing.started_at, Mailing.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if row is None:
            break
        done["queued"] += fan_out_chunk(session, row, chunk, utcnow())
        done["chunks"] += 1
        uow.commit()
    for row in session.scalars(
        select(Mailing).where(Mailing.status == groups.SENDING, Mailing.fanned_out.is_(True)).with_for_update(skip_locked=True)
    ):
        waiting = session.scalar(
            select(func.count()).select_from(Message).where(Message.mailing_id == row.id, Message.status.in_(("queued", "sending")))
        )
        if not waiting:
            row.status, row.finished_at = groups.SENT, utcnow()
            done["finished"] += 1
    uow.commit()
    return done


def fan_out_chunk(session, row: Mailing, chunk: int, now: datetime) -> int:
    """The next chunk of a sending mailing's partners become its messages; the cursor moves on
    (the caller commits both at once). Answers how many messages were queued."""
    group = session.get(MailingGroup, row.group_id)
    template = session.scalar(
        select(Template).where(Template.code == row.template_code, Template.channel == "email", Template.version == row.template_version)
    )
    if group is None or template is None:
        log.warning("mailing %s: its group or template is gone; cancelled", row.id)
        row.status, row.cancelled_at = groups.CANCELLED, now
        return 0
    partners, scanned = _group_partners(session, group, row.cursor, chunk)
    recipients = _recipients(session, group, partners)
    allowed = _consenting(session, row.topic, [address for _, address, _, _ in recipients])
    queued = 0
    for partner, address, contact_id, name in recipients:
        if address not in allowed:
            continue
        error = None
        try:
            rendered = render(text_of(template), {"partner_name": partner.short_name or "", "recipient_name": name or ""})
        except TemplateProblem as exc:  # visible on the message, as a notification's is
            log.warning("mailing %s to %s cannot render: %s", row.id, address, exc)
            rendered, error = {"text": None}, f"template {template.code} v{template.version} cannot render: {exc}"
        message = {
            "id": new_id(), "kind": MAILING_KIND, "event_id": row.id, "recipient": recipient_key(address), "channel": "email",
            "address": address, "partner_id": partner.id, "contact_id": contact_id, "template_code": template.code,
            "template_version": template.version, "subject": rendered.get("subject"), "body_text": rendered["text"],
            "body_html": rendered.get("html"), "status": "queued", "attempts": 0, "next_attempt_at": now, "created_at": now,
            "updated_at": now, "topic": row.topic, "mailing_id": row.id,
        }  # fmt: skip
        if error:
            message.update(status="failed", error=error, next_attempt_at=None)
        inserted = session.execute(
            upsert(session, Message.__table__)
            .values(**message)
            .on_conflict_do_nothing(index_elements=["event_id", "recipient", "channel"])
            .returning(Message.__table__.c.id)
        ).first()
        queued += inserted is not None
    if scanned:
        row.cursor = scanned[-1]
    if len(scanned) < chunk:
        row.fanned_out = True
    session.flush()
    return queued


def recipient_key(address: str) -> str:
    """A mailing's message is unique per address (however many contacts share it); a long
    address is keyed by its hash, to fit the column."""
    key = f"address:{address}"
    return key if len(key) <= 120 else f"address-sha256:{hashlib.sha256(address.encode()).hexdigest()}"


def _consenting(session, topic: str, addresses: list[str]) -> set[str]:
    """Of ``addresses``, those subscribed to ``topic`` and on no suppression list."""
    if not addresses:
        return set()
    suppressed = set(session.scalars(select(Suppression.address).where(Suppression.address.in_(addresses))))
    subscribed = set(
        session.scalars(
            select(Subscription.address).where(
                Subscription.address.in_(addresses), Subscription.topic == topic, Subscription.status == consent.SUBSCRIBED
            )
        )
    )
    return {address for address in addresses if address in subscribed and address not in suppressed}
