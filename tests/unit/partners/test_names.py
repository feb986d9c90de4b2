"""Name keys and name similarity for duplicate matching."""

from __future__ import annotations

import pytest

from crm_kit.errors import ValidationError
from services.partners.domain.names import name_key, name_similarity, trigram_similarity


@pytest.mark.parametrize(
    "names",
    [
        (
            "ООО «Ромашка»",
            "Romashka LLC",
            '"РОМАШКА" ооо',
            'Общество с ограниченной ответственностью "Ромашка"',
            "Romaшка",
            "ООО„Ромашка“",
            "OOO 'Romashka'",
            "Romashka, Ltd.",
            "Romashka L.L.C.",
        ),
        ("ИП Иванов Иван Иванович", "Ivanov Ivan Ivanovich", "Индивидуальный предприниматель Иванов Иван Иванович"),
        ("ПАО «Хлебозавод»", "Khlebozavod PJSC", "Публичное акционерное общество Хлебозавод"),
        ("АО «Цветы»", "Tsvety JSC", "Акционерное общество \"Цветы\""),
        ("ЗАО Щукин и партнёры", "Shchukin i partnery CJSC", "Schukin i partnery"),
        ("Ивановский", "Ivanovsky", "Ivanovskiy", "Ivanovskii"),
        ("Максим-Фарм", "Maxim Pharm"),
        ("Ёжик", "Ежик", "Ezhik"),
        ("Café Müller GmbH", "Cafe Muller"),
        ("ФГУП «Почта»", "Federalnoe gosudarstvennoe unitarnoe predpriyatie Pochta"),
    ],
)
def test_spellings_of_one_name_give_one_key(names: tuple[str, ...]) -> None:
    keys = {name_key(name) for name in names}
    assert len(keys) == 1, keys


def test_key_shape() -> None:
    assert name_key("ООО «Торговый дом „Ромашка-2“» (Москва)") == "torgovi dom romashka 2 moskva"


@pytest.mark.parametrize(("a", "b"), [("Ромашка", "Василёк"), ("Romashka", "Romashka Plus"), ("Альфа", "Альфа 2")])
def test_different_names_give_different_keys(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_legal_forms_inside_words_stay() -> None:
    # Only a whole word is a legal form: "ао" in "Саока", "inc" in "Incom" are part of the name.
    assert name_key("Саока") == "saoka"
    assert name_key("Incom") == "incom"


def test_name_of_legal_form_only_is_empty() -> None:
    assert name_key("ООО") == ""
    assert name_key("") == ""
    assert name_key("«»") == ""


def test_digits_are_kept() -> None:
    assert name_key("Хлебозавод №100") == "hlebozavod 100"


def test_refuses_non_strings() -> None:
    with pytest.raises(ValidationError) as excinfo:
        name_key(None)  # type: ignore[arg-type]
    assert list(excinfo.value.details) == ["name"]


class TestSimilarity:
    def test_equal_keys(self) -> None:
        assert name_similarity("romashka", "romashka") == 100

    def test_word_order_does_not_matter(self) -> None:
        assert name_similarity(name_key("Иванов Иван"), name_key("Ivan Ivanov")) == 100

    @pytest.mark.parametrize(("a", "b"), [("Ромашка", "Ромашко"), ("Romashka", "Romaska"), ("Хлебозавод", "Хлебзавод")])
    def test_typos_rank_high(self, a: str, b: str) -> None:
        assert name_similarity(name_key(a), name_key(b)) >= 85

    @pytest.mark.parametrize(
        ("a", "b"),
        [("Ромашка", "Василёк"), ("Ромашка", "Ромашка Плюс"), ("Альфа", "Омега"), ("Торговый дом Альфа", "Альфа Строй")],
    )
    def test_different_companies_rank_low(self, a: str, b: str) -> None:
        assert name_similarity(name_key(a), name_key(b)) < 85

    def test_empty_keys_are_not_alike(self) -> None:
        assert name_similarity("", "") == 0
        assert name_similarity("romashka", "") == 0


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ИП Белоусов С.А.", "belousov s a"),
        ("Б.В. Иванов", "b v ivanov"),
        ("ИП Петров Н.В.", "petrov n v"),
        ("ИП Сидоров С. Р. Л.", "sidorov s r l"),
    ],
)
def test_russian_initials_are_not_latin_legal_forms(name: str, key: str) -> None:
    # Folded, С.А. / Б.В. / Н.В. look like S.A. / B.V. / N.V.: only Latin letters are legal forms.
    assert name_key(name) == key


@pytest.mark.parametrize("name", ["Acme S.A.", "Acme B.V.", "Acme N.V.", "Acme s.r.l.", "Acme S.p.A.", "Acme P.L.C.", "Acme L.L.C."])
def test_dotted_latin_legal_forms_are_removed(name: str) -> None:
    assert name_key(name) == "acme"


def test_initials_keep_two_people_apart() -> None:
    assert name_key("ИП Белоусов С.А.") != name_key("ИП Белоусов Б.В.")


@pytest.mark.parametrize(
    ("a", "b", "postgres"),  # what pg_trgm's similarity() answered for the same pair
    [
        ("severnaya zvezda", "zvezda severnaja", 0.7),
        ("romashka", "romaska", 0.545455),
        ("ab", "abc", 0.4),
        ("Привет мир", "привет", 0.636364),
        ("x1 y_2", "x1 y 2", 1.0),
        ("", "abc", 0.0),
    ],
)
def test_trigram_similarity_is_pg_trgms(a, b, postgres):
    assert trigram_similarity(a, b) == pytest.approx(postgres, abs=1e-6)
