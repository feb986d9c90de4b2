"""crm.v1.ClientCards: the client card (gateway/card.py composes it)."""

from __future__ import annotations

from crm.v1 import card_pb2_grpc

from crm_kit.errors import ValidationError
from gateway.card import DEFAULT_MAX_BYTES, CardCache, CardComposer
from gateway.interceptors import downstream_timeout, require_actor


class ClientCardsServicer(card_pb2_grpc.ClientCardsServicer):
    def __init__(self, composer: CardComposer, default_timeout: float):
        self.composer = composer
        self.default_timeout = default_timeout

    async def GetClientCard(self, request, context):
        if not request.partner_id:
            raise ValidationError.for_field("partner_id", "give the partner whose card to show")
        timeout = downstream_timeout(context, self.default_timeout)
        return await self.composer.compose(request.partner_id, require_actor(), timeout)


def register(server, bridge, *, default_timeout: float, cache_ttl: float, sections: list[str], section_timeout: float,
             cache_bytes: int = DEFAULT_MAX_BYTES) -> None:
    cache = CardCache(bridge, ttl=cache_ttl, max_bytes=cache_bytes, services=tuple(sections))
    composer = CardComposer(bridge, cache, sections, section_timeout=section_timeout)
    card_pb2_grpc.add_ClientCardsServicer_to_server(ClientCardsServicer(composer, default_timeout), server)
