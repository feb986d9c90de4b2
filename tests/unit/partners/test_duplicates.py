"""Ranking possible duplicates of a partner being registered."""

from __future__ import annotations

import pytest

from crm_kit.errors import ValidationError
from services.partners.domain.duplicates import (
    Candidate,
    DuplicateMatch,
    DuplicatePolicy,
    DuplicateReport,
    ExistingPartner,
    policy_blocks,
    rank_duplicates,
)
from services.partners.domain.names import name_key

INN = "7707083893"
OTHER_INN = "7736050003"


def candidate(**overrides: object) -> Candidate:
    fields: dict = {"partner_id": None, "name": "ООО «Ромашка»", "inn": None, "kpp": None, "phones": [], "emails": []}
    fields.update(overrides)
    return Candidate(**fields)


def existing(partner_id: str = "p1", **overrides: object) -> ExistingPartner:
    fields: dict = {"partner_id": partner_id, "name": "Василёк", "inn": None, "kpp": None, "phones": [], "emails": []}
    fields.update(overrides)
    return ExistingPartner(**fields)


def only_match(report: DuplicateReport) -> DuplicateMatch:
    assert len(report.matches) == 1, report.matches
    return report.matches[0]


def kinds(match: DuplicateMatch) -> list[str]:
    return [reason["kind"] for reason in match.reasons]


class TestEvidence:
    def test_same_inn_same_kpp_is_strong(self) -> None:
        match = only_match(rank_duplicates(candidate(inn=INN, kpp="773601001"), [existing(inn=INN, kpp="773601001")]))
        assert (match.strength, match.score, kinds(match)) == ("strong", 100, ["same_inn"])
        assert match.reasons[0]["value"] == INN

    @pytest.mark.parametrize(("mine", "theirs"), [(None, "773601001"), ("773601001", None), (None, None)])
    def test_same_inn_with_a_kpp_missing_is_strong(self, mine: str | None, theirs: str | None) -> None:
        match = only_match(rank_duplicates(candidate(inn=INN, kpp=mine), [existing(inn=INN, kpp=theirs)]))
        assert match.strength == "strong"

    def test_same_inn_other_kpp_is_a_branch_not_a_duplicate(self) -> None:
        branch = existing("b1", name="ООО «Ромашка» (филиал)", inn=INN, kpp="773602001", phones=["+74951234567"])
        report = rank_duplicates(candidate(inn=INN, kpp="773601001", phones=["+74951234567"]), [branch])
        assert report.matches == []
        assert report.branches == [
            {"partner_id": "b1", "name": "ООО «Ромашка» (филиал)", "inn": INN, "kpp": "773602001"}
        ]
        assert not policy_blocks(DuplicatePolicy.BLOCK, report)

    def test_same_phone_is_strong(self) -> None:
        match = only_match(rank_duplicates(candidate(phones=["+74951234567"]), [existing(phones=["+74951234567"])]))
        assert (match.strength, kinds(match)) == ("strong", ["same_phone"])
        assert match.reasons[0]["value"] == "+74951234567"

    def test_same_email_is_strong_and_hides_the_same_domain(self) -> None:
        match = only_match(
            rank_duplicates(candidate(emails=["sales@romashka.ru"]), [existing(emails=["Sales@romashka.ru"])])
        )
        assert (match.strength, kinds(match)) == ("strong", ["same_email"])

    def test_same_corporate_domain_is_weak(self) -> None:
        match = only_match(
            rank_duplicates(candidate(emails=["sales@romashka.ru"]), [existing(emails=["buh@romashka.ru"])])
        )
        assert (match.strength, kinds(match)) == ("weak", ["same_domain"])
        assert match.reasons[0]["value"] == "romashka.ru"

    def test_public_mail_domain_is_no_evidence(self) -> None:
        report = rank_duplicates(candidate(emails=["a@gmail.com"]), [existing(emails=["b@gmail.com"])])
        assert report.matches == []

    def test_similar_name_is_weak(self) -> None:
        match = only_match(rank_duplicates(candidate(name="ООО «Ромашка»"), [existing(name="Ромашко")]))
        assert (match.strength, kinds(match)) == ("weak", ["similar_name"])
        assert match.reasons[0]["value"] == "Ромашко"
        assert match.reasons[0]["detail"].endswith("% similar")

    def test_same_name_in_other_spelling_is_strong(self) -> None:
        match = only_match(rank_duplicates(candidate(name="ООО «Ромашка»"), [existing(name="Romashka LLC")]))
        assert (match.strength, kinds(match)) == ("strong", ["similar_name"])

    def test_same_name_with_different_inns_is_never_strong(self) -> None:
        report = rank_duplicates(candidate(inn=INN), [existing(name="Romashka LLC", inn=OTHER_INN)])
        match = only_match(report)
        assert match.strength == "weak"
        assert "INNs differ" in match.reasons[0]["detail"]

    def test_shared_contacts_of_different_inns_are_weak(self) -> None:
        report = rank_duplicates(
            candidate(inn=INN, phones=["+74951234567"], emails=["office@holding.ru"]),
            [existing(inn=OTHER_INN, phones=["+74951234567"], emails=["office@holding.ru"])],
        )
        match = only_match(report)
        assert match.strength == "weak"
        assert match.score <= 65
        assert not policy_blocks(DuplicatePolicy.BLOCK, report)

    def test_unrelated_partner_is_not_reported(self) -> None:
        report = rank_duplicates(
            candidate(inn=INN, phones=["+74951234567"], emails=["a@romashka.ru"]),
            [existing(name="Василёк", inn=OTHER_INN, phones=["+74957654321"], emails=["a@vasilek.ru"])],
        )
        assert report.matches == [] and report.branches == []

    def test_name_threshold(self) -> None:
        row = existing(name="Ромашко")
        assert rank_duplicates(candidate(), [row], name_threshold=99).matches == []
        assert rank_duplicates(candidate(), [row], name_threshold=80).matches


