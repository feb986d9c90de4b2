"""Event contracts: every contract keeps its own example; producers are held to a contract
exactly and readers are tolerant; the envelope says what an event is about; the unit of work
emits through contracts and checks them only when asked (CRM_CHECK_EVENTS); handlers read
through them; the catalogue package imports nothing but the kit."""

from __future__ import annotations

import ast
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.orm import sessionmaker

import contracts
from contracts import deals, interactions, partners
from crm_kit import entrypoints
from crm_kit.actor import Actor
from crm_kit.contracts import CHECK_ENV, ContractBroken, EventContract, EventData, required
from crm_kit.db import UnitOfWork, messaging_tables
from crm_kit.errors import ValidationError
from gateway.card import partner_ids_of

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("contract", contracts.ALL + contracts.SNAPSHOTS, ids=lambda c: f"{c.source}.{c.name}")
def test_every_contract_keeps_its_example_and_reads_it_typed(contract):
    contract.check(contract.example)
    read = contract.load(contract.example)
    assert set(read) == set(contract.example)
    assert contract.summary and contract.description
    assert read.get("partner_id") == contract.example.get("partner_id")  # ids stay text


def test_one_contract_per_service_and_name_and_the_catalogue_finds_it():
    assert len({(c.source, c.name) for c in contracts.ALL}) == len(contracts.ALL)
    assert {m.SOURCE for m in contracts.SERVICE_MODULES} >= {"partners", "deals", "interactions"}
    for module in contracts.SERVICE_MODULES:  # each module holds its own service's events
        assert {c.source for c in (*module.ALL, *getattr(module, "SNAPSHOTS", ()))} == {module.SOURCE}
    assert contracts.find("partners", "partners_merged") is partners.PARTNERS_MERGED
    assert contracts.find("deals", "task_completed") is deals.TASK_COMPLETED
    assert contracts.find("interactions", "task_completed") is interactions.TASK_COMPLETED
    assert contracts.find("deals", "partners_merged") is None
    assert contracts.find("deals", "deal_snapshot") is deals.DEAL_SNAPSHOT


def test_every_partners_deals_and_interactions_event_names_its_partner_and_dimensions():
    for contract in contracts.ALL + contracts.SNAPSHOTS:
        fields = set(contract.schema_class._declared_fields)
        assert "partner_id" in fields and contract.subject[0] == "partner_id", contract
        if contract.source == "partners" and contract not in partners.AGREEMENT_STATUS_EVENTS.values() and "agreement" not in contract.name:
            assert {"manager_id", "region", "department", "segment"} <= fields, contract
        if contract.source == "deals":
            assert {"deal_id", "manager_id", "process_code", "region", "department"} <= fields, contract
            assert "deal_id" in contract.subject, contract
        if contract.source == "interactions":
            assert {"interaction_id", "responsible_id", "region", "department"} <= fields, contract
            assert "interaction_id" in contract.subject, contract
    assert {"process_code", "region", "department"} <= set(deals.DealStageChanged._declared_fields)
    assert "manager_id" in deals.PaymentReceived._declared_fields
    registered = partners.PARTNER_REGISTERED.example
    assert registered["partner_id"] == registered["partner"]["id"]  # the shape of every partners event


def test_a_producer_is_held_to_the_contract_exactly():
    won = deals.DEAL_WON
    with pytest.raises(ValidationError) as caught:
        won.check({**won.example, "mood": "happy"})
    assert caught.value.details == {"mood": ["Unknown field."]}
    missing = {key: value for key, value in won.example.items() if key != "region"}
    with pytest.raises(ValidationError) as caught:
        won.check({**missing, "amount": 150000.0, "closed_at": "2026-11-30T12:00:00", "deal_id": "D-1"})
    assert set(caught.value.details) == {"region", "amount", "closed_at", "deal_id"}
    nested = {**partners.PARTNER_UPDATED.example}
    nested["partner"] = {**nested["partner"], "phones": [{"number": "+7495", "kind": "work"}]}
    with pytest.raises(ValidationError) as caught:
        partners.PARTNER_UPDATED.check(nested)
    assert list(caught.value.details) == ["partner.phones.0.extension"]


def test_a_reader_drops_what_it_does_not_know_and_gets_typed_values():
    merged = partners.PARTNERS_MERGED
    newer = {**merged.example, "added_later": 1, "partner": {**merged.example["partner"], "rating": "A"}}
    read = merged.load(newer)
    assert "added_later" not in read and "rating" not in read["partner"]
    assert isinstance(read["partner"]["created_at"], datetime) and read["partner"]["created_at"].tzinfo
    paid = deals.PAYMENT_RECEIVED.load(deals.PAYMENT_RECEIVED.example)
    assert paid["amount"] == Decimal("50000.00") and paid["paid_on"].isoformat() == "2026-11-25"
    with pytest.raises(ValidationError):  # tolerant of additions, not of breakage
        merged.load({**merged.example, "merged_id": None})


