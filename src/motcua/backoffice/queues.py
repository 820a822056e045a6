"""The back office's work queues: named, scoped views over ``dossiers_visible_to(user)``.

Every queue starts from the dossiers selector, so nothing outside the user's units ever appears; some queues
narrow further to the units where the user holds the role that works the queue (e.g. only a unit's one-stop
officers see its online dossiers waiting for a check).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.core import clock
from motcua.dossiers.constants import OPEN_STATES, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossiers_visible_to
from motcua.organisations.constants import Role
from motcua.organisations.selectors import user_roles_by_unit

if TYPE_CHECKING:
    from motcua.accounts.models import User

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


@dataclass(frozen=True)
class Queue:
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


def _open_due(now: dt.datetime) -> Q:
    return Q(status__in=OPEN_STATES, paused_at__isnull=True, due_at__isnull=False)


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
            title=_("Hồ sơ của tôi"),
            description=_("Hồ sơ đang được phân công cho bạn xử lý."),
            roles=frozenset(),
            restrict_to_role_units=False,
            condition=lambda user, now: Q(assignee_id=user.pk, status__in=WORKING_STATES),
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
            condition=lambda user, now: _open_due(now) & Q(due_at__gte=now, due_at__lte=_due_soon_limit(now)),
        ),
        Queue(
            slug="qua-han",
            title=_("Quá hạn"),
            description=_("Hồ sơ chưa có kết quả mà đã quá ngày hẹn trả."),
            roles=frozenset(),
            restrict_to_role_units=False,
            condition=lambda user, now: _open_due(now) & Q(due_at__lt=now),
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


def is_overdue(dossier: Dossier, now: dt.datetime) -> bool:
    return bool(
        dossier.status in OPEN_STATES
        and dossier.paused_at is None
        and dossier.due_at is not None
        and dossier.due_at < now
    )
