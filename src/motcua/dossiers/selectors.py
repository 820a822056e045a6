"""Reads of dossiers, with visibility enforced here once (ARCHITECTURE.md rule 2).

Staff see dossiers of units where they hold a role, dossiers routed to their units (inter-agency legs), and,
read-only, dossiers of units below a unit they lead. Applicants see their own. Anything else is "not found":
a code outside one's scope answers exactly like a code that does not exist (no id guessing).

Also here, once: what "overdue", "due soon" and "being worked on" mean (``overdue_q``/``is_overdue``,
``due_soon_q``, ``WORKING_STATES``) and the work queues built on them (``QUEUES``), which the back office,
the API and the dashboard's panels (``reports.selectors``) all use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.core import clock
from motcua.core.errors import Conflict, NotFound
from motcua.organisations.constants import Role
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
        late = overdue_q()
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


def dossier_owner_check(dossier: Dossier, user: User) -> None:
    """``NotFound`` unless ``user`` owns ``dossier`` (someone else's dossier answers like one that does not exist)."""
    if dossier.owner_id is None or dossier.owner_id != user.pk:
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")


def draft_owner_check(dossier: Dossier, user: User) -> None:
    """``dossier_owner_check``, and ``dossier`` is still a draft (``Conflict`` ``not_a_draft`` otherwise)."""
    dossier_owner_check(dossier, user)
    if dossier.status != Status.DRAFT:
        raise Conflict("Hồ sơ đã nộp, không sửa được nữa.", code="not_a_draft")


def dossier_public_get(code: str) -> Dossier:
    """A received dossier by code for the public lookup (the caller shows no personal data), or one submitted
    online and not checked yet: the confirmation e-mail's tracking link works at once (issue 16)."""
    dossier = (
        Dossier.objects.filter(code=code)
        .filter(Q(received_at__isnull=False) | Q(status=Status.SUBMITTED))
        .select_related("procedure_version__procedure", "unit")
        .first()
    )
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ {code}.", code="dossier_not_found")
    return dossier


# --- overdue, due soon, being worked on; the work queues ---------------------------------------------------

# A dossier assigned to someone is theirs while it is being worked on.
WORKING_STATES = frozenset(
    {
        Status.RECEIVED,
        Status.PROCESSING,
        Status.AWAITING_SUPPLEMENT,
        Status.AWAITING_PAYMENT,
        Status.WITHDRAWAL_REQUESTED,
    }
)


def _due_soon_limit(now: dt.datetime) -> dt.datetime:
    from motcua.worktime.services import get_calendar

    return get_calendar().add_working_days(now, 1)


def clock_running_q(at: dt.datetime) -> Q:
    """The dossier's clock was running at ``at`` as far as pauses go: not paused, or paused only after ``at``
    (a dossier paused at ``at`` exactly is paused then).

    Rests on the clock's paused state (``paused_at``), whatever paused it: a supplement under the pause or the
    reset rule, the applicant's financial obligations (land procedures), any other pause the law allows.
    A pause that has ended is no longer seen: its time was added to the statutory due when the clock resumed
    (under the reset rule the new due replaced it), so the stored due already accounts for it.
    """
    return Q(paused_at__isnull=True) | Q(paused_at__gt=at)


def past_due_q(at: dt.datetime) -> Q:
    """Clock running at ``at`` and statutory due (after any pause or reset, never an extension) before ``at``."""
    return clock_running_q(at) & Q(statutory_due_at__lt=at)


def overdue_q(now: dt.datetime | None = None) -> Q:
    """The one definition of "overdue" as a filter (DOMAIN.md §6): an in-progress dossier (open state) whose
    clock is running (not paused) and whose *statutory* due time has passed at ``now`` (default: now).

    The statutory due is the due before any extension (the apology's new appointment is shown to the applicant
    but does not make a dossier on time, DOMAIN.md §5); after a supplement under the reset rule it is the new
    due. The monthly report's "overdue at the period's end" (``reports.selectors``) is the same condition,
    ``past_due_q``, at the period's end, with "in progress" read from the timestamps instead of the status.
    """
    now = now or clock.now()
    return Q(status__in=OPEN_STATES) & past_due_q(now)


def is_overdue(dossier: Dossier, now: dt.datetime | None = None) -> bool:
    """``overdue_q`` for one dossier already loaded (no query)."""
    now = now or clock.now()
    return bool(
        dossier.status in OPEN_STATES
        and (dossier.paused_at is None or dossier.paused_at > now)
        and dossier.statutory_due_at is not None
        and dossier.statutory_due_at < now
    )


def due_soon_q(now: dt.datetime | None = None) -> Q:
    """Not overdue yet but due within one working day: clock running, statutory due in ``[now, now + 1 day]``."""
    now = now or clock.now()
    return (
        Q(status__in=OPEN_STATES)
        & clock_running_q(now)
        & Q(statutory_due_at__gte=now, statutory_due_at__lte=_due_soon_limit(now))
    )


@dataclass(frozen=True)
class Queue:
    """A back-office work queue: a named, scoped view over ``dossiers_visible_to(user)``.

    Every queue starts from the dossiers selector, so nothing outside the user's units ever appears; some
    queues narrow further to the units where the user holds the role that works the queue (e.g. only a unit's
    one-stop officers see its online dossiers waiting for a check).
    """

    slug: str
    title: Any  # lazy Vietnamese text
    description: Any
    roles: frozenset[str]  # roles that work this queue (empty: everybody with a unit)
    restrict_to_role_units: bool  # narrow to the units where the user holds one of ``roles``
    condition: Callable[[User, dt.datetime], Q]
    order: tuple[str, ...] = ("due_at", "pk")

    def units(self, user: User) -> list[int] | None:
        """The unit ids this queue is narrowed to for ``user``, or None for the whole visible scope."""
        if not self.restrict_to_role_units or user.is_superuser:
            return None
        return [unit for unit, roles in user_roles_by_unit(user).items() if roles & self.roles]

    def q(self, user: User, now: dt.datetime) -> Q:
        condition = self.condition(user, now)
        units = self.units(user)
        if units is not None:
            condition &= Q(unit_id__in=units)
        return condition

    def applies_to(self, user: User) -> bool:
        if not self.roles or user.is_superuser:
            return True
        return any(roles & self.roles for roles in user_roles_by_unit(user).values())


QUEUES: dict[str, Queue] = {
    q.slug: q
    for q in (
        Queue(
            slug="truc-tuyen",
            title=_("Hồ sơ trực tuyến chờ kiểm tra"),
            description=_(
                "Hồ sơ công dân nộp trực tuyến, cán bộ một cửa cần kiểm tra để tiếp nhận hoặc từ chối."
            ),
            roles=frozenset({Role.OFFICER}),
            restrict_to_role_units=True,
            condition=lambda user, now: Q(status=Status.SUBMITTED),
            order=("submitted_at", "pk"),
        ),
        Queue(
            slug="cua-toi",
            title=_("Được giao cho tôi"),
            description=_("Hồ sơ đang được phân công cho bạn xử lý."),
            roles=frozenset(),
            restrict_to_role_units=False,
            condition=lambda user, now: Q(assignee_id=user.pk, status__in=WORKING_STATES),
        ),
        Queue(
            slug="cho-phe-duyet",
            title=_("Chờ tôi phê duyệt"),
            description=_("Hồ sơ chuyên viên đã chuyển sang bước lãnh đạo phê duyệt của quy trình."),
            roles=frozenset({Role.LEADER}),
            restrict_to_role_units=True,
            condition=lambda user, now: Q(status=Status.PROCESSING, current_step__role=Role.LEADER),
        ),
        Queue(
            slug="dang-xu-ly",
            title=_("Hồ sơ đang xử lý"),
            description=_("Hồ sơ đã tiếp nhận, đang trong quy trình xử lý của đơn vị."),
            roles=frozenset({Role.OFFICER, Role.SPECIALIST, Role.LEADER}),
            restrict_to_role_units=False,
            condition=lambda user, now: Q(status__in=[Status.RECEIVED, Status.PROCESSING]),
        ),
        Queue(
            slug="sap-den-han",
            title=_("Sắp đến hạn (trong 1 ngày làm việc)"),
            description=_("Hồ sơ chưa có kết quả, hạn trả trong vòng một ngày làm việc tới."),
            roles=frozenset(),
            restrict_to_role_units=False,
            condition=lambda user, now: due_soon_q(now),
        ),
        Queue(
            slug="qua-han",
            title=_("Quá hạn"),
            description=_("Hồ sơ chưa có kết quả mà đã quá ngày hẹn trả."),
            roles=frozenset(),
            restrict_to_role_units=False,
            condition=lambda user, now: overdue_q(now),
        ),
        Queue(
            slug="cho-tra",
            title=_("Hồ sơ chờ trả kết quả"),
            description=_("Hồ sơ đã xử lý xong, chờ bộ phận một cửa trả kết quả cho người nộp."),
            roles=frozenset({Role.OFFICER}),
            restrict_to_role_units=True,
            condition=lambda user, now: Q(status=Status.RESOLVED),
            order=("finished_at", "pk"),
        ),
        Queue(
            slug="tat-ca",
            title=_("Tất cả hồ sơ"),
            description=_("Mọi hồ sơ thuộc phạm vi của bạn."),
            roles=frozenset(),
            restrict_to_role_units=False,
            condition=lambda user, now: Q(),
            order=("-received_at", "-pk"),
        ),
    )
}


def queues_for(user: User) -> list[Queue]:
    return [queue for queue in QUEUES.values() if queue.applies_to(user)]


def queue_counts(user: User) -> dict[str, int]:
    """How many dossiers each of ``user``'s queues holds, in one query."""
    now = clock.now()
    queues = queues_for(user)
    if not queues:
        return {}
    counts = dossiers_visible_to(user).aggregate(
        **{q.slug.replace("-", "_"): Count("pk", filter=q.q(user, now)) for q in queues}
    )
    return {q.slug: counts[q.slug.replace("-", "_")] for q in queues}


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    procedure: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    q: str = ""


def queue_dossiers(*, user: User, queue: Queue, filters: QueueFilters | None = None) -> QuerySet[Dossier]:
    """The dossiers of ``queue`` for ``user``, filtered; procedure, unit and assignee come along (no N+1)."""
    filters = filters or QueueFilters()
    qs = (
        dossiers_visible_to(user)
        .filter(queue.q(user, clock.now()))
        .select_related("procedure_version__procedure", "unit", "assignee")
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.procedure:
        qs = qs.filter(procedure_version__procedure__code=filters.procedure)
    if filters.received_from:
        start = dt.datetime.combine(filters.received_from, dt.time.min, tzinfo=clock.VN_TZ)
        qs = qs.filter(received_at__gte=start)
    if filters.received_to:
        end = dt.datetime.combine(filters.received_to + dt.timedelta(days=1), dt.time.min, tzinfo=clock.VN_TZ)
        qs = qs.filter(received_at__lt=end)
    text = filters.q.strip()
    if text:
        qs = qs.filter(Q(code__icontains=text) | Q(applicant_name__icontains=text))
    return qs.order_by(*queue.order)
