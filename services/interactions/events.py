"""The events the interactions service publishes: its contract with every other service.

Each event is an envelope ``{event_id, event_type, occurred_at, source, actor, data}``
(crm_kit.db.event_envelope); below, each name with what its ``data`` holds. Every ``data``
carries ``interaction_id``, ``partner_id`` (may be null) and ``responsible_id``; times are ISO
text.
"""

INTERACTION_REGISTERED = "interaction_registered"
"""An interaction was registered (also a follow-up: ``follow_up_of_id`` set). data:
{interaction_id, partner_id, responsible_id, kind, status, subject_kind, subject_id, chain_id,
reply_to_id, follow_up_of_id, planned_at, interaction: view}."""

INTERACTION_COMPLETED = "interaction_completed"
"""An interaction is done. data: {interaction_id, partner_id, responsible_id, kind, subject_kind,
subject_id, outcome, completed_at}."""

INTERACTION_UPDATED = "interaction_updated"
"""Details or status (other than done) changed, or something created from it was linked.
data: {interaction_id, partner_id, responsible_id, changed: [field names], interaction: view}."""

REMINDER_DUE = "reminder_due"
"""An interaction's reminder time came; raised once. data: {interaction_id, partner_id,
responsible_id, kind, title, remind_at, planned_at}."""

PARTICIPANTS_LINKED = "participants_linked"
"""Text-only participants were linked (by hand or by phone through the partners service).
data: {interaction_id, partner_id, responsible_id, linked: [{participant_id, partner_id,
contact_id, user_id, linked_by}]}."""

ALL = (INTERACTION_REGISTERED, INTERACTION_COMPLETED, INTERACTION_UPDATED, REMINDER_DUE, PARTICIPANTS_LINKED)