def envelope(contract: EventContract, data: dict | None = None, **extra) -> dict:
    data = contract.example if data is None else data
    return {"event_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "event_type": contract.name, "version": contract.version,
            "occurred_at": "2026-11-23T10:00:00+00:00", "source": contract.source,
            "actor": {"user_id": "anna", "roles": ["manager"], "regions": [], "department": None},
            "subject": contract.subject_of(data), "data": data, **extra}


def test_read_refuses_another_event_or_version_and_checks_whole_envelopes():
    merged = partners.PARTNERS_MERGED
    assert merged.read(envelope(merged))["merged_id"] == merged.example["merged_id"]
    with pytest.raises(ValidationError):
        merged.read(envelope(partners.PARTNER_UPDATED))
    with pytest.raises(ValidationError):
        merged.read(envelope(merged, version=2))
    contracts.check_envelope(envelope(merged))
    with pytest.raises(ValidationError):
        contracts.check_envelope(envelope(merged, subject={"partner_ids": []}))  # says it is about no one
    with pytest.raises(ValidationError):
        contracts.check_envelope({**envelope(merged), "event_type": "partner_vanished"})


def test_the_subject_names_every_partner_an_event_concerns():
    merged = partners.PARTNERS_MERGED.subject_of(partners.PARTNERS_MERGED.example)
    assert merged["partner_ids"] == [partners.PARTNER_ID, partners.OTHER_PARTNER_ID]
    assert merged["merged_id"] == partners.OTHER_PARTNER_ID
    standard = {**partners.AGREEMENT_DATA, "partner_id": None, "kind": "standard"}
    assert partners.AGREEMENT_APPROVED.subject_of(standard)["partner_ids"] == []
    order = deals.SUPPLIER_ORDER_ADDED.subject_of(deals.SUPPLIER_ORDER_ADDED.example)
    assert order["partner_ids"][1] == deals.SUPPLIER_ORDER_ADDED.example["supplier_id"]
    call = interactions.CALL_MISSED.subject_of(interactions.CALL_MISSED.example)
    assert call["call_id"] and call["task_id"] and call["interaction_id"]


def test_the_card_cache_reads_partners_from_the_subject():
    assert partner_ids_of(envelope(partners.PARTNERS_MERGED)) == {partners.PARTNER_ID, partners.OTHER_PARTNER_ID}
    standard = {**partners.AGREEMENT_DATA, "partner_id": None, "kind": "standard"}
    assert partner_ids_of(envelope(partners.AGREEMENT_APPROVED, standard)) is None  # a whole segment: drop all
    assert partner_ids_of({"event_type": "partner_registered", "data": {"id": "p1"}}) is None  # no subject


def test_a_later_version_is_published_alongside_under_its_own_routing_key():
    v2 = EventContract("partners", "partner_registered", partners.PartnerRegistered, version=2,
                       summary="A partner was registered.", example=partners.PARTNER_REGISTERED.example)
    assert (partners.PARTNER_REGISTERED.routing_key, v2.routing_key) == ("partner_registered", "partner_registered.v2")


def test_a_contract_refuses_subject_fields_its_data_does_not_have():
    class Bare(EventData):
        note = required()

    with pytest.raises(TypeError):
        EventContract("probe", "bare", Bare, summary="-", example={"note": "x"}, subject=("deal_id",))


# --- the unit of work emits through contracts ------------------------------------------------

class _Database:
    service = "deals"

    def __init__(self):
        metadata = MetaData()
        self.outbox, self.inbox = messaging_tables(metadata)
        engine = create_engine("sqlite://")
        metadata.create_all(engine)
        self.sessionmaker = sessionmaker(bind=engine)


def _unit() -> UnitOfWork:
    return UnitOfWork(_Database(), Actor("anna", roles=("manager",)))


def _outbox(unit: UnitOfWork) -> list[dict]:
    unit.flush_events()
    rows = unit.session.execute(select(unit._database.outbox.c.event_type, unit._database.outbox.c.payload)).all()
    return [(row.event_type, json.loads(row.payload)) for row in rows]


