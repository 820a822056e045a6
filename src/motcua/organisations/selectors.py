"""Reads of the organisation tree and of staff roles.

A unit code names a unit only *at a date* (the statistics office reuses codes across the 2025 reform), so
every lookup by code takes an ``as_of`` date: today by default, the dossier's date for history.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from motcua.core import clock, formatting
from motcua.core.errors import Conflict, NotFound
from motcua.core.refcache import refcache_get

from .constants import Role
from .models import Membership, Unit, UnitSuccession

if TYPE_CHECKING:
    from motcua.accounts.models import User


def valid_on_q(as_of: dt.date, prefix: str = "") -> Q:
    """A ``Q`` keeping units (or ``prefix``-related units) valid on ``as_of`` (both ends inclusive)."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": as_of})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": as_of})
    )


def unit_by_code(code: str, *, as_of: dt.date | None = None) -> Unit:
    """The unit that carried ``code`` on ``as_of`` (default today); raises ``NotFound``."""
    day = clock.today() if as_of is None else as_of
    unit = Unit.objects.select_related("parent").filter(valid_on_q(day), code=str(code)).first()
    if unit is None:
        raise NotFound(
            _("Không tìm thấy đơn vị có mã %(code)s có hiệu lực ngày %(day)s.")
            % {"code": code, "day": formatting.day(day)},
            code="unit_not_found",
            details={"code": str(code), "as_of": day.isoformat()},
        )
    return unit


def units_valid_on(
    as_of: dt.date | None = None, *, level: str | None = None, parent: Unit | None = None
) -> QuerySet[Unit]:
    """Units valid on ``as_of`` (default today), optionally of one ``level`` or below one ``parent``."""
    day = clock.today() if as_of is None else as_of
    qs = Unit.objects.filter(valid_on_q(day))
    if level:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs.order_by("code")


