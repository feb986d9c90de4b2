import pytest

from crm_kit.errors import ValidationError
from services.interactions.domain import kinds


def test_each_kind_names_what_it_lacks():
    with pytest.raises(ValidationError) as caught:
        kinds.check_kind_fields("meeting", {})
    assert set(caught.value.details) == {"planned_at", "place"}
    with pytest.raises(ValidationError) as caught:
        kinds.check_kind_fields("email", {"email_subject": "Hi", "email_to": []})
    assert set(caught.value.details) == {"email_from", "email_to"}
    kinds.check_kind_fields("call", {"direction": "incoming"})


def test_fields_of_another_kind_are_refused():
    with pytest.raises(ValidationError) as caught:
        kinds.check_kind_fields("call", {"direction": "incoming", "email_subject": "x", "place": "office"})
    assert set(caught.value.details) == {"email_subject", "place"}


def test_partner_of_subject():
    assert kinds.partner_of_subject("partner", "p1", None) == "p1"
    assert kinds.partner_of_subject("deal", "d1", "p2") == "p2"
    assert kinds.partner_of_subject("claim", "c1", None) is None
    with pytest.raises(ValidationError):
        kinds.partner_of_subject("partner", "p1", "p2")


def test_text_only_participants():
    assert kinds.is_text_only({"name": "Ivan", "phone": "+7"})
    assert not kinds.is_text_only({"name": "Ivan", "user_id": "anna"})
