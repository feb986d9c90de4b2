"""Russian legal details: INN, KPP, OGRN, bank account control key."""

from __future__ import annotations

import pytest

from crm_kit.errors import ValidationError
from services.partners.domain.legal import (
    LEGAL_FORMS,
    account_control_prefix,
    account_key_matches,
    check_legal_details,
    normalize_bank_account,
    normalize_inn,
    normalize_kpp,
    normalize_ogrn,
)

# Public details of PJSC Sberbank.
SBER_INN = "7707083893"
SBER_KPP = "773601001"
SBER_OGRN = "1027700132195"
SBER_BIC = "044525225"
SBER_CORRESPONDENT_ACCOUNT = "30101810400000000225"
PERSON_INN = "500100732259"
OGRNIP = "304500116000157"


def _field_errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.details


def _one_digit_changed(number: str, position: int) -> str:
    digit = str((int(number[position]) + 1) % 10)
    return number[:position] + digit + number[position + 1 :]


class TestInn:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            (SBER_INN, SBER_INN),
            (" 7707 083 893 ", SBER_INN),
            ("7707\u00a0083893", SBER_INN),
            (PERSON_INN, PERSON_INN),
        ],
    )
    def test_accepts_valid_numbers_and_strips_spaces(self, raw: str, expected: str) -> None:
        assert normalize_inn(raw) == expected

    @pytest.mark.parametrize(
        "raw",
        ["", "   ", "abc", "77070838", "77070838931", "7707083894", "500100732258", "７７０７０８３８９３"],
    )
    def test_refuses_garbage_length_and_checksum(self, raw: str) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_inn(raw)
        assert list(_field_errors(excinfo)) == ["inn"]

    def test_names_the_given_field(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_inn("123", field="payer.inn")
        assert list(_field_errors(excinfo)) == ["payer.inn"]

    def test_refuses_non_strings(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_inn(7707083893)  # type: ignore[arg-type]
        assert "inn" in _field_errors(excinfo)

    def test_checksum_message_says_so(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_inn("7707083894")
        assert "check digits" in excinfo.value.details["inn"][0]


class TestKpp:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [(SBER_KPP, SBER_KPP), ("7736 01 001", SBER_KPP), ("7736AB001", "7736AB001"), ("7736ab001", "7736AB001")],
    )
    def test_accepts_digits_or_letters_in_the_reason_code(self, raw: str, expected: str) -> None:
        assert normalize_kpp(raw) == expected

    @pytest.mark.parametrize("raw", ["", "77360100", "7736010011", "A73601001", "773601A01", "7736ЖЖ001", "7736-01001"])
    def test_refuses_other_shapes(self, raw: str) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_kpp(raw)
        assert list(_field_errors(excinfo)) == ["kpp"]


class TestOgrn:
    @pytest.mark.parametrize("raw", [SBER_OGRN, OGRNIP, "1 027 700 132 195"])
    def test_accepts_ogrn_and_ogrnip(self, raw: str) -> None:
        assert normalize_ogrn(raw) == raw.replace(" ", "")

    @pytest.mark.parametrize(
        "raw", ["", "x", "102770013219", "10277001321950", "1027700132196", "0027700132195", "504500116000157"]
    )
    def test_refuses_bad_length_leading_digit_and_checksum(self, raw: str) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_ogrn(raw, field="ogrn")
        assert list(_field_errors(excinfo)) == ["ogrn"]


class TestCheckLegalDetails:
    def test_legal_entity_with_everything(self) -> None:
        assert check_legal_details("legal_entity", " 7707083893", "773601001", SBER_OGRN) == {
            "inn": SBER_INN,
            "kpp": SBER_KPP,
            "ogrn": SBER_OGRN,
        }

    def test_details_are_optional(self) -> None:
        for form in LEGAL_FORMS:
            assert check_legal_details(form, None, None, None) == {"inn": None, "kpp": None, "ogrn": None}
        assert check_legal_details("legal_entity", "", "  ", None) == {"inn": None, "kpp": None, "ogrn": None}

    def test_entrepreneur(self) -> None:
        assert check_legal_details("entrepreneur", PERSON_INN, None, OGRNIP) == {
            "inn": PERSON_INN,
            "kpp": None,
            "ogrn": OGRNIP,
        }

    def test_person(self) -> None:
        assert check_legal_details("person", PERSON_INN, None, None)["inn"] == PERSON_INN

    def test_legal_entity_refuses_personal_inn_and_ogrnip(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_legal_details("legal_entity", PERSON_INN, None, OGRNIP)
        assert set(_field_errors(excinfo)) == {"inn", "ogrn"}

    def test_entrepreneur_refuses_organisation_inn_ogrn_and_any_kpp(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_legal_details("entrepreneur", SBER_INN, SBER_KPP, SBER_OGRN)
        assert set(_field_errors(excinfo)) == {"inn", "kpp", "ogrn"}

    def test_person_refuses_kpp_and_ogrn(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_legal_details("person", SBER_INN, "garbage", OGRNIP)
        errors = _field_errors(excinfo)
        assert set(errors) == {"inn", "kpp", "ogrn"}
        assert errors["kpp"] == ["a person has no KPP"]

    def test_collects_every_error_at_once(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_legal_details("company", "123", "12", "x")
        assert set(_field_errors(excinfo)) == {"legal_form", "inn", "kpp", "ogrn"}
        assert "legal_form" in excinfo.value.message


class TestBankAccount:
    def test_published_correspondent_account_of_sberbank(self) -> None:
        assert normalize_bank_account(SBER_BIC, SBER_CORRESPONDENT_ACCOUNT) == (
            SBER_BIC,
            SBER_CORRESPONDENT_ACCOUNT,
        )

    def test_example_of_bank_of_russia_instruction_515(self) -> None:
        # The instruction's own example: correspondent account keyed 8 at settlement centre
        # with BIC 049805000 (conditional number 005).
        assert account_control_prefix("049805000", "30101810800000000746") == "005"
        assert account_key_matches("049805000", "30101810800000000746")

    def test_settlement_account_at_a_bank(self) -> None:
        account = "40702810938000000001"
        assert account_control_prefix(SBER_BIC, account) == "225"
        assert normalize_bank_account(" 044525225 ", "4070 2810 9380 0000 0001") == (SBER_BIC, account)

    @pytest.mark.parametrize("account", [SBER_CORRESPONDENT_ACCOUNT, "40702810938000000001"])
    def test_any_single_changed_digit_is_refused(self, account: str) -> None:
        for position in range(len(account)):
            with pytest.raises(ValidationError) as excinfo:
                normalize_bank_account(SBER_BIC, _one_digit_changed(account, position))
            assert list(_field_errors(excinfo)) == ["account"]

    def test_account_of_another_bank_is_refused(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_bank_account("044525974", "40702810938000000001")
        assert "does not match the BIC" in excinfo.value.details["account"][0]

    @pytest.mark.parametrize("bic", ["", "04452522", "0445252250", "144525225", "04452522x"])
    def test_refuses_bad_bic(self, bic: str) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_bank_account(bic, "40702810938000000001")
        assert list(_field_errors(excinfo)) == ["bic"]

    @pytest.mark.parametrize("account", ["", "4070281093800000000", "407028109380000000011", "4070281093800000000a"])
    def test_refuses_bad_account(self, account: str) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_bank_account(SBER_BIC, account)
        assert list(_field_errors(excinfo)) == ["account"]

    def test_reports_both_fields_when_both_are_bad(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_bank_account("1", "2")
        assert set(_field_errors(excinfo)) == {"bic", "account"}
