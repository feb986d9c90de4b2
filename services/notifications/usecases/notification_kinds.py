"""Notification kinds as this installation has them: on or off, and the template each uses
(what makes each kind, and for whom, is domain/kinds.py)."""

from __future__ import annotations

from typing import Any

from marshmallow import fields
from sqlalchemy import select

from crm_kit.access import SALES_HEADS, require_role
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork
from crm_kit.errors import NotFound, ValidationError
from crm_kit.fields import Payload
from crm_kit.validation import load
from services.notifications.domain import kinds as kind_rules
from services.notifications.models import NotificationKind, Template
from services.notifications.schemas import CODE


class KindChange(Payload):
    enabled = fields.Boolean(load_default=None, allow_none=True)
    template_code = fields.String(load_default=None, allow_none=True, validate=CODE)


def _view(row: NotificationKind) -> dict[str, Any]:
    kind = kind_rules.KINDS[row.code]
    return {
        "code": row.code,
        "event": f"{kind.source}.{kind.event}",
        "audience": kind.audience,
        "channel": row.channel,
        "template_code": row.template_code,
        "enabled": row.enabled,
        "variables": list(kind.offers()),
        "summary": kind.summary,
    }


def list_kinds(session, actor: Actor) -> list[dict[str, Any]]:
    """Every notification kind: its event, audience, channel, template, whether it is on, and
    the variables its templates may use."""
    rows = session.scalars(select(NotificationKind).order_by(NotificationKind.code))
    return [_view(row) for row in rows if row.code in kind_rules.KINDS]


def set_kind(uow: UnitOfWork, actor: Actor, code: Any, change: Any) -> dict[str, Any]:
    """Turn a kind on or off, or bind it to another template of its channel. Refuses an unknown
    kind (NotFound), a template that does not exist or declares a variable the kind does not
    offer (ValidationError on ``template_code``). Admins and heads of sales only."""
    require_role(actor, SALES_HEADS, "change notification kinds")
    data = load(KindChange(), change, what="notification kind")
    row = uow.session.get(NotificationKind, code, with_for_update=True) if isinstance(code, str) else None
    if row is None or row.code not in kind_rules.KINDS:
        raise NotFound(f"no notification kind {code!r}", {"code": code})
    if data["template_code"] is not None:
        template = uow.session.scalar(
            select(Template)
            .where(Template.code == data["template_code"], Template.channel == row.channel)
            .order_by(Template.version.desc())
            .limit(1)
        )
        if template is None:
            raise ValidationError("no such template", {"template_code": [f"no {row.channel} template {data['template_code']!r}"]})
        offered = set(kind_rules.KINDS[row.code].offers())
        foreign = [name for name in template.variables or () if name not in offered]
        if foreign:
            raise ValidationError(
                "the template uses variables the kind does not offer",
                {"template_code": [f"declares {', '.join(foreign)}; {row.code} offers {', '.join(sorted(offered))}"]},
            )
        row.template_code = data["template_code"]
    if data["enabled"] is not None:
        row.enabled = data["enabled"]
    uow.session.flush()
    return _view(row)
