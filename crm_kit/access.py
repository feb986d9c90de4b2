"""Row-level access: who sees and changes which record (a partner, a deal, an interaction...).

Every service applies the same rule to the records it owns, each record carrying its owner
(the responsible manager or user), region and department.

- admins and services see everything;
- a head of sales sees the records of their department;
- a manager (and a head of sales) sees the records assigned to them and those in their
  regions;
- an anonymous caller, or a user with none of these roles, sees nothing.

Whoever sees a record may change it: a manager keeps the records of their regions up to date,
not only their own. What the actor may *not* do is put a record out of their own sight (assign
it to someone, some region or some department they do not see): see
:meth:`RowAccess.assign_owner` and :func:`can_see`.

One rule, two forms: :func:`visibility_filter` for queries (turned into SQL by
:meth:`RowAccess.visible`) and :func:`can_see` for a single row; ``can_see`` is the filter
applied to the row, so the two can never disagree. :class:`RowAccess` is the guard a service
configures once per model with the columns that hold the owner, region and department.

Operations beyond records (running scans, defining processes, handing over a client base) are
for some roles only: :func:`require_operator`, :func:`require_sales_head`, :func:`require_role`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, false, inspect, or_, select, true
from sqlalchemy.orm import Session

from crm_kit import reads
from crm_kit.actor import ADMIN, HEAD_OF_SALES, MANAGER, SERVICE, Actor
from crm_kit.errors import NotFound, PermissionDenied

_SALES_ROLES = frozenset({HEAD_OF_SALES, MANAGER})

# Who may run the platform's own work on demand (scans, whole directories for other services).
OPERATORS = (ADMIN, SERVICE)
# Who may set what a sales department works by (processes, standard terms, client handovers).
SALES_HEADS = (ADMIN, HEAD_OF_SALES)

_ROLE_NAMES = {ADMIN: "an administrator", SERVICE: "a service", HEAD_OF_SALES: "a head of sales", MANAGER: "a manager"}


def visibility_filter(actor: Actor) -> dict[str, Any] | None:
    """The records ``actor`` may see, as a filter for the service's query.

    ``None``: everything (admins, services). Otherwise ``{"manager_id", "regions",
    "department"}`` meaning the OR of the conditions that are set::

        (manager_id IS NOT NULL AND record.owner = :manager_id)
        OR record.region IN (:regions)            -- only when regions is not empty
        OR (department IS NOT NULL AND record.department = :department)

    A filter with no condition set (``None``, ``[]``, ``None``) matches no record: that is what
    anonymous callers and users without a sales role get.
    """
    if actor.is_anonymous:
        return {"manager_id": None, "regions": [], "department": None}
    if actor.is_admin or actor.is_service:
        return None
    if not _SALES_ROLES.intersection(actor.roles):
        return {"manager_id": None, "regions": [], "department": None}
    return {
        "manager_id": actor.user_id,
        "regions": sorted(actor.regions),
        "department": actor.department if actor.is_head_of_sales and actor.department else None,
    }


def row_visible(
    visibility: dict[str, Any] | None,
    manager_id: str | None,
    region: str | None,
    department: str | None,
) -> bool:
    """Whether a record with these attributes passes ``visibility`` (from
    :func:`visibility_filter`)."""
    if visibility is None:
        return True
    return bool(
        (visibility["manager_id"] is not None and manager_id == visibility["manager_id"])
        or (region is not None and region in visibility["regions"])
        or (visibility["department"] is not None and department == visibility["department"])
    )


def can_see(
    actor: Actor, manager_id: str | None, region: str | None, department: str | None
) -> bool:
    """Whether ``actor`` may see (and so change) a record owned by ``manager_id``, in
    ``region``, of ``department``. Refuses (``False``) anonymous callers and users without a
    sales role; see the module for the rules."""
    return row_visible(visibility_filter(actor), manager_id, region, department)


def access_parameters(actor: Actor) -> dict[str, Any]:
    """The parameters of :meth:`RowAccess.visible_to_parameters` for ``actor``."""
    rule = visibility_filter(actor)
    if rule is None:
        return {"access_all": True, "access_manager": None, "access_regions": [], "access_department": None}
    return {
        "access_all": False,
        "access_manager": rule["manager_id"],
        "access_regions": rule["regions"],
        "access_department": rule["department"],
    }


class RowAccess:
    """The row-level guard of one model, its owner, region and department columns named once::

        DEALS = RowAccess(Deal, "deal", owner=Deal.manager_id, region=Deal.region, department=Deal.department)
        select(Deal).where(DEALS.visible(actor))
        deal = DEALS.for_change(session, actor, deal_id)

    ``name`` words the NotFound errors: ``"deal <id> not found"`` with details
    ``{"deal_id": <id>}``.
    """

    def __init__(self, model: type, name: str, *, owner: Any, region: Any, department: Any):
        self.model = model
        self.name = name
        self.owner = owner
        self.region = region
        self.department = department
        self._reads: dict[int, Any] = {}

    def visible(self, actor: Actor) -> ColumnElement[bool]:
        """The SQL condition on the model's rows ``actor`` may see (:func:`visibility_filter`)."""
        rule = visibility_filter(actor)
        if rule is None:
            return true()
        conditions = []
        if rule["manager_id"]:
            conditions.append(self.owner == rule["manager_id"])
        if rule["regions"]:
            conditions.append(self.region.in_(rule["regions"]))
        if rule["department"]:
            conditions.append(self.department == rule["department"])
        return or_(*conditions) if conditions else false()

    def sees(self, actor: Actor, row: Any) -> bool:
        """Whether ``actor`` may see (and so change) ``row``, a loaded record of the model."""
        return can_see(
            actor, getattr(row, self.owner.key), getattr(row, self.region.key), getattr(row, self.department.key)
        )

    def not_found(self, row_id: Any) -> NotFound:
        return NotFound(f"{self.name} {row_id} not found", {f"{self.name}_id": row_id})

    def visible_to_parameters(self) -> ColumnElement[bool]:
        """:meth:`visible` as one SQL condition for every actor, the actor's rule given as
        parameters (:func:`access_parameters`), so that a statement using it can be prepared
        once (crm_kit.reads.Prepared)."""
        manager = reads.parameter("access_manager")
        department = reads.parameter("access_department")
        return or_(
            reads.parameter("access_all", Boolean),
            and_(manager.is_not(None), self.owner == manager),
            reads.member(self.region, "access_regions"),
            and_(department.is_not(None), self.department == department),
        )

    def read(self, session: Session, actor: Actor, row_id: Any, view: Any, **params: Any) -> dict[str, Any]:
        """The record as ``view`` (a :func:`crm_kit.reads.record` of the model), built by the
        database in one prepared statement with the access rule in its WHERE; NotFound, also
        when the actor may not see it. ``params``: the view's own parameters
        (:func:`crm_kit.reads.parameter`). The read path every service's ``get`` takes."""
        statement = self._reads.get(id(view))
        if statement is None:
            key = inspect(self.model).primary_key[0]
            statement = reads.Prepared(select(view).where(key == reads.parameter("row_id", key.type), self.visible_to_parameters()))
            self._reads[id(view)] = statement
        document = reads.one(session, statement, row_id=row_id, **access_parameters(actor), **params)
        if document is None:
            raise self.not_found(row_id)
        return document

    def for_read(self, session: Session, actor: Actor, row_id: Any) -> Any:
        """The record, or NotFound, also when the actor may not see it (no existence leak)."""
        row = session.get(self.model, row_id)
        if row is None or not self.sees(actor, row):
            raise self.not_found(row_id)
        return row

    def for_change(self, session: Session, actor: Actor, row_id: Any, *, lock: bool = True) -> Any:
        """The record ``actor`` is to change, or NotFound (absent, or not seen). With ``lock``
        (the default) the row is locked ``FOR UPDATE`` and read as locked: a copy the session
        held before is refreshed, so the change starts from what is committed."""
        row = session.get(self.model, row_id, with_for_update=lock or None, populate_existing=lock)
        if row is None or not self.sees(actor, row):
            raise self.not_found(row_id)
        return row

    def assign_owner(self, actor: Actor, data: dict[str, Any], what: str) -> None:
        """Fill in who a new record belongs to, in ``data`` (the payload, keyed by column names).

        The owner defaults to the caller (a service names one or leaves it empty), the
        department to the caller's. Refuses (PermissionDenied) a record the caller would not
        see: a manager assigns to themself or within their regions, a head of sales within their
        department, an admin to anyone. ``what`` words the refusal: "you may ``what`` only for
        yourself or in your regions".
        """
        owner = self.owner.key
        if not data.get(owner) and not actor.is_service:
            data[owner] = actor.user_id
        if not data.get(self.department.key):
            data[self.department.key] = actor.department
        if not can_see(actor, data.get(owner), data.get(self.region.key), data.get(self.department.key)):
            raise PermissionDenied(
                f"you may {what} only for yourself or in your regions",
                {owner: data.get(owner), self.region.key: data.get(self.region.key)},
            )


def require_role(actor: Actor, roles: Iterable[str], what: str, **details: Any) -> None:
    """Refuses (PermissionDenied) ``what`` to an actor with none of ``roles``; the error names
    them (``required_roles``) with any further ``details``."""
    roles = tuple(roles)
    if not set(roles).intersection(actor.roles):
        who = " or ".join(_ROLE_NAMES.get(role, role) for role in roles)
        raise PermissionDenied(f"only {who} may {what}", {**details, "required_roles": list(roles)})


def require_operator(actor: Actor, what: str) -> None:
    """Only an administrator or a service may ``what`` (run a scan on demand, read a whole
    directory): the platform's own work, not a sales user's."""
    require_role(actor, OPERATORS, what)


def require_sales_head(actor: Actor, what: str, **details: Any) -> None:
    """Only an administrator or a head of sales may ``what`` (define a sales process, set
    standard terms, hand over a client base)."""
    require_role(actor, SALES_HEADS, what, **details)
