"""The partners service through real RabbitMQ and PostgreSQL, in its own process."""

from __future__ import annotations

import uuid

import pytest

from crm_kit.errors import Conflict, NotFound, PermissionDenied, PreconditionFailed, ValidationError
from tests.integration.partners.conftest import ADMIN, ANNA, BORIS, HEAD
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

# Valid Russian legal details (checksums hold).
SBERBANK_INN, SBERBANK_KPP, SBERBANK_OGRN = "7707083893", "773601001", "1027700132195"
BIC, ACCOUNT = "044525225", "40702810938000000001"


def unique_phone() -> str:
    return f"+7495{uuid.uuid4().int % 10**7:07d}"


def company(name: str, **extra) -> dict:
    payload = {"kinds": ["client"], "legal_form": "legal_entity", "short_name": name, "region": "msk"}
    payload.update(extra)
    return payload


def test_register_everything_in_one_call(call):
    phone = unique_phone()
    result = call(ANNA).partners.register(
        company(
            "ООО «Ромашка-Регистрация»",
            full_name="Общество с ограниченной ответственностью «Ромашка-Регистрация»",
            inn=SBERBANK_INN, kpp=SBERBANK_KPP, ogrn=SBERBANK_OGRN,
            phones=[{"number": phone.replace("+7", "8 (").replace("495", "495) ", 1)}],
            emails=[{"address": "Sales@Romashka-Reg.ru"}],
            addresses=[{"kind": "legal", "text": "Москва, ул. Вавилова, 19"}],
            bank_accounts=[{"bic": BIC, "account": ACCOUNT, "bank_name": "Сбербанк"}],
            properties={"industry": "retail"},
            contacts=[{"full_name": "Иван Петров", "roles": ["decision_maker"], "phones": [{"number": "+7 916 000 11 22"}]}],
        ),
        {"duplicate_policy": "skip", "override_reason": "test data"},
    )
    partner = result["partner"]
    assert partner["manager_id"] == "anna" and partner["department"] == "north"
    assert partner["phones"][0]["number"] == phone
    assert partner["emails"][0]["address"] == "sales@romashka-reg.ru"
    assert partner["bank_accounts"][0]["account"] == ACCOUNT
    assert partner["contacts"][0]["roles"] == ["decision_maker"]
    assert partner["contacts"][0]["phones"][0]["number"] == "+79160001122"
    assert partner["properties"] == {"industry": "retail"}
    assert partner["duplicate_override"]["by"] == "anna"
    # The answer is what a read gives (the first contact once, not twice).
    assert call(ANNA).partners.get(partner["id"]) == partner


def test_bad_input_names_every_field_and_writes_nothing(call):
    before = call(ADMIN).partners.search({"text": "Кривой", "status": "any"})["items"]
    with pytest.raises(ValidationError) as caught:
        call(ANNA).partners.register(
            company("Кривой", kinds=["bogus"], inn="7707083890", phones=[{"number": "12"}],
                    bank_accounts=[{"bic": BIC, "account": "40702810938000000002"}],
                    contacts=[{"full_name": "", "emails": [{"address": "not-an-email"}]}])
        )
    fields = caught.value.details
    for field in ("kinds.0", "inn", "phones.0.number", "bank_accounts.0.account", "contacts.0.full_name",
                  "contacts.0.emails.0.address"):
        assert field in fields, (field, fields)
    assert call(ADMIN).partners.search({"text": "Кривой", "status": "any"})["items"] == before
    with pytest.raises(ValidationError) as caught:
        call(ANNA).partners.get("not-a-uuid")
    assert "partner_id" in caught.value.details
    with pytest.raises(ValidationError):
        call(ANNA).partners.register("a string, not an object")


def test_strong_duplicate_is_blocked_with_reasons_then_override_recorded(call):
    phone = unique_phone()
    first = call(ANNA).partners.register(company("Ромашка Дубль", phones=[{"number": phone}]))["partner"]
    with pytest.raises(Conflict) as caught:
        call(ANNA).partners.register(company('"ROMASHKA DUBL" LLC', phones=[{"number": "8" + phone[2:]}]))
    matches = caught.value.details["matches"]
    assert matches[0]["partner_id"] == first["id"]
    kinds = {reason["kind"] for reason in matches[0]["reasons"]}
    assert {"same_phone", "similar_name"} <= kinds
    second = call(ANNA).partners.register(
        company('"ROMASHKA DUBL" LLC', phones=[{"number": phone}]),
        {"duplicate_policy": "warn", "override_reason": "separate legal entity"},
    )
    assert second["duplicates"][0]["partner_id"] == first["id"]
    override = second["partner"]["duplicate_override"]
    assert override["by"] == "anna" and override["reason"] == "separate legal entity"
    assert first["id"] in override["matches"]


