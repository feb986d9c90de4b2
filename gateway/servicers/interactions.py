"""crm.v1.Interactions: every interactions operation, translated to the interactions service's RPCs.

Requests are turned into service payloads (gateway/convert.py); the service validates them
(the fields each kind needs or must not have), checks the status flow and enforces row-level
access for the calling actor; its typed errors become gRPC statuses in the interceptor
(gateway/errors.py).
"""

from __future__ import annotations

from typing import Any

from crm.v1 import interactions_pb2 as pb
from crm.v1 import interactions_pb2_grpc

from gateway.convert import blank_to_none, to_message, to_payload
from gateway.servicers.bridged import BridgedServicer
from gateway.servicers.deals import filled, pick
from gateway.servicers.partners import mask_paths

SERVICE = "interactions"

# What a client may give when registering an interaction (the rest is the service's to fill).
INTERACTION_INPUT = (
    "kind", "status", "title", "subject_kind", "subject_id", "partner_id", "reply_to_id", "planned_at",
    "occurred_at", "place", "outcome", "direction", "from_number", "to_number", "duration_s", "recording_url",
    "email_subject", "body", "email_from", "email_to", "thread_id", "remind_at", "responsible_id", "region",
    "department", "participants",
)
PARTICIPANT_INPUT = ("name", "phone", "email", "partner_id", "contact_id", "user_id")
# Fields an Update mask may name (status, participants and links have their own methods).
INTERACTION_MASK = frozenset({"title", "planned_at", "place", "outcome", "remind_at", "duration_s", "recording_url"})


def moment(request, field: str) -> str | None:
    """A Timestamp field of a request as the ISO text services read, None when unset."""
    return getattr(request, field).ToJsonString() if request.HasField(field) else None


def dated(request, query: dict[str, Any], keys: tuple[str, ...] = ("date_from", "date_to")) -> dict[str, Any]:
    """``query`` with the request's crm.v1.Date fields ``keys`` that are set, as ISO dates."""
    for key in keys:
        if getattr(request, key).iso:
            query[key] = getattr(request, key).iso
    return query


def items(result: Any) -> list[Any]:
    """The rows of a list answer: ``{"items": [...]}`` or a plain list."""
    return result if isinstance(result, list) else result["items"]


