"""Consent against the real SMTP server, PostgreSQL and RabbitMQ: a hard bounce suppresses the
address (later letters, debt notices too, are not sent), an unsubscribed address gets no
marketing but does get a debt notice, the one-click link unsubscribes."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text

from contracts import deals as deal_events
from contracts import partners as partner_events
from crm_kit.errors import ValidationError
from services.notifications.models import Message
from tests.integration.notifications.conftest import ADMIN, ANNA
from tests.integration.notifications.test_email import copied, messages, new_partner, overdue
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def marketing_letter(engine, partner_id: str, address: str, topic: str) -> str:
    """A marketing message queued as a mailing's fan-out queues it (the mailing itself is the
    next slice): the sender decides whether it may go."""
    message_id, now = str(uuid.uuid4()), datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(Message.__table__).values(
                id=message_id, kind="mailing", event_id=str(uuid.uuid4()), recipient=f"partner:{partner_id}", channel="email",
                address=address, partner_id=partner_id, subject=f"Новости {message_id[:6]}", body_text="Новинки месяца",
                status="queued", attempts=0, next_attempt_at=now, created_at=now, updated_at=now, topic=topic,
            )
        )  # fmt: skip
    return message_id


def status_of(call, partner_id: str, message_id: str) -> str:
    return next(m for m in messages(call, partner_id=partner_id) if m["id"] == message_id)["status"]


def test_a_hard_bounce_suppresses_the_address_and_later_debt_notices_are_not_sent(call, publish, smtp_server):
    partner = new_partner(publish, emails=[{"address": "reject-bounce@romashka.example", "kind": "billing"}])
    eventually(copied(call, partner["id"]))
    publish(deal_events.INVOICE_OVERDUE, overdue(partner["id"]))
    bounced = eventually(lambda: [m for m in messages(call, partner_id=partner["id"]) if m["status"] == "bounced"])
    assert bounced[0]["error"].startswith("550")
    listed = call(ADMIN).notifications.list_suppressions({"address": "reject-bounce@romashka.example"})["items"]
    assert [(s["reason"], s["detail"][:3]) for s in listed] == [("hard_bounce", "550")]

    later = publish(deal_events.INVOICE_OVERDUE, overdue(partner["id"]))
    row = eventually(
        lambda: [m for m in messages(call, partner_id=partner["id"]) if m["event_id"] == later["event_id"] and m["status"] == "suppressed"]
    )[0]
    assert row["attempts"] == 0 and row["error"] == "address suppressed: hard_bounce"


def test_an_unsubscribed_address_gets_no_marketing_but_gets_a_debt_notice_and_the_link_unsubscribes(
    call, publish, smtp_server, notifications_db
):
    address = f"news-{uuid.uuid4().hex[:6]}@romashka.example"
    partner = new_partner(publish, emails=[{"address": address, "kind": "billing"}])
    eventually(copied(call, partner["id"]))
    subscribed = call(ANNA).notifications.subscribe(
        {"address": address.upper(), "topic": "news", "source": "web_form", "partner_id": partner["id"], "note": "форма на сайте"}
    )
    assert (subscribed["address"], subscribed["status"], subscribed["consent_by"]) == (address, "subscribed", "anna")

    first = marketing_letter(notifications_db, partner["id"], address, "news")
    eventually(lambda: status_of(call, partner["id"], first) == "sent")
    letter = smtp_server.letters_to(address)[0]
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = letter["List-Unsubscribe"].strip("<>").split("token=", 1)[1]

    with pytest.raises(ValidationError) as bad:
        call(ADMIN).notifications.unsubscribe_by_token(token[:-3] + "AAA")
    assert "token" in str(bad.value)
    assert call(ADMIN).notifications.unsubscribe_by_token(token)["topic"] == "news"
    (row,) = call(ANNA).notifications.list_subscriptions({"address": address})["items"]
    assert (row["status"], row["unsubscribe_source"], row["consent_source"]) == ("unsubscribed", "link", "web_form")

    second = marketing_letter(notifications_db, partner["id"], address, "news")
    notice = publish(deal_events.INVOICE_OVERDUE, overdue(partner["id"]))
    eventually(
        lambda: [m for m in messages(call, partner_id=partner["id"]) if m["event_id"] == notice["event_id"] and m["status"] == "sent"]
    )
    assert eventually(lambda: status_of(call, partner["id"], second) == "suppressed")
    letters = smtp_server.letters_to(address)
    assert len(letters) == 2 and letters[1]["List-Unsubscribe"] is None  # the debt notice, with no unsubscribe link


def segment_partner(publish, address: str, segment: str, **fields) -> dict:
    partner_id = str(uuid.uuid4())
    view = copy.deepcopy(partner_events.PARTNER)
    view.update(id=partner_id, short_name=f"Клиент {address}", segment=segment, emails=[{"address": address, "kind": "work"}], contacts=[],
                **fields)  # fmt: skip
    publish(partner_events.PARTNER_REGISTERED, {**partner_events.ABOUT, "partner_id": partner_id, "kinds": view["kinds"], "partner": view})
    return view


def test_a_mailing_to_a_dynamic_group_reaches_exactly_the_matching_subscribed_addresses_once_also_when_redone(
    call, publish, smtp_server, notifications_db
):
    segment, tag = f"seg-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex[:6]
    reached = [f"m{index}-{tag}@romashka.example" for index in range(3)]
    others = {
        "silent": f"silent-{tag}@romashka.example",  # in the group, never subscribed
        "bounced": f"bounced-{tag}@romashka.example",  # in the group, subscribed, bounced before
        "supplier": f"supplier-{tag}@romashka.example",  # subscribed, not a client
        "elsewhere": f"elsewhere-{tag}@romashka.example",  # subscribed, another segment
    }
    made = [segment_partner(publish, address, segment) for address in [*reached, others["silent"], others["bounced"]]]
    made.append(segment_partner(publish, others["supplier"], segment, kinds=["supplier"]))
    made.append(segment_partner(publish, others["elsewhere"], f"other-{segment}"))
    for partner in made:
        eventually(copied(call, partner["id"]))
    for address in [*reached, others["bounced"], others["supplier"], others["elsewhere"]]:
        call(ADMIN).notifications.subscribe({"address": address, "topic": "news", "source": "import"})
    call(ADMIN).notifications.suppress({"address": others["bounced"], "reason": "hard_bounce", "detail": "550 earlier"})
    call(ADMIN).notifications.save_template(
        {"code": f"news_{tag}", "channel": "email", "name": "Новости", "variables": ["recipient_name"], "subject": f"Новости {tag}",
         "text": "Здравствуйте, {{ recipient_name }}!"}
    )  # fmt: skip

    with pytest.raises(ValidationError) as refused:
        call(ANNA).notifications.create_group(
            {"name": "x", "kind": "dynamic", "conditions": [{"field": "zodiac", "op": "eq", "values": ["leo"]}]}
        )
    assert "conditions.0.field" in refused.value.details
    group = call(ANNA).notifications.create_group(
        {"name": "Сегмент", "kind": "dynamic", "conditions": [{"field": "segment", "op": "eq", "values": [segment]},
                                                           {"field": "kind", "op": "in", "values": ["client"]}]}
    )  # fmt: skip
    mailing = call(ANNA).notifications.create_mailing(
        {"name": "Декабрь", "topic": "news", "template_code": f"news_{tag}", "group_id": group["id"]}
    )
    call(ANNA).notifications.schedule_mailing(mailing["id"])

    def sent():
        current = call(ANNA).notifications.get_mailing(mailing["id"])
        return current["status"] == "sent" and current

    assert eventually(sent)["counters"]["sent"] == 3
    # The fan-out done again from the start (a crash that lost its progress): nobody gets two.
    with notifications_db.begin() as conn:
        conn.execute(
            text("UPDATE mailings SET status = 'sending', fanned_out = false, cursor = NULL WHERE id = :id"), {"id": mailing["id"]}
        )
    eventually(sent)
    letters = [letter for letter in smtp_server.handler.letters if letter["Subject"] == f"Новости {tag}"]
    assert sorted(str(letter["To"]) for letter in letters) == sorted(reached)
    assert all(letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for letter in letters)