def test_branch_with_same_inn_other_kpp_is_not_a_duplicate(call):
    inn = "7736050003"  # Gazprom: a valid INN
    head = call(ADMIN).partners.register(company("Газпром Центр", inn=inn, kpp="773601001"))["partner"]
    result = call(ADMIN).partners.register(company("Газпром Филиал Север", inn=inn, kpp="110201001"))
    assert result["duplicates"] == []
    assert result["branches"][0]["partner_id"] == head["id"]


def test_find_duplicates_and_find_by_phone_in_any_format(call):
    phone = unique_phone()
    partner = call(ANNA).partners.register(
        company("Лютик", emails=[{"address": "boss@lutik-corp.ru"}], phones=[{"number": phone}])
    )["partner"]
    found = call(ANNA).partners.find_duplicates({"name": "LUTIK", "emails": ["sales@lutik-corp.ru"]})
    top = found["duplicates"][0]
    assert top["partner_id"] == partner["id"]
    assert {"same_domain", "similar_name"} <= {r["kind"] for r in top["reasons"]}
    digits = phone[2:]
    for written in (phone, "8" + digits, f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}", "7" + digits):
        matches = call(ANNA).partners.find_by_phone(written)["matches"]
        assert [m["partner_id"] for m in matches] == [partner["id"]], written
    with pytest.raises(ValidationError):
        call(ANNA).partners.find_by_phone("call me maybe")

    unknown = unique_phone()
    batch = call(ANNA).partners.find_by_phones(["8" + digits, unknown, "101", phone])
    assert [m["partner_id"] for m in batch["results"]["8" + digits]["matches"]] == [partner["id"]]
    assert batch["results"][phone]["number"] == phone
    assert batch["results"][unknown]["matches"] == []
    assert batch["invalid"] == ["101"]
    # Row-level access holds in the batch too: Boris does not see Anna's partner.
    assert call(BORIS).partners.find_by_phones([phone])["results"][phone]["matches"] == []
    with pytest.raises(ValidationError):
        call(ANNA).partners.find_by_phones("not a list")
    # The whole directory, page by page, for services and admins only.
    numbers, after = [], None
    while True:
        page = call(ADMIN).partners.phone_directory(after, 50)
        numbers += [item["number"] for item in page["items"] if item["partner_id"] == partner["id"]]
        after = page["next"]
        if after is None:
            break
    assert numbers == [phone]
    with pytest.raises(PermissionDenied):
        call(ANNA).partners.phone_directory()


def test_row_level_access(call):
    annas = call(ANNA).partners.register(company("Только Анны"))["partner"]
    with pytest.raises(NotFound):
        call(BORIS).partners.get(annas["id"])
    with pytest.raises(NotFound):
        call(BORIS).partners.update(annas["id"], {"comment": "mine now"})
    assert call(HEAD).partners.get(annas["id"])["id"] == annas["id"]  # same department
    assert annas["id"] not in [p["id"] for p in call(BORIS).partners.search({"text": "Только Анны"})["items"]]
    with pytest.raises(PermissionDenied):
        call(BORIS).partners.register(company("Чужой регион", region="msk", manager_id="anna"))


def test_update_records_changes_and_event(call, listener):
    partner = call(ANNA).partners.register(company("Обновляемая"))["partner"]
    updated = call(ANNA).partners.update(partner["id"], {"segment": "wholesale", "phones": [{"number": unique_phone()}]})
    assert updated["segment"] == "wholesale" and len(updated["phones"]) == 1
    with pytest.raises(ValidationError) as caught:
        call(ANNA).partners.update(partner["id"], {"manager_id": "boris"})
    assert "manager_id" in caught.value.details
    events = eventually(lambda: listener.heard("partner_updated", partner_id=partner["id"]))
    assert set(events[0]["data"]["changed"]) == {"segment", "phones"}
    assert events[0]["actor"]["user_id"] == "anna"


