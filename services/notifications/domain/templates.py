"""Templates users write, and how they are checked and rendered.

A template belongs to a channel (email: ``subject``, ``text``, ``html``; SMS: ``text``) and
declares the variables it uses. Users write them, so they are rendered in Jinja2's sandbox
(no attribute access to Python internals, no imports) with ``StrictUndefined`` (a missing
variable is an error, never an empty gap in a letter to a client), and the HTML part is
autoescaped (a client's name with ``<`` in it stays text).

At save time every part is parsed and its free variables (``jinja2.meta``) must all be
declared: an unknown variable is refused then, naming the part and the variable, not found by
the recipient of a broken letter.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from services.notifications.domain.formats import FILTERS

CHANNELS = ("email", "sms")
# The parts of a template on each channel, and which of them must be given.
PARTS = {"email": ("subject", "text", "html"), "sms": ("text",)}
REQUIRED_PARTS = {"email": ("subject", "text"), "sms": ("text",)}
# An SMS longer than this many characters is refused (ten concatenated parts of 67 in Cyrillic).
SMS_MAX_CHARS = 670
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,63}$")


def _environment(autoescape: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=True)
    env.filters.update(FILTERS)
    return env


TEXT = _environment(autoescape=False)
HTML = _environment(autoescape=True)


class TemplateProblem(Exception):
    """What is wrong with a template or its rendering: ``problems`` maps a field (``text``,
    ``variables.3``, ``variables.balance``) to its messages."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__("; ".join(f"{key}: {', '.join(messages)}" for key, messages in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class TemplateText:
    """The parts and declared variables of one version of a template."""

    channel: str
    variables: tuple[str, ...]
    parts: dict[str, str | None] = field(default_factory=dict)


def environment_for(part: str) -> SandboxedEnvironment:
    return HTML if part == "html" else TEXT


def check(template: TemplateText, offered: tuple[str, ...] | None = None) -> None:
    """Refuse a template (TemplateProblem naming each bad field): a missing part, a part that
    does not parse, a variable used but not declared (named), a declared name that is not a
    name, and, when a notification kind uses it, a declared variable the kind does not offer."""
    problems: dict[str, list[str]] = {}
    if template.channel not in CHANNELS:
        raise TemplateProblem({"channel": [f"must be one of {', '.join(CHANNELS)}"]})
    declared = set()
    for index, name in enumerate(template.variables):
        if not isinstance(name, str) or not _NAME.match(name) or keyword.iskeyword(name) or name in ("true", "false", "none"):
            problems.setdefault(f"variables.{index}", []).append(f"{name!r} is not a variable name (a-z, 0-9, _)")
        elif name in declared:
            problems.setdefault(f"variables.{index}", []).append(f"{name!r} is declared twice")
        declared.add(name)
    if offered is not None:
        for index, name in enumerate(template.variables):
            if isinstance(name, str) and name not in offered:
                problems.setdefault(f"variables.{index}", []).append(
                    f"{name!r} is not offered by the notification kind; it offers: {', '.join(offered)}"
                )
    allowed_parts = PARTS[template.channel]
    for part, source in template.parts.items():
        if part not in allowed_parts and source:
            problems.setdefault(part, []).append(f"a {template.channel} template has no {part}")
    for part in REQUIRED_PARTS[template.channel]:
        if not (template.parts.get(part) or "").strip():
            problems.setdefault(part, []).append("required")
    if template.channel == "sms" and len(template.parts.get("text") or "") > SMS_MAX_CHARS:
        problems.setdefault("text", []).append(f"longer than {SMS_MAX_CHARS} characters")
    for part in allowed_parts:
        source = template.parts.get(part)
        if not source:
            continue
        env = environment_for(part)
        try:
            tree = env.parse(source)
        except TemplateSyntaxError as exc:
            problems.setdefault(part, []).append(f"line {exc.lineno}: {exc.message}")
            continue
        unknown = sorted(meta.find_undeclared_variables(tree) - declared - set(env.globals))
        for name in unknown:
            problems.setdefault(part, []).append(f"unknown variable {name!r}: declare it in variables")
    if problems:
        raise TemplateProblem(problems)


def render(template: TemplateText, values: dict[str, Any]) -> dict[str, str | None]:
    """Every part of ``template`` rendered with ``values`` (the declared variables only): a
    declared variable without a value, a value a filter cannot take, or an unsafe operation is a
    TemplateProblem naming it."""
    missing = [name for name in template.variables if name not in values]
    if missing:
        raise TemplateProblem({f"variables.{name}": ["no value given"] for name in missing})
    context = {name: values[name] for name in template.variables}
    rendered: dict[str, str | None] = {}
    for part in PARTS[template.channel]:
        source = template.parts.get(part)
        if not source:
            rendered[part] = None
            continue
        try:
            text = environment_for(part).from_string(source).render(context)
        except UndefinedError as exc:
            raise TemplateProblem({part: [exc.message or "an undefined value"]}) from None
        except SecurityError as exc:
            raise TemplateProblem({part: [f"not allowed: {exc}"]}) from None
        except (ValueError, TypeError, ArithmeticError, LookupError) as exc:
            raise TemplateProblem({part: [f"cannot render: {exc}"]}) from None
        # A subject is one line, whatever the values put into it (a header cannot hold a newline).
        rendered[part] = " ".join(text.split()) if part == "subject" else text
    return rendered
