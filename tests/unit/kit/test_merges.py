"""Re-pointing references to a merged partner (crm_kit.merges), on a small model in SQLite."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from crm_kit.merges import repoint_references
from crm_kit.models import Id, id_column, service_base, updated_at_column

Base = service_base()
MERGED, SURVIVOR, OTHER = (f"{n}0000000-0000-4000-8000-000000000000" for n in (1, 2, 3))
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


class Visit(Base):
    __tablename__ = "visits"

    id: Mapped[str] = id_column()
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(Id)
    host_id: Mapped[str | None] = mapped_column(Id)
    updated_at: Mapped[datetime] = updated_at_column()


def test_every_listed_reference_moves_to_the_survivor_and_is_counted() -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([
            Visit(subject_kind="partner", subject_id=MERGED, host_id=MERGED, updated_at=LONG_AGO),
            Visit(subject_kind="deal", subject_id=MERGED, host_id=OTHER, updated_at=LONG_AGO),
            Visit(subject_kind="partner", subject_id=OTHER, host_id=None, updated_at=LONG_AGO),
        ])
        session.flush()
        counts = repoint_references(session, MERGED, SURVIVOR, {
            "subjects": (Visit.subject_id, Visit.subject_kind == "partner"),
            "hosts": Visit.host_id,
        })
        assert counts == {"subjects": 1, "hosts": 1}
        rows = session.execute(select(Visit.subject_kind, Visit.subject_id, Visit.host_id, Visit.updated_at)).all()
    by_kind_subject = {(kind, subject): (host, updated) for kind, subject, host, updated in rows}
    assert by_kind_subject[("partner", SURVIVOR)][0] == SURVIVOR
    # A deal that happens to share the id is not a partner reference: left alone.
    assert by_kind_subject[("deal", MERGED)] == (OTHER, LONG_AGO.replace(tzinfo=None))
    assert by_kind_subject[("partner", OTHER)] == (None, LONG_AGO.replace(tzinfo=None))
    # What was re-pointed has moved on its updated_at.
    assert by_kind_subject[("partner", SURVIVOR)][1] > LONG_AGO.replace(tzinfo=None)
    engine.dispose()