class TestScoring:
    def test_reasons_add_a_bonus_capped_at_100(self) -> None:
        row = existing(name="Romashka", inn=INN, phones=["+74951234567"], emails=["a@romashka.ru"])
        match = only_match(
            rank_duplicates(candidate(inn=INN, phones=["+74951234567"], emails=["a@romashka.ru"]), [row])
        )
        assert match.score == 100
        assert kinds(match) == ["same_inn", "same_phone", "same_email", "similar_name"]

    def test_two_reasons_score_above_one(self) -> None:
        one = rank_duplicates(candidate(phones=["+74951234567"]), [existing(phones=["+74951234567"])])
        two = rank_duplicates(
            candidate(phones=["+74951234567"], emails=["a@x.ru"]),
            [existing(phones=["+74951234567"], emails=["a@x.ru"])],
        )
        assert only_match(two).score > only_match(one).score

    def test_sorted_by_score_then_name_and_limited(self) -> None:
        rows = [
            existing("weak-b", name="Ромашко Б", emails=["x@romashka.ru"]),
            existing("weak-a", name="Ромашко А", emails=["y@romashka.ru"]),
            existing("strong", name="Я", phones=["+74951234567"]),
        ]
        report = rank_duplicates(candidate(phones=["+74951234567"], emails=["z@romashka.ru"]), rows)
        assert [match.partner_id for match in report.matches] == ["strong", "weak-a", "weak-b"]
        limited = rank_duplicates(candidate(phones=["+74951234567"], emails=["z@romashka.ru"]), rows, limit=2)
        assert [match.partner_id for match in limited.matches] == ["strong", "weak-a"]

    def test_scores_are_ints_in_range(self) -> None:
        rows = [existing(str(i), name=name) for i, name in enumerate(["Ромашко", "Romashka", "Ромашка Плюс"])]
        for match in rank_duplicates(candidate(), rows, name_threshold=50).matches:
            assert isinstance(match.score, int) and 0 <= match.score <= 100


class TestSkipped:
    def test_skips_the_candidate_itself(self) -> None:
        report = rank_duplicates(candidate(partner_id="p1", inn=INN), [existing("p1", inn=INN)])
        assert report.matches == []

    def test_skips_merged_partners(self) -> None:
        report = rank_duplicates(candidate(inn=INN), [existing(inn=INN, status="merged")])
        assert report.matches == []

    def test_uses_a_stored_name_key(self) -> None:
        row = existing(name="whatever is displayed", name_key=name_key("Romashka"))
        assert only_match(rank_duplicates(candidate(), [row])).strength == "strong"

    def test_refuses_bad_arguments(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            rank_duplicates(candidate(), [], limit=0)
        assert list(excinfo.value.details) == ["limit"]
        with pytest.raises(ValidationError):
            rank_duplicates(candidate(), [], name_threshold=101)

    def test_accepts_any_iterable(self) -> None:
        rows = (row for row in [existing(inn=INN)])
        assert only_match(rank_duplicates(candidate(inn=INN), rows)).partner_id == "p1"


class TestReport:
    def test_to_dict(self) -> None:
        report = rank_duplicates(
            candidate(inn=INN, kpp="773601001", phones=["+74951234567"]),
            [existing("p1", phones=["+74951234567"]), existing("b1", name="Филиал", inn=INN, kpp="773602001")],
        )
        assert report.to_dict() == {
            "matches": [
                {
                    "partner_id": "p1",
                    "name": "Василёк",
                    "score": 90,
                    "strength": "strong",
                    "reasons": [{"kind": "same_phone", "value": "+74951234567", "detail": None}],
                    "status": "active",
                    "manager_id": None,
                    "hidden": False,
                }
            ],
            "branches": [{"partner_id": "b1", "name": "Филиал", "inn": INN, "kpp": "773602001"}],
        }


class TestPolicy:
    def strong(self) -> DuplicateReport:
        return rank_duplicates(candidate(inn=INN), [existing(inn=INN)])

    def weak(self) -> DuplicateReport:
        return rank_duplicates(candidate(), [existing(name="Ромашко")])

    def test_block_refuses_only_strong_matches(self) -> None:
        assert policy_blocks(DuplicatePolicy.BLOCK, self.strong())
        assert not policy_blocks(DuplicatePolicy.BLOCK, self.weak())
        assert not policy_blocks(DuplicatePolicy.BLOCK, DuplicateReport())

    @pytest.mark.parametrize("policy", [DuplicatePolicy.WARN, DuplicatePolicy.SKIP])
    def test_warn_and_skip_never_block(self, policy: str) -> None:
        assert not policy_blocks(policy, self.strong())

    def test_refuses_unknown_policy(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            policy_blocks("maybe", self.strong())
        assert list(excinfo.value.details) == ["duplicate_policy"]

    def test_a_hidden_match_says_only_that_it_exists_and_whose_it_is(self) -> None:
        report = rank_duplicates(candidate(phones=["+74951234567"]), [existing("p1", phones=["+74951234567"])])
        (match,) = report.matches
        match.visible, match.manager_id = False, "boris"
        assert match.to_dict() == {"partner_id": None, "name": None, "score": 90, "strength": "strong", "reasons": [],
                                   "status": "active", "manager_id": "boris", "hidden": True}
        assert report.has_strong  # it still blocks a registration under "block"
