"""Row-level access: who sees and changes which record (a partner, a deal, an interaction...).

Every service applies the same rule to the records it owns, each record carrying its
responsible manager, region and department.

One rule, two forms: :func:`visibility_filter` for the service's queries (turned into SQL) and
:func:`can_see` for a single row; ``can_see`` is the filter applied to the row, so the two can
never disagree.

- admins and services see everything;
- a head of sales sees the partners of their department;
- a manager (and a head of sales) sees the partners assigned to them and those in their
  regions;
- an anonymous caller, or a user with none of these roles, sees nothing.
"""

from __future__ import annotations

from typing import Any

from crm_kit.actor import HEAD_OF_SALES, MANAGER, Actor

_SALES_ROLES = frozenset({HEAD_OF_SALES, MANAGER})


def visibility_filter(actor: Actor) -> dict[str, Any] | None:
    """The partners ``actor`` may see, as a filter for the service's query.

    ``None``: everything (admins, services). Otherwise ``{"manager_id", "regions",
    "department"}`` meaning the OR of the conditions that are set::

        (manager_id IS NOT NULL AND partner.manager_id = :manager_id)
        OR partner.region IN (:regions)            -- only when regions is not empty
        OR (department IS NOT NULL AND partner.department = :department)

    A filter with no condition set (``None``, ``[]``, ``None``) matches no partner: that is what
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
    """Whether a partner with these attributes passes ``visibility`` (from
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
    """Whether ``actor`` may see a partner assigned to ``manager_id``, in ``region``, of
    ``department``. Refuses (``False``) anonymous callers and users without a sales role;
    see the module for the rules."""
    return row_visible(visibility_filter(actor), manager_id, region, department)


def can_change(
    actor: Actor, manager_id: str | None, region: str | None, department: str | None
) -> bool:
    """Whether ``actor`` may change that partner: whoever sees it may change it (a manager
    keeps the partners of their regions up to date, not only their own)."""
    return can_see(actor, manager_id, region, department)


def restrict(query, actor: Actor, manager_id, region, department):
    """``query`` (SQLAlchemy) limited to the rows ``actor`` may see, given the record's
    manager, region and department columns: :func:`visibility_filter` as SQL."""
    from sqlalchemy import false, or_

    rule = visibility_filter(actor)
    if rule is None:
        return query
    conditions = []
    if rule.get("manager_id"):
        conditions.append(manager_id == rule["manager_id"])
    if rule.get("regions"):
        conditions.append(region.in_(rule["regions"]))
    if rule.get("department"):
        conditions.append(department == rule["department"])
    return query.where(or_(*conditions) if conditions else false())