class InteractionsServicer(BridgedServicer, interactions_pb2_grpc.InteractionsServicer):
    service = SERVICE

    # --- interactions ---------------------------------------------------------------------
    async def Register(self, request, context):
        interaction = pick(to_payload(request.interaction), INTERACTION_INPUT)
        if "participants" in interaction:
            interaction["participants"] = [pick(p, PARTICIPANT_INPUT) for p in interaction["participants"]]
        return to_message(await self._create(context, request, "register", interaction=interaction), pb.Interaction)

    async def Get(self, request, context):
        return to_message(await self._call(context, "get", interaction_id=request.interaction_id), pb.Interaction)

    async def Update(self, request, context):
        changes = to_payload(request.interaction, only=mask_paths(request.update_mask, INTERACTION_MASK, "interaction"))
        result = await self._call(context, "update", interaction_id=request.interaction_id, changes=changes)
        return to_message(result, pb.Interaction)

    async def SetStatus(self, request, context):
        change = {
            "status": request.status,
            "outcome": blank_to_none(request.outcome),
            "planned_at": moment(request, "planned_at"),
        }
        result = await self._call(context, "set_status", interaction_id=request.interaction_id, change=change)
        return to_message(result, pb.Interaction)

    async def Complete(self, request, context):
        result = await self._call(context, "complete", interaction_id=request.interaction_id,
                                  outcome=blank_to_none(request.outcome))
        return to_message(result, pb.Interaction)

    async def FollowUp(self, request, context):
        follow_up = filled(request, ("kind", "title", "place", "responsible_id"))
        for key in ("planned_at", "remind_at"):
            if (value := moment(request, key)) is not None:
                follow_up[key] = value
        result = await self._create(context, request, "follow_up", interaction_id=request.interaction_id, follow_up=follow_up)
        return to_message(result, pb.Interaction)

    async def LinkCreated(self, request, context):
        result = await self._create(context, request, "link_created", interaction_id=request.interaction_id,
                                    kind=request.kind, id=request.created_id)
        return to_message(result, pb.Interaction)

    # --- chains ---------------------------------------------------------------------------
    async def ListChain(self, request, context):
        result = await self._call(context, "list_chain", interaction_id=request.interaction_id)
        return to_message({"interactions": items(result)}, pb.ListChainResponse)

    async def ListBySubject(self, request, context):
        limit = {"limit": request.limit} if request.limit else {}
        result = await self._call(context, "list_by_subject", subject_kind=request.subject_kind,
                                  subject_id=request.subject_id, **limit)
        return to_message({"interactions": items(result)}, pb.ListBySubjectResponse)

    # --- participants ---------------------------------------------------------------------
    async def AddParticipant(self, request, context):
        participant = pick(to_payload(request.participant), PARTICIPANT_INPUT)
        result = await self._create(context, request, "add_participant", interaction_id=request.interaction_id, participant=participant)
        return to_message(result, pb.Interaction)

    async def LinkParticipant(self, request, context):
        link = filled(request, ("partner_id", "contact_id", "user_id"))
        result = await self._call(context, "link_participant", participant_id=request.participant_id, link=link)
        return to_message(result, pb.Participant)

    async def LinkParticipants(self, request, context):
        result = await self._call(context, "link_participants", interaction_id=request.interaction_id)
        return to_message(result, pb.LinkParticipantsResponse)

    # --- calendar, overdue, forgotten clients ---------------------------------------------
    async def Calendar(self, request, context):
        result = await self._call(context, "calendar", query=dated(request, filled(request, ("user_id",))))
        return to_message({**result, "interactions": items(result)}, pb.CalendarResponse)

    async def Overdue(self, request, context):
        result = await self._call(context, "overdue", user_id=blank_to_none(request.user_id), now=moment(request, "now"))
        return to_message({**result, "interactions": items(result)}, pb.OverdueResponse)

    async def ForgottenClients(self, request, context):
        result = await self._call(context, "forgotten_clients", manager_id=request.manager_id, days=request.days,
                                  now=moment(request, "now"))
        return to_message({**result, "clients": items(result)}, pb.ForgottenClientsResponse)

    # --- calls, tasks and extensions ------------------------------------------------------
    async def GetCall(self, request, context):
        return to_message(await self._call(context, "get_call", call_id=request.call_id), pb.Interaction)

    async def ListCalls(self, request, context):
        query = dated(request, filled(request, ("partner_id", "responsible_id", "state", "limit")))
        result = await self._call(context, "list_calls", query=query)
        return to_message({"calls": items(result)}, pb.ListCallsResponse)

    async def ListTasks(self, request, context):
        query = filled(request, ("assignee_id", "partner_id", "status", "limit"))
        result = await self._call(context, "list_tasks", query=query)
        return to_message({"tasks": items(result)}, pb.ListInteractionTasksResponse)

    async def CompleteTask(self, request, context):
        result = await self._call(context, "complete_task", task_id=request.task_id, note=blank_to_none(request.note))
        return to_message(result, pb.InteractionTask)

    async def SetExtension(self, request, context):
        result = await self._call(context, "set_extension", extension=request.extension, user_id=request.user_id,
                                  region=blank_to_none(request.region), department=blank_to_none(request.department))
        return to_message(result, pb.ExtensionAssignment)

    async def ListExtensions(self, request, context):
        result = await self._call(context, "list_extensions")
        return to_message({"extensions": items(result)}, pb.ListExtensionsResponse)

    async def RemoveExtension(self, request, context):
        result = await self._call(context, "remove_extension", extension=request.extension)
        return to_message(result, pb.RemoveExtensionResponse)


def register(server, bridge, default_timeout: float = 5.0) -> None:
    interactions_pb2_grpc.add_InteractionsServicer_to_server(InteractionsServicer(bridge, default_timeout), server)
