"""Who may read statistics of a unit: statisticians, leaders and administrators of the unit or a unit above.

Autodiscovered by ``rules.apps.AutodiscoverRulesConfig``. Check with
``user.has_perm("reports.view_unit_report", unit)``; without a unit (the whole tree) use
``can_view_whole_report(user)``.
"""

from __future__ import annotations

from typing import Any

import rules

from motcua.organisations.constants import Role
from motcua.organisations.models import Unit
from motcua.organisations.rules import (
    is_leader_above_unit,
    is_leader_of_unit,
    is_statistician,
    is_unit_administrator,
)
from motcua.organisations.selectors import user_roles_by_unit

REPORT_ROLES = frozenset({Role.STATISTICIAN, Role.LEADER, Role.ADMINISTRATOR})


@rules.predicate
def has_unit(user: Any, unit: Unit | None) -> bool:
    return unit is not None


can_view_unit_report = rules.is_superuser | (
    has_unit & (is_statistician | is_unit_administrator | is_leader_of_unit | is_leader_above_unit)
)
rules.add_perm("reports.view_unit_report", can_view_unit_report)


def can_view_whole_report(user: Any) -> bool:
    """The report of every unit: superusers, or a report role in a unit at the top of the tree."""
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    roles = user_roles_by_unit(user)
    qualifying = [pk for pk, r in roles.items() if r & REPORT_ROLES]
    return Unit.objects.filter(pk__in=qualifying, parent__isnull=True).exists()
