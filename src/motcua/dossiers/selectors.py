"""Reads of dossiers, with visibility enforced here once (ARCHITECTURE.md rule 2).

Staff see dossiers of units where they hold a role, dossiers routed to their units (inter-agency legs), and,
read-only, dossiers of units below a unit they lead. Applicants see their own. Anything else is "not found":
a code outside one's scope answers exactly like a code that does not exist (no id guessing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.organisations.selectors import units_visible_to, user_roles_by_unit

from .constants import OPEN_STATES, Status
from .models import Dossier, DossierEvent, DossierStep

if TYPE_CHECKING:
    from motcua.accounts.models import User


def dossiers_visible_to(user: User) -> QuerySet[Dossier]:
    """Every dossier ``user`` may see (superusers: all). Drafts are private to their owner."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    if user.is_superuser:
        return Dossier.objects.all()
    own_units = list(user_roles_by_unit(user))
    visible_units = units_visible_to(user).values("pk")
    routed = DossierStep.objects.filter(unit_id__in=own_units).values("dossier_id")
    staff = (Q(unit_id__in=visible_units) | Q(pk__in=routed)) & ~Q(status=Status.DRAFT)
    return Dossier.objects.filter(staff | Q(owner_id=user.pk))


def dossier_list(
    *,
    user: User,
    status: str | None = None,
    unit: str | None = None,
    overdue: bool | None = None,
    q: str = "",
) -> QuerySet[Dossier]:
    """Visible dossiers filtered; each carries its procedure version, procedure and unit (no N+1)."""
    qs = dossiers_visible_to(user).select_related("procedure_version__procedure", "unit", "assignee")
    if status:
        qs = qs.filter(status__in=[s for s in status.split(",") if s])
    if unit:
        qs = qs.filter(unit__code=unit)
    if overdue is not None:
        late = Q(status__in=OPEN_STATES, paused_at__isnull=True, due_at__lt=clock.now())
        qs = qs.filter(late) if overdue else qs.exclude(late)
    q = q.strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(applicant_name__icontains=q) | Q(applicant_id_number=q))
    return qs.order_by("-received_at", "-pk")


def dossier_get_for_user(user: User, code: str, *, detail: bool = True) -> Dossier:
    """The dossier ``code`` if ``user`` may see it; else ``NotFound`` (never "forbidden": no id guessing).

    With ``detail`` the events, components and steps come prefetched (for pages and the API detail).
    """
    qs = dossiers_visible_to(user).filter(code=code)
    if detail:
        qs = qs.select_related(
            "procedure_version__procedure", "unit", "assignee", "current_step", "owner"
        ).prefetch_related(
            "components",
            Prefetch("steps", queryset=DossierStep.objects.select_related("unit", "assignee").order_by("pk")),
            Prefetch(
                "events", queryset=DossierEvent.objects.select_related("actor", "unit").order_by("at", "pk")
            ),
        )
    dossier = qs.first()
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ {code}.", code="dossier_not_found")
    return dossier


def dossier_public_get(code: str) -> Dossier:
    """A received dossier by code for the public lookup (the caller shows no personal data)."""
    dossier = (
        Dossier.objects.filter(code=code)
        .exclude(received_at__isnull=True)
        .select_related("procedure_version__procedure", "unit")
        .first()
    )
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ {code}.", code="dossier_not_found")
    return dossier
