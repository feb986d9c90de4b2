"""crm.v1.Notifications: templates, messages, subscriptions and the suppression list, mailing
groups and mailings, translated to the notifications service's RPCs.

The service checks templates (parsing, declared variables, the kind's offer), renders previews
in its sandbox and applies who sees which message; its typed errors become gRPC statuses in
the interceptor (gateway/errors.py).
"""

from __future__ import annotations

from typing import Any

from crm.v1 import notifications_pb2 as pb
from crm.v1 import notifications_pb2_grpc

from gateway.convert import to_message, to_payload
from gateway.servicers.bridged import BridgedServicer
from gateway.servicers.deals import filled

SERVICE = "notifications"
TEMPLATE_INPUT = ("code", "channel", "name", "variables", "subject", "text", "html")
SUBSCRIBE_INPUT = ("address", "topic", "source", "consent_at", "note", "partner_id", "contact_id")
GROUP_INPUT = ("name", "kind", "region", "department")
MAILING_INPUT = ("name", "topic", "template_code", "group_id", "scheduled_at")


def chosen(request, keys: tuple[str, ...]) -> dict[str, Any]:
    """The fields ``keys`` a client set in ``request`` (timestamps as ISO text)."""
    payload = to_payload(request)
    return {key: payload[key] for key in keys if key in payload}


def template_input(request_template) -> dict[str, Any]:
    payload = to_payload(request_template)
    template = {key: payload[key] for key in TEMPLATE_INPUT if key in payload}
    template.setdefault("variables", [])
    return template


class NotificationsServicer(BridgedServicer, notifications_pb2_grpc.NotificationsServicer):
    service = SERVICE

    async def SaveTemplate(self, request, context):
        result = await self._call(context, "save_template", template=template_input(request.template))
        return to_message(result, pb.Template)

    async def GetTemplate(self, request, context):
        result = await self._call(context, "get_template", ref=filled(request, ("code", "channel", "version")))
        return to_message(result, pb.Template)

    async def ListTemplates(self, request, context):
        return to_message({"templates": await self._call(context, "list_templates")}, pb.ListTemplatesResponse)

    async def DeleteTemplate(self, request, context):
        result = await self._call(context, "delete_template", ref=filled(request, ("code", "channel")))
        return to_message(result, pb.DeleteTemplateResponse)

    async def PreviewTemplate(self, request, context):
        preview = filled(request, ("code", "channel", "version"))
        if request.HasField("template"):
            preview["template"] = template_input(request.template)
        if request.variables:
            preview["variables"] = dict(request.variables)
        return to_message(await self._call(context, "preview", request=preview), pb.PreviewTemplateResponse)

    async def ListKinds(self, request, context):
        return to_message({"kinds": await self._call(context, "list_kinds")}, pb.ListKindsResponse)

    async def SetKind(self, request, context):
        change = filled(request, ("template_code",))
        if request.HasField("enabled"):
            change["enabled"] = request.enabled
        return to_message(await self._call(context, "set_kind", code=request.code, change=change), pb.NotificationKind)

    async def ListMessages(self, request, context):
        filters = filled(request, ("partner_id", "user_id", "kind", "status", "limit"))
        result = await self._call(context, "list_messages", filters=filters)
        return to_message({"messages": result["items"]}, pb.ListMessagesResponse)

    async def GetMessage(self, request, context):
        return to_message(await self._call(context, "get_message", message_id=request.message_id), pb.Message)

    async def SetStaffContact(self, request, context):
        contact = filled(request, ("full_name", "email", "phone"))
        result = await self._call(context, "set_staff_contact", user_id=request.user_id, contact=contact)
        return to_message(result, pb.StaffContact)

    # --- subscriptions and the suppression list --------------------------------------------
    async def Subscribe(self, request, context):
        result = await self._create(context, request, "subscribe", subscription=chosen(request, SUBSCRIBE_INPUT))
        return to_message(result, pb.Subscription)

    async def Unsubscribe(self, request, context):
        result = await self._call(context, "unsubscribe", request=filled(request, ("address", "topic", "source")))
        return to_message(result, pb.Subscription)

    async def UnsubscribeByToken(self, request, context):
        result = await self._call(context, "unsubscribe_by_token", token=request.token)
        return to_message(result, pb.UnsubscribeByTokenResponse)

    async def ListSubscriptions(self, request, context):
        filters = filled(request, ("address", "partner_id", "topic", "status", "limit"))
        result = await self._call(context, "list_subscriptions", filters=filters)
        return to_message({"subscriptions": result["items"]}, pb.ListSubscriptionsResponse)

    async def Suppress(self, request, context):
        result = await self._call(context, "suppress", suppression=filled(request, ("address", "reason", "detail")))
        return to_message(result, pb.Suppression)

    async def Unsuppress(self, request, context):
        result = await self._call(context, "unsuppress", request=filled(request, ("address", "reason")))
        return to_message(result, pb.UnsuppressResponse)

    async def ListSuppressions(self, request, context):
        result = await self._call(context, "list_suppressions", filters=filled(request, ("address", "reason", "limit")))
        return to_message({"suppressions": result["items"]}, pb.ListSuppressionsResponse)

    # --- mailing groups and mailings ---------------------------------------------------------
    async def CreateGroup(self, request, context):
        group = filled(request, GROUP_INPUT)
        if request.HasField("members"):
            group["members"] = {"partner_ids": list(request.members.partner_ids), "contact_ids": list(request.members.contact_ids)}
        if request.conditions:
            group["conditions"] = [{"field": c.field, "op": c.op, "values": list(c.values)} for c in request.conditions]
        return to_message(await self._create(context, request, "create_group", group=group), pb.MailingGroup)

    async def GetGroup(self, request, context):
        return to_message(await self._call(context, "get_group", group_id=request.group_id), pb.MailingGroup)

    async def ListGroups(self, request, context):
        return to_message({"groups": await self._call(context, "list_groups")}, pb.ListGroupsResponse)

    async def DeleteGroup(self, request, context):
        return to_message(await self._call(context, "delete_group", group_id=request.group_id), pb.DeleteGroupResponse)

    async def PreviewGroup(self, request, context):
        return to_message(await self._call(context, "preview_group", group_id=request.group_id), pb.PreviewGroupResponse)

    async def CreateMailing(self, request, context):
        result = await self._create(context, request, "create_mailing", mailing=chosen(request, MAILING_INPUT))
        return to_message(result, pb.Mailing)

    async def ScheduleMailing(self, request, context):
        result = await self._call(context, "schedule_mailing", mailing_id=request.mailing_id, schedule=chosen(request, ("scheduled_at",)))
        return to_message(result, pb.Mailing)

    async def CancelMailing(self, request, context):
        return to_message(await self._call(context, "cancel_mailing", mailing_id=request.mailing_id), pb.Mailing)

    async def GetMailing(self, request, context):
        return to_message(await self._call(context, "get_mailing", mailing_id=request.mailing_id), pb.Mailing)

    async def ListMailings(self, request, context):
        result = await self._call(context, "list_mailings", filters=filled(request, ("status", "group_id", "limit")))
        return to_message({"mailings": result["items"]}, pb.ListMailingsResponse)


def register(server, bridge, default_timeout: float = 5.0) -> None:
    notifications_pb2_grpc.add_NotificationsServicer_to_server(NotificationsServicer(bridge, default_timeout), server)
