"""Stand-ins for the other services a use case asks over RPC, for the use-case tier.

They answer what the real services answer (the shapes of services/partners/usecases/search.py,
partners.get, get_agreement, register, deals.open_lead_from_call), record every question in
``asked``, and, with ``down = True``, fail as an unreachable service does (``Unavailable``), so
a use case's behaviour while a service is down is tested without a broker.
"""

from __future__ import annotations

import uuid
from typing import Any

from crm_kit import phones
from crm_kit.errors import Conflict, NotFound, Unavailable


class _FakeService:
    name = "service"

    def __init__(self) -> None:
        self.down = False
        self.asked: list[tuple[str, tuple[Any, ...]]] = []

    def _ask(self, method: str, *args: Any) -> None:
        self.asked.append((method, args))
        if self.down:
            raise Unavailable(f"the {self.name} service is not running", {"service": self.name})

    def times_asked(self, method: str) -> int:
        return sum(1 for asked, _ in self.asked if asked == method)


class FakePartners(_FakeService):
    """The partners service: partners (with kinds, manager, phones, emails, contacts) and
    agreements, added by the test with ``add_partner`` / ``add_agreement``."""

    name = "partners"

    def __init__(self) -> None:
        super().__init__()
        self.partners: dict[str, dict[str, Any]] = {}
        self.agreements: dict[str, dict[str, Any]] = {}
        self.registered: list[tuple[dict[str, Any], dict[str, Any]]] = []
        # Partners ``get`` and ``get_contact`` answer NotFound for, as for a caller who may not
        # see them (the stand-in does not know the caller).
        self.hidden: set[str] = set()

    # --- what a test puts in ------------------------------------------------------------
    def add_partner(self, name: str = "Romashka", *, kinds: tuple[str, ...] = ("client",), manager_id: str | None = None,
                    phones: tuple[str, ...] = (), emails: tuple[str, ...] = (),
                    contacts: tuple[dict[str, Any], ...] = (), region: str | None = None,
                    department: str | None = None) -> dict[str, Any]:
        """A partner; ``contacts`` are ``{"name", "phones", "emails"}`` and get ids."""
        partner = {
            "id": str(uuid.uuid4()), "short_name": name, "kinds": list(kinds), "manager_id": manager_id,
            "region": region, "department": department,
            "phones": [{"number": number} for number in phones], "emails": [{"address": e} for e in emails],
            "contacts": [{"id": str(uuid.uuid4()), "name": c["name"], "phones": list(c.get("phones", ())),
                          "emails": list(c.get("emails", ()))} for c in contacts],
        }
        self.partners[partner["id"]] = partner
        return partner

    def add_agreement(self, *, kind: str = "standard", status: str = "approved", partner_id: str | None = None,
                      name: str = "Wholesale terms", **terms: Any) -> dict[str, Any]:
        """An agreement; ``terms`` as partners answers them (``credit_days``, ``discount_percent``,
        ``prepayment_share`` as decimal text)."""
        agreement = {"id": str(uuid.uuid4()), "kind": kind, "status": status, "partner_id": partner_id, "name": name,
                     **terms}
        self.agreements[agreement["id"]] = agreement
        return agreement

    # --- what deals asks ----------------------------------------------------------------
    def get(self, partner_id: str) -> dict[str, Any]:
        self._ask("get", partner_id)
        if partner_id not in self.partners or partner_id in self.hidden:
            raise NotFound(f"partner {partner_id} not found", {"partner_id": partner_id})
        return self.partners[partner_id]

    def get_contact(self, contact_id: str) -> dict[str, Any]:
        self._ask("get_contact", contact_id)
        for partner in self.partners.values():
            for contact in partner["contacts"]:
                if contact["id"] == contact_id and partner["id"] not in self.hidden:
                    return {**contact, "partner_id": partner["id"]}
        raise NotFound(f"contact {contact_id} not found", {"contact_id": contact_id})

    def get_agreement(self, agreement_id: str) -> dict[str, Any]:
        self._ask("get_agreement", agreement_id)
        if agreement_id not in self.agreements:
            raise NotFound(f"agreement {agreement_id} not found", {"agreement_id": agreement_id})
        return self.agreements[agreement_id]

    # --- what interactions asks ---------------------------------------------------------
    def _directory(self) -> list[dict[str, Any]]:
        """Every number with whom it belongs to, as ``phone_directory`` items."""
        items = []
        for partner in self.partners.values():
            owner = {"partner_id": partner["id"], "partner_name": partner["short_name"],
                     "manager_id": partner["manager_id"]}
            for phone in partner["phones"]:
                items.append({"number": phones.lookup_key(phone["number"]), **owner,
                              "contact_id": None, "contact_name": None})
            for contact in partner["contacts"]:
                for number in contact["phones"]:
                    items.append({"number": phones.lookup_key(number), **owner,
                                  "contact_id": contact["id"], "contact_name": contact["name"]})
        return sorted(items, key=lambda item: item["number"])

    def _matches(self, key: str | None) -> list[dict[str, Any]]:
        return [{k: v for k, v in item.items() if k != "number"} for item in self._directory() if item["number"] == key]

    def find_by_phone(self, number: str) -> dict[str, Any]:
        self._ask("find_by_phone", number)
        key = phones.lookup_key(number)
        return {"number": key, "matches": self._matches(key)}

    def find_by_phones(self, numbers: list[str]) -> dict[str, Any]:
        self._ask("find_by_phones", list(numbers))
        keys = {given: phones.lookup_key(given) for given in numbers}
        return {
            "results": {given: {"number": key, "matches": self._matches(key)} for given, key in keys.items() if key},
            "invalid": [given for given, key in keys.items() if not key],
        }

    def find_by_email(self, address: str) -> dict[str, Any]:
        self._ask("find_by_email", address)
        key = address.strip().lower()
        matches = []
        for partner in self.partners.values():
            owner = {"partner_id": partner["id"], "partner_name": partner["short_name"], "manager_id": partner["manager_id"]}
            if any(e["address"].lower() == key for e in partner["emails"]):
                matches.append({**owner, "contact_id": None, "contact_name": None})
            for contact in partner["contacts"]:
                if any(e.lower() == key for e in contact["emails"]):
                    matches.append({**owner, "contact_id": contact["id"], "contact_name": contact["name"]})
        return {"address": key, "matches": matches}

    def phone_directory(self, after: str | None, limit: int) -> dict[str, Any]:
        self._ask("phone_directory", after, limit)
        numbers = sorted({item["number"] for item in self._directory() if after is None or item["number"] > after})[:limit]
        items = [item for item in self._directory() if item["number"] in numbers]
        return {"items": items, "next": numbers[-1] if len(numbers) == limit else None}

    def register(self, partner: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        """A prospect for an unknown caller: idempotent by ``request_id``; a number someone has
        by now is refused as a duplicate (Conflict with the matches), as partners does."""
        self._ask("register", partner, options)
        for earlier, earlier_options in self.registered:
            if options.get("request_id") and earlier_options.get("request_id") == options["request_id"]:
                return {"partner": earlier, "duplicates": [], "branches": []}
        for phone in partner.get("phones", []):
            taken = self._matches(phones.lookup_key(phone["number"]))
            if taken:
                raise Conflict("looks like a partner that already exists", {
                    "matches": [{"partner_id": m["partner_id"], "name": m["partner_name"], "strength": "strong",
                                 "reasons": [{"kind": "phone", "value": phone["number"]}]} for m in taken],
                    "branches": [],
                })
        made = self.add_partner(partner["short_name"], kinds=tuple(partner.get("kinds", ("prospect",))),
                                manager_id=partner.get("manager_id"),
                                phones=tuple(p["number"] for p in partner.get("phones", [])))
        self.registered.append((made, options))
        return {"partner": made, "duplicates": [], "branches": []}


class FakeDeals(_FakeService):
    """The deals service as interactions asks it: a lead per call, once per ``call_id``; deals
    added by the test with ``add_deal``."""

    name = "deals"

    def __init__(self) -> None:
        super().__init__()
        self.leads: dict[str, dict[str, Any]] = {}
        self.deals: dict[str, dict[str, Any]] = {}

    def add_deal(self, partner_id: str, title: str = "Поставка") -> dict[str, Any]:
        """A deal of ``partner_id`` the deals service shows (``get_deal``)."""
        deal = {"id": str(uuid.uuid4()), "partner_id": partner_id, "title": title}
        self.deals[deal["id"]] = deal
        return deal

    def get_deal(self, deal_id: str) -> dict[str, Any]:
        self._ask("get_deal", deal_id)
        if deal_id not in self.deals:
            raise NotFound(f"deal {deal_id} not found", {"deal_id": deal_id})
        return self.deals[deal_id]

    def open_lead_from_call(self, call: dict[str, Any]) -> dict[str, Any]:
        self._ask("open_lead_from_call", call)
        if call["call_id"] not in self.leads:
            self.leads[call["call_id"]] = {"id": str(uuid.uuid4()), **call}
        return self.leads[call["call_id"]]
