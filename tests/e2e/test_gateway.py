"""End to end through the gRPC gateway with the real services, RabbitMQ and PostgreSQL."""

from __future__ import annotations

import json
import os
import urllib.request
import uuid

import grpc
import pytest
from crm.v1 import card_pb2, partners_pb2
from google.protobuf import field_mask_pb2
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

from tests.e2e.conftest import ADMIN, ANNA, BORIS, SECRET, auth, token
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


def phone() -> str:
    return f"+7495{uuid.uuid4().int % 10**7:07d}"


def new_partner(name: str, **fields) -> partners_pb2.Partner:
    return partners_pb2.Partner(kinds=["client"], legal_form="legal_entity", short_name=name, region="msk", **fields)


def test_health_and_reflection(channel):
    health = health_pb2_grpc.HealthStub(channel)
    assert health.Check(health_pb2.HealthCheckRequest(service="")).status == health_pb2.HealthCheckResponse.SERVING
    assert health.Check(health_pb2.HealthCheckRequest(service="crm.v1.Partners")).status == health_pb2.HealthCheckResponse.SERVING
    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
    answer = next(reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    names = {service.name for service in answer.list_services_response.service}
    assert {"crm.v1.Partners", "crm.v1.ClientCards", "grpc.health.v1.Health"} <= names


def test_calls_without_a_valid_token_are_unauthenticated(partners):
    request = partners_pb2.GetPartnerRequest(partner_id=str(uuid.uuid4()))
    for metadata in ((), auth("not.a.jwt"), auth(token("x", ("admin",), ttl_seconds=-120)),
                     (("authorization", "Bearer " + token("x", ("admin",)).replace(SECRET, "")[:-3] + "abc"),)):
        with pytest.raises(grpc.RpcError) as caught:
            partners.GetPartner(request, metadata=metadata)
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_register_and_read_back(partners):
    number = phone()
    reply = partners.RegisterPartner(
        partners_pb2.RegisterPartnerRequest(
            partner=new_partner(
                "ООО «Гейтвей»", inn="7707083893", kpp="773601001",
                phones=[partners_pb2.Phone(number="8" + number[2:])],
                contacts=[partners_pb2.Contact(full_name="Мария Иванова", roles=["buyer"],
                                               phones=[partners_pb2.Phone(number="+79161112233")])],
            ),
            duplicate_policy=partners_pb2.DUPLICATE_POLICY_WARN,
        ),
        metadata=ANNA,
    )
    partner = reply.partner
    assert partner.manager_id == "anna" and partner.phones[0].number == number
    assert partner.created_at.seconds > 0
    again = partners.GetPartner(partners_pb2.GetPartnerRequest(partner_id=partner.id), metadata=ANNA)
    assert again.contacts[0].full_name == "Мария Иванова" and list(again.contacts[0].roles) == ["buyer"]
    found = partners.FindByPhone(partners_pb2.FindByPhoneRequest(number=number), metadata=ANNA)
    assert [m.partner_id for m in found.matches] == [partner.id]


def test_duplicate_is_refused_with_already_exists_and_listed(partners):
    number = phone()
    first = partners.RegisterPartner(
        partners_pb2.RegisterPartnerRequest(partner=new_partner("Дубликат Гейтвей", phones=[partners_pb2.Phone(number=number)])),
        metadata=ANNA,
    ).partner
    with pytest.raises(grpc.RpcError) as caught:
        partners.RegisterPartner(
            partners_pb2.RegisterPartnerRequest(partner=new_partner("Dublikat Gateway", phones=[partners_pb2.Phone(number=number)])),
            metadata=ANNA,
        )
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    status = rpc_status.from_call(caught.value)
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    details = json.loads(info.metadata["details"])
    assert details["matches"][0]["partner_id"] == first.id
    assert details["matches"][0]["score"] >= 90  # numbers stay numbers across RPC
    assert "same_phone" in {r["kind"] for r in details["matches"][0]["reasons"]}


def test_bad_input_gives_field_violations_and_writes_nothing(partners):
    with pytest.raises(grpc.RpcError) as caught:
        partners.RegisterPartner(
            partners_pb2.RegisterPartnerRequest(
                partner=new_partner("Плохой Ввод", inn="1234567890", phones=[partners_pb2.Phone(number="42")])
            ),
            metadata=ANNA,
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(caught.value)
    bad = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad)
    fields = {violation.field for violation in bad.field_violations}
    assert {"inn", "phones.0.number"} <= fields
    search = partners.SearchPartners(partners_pb2.SearchPartnersRequest(text="Плохой Ввод", status="any"), metadata=ADMIN)
    assert list(search.partners) == []
    with pytest.raises(grpc.RpcError) as caught:
        partners.UpdatePartner(partners_pb2.UpdatePartnerRequest(partner_id=str(uuid.uuid4()),
                                                                 update_mask=field_mask_pb2.FieldMask(paths=["manager_id"])),
                               metadata=ANNA)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as caught:
        partners.GetPartner(partners_pb2.GetPartnerRequest(partner_id="nope"), metadata=ANNA)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_another_manager_can_read_neither_partner_nor_card(partners, cards):
    partner = partners.RegisterPartner(
        partners_pb2.RegisterPartnerRequest(partner=new_partner("Секрет Анны"), duplicate_policy=partners_pb2.DUPLICATE_POLICY_SKIP),
        metadata=ANNA,
    ).partner
    for call in (
        lambda: partners.GetPartner(partners_pb2.GetPartnerRequest(partner_id=partner.id), metadata=BORIS),
        lambda: cards.GetClientCard(card_pb2.GetClientCardRequest(partner_id=partner.id), metadata=BORIS),
    ):
        with pytest.raises(grpc.RpcError) as caught:
            call()
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as caught:
        partners.ReassignPartner(partners_pb2.ReassignPartnerRequest(partner_id=partner.id, manager_id="boris"), metadata=BORIS)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_client_card_with_every_section_then_with_one_service_stopped(partners, cards, section_service):
    partner = partners.RegisterPartner(
        partners_pb2.RegisterPartnerRequest(
            partner=new_partner("Карточка", segment="retail",
                                contacts=[partners_pb2.Contact(full_name="Лицо Решающее", roles=["decision_maker"])]),
            duplicate_policy=partners_pb2.DUPLICATE_POLICY_SKIP,
        ),
        metadata=ANNA,
    ).partner
    card = cards.GetClientCard(card_pb2.GetClientCardRequest(partner_id=partner.id), metadata=ANNA)
    assert card.partner.short_name == "Карточка"
    assert card.partner.contacts[0].roles == ["decision_maker"]
    assert card.manager.manager_id == "anna" and card.figures.contacts == 1
    states = {s.name: s for s in card.sections}
    assert states["partners"].state == card_pb2.SECTION_STATE_AVAILABLE
    assert states["probe_section"].state == card_pb2.SECTION_STATE_AVAILABLE
    assert states["probe_section"].data["asked_by"] == "anna"

    section_service.stop()
    try:
        # Sections are cached per caller until an event changes them: a caller whose card is not
        # cached yet shows what a stopped service does to a card.
        card = cards.GetClientCard(card_pb2.GetClientCardRequest(partner_id=partner.id), metadata=ADMIN, timeout=10)
        states = {s.name: s for s in card.sections}
        assert card.partner.id == partner.id
        assert states["partners"].state == card_pb2.SECTION_STATE_AVAILABLE
        assert states["probe_section"].state == card_pb2.SECTION_STATE_UNAVAILABLE
        assert "probe_section" in states["probe_section"].reason
    finally:
        section_service.start()


def test_card_follows_changes(partners, cards):
    partner = partners.RegisterPartner(
        partners_pb2.RegisterPartnerRequest(partner=new_partner("Меняющаяся"), duplicate_policy=partners_pb2.DUPLICATE_POLICY_SKIP),
        metadata=ANNA,
    ).partner
    request = card_pb2.GetClientCardRequest(partner_id=partner.id)
    assert cards.GetClientCard(request, metadata=ANNA).partner.segment == ""
    partners.UpdatePartner(
        partners_pb2.UpdatePartnerRequest(partner_id=partner.id, partner=partners_pb2.Partner(segment="vip"),
                                          update_mask=field_mask_pb2.FieldMask(paths=["segment"])),
        metadata=ANNA,
    )
    eventually(lambda: cards.GetClientCard(request, metadata=ANNA).partner.segment == "vip", what="the card to show the change")


def test_agreements_and_handover_through_the_gateway(partners):
    head = auth(token("head-n", ("head_of_sales",), department="north"))
    standard = partners.CreateAgreement(partners_pb2.CreateAgreementRequest(agreement=partners_pb2.Agreement(
        kind="standard", name=f"Розница {uuid.uuid4().hex[:4]}", segment="retail",
        prepayment_share={"value": "50"}, credit_days=7, discount_percent={"value": "2.5"},
    )), metadata=head)
    assert standard.discount_percent.value == "2.50" and standard.status == "draft"
    approved = partners.SetAgreementStatus(partners_pb2.SetAgreementStatusRequest(agreement_id=standard.id, status="approved"),
                                           metadata=head)
    assert approved.approved_by == "head-n"
    leaving = f"leaving-{uuid.uuid4().hex[:6]}"
    for i in range(2):
        partners.RegisterPartner(partners_pb2.RegisterPartnerRequest(
            partner=new_partner(f"Передача {leaving} {i}", manager_id=leaving, department="north"),
            duplicate_policy=partners_pb2.DUPLICATE_POLICY_SKIP), metadata=head)
    moved = partners.HandOverClients(partners_pb2.HandOverClientsRequest(from_manager_id=leaving, to_manager_id="anna"),
                                     metadata=head)
    assert moved.count == 2


def test_gateway_metrics(gateway, partners):
    partners.SearchPartners(partners_pb2.SearchPartnersRequest(), metadata=ANNA)
    with urllib.request.urlopen(f"http://127.0.0.1:{gateway.metrics_port}/metrics", timeout=5) as response:
        text = response.read().decode()
    assert 'crm_gateway_requests_total{code="OK",method="/crm.v1.Partners/SearchPartners"}' in text
    assert "crm_gateway_request_seconds_bucket" in text


def test_service_tokens_reach_only_their_scopes(partners, cards):
    pbx = auth(token("pbx-adapter", ("service",), scopes=("pbx",)))
    assert partners.FindByPhone(partners_pb2.FindByPhoneRequest(number="+74950000000"), metadata=pbx).number == "+74950000000"
    with pytest.raises(grpc.RpcError) as caught:
        partners.SearchPartners(partners_pb2.SearchPartnersRequest(), metadata=pbx)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    bi = auth(token("bi-tool", ("service",), scopes=("bi",)))
    partners.SearchPartners(partners_pb2.SearchPartnersRequest(), metadata=bi)
    with pytest.raises(grpc.RpcError) as caught:
        partners.RegisterPartner(partners_pb2.RegisterPartnerRequest(partner=new_partner("BI не пишет")), metadata=bi)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as caught:
        partners.SearchPartners(partners_pb2.SearchPartnersRequest(), metadata=auth(token("bare", ("service",))))
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_archive_find_by_email_and_search_by_source(partners):
    """An archived partner leaves searches and stops blocking duplicates, yet is named as
    archived; FindByEmail and the source filter are in the public API."""
    mail = f"office-{uuid.uuid4().hex[:8]}@arkhiv-test.ru"
    number = phone()
    partner = partners.RegisterPartner(
        partners_pb2.RegisterPartnerRequest(partner=new_partner(
            "ООО «Архивная проба»", source="exhibition", phones=[partners_pb2.Phone(number=number)],
            emails=[partners_pb2.Email(address=mail.upper())])),
        metadata=ANNA,
    ).partner
    found = partners.FindByEmail(partners_pb2.FindByEmailRequest(address=mail.upper()), metadata=ANNA)
    assert found.address == mail and [m.partner_id for m in found.matches] == [partner.id]
    by_source = partners.SearchPartners(partners_pb2.SearchPartnersRequest(text="Архивная проба", source="exhibition"),
                                        metadata=ANNA)
    assert [p.id for p in by_source.partners] == [partner.id]
    assert not partners.SearchPartners(partners_pb2.SearchPartnersRequest(text="Архивная проба", source="website"),
                                       metadata=ANNA).partners

    with pytest.raises(grpc.RpcError) as no_reason:
        partners.ArchivePartner(partners_pb2.ArchivePartnerRequest(partner_id=partner.id), metadata=ANNA)
    assert no_reason.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    archived = partners.ArchivePartner(partners_pb2.ArchivePartnerRequest(partner_id=partner.id, reason="закрылась"),
                                       metadata=ANNA)
    assert archived.status == "archived" and archived.archive_reason == "закрылась" and archived.archived_by == "anna"
    assert not partners.SearchPartners(partners_pb2.SearchPartnersRequest(text="Архивная проба"), metadata=ANNA).partners
    assert not partners.FindByPhone(partners_pb2.FindByPhoneRequest(number=number), metadata=ANNA).matches
    # Registering the same phone again is not blocked; the archived partner is named as such.
    again = partners.RegisterPartner(
        partners_pb2.RegisterPartnerRequest(partner=new_partner("ООО «Архивная проба»", phones=[partners_pb2.Phone(number=number)])),
        metadata=ANNA,
    )
    assert [(d.partner_id, d.status) for d in again.duplicates] == [(partner.id, "archived")]

    back = partners.UnarchivePartner(partners_pb2.UnarchivePartnerRequest(partner_id=partner.id), metadata=ANNA)
    assert back.status == "active" and not back.archive_reason
    with pytest.raises(grpc.RpcError) as twice:
        partners.UnarchivePartner(partners_pb2.UnarchivePartnerRequest(partner_id=partner.id), metadata=ANNA)
    assert twice.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_the_example_client_runs_again_and_as_another_manager(gateway):
    """examples/client.py, a frontend developer's starting point: a second run finds the partner
    it registered; a manager of another region is told the partner exists, not a traceback."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "examples" / "client.py"
    env = {**os.environ, "GATEWAY_ADDRESS": f"127.0.0.1:{gateway.port}", "JWT_SECRET": SECRET,
           "EXAMPLE_USER": "example-anna", "EXAMPLE_REGION": "example-msk"}
    runs = [subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60)
            for _ in range(2)]
    other = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                           env={**env, "EXAMPLE_USER": "example-boris", "EXAMPLE_REGION": "example-spb"})
    for run in (*runs, other):
        assert run.returncode == 0, run.stderr
    # Other tests may have registered the same INN first: then even the first run is a duplicate.
    assert "already registered" in runs[1].stdout
    assert "card of ООО «Ромашка»" in runs[1].stdout or "ask a head of sales" in runs[1].stdout
    assert "ask a head of sales" in other.stdout and "card of" not in other.stdout


def test_duplicate_control_tells_another_region_only_that_the_client_exists(partners):
    """Boris (spb) must learn that Anna's client exists and whose it is, not its data."""
    number = phone()
    annas = partners.RegisterPartner(
        partners_pb2.RegisterPartnerRequest(partner=new_partner(
            "ООО «Чужой клиент»", phones=[partners_pb2.Phone(number=number)],
            emails=[partners_pb2.Email(address=f"boss-{uuid.uuid4().hex[:6]}@chuzhoi-klient.ru")])),
        metadata=ANNA,
    ).partner
    found = partners.FindDuplicates(partners_pb2.FindDuplicatesRequest(name="Чужой клиент", phones=[number]),
                                    metadata=BORIS)
    (match,) = [d for d in found.duplicates if d.manager_id == "anna"]
    assert match.hidden and match.strength == "strong"
    assert (match.partner_id, match.name, list(match.reasons)) == ("", "", [])
    with pytest.raises(grpc.RpcError) as blocked:
        partners.RegisterPartner(
            partners_pb2.RegisterPartnerRequest(partner=partners_pb2.Partner(
                kinds=["client"], legal_form="legal_entity", short_name="Чужой клиент", region="spb",
                phones=[partners_pb2.Phone(number=number)])),
            metadata=BORIS,
        )
    assert blocked.value.code() == grpc.StatusCode.ALREADY_EXISTS
    details = json.loads(_error_info(blocked.value).metadata["details"])
    (hidden,) = details["matches"]
    assert {k: v for k, v in hidden.items() if k != "score"} == {
        "partner_id": None, "name": None, "strength": "strong", "reasons": [], "status": "active",
        "manager_id": "anna", "hidden": True}
    assert annas.short_name not in str(blocked.value.trailing_metadata())
    # Anna sees her own client in full; a user with no sales role may not look at all.
    mine = partners.FindDuplicates(partners_pb2.FindDuplicatesRequest(phones=[number]), metadata=ANNA)
    assert [(d.partner_id, d.hidden) for d in mine.duplicates] == [(annas.id, False)]
    with pytest.raises(grpc.RpcError) as nobody:
        partners.FindDuplicates(partners_pb2.FindDuplicatesRequest(phones=[number]), metadata=auth(token("guest", ())))
    assert nobody.value.code() == grpc.StatusCode.PERMISSION_DENIED


def _error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    info = error_details_pb2.ErrorInfo()
    assert rpc_status.from_call(error).details[0].Unpack(info)
    return info


def test_a_nul_in_any_text_is_invalid_argument_naming_the_field(partners):
    for partner in (new_partner("Нулевой\x00байт"), new_partner("Нулевой", comment="a\x00b"),
                    new_partner("Нулевой", contacts=[partners_pb2.Contact(full_name="Иван", position="\x00")])):
        with pytest.raises(grpc.RpcError) as caught:
            partners.RegisterPartner(partners_pb2.RegisterPartnerRequest(partner=partner), metadata=ANNA)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        bad = error_details_pb2.BadRequest()
        assert rpc_status.from_call(caught.value).details[0].Unpack(bad)
        # Refused at the gateway (gateway/request_checks.py): named by its path in the request.
        assert [v.field for v in bad.field_violations] in (
            ["partner.short_name"], ["partner.comment"], ["partner.contacts.0.position"])
    with pytest.raises(grpc.RpcError) as search:
        partners.SearchPartners(partners_pb2.SearchPartnersRequest(text="x\x00"), metadata=ANNA)
    assert search.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_an_out_of_range_time_is_invalid_argument_even_in_an_ignored_field(partners):
    request = partners_pb2.CreateAgreementRequest(agreement=partners_pb2.Agreement(name="Годы", kind="standard"))
    request.agreement.approved_at.seconds = 253_402_300_800  # 10000-01-01
    with pytest.raises(grpc.RpcError) as caught:
        partners.CreateAgreement(request, metadata=ADMIN)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    bad = error_details_pb2.BadRequest()
    assert rpc_status.from_call(caught.value).details[0].Unpack(bad)
    assert [v.field for v in bad.field_violations] == ["agreement.approved_at"]


def test_one_callers_flood_is_refused_beyond_its_share_and_others_are_served(partners):
    request = partners_pb2.SearchPartnersRequest(text="ООО")
    flood = [partners.SearchPartners.future(request, metadata=ANNA, timeout=20) for _ in range(60)]
    other = partners.SearchPartners(partners_pb2.SearchPartnersRequest(text="ООО"), metadata=BORIS, timeout=20)
    codes = []
    for call in flood:
        try:
            call.result()
            codes.append(grpc.StatusCode.OK)
        except grpc.RpcError as error:
            codes.append(error.code())
    assert set(codes) <= {grpc.StatusCode.OK, grpc.StatusCode.RESOURCE_EXHAUSTED}
    # 60 calls sent at once cannot all find Anna's 6 slots free (how many do depends on timing).
    assert grpc.StatusCode.RESOURCE_EXHAUSTED in codes
    assert other is not None  # Boris was answered while Anna flooded