def _children_map() -> dict[int | None, list[int]]:
    """The whole tree as ``parent id -> [child ids]``, in one query."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Unit.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    return children


def _descendant_ids(roots: Iterable[int], children: dict[int | None, list[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        pk = stack.pop()
        for child in children.get(pk, ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def unit_descendant_ids(unit: Unit, *, include_self: bool = True) -> set[int]:
    """Primary keys of every unit below ``unit`` (one query, whatever the depth)."""
    ids = _descendant_ids([unit.pk], _children_map())
    if include_self:
        ids.add(unit.pk)
    return ids


def unit_descendants(
    unit: Unit, *, include_self: bool = True, as_of: dt.date | None = None
) -> QuerySet[Unit]:
    """Every unit below ``unit`` (children, grandchildren, …), optionally only those valid on ``as_of``.

    Two queries whatever the depth: the tree is loaded once as (id, parent id) pairs.
    """
    qs = Unit.objects.filter(pk__in=unit_descendant_ids(unit, include_self=include_self))
    if as_of is not None:
        qs = qs.filter(valid_on_q(as_of))
    return qs.order_by("code", "valid_from")


def unit_ancestor_ids(unit: Unit) -> list[int]:
    """Primary keys of the units above ``unit``, nearest first (one query per level; the tree is shallow)."""
    ids: list[int] = []
    parent_id = unit.parent_id
    while parent_id is not None and parent_id not in ids:
        ids.append(parent_id)
        parent_id = Unit.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return ids


def unit_successors(unit: Unit) -> list[Unit]:
    """The units ``unit`` was merged into (or renamed to): direct successors only."""
    return [
        s.successor
        for s in UnitSuccession.objects.filter(predecessor=unit)
        .select_related("successor")
        .order_by("successor__code")
    ]


def unit_predecessors(unit: Unit) -> list[Unit]:
    """The units merged into ``unit`` (direct predecessors only)."""
    return [
        s.predecessor
        for s in UnitSuccession.objects.filter(successor=unit)
        .select_related("predecessor")
        .order_by("predecessor__code")
    ]


def unit_current_successors(unit: Unit, as_of: dt.date | None = None) -> list[Unit]:
    """The units valid on ``as_of`` that carry on ``unit``, following successions transitively.

    ``[unit]`` itself when it is still valid; several units when it was split (a district whose communes
    went to several new communes); ``[]`` when it closed without a successor.
    """
    day = clock.today() if as_of is None else as_of
    if unit.is_valid_on(day):
        return [unit]
    found: dict[int, Unit] = {}
    seen = {unit.pk}
    frontier = [unit.pk]
    while frontier:
        rows = UnitSuccession.objects.filter(predecessor_id__in=frontier).select_related("successor")
        frontier = []
        for row in rows:
            successor = row.successor
            if successor.pk in seen:
                continue
            seen.add(successor.pk)
            if successor.is_valid_on(day):
                found[successor.pk] = successor
            else:
                frontier.append(successor.pk)
    return sorted(found.values(), key=lambda u: u.code)


def unit_current_successor(unit: Unit, as_of: dt.date | None = None) -> Unit | None:
    """The one unit valid on ``as_of`` that carries on ``unit`` (itself if still valid), or ``None``.

    Raises ``Conflict`` (code ``ambiguous_successor``) when the unit was split among several units: use
    ``unit_current_successors`` there.
    """
    units = unit_current_successors(unit, as_of)
    if len(units) > 1:
        raise Conflict(
            _("Đơn vị %(name)s (%(code)s) đã được sắp xếp vào nhiều đơn vị; cần chọn một đơn vị.")
            % {"name": unit.name, "code": unit.code},
            code="ambiguous_successor",
            details={"successors": [u.code for u in units]},
        )
    return units[0] if units else None


def units_for_user(user: User, *, roles: Iterable[str] | None = None) -> QuerySet[Unit]:
    """Units where ``user`` holds a role (one of ``roles`` when given)."""
    if not user.is_authenticated:
        return Unit.objects.none()
    memberships = Membership.objects.filter(user_id=user.pk)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return Unit.objects.filter(pk__in=memberships.values("unit_id")).order_by("code", "valid_from")


def units_visible_to(user: User) -> QuerySet[Unit]:
    """Units whose dossiers ``user`` may see: their own units plus, for leaders, every unit below (read-only).

    Superusers see every unit.
    """
    if not user.is_authenticated:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all().order_by("code", "valid_from")
    rows = list(Membership.objects.filter(user_id=user.pk).values_list("unit_id", "role"))
    own = {unit_id for unit_id, _role in rows}
    led = {unit_id for unit_id, role in rows if role == Role.LEADER}
    ids = own | (_descendant_ids(led, _children_map()) if led else set())
    return Unit.objects.filter(pk__in=ids).order_by("code", "valid_from")


def user_roles_by_unit(user: User) -> dict[int, frozenset[str]]:
    """``unit id -> roles`` for ``user`` (see ``rules.py``).

    Kept on the user object for the request, and per process in the reference cache (``core.refcache``): a
    grant or a withdrawal applies at once in the process that saves it, in the others within
    ``MOTCUA_REFERENCE_CACHE_SECONDS``.
    """
    cached: dict[int, frozenset[str]] | None = getattr(user, "_motcua_roles_by_unit", None)
    if cached is not None:
        return cached
    result = refcache_get(("roles", user.pk), lambda: _roles_read(user.pk)) if user.is_authenticated else {}
    setattr(user, "_motcua_roles_by_unit", result)  # noqa: B010 - a per-request cache on the user object
    return result


def _roles_read(user_id: int) -> dict[int, frozenset[str]]:
    roles: dict[int, set[str]] = defaultdict(set)
    for unit_id, role in Membership.objects.filter(user_id=user_id).values_list("unit_id", "role"):
        roles[unit_id].add(role)
    return {unit_id: frozenset(r) for unit_id, r in roles.items()}


def forget_user_roles(user: User) -> None:
    """Drop the roles cached on ``user`` by ``user_roles_by_unit`` (after a grant or revoke)."""
    user.__dict__.pop("_motcua_roles_by_unit", None)
