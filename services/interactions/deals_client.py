"""What interactions asks of the deals service (crm_kit.remote: with a deadline,
``INTERACTIONS_DEALS_TIMEOUT_S``, default 5 s; no answer is a typed Unavailable): a lead for a
call from an unknown number, and whether a deal a write names exists for the caller."""

from __future__ import annotations

from typing import Any

from crm_kit.remote import Remote, RemoteService


class Deals(Remote):
    def get_deal(self, deal_id: str) -> dict[str, Any]:
        """The deal as the actor sees it (NotFound when it may not)."""
        return self.call("get_deal", deal_id)

    def open_lead_from_call(self, call: dict[str, Any]) -> dict[str, Any]:
        """A lead for a first call, once per ``call_id`` (a repeat answers the same deal)."""
        return self.call("open_lead_from_call", call)


def DealsClient() -> RemoteService:  # noqa: N802  (reads as the dependency it declares)
    return RemoteService("deals", Deals)
