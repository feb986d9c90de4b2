"""A consumer that starts late, as analytics will: it keeps its own copy of partners, deals and
interactions, built from the sources' replays and then from their live events.

Besides the state it keeps two counts that only add up right when nothing is missed or applied
twice: contacts per partner (``contact_added`` adds one) and stage stays per deal
(``deal_stage_changed`` adds one); the snapshot gives their current totals."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, update

from contracts import deals as deal_events
from contracts import interactions as interaction_events
from contracts import partners as partner_events
from crm_kit.db import Database, messaging_tables, upsert
from crm_kit.entrypoints import handles
from crm_kit.observability import Observability
from crm_kit.replay import Backfill, replay_tables, replays

metadata = MetaData()
messaging_tables(metadata)
replay_tables(metadata)
partners = Table(
    "m_partners", metadata,
    Column("id", String(36), primary_key=True),
    Column("manager_id", String(64)),
    Column("status", String(20)),
    Column("contacts", Integer, nullable=False),
)
deals = Table(
    "m_deals", metadata,
    Column("id", String(36), primary_key=True),
    Column("stage", String(64)),
    Column("status", String(20)),
    Column("stays", Integer, nullable=False),
)
interactions = Table(
    "m_interactions", metadata,
    Column("id", String(36), primary_key=True),
    Column("status", String(20)),
)

DEAL_STATUS_EVENTS = {"deal_won": "won", "deal_lost": "lost"}


class MirrorService:
    name = "mirror"

    db = Database(metadata)
    backfill = Backfill("partners", "deals", "interactions")
    observability = Observability()

    # --- writing the copy -----------------------------------------------------------------
    def _put(self, table: Table, row: dict[str, Any], *, keep: tuple[str, ...] = ()) -> None:
        """Upsert ``row``; columns in ``keep`` are set only when the row is new."""
        session = self.db.session
        statement = upsert(session, table).values(**row)
        changes = {key: statement.excluded[key] for key in row if key != "id" and key not in keep}
        session.execute(statement.on_conflict_do_update(index_elements=[table.c.id], set_=changes))

    def _add(self, table: Table, row_id: str, column: str, amount: int) -> None:
        self.db.session.execute(update(table).where(table.c.id == row_id).values({column: table.c[column] + amount}))

    def _partner(self, data: dict[str, Any], *, keep_contacts: bool = True) -> None:
        view = data["partner"]
        row = {"id": data["partner_id"], "manager_id": data["manager_id"], "status": view["status"],
               "contacts": len(view["contacts"])}
        self._put(partners, row, keep=("contacts",) if keep_contacts else ())

    # --- the replay -----------------------------------------------------------------------
    @replays(partner_events.PARTNER_SNAPSHOT, deal_events.DEAL_SNAPSHOT, interaction_events.INTERACTION_SNAPSHOT)
    def apply_snapshots(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            data = record["data"]
            if record["event_type"] == "partner_snapshot":
                self._partner(data, keep_contacts=False)
            elif record["event_type"] == "deal_snapshot":
                self._put(deals, {"id": data["deal_id"], "stage": data["stage"], "status": data["status"],
                                  "stays": len(data["stages"])})
            else:
                self._put(interactions, {"id": data["interaction_id"], "status": data["status"]})

    # --- live events ----------------------------------------------------------------------
    @handles(partner_events.PARTNER_REGISTERED)
    def on_partner_registered(self, event):
        self._partner(event["data"], keep_contacts=False)

    @handles(partner_events.PARTNER_UPDATED)
    def on_partner_updated(self, event):
        self._partner(event["data"])

    @handles(partner_events.PARTNER_REASSIGNED)
    def on_partner_reassigned(self, event):
        data = event["data"]
        self.db.session.execute(update(partners).where(partners.c.id == data["partner_id"]).values(manager_id=data["manager_id"]))

    @handles(partner_events.CONTACT_ADDED)
    def on_contact_added(self, event):
        self._add(partners, event["data"]["partner_id"], "contacts", 1)

    @handles(deal_events.DEAL_OPENED)
    def on_deal_opened(self, event):
        data = event["data"]
        self._put(deals, {"id": data["deal_id"], "stage": data["stage"], "status": data["status"],
                          "stays": 1 if data["stage"] else 0}, keep=("stays",))

    @handles(deal_events.DEAL_STAGE_CHANGED)
    def on_deal_stage_changed(self, event):
        data = event["data"]
        self.db.session.execute(update(deals).where(deals.c.id == data["deal_id"]).values(stage=data["to_stage"]))
        self._add(deals, data["deal_id"], "stays", 1)

    @handles(deal_events.DEAL_WON)
    def on_deal_won(self, event):
        self._deal_status(event)

    @handles(deal_events.DEAL_LOST)
    def on_deal_lost(self, event):
        self._deal_status(event)

    def _deal_status(self, event):
        status = DEAL_STATUS_EVENTS[event["event_type"]]
        self.db.session.execute(update(deals).where(deals.c.id == event["data"]["deal_id"]).values(status=status))

    @handles(interaction_events.INTERACTION_REGISTERED)
    def on_interaction_registered(self, event):
        data = event["data"]
        self._put(interactions, {"id": data["interaction_id"], "status": data["status"]})

    @handles(interaction_events.INTERACTION_COMPLETED)
    def on_interaction_completed(self, event):
        self._put(interactions, {"id": event["data"]["interaction_id"], "status": "done"})
