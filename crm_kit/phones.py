"""The one way every service keys a phone number for lookup: E.164 through phonenumbers.

Partners stores numbers by this key and the interactions service matches PBX caller ids by it,
so "8 (495) 123-45-67", "74951234567" and "+7 495 123 45 67" meet at "+74951234567".
"""

from __future__ import annotations

import functools

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

DEFAULT_REGION = "RU"


@functools.lru_cache(maxsize=65536)  # a PBX repeats numbers; parsing is the costly part
def _key(raw: str, default_region: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, default_region)
    except NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def lookup_key(raw: object, default_region: str = DEFAULT_REGION) -> str | None:
    """The E.164 key to look ``raw`` up by (an arbitrary caller id from a PBX), or ``None``.

    Lenient: never raises; an extension suffix is ignored (so "+7 495 123-45-67 доб. 12" finds
    "+74951234567"); a number of plausible length is keyed even when the metadata does not
    know its range yet. Internal extensions ("101"), anonymous callers and garbage give
    ``None``.
    """
    if not isinstance(raw, str) or not raw.strip():
        return None
    return _key(raw, default_region)


@functools.lru_cache(maxsize=65536)
def display(key: str) -> str:
    """``+74951234567`` as people write it: ``+7 495 123-45-67``."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(key, None), PhoneNumberFormat.INTERNATIONAL)
    except NumberParseException:
        return key
