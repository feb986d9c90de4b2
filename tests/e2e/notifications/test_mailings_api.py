"""crm.v1.Notifications through the gateway: subscriptions (idempotent by request_id, bad input
named), the suppression list (admins), groups (an unknown condition field named) and a mailing
to a dynamic group: sent to the subscribed addresses only, with a one-click unsubscribe link that
works, and seen only by those who see it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import grpc
from crm.v1 import notifications_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import create_engine, insert

from services.notifications.models import RecipientPartner
from tests.e2e.conftest import ADMIN, ANNA, BORIS
from tests.e2e.test_deals import field_violations, refused
from tests.support.platform import sqlalchemy_url
from tests.support.waiting import eventually


def copied_partners(env, segment: str, addresses: list[str]) -> None:
    """Partners in the service's copy as partners' events leave them (no partners process here)."""
    engine = create_engine(sqlalchemy_url(env["NOTIFICATIONS_DATABASE_URL"]))
    try:
        with engine.begin() as conn:
            for address in addresses:
                conn.execute(
                    insert(RecipientPartner.__table__).values(
                        id=str(uuid.uuid4()), short_name=f"Клиент {address}", kinds=["client"], status="active", segment=segment,
                        emails=[{"address": address, "kind": "work"}], phones=[], region="msk", department="north",
                        manager_id="anna", source="exhibition", as_of=datetime.now(UTC),
                    )
                )  # fmt: skip
    finally:
        engine.dispose()


def test_subscriptions_and_the_suppression_list(notifications):
    address = f"sub-{uuid.uuid4().hex[:6]}@romashka.example"
    request = pb.SubscribeRequest(address=address, topic="news", source="web_form", note="форма", request_id=f"req-{address}")
    first = notifications.Subscribe(request, metadata=ADMIN)
    again = notifications.Subscribe(request, metadata=ADMIN)
    assert (first.status, first.consent_source, first.consent_by, again.id) == ("subscribed", "web_form", "admin-1", first.id)
    bad = refused(
        lambda: notifications.Subscribe(pb.SubscribeRequest(address="nope", topic="News!", source="pigeon"), metadata=ADMIN),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(bad) == {"address", "topic", "source"}
    refused(
        lambda: notifications.Subscribe(pb.SubscribeRequest(address=address, topic="news", source="phone"), metadata=ANNA),
        grpc.StatusCode.PERMISSION_DENIED,
    )  # an address of no partner: admins and heads of sales
    unsubscribed = notifications.Unsubscribe(pb.UnsubscribeRequest(address=address, topic="news", source="phone"), metadata=ADMIN)
    assert (unsubscribed.status, unsubscribed.unsubscribe_source) == ("unsubscribed", "phone")

    refused(
        lambda: notifications.Suppress(pb.SuppressRequest(address=address, reason="manual"), metadata=ANNA),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    bad = refused(
        lambda: notifications.Suppress(pb.SuppressRequest(address=address, reason="grumpy"), metadata=ADMIN),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(bad) == {"reason"}
    notifications.Suppress(pb.SuppressRequest(address=address, reason="complaint", detail="спам"), metadata=ADMIN)
    listed = notifications.ListSuppressions(pb.ListSuppressionsRequest(address=address), metadata=ADMIN).suppressions
    assert [(s.reason, s.detail, s.created_by) for s in listed] == [("complaint", "спам", "admin-1")]
    assert notifications.Unsuppress(pb.UnsuppressRequest(address=address, reason="complaint"), metadata=ADMIN).removed
    refused(
        lambda: notifications.Unsuppress(pb.UnsuppressRequest(address=address, reason="complaint"), metadata=ADMIN),
        grpc.StatusCode.NOT_FOUND,
    )


def test_a_mailing_to_a_dynamic_group_through_the_gateway(notifications, notifications_platform):
    tag = uuid.uuid4().hex[:6]
    segment = f"seg-{tag}"
    reached, silent = f"yes-{tag}@romashka.example", f"no-{tag}@romashka.example"
    copied_partners(notifications_platform["env"], segment, [reached, silent])
    notifications.Subscribe(pb.SubscribeRequest(address=reached, topic="news", source="import"), metadata=ADMIN)
    notifications.SaveTemplate(
        pb.SaveTemplateRequest(template=pb.TemplateInput(code=f"news_{tag}", channel="email", name="Новости", variables=["recipient_name"],
                                                         subject=f"Новости {tag}", text="Здравствуйте, {{ recipient_name }}!")),
        metadata=ADMIN,
    )  # fmt: skip

    bad = refused(
        lambda: notifications.CreateGroup(
            pb.CreateGroupRequest(name="x", kind="dynamic", conditions=[pb.GroupCondition(field="zodiac", op="eq", values=["leo"])]),
            metadata=ANNA,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(bad) == {"conditions.0.field"} and "zodiac" in bad.details()
    group = notifications.CreateGroup(
        pb.CreateGroupRequest(name="Сегмент", kind="dynamic", request_id=f"g-{tag}",
                              conditions=[pb.GroupCondition(field="segment", op="eq", values=[segment])]),
        metadata=ANNA,
    )  # fmt: skip
    assert (group.manager_id, group.department, group.conditions[0].values) == ("anna", "north", [segment])
    assert notifications.PreviewGroup(pb.PreviewGroupRequest(group_id=group.id), metadata=ANNA).addresses == 2
    bad = refused(
        lambda: notifications.CreateMailing(
            pb.CreateMailingRequest(name="m", topic="news", template_code="invoice_overdue", group_id=group.id), metadata=ANNA
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(bad) == {"template_code"}
    now = Timestamp()
    now.GetCurrentTime()
    mailing = notifications.CreateMailing(
        pb.CreateMailingRequest(name="Декабрь", topic="news", template_code=f"news_{tag}", group_id=group.id, scheduled_at=now,
                                request_id=f"m-{tag}"),
        metadata=ANNA,
    )  # fmt: skip
    assert mailing.status == "scheduled"

    def sent():
        current = notifications.GetMailing(pb.GetMailingRequest(mailing_id=mailing.id), metadata=ANNA)
        return current.status == "sent" and current

    assert eventually(sent).counters.sent == 1
    refused(lambda: notifications.GetMailing(pb.GetMailingRequest(mailing_id=mailing.id), metadata=BORIS), grpc.StatusCode.NOT_FOUND)
    assert not notifications.ListMailings(pb.ListMailingsRequest(), metadata=BORIS).mailings
    refused(
        lambda: notifications.CancelMailing(pb.CancelMailingRequest(mailing_id=mailing.id), metadata=ANNA),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    smtp = notifications_platform["smtp"]
    assert not smtp.letters_to(silent)
    (letter,) = smtp.letters_to(reached)
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = str(letter["List-Unsubscribe"]).strip("<>").split("token=", 1)[1]
    bad = refused(
        lambda: notifications.UnsubscribeByToken(pb.UnsubscribeByTokenRequest(token="x." + token.split(".")[1]), metadata=ANNA),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert field_violations(bad) == {"token"}
    assert notifications.UnsubscribeByToken(pb.UnsubscribeByTokenRequest(token=token), metadata=ANNA).topic == "news"
    (row,) = notifications.ListSubscriptions(pb.ListSubscriptionsRequest(address=reached), metadata=ADMIN).subscriptions
    assert (row.status, row.unsubscribe_source) == ("unsubscribed", "link")
    counters = notifications.GetMailing(pb.GetMailingRequest(mailing_id=mailing.id), metadata=ANNA).counters
    assert (counters.sent, counters.unsubscribed) == (1, 1)
