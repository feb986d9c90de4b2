"""crm.v1.Notifications through the gateway: templates (save, versions, refusals naming the
variable, preview, delete) and messages (a reminder's letter, listed and read by who may see it)."""

from __future__ import annotations

import json
import uuid

import grpc
from crm.v1 import notifications_pb2 as pb

from contracts import interactions as interaction_events
from crm_kit.actor import SYSTEM
from crm_kit.db import event_envelope
from tests.e2e.conftest import ADMIN, ANNA, BORIS
from tests.e2e.test_deals import field_violations, refused
from tests.support.platform import publish_event
from tests.support.waiting import eventually


def test_templates_are_saved_as_versions_refused_naming_the_variable_and_previewed(notifications):
    code = f"welcome_{uuid.uuid4().hex[:6]}"
    draft = pb.TemplateInput(
        code=code,
        channel="email",
        name="Приветствие",
        variables=["name"],
        subject="Здравствуйте, {{ name }}",
        text="{{ name }}, ваш долг {{ debt }}",
    )
    error = refused(
        lambda: notifications.SaveTemplate(pb.SaveTemplateRequest(template=draft), metadata=ADMIN), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert field_violations(error) == {"text"} and "unknown variable 'debt'" in error.details()
    refused(lambda: notifications.GetTemplate(pb.GetTemplateRequest(code=code), metadata=ADMIN), grpc.StatusCode.NOT_FOUND)
    refused(lambda: notifications.SaveTemplate(pb.SaveTemplateRequest(template=draft), metadata=ANNA), grpc.StatusCode.PERMISSION_DENIED)

    draft.variables.append("debt")
    draft.html = "<p>{{ name }}: {{ debt | money('RUB') }}</p>"
    first = notifications.SaveTemplate(pb.SaveTemplateRequest(template=draft), metadata=ADMIN)
    second = notifications.SaveTemplate(pb.SaveTemplateRequest(template=draft), metadata=ADMIN)
    assert (first.version, second.version, second.created_by) == (1, 2, "admin-1")
    assert notifications.GetTemplate(pb.GetTemplateRequest(code=code, version=1), metadata=ANNA).id == first.id
    assert code in {t.code for t in notifications.ListTemplates(pb.ListTemplatesRequest(), metadata=ANNA).templates}

    preview = notifications.PreviewTemplate(
        pb.PreviewTemplateRequest(code=code, variables={"name": "<ООО «Ромашка»>", "debt": "1500.5"}), metadata=ANNA
    )
    assert preview.subject == "Здравствуйте, <ООО «Ромашка»>"
    assert preview.html == "<p>&lt;ООО «Ромашка»&gt;: 1\xa0500,50\xa0₽</p>"
    missing = refused(
        lambda: notifications.PreviewTemplate(pb.PreviewTemplateRequest(code=code, variables={"name": "x"}), metadata=ANNA),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(missing) == {"variables.debt"}
    shipped = notifications.PreviewTemplate(pb.PreviewTemplateRequest(code="invoice_overdue"), metadata=ANNA)
    assert shipped.subject == "Счёт № СЧ-101: оплата просрочена на 3 дня"

    refused(
        lambda: notifications.DeleteTemplate(pb.DeleteTemplateRequest(code="invoice_overdue"), metadata=ADMIN),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert notifications.DeleteTemplate(pb.DeleteTemplateRequest(code=code), metadata=ADMIN).versions_deleted == 2


def test_a_reminder_s_letter_is_listed_for_its_user_and_hidden_from_others(notifications, notifications_platform):
    notifications.SetStaffContact(pb.SetStaffContactRequest(user_id="anna", email="anna@crm.example", full_name="Анна"), metadata=ADMIN)
    bad = refused(
        lambda: notifications.SetStaffContact(pb.SetStaffContactRequest(user_id="anna", email="nope"), metadata=ADMIN),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(bad) == {"email"}
    contract = interaction_events.REMINDER_DUE
    envelope = json.loads(
        json.dumps(
            event_envelope(
                contract.source, contract, {**contract.example, "interaction_id": str(uuid.uuid4()), "title": "Позвонить в Ромашку"}, SYSTEM
            ),
            default=str,
        )
    )
    publish_event(notifications_platform["env"]["AMQP_URI"], envelope, contract.routing_key, contract.source,
                  actor_header=SYSTEM.to_header())

    def sent():
        listed = notifications.ListMessages(pb.ListMessagesRequest(user_id="anna", status="sent"), metadata=ANNA).messages
        return [m for m in listed if m.event_id == envelope["event_id"]]

    message = eventually(sent)[0]
    assert (message.kind, message.address, message.attempts) == ("reminder_due", "anna@crm.example", 1)
    assert message.subject.startswith("Напоминание: Позвонить в Ромашку") and message.sent_at.seconds > 0
    assert notifications.GetMessage(pb.GetMessageRequest(message_id=message.id), metadata=ANNA).provider_id == message.provider_id
    refused(lambda: notifications.GetMessage(pb.GetMessageRequest(message_id=message.id), metadata=BORIS), grpc.StatusCode.NOT_FOUND)
    letters = notifications_platform["smtp"].letters_to("anna@crm.example")
    assert [letter["Message-ID"] for letter in letters if letter["Message-ID"] == message.provider_id]


def test_kinds_are_listed_and_turned_off_and_on(notifications):
    kinds = {k.code: k for k in notifications.ListKinds(pb.ListKindsRequest(), metadata=ANNA).kinds}
    assert set(kinds) == {"invoice_overdue", "reminder_due", "call_missed", "deal_stuck"}
    overdue = kinds["invoice_overdue"]
    assert (overdue.event, overdue.audience, overdue.template_code, overdue.enabled) == (
        "deals.invoice_overdue",
        "client_billing",
        "invoice_overdue",
        True,
    )
    assert "balance" in overdue.variables
    refused(
        lambda: notifications.SetKind(pb.SetKindRequest(code="deal_stuck", enabled=False), metadata=ANNA), grpc.StatusCode.PERMISSION_DENIED
    )
    bad = refused(
        lambda: notifications.SetKind(pb.SetKindRequest(code="deal_stuck", template_code="reminder_due"), metadata=ADMIN),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(bad) == {"template_code"}
    assert notifications.SetKind(pb.SetKindRequest(code="deal_stuck", enabled=False), metadata=ADMIN).enabled is False
    again = notifications.SetKind(pb.SetKindRequest(code="deal_stuck", enabled=True), metadata=ADMIN)
    assert (again.enabled, again.template_code) == (True, "deal_stuck")
