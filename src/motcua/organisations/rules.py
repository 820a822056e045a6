"""Permissions over units as ``rules`` predicates (autodiscovered by ``rules.apps.AutodiscoverRulesConfig``).

Every predicate takes ``(user, unit)``. A staff member sees and acts on the dossiers of the units where they
hold a role; leaders of a unit above may see, not act (DOMAIN.md §2). Other apps check object permissions::

    user.has_perm("organisations.act_on_unit_dossiers", dossier.unit)

Roles are read once per user object (``selectors.user_roles_by_unit``) and the tree above a unit is walked
once per unit, so checking many permissions in a request costs few queries.
"""

from __future__ import annotations

from typing import Any

import rules

from .constants import Role
from .models import Unit
from .selectors import unit_ancestor_ids, user_roles_by_unit


def _roles_in(user: Any, unit_id: int | None) -> frozenset[str]:
    if unit_id is None or user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return user_roles_by_unit(user).get(unit_id, frozenset())


def _ancestor_ids(unit: Unit) -> list[int]:
    cached: list[int] | None = getattr(unit, "_motcua_ancestor_ids", None)
    if cached is None:
        cached = unit_ancestor_ids(unit)
        unit._motcua_ancestor_ids = cached  # type: ignore[attr-defined]
    return cached


def has_role_in(unit: Unit | None, role: str) -> Any:
    """A predicate: the user holds ``role`` in ``unit`` (fixed unit, the rule's object is ignored)."""

    @rules.predicate(name=f"has_role_in({getattr(unit, 'code', None)}, {role})")
    def predicate(user: Any) -> bool:
        return unit is not None and role in _roles_in(user, unit.pk)

    return predicate


def _role_of_unit(role: str) -> Any:
    @rules.predicate(name=f"is_{role}_of_unit")
    def predicate(user: Any, unit: Unit | None) -> bool:
        return unit is not None and role in _roles_in(user, unit.pk)

    return predicate


is_officer_of_unit = _role_of_unit(Role.OFFICER)
is_specialist_of_unit = _role_of_unit(Role.SPECIALIST)
is_leader_of_unit = _role_of_unit(Role.LEADER)


@rules.predicate
def is_member_of_unit(user: Any, unit: Unit | None) -> bool:
    """Any role in the unit itself."""
    return unit is not None and bool(_roles_in(user, unit.pk))


@rules.predicate
def is_leader_above_unit(user: Any, unit: Unit | None) -> bool:
    """A leader of a unit above ``unit`` (read-only visibility of the units below)."""
    if unit is None or not getattr(user, "is_authenticated", False):
        return False
    roles = user_roles_by_unit(user)
    if not any(Role.LEADER in r for r in roles.values()):
        return False
    return any(Role.LEADER in roles.get(pk, ()) for pk in _ancestor_ids(unit))


def _role_here_or_above(role: str, name: str) -> Any:
    @rules.predicate(name=name)
    def predicate(user: Any, unit: Unit | None = None) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        roles = user_roles_by_unit(user)
        if unit is None:  # no object: the role anywhere
            return any(role in r for r in roles.values())
        return any(role in roles.get(pk, ()) for pk in [unit.pk, *_ancestor_ids(unit)])

    return predicate


# Administrator / statistician of the unit or of a unit above it; without an object, anywhere.
is_unit_administrator = _role_here_or_above(Role.ADMINISTRATOR, "is_unit_administrator")
is_statistician = _role_here_or_above(Role.STATISTICIAN, "is_statistician")

can_act_on_unit_dossiers = rules.is_superuser | is_officer_of_unit | is_specialist_of_unit | is_leader_of_unit
can_view_unit_dossiers = can_act_on_unit_dossiers | is_member_of_unit | is_leader_above_unit

rules.add_perm("organisations.view_unit_dossiers", can_view_unit_dossiers)
rules.add_perm("organisations.act_on_unit_dossiers", can_act_on_unit_dossiers)
rules.add_perm("organisations.receive_unit_dossiers", rules.is_superuser | is_officer_of_unit)
rules.add_perm("organisations.process_unit_dossiers", rules.is_superuser | is_specialist_of_unit)
rules.add_perm("organisations.decide_unit_dossiers", rules.is_superuser | is_leader_of_unit)
rules.add_perm("organisations.manage_unit", rules.is_superuser | is_unit_administrator)
rules.add_perm("organisations.view_unit_statistics", rules.is_superuser | is_statistician | is_leader_of_unit)
