"""crm.v1.Deals: every deals operation, translated to the deals service's RPCs.

Requests are turned into service payloads (gateway/convert.py); the service validates them,
checks the sales process and enforces row-level access for the calling actor; its typed errors
become gRPC statuses in the interceptor (gateway/errors.py): a refused stage move is
FAILED_PRECONDITION with a google.rpc.PreconditionFailure naming what is missing.
"""

from __future__ import annotations

from typing import Any

from crm.v1 import deals_pb2 as pb
from crm.v1 import deals_pb2_grpc

from gateway.convert import blank_to_none, to_message, to_payload
from gateway.servicers.bridged import BridgedServicer
from gateway.servicers.partners import mask_paths

SERVICE = "deals"

# What a client may give when opening a deal (the rest of Deal is the service's to fill).
DEAL_INPUT = (
    "title", "partner_id", "contact_id", "process_code", "amount", "currency", "expected_close_date",
    "manager_id", "region", "department", "source", "source_ref",
)
# Fields an UpdateDeal mask may name (stage, status and terms have their own methods).
DEAL_MASK = frozenset({"title", "amount", "currency", "expected_close_date", "contact_id"})
OFFER_INPUT = ("lines", "valid_until", "currency")
TASK_INPUT = ("title", "due_date", "responsible_id", "kind")
DOCUMENT_INPUT = ("kind", "number", "date", "url")
SUPPLIER_ORDER_INPUT = ("supplier_id", "number", "amount", "currency", "status")
INVOICE_INPUT = ("number", "amount", "currency", "due_date", "issued_on")
PAYMENT_INPUT = ("amount", "paid_on", "external_id", "source")
PROCESS_INPUT = ("code", "name", "mode", "stages")


