"""Reads of the petitions: the unit's queue, tracking, the public page and the on-time share (Decision 766)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet

from motcua.core import clock
from motcua.core.masking import mask_email, mask_phone
from motcua.organisations.selectors import user_roles_by_unit

from .constants import PetitionStatus
from .models import Petition


def petition_overdue_q(now: dt.datetime | None = None) -> Q:
    """Overdue, the same idea as the dossiers' (``dossiers.selectors.overdue_q``): still open, due time passed."""
    return Q(status=PetitionStatus.OPEN, due_at__lt=now or clock.now())


def is_petition_overdue(petition: Petition, now: dt.datetime | None = None) -> bool:
    return petition.status == PetitionStatus.OPEN and petition.due_at < (now or clock.now())


def petitions_for_staff(user: Any, *, status: str = "") -> QuerySet[Petition]:
    """The petitions of the units where ``user`` holds any role (superusers: all), oldest due first."""
    qs = Petition.objects.select_related("unit", "dossier", "procedure")
    if not user.is_superuser:
        qs = qs.filter(unit_id__in=sorted(user_roles_by_unit(user)))
    if status in PetitionStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("status", "due_at", "pk")


def petitions_visible_to(user: Any) -> QuerySet[Petition]:
    """The petitions ``user`` may read (the API): their own, and those of the units where they hold a role."""
    own = Q(sender=user)
    if user.is_superuser or user_roles_by_unit(user):
        staff_ids = petitions_for_staff(user).values("pk")
        return Petition.objects.filter(own | Q(pk__in=staff_ids))
    return Petition.objects.filter(own)


def petition_for_staff(user: Any, code: str) -> Petition | None:
    return petitions_for_staff(user).filter(code=str(code)[:32]).first()


def petition_for_tracking(code: str, contact: str) -> Petition | None:
    """The petition ``code`` when ``contact`` is its phone or e-mail (no guessing by code alone)."""
    contact = (contact or "").strip()
    if not code or not contact:
        return None
    petition = Petition.objects.select_related("unit").filter(code=str(code).strip()[:32]).first()
    if petition is None:
        return None
    phone = contact.replace(" ", "").replace(".", "").replace("-", "")
    if (petition.contact_phone and phone == petition.contact_phone) or (
        petition.contact_email and contact.lower() == petition.contact_email.lower()
    ):
        return petition
    return None


def public_petitions() -> QuerySet[Petition]:
    """Answered petitions whose senders agreed to publication, newest answer first."""
    return (
        Petition.objects.select_related("unit")
        .filter(publish_consent=True, status=PetitionStatus.ANSWERED)
        .order_by("-answered_at")
    )


def masked_sender(petition: Petition) -> str:
    """The sender as the public page shows them: first letter of each word, contact masked (core.masking)."""
    initials = " ".join(f"{w[0]}." for w in petition.contact_name.split() if w)
    contact = mask_phone(petition.contact_phone) or mask_email(petition.contact_email)
    return f"{initials} ({contact})" if contact else initials


def answered_on_time(
    start_at: dt.datetime, end_at: dt.datetime, unit_ids: set[int] | None = None
) -> tuple[int, int]:
    """``(answered on time, due in the period)`` over petitions whose due time falls in [start_at, end_at) or
    which were answered in it: the share of petitions answered on time (Decision 766, group 5)."""
    qs = Petition.objects.order_by().filter(
        Q(due_at__gte=start_at, due_at__lt=end_at) | Q(answered_at__gte=start_at, answered_at__lt=end_at)
    )
    qs = qs.filter(Q(answered_at__isnull=False) | Q(due_at__lt=min(end_at, clock.now())))
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=sorted(unit_ids))
    total = qs.count()
    on_time = qs.filter(answered_at__isnull=False, answered_at__lte=F("due_at")).count()
    return on_time, total
