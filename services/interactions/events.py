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

CALL_REGISTERED = "call_registered"
"""A call the PBX told of was stored for the first time (a call raises this instead of
interaction_registered). data: {interaction_id, call_id, partner_id, contact_id, responsible_id,
direction, number (the other party, E.164; null when it gave none), extension, call_state
(ringing | answered | ended | missed), match_state (matched | unknown | pending | none),
started_at, answered_at, ended_at, duration_s}. A call's completion raises
interaction_completed with ``call_id``, ``call_state`` and ``duration_s`` added."""

CALL_MISSED = "call_missed"
"""A call was missed; raised once per call. data: as call_registered, plus ``task_id`` (the
call-back task of a missed incoming call, else null)."""

TASK_COMPLETED = "task_completed"
"""A task (a call back) was done. data: {task_id, kind, interaction_id, partner_id,
responsible_id (the assignee), completed_at, completed_by, note}."""

ALL = (
    INTERACTION_REGISTERED, INTERACTION_COMPLETED, INTERACTION_UPDATED, REMINDER_DUE, PARTICIPANTS_LINKED,
    CALL_REGISTERED, CALL_MISSED, TASK_COMPLETED,
)
