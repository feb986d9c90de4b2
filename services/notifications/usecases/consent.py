"""Subscriptions with consent, the suppression list, the signed unsubscribe link, and the check
every message passes before it is sent (domain/consent.py holds the rule).

Access: an address tied to a partner (``partner_id``) is recorded and read by whoever sees the
partner in the service's copy (the kit's row-access rule); an address of no partner, and the
suppression list, by administrators and heads of sales (and services). The unsubscribe link
needs no login: its token is the proof.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import or_, select

from crm_kit.access import SALES_HEADS, require_role
from crm_kit.actor import Actor
from crm_kit.clock import utcnow
from crm_kit.db import UnitOfWork, upsert
from crm_kit.errors import NotFound, ValidationError
from crm_kit.trust import internal_key
from crm_kit.validation import load
from crm_kit.views import iso
from services.notifications import views
from services.notifications.domain import consent
from services.notifications.models import Message, RecipientContact, RecipientPartner, Subscription, Suppression
from services.notifications.schemas import (
    SubscribePayload,
    SubscriptionFilters,
    SuppressionFilters,
    SuppressPayload,
    UnsubscribePayload,
    UnsuppressPayload,
)
from services.notifications.usecases.messages import PARTNERS

log = logging.getLogger(__name__)


def _may_touch(session, actor: Actor, partner_id: str | None, what: str) -> None:
    if partner_id is None:
        if not actor.is_service:
            require_role(actor, SALES_HEADS, f"{what} an address of no partner")
        return
    PARTNERS.for_read(session, actor, partner_id)


def subscribe(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """Record an address's consent to a topic (again: the consent is renewed)."""
    data = load(SubscribePayload(), payload, what="subscription")
    session = uow.session
    _may_touch(session, actor, data["partner_id"], "subscribe")
    if data["contact_id"]:
        contact = session.get(RecipientContact, data["contact_id"])
        if contact is None or contact.partner_id != data["partner_id"] or contact.status != "active":
            raise ValidationError(
                "contact_id: not an active contact of the partner", {"contact_id": ["not an active contact of partner_id"]}
            )
    now = utcnow()
    address = consent.normalized(data["address"])
    row = session.scalar(select(Subscription).where(Subscription.address == address, Subscription.topic == data["topic"]).with_for_update())
    if row is None:
        row = Subscription(address=address, topic=data["topic"], channel="email")
        session.add(row)
    row.status = consent.SUBSCRIBED
    row.partner_id, row.contact_id = data["partner_id"] or row.partner_id, data["contact_id"] or row.contact_id
    row.consent_at, row.consent_source = data["consent_at"] or now, data["source"]
    row.consent_by, row.consent_note = actor.user_id, data["note"]
    row.unsubscribed_at = row.unsubscribe_source = None
    session.flush()
    return views.subscription(row)


def _unsubscribe(session, address: str, topic: str, source: str) -> Subscription | None:
    row = session.scalar(select(Subscription).where(Subscription.address == address, Subscription.topic == topic).with_for_update())
    if row is not None and row.status != consent.UNSUBSCRIBED:
        row.status, row.unsubscribed_at, row.unsubscribe_source = consent.UNSUBSCRIBED, utcnow(), source
        session.flush()
    return row


