"""Mailing groups: who a mailing goes to, and mailings' states.

A **static** group names its members: partners (each reached at its recipients, below) and
contacts (reached themselves). A **dynamic** group is a list of conditions on the recipients
copy, all of which a partner must meet, evaluated when a mailing is sent (a partner who came
into the segment yesterday is in it today)::

    {"field": "region", "op": "in", "values": ["msk", "spb"]}

Fields (:data:`FIELDS`): ``kind`` (one of the partner's kinds), ``segment``, ``region``,
``source``, ``manager`` (the responsible manager's id), ``department``, ``status``. Operators:
``eq``, ``ne``, ``in``, ``not_in``. A condition on another field is refused naming it.

A partner's recipients for a mailing (:func:`addresses_of`): each active contact's first email
(a ``work`` one first), else the partner's main email; one letter per address, however many
contacts share it.
"""

from __future__ import annotations

from typing import Any

STATIC, DYNAMIC = "static", "dynamic"
GROUP_KINDS = (STATIC, DYNAMIC)
# A condition's field → the recipients copy's column (``kind``: a member of its list of kinds).
FIELDS = {
    "kind": "kinds",
    "segment": "segment",
    "region": "region",
    "source": "source",
    "manager": "manager_id",
    "department": "department",
    "status": "status",
}
OPS = ("eq", "ne", "in", "not_in")
MAX_CONDITIONS = 20
MAX_VALUES = 1000

# Mailing statuses and the moves between them.
DRAFT, SCHEDULED, SENDING, SENT, CANCELLED = "draft", "scheduled", "sending", "sent", "cancelled"
MAILING_STATUSES = (DRAFT, SCHEDULED, SENDING, SENT, CANCELLED)
MAY_SCHEDULE = (DRAFT, SCHEDULED)
MAY_CANCEL = (DRAFT, SCHEDULED, SENDING)


def condition_problems(conditions: Any) -> dict[str, list[str]]:
    """What is wrong with a dynamic group's conditions, by field path (``conditions.0.field``);
    empty when they are right."""
    if not isinstance(conditions, list) or not conditions:
        return {"conditions": ["a dynamic group needs at least one condition"]}
    if len(conditions) > MAX_CONDITIONS:
        return {"conditions": [f"at most {MAX_CONDITIONS} conditions"]}
    problems: dict[str, list[str]] = {}
    for index, condition in enumerate(conditions):
        where = f"conditions.{index}"
        if not isinstance(condition, dict):
            problems[where] = ["a condition is {field, op, values}"]
            continue
        unknown = sorted(set(condition) - {"field", "op", "values"})
        if unknown:
            problems[where] = [f"unknown keys: {', '.join(unknown)}"]
        field = condition.get("field")
        if field not in FIELDS:
            problems[f"{where}.field"] = [f"unknown field {field!r}; one of {', '.join(FIELDS)}"]
        if condition.get("op") not in OPS:
            problems[f"{where}.op"] = [f"one of {', '.join(OPS)}"]
        values = condition.get("values")
        if not isinstance(values, list) or not values or len(values) > MAX_VALUES:
            problems[f"{where}.values"] = [f"1 to {MAX_VALUES} values"]
        elif not all(isinstance(value, str) and 0 < len(value) <= 200 for value in values):
            problems[f"{where}.values"] = ["each value is text of 1 to 200 characters"]
        elif condition.get("op") in ("eq", "ne") and len(values) != 1:
            problems[f"{where}.values"] = [f"{condition['op']} takes one value"]
    return problems


def matches(conditions: list[dict[str, Any]], partner: dict[str, Any]) -> bool:
    """Whether a partner of the copy (its columns by name) meets every condition."""
    for condition in conditions:
        column, values, op = FIELDS[condition["field"]], set(condition["values"]), condition["op"]
        value = partner.get(column)
        found = bool(values & set(value or ())) if column == "kinds" else value in values
        if found != (op in ("eq", "in")):
            return False
    return True


def _first(emails: list[dict[str, Any]]) -> str | None:
    for email in emails:
        if email.get("kind") == "work":
            return email["address"]
    return emails[0]["address"] if emails else None


def addresses_of(
    partner: dict[str, Any], contacts: list[dict[str, Any]], only_contacts: set[str] | None = None
) -> list[tuple[str, str | None, str | None]]:
    """``(address, contact_id, name)`` a mailing reaches of a partner: its active contacts'
    first emails, else the partner's own (``only_contacts``: just those contacts, a static
    group's chosen ones)."""
    found: list[tuple[str, str | None, str | None]] = []
    for contact in contacts:
        if contact.get("status") != "active" or (only_contacts is not None and contact["id"] not in only_contacts):
            continue
        address = _first(contact.get("emails") or [])
        if address:
            found.append((address, contact["id"], contact.get("full_name")))
    if not found and only_contacts is None:
        address = _first(partner.get("emails") or [])
        if address:
            found.append((address, None, partner.get("short_name")))
    return found
