"""crm.v1.Partners: every partners operation, translated to the partners service's RPCs.

Requests are turned into service payloads (gateway/convert.py); the service validates them
and enforces row-level access for the calling actor; its typed errors become gRPC statuses in
the interceptor (gateway/errors.py).
"""

from __future__ import annotations

from crm.v1 import partners_pb2 as pb
from crm.v1 import partners_pb2_grpc

from crm_kit.errors import ValidationError
from gateway.convert import blank_to_none, to_message, to_payload
from gateway.servicers.bridged import BridgedServicer

SERVICE = "partners"

POLICIES = {
    pb.DUPLICATE_POLICY_UNSPECIFIED: "block",
    pb.DUPLICATE_POLICY_BLOCK: "block",
    pb.DUPLICATE_POLICY_WARN: "warn",
    pb.DUPLICATE_POLICY_SKIP: "skip",
}

# Fields an UpdatePartner mask may name (others are read-only or have their own method).
PARTNER_MASK = frozenset({
    "kinds", "legal_form", "short_name", "full_name", "inn", "kpp", "ogrn", "legal_address", "website",
    "segment", "source", "region", "department", "comment", "phones", "emails", "addresses",
    "bank_accounts", "properties",
})
CONTACT_MASK = frozenset({"full_name", "position", "roles", "status", "comment", "phones", "emails"})
AGREEMENT_MASK = frozenset({
    "name", "number", "valid_from", "valid_to", "prepayment_share", "credit_days", "price_type",
    "delivery_terms", "discount_percent", "currency",
})


def mask_paths(mask, allowed: frozenset[str], what: str) -> list[str]:
    """The update mask's paths, refused when empty or naming a field that cannot change."""
    paths = list(mask.paths)
    if not paths:
        raise ValidationError.for_field("update_mask", f"name the {what} fields to change")
    wrong = sorted(set(paths) - allowed)
    if wrong:
        raise ValidationError(
            f"update_mask names fields that cannot be changed here: {', '.join(wrong)}",
            {"update_mask": [f"{path} cannot be changed here; allowed: {', '.join(sorted(allowed))}" for path in wrong]},
        )
    return paths