def unsubscribe(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """Record an unsubscribe staff were told of (a call, a letter). NotFound: no such
    subscription, or one the caller may not see."""
    data = load(UnsubscribePayload(), payload, what="unsubscribe")
    session = uow.session
    address = consent.normalized(data["address"])
    row = session.scalar(select(Subscription).where(Subscription.address == address, Subscription.topic == data["topic"]))
    if row is None:
        raise NotFound(f"{address} has no subscription to {data['topic']}", {"address": address, "topic": data["topic"]})
    _may_touch(session, actor, row.partner_id, "unsubscribe")
    return views.subscription(_unsubscribe(session, address, data["topic"], data["source"]))


def unsubscribe_by_token(uow: UnitOfWork, token: Any) -> dict[str, Any]:
    """The one-click unsubscribe (RFC 8058): the token of a letter's link unsubscribes its
    address from its topic; again, it changes nothing. ValidationError on ``token`` when it is
    not genuine."""
    try:
        address, topic = consent.read_token(internal_key(), token)
    except consent.BadToken as exc:
        raise ValidationError(f"token: {exc}", {"token": [str(exc)]}) from exc
    row = _unsubscribe(uow.session, address, topic, "link")
    log.info("unsubscribed %s from %s by link", address, topic)
    unsubscribed_at = iso(row.unsubscribed_at) if row else None
    return {"address": address, "topic": topic, "status": consent.UNSUBSCRIBED, "unsubscribed_at": unsubscribed_at}


def list_subscriptions(session, actor: Actor, filters: Any) -> dict[str, Any]:
    """Subscriptions the caller may see (by ``address``, ``partner_id``, ``topic``, ``status``)."""
    data = load(SubscriptionFilters(), filters or {}, what="filters")
    query = select(Subscription).order_by(Subscription.updated_at.desc(), Subscription.id).limit(data["limit"])
    if not (actor.is_admin or actor.is_service):
        visible = Subscription.partner_id.in_(select(RecipientPartner.id).where(PARTNERS.visible(actor)))
        query = query.where(or_(visible, Subscription.partner_id.is_(None)) if set(SALES_HEADS) & set(actor.roles) else visible)
    if data["address"]:
        query = query.where(Subscription.address == consent.normalized(data["address"]))
    for name in ("partner_id", "topic", "status"):
        if data[name]:
            query = query.where(getattr(Subscription, name) == data[name])
    return {"items": [views.subscription(row) for row in session.scalars(query)]}


def suppress(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """Put an address on the suppression list for a reason (again: the detail is updated)."""
    if not actor.is_service:
        require_role(actor, SALES_HEADS, "change the suppression list")
    data = load(SuppressPayload(), payload, what="suppression")
    return add_suppression(uow.session, data["address"], data["reason"], data["detail"], actor.user_id)


def add_suppression(session, address: str, reason: str, detail: str | None, by: str | None) -> dict[str, Any]:
    values = {"address": consent.normalized(address), "reason": reason, "detail": detail, "created_at": utcnow(), "created_by": by}
    session.execute(
        upsert(session, Suppression.__table__)
        .values(**values)
        .on_conflict_do_update(index_elements=["address", "reason"], set_={"detail": detail})
    )
    return views.suppression(session.get(Suppression, (values["address"], reason), populate_existing=True))


def unsuppress(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """Take an address off the suppression list for a reason. NotFound when it is not on it."""
    if not actor.is_service:
        require_role(actor, SALES_HEADS, "change the suppression list")
    data = load(UnsuppressPayload(), payload, what="suppression")
    row = uow.session.get(Suppression, (consent.normalized(data["address"]), data["reason"]))
    if row is None:
        raise NotFound(f"{data['address']} is not suppressed for {data['reason']}", {"address": data["address"], "reason": data["reason"]})
    uow.session.delete(row)
    uow.session.flush()
    return {"address": row.address, "reason": row.reason, "removed": True}


def list_suppressions(session, actor: Actor, filters: Any) -> dict[str, Any]:
    if not actor.is_service:
        require_role(actor, SALES_HEADS, "read the suppression list")
    data = load(SuppressionFilters(), filters or {}, what="filters")
    query = select(Suppression).order_by(Suppression.created_at.desc(), Suppression.address).limit(data["limit"])
    if data["address"]:
        query = query.where(Suppression.address == consent.normalized(data["address"]))
    if data["reason"]:
        query = query.where(Suppression.reason == data["reason"])
    return {"items": [views.suppression(row) for row in session.scalars(query)]}


def refusals(session, rows: list[Message]) -> dict[str, str]:
    """Of messages about to be sent, those that may not be, by id, with why (one query each
    for the suppressions and the subscriptions of their addresses)."""
    addresses = {consent.normalized(row.address) for row in rows if row.address}
    if not addresses:
        return {}
    suppressed: dict[str, set[str]] = {}
    for address, reason in session.execute(select(Suppression.address, Suppression.reason).where(Suppression.address.in_(addresses))):
        suppressed.setdefault(address, set()).add(reason)
    topics = {row.topic for row in rows if row.topic}
    subscribed: dict[tuple[str, str], str] = {}
    if topics:
        for address, topic, status in session.execute(
            select(Subscription.address, Subscription.topic, Subscription.status).where(
                Subscription.address.in_(addresses), Subscription.topic.in_(topics)
            )
        ):
            subscribed[(address, topic)] = status
    answer = {}
    for row in rows:
        if not row.address:
            continue
        address = consent.normalized(row.address)
        reason = consent.refusal(row.topic, suppressed.get(address, ()), subscribed.get((address, row.topic or "")))
        if reason:
            answer[row.id] = reason
    return answer
