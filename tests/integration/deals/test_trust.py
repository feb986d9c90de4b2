"""A forged event changes nothing in deals (crm_kit.trust): ``partners_merged`` published straight
to ``partners.events`` by someone with the broker's credentials but not the internal key is
parked in deals' dead letters with the reason, and the deal keeps its partner."""

from __future__ import annotations

import copy

from contracts import partners as partner_events
from crm_kit import dead_letters
from crm_kit.actor import Actor
from crm_kit.contracts import as_travelled
from crm_kit.db import event_envelope
from tests.integration.deals.conftest import ADMIN, ANNA
from tests.integration.deals.test_deals import open_deal, register_partner
from tests.support.platform import publish_event
from tests.support.waiting import eventually


def test_a_forged_partners_merged_changes_nothing_in_deals(call, infra):
    victim = register_partner(call, name="Жертва слияния")
    thief = register_partner(call, name="Захватчик")
    deal = open_deal(call, partner_id=victim["id"], process_code="manual")
    data = copy.deepcopy(partner_events.PARTNERS_MERGED.example)
    data.update(partner_id=thief["id"], survivor_id=thief["id"], merged_id=victim["id"], contact_ids_moved=[])
    data["partner"]["id"] = thief["id"]
    partner_events.PARTNERS_MERGED.check(as_travelled(data))  # a well-formed event: only its signature is wrong
    forged = as_travelled(event_envelope("partners", partner_events.PARTNERS_MERGED, data, ADMIN))

    publish_event(infra.amqp_uri, forged, "partners_merged", "partners", signed=False, actor_header=Actor.to_header(ADMIN))

    def parked():
        return [p for p in dead_letters.iter_parked(infra.amqp_uri, "deals", 500) if forged["event_id"] in p.body]

    found = eventually(parked, what="the forged partners_merged to be parked in deals' dead letters")[0]
    assert found.error_type == "Unauthenticated"
    assert "partners" in found.error
    assert call(ANNA).deals.get_deal(deal["id"])["partner_id"] == victim["id"]
    assert [d["id"] for d in call(ANNA).deals.list_deals({"partner_id": victim["id"]})["items"]] == [deal["id"]]
