"""The kinds of interaction, what each must say, and what an interaction can be about.

- ``meeting``: planned with a time (``planned_at``) and a place, then its ``outcome``;
- ``planned``: a planned interaction (a call or visit to make), with ``planned_at``;
- ``call``: a phone call, ``direction`` incoming or outgoing, the numbers, ``duration_s`` and a
  link to the recording;
- ``email``: subject, body, from, to and the thread it belongs to.

The subject is a partner, a deal or a claim (``subject_kind`` + ``subject_id``); links created
from an interaction are a contact, a deal or a claim.
"""

from __future__ import annotations

from typing import Any

from crm_kit.errors import ValidationError

MEETING, PLANNED, CALL, EMAIL = "meeting", "planned", "call", "email"
KINDS = (MEETING, PLANNED, CALL, EMAIL)

INCOMING, OUTGOING = "incoming", "outgoing"
DIRECTIONS = (INCOMING, OUTGOING)

PARTNER, DEAL, CLAIM = "partner", "deal", "claim"
SUBJECT_KINDS = (PARTNER, DEAL, CLAIM)

CONTACT = "contact"
CREATED_KINDS = (CONTACT, DEAL, CLAIM)
"""What can be created from an interaction (by its own service) and linked back."""

CREATED_FIELDS = {CONTACT: "created_contact_id", DEAL: "created_deal_id", CLAIM: "created_claim_id"}

# What each kind must carry, beyond the common fields.
REQUIRED = {
    MEETING: ("planned_at", "place"),
    PLANNED: ("planned_at",),
    CALL: ("direction",),
    EMAIL: ("email_subject", "email_from", "email_to"),
}

# Fields that belong to one kind only: giving them to another kind is a mistake worth naming.
KIND_FIELDS = {
    "place": (MEETING, PLANNED),
    "direction": (CALL,),
    "from_number": (CALL,),
    "to_number": (CALL,),
    "duration_s": (CALL,),
    "recording_url": (CALL,),
    "email_subject": (EMAIL,),
    "body": (EMAIL,),
    "email_from": (EMAIL,),
    "email_to": (EMAIL,),
    "thread_id": (EMAIL,),
}


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def check_kind_fields(kind: str, data: dict[str, Any]) -> None:
    """Refuses (one ValidationError naming every field) a field the kind needs but lacks, and a
    field of another kind."""
    errors: dict[str, list[str]] = {}
    for field in REQUIRED.get(kind, ()):
        if _blank(data.get(field)):
            errors[field] = [f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} needs {field}"]
    for field, kinds in KIND_FIELDS.items():
        if kind not in kinds and not _blank(data.get(field)):
            errors[field] = [f"only a {' or '.join(kinds)} has {field}"]
    if errors:
        summary = "; ".join(f"{f}: {' '.join(m)}" for f, m in sorted(errors.items()))
        raise ValidationError(f"invalid interaction: {summary}", errors)


def partner_of_subject(subject_kind: str, subject_id: str, partner_id: str | None) -> str | None:
    """The partner an interaction is with: the subject itself when it is a partner, otherwise
    the ``partner_id`` given (a deal's or claim's partner, as the caller knows it)."""
    if subject_kind == PARTNER:
        if partner_id and partner_id != subject_id:
            raise ValidationError.for_field("partner_id", "differs from the subject partner")
        return subject_id
    return partner_id


def is_text_only(participant: dict[str, Any]) -> bool:
    """A participant named only by free text: no partner, contact or user link yet."""
    return not (participant.get("partner_id") or participant.get("contact_id") or participant.get("user_id"))
