"""The template rules: what a save refuses, how a letter renders (sandbox, strict, escaped),
and the filters that write money, dates and counted words in Russian."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crm_ops.registry import SERVICES_DIR
from services.notifications.domain import formats
from services.notifications.domain.kinds import EXAMPLES, KINDS
from services.notifications.domain.templates import TemplateProblem, TemplateText, check, render


def email(text: str, subject: str = "Тема", html: str | None = None, variables=("name",)) -> TemplateText:
    return TemplateText("email", tuple(variables), {"subject": subject, "text": text, "html": html})


def problems(template: TemplateText, offered=None) -> dict[str, list[str]]:
    with pytest.raises(TemplateProblem) as refused:
        check(template, offered)
    return refused.value.problems


def test_an_unknown_variable_is_refused_at_save_time_naming_the_part_and_the_variable():
    assert problems(email("Здравствуйте, {{ name }}! Долг {{ debt }}", html="<p>{{ nmae }}</p>")) == {
        "text": ["unknown variable 'debt': declare it in variables"],
        "html": ["unknown variable 'nmae': declare it in variables"],
    }


def test_variables_set_or_looped_in_the_template_and_jinja_globals_are_not_unknown():
    check(email("{% set x = 2 %}{% for i in range(x) %}{{ i }} {{ name }}{% endfor %}"))


def test_a_part_that_does_not_parse_is_refused_with_its_line():
    assert problems(email("ok\n{% if name %}unclosed")) == {
        "text": [
            "line 2: Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or "
            "'endif'. The innermost block that needs to be closed is 'if'."
        ]
    }


def test_an_email_needs_a_subject_and_text_and_an_sms_has_neither_subject_nor_html():
    assert problems(email("", subject="")) == {"subject": ["required"], "text": ["required"]}
    sms = TemplateText("sms", ("name",), {"subject": "x", "text": "{{ name }}", "html": None})
    assert problems(sms) == {"subject": ["a sms template has no subject"]}


def test_declared_names_are_names_and_a_kind_s_template_declares_only_what_the_kind_offers():
    assert problems(email("{{ name }}", variables=("name", "name", "2x", "if"))) == {
        "variables.1": ["'name' is declared twice"],
        "variables.2": ["'2x' is not a variable name (a-z, 0-9, _)"],
        "variables.3": ["'if' is not a variable name (a-z, 0-9, _)"],
    }
    offered = KINDS["invoice_overdue"].offers()
    found = problems(email("{{ name }}"), offered)
    assert list(found) == ["variables.0"] and "'name' is not offered by the notification kind" in found["variables.0"][0]


def test_html_is_escaped_text_is_not_and_a_subject_is_one_line():
    template = email("Здравствуйте, {{ name }}!", subject="Для\n{{ name }}", html="<p>{{ name }}</p>")
    assert render(template, {"name": "<Иван & Ко>"}) == {
        "subject": "Для <Иван & Ко>",
        "text": "Здравствуйте, <Иван & Ко>!",
        "html": "<p>&lt;Иван &amp; Ко&gt;</p>",
    }


def test_a_declared_variable_without_a_value_is_refused_naming_it():
    with pytest.raises(TemplateProblem) as refused:
        render(email("{{ name }}", variables=("name", "debt")), {"name": "x"})
    assert refused.value.problems == {"variables.debt": ["no value given"]}


def test_the_sandbox_refuses_python_internals():
    template = email("{{ name.__class__.__mro__[1].__subclasses__() }}")
    check(template)  # it parses, and names only a declared variable...
    with pytest.raises(TemplateProblem) as refused:
        render(template, {"name": "x"})  # ...but rendering it reaches nothing
    assert list(refused.value.problems) == ["text"]
    with pytest.raises(TemplateProblem):
        render(email("{{ name.format.__globals__ }}"), {"name": "x"})


def test_a_value_a_filter_cannot_take_is_refused_naming_the_part():
    with pytest.raises(TemplateProblem) as refused:
        render(email("{{ name | money('RUB') }}"), {"name": "много"})
    assert refused.value.problems == {"text": ["cannot render: not a number: 'много'"]}


def test_money_dates_and_russian_plural_forms():
    assert formats.money(Decimal("100000"), "RUB") == "100\xa0000,00\xa0₽"
    assert formats.money("1500.5", "USD") == "1\xa0500,50\xa0$"
    assert formats.long_date(date(2026, 12, 4)) == "4 декабря 2026\u202fг."
    assert formats.local_datetime(datetime(2026, 12, 4, 10, 30, tzinfo=UTC)) == "4 дек. 2026 г., 13:30"
    forms = ("день", "дня", "дней")
    assert [formats.plural(n, *forms) for n in (1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111)] == [
        "день",
        "дня",
        "дня",
        "дней",
        "дней",
        "дней",
        "дней",
        "день",
        "дня",
        "дней",
        "день",
        "дней",
    ]
    assert formats.plural("1.5", *forms) == "дня"


def _shipped_templates() -> list[dict]:
    path = SERVICES_DIR / "notifications" / "migrations" / "versions" / "0001_notifications_initial_schema.py"
    spec = importlib.util.spec_from_file_location("notifications_0001", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DEFAULT_TEMPLATES


@pytest.mark.parametrize("shipped", _shipped_templates(), ids=lambda t: t["code"])
def test_every_shipped_template_keeps_the_rules_of_its_kind_and_renders_its_example(shipped):
    kind = KINDS[shipped["code"]]
    template = TemplateText(
        shipped["channel"], tuple(shipped["variables"]), {"subject": shipped["subject"], "text": shipped["text"], "html": shipped["html"]}
    )
    check(template, kind.offers())
    rendered = render(template, EXAMPLES[kind.code])
    assert "{" not in rendered["text"] and rendered["subject"]


def test_the_debt_notice_reads_right():
    template = next(t for t in _shipped_templates() if t["code"] == "invoice_overdue")
    text = TemplateText("email", tuple(template["variables"]), template)
    rendered = render(text, EXAMPLES["invoice_overdue"])
    assert rendered["subject"] == "Счёт № СЧ-101: оплата просрочена на 3 дня"
    assert rendered["text"].startswith(
        "Здравствуйте, Мария Ивановна!\n\nСрок оплаты счёта № СЧ-101 на сумму 150\xa0000,00\xa0₽ (до 4 декабря 2026\u202fг.) истёк. "
        "Не оплачено: 100\xa0000,00\xa0₽ (просрочка 3 дня)."
    )
