"""Participants: adding them, linking a text-only one by hand, and linking text-only ones
automatically by phone through the partners service (``partners.find_by_phone``).

The partners service answers only about partners the calling actor may see. Email addresses are
not matched: the partners service offers no lookup by email yet, so a participant known only by
email stays unlinked until linked by hand.
"""

from __future__ import annotations

import logging
from typing import Any

from contracts import interactions as events
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork
from crm_kit.errors import NotFound, Unavailable, ValidationError
from crm_kit.validation import load
from services.interactions.domain import kinds as kind_rules
from services.interactions.models import Participant
from services.interactions.partners_client import Partners
from services.interactions.schemas import LinkIn, ParticipantIn
from services.interactions.usecases.about import about_interaction
from services.interactions.usecases.lookup import INTERACTIONS
from services.interactions.usecases.references import References
from services.interactions.views import interaction_view, participant_view

log = logging.getLogger(__name__)


def _linked_event(uow: UnitOfWork, interaction, linked: list[Participant]) -> None:
    uow.emit(events.PARTICIPANTS_LINKED, {
        **about_interaction(interaction),
        "linked": [
            {"participant_id": p.id, "partner_id": p.partner_id, "contact_id": p.contact_id,
             "user_id": p.user_id, "linked_by": p.linked_by}
            for p in linked
        ],
    })


def add_participant(uow: UnitOfWork, actor: Actor, interaction_id: str, payload: Any, *, partners: Any = None) -> dict[str, Any]:
    """Add a participant (free text and/or a link); answers the interaction. Refuses a partner
    or contact that does not exist or that the actor may not see (NotFound, references.py)."""
    data = load(ParticipantIn(), payload, what="participant")
    interaction = INTERACTIONS.for_change(uow.session, actor, interaction_id)
    References(uow.session, actor, partners).participant(data)
    position = max((p.position for p in interaction.participants), default=-1) + 1
    interaction.participants.append(Participant(
        position=position, linked_by=None if kind_rules.is_text_only(data) else "hand", **data,
    ))
    uow.session.flush()
    return interaction_view(interaction)


def link_participant(uow: UnitOfWork, actor: Actor, participant_id: str, payload: Any, *, partners: Any = None) -> dict[str, Any]:
    """Link a participant by hand to a partner, contact person or user; answers the participant.
    NotFound when the actor may not change its interaction, or may not see the partner or
    contact (references.py)."""
    data = load(LinkIn(), payload, what="link")
    participant = uow.session.get(Participant, participant_id)
    if participant is None:
        raise NotFound(f"participant {participant_id} not found", {"participant_id": participant_id})
    try:
        interaction = INTERACTIONS.for_change(uow.session, actor, participant.interaction_id)
    except NotFound:
        raise NotFound(f"participant {participant_id} not found", {"participant_id": participant_id}) from None
    References(uow.session, actor, partners).participant(data)
    for key, value in data.items():
        if value:
            setattr(participant, key, value)
    participant.linked_by = "hand"
    uow.session.flush()
    _linked_event(uow, interaction, [participant])
    return participant_view(participant)


def link_participants(uow: UnitOfWork, actor: Actor, partners: Partners, interaction_id: str) -> dict[str, Any]:
    """Try to link every text-only participant with a phone or email to the partner (and
    contact) behind it, asking ``partners.find_by_phone`` (or ``find_by_email`` when it has no
    phone); one matching nobody, or more than one partner, stays unlinked. When the partners
    service does not answer, nothing is linked and the answer says so (``partners_available``
    false): try again later.

    Answers ``{interaction_id, linked: [participant], unlinked: [participant],
    partners_available}``."""
    interaction = INTERACTIONS.for_change(uow.session, actor, interaction_id)
    candidates = [p for p in interaction.participants if kind_rules.is_text_only(participant_view(p))]
    linked: list[Participant] = []
    available = True
    for participant in candidates:
        if not participant.phone and not participant.email:
            continue
        try:
            if participant.phone:
                found, how = partners.find_by_phone(participant.phone), "phone"
            else:
                found, how = partners.find_by_email(participant.email), "email"
        except Unavailable as exc:
            log.warning("participants of %s left unlinked: %s", interaction.id, exc)
            available = False
            break
        except ValidationError:
            continue  # not a phone number or address the partners service can read
        matches = found.get("matches") or []
        partner_ids = {m["partner_id"] for m in matches}
        if len(partner_ids) != 1:
            continue
        contacts = {m["contact_id"] for m in matches if m.get("contact_id")}
        participant.partner_id = partner_ids.pop()
        participant.contact_id = contacts.pop() if len(contacts) == 1 else None
        participant.linked_by = how
        linked.append(participant)
    if linked:
        uow.session.flush()
        _linked_event(uow, interaction, linked)
    return {
        "interaction_id": interaction.id,
        "linked": [participant_view(p) for p in linked],
        "unlinked": [participant_view(p) for p in candidates if p not in linked],
        "partners_available": available,
    }
