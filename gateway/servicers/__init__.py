"""The gRPC services the gateway serves.

Each entry is a callable ``(server, bridge) -> None`` that registers one servicer, usually
``lambda server, bridge: add_XServicer_to_server(XServicer(bridge), server)``. The server
learns the service names from the registration (for reflection and health), so nothing else
needs listing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gateway.generated  # noqa: F401  (the crm.v1 stubs, before any servicer imports them)

# (grpc.aio.Server, gateway.bridge.RpcBridge) -> None
ServicerRegistration = Callable[[Any, Any], None]

SERVICERS: list[ServicerRegistration] = []


def servicers_for(config) -> list[ServicerRegistration]:
    """Every servicer of the public API, configured from the gateway's config."""
    from functools import partial

    from gateway.servicers import cards, deals, interactions, notifications, partners, telephony

    return [
        *SERVICERS,
        partial(partners.register, default_timeout=config.rpc_timeout),
        partial(deals.register, default_timeout=config.rpc_timeout),
        partial(interactions.register, default_timeout=config.rpc_timeout),
        partial(telephony.register, default_timeout=config.rpc_timeout),
        partial(notifications.register, default_timeout=config.rpc_timeout),
        partial(
            cards.register,
            default_timeout=config.rpc_timeout,
            cache_ttl=config.card_cache_ttl,
            cache_bytes=config.card_cache_bytes,
            sections=list(config.card_sections),
            section_timeout=config.section_timeout,
        ),
    ]