def test_emit_writes_the_envelope_its_contract_describes(monkeypatch):
    monkeypatch.setenv(CHECK_ENV, "1")
    unit = _unit()
    data = {**deals.DEAL_WON.example, "amount": Decimal("150000.00")}
    unit.emit(deals.DEAL_WON, data)
    [(routing_key, sent)] = _outbox(unit)
    assert routing_key == "deal_won"
    assert (sent["event_type"], sent["version"], sent["source"]) == ("deal_won", 1, "deals")
    assert sent["subject"] == {"partner_id": deals.PARTNER_ID, "deal_id": deals.DEAL_ID, "partner_ids": [deals.PARTNER_ID]}
    contracts.check_envelope(sent)


def test_emit_checks_the_contract_only_when_asked(monkeypatch):
    broken = {**deals.DEAL_WON.example, "closed_at": None}
    monkeypatch.setenv(CHECK_ENV, "1")
    with pytest.raises(ContractBroken) as caught:
        _unit().emit(deals.DEAL_WON, broken)
    assert "closed_at" in str(caught.value) and caught.value.details == {"closed_at": ["Field may not be null."]}
    monkeypatch.delenv(CHECK_ENV)
    unit = _unit()
    unit.emit(deals.DEAL_WON, broken)  # production does not pay for a check per event
    assert len(_outbox(unit)) == 1


def test_emit_takes_only_the_contract_of_its_own_service():
    with pytest.raises(TypeError):
        _unit().emit("deal_won", deals.DEAL_WON.example)
    with pytest.raises(ValueError):
        _unit().emit(partners.PARTNER_UPDATED, partners.PARTNER_UPDATED.example)


# --- handlers read through contracts ----------------------------------------------------------

class _Inbox:
    def __init__(self):
        self.claimed = []

    def claim_event(self, event_id, handler):
        self.claimed.append(event_id)
        return True


def test_a_handler_declared_with_a_contract_hears_its_event_and_gets_data_read_through_it(monkeypatch):
    monkeypatch.setattr(entrypoints, "unit_of_work", lambda service: service.db)
    heard = []

    class Consumer:
        db = _Inbox()

        @entrypoints.handles(partners.PARTNERS_MERGED)
        def on_merged(self, event):
            heard.append(event)

    [entrypoint] = Consumer.on_merged.nameko_entrypoints
    assert (entrypoint.source_service, entrypoint.event_type) == ("partners", "partners_merged")
    consumer = Consumer()
    later = {**partners.PARTNERS_MERGED.example, "added_later": True}
    consumer.on_merged(envelope(partners.PARTNERS_MERGED, later))
    assert heard[0]["data"]["merged_id"] == partners.OTHER_PARTNER_ID and "added_later" not in heard[0]["data"]
    with pytest.raises(ValidationError):  # parked at once by the entrypoint, before the handler or the inbox
        consumer.on_merged(envelope(partners.PARTNERS_MERGED, {**later, "survivor_id": None}))
    assert len(heard) == len(Consumer.db.claimed) == 1


def test_every_event_a_service_consumes_has_a_contract():
    from nameko.events import EventHandler

    from crm_kit.batch import BatchConsumer
    from crm_ops.registry import service_class

    heard = 0
    for name in ("partners", "deals", "interactions"):
        for entrypoint in service_class(name).__dict__.values():
            for declared in getattr(entrypoint, "nameko_entrypoints", ()):
                if isinstance(declared, EventHandler):
                    source, event_type = declared.source_service, declared.event_type
                elif isinstance(declared, BatchConsumer) and declared.exchange_name.endswith(".events"):
                    source, event_type = declared.exchange_name.removesuffix(".events"), declared.routing_key
                else:
                    continue
                assert contracts.find(source, event_type), f"{name} hears {source}.{event_type} without a contract"
                heard += 1
    # partners_merged in deals and interactions, nine partners events for the caller directory,
    # partner_registered and partner_updated in deals, partner_reassigned in batches in both,
    # agreement_expired and agreement_cancelled in deals, partner_registered, _updated, _archived
    # and _unarchived in interactions (forgotten clients), deal_opened, deal_won and deal_lost in
    # interactions (a call linked to the partner's only open deal).
    assert heard == 24


# --- the package ------------------------------------------------------------------------------

def test_the_contracts_import_only_the_kit_and_marshmallow():
    allowed = {"crm_kit", "contracts", "marshmallow", "apispec", "yaml", "__future__"}
    offenders = set()
    for path in (ROOT / "contracts").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else [])
            for name in names:
                top = name.split(".")[0]
                if top not in allowed and top not in __import__("sys").stdlib_module_names:
                    offenders.add(f"{path.name}: {name}")
    assert not offenders, sorted(offenders)
