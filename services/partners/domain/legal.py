"""Russian legal details of a partner: INN, KPP, OGRN/OGRNIP and bank details.

INN and OGRN checksums come from python-stdnum. KPP and the bank account control key have no
well-kept Python library, so the (short, published) rules are written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from stdnum.exceptions import InvalidChecksum, InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from crm_kit.errors import ValidationError

LEGAL_ENTITY: Final = "legal_entity"
ENTREPRENEUR: Final = "entrepreneur"
PERSON: Final = "person"
LEGAL_FORMS: Final = (LEGAL_ENTITY, ENTREPRENEUR, PERSON)

INN_LEGAL_ENTITY_LENGTH: Final = 10
INN_PERSON_LENGTH: Final = 12
OGRN_LENGTH: Final = 13
OGRNIP_LENGTH: Final = 15

# People paste details from documents and PDFs: ordinary, non-breaking and thin spaces.
_SPACES = re.compile(r"\s+")
# KPP (Order of the Federal Tax Service): 4 digits of the tax office, 2 of the reason (digits or
# Latin capitals since 2013), 3 of the serial number. No library checks it, hence the regex.
_KPP = re.compile(r"\d{4}[0-9A-Z]{2}\d{3}")
_BIC = re.compile(r"04\d{7}")
_ACCOUNT = re.compile(r"\d{20}")

# Bank of Russia, "Порядок расчета контрольного ключа в номере лицевого счета" (No. 515,
# 08.09.1997). No maintained Python library implements it, hence these few lines.
_ACCOUNT_KEY_WEIGHTS: Final = (7, 1, 3) * 8  # 23 positions: 3 of the bank, 20 of the account
# BIC digits 7-9 of a Bank of Russia division (settlement centre) itself, not a credit institution.
_SETTLEMENT_CENTRE_SUFFIXES: Final = frozenset({"000", "001", "002"})
# Correspondent accounts of credit institutions (balance account 301xx) are opened at a
# settlement centre of the Bank of Russia.
_CORRESPONDENT_ACCOUNT_PREFIX: Final = "301"


def _compact(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise ValidationError.for_field(field, "must be a string")
    compact = _SPACES.sub("", value)
    if not compact:
        raise ValidationError.for_field(field, "must not be empty")
    return compact


def _digits(value: object, field: str, what: str) -> str:
    compact = _compact(value, field)
    if not compact.isascii() or not compact.isdigit():
        raise ValidationError.for_field(field, f"{what} must contain digits only")
    return compact


def normalize_inn(value: str, field: str = "inn") -> str:
    """The INN as digits, spaces removed.

    Refuses anything but 10 digits (an organisation) or 12 digits (an entrepreneur or a
    person), and a number whose check digits do not match.
    """
    digits = _digits(value, field, "INN")
    if len(digits) not in (INN_LEGAL_ENTITY_LENGTH, INN_PERSON_LENGTH):
        raise ValidationError.for_field(
            field, "INN must have 10 digits (organisation) or 12 digits (entrepreneur or person)"
        )
    try:
        stdnum_inn.validate(digits)
    except InvalidChecksum:
        raise ValidationError.for_field(
            field, "INN check digits do not match: check for a typo"
        ) from None
    except StdnumError as exc:  # any other stdnum refusal; lengths and digits are checked above
        raise ValidationError.for_field(field, f"not a valid INN ({exc.message})") from None
    return digits


def normalize_kpp(value: str, field: str = "kpp") -> str:
    """The KPP, spaces removed and letters upper-cased.

    Refuses anything but 9 characters: 4 digits, 2 digits or Latin letters, 3 digits.
    """
    kpp = _compact(value, field).upper()
    if not _KPP.fullmatch(kpp):
        raise ValidationError.for_field(
            field, "KPP must have 9 characters: 4 digits, 2 digits or Latin letters, 3 digits"
        )
    return kpp


def normalize_ogrn(value: str, field: str = "ogrn") -> str:
    """The OGRN (13 digits, an organisation) or OGRNIP (15 digits, an entrepreneur) as digits.

    Refuses other lengths, a leading digit that no register uses, and a wrong check digit.
    """
    digits = _digits(value, field, "OGRN")
    if len(digits) not in (OGRN_LENGTH, OGRNIP_LENGTH):
        raise ValidationError.for_field(
            field, "OGRN must have 13 digits (organisation) or 15 digits (OGRNIP, entrepreneur)"
        )
    try:
        stdnum_ogrn.validate(digits)
    except InvalidChecksum:
        raise ValidationError.for_field(
            field, "OGRN check digit does not match: check for a typo"
        ) from None
    except InvalidComponent:
        raise ValidationError.for_field(
            field, "OGRN starts with a digit no register uses"
        ) from None
    except StdnumError as exc:  # any other refusal; lengths and digits are checked above
        raise ValidationError.for_field(field, f"not a valid OGRN ({exc.message})") from None
    return digits


def _blank(value: str | None) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_legal_details(
    legal_form: str, inn: str | None, kpp: str | None, ogrn: str | None
) -> dict:
    """Normalised ``{"inn", "kpp", "ogrn"}`` (``None`` where not given) for a partner of
    ``legal_form``.

    Every detail is optional (a prospect may be registered before its papers arrive), but what
    is given must fit the form:

    - ``legal_entity``: INN of 10 digits, OGRN of 13 digits, KPP allowed;
    - ``entrepreneur``: INN of 12 digits, OGRNIP of 15 digits, no KPP (entrepreneurs have none);
    - ``person``: INN of 12 digits, no KPP and no OGRN.

    Refuses an unknown legal form and every misfit at once: the ValidationError lists all the
    fields that are wrong, so a form shows every mistake in one round trip.
    """
    errors: dict[str, list[str]] = {}
    result: dict[str, str | None] = {"inn": None, "kpp": None, "ogrn": None}

    if legal_form not in LEGAL_FORMS:
        errors["legal_form"] = [f"must be one of: {', '.join(LEGAL_FORMS)}"]

    def collect(field: str, raw: str | None, normalize: Callable[[str, str], str]) -> str | None:
        if _blank(raw):
            return None
        try:
            return normalize(raw, field)
        except ValidationError as exc:
            for name, messages in exc.details.items():
                errors.setdefault(name, []).extend(messages)
            return None

    result["inn"] = collect("inn", inn, normalize_inn)
    # A KPP or OGRN the form does not allow is refused below; checking its format first would
    # only add noise to the same field.
    if legal_form not in (ENTREPRENEUR, PERSON):
        result["kpp"] = collect("kpp", kpp, normalize_kpp)
    if legal_form != PERSON:
        result["ogrn"] = collect("ogrn", ogrn, normalize_ogrn)

    if legal_form == LEGAL_ENTITY:
        if result["inn"] is not None and len(result["inn"]) != INN_LEGAL_ENTITY_LENGTH:
            errors.setdefault("inn", []).append("an organisation's INN has 10 digits")
        if result["ogrn"] is not None and len(result["ogrn"]) != OGRN_LENGTH:
            errors.setdefault("ogrn", []).append("an organisation's OGRN has 13 digits")
    elif legal_form == ENTREPRENEUR:
        if result["inn"] is not None and len(result["inn"]) != INN_PERSON_LENGTH:
            errors.setdefault("inn", []).append("an entrepreneur's INN has 12 digits")
        if result["ogrn"] is not None and len(result["ogrn"]) != OGRNIP_LENGTH:
            errors.setdefault("ogrn", []).append("an entrepreneur's OGRNIP has 15 digits")
        if not _blank(kpp):
            errors.setdefault("kpp", []).append("an entrepreneur has no KPP")
    elif legal_form == PERSON:
        if result["inn"] is not None and len(result["inn"]) != INN_PERSON_LENGTH:
            errors.setdefault("inn", []).append("a person's INN has 12 digits")
        if not _blank(kpp):
            errors.setdefault("kpp", []).append("a person has no KPP")
        if not _blank(ogrn):
            errors.setdefault("ogrn", []).append("a person has no OGRN")

    if errors:
        fields = ", ".join(sorted(errors))
        raise ValidationError(f"invalid legal details: {fields}", errors)
    return result


def account_control_prefix(bic: str, account: str) -> str:
    """The 3 digits the Bank of Russia puts before ``account`` to compute its control key.

    An account opened at a Bank of Russia settlement centre (a bank's correspondent account,
    or any account under a settlement centre's own BIC) uses "0" + BIC digits 5-6; an account
    opened at a credit institution uses the BIC's last 3 digits.
    """
    if account.startswith(_CORRESPONDENT_ACCOUNT_PREFIX) or bic[-3:] in _SETTLEMENT_CENTRE_SUFFIXES:
        return "0" + bic[4:6]
    return bic[-3:]


def account_key_matches(bic: str, account: str) -> bool:
    """Whether the control key (9th digit) of a 20-digit ``account`` matches the 9-digit ``bic``."""
    number = account_control_prefix(bic, account) + account
    return sum(int(digit) * weight for digit, weight in zip(number, _ACCOUNT_KEY_WEIGHTS)) % 10 == 0  # noqa: B905 (weights run longer)


def normalize_bank_account(bic: str, account: str) -> tuple[str, str]:
    """``(bic, account)`` as digits, spaces removed.

    Refuses a BIC that is not 9 digits starting with "04" (field ``bic``), an account that is
    not 20 digits (field ``account``), and an account whose control key does not match the BIC
    (field ``account``: usually a typo in either, and the account is the longer of the two).
    """
    errors: dict[str, list[str]] = {}
    try:
        bic = _compact(bic, "bic")
        if not _BIC.fullmatch(bic):
            errors["bic"] = ["BIC must have 9 digits and start with 04"]
    except ValidationError as exc:
        errors.update(exc.details)
    try:
        account = _compact(account, "account")
        if not _ACCOUNT.fullmatch(account):
            errors["account"] = ["account must have 20 digits"]
    except ValidationError as exc:
        errors.update(exc.details)
    if errors:
        raise ValidationError(f"invalid bank details: {', '.join(sorted(errors))}", errors)
    if not account_key_matches(bic, account):
        raise ValidationError.for_field(
            "account", "account control key does not match the BIC: check both for a typo"
        )
    return bic, account
