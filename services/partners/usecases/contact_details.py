"""A partner's and its contact persons' phones and emails as rows: each row carries both the
partner and the contact, so a number or an address finds the partner directly (caller
matching, duplicate checks)."""

from __future__ import annotations

from services.partners.domain import contacts as contact_rules
from services.partners.models import Email, Phone


def phone_rows(items: list[dict], partner_id: str | None = None, contact_id: str | None = None) -> list[Phone]:
    """Phone rows of the partner, or of its contact when ``contact_id`` is given, from payload items."""
    return [
        Phone(partner_id=partner_id, contact_id=contact_id, number=p["number"], kind=p["kind"], extension=p["extension"])
        for p in items
    ]


def email_rows(items: list[dict], partner_id: str | None = None, contact_id: str | None = None) -> list[Email]:
    """Email rows likewise, each with its corporate domain (duplicate checks look domains up)."""
    return [
        Email(
            partner_id=partner_id, contact_id=contact_id, address=e["address"], kind=e["kind"],
            domain=contact_rules.corporate_domain(e["address"]),
        )
        for e in items
    ]
