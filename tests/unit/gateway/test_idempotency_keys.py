"""Every creating method of the public API takes an idempotency key, the gateway passes it to
the service, and the service's RPC is idempotent by it (crm_kit.idempotency, or its own
mechanism for the two that had one first): generated over the descriptors, so a new creating
method without a key fails here."""

from __future__ import annotations

from typing import Any

import pytest
from crm.v1 import deals_pb2, interactions_pb2, notifications_pb2, partners_pb2
from google.protobuf.message_factory import GetMessageClass

from crm_kit.actor import Actor
from crm_ops.registry import service_class
from gateway.interceptors import current_actor
from gateway.servicers.deals import DealsServicer
from gateway.servicers.interactions import InteractionsServicer
from gateway.servicers.notifications import NotificationsServicer
from gateway.servicers.partners import PartnersServicer

SERVICERS = {
    "Deals": DealsServicer,
    "Partners": PartnersServicer,
    "Interactions": InteractionsServicer,
    "Notifications": NotificationsServicer,
}
MODULES = (deals_pb2, interactions_pb2, notifications_pb2, partners_pb2)
# What makes a record, by its name in the API.
CREATING = ("Add", "Create", "Register", "Open", "Issue", "Record", "Define", "FollowUp", "LinkCreated", "HandOver", "Subscribe")
# These kept the key they had first: in their options, with a column of their own.
OWN_MECHANISM = {"partners.register", "deals.open_deal"}


class Recorded(Exception):
    pass


class RecordingBridge:
    def __init__(self):
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    async def call(self, service: str, method: str, *, timeout: float, actor=None, **kwargs: Any) -> Any:
        self.calls.append((service, method, kwargs))
        raise Recorded()


class Context:
    def time_remaining(self):
        return 3.0


def methods():
    for module in MODULES:
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                yield pytest.param(service.name, method, id=method.full_name)


CREATING_METHODS = [case for case in methods() if case.values[1].name.startswith(CREATING)]


def test_the_creating_methods_are_found():
    names = {case.values[1].name for case in CREATING_METHODS}
    assert {
        "RecordPayment",
        "IssueInvoice",
        "AddContact",
        "Register",
        "AddParticipant",
        "LinkCreated",
        "OpenLeadFromCall",
        "CreateAgreement",
        "AddRelationship",
        "Subscribe",
        "CreateGroup",
        "CreateMailing",
    } <= names


@pytest.mark.parametrize(("service", "method"), CREATING_METHODS)
async def test_a_creating_method_passes_its_key_to_an_idempotent_rpc(service, method):
    field = method.input_type.fields_by_name.get("request_id")
    assert field is not None and field.type == field.TYPE_STRING, f"{method.full_name} takes no request_id"
    bridge = RecordingBridge()
    request = GetMessageClass(method.input_type)(request_id="key-1")
    token = current_actor.set(Actor("anna", ("manager",), ("msk",)))
    try:
        with pytest.raises(Recorded):
            await getattr(SERVICERS[service](bridge), method.name)(request, Context())
    finally:
        current_actor.reset(token)
    [(target, rpc, kwargs)] = bridge.calls
    given = kwargs.get("request_id") or (kwargs.get("options") or {}).get("request_id")
    assert given == "key-1"
    if f"{target}.{rpc}" not in OWN_MECHANISM:
        assert getattr(getattr(service_class(target), rpc), "idempotent", False), f"{target}.{rpc} is not @idempotent"


@pytest.mark.parametrize(("service", "method"), CREATING_METHODS)
async def test_without_a_key_the_call_is_as_before(service, method):
    bridge = RecordingBridge()
    token = current_actor.set(Actor("anna", ("manager",), ("msk",)))
    try:
        with pytest.raises(Recorded):
            await getattr(SERVICERS[service](bridge), method.name)(GetMessageClass(method.input_type)(), Context())
    finally:
        current_actor.reset(token)
    [(_target, _rpc, kwargs)] = bridge.calls
    assert "request_id" not in kwargs
