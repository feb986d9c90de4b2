"""Templates: saved as versions, checked at save time, previewed before use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from crm_kit.access import SALES_HEADS, require_role
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork
from crm_kit.errors import Conflict, NotFound, PreconditionFailed, ValidationError
from crm_kit.validation import load
from services.notifications import views
from services.notifications.domain import kinds as kind_rules
from services.notifications.domain.templates import TemplateProblem, TemplateText, check, render
from services.notifications.models import NotificationKind, Template
from services.notifications.schemas import PreviewPayload, TemplatePayload, TemplateRef


def text_of(template: Template) -> TemplateText:
    return TemplateText(
        template.channel, tuple(template.variables or ()), {"subject": template.subject, "text": template.text, "html": template.html}
    )


def _problem(exc: TemplateProblem, prefix: str = "") -> ValidationError:
    details = {f"{prefix}{key}": messages for key, messages in exc.problems.items()}
    return ValidationError(f"the template is refused: {exc}", details)


def offered_for(session, code: str, channel: str) -> tuple[str, ...] | None:
    """The variables the notification kinds using template ``code`` on ``channel`` offer (all
    of them: a template shared by kinds may use what every one offers); None when no kind uses it."""
    offered: set[str] | None = None
    for kind_code in session.scalars(
        select(NotificationKind.code).where(NotificationKind.template_code == code, NotificationKind.channel == channel)
    ):
        kind = kind_rules.KINDS.get(kind_code)
        if kind is not None:
            offered = set(kind.offers()) if offered is None else offered & set(kind.offers())
    return None if offered is None else tuple(sorted(offered))


def save_template(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """Save a template as its next version (version 1 when new). Refuses (ValidationError naming
    the field): bad fields, a part that does not parse, a variable used but not declared, a
    declared variable its notification kind does not offer. Admins and heads of sales only."""
    require_role(actor, SALES_HEADS, "save templates")
    data = load(TemplatePayload(), payload, what="template")
    session = uow.session
    template_text = TemplateText(
        data["channel"], tuple(data["variables"]), {"subject": data["subject"], "text": data["text"], "html": data["html"]}
    )
    try:
        check(template_text, offered_for(session, data["code"], data["channel"]))
    except TemplateProblem as exc:
        raise _problem(exc) from None
    current = session.scalar(select(func.max(Template.version)).where(Template.code == data["code"], Template.channel == data["channel"]))
    template = Template(
        code=data["code"],
        channel=data["channel"],
        version=(current or 0) + 1,
        name=data["name"],
        variables=list(data["variables"]),
        subject=data["subject"],
        text=data["text"],
        html=data["html"],
        created_by=actor.user_id,
    )
    try:
        # Two saves at once both take the next number; the unique constraint refuses the second.
        with session.begin_nested():
            session.add(template)
    except IntegrityError:
        raise Conflict(f"template {data['code']!r} was saved by someone else just now; save again", {"code": data["code"]}) from None
    return views.template(template)


def find_template(session, code: str, channel: str, version: int | None = None) -> Template:
    """The template's ``version``, or its newest; NotFound naming it."""
    query = select(Template).where(Template.code == code, Template.channel == channel)
    query = query.where(Template.version == version) if version else query.order_by(Template.version.desc()).limit(1)
    template = session.scalar(query)
    if template is None:
        what = f"template {code!r} ({channel})" + (f" version {version}" if version else "")
        raise NotFound(f"no {what}", {"code": code, "channel": channel, "version": version})
    return template


def get_template(session, actor: Actor, ref: Any) -> dict[str, Any]:
    """A template's version (default the newest) with its parts and variables."""
    data = load(TemplateRef(), ref, what="template")
    return views.template(find_template(session, data["code"], data["channel"], data["version"]))


def list_templates(session, actor: Actor) -> list[dict[str, Any]]:
    """The newest version of every template, by code and channel."""
    newest = (
        select(Template.code, Template.channel, func.max(Template.version).label("version"))
        .group_by(Template.code, Template.channel)
        .subquery()
    )
    rows = session.scalars(
        select(Template)
        .join(newest, (Template.code == newest.c.code) & (Template.channel == newest.c.channel) & (Template.version == newest.c.version))
        .order_by(Template.code, Template.channel)
    )
    return [views.template(row) for row in rows]


def delete_template(uow: UnitOfWork, actor: Actor, ref: Any) -> dict[str, Any]:
    """Delete every version of a template (``{code, channel?}``). Refuses one a notification
    kind uses (PreconditionFailed naming the kinds); NotFound for an unknown one. Admins and
    heads of sales only. Messages keep what they were rendered to."""
    require_role(actor, SALES_HEADS, "delete templates")
    data = load(TemplateRef(), ref, what="template")
    find_template(uow.session, data["code"], data["channel"])
    users = list(
        uow.session.scalars(
            select(NotificationKind.code).where(NotificationKind.template_code == data["code"], NotificationKind.channel == data["channel"])
        )
    )
    if users:
        raise PreconditionFailed(
            f"template {data['code']!r} is used by the notification kinds {', '.join(users)}", {"code": data["code"], "kinds": users}
        )
    deleted = uow.session.execute(delete(Template).where(Template.code == data["code"], Template.channel == data["channel"])).rowcount
    return {"versions_deleted": deleted}


def example_values(session, code: str, channel: str) -> dict[str, Any]:
    """Values to preview a kind's template with when the caller gives none."""
    for kind_code in session.scalars(select(NotificationKind.code).where(NotificationKind.template_code == code)):
        if kind_code in kind_rules.EXAMPLES:
            return dict(kind_rules.EXAMPLES[kind_code])
    return {}


def preview(session, actor: Actor, payload: Any) -> dict[str, Any]:
    """A template rendered with the given values (or its kind's example): a stored one
    (``code``, ``channel``, ``version``) or a draft (``template``), checked as a save would check
    it. Refuses (ValidationError) a draft that would be refused, a declared variable without a
    value (``variables.<name>``), a value a filter cannot take."""
    data = load(PreviewPayload(), payload, what="preview")
    if data["template"] is not None:
        draft = data["template"]
        text = TemplateText(
            draft["channel"], tuple(draft["variables"]), {"subject": draft["subject"], "text": draft["text"], "html": draft["html"]}
        )
        try:
            check(text)
        except TemplateProblem as exc:
            raise _problem(exc, "template.") from None
        code, channel = draft["code"], draft["channel"]
    elif data["code"]:
        stored = find_template(session, data["code"], data["channel"], data["version"])
        text, code, channel = text_of(stored), stored.code, stored.channel
    else:
        raise ValidationError("say which template to preview", {"code": ["give code or template"]})
    values = data["variables"] if data["variables"] is not None else example_values(session, code, channel)
    try:
        rendered = render(text, values)
    except TemplateProblem as exc:
        raise _problem(exc) from None
    return {"channel": text.channel, **rendered}
