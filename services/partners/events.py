"""The events the partners service publishes: its contract with every other service.

Each event is an envelope ``{event_id, event_type, occurred_at, source, actor, data}``
(crm_kit.db.event_envelope); below, each name with what its ``data`` holds.
"""

PARTNER_REGISTERED = "partner_registered"
"""A partner was registered. data: the partner view (services/partners/schemas.partner_view),
plus ``duplicate_override`` when it was registered despite a strong duplicate match."""

PARTNER_UPDATED = "partner_updated"
"""A partner's details changed. data: {partner_id, changed: [field names], partner: view}."""

PARTNERS_MERGED = "partners_merged"
"""Two partners became one. data: {survivor_id, merged_id, contact_ids_moved: [...]}. Every
service that holds ``merged_id`` re-points it to ``survivor_id``."""

PARTNER_REASSIGNED = "partner_reassigned"
"""A partner's responsible manager changed. data: {partner_id, manager_id,
previous_manager_id, department, reason, handover_id (when part of a whole-base handover)}."""

CONTACT_ADDED = "contact_added"
"""data: {partner_id, contact: contact view}."""

CONTACT_UPDATED = "contact_updated"
"""data: {partner_id, contact: contact view}."""

CONTACT_REMOVED = "contact_removed"
"""data: {partner_id, contact_id}."""

RELATIONSHIP_ADDED = "relationship_added"
"""data: relationship view."""

RELATIONSHIP_REMOVED = "relationship_removed"
"""data: {relationship_id}."""

AGREEMENT_CREATED = "agreement_created"
"""data: agreement view."""

AGREEMENT_UPDATED = "agreement_updated"
"""A draft agreement's terms changed. data: agreement view."""

AGREEMENT_APPROVED = "agreement_approved"
"""data: agreement view."""

AGREEMENT_EXPIRED = "agreement_expired"
"""data: agreement view."""

AGREEMENT_CANCELLED = "agreement_cancelled"
"""data: agreement view."""

AGREEMENT_STATUS_EVENTS = {
    "approved": AGREEMENT_APPROVED,
    "expired": AGREEMENT_EXPIRED,
    "cancelled": AGREEMENT_CANCELLED,
}

ALL = (
    PARTNER_REGISTERED, PARTNER_UPDATED, PARTNERS_MERGED, PARTNER_REASSIGNED,
    CONTACT_ADDED, CONTACT_UPDATED, CONTACT_REMOVED, RELATIONSHIP_ADDED, RELATIONSHIP_REMOVED,
    AGREEMENT_CREATED, AGREEMENT_UPDATED, AGREEMENT_APPROVED, AGREEMENT_EXPIRED, AGREEMENT_CANCELLED,
)
