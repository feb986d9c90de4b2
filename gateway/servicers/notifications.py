"""crm.v1.Notifications: templates and messages, translated to the notifications service's RPCs.

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


def register(server, bridge, default_timeout: float = 5.0) -> None:
    notifications_pb2_grpc.add_NotificationsServicer_to_server(NotificationsServicer(bridge, default_timeout), server)
