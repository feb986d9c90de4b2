"""Phones, emails, websites."""

from __future__ import annotations

import pytest

from crm_kit.errors import ValidationError
from services.partners.domain.contacts import (
    PUBLIC_EMAIL_DOMAINS,
    corporate_domain,
    email_domain,
    normalize_email,
    normalize_phone,
    normalize_website,
    phone_lookup_key,
)


class TestNormalizePhone:
    @pytest.mark.parametrize(
        "raw",
        [
            "8 (495) 123-45-67",
            "+7 495 1234567",
            "84951234567",
            "74951234567",
            "4951234567",
            "+7 (495) 123-45-67 доб. 12",
            "  +7-495-123-45-67  ",
        ],
    )
    def test_russian_spellings_of_one_number(self, raw: str) -> None:
        assert normalize_phone(raw) == "+74951234567"

    def test_mobile_number(self) -> None:
        assert normalize_phone("8 916 123 45 67") == "+79161234567"

    def test_foreign_number_with_country_code(self) -> None:
        assert normalize_phone("+1 650 253 0000") == "+16502530000"

    def test_default_region_reads_national_numbers(self) -> None:
        assert normalize_phone("030 1234567", default_region="DE") == "+49301234567"

    @pytest.mark.parametrize("raw", ["", "   ", "abc", "12", "+7 495 123", "8 (000) 000-00-00", "+7 495 123 45 67 89 00"])
    def test_refuses_garbage_and_invalid_numbers(self, raw: str) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_phone(raw)
        assert list(excinfo.value.details) == ["phone"]
        assert excinfo.value.details["phone"][0]

    def test_names_the_given_field(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_phone("nope", field="contacts.0.phone")
        assert list(excinfo.value.details) == ["contacts.0.phone"]

    def test_refuses_non_strings(self) -> None:
        with pytest.raises(ValidationError):
            normalize_phone(74951234567)  # type: ignore[arg-type]


class TestPhoneLookupKey:
    @pytest.mark.parametrize(
        "raw", ["74951234567", "84951234567", "+7 (495) 123-45-67", "+74951234567 ext. 101", "4951234567"]
    )
    def test_caller_ids_key_to_the_stored_number(self, raw: str) -> None:
        assert phone_lookup_key(raw) == normalize_phone("8 (495) 123-45-67")

    @pytest.mark.parametrize("raw", ["", "anonymous", "101", "12", None, 42])
    def test_unusable_caller_ids_give_none(self, raw: object) -> None:
        assert phone_lookup_key(raw) is None  # type: ignore[arg-type]


class TestEmail:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("Ivan.Petrov@Example.RU", "ivan.petrov@example.ru"),
            ("  sales@romashka.ru ", "sales@romashka.ru"),
            ("info@пример.рф", "info@пример.рф"),
        ],
    )
    def test_normalises_and_lowercases(self, raw: str, expected: str) -> None:
        assert normalize_email(raw) == expected

    @pytest.mark.parametrize(
        "raw", ["", "ivan", "ivan@", "@example.ru", "ivan@@example.ru", "ivan petrov@example.ru", "a@localhost"]
    )
    def test_refuses_invalid_addresses(self, raw: str) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_email(raw, field="contact_email")
        assert list(excinfo.value.details) == ["contact_email"]

    def test_does_not_check_dns(self) -> None:
        # A domain that certainly has no mail server is still a well-formed address.
        assert normalize_email("x@no-such-domain-for-crm-tests.ru") == "x@no-such-domain-for-crm-tests.ru"

    def test_domain(self) -> None:
        assert email_domain("sales@Romashka.RU") == "romashka.ru"

    def test_domain_of_text_without_one(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            email_domain("sales")
        assert list(excinfo.value.details) == ["email"]

    @pytest.mark.parametrize(
        "email",
        [
            "ivan@gmail.com",
            "ivan@yandex.ru",
            "ivan@ya.ru",
            "ivan@mail.ru",
            "ivan@bk.ru",
            "ivan@list.ru",
            "ivan@inbox.ru",
            "ivan@rambler.ru",
            "ivan@outlook.com",
            "ivan@hotmail.com",
            "ivan@yahoo.com",
            "ivan@icloud.com",
            "ivan@protonmail.com",
            "ivan@gmx.de",
            "ivan@gmx.at",
            "ivan@yahoo.co.uk",
            "ivan@hotmail.fr",
        ],
    )
    def test_public_providers_are_no_corporate_domain(self, email: str) -> None:
        assert corporate_domain(email) is None

    @pytest.mark.parametrize(
        ("email", "domain"),
        [
            ("sales@romashka.ru", "romashka.ru"),
            ("it@outlook.romashka.ru", "outlook.romashka.ru"),
            ("a@gmxmail.ru", "gmxmail.ru"),
        ],
    )
    def test_company_domains(self, email: str, domain: str) -> None:
        assert corporate_domain(email) == domain

    def test_public_domains_are_lower_case(self) -> None:
        assert all(domain == domain.lower() for domain in PUBLIC_EMAIL_DOMAINS)


class TestWebsite:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("example.ru", "https://example.ru"),
            ("https://Example.ru/", "https://example.ru"),
            ("HTTP://www.Example.ru", "http://www.example.ru"),
            ("example.ru/shop/?utm_source=x#top", "https://example.ru/shop"),
            ("example.ru:8080", "https://example.ru:8080"),
            ("пример.рф", "https://пример.рф"),
            ("  example.ru.  ", "https://example.ru"),
        ],
    )
    def test_normalises(self, raw: str, expected: str) -> None:
        assert normalize_website(raw) == expected

    @pytest.mark.parametrize(
        "raw",
        [
            "",
            "garbage",
            "not a site",
            "ftp://example.ru",
            "mailto:info@example.ru",
            "javascript:alert(1)",
            "https://user:secret@example.ru",
            "http://127.0.0.1",
            "https://example.ru:99999",
            "https://-bad-.ru",
            "https://example..ru",
            "https://exa_mple.ru",
            "https://",
        ],
    )
    def test_refuses_garbage(self, raw: str) -> None:
        with pytest.raises(ValidationError) as excinfo:
            normalize_website(raw)
        assert list(excinfo.value.details) == ["website"]
