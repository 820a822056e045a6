"""The back-office menu: only the pages the user's roles may open (issue 16: no menu link answers 403).

Each entry names the page and the roles that work there; ``menu_for(user)`` keeps the entries whose page the
user may open and that match their work (an officer's queues, the specialist's "assigned to me", the leader's
approval queue). The crawl test (``tests/test_menu.py``) opens every link of every demo role's menu.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.selectors import QUEUES
from motcua.organisations.constants import Role
from motcua.organisations.selectors import user_roles_by_unit
from motcua.petitions.constants import ANSWER_ROLES
from motcua.reports.rules import REPORT_ROLES

from .finance import FINANCE_ROLES

WORKING_ROLES = frozenset({Role.OFFICER, Role.SPECIALIST, Role.LEADER})


@dataclass(frozen=True)
class MenuItem:
    key: str  # the page's ``nav_active``
    label: Any
    url: str


# queue slug -> the roles whose work it is (the menu shows it to them; the desk lists every queue)
QUEUE_ROLES: dict[str, frozenset[str]] = {
    "truc-tuyen": frozenset({Role.OFFICER}),
    "cua-toi": frozenset({Role.SPECIALIST}),
    "cho-phe-duyet": frozenset({Role.LEADER}),
    "cho-tra": frozenset({Role.OFFICER}),
    "tat-ca": WORKING_ROLES,
}


def menu_for(user: Any) -> list[MenuItem]:
    """The menu entries of ``user`` (a staff account), in menu order."""
    items = [MenuItem("backoffice", _("Bàn làm việc"), reverse("backoffice:home"))]
    if not user.is_authenticated:
        return items
    roles: set[str] = set()
    for unit_roles in user_roles_by_unit(user).values():
        roles |= unit_roles
    if Role.OFFICER in roles:
        items.append(MenuItem("intake", _("Tiếp nhận trực tiếp"), reverse("backoffice:intake")))
    for slug, queue_roles in QUEUE_ROLES.items():
        if roles & queue_roles or (user.is_superuser and slug == "tat-ca"):
            queue = QUEUES[slug]
            items.append(MenuItem(f"queue-{slug}", queue.title, reverse("backoffice:queue", args=[slug])))
    if roles & {Role.OFFICER, Role.LEADER} or user.is_superuser:
        items.append(MenuItem("logbook", _("Sổ theo dõi (Mẫu 06)"), reverse("backoffice:logbook")))
    if Role.OFFICER in roles or user.is_superuser:  # backoffice.payments._require_officer
        items.append(MenuItem("bank", _("Đối chiếu sao kê"), reverse("backoffice:bank_lines")))
    if roles & FINANCE_ROLES or user.is_superuser:  # backoffice.finance._require_finance
        items.append(
            MenuItem("reconciliation", _("Đối soát thanh toán"), reverse("backoffice:reconciliation"))
        )
    if roles & ANSWER_ROLES or user.is_superuser:  # petitions.selectors.petitions_for_staff
        items.append(MenuItem("petitions", _("Phản ánh, kiến nghị"), reverse("backoffice:petitions")))
    if roles & REPORT_ROLES or user.is_superuser:  # reports.selectors.dashboard_units, without a query
        items.append(MenuItem("dashboard", _("Thống kê"), reverse("backoffice:dashboard")))
    if user.is_staff:
        items.append(MenuItem("admin", _("Quản trị"), reverse("admin:index")))
    return items
