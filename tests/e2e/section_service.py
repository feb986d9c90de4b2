"""A second service with a client-card section, to show the card surviving it being slow or down.

Deals, interactions, claims and analytics will each answer ``card_section`` the same way; until
they exist this stands in for one of them.
"""

import os
import time

from crm_kit.actor_provider import ActorProvider
from crm_kit.entrypoints import rpc
from crm_kit.observability import Observability


class SectionService:
    name = "probe_section"

    actor = ActorProvider()
    observability = Observability()

    @rpc
    def card_section(self, partner_id):
        time.sleep(float(os.environ.get("SECTION_DELAY_S", "0")))
        return {"partner_id": partner_id, "open_items": 3, "asked_by": self.actor.user_id}

    @rpc
    def health_ping(self):
        return "pong"