def test_search_filters_and_keyset_pages(call):
    tag = uuid.uuid4().hex[:6]
    for i in range(7):
        call(ANNA).partners.register(company(f"Страница {tag} {i}", segment=f"seg-{tag}"), {"duplicate_policy": "skip"})
    seen, cursor = [], None
    while True:
        page = call(ANNA).partners.search({"segment": f"seg-{tag}", "limit": 3, "cursor": cursor})
        seen += [p["short_name"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == 7
    assert len(call(ANNA).partners.search({"text": f"stranitsa {tag}"})["items"]) == 7  # transliterated
    with pytest.raises(ValidationError):
        call(ANNA).partners.search({"cursor": "garbage", "limit": 1000})


def test_registered_event_reaches_another_service(call, listener):
    partner = call(ANNA).partners.register(company("Событийная"))["partner"]
    events = eventually(lambda: listener.heard("partner_registered", partner_id=partner["id"]))
    assert len(events) == 1
    assert events[0]["data"]["partner"]["short_name"] == "Событийная"
    assert (events[0]["data"]["manager_id"], events[0]["data"]["region"]) == (partner["manager_id"], partner["region"])
    assert events[0]["subject"] == {"partner_id": partner["id"], "partner_ids": [partner["id"]]}


def test_merge_keeps_chosen_values_and_leaves_a_tombstone(call, listener):
    phone_a, phone_b = unique_phone(), unique_phone()
    a = call(ANNA).partners.register(company("Слияние А", phones=[{"number": phone_a}], properties={"x": "1"},
                                             contacts=[{"full_name": "Контакт А"}]))["partner"]
    b = call(ANNA).partners.register(company("Слияние Б", phones=[{"number": phone_b}], kinds=["supplier"],
                                             properties={"y": "2"}, contacts=[{"full_name": "Контакт Б"}]),
                                     {"duplicate_policy": "skip"})["partner"]
    c = call(ANNA).partners.register(company("Связанный В"), {"duplicate_policy": "skip"})["partner"]
    call(ANNA).partners.add_relationship({"kind": "dealer_of", "from_partner_id": c["id"], "to_partner_id": b["id"]})
    survivor = call(ANNA).partners.merge({"survivor_id": a["id"], "merged_id": b["id"], "keep": {"short_name": "merged"}})
    assert survivor["short_name"] == "Слияние Б"
    assert {p["number"] for p in survivor["phones"]} == {phone_a, phone_b}
    assert {c["full_name"] for c in survivor["contacts"]} == {"Контакт А", "Контакт Б"}
    assert survivor["properties"] == {"x": "1", "y": "2"}
    assert survivor["kinds"] == ["client", "supplier"]
    tombstone = call(ANNA).partners.get(b["id"])
    assert tombstone["status"] == "merged" and tombstone["merged_into"] == a["id"]
    relations = call(ANNA).partners.list_relationships(a["id"])
    assert [r["from_partner_id"] for r in relations if r["kind"] == "dealer_of"] == [c["id"]]
    assert [m["partner_id"] for m in call(ANNA).partners.find_by_phone(phone_b)["matches"]] == [a["id"]]
    with pytest.raises(PreconditionFailed):
        call(ANNA).partners.update(b["id"], {"comment": "too late"})
    events = eventually(lambda: listener.heard("partners_merged", merged_id=b["id"]))
    assert events[0]["data"]["survivor_id"] == a["id"]
    assert events[0]["data"]["partner_id"] == a["id"]
    assert events[0]["subject"]["partner_ids"] == [a["id"], b["id"]]


def test_agreements_flow(call, listener):
    standard = call(HEAD).partners.create_agreement({
        "kind": "standard", "name": f"Опт {uuid.uuid4().hex[:4]}", "segment": "wholesale",
        "prepayment_share": "30", "credit_days": 14, "discount_percent": "5", "price_type": "wholesale",
    })
    with pytest.raises(PreconditionFailed):
        call(ANNA).partners.create_agreement({"kind": "individual", "name": "Не из черновика",
                                              "partner_id": call(ANNA).partners.register(company("Соглашенец"))["partner"]["id"],
                                              "parent_id": standard["id"]})
    approved = call(HEAD).partners.set_agreement_status(standard["id"], {"status": "approved"})
    assert approved["status"] == "approved" and approved["approved_by"] == "head-1"
    partner = call(ANNA).partners.register(company("Соглашенец 2", segment="wholesale"), {"duplicate_policy": "skip"})["partner"]
    individual = call(ANNA).partners.create_agreement({
        "kind": "individual", "name": "Индивидуальное", "partner_id": partner["id"], "parent_id": standard["id"],
        "credit_days": 30, "valid_from": "2026-01-01",
    })
    assert individual["credit_days"] == 30 and individual["prepayment_share"] == "30.00"
    with pytest.raises(PermissionDenied):
        call(ANNA).partners.create_agreement({"kind": "standard", "name": "Моё стандартное"})
    with pytest.raises(PreconditionFailed):
        call(HEAD).partners.set_agreement_status(standard["id"], {"status": "draft"})
    call(ANNA).partners.set_agreement_status(individual["id"], {"status": "approved"})
    card = call(ANNA).partners.get_card(partner["id"])
    assert {a["id"] for a in card["agreements"]} >= {individual["id"], standard["id"]}
    eventually(lambda: listener.heard("agreement_approved", agreement_id=individual["id"]))


def test_reassign_and_handover_keep_history(call, listener):
    tag = uuid.uuid4().hex[:6]
    leaving = f"leaving-{tag}"
    ids = [
        call(HEAD).partners.register(company(f"База {tag} {i}", manager_id=leaving, department="north"),
                                     {"duplicate_policy": "skip"})["partner"]["id"]
        for i in range(3)
    ]
    with pytest.raises(PermissionDenied):
        call(ANNA).partners.handover({"from_manager_id": leaving, "manager_id": "anna"})
    result = call(HEAD).partners.handover({"from_manager_id": leaving, "manager_id": "anna", "reason": "left the company"})
    assert result["count"] == 3 and set(result["partner_ids"]) == set(ids)
    history = call(ANNA).partners.manager_history(ids[0])
    assert history[0]["manager_id"] == "anna" and history[0]["previous_manager_id"] == leaving
    moved = call(ANNA).partners.reassign(ids[0], {"manager_id": "boris", "department": "south"})
    assert moved["previous_manager_id"] == "anna"
    assert call(BORIS).partners.get(ids[0])["manager_id"] == "boris"  # now his, though outside his region
    events = eventually(lambda: [e for e in listener.heard("partner_reassigned")
                                 if e["data"]["partner_id"] in ids and e["data"].get("handover_id")])
    assert len({e["data"]["handover_id"] for e in events}) == 1


def test_request_id_makes_registration_idempotent(call):
    request_id = str(uuid.uuid4())
    first = call(ANNA).partners.register(company("Повтор"), {"request_id": request_id, "duplicate_policy": "skip"})
    again = call(ANNA).partners.register(company("Повтор"), {"request_id": request_id, "duplicate_policy": "skip"})
    assert again["partner"]["id"] == first["partner"]["id"] and again["replayed"] is True


def test_unknown_method_arguments_are_refused_cleanly(call):
    from nameko.exceptions import IncorrectSignature

    with pytest.raises(IncorrectSignature):
        call(ANNA).partners.get(partner_id=str(uuid.uuid4()), extra=1)


def _name_words(partners_env, *words: str) -> dict[str, int]:
    """The dictionary counts of ``words`` (missing words left out)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(partners_env["PARTNERS_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg2://"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT word, partners FROM name_words WHERE word = ANY(:w)"), {"w": list(words)})
            return dict(rows.all())
    finally:
        engine.dispose()


def test_similar_names_go_through_the_word_dictionary_and_follow_renames(call, partners_env):
    partner = call(ANNA).partners.register(company("ООО «Пересветовская Мануфактура»"))["partner"]
    assert _name_words(partners_env, "peresvetovskaia", "manufaktura") == {"peresvetovskaia": 1, "manufaktura": 1}

    def found(name: str) -> list[str]:
        return [d["partner_id"] for d in call(ANNA).partners.find_duplicates({"name": name})["duplicates"]
                if any(r["kind"] == "similar_name" for r in d["reasons"])]

    # A typo and another transliteration: neither gives the stored key, both find the partner.
    assert partner["id"] in found("Пересвтовская Мануфактура")
    assert partner["id"] in found("Peresvetovskaja Manufaktura LLC")

    call(ANNA).partners.update(partner["id"], {"short_name": "Краснохолмская Артель"})
    assert partner["id"] in found("Краснохолмская Артел")
    assert partner["id"] not in found("Пересветовская Мануфактура")
    assert _name_words(partners_env, "peresvetovskaia", "manufaktura", "krasnoholmskaia", "artel") == {
        "peresvetovskaia": 0, "manufaktura": 0, "krasnoholmskaia": 1, "artel": 1,
    }

    # A merge takes the tombstone's words out of the dictionary.
    other = call(ANNA).partners.register(company("Краснохолмская Артель Плюс"), {"duplicate_policy": "skip"})["partner"]
    call(ANNA).partners.merge({"survivor_id": partner["id"], "merged_id": other["id"], "keep": {}})
    assert _name_words(partners_env, "krasnoholmskaia", "artel", "plus")["krasnoholmskaia"] == 1
    assert other["id"] not in found("Краснохолмская Артель Плюс")
