"""What interactions asks of the partners service (crm_kit.remote: as the calling actor, with a
deadline, ``INTERACTIONS_PARTNERS_TIMEOUT_S``, default 5 s; no answer is a typed Unavailable).

Interactions never reads the partners database: who is behind a phone number is asked here, a
prospect for an unknown caller is registered here, and whether a partner not heard of yet or a
contact person a write names exists for the caller (usecases/references.py).
"""

from __future__ import annotations

from typing import Any

from crm_kit.remote import Remote, RemoteService


class Partners(Remote):
    def find_by_phone(self, number: str) -> dict[str, Any]:
        """``{number, matches: [{partner_id, contact_id, ...}]}`` the actor may see."""
        return self.call("find_by_phone", number)

    def find_by_email(self, address: str) -> dict[str, Any]:
        """``{address, matches: [{partner_id, contact_id, ...}]}`` the actor may see."""
        return self.call("find_by_email", address)

    def find_by_phones(self, numbers: list[str]) -> dict[str, Any]:
        """``{results: {given: {number, matches}}, invalid: [given]}`` for up to 500 numbers."""
        return self.call("find_by_phones", numbers)

    def phone_directory(self, after: str | None, limit: int) -> dict[str, Any]:
        """``{items: [{number, partner_id, partner_name, contact_id, contact_name, manager_id}],
        next}``: a page of the whole directory, in number order."""
        return self.call("phone_directory", after, limit)

    def get(self, partner_id: str) -> dict[str, Any]:
        """The partner as the actor sees it (NotFound when it may not)."""
        return self.call("get", partner_id)

    def get_contact(self, contact_id: str) -> dict[str, Any]:
        """A contact person with its ``partner_id``, as the actor sees it (NotFound when it may not)."""
        return self.call("get_contact", contact_id)

    def register(self, partner: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        """``{partner, duplicates, branches}``; Conflict when a strong duplicate blocks it."""
        return self.call("register", partner, options)


def PartnersClient() -> RemoteService:  # noqa: N802  (reads as the dependency it declares)
    return RemoteService("partners", Partners)