class PartnersServicer(BridgedServicer, partners_pb2_grpc.PartnersServicer):
    service = SERVICE

    # --- partners -------------------------------------------------------------------------
    async def RegisterPartner(self, request, context):
        options = {
            "duplicate_policy": POLICIES.get(request.duplicate_policy, "block"),
            "override_reason": blank_to_none(request.override_reason),
            "request_id": blank_to_none(request.request_id),
        }
        result = await self._call(context, "register", partner=to_payload(request.partner), options=options)
        return to_message(result, pb.RegisterPartnerResponse)

    async def GetPartner(self, request, context):
        return to_message(await self._call(context, "get", partner_id=request.partner_id), pb.Partner)

    async def UpdatePartner(self, request, context):
        paths = mask_paths(request.update_mask, PARTNER_MASK, "partner")
        changes = to_payload(request.partner, only=paths)
        return to_message(await self._call(context, "update", partner_id=request.partner_id, changes=changes), pb.Partner)

    async def SearchPartners(self, request, context):
        filters = {
            key: value
            for key in ("kind", "segment", "region", "manager_id", "status", "text", "source")
            if (value := getattr(request, key))
        }
        if request.page.limit:
            filters["limit"] = request.page.limit
        if request.page.cursor:
            filters["cursor"] = request.page.cursor
        result = await self._call(context, "search", filters=filters)
        return pb.SearchPartnersResponse(
            partners=[to_message(item, pb.PartnerSummary) for item in result["items"]],
            page={"next_cursor": result["next_cursor"] or ""},
        )

    async def FindDuplicates(self, request, context):
        candidate = to_payload(request)
        result = await self._call(context, "find_duplicates", candidate=candidate)
        return to_message(result, pb.FindDuplicatesResponse)

    async def FindByPhone(self, request, context):
        return to_message(await self._call(context, "find_by_phone", number=request.number), pb.FindByPhoneResponse)

    async def FindByEmail(self, request, context):
        return to_message(await self._call(context, "find_by_email", address=request.address), pb.FindByEmailResponse)

    async def ArchivePartner(self, request, context):
        result = await self._call(context, "archive", partner_id=request.partner_id, request={"reason": request.reason})
        return to_message(result, pb.Partner)

    async def UnarchivePartner(self, request, context):
        return to_message(await self._call(context, "unarchive", partner_id=request.partner_id), pb.Partner)

    async def MergePartners(self, request, context):
        merge = {"survivor_id": request.survivor_id, "merged_id": request.merged_id, "keep": dict(request.keep)}
        return to_message(await self._call(context, "merge", request=merge), pb.Partner)

    # --- contacts -------------------------------------------------------------------------
    async def AddContact(self, request, context):
        result = await self._create(context, request, "add_contact", partner_id=request.partner_id, contact=to_payload(request.contact))
        return to_message(result, pb.Contact)

    async def UpdateContact(self, request, context):
        changes = to_payload(request.contact, only=mask_paths(request.update_mask, CONTACT_MASK, "contact"))
        return to_message(await self._call(context, "update_contact", contact_id=request.contact_id, changes=changes), pb.Contact)

    async def RemoveContact(self, request, context):
        result = await self._call(context, "remove_contact", contact_id=request.contact_id)
        return to_message(result, pb.RemoveContactResponse)

    async def ListContacts(self, request, context):
        items = await self._call(context, "list_contacts", partner_id=request.partner_id)
        return to_message({"contacts": items}, pb.ListContactsResponse)

    # --- relationships --------------------------------------------------------------------
    async def AddRelationship(self, request, context):
        result = await self._create(context, request, "add_relationship", relationship=to_payload(request.relationship))
        return to_message(result, pb.Relationship)

    async def RemoveRelationship(self, request, context):
        result = await self._call(context, "remove_relationship", relationship_id=request.relationship_id)
        return to_message(result, pb.RemoveRelationshipResponse)

    async def ListRelationships(self, request, context):
        items = await self._call(context, "list_relationships", partner_id=request.partner_id)
        return to_message({"relationships": items}, pb.ListRelationshipsResponse)

    # --- agreements -----------------------------------------------------------------------
    async def CreateAgreement(self, request, context):
        return to_message(await self._create(context, request, "create_agreement", agreement=to_payload(request.agreement)), pb.Agreement)

    async def UpdateAgreement(self, request, context):
        changes = to_payload(request.agreement, only=mask_paths(request.update_mask, AGREEMENT_MASK, "agreement"))
        result = await self._call(context, "update_agreement", agreement_id=request.agreement_id, changes=changes)
        return to_message(result, pb.Agreement)

    async def SetAgreementStatus(self, request, context):
        result = await self._call(context, "set_agreement_status", agreement_id=request.agreement_id, change={"status": request.status})
        return to_message(result, pb.Agreement)

    async def GetAgreement(self, request, context):
        return to_message(await self._call(context, "get_agreement", agreement_id=request.agreement_id), pb.Agreement)

    async def ListAgreements(self, request, context):
        items = await self._call(
            context, "list_agreements",
            partner_id=blank_to_none(request.partner_id),
            segment=blank_to_none(request.segment),
            in_force_on=blank_to_none(request.in_force_on.iso),
        )
        return to_message({"agreements": items}, pb.ListAgreementsResponse)

    # --- responsible managers -------------------------------------------------------------
    async def ReassignPartner(self, request, context):
        assignment = {
            "manager_id": request.manager_id,
            "department": blank_to_none(request.department),
            "reason": blank_to_none(request.reason),
        }
        result = await self._call(context, "reassign", partner_id=request.partner_id, assignment=assignment)
        return to_message(result, pb.ManagerAssignment)

    async def HandOverClients(self, request, context):
        handover = {
            "from_manager_id": request.from_manager_id,
            "manager_id": request.to_manager_id,
            "department": blank_to_none(request.department),
            "reason": blank_to_none(request.reason),
        }
        return to_message(await self._create(context, request, "handover", handover=handover), pb.HandOverClientsResponse)

    async def ListManagerHistory(self, request, context):
        items = await self._call(context, "manager_history", partner_id=request.partner_id)
        return to_message({"assignments": items}, pb.ListManagerHistoryResponse)


def register(server, bridge, default_timeout: float = 5.0) -> None:
    partners_pb2_grpc.add_PartnersServicer_to_server(PartnersServicer(bridge, default_timeout), server)
