"""Sales processes: the default process, moves in strict, manual and none modes, definitions."""

from __future__ import annotations

import copy
import json
from dataclasses import fields, replace

import pytest

from crm_kit.errors import PreconditionFailed, ValidationError
from services.deals.domain.process import (
    BUILTIN_PROCESSES,
    DEFAULT_PROCESS,
    MANUAL,
    MANUAL_PROCESS,
    NO_PROCESS,
    NONE,
    PRECONDITIONS,
    STRICT,
    DealFacts,
    SalesProcess,
    Stage,
    check_move,
    first_stage,
    missing_preconditions,
    validate_process,
)

ALL_FACTS = DealFacts(**{name: True for name in PRECONDITIONS})
NO_FACTS = DealFacts()
STAGES = (
    "lead",
    "qualification",
    "terms",
    "offer",
    "negotiation",
    "invoice",
    "payment",
    "shipment",
)


def facts_without(*names: str) -> DealFacts:
    return replace(ALL_FACTS, **{name: False for name in names})


class TestDefaultProcess:
    def test_stages_in_order(self) -> None:
        assert DEFAULT_PROCESS.code == "standard"
        assert DEFAULT_PROCESS.mode == STRICT
        assert DEFAULT_PROCESS.stage_codes == STAGES
        assert [s.probability for s in DEFAULT_PROCESS.stages] == [10, 20, 30, 50, 60, 80, 90, 100]
        assert [s.time_limit_days for s in DEFAULT_PROCESS.stages] == [3, 7, 7, 14, 14, 10, 30, 7]
        assert DEFAULT_PROCESS.stages[0] == Stage("lead", "First contact", 10, 3, ())

    def test_preconditions(self) -> None:
        by_code = {stage.code: stage.preconditions for stage in DEFAULT_PROCESS.stages}
        assert by_code == {
            "lead": (),
            "qualification": ("partner_is_client",),
            "terms": ("partner_is_client", "terms_chosen"),
            "offer": ("partner_is_client", "terms_chosen", "amount_set"),
            "negotiation": ("offer_sent",),
            "invoice": ("offer_accepted",),
            "payment": ("invoice_issued",),
            "shipment": ("invoice_paid", "prepayment_paid"),
        }

    def test_builtins(self) -> None:
        assert set(BUILTIN_PROCESSES) == {"standard", "manual", "none"}
        assert BUILTIN_PROCESSES["standard"] is DEFAULT_PROCESS
        assert MANUAL_PROCESS.mode == MANUAL
        assert MANUAL_PROCESS.stages == DEFAULT_PROCESS.stages
        assert NO_PROCESS.mode == NONE
        assert NO_PROCESS.stages == ()

    def test_every_precondition_is_a_fact(self) -> None:
        assert {f.name for f in fields(DealFacts)} == set(PRECONDITIONS)
        assert NO_FACTS == DealFacts(**{name: False for name in PRECONDITIONS})

    def test_first_and_last_stage(self) -> None:
        assert first_stage(DEFAULT_PROCESS) == "lead"
        assert first_stage(MANUAL_PROCESS) == "lead"
        assert first_stage(NO_PROCESS) is None
        assert DEFAULT_PROCESS.last_stage() == "shipment"
        assert NO_PROCESS.last_stage() is None
        assert DEFAULT_PROCESS.stage("offer").probability == 50
        assert DEFAULT_PROCESS.stage("nowhere") is None

    @pytest.mark.parametrize("process", list(BUILTIN_PROCESSES.values()), ids=list(BUILTIN_PROCESSES))
    def test_dict_round_trip_through_json(self, process: SalesProcess) -> None:
        stored = json.loads(json.dumps(process.to_dict()))
        assert SalesProcess.from_dict(stored) == process
        assert validate_process(stored) == process


