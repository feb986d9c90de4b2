"""Where a frontend developer starts: a token, a partner registered, its client card read.

Run the platform (`make run`), then in another terminal:

    .venv/bin/python examples/client.py

The token is minted with the gateway's development secret (what `crm token` does); a real
frontend gets its token from the identity provider that shares JWT_SECRET (or the RS256 key)
with the gateway. Stubs come from proto/crm/v1 (`python -m gateway.protogen`); any language's
gRPC tooling can generate its own from the same files, and `grpcurl -plaintext localhost:50051
list` shows every service through server reflection.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gateway.generated  # noqa: E402,F401  (puts the generated crm.v1 package on the path)

# isort: split

from crm.v1 import card_pb2, card_pb2_grpc, partners_pb2, partners_pb2_grpc  # noqa: E402
from google.rpc import error_details_pb2  # noqa: E402
from grpc_status import rpc_status  # noqa: E402

from gateway.auth import mint_token  # noqa: E402
from gateway.config import DEV_JWT_SECRET  # noqa: E402

ADDRESS = os.environ.get("GATEWAY_ADDRESS", "127.0.0.1:50051")
# Who the example acts as (a manager of region msk by default).
USER = os.environ.get("EXAMPLE_USER", "anna")
REGION = os.environ.get("EXAMPLE_REGION", "msk")
VISIBLE = (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED)


def details_of(error: grpc.RpcError) -> dict:
    """The typed details a refusal carries (google.rpc.ErrorInfo, ``details`` as JSON)."""
    status = rpc_status.from_call(error)
    info = error_details_pb2.ErrorInfo()
    if status is None or not status.details or not status.details[0].Unpack(info):
        return {}
    return json.loads(info.metadata.get("details", "{}"))


def register_or_find(partners, request, metadata):
    """The partner registered, or the existing one it duplicates that the caller may open.
    None when the duplicates belong to someone the caller cannot see (as a frontend says so)."""
    try:
        partner = partners.RegisterPartner(request, metadata=metadata, timeout=5).partner
        print("registered", partner.id, partner.short_name, partner.phones[0].number)
        return partner
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
            bad = error_details_pb2.BadRequest()
            rpc_status.from_call(error).details[0].Unpack(bad)
            for violation in bad.field_violations:
                print(f"  {violation.field}: {violation.description}")
            raise SystemExit(1) from None
        if error.code() != grpc.StatusCode.ALREADY_EXISTS:
            raise
        duplicates = details_of(error).get("matches", [])
    print("already registered:", [(d["name"], [r["kind"] for r in d["reasons"]]) for d in duplicates if not d["hidden"]])
    for duplicate in duplicates:
        if duplicate["hidden"]:
            # Duplicate control is global: the client exists but is another manager's, and
            # all the platform says of it is whose it is.
            whose = f"{duplicate['manager_id']}'s" if duplicate["manager_id"] else "nobody's yet"
            print(f"  a client with these details exists; it is {whose}: ask a head of sales")
            continue
        try:
            return partners.GetPartner(partners_pb2.GetPartnerRequest(partner_id=duplicate["partner_id"]),
                                       metadata=metadata, timeout=5)
        except grpc.RpcError as error:
            if error.code() not in VISIBLE:
                raise
            print(f"  {duplicate['name']} exists but is not yours to open: ask a head of sales to hand it over")
    return None


def main() -> None:
    token = mint_token(os.environ.get("JWT_SECRET", DEV_JWT_SECRET), USER, ["manager"], regions=[REGION], department="north")
    metadata = (("authorization", f"Bearer {token}"),)
    with grpc.insecure_channel(ADDRESS) as channel:
        partners = partners_pb2_grpc.PartnersStub(channel)
        cards = card_pb2_grpc.ClientCardsStub(channel)

        request = partners_pb2.RegisterPartnerRequest(
            partner=partners_pb2.Partner(
                kinds=["client"], legal_form="legal_entity", short_name="ООО «Ромашка»",
                inn="7707083893", kpp="773601001", region=REGION,
                phones=[partners_pb2.Phone(number="8 (495) 123-45-67")],
                emails=[partners_pb2.Email(address="info@romashka.example")],
                contacts=[partners_pb2.Contact(full_name="Иван Петров", roles=["decision_maker"],
                                               phones=[partners_pb2.Phone(number="+7 916 123-45-67")])],
            ),
            duplicate_policy=partners_pb2.DUPLICATE_POLICY_BLOCK,
            request_id=str(uuid.uuid4()),  # a retry with the same id returns the same partner
        )
        partner = register_or_find(partners, request, metadata)
        if partner is None:
            return

        card = cards.GetClientCard(card_pb2.GetClientCardRequest(partner_id=partner.id), metadata=metadata, timeout=5)
        print("card of", card.partner.short_name, "| manager", card.manager.manager_id)
        for contact in card.partner.contacts:
            print("  contact", contact.full_name, list(contact.roles), [p.number for p in contact.phones])
        for section in card.sections:
            print("  section", section.name, card_pb2.SectionState.Name(section.state), section.reason)


if __name__ == "__main__":
    main()
