"""What a machine caller may call: service tokens (role ``service``) carry scopes, and each scope
opens a fixed list of methods. A person's token is limited by row-level access in the services
instead; a service token sees every row, so it must not reach every method. Some methods are
for machines only (``SERVICE_ONLY``: the PBX's call events): a person's token, whatever its
roles, is refused there."""

from __future__ import annotations

from collections.abc import Iterable

from crm_kit.actor import Actor
from crm_kit.errors import PermissionDenied

# scope -> the full gRPC method names (or "/package.Service/" prefixes) it opens.
SCOPES: dict[str, tuple[str, ...]] = {
    # The telephony adapter: who is calling, call events, and a lead for a call it made.
    "pbx": (
        "/crm.v1.Partners/FindByPhone",
        "/crm.v1.Telephony/",
        "/crm.v1.Deals/OpenLeadFromCall",
    ),
    # BI tools and reports: reading only.
    "bi": (
        "/crm.v1.Partners/GetPartner",
        "/crm.v1.Partners/SearchPartners",
        "/crm.v1.Partners/ListContacts",
        "/crm.v1.Partners/ListRelationships",
        "/crm.v1.Partners/ListAgreements",
        "/crm.v1.Partners/GetAgreement",
        "/crm.v1.Partners/ListManagerHistory",
        "/crm.v1.ClientCards/GetClientCard",
        "/crm.v1.Deals/GetDeal",
        "/crm.v1.Deals/ListDeals",
        "/crm.v1.Deals/ListInvoices",
        "/crm.v1.Deals/ListTasks",
        "/crm.v1.Deals/GetForecast",
        "/crm.v1.Deals/ListProcesses",
        "/crm.v1.Interactions/Get",
        "/crm.v1.Interactions/ListBySubject",
        "/crm.v1.Interactions/ListChain",
        "/crm.v1.Interactions/Calendar",
        "/crm.v1.Interactions/ListCalls",
        "/crm.v1.Interactions/GetCall",
        "/crm.v1.Interactions/ListTasks",
        "/crm.v1.Analytics/",
    ),
    # The public unsubscribe page (the link in a marketing letter): the letter's token is the proof.
    "unsubscribe": ("/crm.v1.Notifications/UnsubscribeByToken",),
}


# Methods (or "/package.Service/" prefixes) only a service token may call.
# Call ids are the PBX's: a lead from a call is opened by the telephony path, never by a person.
SERVICE_ONLY: tuple[str, ...] = ("/crm.v1.Telephony/", "/crm.v1.Deals/OpenLeadFromCall")


def _matches(method: str, opened: str) -> bool:
    return method == opened or (opened.endswith("/") and method.startswith(opened))


def service_only(method: str) -> bool:
    """Whether only a service token may call ``method``."""
    return any(_matches(method, opened) for opened in SERVICE_ONLY)


def allowed(scopes: Iterable[str], method: str) -> bool:
    return any(_matches(method, opened) for scope in scopes for opened in SCOPES.get(scope, ()))


def check(actor: Actor, method: str) -> None:
    """Refuses a service token calling a method none of its scopes opens, and a person's token
    calling a method for machines only."""
    if not actor.is_service and service_only(method):
        raise PermissionDenied(f"{method} is for service tokens only", {"method": method})
    if actor.is_service and not allowed(actor.scopes, method):
        raise PermissionDenied(
            f"a service token with scopes {sorted(actor.scopes) or 'none'} may not call {method}",
            {"method": method, "scopes": sorted(actor.scopes)},
        )
