"""What the notifications service's RPCs answer (JSON values)."""

from __future__ import annotations

from typing import Any

from crm_kit.views import iso
from services.notifications.models import Mailing, MailingGroup, Message, StaffContact, Subscription, Suppression, Template


def template(row: Template) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "channel": row.channel,
        "version": row.version,
        "name": row.name,
        "variables": list(row.variables or []),
        "subject": row.subject,
        "text": row.text,
        "html": row.html,
        "created_at": iso(row.created_at),
        "created_by": row.created_by,
    }


def message(row: Message) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "event_id": row.event_id,
        "recipient": row.recipient,
        "channel": row.channel,
        "address": row.address,
        "partner_id": row.partner_id,
        "contact_id": row.contact_id,
        "user_id": row.user_id,
        "template_code": row.template_code,
        "template_version": row.template_version,
        "subject": row.subject,
        "text": row.body_text,
        "html": row.body_html,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": iso(row.next_attempt_at),
        "provider_id": row.provider_id,
        "error": row.error,
        "created_at": iso(row.created_at),
        "sent_at": iso(row.sent_at),
        "topic": row.topic,
        "mailing_id": row.mailing_id,
    }


def staff_contact(row: StaffContact) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "full_name": row.full_name,
        "email": row.email,
        "phone": row.phone,
        "updated_at": iso(row.updated_at),
        "updated_by": row.updated_by,
    }


def subscription(row: Subscription) -> dict[str, Any]:
    return {
        "id": row.id,
        "address": row.address,
        "topic": row.topic,
        "channel": row.channel,
        "status": row.status,
        "partner_id": row.partner_id,
        "contact_id": row.contact_id,
        "consent_at": iso(row.consent_at),
        "consent_source": row.consent_source,
        "consent_by": row.consent_by,
        "consent_note": row.consent_note,
        "unsubscribed_at": iso(row.unsubscribed_at),
        "unsubscribe_source": row.unsubscribe_source,
    }


def suppression(row: Suppression) -> dict[str, Any]:
    return {
        "address": row.address,
        "reason": row.reason,
        "detail": row.detail,
        "created_at": iso(row.created_at),
        "created_by": row.created_by,
    }


def mailing_group(row: MailingGroup) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "members": {
            "partner_ids": list((row.members or {}).get("partner_ids") or []),
            "contact_ids": list((row.members or {}).get("contact_ids") or []),
        },
        "conditions": [dict(condition) for condition in row.conditions or []],
        "manager_id": row.manager_id,
        "region": row.region,
        "department": row.department,
        "created_at": iso(row.created_at),
        "created_by": row.created_by,
    }


def mailing(row: Mailing) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "topic": row.topic,
        "template_code": row.template_code,
        "template_version": row.template_version,
        "group_id": row.group_id,
        "status": row.status,
        "scheduled_at": iso(row.scheduled_at),
        "started_at": iso(row.started_at),
        "finished_at": iso(row.finished_at),
        "cancelled_at": iso(row.cancelled_at),
        "manager_id": row.manager_id,
        "region": row.region,
        "department": row.department,
        "created_at": iso(row.created_at),
        "created_by": row.created_by,
    }