def pick(payload: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The entries of ``payload`` a client may set (output-only fields are dropped)."""
    return {key: payload[key] for key in keys if key in payload}


def filled(request, keys: tuple[str, ...]) -> dict[str, Any]:
    """The non-empty scalar fields ``keys`` of a request, as filters."""
    return {key: value for key in keys if (value := getattr(request, key))}


def override_options(request) -> dict[str, Any] | None:
    """A document request's ``override_reason`` (breaking the sales terms) as the RPC's options."""
    return {"override_reason": request.override_reason} if request.override_reason else None


def paged(request, filters: dict[str, Any]) -> dict[str, Any]:
    """``filters`` with the request's page limit and cursor, when given."""
    if request.page.limit:
        filters["limit"] = request.page.limit
    if request.page.cursor:
        filters["cursor"] = request.page.cursor
    return filters


class DealsServicer(BridgedServicer, deals_pb2_grpc.DealsServicer):
    service = SERVICE

    # --- deals ----------------------------------------------------------------------------
    async def OpenDeal(self, request, context):
        deal = pick(to_payload(request.deal), DEAL_INPUT)
        options = {"request_id": request.request_id} if request.request_id else None
        return to_message(await self._call(context, "open_deal", deal=deal, options=options), pb.Deal)

    async def OpenLeadFromCall(self, request, context):
        call = filled(request, ("partner_id", "call_id", "phone", "manager_id", "title", "region", "department"))
        return to_message(await self._create(context, request, "open_lead_from_call", call=call), pb.Deal)

    async def GetDeal(self, request, context):
        return to_message(await self._call(context, "get_deal", deal_id=request.deal_id), pb.Deal)

    async def UpdateDeal(self, request, context):
        changes = to_payload(request.deal, only=mask_paths(request.update_mask, DEAL_MASK, "deal"))
        return to_message(await self._call(context, "update_deal", deal_id=request.deal_id, changes=changes), pb.Deal)

    async def ReassignDeal(self, request, context):
        assignment = {"manager_id": request.manager_id, "reason": blank_to_none(request.reason)}
        result = await self._call(context, "reassign_deal", deal_id=request.deal_id, assignment=assignment)
        return to_message(result, pb.Deal)

    async def ListDeals(self, request, context):
        filters = paged(request, filled(request, ("partner_id", "manager_id", "status", "stage", "process_code", "text")))
        result = await self._call(context, "list_deals", filters=filters)
        return pb.ListDealsResponse(
            deals=[to_message(item, pb.DealSummary) for item in result["items"]],
            page={"next_cursor": result.get("next_cursor") or ""},
        )

    async def MoveToStage(self, request, context):
        move = {"stage": request.stage, "note": blank_to_none(request.note)}
        return to_message(await self._call(context, "move_to_stage", deal_id=request.deal_id, move=move), pb.Deal)

    async def SetDealStatus(self, request, context):
        change = {
            "status": request.status,
            "loss_reason": blank_to_none(request.loss_reason),
            "competitor_id": blank_to_none(request.competitor_id),
            "note": blank_to_none(request.note),
        }
        return to_message(await self._call(context, "set_status", deal_id=request.deal_id, change=change), pb.Deal)

    async def ChooseTerms(self, request, context):
        terms = {"agreement_id": request.agreement_id}
        return to_message(await self._call(context, "choose_terms", deal_id=request.deal_id, terms=terms), pb.Deal)

    # --- offers ---------------------------------------------------------------------------
    async def AddOffer(self, request, context):
        offer = pick(to_payload(request.offer), OFFER_INPUT)
        result = await self._create(context, request, "add_offer", deal_id=request.deal_id, offer=offer,
                                    options=override_options(request))
        return to_message(result, pb.Offer)

    async def SetOfferStatus(self, request, context):
        change = {"status": request.status}
        return to_message(await self._call(context, "set_offer_status", offer_id=request.offer_id, change=change), pb.Offer)

    # --- work plan, documents, supplier orders --------------------------------------------
    async def AddTask(self, request, context):
        task = pick(to_payload(request.task), TASK_INPUT)
        return to_message(await self._create(context, request, "add_task", deal_id=request.deal_id, task=task), pb.Task)

    async def CompleteTask(self, request, context):
        return to_message(await self._call(context, "complete_task", task_id=request.task_id), pb.Task)

    async def ListTasks(self, request, context):
        filters = paged(request, filled(request, ("responsible_id", "deal_id", "kind", "overdue_only", "include_done")))
        result = await self._call(context, "list_tasks", filters=filters)
        return pb.ListTasksResponse(
            tasks=[to_message(item, pb.Task) for item in result["items"]],
            page={"next_cursor": result.get("next_cursor") or ""},
        )

    async def AddDocument(self, request, context):
        document = pick(to_payload(request.document), DOCUMENT_INPUT)
        result = await self._create(context, request, "add_document", deal_id=request.deal_id, document=document)
        return to_message(result, pb.Document)

    async def AddSupplierOrder(self, request, context):
        order = pick(to_payload(request.order), SUPPLIER_ORDER_INPUT)
        result = await self._create(context, request, "add_supplier_order", deal_id=request.deal_id, order=order)
        return to_message(result, pb.SupplierOrder)

    # --- invoices and payments ------------------------------------------------------------
    async def IssueInvoice(self, request, context):
        invoice = pick(to_payload(request.invoice), INVOICE_INPUT)
        result = await self._create(context, request, "issue_invoice", deal_id=request.deal_id, invoice=invoice,
                                    options=override_options(request))
        return to_message(result, pb.Invoice)

    async def CancelInvoice(self, request, context):
        cancellation = {"reason": request.reason}
        result = await self._call(context, "cancel_invoice", invoice_id=request.invoice_id, cancellation=cancellation)
        return to_message(result, pb.Invoice)

    async def RecordPayment(self, request, context):
        payment = pick(to_payload(request.payment), PAYMENT_INPUT)
        result = await self._create(context, request, "record_payment", invoice_id=request.invoice_id, payment=payment)
        return to_message(result, pb.Invoice)

    async def ListInvoices(self, request, context):
        filters = paged(request, filled(request, ("partner_id", "deal_id", "overdue_only")))
        result = await self._call(context, "list_invoices", filters=filters)
        if isinstance(result, list):  # a plain list: one page
            result = {"items": result, "next_cursor": None}
        return pb.ListInvoicesResponse(
            invoices=[to_message(item, pb.Invoice) for item in result["items"]],
            page={"next_cursor": result.get("next_cursor") or ""},
        )

    # --- forecast and processes -----------------------------------------------------------
    async def GetForecast(self, request, context):
        query: dict[str, Any] = filled(request, ("period", "manager_id"))
        for key in ("date_from", "date_to"):
            if getattr(request, key).iso:
                query[key] = getattr(request, key).iso
        return to_message(await self._call(context, "forecast", query=query), pb.GetForecastResponse)

    async def ListProcesses(self, request, context):
        items = await self._call(context, "list_processes")
        return to_message({"processes": items}, pb.ListProcessesResponse)

    async def DefineProcess(self, request, context):
        process = pick(to_payload(request.process), PROCESS_INPUT)
        # proto3 drops zeros: a stage's probability 0 is a value, a time limit 0 means none.
        process["stages"] = [
            {
                "code": stage.code,
                "name": stage.name,
                "probability": stage.probability,
                "time_limit_days": stage.time_limit_days or None,
                "preconditions": list(stage.preconditions),
            }
            for stage in request.process.stages
        ]
        return to_message(await self._create(context, request, "define_process", process=process), pb.SalesProcess)


def register(server, bridge, default_timeout: float = 5.0) -> None:
    deals_pb2_grpc.add_DealsServicer_to_server(DealsServicer(bridge, default_timeout), server)
