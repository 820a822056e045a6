"""Read-only statistics: the monthly report (form II.06a/VPCP/KSTT) and its building blocks.

Definitions (DOMAIN.md §6, docs/reports.md). A period is ``[from, to]``, both dates inclusive in
Asia/Ho_Chi_Minh: it starts at ``from`` 00:00 and ends at ``to + 1 day`` 00:00 (``start_at``/``end_at``).
A dossier *ends* at its first final instant: ``finished_at`` (resolved), else ``returned_at``, else
``closed_at`` (refused, stopped, withdrawn); a dossier that has not ended yet ends at "the end of time".

- carried over: received before ``start_at`` and not ended before ``start_at``;
- new: received in ``[start_at, end_at)``, split by channel (online, counter, post);
- received total: carried over + new;
- resolved in the period: ended in ``[start_at, end_at)``; early / late by the stored ``classification``,
  on time = the rest (refused, stopped and withdrawn dossiers are classified on time);
- in progress at ``to``: received before ``end_at`` and not ended before ``end_at``; overdue when, at
  ``end_at`` (or now, for a period not over yet), its clock runs (not paused) and its statutory due time has
  passed (``dossiers.selectors.past_due_q``, the condition of the overdue queue), within time otherwise
  (paused, or without a due time);
- on-time rate = (early + on time) / resolved; online rate = online / new; 4-decimal fractions, ``None``
  when the denominator is 0.

So received total = resolved + in progress, for every unit. Every number comes from one grouped aggregate
query (conditional counts per unit); the rows per unit or per level are sums of those few rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, DateTimeField, IntegerField, Min, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.clock import VN_TZ
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.text import vi_sort_key
from motcua.dossiers.constants import Channel, Status
from motcua.dossiers.models import END_OF_TIME, Dossier  # END_OF_TIME: "not ended yet"
from motcua.dossiers.selectors import QUEUES, WORKING_STATES, past_due_q
from motcua.national_portal.selectors import UnitSync, national_sync_by_unit
from motcua.organisations.constants import REPORTING_LEVEL, Level
from motcua.organisations.models import Unit
from motcua.organisations.selectors import unit_by_code, unit_descendant_ids, units_for_user, valid_on_q
from motcua.worktime.constants import Classification

from .rules import REPORT_ROLES

# The reporting levels in the order the province reports them.
REPORTING_LEVELS: tuple[str, ...] = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
# Units are listed province first, then departments and centres, districts, communes.
_LEVEL_ORDER: dict[str, int] = {
    Level.PROVINCE: 0,
    Level.DEPARTMENT: 1,
    Level.CENTRE: 2,
    Level.DISTRICT: 3,
    Level.COMMUNE: 4,
}

BY_CHOICES: tuple[str, ...] = ("unit", "level", "field")
# The kinds of period a month is reported over: ``official`` is Decree 09/2019/NĐ-CP's reporting period (the
# 15th of the previous month to the 14th), ``calendar`` the calendar month.
PERIOD_KINDS: tuple[str, ...] = ("official", "calendar")

COUNT_FIELDS: tuple[str, ...] = (
    "carried_over",
    "new",
    "online",
    "counter",
    "post",
    "resolved",
    "early",
    "late",
    "in_progress",
    "overdue",
)


def dossier_end() -> Coalesce:
    """The instant a dossier ended (``END_OF_TIME`` while it is open); led by the ``dossier_report_window`` index."""
    return Coalesce(
        "finished_at", "returned_at", "closed_at", Value(END_OF_TIME, output_field=DateTimeField())
    )


@dataclass(frozen=True)
class Period:
    """Dates ``start``..``end`` inclusive, in Asia/Ho_Chi_Minh."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationFailed(
                _("Ngày kết thúc kỳ báo cáo phải sau hoặc bằng ngày bắt đầu."),
                code="invalid_period",
                details={"from": self.start.isoformat(), "to": self.end.isoformat()},
            )

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=VN_TZ)

    @property
    def end_at(self) -> dt.datetime:
        """The first instant after the period (``end`` + 1 day, 00:00)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=VN_TZ)


def month_period(month: str | dt.date, kind: str = "calendar") -> Period:
    """The reporting period of ``month`` (``YYYY-MM`` or any day of it) of ``kind`` (``PERIOD_KINDS``).

    ``official``: from the 15th of the previous month to the 14th of the month (Decree 09/2019/NĐ-CP, art. 12:
    the figures of a monthly report are closed on the 14th), e.g. 2023-03 -> 2023-02-15 .. 2023-03-14;
    ``calendar``: the 1st to the last day of the month. Raises ``ValidationFailed`` (``invalid_month``,
    ``invalid_period_kind``).
    """
    if kind not in PERIOD_KINDS:
        raise ValidationFailed(
            _("Loại kỳ báo cáo phải là 'official' (15 tháng trước – 14) hoặc 'calendar' (tháng dương lịch)."),
            code="invalid_period_kind",
            details={"period": kind},
        )
    if isinstance(month, str):
        try:
            first = dt.datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            raise ValidationFailed(
                _("Tháng báo cáo phải có dạng YYYY-MM."), code="invalid_month", details={"month": month}
            ) from None
    else:
        first = month.replace(day=1)
    if kind == "official":
        previous = (first - dt.timedelta(days=1)).replace(day=15)
        return Period(previous, first.replace(day=14))
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, next_month - dt.timedelta(days=1))


def rate(numerator: int, denominator: int) -> float | None:
    """A fraction rounded to 4 decimals (half away from zero), ``None`` when ``denominator`` is 0."""
    if denominator == 0:
        return None
    # integer arithmetic: exact, no binary floating-point surprise at the 5th decimal
    scaled, remainder = divmod(numerator * 10000, denominator)
    if remainder * 2 >= denominator:
        scaled += 1
    return scaled / 10000


def block(counts: dict[str, int]) -> dict[str, Any]:
    """The JSON block of a row (or of the totals) from raw counts."""
    c = {name: int(counts.get(name, 0)) for name in COUNT_FIELDS}
    resolved, late, early = c["resolved"], c["late"], c["early"]
    on_time = resolved - early - late
    in_progress, overdue = c["in_progress"], c["overdue"]
    return {
        "received": {
            "carried_over": c["carried_over"],
            "online": c["online"],
            "counter": c["counter"],
            "post": c["post"],
            "counter_post": c["counter"] + c["post"],  # the form's one column "trực tiếp, dịch vụ bưu chính"
            "new": c["new"],
            "total": c["carried_over"] + c["new"],
        },
        "resolved": {"early": early, "on_time": on_time, "late": late, "total": resolved},
        "in_progress": {"within": in_progress - overdue, "overdue": overdue, "total": in_progress},
        "on_time_rate": rate(early + on_time, resolved),
        "online_rate": rate(c["online"], c["new"]),
    }


def dossiers_in_window(period: Period, unit_ids: Iterable[int] | None = None) -> QuerySet[Dossier]:
    """Dossiers that count in the report of ``period``: received before its end, not ended before its start."""
    qs = (
        Dossier.objects.order_by()
        .alias(ended=dossier_end())
        .filter(received_at__lt=period.end_at, ended__gte=period.start_at)
    )
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=sorted(unit_ids))
    return qs


def report_counts_by_unit(period: Period, unit_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """Raw counts per unit id (one grouped aggregate query)."""
    return {key[0]: counts for key, counts in report_counts(period, unit_ids).items()}


def report_counts(
    period: Period, unit_ids: Iterable[int] | None = None, *, by_field: bool = False
) -> dict[tuple[int, ...], dict[str, int]]:
    """Raw counts per ``(unit id,)``, or per ``(unit id, field id)`` with ``by_field`` (one grouped query;
    by field it joins the procedure, so PostgreSQL reads the table, not only the window index)."""
    start, end = period.start_at, period.end_at
    new = Q(received_at__gte=start)
    ended_in = Q(ended__lt=end)
    still_open = Q(ended__gte=end)
    # COUNT(unit_id), never COUNT(id): unit_id is in the window index (and never NULL), the primary key is
    # not, and reading it would turn PostgreSQL's index-only scan into table visits.
    aggregates = {
        "carried_over": Count("unit", filter=Q(received_at__lt=start)),
        "new": Count("unit", filter=new),
        "online": Count("unit", filter=new & Q(channel=Channel.ONLINE)),
        "counter": Count("unit", filter=new & Q(channel=Channel.COUNTER)),
        "post": Count("unit", filter=new & Q(channel=Channel.POST)),
        "resolved": Count("unit", filter=ended_in),
        "early": Count("unit", filter=ended_in & Q(classification=Classification.EARLY)),
        "late": Count("unit", filter=ended_in & Q(classification=Classification.LATE)),
        "in_progress": Count("unit", filter=still_open),
        # the one definition of overdue (dossiers.selectors) at the period's end, or now for a period not over
        # yet (nothing is overdue before its time): clock running, statutory due passed
        "overdue": Count("unit", filter=still_open & past_due_q(min(end, clock.now()))),
    }
    group = ("unit_id", "procedure_version__procedure__field_id") if by_field else ("unit_id",)
    rows: Iterable[dict[str, Any]] = (
        dossiers_in_window(period, unit_ids).values(*group).annotate(**aggregates)
    )
    return {tuple(row[g] for g in group): {name: row[name] for name in COUNT_FIELDS} for row in rows}


def _add(target: dict[str, int], counts: dict[str, int]) -> None:
    for name in COUNT_FIELDS:
        target[name] = target.get(name, 0) + counts.get(name, 0)


def _valid_during(unit: Unit, period: Period) -> bool:
    return (unit.valid_from is None or unit.valid_from <= period.end) and (
        unit.valid_to is None or unit.valid_to >= period.start
    )


def report_scope(
    unit_code: str | None, period: Period, as_of: dt.date | None = None
) -> tuple[Unit | None, set[int] | None]:
    """The unit named ``unit_code`` and the ids of it and its sub-units.

    The code is read as of ``as_of`` when given (a unit abolished during the period: its last day), else as of
    the period's last day; a code no unit carries then but one carried before (a district abolished on
    2025-07-01, in a report of 2025, or later while its old dossiers are still open) names that unit, the
    latest if several did. ``(None, None)`` without a code: every unit. Raises ``NotFound`` (code
    ``unit_not_found``).
    """
    if not unit_code:
        return None, None
    try:
        unit = unit_by_code(unit_code, as_of=as_of or period.end)
    except NotFound:
        earlier = (
            Unit.objects.select_related("parent")
            .filter(code=str(unit_code))
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=period.end))
            .order_by("-valid_to")
            .first()
        )
        if earlier is None or as_of is not None:
            raise
        unit = earlier
    return unit, unit_descendant_ids(unit)


def monthly_report(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    unit_code: str | None = None,
    by: str = "unit",
    month: str | None = None,
    period_kind: str = "calendar",
    unit_as_of: dt.date | None = None,
) -> dict[str, Any]:
    """The monthly report as the JSON shape of docs/reports.md, over ``[date_from, date_to]`` or over the
    reporting period of ``month`` (``YYYY-MM``) of ``period_kind`` (``month_period``); with a month the JSON
    also says ``"month"`` and ``"period"`` (the kind), and ``from``/``to`` are the period's days.

    Raises ``ValidationFailed`` (``invalid_period``, ``invalid_by``, ``invalid_month``,
    ``invalid_period_kind``) or ``NotFound`` (``unit_not_found``).
    """
    if month is not None:
        chosen = month_period(month, period_kind)
        report = monthly_report(
            date_from=chosen.start, date_to=chosen.end, unit_code=unit_code, by=by, unit_as_of=unit_as_of
        )
        return {"from": report["from"], "to": report["to"], "month": month, "period": period_kind, **report}
    if date_from is None or date_to is None:
        raise ValidationFailed(_("Cần kỳ báo cáo: từ ngày – đến ngày, hoặc tháng."), code="missing_period")
    if by not in BY_CHOICES:
        raise ValidationFailed(
            _("Tham số 'by' phải là 'unit', 'level' hoặc 'field'."), code="invalid_by", details={"by": by}
        )
    period = Period(date_from, date_to)
    _root, unit_ids = report_scope(unit_code, period, unit_as_of)
    counts = report_counts_by_unit(period, unit_ids)
    units_qs = Unit.objects.all() if unit_ids is None else Unit.objects.filter(pk__in=unit_ids)
    units = [u for u in units_qs if u.pk in counts or _valid_during(u, period)]
    # by level, then in Vietnamese order of the names (đ after d, ă after a), then code and validity
    units.sort(
        key=lambda u: (_LEVEL_ORDER.get(u.level, 9), vi_sort_key(u.name), u.code, u.valid_from or dt.date.min)
    )

    totals: dict[str, int] = {}
    for unit_counts in counts.values():
        _add(totals, unit_counts)

    rows: list[dict[str, Any]] = []
    if by == "unit":
        for unit in units:
            rows.append(
                {
                    "key": unit.code,
                    "name": unit.name,
                    "level": str(REPORTING_LEVEL.get(Level(unit.level), unit.level)),
                    # the unit's last day when it was abolished (codes are reused: read the code as of it)
                    "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
                    **block(counts.get(unit.pk, {})),
                }
            )
    elif by == "field":
        rows = _rows_by_field(period, unit_ids, units)
    else:
        per_level: dict[str, dict[str, int]] = {}
        for unit in units:
            level = str(REPORTING_LEVEL.get(Level(unit.level), unit.level))
            _add(per_level.setdefault(level, {}), counts.get(unit.pk, {}))
        for level in REPORTING_LEVELS:
            if level in per_level:
                rows.append(
                    {"key": level, "name": str(Level(level).label), "level": level, **block(per_level[level])}
                )
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "rows": rows,
        "totals": block(totals),
    }


def _rows_by_field(period: Period, unit_ids: set[int] | None, units: list[Unit]) -> list[dict[str, Any]]:
    """Form II.06a's rows: each reporting level (``kind`` "level", its totals), then the fields (lĩnh vực) of
    the dossiers counted at that level (``kind`` "field", key ``level:field id``), by name."""
    from motcua.catalog.models import Field

    level_of = {u.pk: str(REPORTING_LEVEL.get(Level(u.level), u.level)) for u in units}
    per_level: dict[str, dict[str, int]] = {}
    per_field: dict[str, dict[int, dict[str, int]]] = defaultdict(dict)
    for (unit_id, field_id), unit_counts in report_counts(period, unit_ids, by_field=True).items():
        level = level_of.get(unit_id)
        if level is None:
            continue
        _add(per_level.setdefault(level, {}), unit_counts)
        _add(per_field[level].setdefault(field_id, {}), unit_counts)
    names = dict(
        Field.objects.filter(pk__in={f for fields in per_field.values() for f in fields}).values_list(
            "pk", "name"
        )
    )
    rows: list[dict[str, Any]] = []
    for level in REPORTING_LEVELS:
        if level not in per_level:
            continue
        rows.append(
            {
                "key": level,
                "name": str(Level(level).label),
                "level": level,
                "kind": "level",
                **block(per_level[level]),
            }
        )
        for field_id in sorted(per_field[level], key=lambda f: vi_sort_key(names.get(f, ""))):
            rows.append(
                {
                    "key": f"{level}:{field_id}",
                    "name": names.get(field_id, ""),
                    "level": level,
                    "kind": "field",
                    **block(per_field[level][field_id]),
                }
            )
    return rows


# ------------------------------------------------------------------------------------------ monthly series


def month_periods(date_from: dt.date, date_to: dt.date, kind: str = "calendar") -> list[Period]:
    """``[date_from, date_to]`` cut at month boundaries: one ``Period`` per month it touches; ``kind``
    "official" cuts on the 15th (a month's official period runs from the 15th before it to its 14th)."""
    Period(date_from, date_to)  # validates the order
    periods: list[Period] = []
    start = date_from
    while start <= date_to:
        end = month_period(_month_of(start, kind), kind).end
        periods.append(Period(start, min(date_to, end)))
        start = end + dt.timedelta(days=1)
    return periods


def _month_of(day: dt.date, kind: str) -> dt.date:
    """The first day of the month whose reporting period of ``kind`` holds ``day``."""
    if kind == "official" and day.day >= 15:
        return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return day.replace(day=1)


def _bucket(field: str, bounds: list[dt.datetime], lookup: str = "lt") -> Case:
    """Index ``i`` of the first bound ``field`` is before (``lookup="lte"``: at or before; ``len(bounds)`` when
    none, or when NULL)."""
    return Case(
        *[When(**{f"{field}__{lookup}": bound}, then=Value(i)) for i, bound in enumerate(bounds)],
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


def monthly_series(
    *, date_from: dt.date, date_to: dt.date, unit_ids: Iterable[int] | None = None, kind: str = "calendar"
) -> list[dict[str, Any]]:
    """The monthly report's totals for every month of ``[date_from, date_to]``, in one grouped query.

    Entry ``i`` equals ``monthly_report(date_from=p.start, date_to=p.end, ...)["totals"]`` for the ``i``-th
    period of ``month_periods(date_from, date_to)`` (plus ``"month"``, ``"from"``, ``"to"``), with the same
    definitions: each dossier of the whole window is put in a bucket by the month it was received, ended and
    was statutorily due (``CASE WHEN … < bound``), the query groups by those buckets, channel and
    classification (a few hundred rows at most, whatever the number of dossiers), and Python counts each month
    from the buckets: month ``k`` holds the dossiers received before its end and not ended before its start.
    """
    periods = month_periods(date_from, date_to, kind)
    bounds = [periods[0].start_at, *(p.end_at for p in periods)]
    now = clock.now()
    overdue_at = [min(bound, now) for bound in bounds]  # overdue is judged at a month's end, or now if sooner
    qs = (
        Dossier.objects.order_by()
        .alias(ended=dossier_end())
        .filter(received_at__lt=bounds[-1], ended__gte=bounds[0])
    )
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=sorted(unit_ids))
    rows: Iterable[dict[str, Any]] = (
        qs.annotate(  # type: ignore[assignment]
            received_bucket=_bucket("received_at", bounds),
            ended_bucket=_bucket("ended", bounds),
            due_bucket=_bucket("statutory_due_at", overdue_at),
            paused_bucket=_bucket("paused_at", overdue_at, "lte"),
        )
        .values("received_bucket", "ended_bucket", "due_bucket", "paused_bucket", "channel", "classification")
        .annotate(n=Count("unit"))
    )
    per_month: list[dict[str, int]] = [dict.fromkeys(COUNT_FIELDS, 0) for _p in periods]
    channel_field = {Channel.ONLINE: "online", Channel.COUNTER: "counter", Channel.POST: "post"}
    for row in rows:
        received, ended, due, n = row["received_bucket"], row["ended_bucket"], row["due_bucket"], row["n"]
        paused = row["paused_bucket"]  # paused at bound k iff paused <= k (never paused: len(bounds))
        # bucket k (1..len(periods)) is month k - 1: received < its end, ended ≥ its start
        for k in range(max(received, 1), min(ended, len(periods)) + 1):
            counts = per_month[k - 1]
            if received < k:
                counts["carried_over"] += n
            else:
                counts["new"] += n
                name = channel_field.get(row["channel"])
                if name:
                    counts[name] += n
            if ended == k:
                counts["resolved"] += n
                if row["classification"] == Classification.EARLY:
                    counts["early"] += n
                elif row["classification"] == Classification.LATE:
                    counts["late"] += n
            else:
                counts["in_progress"] += n
                if due <= k and paused > k:  # past_due_q at bound k: due before it, clock not paused by then
                    counts["overdue"] += n
    return [
        {
            "month": f"{_month_of(period.start, kind):%Y-%m}",
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            **block(counts),
        }
        for period, counts in zip(periods, per_month, strict=True)
    ]


def first_received_on() -> dt.date | None:
    """The day (Vietnam) the earliest dossier was received, ``None`` without any (one indexed query)."""
    first = Dossier.objects.filter(received_at__isnull=False).aggregate(first=Min("received_at"))["first"]
    return None if first is None else first.astimezone(VN_TZ).date()


# --- the back-office dashboard of a unit (docs/dashboards.md) ----------------------------------------------
#
# Operational numbers are counted over every dossier (drafts aside) of the unit's sub-tree, for a user who may
# read the unit's statistics (``dashboard_units`` / ``reports.view_unit_report``: the province statistician
# sees the province's live figures without seeing any dossier), with
# the conditions of the work queues (``dossiers.selectors``: ``QUEUES``, ``overdue_q``, ``due_soon_q``,
# ``WORKING_STATES``), so a panel and its queue agree; the month's numbers are the monthly report's. Every
# number is a grouped aggregate: the number of queries does not depend on the number of units or dossiers.

WORKLOAD_DAYS = 30


@dataclass(frozen=True)
class OpenCounts:
    """Dossiers being worked on: how many, how many due within a working day, how many overdue."""

    total: int = 0
    due_soon: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class DashboardSummary:
    in_progress: int  # being worked on (``WORKING_STATES``), supplements and payments included
    processing: int  # queue ``dang-xu-ly``
    due_soon: int  # queue ``sap-den-han``
    overdue: int  # queue ``qua-han``
    awaiting_supplement: int
    awaiting_return: int  # queue ``cho-tra``
    awaiting_check: int  # queue ``truc-tuyen``


@dataclass(frozen=True)
class WorkRow:
    """Open dossiers of one process step (``name``: the step, or the status when there is no step)."""

    name: str
    total: int
    due_soon: int
    overdue: int


@dataclass(frozen=True)
class OfficerRow:
    """Open dossiers of one assignee (``assigned`` False: the row of the dossiers nobody is assigned)."""

    name: str
    assigned: bool
    total: int
    due_soon: int
    overdue: int


@dataclass(frozen=True)
class WorkloadDay:
    day: dt.date
    received: int
    resolved: int


@dataclass(frozen=True)
class SubUnitRow:
    """A unit directly below the dashboard's unit, with everything below it."""

    unit: Unit
    open: OpenCounts
    month: dict[str, Any]  # the monthly report's block of the month so far (``block``)


@dataclass(frozen=True)
class NationalSyncRow:
    """The national-portal synchronisation of a unit's own dossiers, or of a sub-unit with everything below."""

    unit: Unit
    own: bool  # the dashboard unit's own dossiers (not its sub-units')
    sync: UnitSync


@dataclass(frozen=True)
class NationalSyncPanel:
    """The Decision 766 synchronisation indicator of the month so far and the updates waiting now
    (``national_portal.selectors.national_sync_by_unit``), for the unit's sub-tree and per row."""

    total: UnitSync
    rows: list[NationalSyncRow]

    @property
    def shown(self) -> bool:
        return bool(self.total.dossiers or self.total.pending or self.total.parked)


@dataclass(frozen=True)
class DashboardPanels:
    """Every number of the dashboard of ``unit`` as one user sees it."""

    now: dt.datetime
    summary: DashboardSummary
    by_step: list[WorkRow]
    by_officer: list[OfficerRow]
    workload: list[WorkloadDay]
    workload_from: dt.date
    month: dict[str, Any]  # the monthly report's block of the month so far, for the whole sub-tree
    month_period: Period
    sub_units: list[SubUnitRow]
    national_sync: NationalSyncPanel | None = None
    # The month so far's digitisation counts for the sub-tree (``reports.digitisation.DigitisationCounts``).
    digitisation: Any = None


def dashboard_units(user: Any) -> list[Unit]:
    """Units whose dashboard ``user`` may open from the menu: where they lead, keep statistics or administer.

    Superusers: the units at the top of the tree valid today. Leaders reach the units below by drilling down.
    """
    if user.is_superuser:
        return list(Unit.objects.filter(valid_on_q(clock.today()), parent__isnull=True).order_by("code"))
    return list(units_for_user(user, roles=REPORT_ROLES))


def _subtree(unit: Unit) -> tuple[set[int], dict[int, int | None]]:
    """The ids of ``unit`` and every unit below it, and ``id -> parent id`` for them (one query)."""
    parents: dict[int | None, list[int]] = defaultdict(list)
    parent_of: dict[int, int | None] = {}
    for pk, parent_id in Unit.objects.values_list("pk", "parent_id"):
        parents[parent_id].append(pk)
        parent_of[pk] = parent_id
    ids = {unit.pk}
    stack = [unit.pk]
    while stack:
        for child in parents.get(stack.pop(), ()):
            if child not in ids:
                ids.add(child)
                stack.append(child)
    return ids, {pk: parent_of[pk] for pk in ids}


def _branch_of(pk: int, root: int, parent_of: dict[int, int | None]) -> int | None:
    """The direct child of ``root`` on the way up from ``pk`` (``None`` for ``root`` itself)."""
    current: int | None = pk
    while current is not None and parent_of.get(current) != root:
        if current == root:
            return None
        current = parent_of.get(current)
    return current


def _open_counts(dossiers: QuerySet[Dossier], due_soon: Q, overdue: Q, *fields: str) -> list[dict[str, Any]]:
    """Dossiers grouped by ``fields``: how many, how many due within a working day, how many overdue."""
    rows: Any = dossiers.values(*fields).annotate(
        total=Count("pk"), due_soon=Count("pk", filter=due_soon), overdue=Count("pk", filter=overdue)
    )
    return list(rows)


def _digitisation_month(month: Period, scope_ids: set[int]) -> Any:
    """The digitisation panel's counts (three grouped queries; ``reports.digitisation`` builds on this module)."""
    from .digitisation import digitisation_totals

    return digitisation_totals(month, scope_ids)


def dashboard_panels(user: Any, unit: Unit, kind: str = "calendar") -> DashboardPanels:
    """Every number of the dashboard of ``unit`` as seen by ``user`` (a fixed number of queries); the month so
    far is the calendar month or, with ``kind`` "official", the reporting period holding today (15th – 14th)."""
    now = clock.now()
    today = now.astimezone(clock.VN_TZ).date()
    scope_ids, parent_of = _subtree(unit)
    dossiers: QuerySet[Dossier] = (
        Dossier.objects.exclude(status=Status.DRAFT).filter(unit_id__in=sorted(scope_ids)).order_by()
    )
    due_soon = QUEUES["sap-den-han"].condition(user, now)
    overdue = QUEUES["qua-han"].condition(user, now)
    working = Q(status__in=WORKING_STATES)

    summary = DashboardSummary(
        **dossiers.aggregate(
            in_progress=Count("pk", filter=working),
            processing=Count("pk", filter=QUEUES["dang-xu-ly"].condition(user, now)),
            due_soon=Count("pk", filter=due_soon),
            overdue=Count("pk", filter=overdue),
            awaiting_supplement=Count("pk", filter=Q(status=Status.AWAITING_SUPPLEMENT)),
            awaiting_return=Count("pk", filter=QUEUES["cho-tra"].condition(user, now)),
            awaiting_check=Count("pk", filter=QUEUES["truc-tuyen"].condition(user, now)),
        )
    )

    step_counts: dict[str, dict[str, int]] = {}
    for row in _open_counts(dossiers.filter(working), due_soon, overdue, "current_step__name", "status"):
        name = row["current_step__name"] or Status(row["status"]).label
        entry = step_counts.setdefault(name, {"total": 0, "due_soon": 0, "overdue": 0})
        for key in entry:
            entry[key] += row[key]
    by_step = [
        WorkRow(name=k, **v) for k, v in sorted(step_counts.items(), key=lambda kv: (-kv[1]["total"], kv[0]))
    ]

    by_officer = []
    for row in _open_counts(
        dossiers.filter(working),
        due_soon,
        overdue,
        "assignee_id",
        "assignee__full_name",
        "assignee__username",
    ):
        name = row["assignee__full_name"] or row["assignee__username"] or ""
        by_officer.append(
            OfficerRow(
                name=name or _("Chưa phân công"),
                assigned=row["assignee_id"] is not None,
                total=row["total"],
                due_soon=row["due_soon"],
                overdue=row["overdue"],
            )
        )
    by_officer.sort(key=lambda r: (not r.assigned, -r.overdue, -r.total, str(r.name)))

    # Workload: received and resolved (ended, as in the monthly report) per Vietnamese day, last 30 days.
    first_day = today - dt.timedelta(days=WORKLOAD_DAYS - 1)
    window = Period(first_day, today)
    received_per_day = {
        row["day"]: row["n"]
        for row in dossiers.filter(received_at__gte=window.start_at, received_at__lt=window.end_at)
        .annotate(day=TruncDate("received_at", tzinfo=clock.VN_TZ))
        .values("day")
        .annotate(n=Count("pk"))
    }
    resolved_per_day = {
        row["day"]: row["n"]
        for row in dossiers.alias(ended=dossier_end())
        .filter(ended__gte=window.start_at, ended__lt=window.end_at, received_at__isnull=False)
        .annotate(day=TruncDate(dossier_end(), tzinfo=clock.VN_TZ))
        .values("day")
        .annotate(n=Count("pk"))
    }
    workload = []
    for offset in range(WORKLOAD_DAYS):
        day = first_day + dt.timedelta(days=offset)
        workload.append(
            WorkloadDay(day=day, received=received_per_day.get(day, 0), resolved=resolved_per_day.get(day, 0))
        )

    # The month so far, by the monthly report's definitions, for the unit's sub-tree and per sub-unit.
    month = Period(month_period(_month_of(today, kind), kind).start, today)
    counts = report_counts_by_unit(month, scope_ids)
    month_totals: dict[str, int] = defaultdict(int)
    branch_counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pk, unit_counts in counts.items():
        branch = _branch_of(pk, unit.pk, parent_of)
        for name, value in unit_counts.items():
            month_totals[name] += value
            if branch is not None:
                branch_counts[branch][name] += value

    open_per_branch: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in _open_counts(dossiers.filter(working), due_soon, overdue, "unit_id"):
        branch = _branch_of(row["unit_id"], unit.pk, parent_of)
        if branch is not None:
            for key in ("total", "due_soon", "overdue"):
                open_per_branch[branch][key] += row[key]
    children = Unit.objects.filter(pk__in=[pk for pk, parent in parent_of.items() if parent == unit.pk])
    sub_units = []
    for child in children.order_by("code", "valid_from"):
        if not child.is_valid_on(today) and child.pk not in open_per_branch and child.pk not in branch_counts:
            continue
        sub_units.append(
            SubUnitRow(
                unit=child,
                open=OpenCounts(**open_per_branch.get(child.pk, {})),
                month=block(branch_counts.get(child.pk, {})),
            )
        )
    # The national portal's synchronisation this month (Decision 766), per sub-unit branch and in all.
    sync_by_unit = national_sync_by_unit(
        unit_ids=sorted(scope_ids), start=month.start_at, end=month.end_at, now=now
    )
    sync_total = UnitSync(unit_id=unit.pk)
    sync_branch: dict[int, UnitSync] = {}
    for sync in sync_by_unit:
        sync_total = sync_total + sync
        branch_id = _branch_of(sync.unit_id, unit.pk, parent_of)
        branch_key: int = unit.pk if branch_id is None else branch_id
        sync_branch[branch_key] = sync_branch.get(branch_key, UnitSync(unit_id=branch_key)) + sync
    sync_rows = [
        NationalSyncRow(unit=u, own=u.pk == unit.pk, sync=sync_branch.get(u.pk, UnitSync(unit_id=u.pk)))
        for u in [unit, *(row.unit for row in sub_units)]
    ]
    return DashboardPanels(
        now=now,
        summary=summary,
        by_step=by_step,
        by_officer=by_officer,
        workload=workload,
        workload_from=first_day,
        month=block(month_totals),
        month_period=month,
        sub_units=sub_units,
        digitisation=_digitisation_month(month, scope_ids),
        national_sync=NationalSyncPanel(total=sync_total, rows=sync_rows),
    )
