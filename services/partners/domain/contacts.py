"""Contact details of a partner: phone numbers, email addresses, websites.

Phones go through phonenumbers (Google's libphonenumber metadata), emails through
email-validator; both know far more of the world's rules than a regex would.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import NumberParseException, PhoneNumberFormat

from crm_kit import phones
from crm_kit.errors import ValidationError

DEFAULT_REGION: Final = phones.DEFAULT_REGION

PUBLIC_EMAIL_DOMAINS: Final = frozenset(
    {
        # Russia and neighbours
        "yandex.ru", "yandex.com", "yandex.by", "yandex.kz", "yandex.ua", "ya.ru", "narod.ru",
        "mail.ru", "bk.ru", "list.ru", "inbox.ru", "internet.ru", "mail.ua", "ukr.net",
        "rambler.ru", "lenta.ru", "autorambler.ru", "myrambler.ru", "ro.ru", "r0.ru",
        "vk.com", "qip.ru", "pochta.ru", "nxt.ru", "tut.by",
        # International
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
        "yahoo.com", "ymail.com", "aol.com", "icloud.com", "me.com", "mac.com",
        "protonmail.com", "protonmail.ch", "proton.me", "pm.me", "tutanota.com", "tuta.io",
        "zoho.com", "mail.com", "email.com", "web.de", "t-online.de", "freenet.de",
        "gmx.com", "gmx.net", "gmx.de", "qq.com", "163.com", "126.com",
    }
)
# Providers that serve the same mailbox under many country domains (gmx.at, yahoo.co.uk,
# hotmail.fr, ...): the provider's name followed by a country or generic suffix.
PUBLIC_EMAIL_PROVIDERS: Final = frozenset({"gmx", "yahoo", "hotmail", "outlook", "live", "yandex"})

_URL_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TOP_LEVEL_DOMAIN = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")
_WHITESPACE = re.compile(r"\s")
_WEB_SCHEMES: Final = frozenset({"http", "https"})


def _require_text(raw: object, field: str) -> str:
    if not isinstance(raw, str):
        raise ValidationError.for_field(field, "must be a string")
    text = raw.strip()
    if not text:
        raise ValidationError.for_field(field, "must not be empty")
    return text


def normalize_phone(raw: str, default_region: str = DEFAULT_REGION, field: str = "phone") -> str:
    """The phone number in E.164 (``+74951234567``).

    A number without a country code is read in ``default_region``: with region RU,
    "8 (495) 123-45-67", "84951234567", "74951234567" and "+7 495 1234567" are all the same
    number. An extension ("доб. 12", "ext 12") is not part of E.164 and is dropped.

    Refuses text that is not a phone number and numbers that no operator of that country
    issues (``phonenumbers.is_valid_number``), e.g. a digit too few or an unused area code.
    """
    text = _require_text(raw, field)
    try:
        number = phonenumbers.parse(text, default_region)
    except NumberParseException:
        raise ValidationError.for_field(field, f"not a phone number: {text!r}") from None
    if not phonenumbers.is_valid_number(number):
        if not phonenumbers.is_possible_number(number):
            message = f"{text!r} has the wrong number of digits for a phone number"
        else:
            message = f"{text!r} is not a phone number in use: check the code and the digits"
        raise ValidationError.for_field(field, message)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phone_lookup_key(raw: str, default_region: str = DEFAULT_REGION) -> str | None:
    """The E.164 key to look ``raw`` up by, or ``None`` (crm_kit.phones.lookup_key: the key
    every service matches numbers by)."""
    return phones.lookup_key(raw, default_region)


def normalize_email(raw: str, field: str = "email") -> str:
    """The email address as email-validator normalises it, lower-cased.

    Deliverability (DNS) is not checked: it is slow and a new company's domain may not resolve
    yet. Refuses everything email-validator refuses (no "@", bad characters, a domain that
    cannot exist such as "localhost" or "x.invalid"), with its message.
    """
    text = _require_text(raw, field)
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError.for_field(field, f"not a valid email address: {exc}") from None
    return result.normalized.lower()


def email_domain(email: str) -> str:
    """The domain of ``email`` (after the last "@"), lower-cased.

    Refuses text without a domain (field ``email``).
    """
    if not isinstance(email, str):
        raise ValidationError.for_field("email", "must be a string")
    _, at, domain = email.rpartition("@")
    domain = domain.strip().lower().rstrip(".")
    if not at or not domain:
        raise ValidationError.for_field("email", f"no domain in {email!r}")
    return domain


def is_public_email_domain(domain: str) -> bool:
    """Whether ``domain`` belongs to a mailbox provider anyone can sign up with."""
    if domain in PUBLIC_EMAIL_DOMAINS:
        return True
    provider, _, suffix = domain.partition(".")
    if provider not in PUBLIC_EMAIL_PROVIDERS or not suffix:
        return False
    # "gmx.at", "yahoo.co.uk", "hotmail.fr": a short country or generic suffix; a longer
    # domain such as "outlook.acme.ru" is a company's own server.
    labels = suffix.split(".")
    return len(labels) <= 2 and all(0 < len(label) <= 3 for label in labels)


def corporate_domain(email: str) -> str | None:
    """The domain of ``email`` when it is a company's own (evidence of the same organisation),
    ``None`` for public mail providers (gmail.com, yandex.ru, mail.ru, gmx.*, ...)."""
    domain = email_domain(email)
    return None if is_public_email_domain(domain) else domain


def normalize_website(raw: str, field: str = "website") -> str:
    """The website as ``scheme://host[:port][/path]``: scheme and host lower-cased, "https"
    when no scheme is given, no trailing slash, query and fragment dropped (a partner's site,
    not a tracking link).

    Accepts "example.ru", "https://Example.ru/", "пример.рф". Refuses text with spaces, schemes
    other than http(s), user names or passwords in the address, bad ports, IP addresses and
    host names that are not a domain (no dot, bad characters, a numeric top-level domain).
    """
    text = _require_text(raw, field)
    if _WHITESPACE.search(text):
        raise ValidationError.for_field(field, "a website address has no spaces")
    if not _URL_SCHEME.match(text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValidationError.for_field(field, f"not a website address: {raw!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in _WEB_SCHEMES:
        raise ValidationError.for_field(field, "a website address starts with http:// or https://")
    if parts.username is not None or parts.password is not None:
        raise ValidationError.for_field(field, "a website address has no user name or password")
    host = (parts.hostname or "").rstrip(".")
    if not _is_domain_name(host):
        raise ValidationError.for_field(field, f"not a website address: {raw!r}")
    netloc = host if port is None else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def _is_domain_name(host: str) -> bool:
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.split(".")
    return (
        len(labels) >= 2
        and all(_HOST_LABEL.fullmatch(label) for label in labels)
        and _TOP_LEVEL_DOMAIN.fullmatch(labels[-1]) is not None
    )
