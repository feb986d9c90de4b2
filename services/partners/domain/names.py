"""Partner names for duplicate matching: a canonical comparison key and a similarity score.

The key makes the usual spellings of one company equal: 'ООО «Ромашка»', 'Romashka LLC',
'"РОМАШКА" ооо' and 'Общество с ограниченной ответственностью "Ромашка"' all give
"romashka". It is computed per request for every candidate row, so it is built from
``str.translate`` tables, ``str.replace`` and regexes compiled once at import (a few
microseconds a name). The service should store the key in an indexed column, so it never
computes keys for the whole table.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from rapidfuzz import fuzz

from crm_kit.errors import ValidationError

# Cyrillic to Latin, one table for Russian, Ukrainian and Belarusian letters. It is GOST-like
# but already emits the folded spelling (х → h, ц → c, щ → sh, й and ы → i), the same the
# Latin folds below give for "kh", "ts", "shch", "y", so "Ромашка", "Romashka" and "Romaшка"
# meet. ъ and ь carry no sound worth comparing.
_CYRILLIC_TO_LATIN: Final = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu",
    "я": "ia", "і": "i", "ї": "i", "є": "e", "ґ": "g", "ў": "u",
}
# Quotes around a name separate it from what stands next to it (ООО«Ромашка»): a space.
_QUOTES: Final = "«»„“”‟\"‹›〝〞＂"
# Apostrophes stand inside a word (O'Key, Л'Этуаль): removed, so the word stays whole.
_APOSTROPHES: Final = "'`´‘’‚‛ʼ′"
_TABLE: Final = str.maketrans(
    {
        **_CYRILLIC_TO_LATIN,
        **{quote: " " for quote in _QUOTES},
        **{apostrophe: "" for apostrophe in _APOSTROPHES},
        "№": " ",  # NFKD would turn it into "No"
    }
)
# Common variants of transliterating the same Russian sound, folded to one spelling, in this
# order (longer sequences first). "x" is "кс" (Maxim, Максим); "ph" is "ф" (Pharma, Фарма).
_LATIN_FOLDS: Final = (
    ("shch", "sh"),
    ("sch", "sh"),
    ("kh", "h"),
    ("ts", "c"),
    ("tz", "c"),
    ("ph", "f"),
    ("x", "ks"),
    ("y", "i"),
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Doubled letters are spelt either way in transliteration (Ivanovskii / Ivanovsky, Gollandia /
# Golandia); digits are kept as they are (a "100" is not a "10").
_DOUBLE_LETTERS = re.compile(r"([a-z])\1+")

# Legal forms, removed wherever they stand. Written as people write them; folded at import
# with the same steps as names, so every spelling variant of a form is caught.
_LEGAL_FORM_PHRASES: Final = (
    "общество с ограниченной ответственностью",
    "общество с дополнительной ответственностью",
    "товарищество с ограниченной ответственностью",
    "индивидуальный предприниматель",
    "предприниматель без образования юридического лица",
    "публичное акционерное общество",
    "непубличное акционерное общество",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "акционерное общество",
    "федеральное государственное унитарное предприятие",
    "государственное унитарное предприятие",
    "муниципальное унитарное предприятие",
    "автономная некоммерческая организация",
    "некоммерческая организация",
    "крестьянское фермерское хозяйство",
    "limited liability company",
    "limited liability partnership",
    "public limited company",
    "private limited company",
    "public joint stock company",
    "closed joint stock company",
    "open joint stock company",
    "joint stock company",
    "individual entrepreneur",
    "sole proprietor",
    # Dotted abbreviations fall apart into letters: О.О.О. in either script.
    "o o o",
)
# Dotted Latin abbreviations (S.A., B.V., L.L.C.), removed only when written in Latin letters:
# folded, Russian initials would look the same (Белоусов С.А. → "s a", Б.В., Н.В.).
_LATIN_DOTTED_FORMS: Final = ("l l c", "s a", "b v", "n v", "s r l", "s p a", "p l c")
_LEGAL_FORM_WORDS: Final = (
    "ооо", "зао", "оао", "пао", "ао", "нао", "ип", "гуп", "муп", "нко", "ано", "фгуп", "кфх",
    "одо", "тоо", "пбоюл", "ooo", "zao", "oao", "pao", "llc", "ltd", "limited", "inc",
    "incorporated", "gmbh", "jsc", "ojsc", "cjsc", "pjsc", "llp", "corp", "corporation", "co",
    "sa", "ag", "bv", "nv", "plc", "srl", "sarl", "spa", "sro",
)


def _fold(text: str) -> str:
    """Lower-case Latin letters, digits and single spaces; legal forms still in, letters not
    yet collapsed."""
    text = text.lower().translate(_TABLE)
    if not text.isascii():
        # Accented Latin (é, ü) to its base letter; letters of other scripts are dropped.
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    for variant, folded in _LATIN_FOLDS:
        text = text.replace(variant, folded)
    return _NOT_WORD.sub(" ", text).strip()


_LEGAL_FORM_PHRASE = re.compile(
    r"\b(?:"
    + "|".join(
        re.escape(_fold(phrase))
        for phrase in sorted(_LEGAL_FORM_PHRASES, key=len, reverse=True)
    )
    + r")\b"
)
_LEGAL_FORM_WORD: Final = frozenset(_fold(word) for word in _LEGAL_FORM_WORDS)
# On the original text: the letters are Latin ones, separated by anything but letters and digits.
_LATIN_DOTTED_FORM = re.compile(
    r"(?<![^\W_])(?:"
    + "|".join(r"[\W_]+".join(form.split()) for form in sorted(_LATIN_DOTTED_FORMS, key=len, reverse=True))
    + r")(?![^\W_])",
    re.IGNORECASE,
)
_LATIN_LETTER = re.compile("[a-zA-Z]")


@lru_cache(maxsize=65_536)  # the same names recur across requests (a busy partner, its branches)
def _name_key(name: str) -> str:
    if _LATIN_LETTER.search(name):  # most names are all Cyrillic: no regex pass then
        name = _LATIN_DOTTED_FORM.sub(" ", name)
    text = _LEGAL_FORM_PHRASE.sub(" ", _fold(name))
    words = [word for word in text.split() if word not in _LEGAL_FORM_WORD]
    return _DOUBLE_LETTERS.sub(r"\1", " ".join(words))


def name_key(name: str) -> str:
    """The canonical comparison key of a partner's name.

    Lower-case, Cyrillic transliterated to Latin with common transliteration variants folded
    (kh → h, ts → c, shch/sch → sh, y → i, doubled letters single), quotes and punctuation
    gone, legal forms (ООО, ИП, АО, "общество с ограниченной ответственностью", LLC, GmbH, ...)
    removed wherever they stand, words separated by single spaces. A name that is nothing but
    a legal form gives "" (nothing to compare).

    Refuses a name that is not a string (field ``name``).
    """
    if not isinstance(name, str):
        raise ValidationError.for_field("name", "must be a string")
    return _name_key(name)


def name_similarity(a_key: str, b_key: str) -> float:
    """How alike two name keys are, 0 (nothing alike) to 100 (equal); 0 when either is empty.

    rapidfuzz's ``token_sort_ratio``: words are sorted before an edit-distance ratio, so word
    order does not matter ("ivanov ivan" = "ivan ivanov") and a typo costs little ("romashka"
    vs "romaska" ≈ 93), while an extra word costs in proportion to its length ("romashka" vs
    "romashka plus" ≈ 76). ``WRatio`` and ``token_set_ratio`` were rejected: they score a name
    contained in another at 90-100, so every "Romashka <anything>" would look like the same
    company.
    """
    if not a_key or not b_key:
        return 0.0
    return fuzz.token_sort_ratio(a_key, b_key)


_TRIGRAM_WORDS = re.compile(r"[^\W_]+")


def trigrams(text: str) -> frozenset[str]:
    """The trigrams PostgreSQL's pg_trgm takes of ``text``: each word (letters and digits)
    lower-cased, padded with two spaces in front and one behind."""
    grams: set[str] = set()
    for word in _TRIGRAM_WORDS.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity(a, b)``: shared trigrams over all trigrams of the two. Written
    here (no library computes pg_trgm's exact figure) so that the duplicate search ranks the
    same on SQLite as on PostgreSQL."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)