class TestStrictMoves:
    @pytest.mark.parametrize(("current", "target"), list(zip(STAGES, STAGES[1:], strict=False)))
    def test_next_stage_with_its_preconditions_met(self, current: str, target: str) -> None:
        check_move(DEFAULT_PROCESS, current, target, ALL_FACTS)

    def test_offer_without_terms_chosen_names_terms_chosen(self) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_move(DEFAULT_PROCESS, "terms", "offer", facts_without("terms_chosen"))
        assert excinfo.value.details == {"stage": "offer", "missing": ["terms_chosen"]}
        assert PRECONDITIONS["terms_chosen"] in excinfo.value.message
        assert excinfo.value.message.startswith("cannot enter offer: ")

    def test_every_missing_precondition_is_named_in_stage_order(self) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_move(DEFAULT_PROCESS, "terms", "offer", NO_FACTS)
        assert excinfo.value.details["missing"] == ["partner_is_client", "terms_chosen", "amount_set"]

    @pytest.mark.parametrize(
        ("current", "target", "missing"),
        [
            ("lead", "qualification", "partner_is_client"),
            ("offer", "negotiation", "offer_sent"),
            ("negotiation", "invoice", "offer_accepted"),
            ("invoice", "payment", "invoice_issued"),
            ("payment", "shipment", "invoice_paid"),
        ],
    )
    def test_refusal_names_the_missing_precondition(self, current: str, target: str, missing: str) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_move(DEFAULT_PROCESS, current, target, facts_without(missing))
        assert excinfo.value.details == {"stage": target, "missing": [missing]}

    def test_first_stage_needs_nothing(self) -> None:
        check_move(DEFAULT_PROCESS, None, "lead", NO_FACTS)

    def test_skipping_names_the_skipped_stages(self) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_move(DEFAULT_PROCESS, "lead", "offer", ALL_FACTS)
        assert excinfo.value.details == {"stage": "offer", "current": "lead", "skipped": ["qualification", "terms"]}

    def test_skipping_from_no_stage(self) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_move(DEFAULT_PROCESS, None, "qualification", ALL_FACTS)
        assert excinfo.value.details["skipped"] == ["lead"]

    def test_back_moves_allowed(self) -> None:
        check_move(DEFAULT_PROCESS, "invoice", "qualification", ALL_FACTS)
        check_move(DEFAULT_PROCESS, "shipment", "lead", NO_FACTS)

    def test_back_move_still_needs_the_stage_preconditions(self) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_move(DEFAULT_PROCESS, "negotiation", "terms", facts_without("terms_chosen"))
        assert excinfo.value.details == {"stage": "terms", "missing": ["terms_chosen"]}

    def test_same_stage_refused(self) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_move(DEFAULT_PROCESS, "offer", "offer", ALL_FACTS)
        assert excinfo.value.details == {"stage": "offer"}

    def test_unknown_target_is_bad_input(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_move(DEFAULT_PROCESS, "lead", "contract", ALL_FACTS)
        assert list(excinfo.value.details) == ["stage"]

    def test_current_stage_not_in_process(self) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_move(DEFAULT_PROCESS, "gone", "lead", ALL_FACTS)
        assert excinfo.value.details == {"stage": "gone", "process": "standard"}

    def test_missing_preconditions_helper(self) -> None:
        offer = DEFAULT_PROCESS.stage("offer")
        assert missing_preconditions(offer, ALL_FACTS) == []
        assert missing_preconditions(offer, facts_without("amount_set")) == ["amount_set"]


class TestManualMoves:
    def test_skip_without_preconditions(self) -> None:
        check_move(MANUAL_PROCESS, "lead", "shipment", DealFacts(prepayment_paid=True))

    def test_shipment_still_waits_for_the_prepayment(self) -> None:
        # The agreement's money terms are not process steps: a manual deal keeps them too.
        with pytest.raises(PreconditionFailed) as excinfo:
            check_move(MANUAL_PROCESS, "lead", "shipment", NO_FACTS)
        assert excinfo.value.details == {"stage": "shipment", "missing": ["prepayment_paid"]}

    def test_revisit(self) -> None:
        check_move(MANUAL_PROCESS, "shipment", "qualification", NO_FACTS)
        check_move(MANUAL_PROCESS, "qualification", "invoice", NO_FACTS)

    def test_same_stage_refused(self) -> None:
        with pytest.raises(PreconditionFailed):
            check_move(MANUAL_PROCESS, "terms", "terms", NO_FACTS)

    def test_unknown_target_is_bad_input(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_move(MANUAL_PROCESS, "lead", "contract", NO_FACTS)
        assert "stage" in excinfo.value.details


class TestNoProcess:
    @pytest.mark.parametrize(("current", "target"), [(None, "lead"), (None, "anything"), ("lead", "offer")])
    def test_every_move_refused(self, current: str | None, target: str) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_move(NO_PROCESS, current, target, ALL_FACTS)
        assert excinfo.value.message == "this deal has no stages"
        assert excinfo.value.details == {"mode": "none"}


def _definition() -> dict:
    return {
        "code": "project",
        "name": "  Project sale ",
        "mode": "strict",
        "stages": [
            {"code": "brief", "name": "Brief", "probability": 10, "time_limit_days": 5, "preconditions": []},
            {"code": "proposal", "name": "Proposal", "probability": 40, "time_limit_days": None,
             "preconditions": ["terms_chosen", "amount_set"]},
            {"code": "signed", "name": "Signed", "probability": 100, "time_limit_days": 30,
             "preconditions": ["offer_accepted"]},
        ],
    }


def _errors(definition: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        validate_process(definition)
    return excinfo.value.details


class TestValidateProcess:
    def test_valid_definition(self) -> None:
        process = validate_process(_definition())
        assert process.name == "Project sale"
        assert process.stage_codes == ("brief", "proposal", "signed")
        assert process.stages[1] == Stage("proposal", "Proposal", 40, None, ("terms_chosen", "amount_set"))
        assert SalesProcess.from_dict(process.to_dict()) == process

    def test_preconditions_and_time_limit_may_be_left_out(self) -> None:
        definition = _definition()
        del definition["stages"][0]["preconditions"]
        del definition["stages"][0]["time_limit_days"]
        assert validate_process(definition).stages[0] == Stage("brief", "Brief", 10, None, ())

    def test_none_mode_without_stages(self) -> None:
        process = validate_process({"code": "long_project", "name": "Long project", "mode": "none"})
        assert process.stages == ()

    def test_not_an_object(self) -> None:
        assert list(_errors(["code"])) == ["process"]

    def test_top_level_fields(self) -> None:
        errors = _errors({"code": "Bad Code", "name": " ", "mode": "loose", "stages": []})
        assert set(errors) == {"code", "name", "mode"}

    def test_stages_required_unless_none(self) -> None:
        definition = _definition()
        definition["stages"] = []
        assert list(_errors(definition)) == ["stages"]
        definition["mode"] = "manual"
        del definition["stages"]
        assert list(_errors(definition)) == ["stages"]

    def test_none_mode_refuses_stages(self) -> None:
        definition = _definition()
        definition["mode"] = "none"
        assert list(_errors(definition)) == ["stages"]

    def test_stages_must_be_a_list(self) -> None:
        definition = _definition()
        definition["stages"] = "brief,proposal"
        assert list(_errors(definition)) == ["stages"]

    def test_duplicate_stage_codes(self) -> None:
        definition = _definition()
        definition["stages"][2]["code"] = "brief"
        errors = _errors(definition)
        assert list(errors) == ["stages.2.code"]
        assert "already used by stage 0" in errors["stages.2.code"][0]

    @pytest.mark.parametrize("probability", [-1, 101, 50.5, "50", True, None])
    def test_probability_out_of_range(self, probability: object) -> None:
        definition = _definition()
        definition["stages"][1]["probability"] = probability
        assert list(_errors(definition)) == ["stages.1.probability"]

    def test_probability_must_not_decrease(self) -> None:
        definition = _definition()
        definition["stages"][2]["probability"] = 30
        errors = _errors(definition)
        assert list(errors) == ["stages.2.probability"]
        assert "40%" in errors["stages.2.probability"][0]

    def test_equal_probabilities_allowed(self) -> None:
        definition = _definition()
        definition["stages"][1]["probability"] = 10
        validate_process(definition)

    def test_unknown_precondition(self) -> None:
        definition = _definition()
        definition["stages"][1]["preconditions"] = ["terms_chosen", "ceo_approved"]
        errors = _errors(definition)
        assert list(errors) == ["stages.1.preconditions"]
        assert "ceo_approved" in errors["stages.1.preconditions"][0]

    @pytest.mark.parametrize("preconditions", ["terms_chosen", [1], ["amount_set", "amount_set"]])
    def test_bad_precondition_lists(self, preconditions: object) -> None:
        definition = _definition()
        definition["stages"][0]["preconditions"] = preconditions
        assert list(_errors(definition)) == ["stages.0.preconditions"]

    @pytest.mark.parametrize("limit", [0, -3, 2.5, "7", 100_000])
    def test_bad_time_limit(self, limit: object) -> None:
        definition = _definition()
        definition["stages"][0]["time_limit_days"] = limit
        assert list(_errors(definition)) == ["stages.0.time_limit_days"]

    def test_stage_fields_and_non_object_stage(self) -> None:
        definition = _definition()
        definition["stages"][0] = {"code": "", "name": ""}
        definition["stages"].append("signed")
        errors = _errors(definition)
        assert set(errors) == {"stages.0.code", "stages.0.name", "stages.0.probability", "stages.3"}

    def test_every_error_at_once(self) -> None:
        definition = copy.deepcopy(_definition())
        definition["name"] = ""
        definition["stages"][1]["preconditions"] = ["nope"]
        definition["stages"][2]["time_limit_days"] = 0
        assert set(_errors(definition)) == {"name", "stages.1.preconditions", "stages.2.time_limit_days"}
