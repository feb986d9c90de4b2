import pytest

from crm_kit.errors import PreconditionFailed
from services.interactions.domain import status


def test_open_interactions_move_on():
    status.check_move("planned", "in_progress")
    status.check_move("in_progress", "done")
    status.check_move("postponed", "planned")
    status.check_move("planned", "cancelled")


@pytest.mark.parametrize(("current", "target"), [
    ("done", "planned"), ("cancelled", "in_progress"), ("planned", "planned"), ("in_progress", "planned"),
])
def test_moves_refused(current, target):
    with pytest.raises(PreconditionFailed) as caught:
        status.check_move(current, target)
    assert caught.value.details["status"] == current


def test_require_open():
    status.require_open("planned", "change it")
    with pytest.raises(PreconditionFailed):
        status.require_open("done", "change it")
