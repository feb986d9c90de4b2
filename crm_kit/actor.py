"""Who is calling (pure Python: the gateway imports it without eventlet): the actor that travels with every RPC and event.

The gateway authenticates the caller and puts the actor into nameko context data under
``ACTOR_KEY`` (a JSON string, so it survives any AMQP header encoding). Every service reads it
back with :class:`ActorProvider` and enforces row-level access on the data it owns.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

ACTOR_KEY = "actor"

ADMIN = "admin"
HEAD_OF_SALES = "head_of_sales"
MANAGER = "manager"
# A scoped machine caller (PBX adapter, BI tool, another service acting on its own behalf).
SERVICE = "service"

KNOWN_ROLES = frozenset({ADMIN, HEAD_OF_SALES, MANAGER, SERVICE})


@dataclass(frozen=True)
class Actor:
    """An authenticated caller: a user with roles, regions and department, or a service."""

    user_id: str
    roles: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    department: str | None = None
    scopes: tuple[str, ...] = field(default=())

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    @property
    def is_head_of_sales(self) -> bool:
        return HEAD_OF_SALES in self.roles

    @property
    def is_service(self) -> bool:
        return SERVICE in self.roles

    @property
    def is_anonymous(self) -> bool:
        return not self.user_id

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def to_dict(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "roles": list(self.roles), "regions": list(self.regions),
                "department": self.department, "scopes": list(self.scopes)}

    def to_header(self) -> str:
        return _header(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Actor:
        return cls(
            user_id=str(data.get("user_id") or ""),
            roles=tuple(data.get("roles") or ()),
            regions=tuple(data.get("regions") or ()),
            department=data.get("department") or None,
            scopes=tuple(data.get("scopes") or ()),
        )

    @classmethod
    def from_header(cls, value: Any) -> Actor:
        if isinstance(value, dict):
            return cls.from_dict(value)
        if not value:
            return ANONYMOUS
        try:
            data = json.loads(value)
        except (TypeError, ValueError):
            return ANONYMOUS
        if not isinstance(data, dict):
            return ANONYMOUS
        return cls.from_dict(data)


@functools.lru_cache(maxsize=1024)
def _header(actor: Actor) -> str:
    """An actor's header text, made once per actor (an outbox writes it with every event)."""
    return json.dumps(actor.to_dict(), separators=(",", ":"))


ANONYMOUS = Actor(user_id="")
SYSTEM = Actor(user_id="system", roles=(SERVICE, ADMIN))


def context_for(actor: Actor) -> dict[str, str]:
    """Nameko context data that carries ``actor`` on an outgoing call."""
    return {ACTOR_KEY: actor.to_header()}
