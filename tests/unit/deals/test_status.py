"""Deal statuses: allowed changes, loss reasons, winning at the last stage, final statuses."""

from __future__ import annotations

import pytest

from crm_kit.errors import PreconditionFailed, ValidationError
from services.deals.domain.process import DEFAULT_PROCESS, MANUAL_PROCESS, NO_PROCESS, SalesProcess
from services.deals.domain.status import (
    IN_PROGRESS,
    LOSS_REASONS,
    LOST,
    POSTPONED,
    STATUSES,
    WON,
    check_status_change,
)


def test_vocabulary() -> None:
    assert STATUSES == ("in_progress", "won", "lost", "postponed")
    assert LOSS_REASONS == ("price", "competitor", "no_budget", "no_decision", "timing", "requirements", "other")


class TestAllowedChanges:
    @pytest.mark.parametrize(("current", "target"), [(IN_PROGRESS, POSTPONED), (POSTPONED, IN_PROGRESS)])
    def test_postpone_and_resume(self, current: str, target: str) -> None:
        check_status_change(DEFAULT_PROCESS, current, target, "offer", loss_reason=None)

    @pytest.mark.parametrize("current", [IN_PROGRESS, POSTPONED])
    def test_lost_with_a_reason(self, current: str) -> None:
        check_status_change(DEFAULT_PROCESS, current, LOST, "negotiation", loss_reason="competitor")

    def test_won_at_the_last_stage(self) -> None:
        check_status_change(DEFAULT_PROCESS, IN_PROGRESS, WON, "shipment", loss_reason=None)

    @pytest.mark.parametrize("process", [MANUAL_PROCESS, NO_PROCESS])
    def test_won_anywhere_outside_strict_mode(self, process: SalesProcess) -> None:
        stage = "lead" if process.stages else None
        check_status_change(process, IN_PROGRESS, WON, stage, loss_reason=None)


class TestRefusedChanges:
    @pytest.mark.parametrize("current", [WON, LOST])
    @pytest.mark.parametrize("target", [IN_PROGRESS, WON, LOST, POSTPONED])
    def test_final_statuses(self, current: str, target: str) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_status_change(DEFAULT_PROCESS, current, target, "shipment", loss_reason="price")
        assert excinfo.value.details == {"status": current, "target": target}

    @pytest.mark.parametrize(("current", "target"), [(IN_PROGRESS, IN_PROGRESS), (POSTPONED, POSTPONED), (POSTPONED, WON)])
    def test_not_listed(self, current: str, target: str) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_status_change(DEFAULT_PROCESS, current, target, "shipment", loss_reason=None)
        assert excinfo.value.details == {"status": current, "target": target}

    @pytest.mark.parametrize("reason", [None, "", "  "])
    def test_lost_needs_a_reason(self, reason: str | None) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_status_change(DEFAULT_PROCESS, IN_PROGRESS, LOST, "offer", loss_reason=reason)
        assert list(excinfo.value.details) == ["loss_reason"]

    def test_loss_reason_not_known(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_status_change(DEFAULT_PROCESS, IN_PROGRESS, LOST, "offer", loss_reason="bad_luck")
        assert list(excinfo.value.details) == ["loss_reason"]

    def test_unknown_status(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_status_change(DEFAULT_PROCESS, IN_PROGRESS, "closed", "offer", loss_reason=None)
        assert list(excinfo.value.details) == ["status"]

    @pytest.mark.parametrize("stage", ["lead", "payment", None])
    def test_strict_win_only_at_the_last_stage(self, stage: str | None) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_status_change(DEFAULT_PROCESS, IN_PROGRESS, WON, stage, loss_reason=None)
        assert excinfo.value.details == {"stage": stage, "required": "shipment"}
        assert "shipment" in excinfo.value.message
