"""What the interactions service answers with: plain functions from records to JSON values
(they run on every read), times as ISO text."""

from __future__ import annotations

from typing import Any

from crm_kit import reads
from crm_kit.views import iso
from services.interactions.models import Extension, Interaction, Participant, Task


def participant_view(p: Participant) -> dict[str, Any]:
    return {
        "id": p.id, "name": p.name, "phone": p.phone, "email": p.email, "partner_id": p.partner_id,
        "contact_id": p.contact_id, "user_id": p.user_id, "linked_by": p.linked_by,
    }


def interaction_summary(i: Interaction) -> dict[str, Any]:
    """What lists, calendars and the client card show."""
    return {
        "id": i.id, "kind": i.kind, "status": i.status, "title": i.title,
        "subject_kind": i.subject_kind, "subject_id": i.subject_id, "partner_id": i.partner_id,
        "chain_id": i.chain_id, "reply_to_id": i.reply_to_id, "planned_at": iso(i.planned_at),
        "occurred_at": iso(i.occurred_at), "completed_at": iso(i.completed_at),
        "responsible_id": i.responsible_id, "created_at": iso(i.created_at),
    }


def interaction_view(i: Interaction) -> dict[str, Any]:
    return {
        **interaction_summary(i),
        "follow_up_of_id": i.follow_up_of_id, "place": i.place, "outcome": i.outcome,
        "direction": i.direction, "from_number": i.from_number, "to_number": i.to_number,
        "duration_s": i.duration_s, "recording_url": i.recording_url,
        "email_subject": i.email_subject, "body": i.body, "email_from": i.email_from,
        "email_to": list(i.email_to or []), "thread_id": i.thread_id,
        "remind_at": iso(i.remind_at), "reminded_at": iso(i.reminded_at),
        "created_contact_id": i.created_contact_id, "created_deal_id": i.created_deal_id,
        "created_claim_id": i.created_claim_id, "region": i.region, "department": i.department,
        "created_by": i.created_by, "updated_at": iso(i.updated_at),
        "participants": [participant_view(p) for p in i.participants],
        **call_fields(i),
    }



def event_view(view: dict[str, Any]) -> dict[str, Any]:
    """What events carry of an interaction: its view without the e-mail body (personal text,
    and large) and the participants (``participants_linked`` tells of them)."""
    return {key: value for key, value in view.items() if key not in ("body", "participants")}

def call_fields(i: Interaction) -> dict[str, Any]:
    """What a call from the PBX adds (all null for other interactions)."""
    return {
        "call_id": i.call_id, "call_state": i.call_state, "answered_at": iso(i.answered_at),
        "ended_at": iso(i.ended_at), "extension": i.extension, "transfers": list(i.transfers or []),
        "external_number": i.external_number, "match_state": i.match_state,
    }


def call_summary(i: Interaction) -> dict[str, Any]:
    return {**interaction_summary(i), "direction": i.direction, "from_number": i.from_number,
            "to_number": i.to_number, "duration_s": i.duration_s, **call_fields(i)}


def task_view(t: Task) -> dict[str, Any]:
    return {
        "id": t.id, "kind": t.kind, "title": t.title, "status": t.status, "assignee_id": t.assignee_id,
        "partner_id": t.partner_id, "contact_id": t.contact_id, "interaction_id": t.interaction_id,
        "call_id": t.call_id, "phone": t.phone, "due_at": iso(t.due_at), "created_at": iso(t.created_at),
        "completed_at": iso(t.completed_at), "completed_by": t.completed_by, "note": t.note,
        "region": t.region, "department": t.department, "missed_count": t.missed_count,
        "last_missed_at": iso(t.last_missed_at), "closed_by_call_id": t.closed_by_call_id,
    }


def extension_view(e: Extension) -> dict[str, Any]:
    return {"extension": e.extension, "user_id": e.user_id, "region": e.region, "department": e.department,
            "updated_at": iso(e.updated_at), "updated_by": e.updated_by}


# --- the same views as SQL documents (crm_kit.reads), written by the database as the functions
# above write them: what the client card reads.
INTERACTION_SUMMARY = reads.record(
    id=Interaction.id, kind=Interaction.kind, status=Interaction.status, title=Interaction.title,
    subject_kind=Interaction.subject_kind, subject_id=Interaction.subject_id, partner_id=Interaction.partner_id,
    chain_id=Interaction.chain_id, reply_to_id=Interaction.reply_to_id, planned_at=Interaction.planned_at,
    occurred_at=Interaction.occurred_at, completed_at=Interaction.completed_at,
    responsible_id=Interaction.responsible_id, created_at=Interaction.created_at,
)
TASK = reads.record(
    id=Task.id, kind=Task.kind, title=Task.title, status=Task.status, assignee_id=Task.assignee_id,
    partner_id=Task.partner_id, contact_id=Task.contact_id, interaction_id=Task.interaction_id,
    call_id=Task.call_id, phone=Task.phone, due_at=Task.due_at, created_at=Task.created_at,
    completed_at=Task.completed_at, completed_by=Task.completed_by, note=Task.note,
    region=Task.region, department=Task.department, missed_count=Task.missed_count,
    last_missed_at=Task.last_missed_at, closed_by_call_id=Task.closed_by_call_id,
)
