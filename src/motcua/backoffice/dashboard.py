"""The back-office dashboard of a unit (``/can-bo/thong-ke/``; docs/dashboards.md).

For leaders, statisticians and administrators of a unit (and leaders of a unit above it, who may drill into
the units below): what is due within one working day, what is overdue, work in progress by step and by
officer, received/resolved per day over the last 30 days, the month's on-time rate, and the same per
sub-unit. Operational numbers are counted over ``dossiers_visible_to(user)`` restricted to the unit's
sub-tree, with the conditions of the back-office queues (``queues.py``), so a panel and its queue agree;
the month's on-time rate is the monthly report's (``reports.selectors``). Every number is a grouped
aggregate: the number of queries does not depend on the number of units or dossiers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import QUEUES, WORKING_STATES, dossiers_visible_to
from motcua.organisations.models import Unit
from motcua.organisations.selectors import unit_by_code, units_for_user, valid_on_q
from motcua.reports.rules import REPORT_ROLES
from motcua.reports.selectors import Period, block, dossier_end, rate, report_counts_by_unit

WORKLOAD_DAYS = 30


def dashboard_units(user: Any) -> list[Unit]:
    """Units whose dashboard ``user`` may open from the menu: where they lead, keep statistics or administer.

    Superusers: the units at the top of the tree valid today. Leaders reach the units below by drilling down.
    """
    if user.is_superuser:
        return list(Unit.objects.filter(valid_on_q(clock.today()), parent__isnull=True).order_by("code"))
    return list(units_for_user(user, roles=REPORT_ROLES))


def _rate_display(numerator: int, denominator: int) -> str:
    """The report's rate as "97,7 %" (the active language's decimal mark), "—" without a denominator."""
    value = rate(numerator, denominator)
    if value is None:
        return "—"
    percent = (Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{number_format(percent, decimal_pos=1)} %"


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


def dashboard_data(user: Any, unit: Unit) -> dict[str, Any]:
    """Every number of the dashboard of ``unit`` as seen by ``user`` (a fixed number of queries)."""
    now = clock.now()
    today = now.astimezone(clock.VN_TZ).date()
    scope_ids, parent_of = _subtree(unit)
    dossiers: QuerySet[Dossier] = dossiers_visible_to(user).filter(unit_id__in=sorted(scope_ids)).order_by()
    due_soon = QUEUES["sap-den-han"].condition(user, now)
    overdue = QUEUES["qua-han"].condition(user, now)
    working = Q(status__in=WORKING_STATES)

    summary = dossiers.aggregate(
        in_progress=Count("pk", filter=working),
        processing=Count("pk", filter=QUEUES["dang-xu-ly"].condition(user, now)),
        due_soon=Count("pk", filter=due_soon),
        overdue=Count("pk", filter=overdue),
        awaiting_supplement=Count("pk", filter=Q(status=Status.AWAITING_SUPPLEMENT)),
        awaiting_return=Count("pk", filter=QUEUES["cho-tra"].condition(user, now)),
        awaiting_check=Count("pk", filter=QUEUES["truc-tuyen"].condition(user, now)),
    )

    step_counts: dict[str, dict[str, int]] = {}
    for row in _open_counts(dossiers.filter(working), due_soon, overdue, "current_step__name", "status"):
        name = row["current_step__name"] or Status(row["status"]).label
        entry = step_counts.setdefault(name, {"total": 0, "due_soon": 0, "overdue": 0})
        for key in entry:
            entry[key] += row[key]
    by_step = [
        {"name": k, **v} for k, v in sorted(step_counts.items(), key=lambda kv: (-kv[1]["total"], kv[0]))
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
            {
                "name": name or _("Chưa phân công"),
                "assigned": row["assignee_id"] is not None,
                "total": row["total"],
                "due_soon": row["due_soon"],
                "overdue": row["overdue"],
            }
        )
    by_officer.sort(key=lambda r: (not r["assigned"], -r["overdue"], -r["total"], str(r["name"])))

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
            {"day": day, "received": received_per_day.get(day, 0), "resolved": resolved_per_day.get(day, 0)}
        )

    # The month so far, by the monthly report's definitions, for the unit's sub-tree and per sub-unit.
    month = Period(today.replace(day=1), today)
    counts = report_counts_by_unit(month, scope_ids)
    month_totals: dict[str, int] = defaultdict(int)
    branch_counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pk, unit_counts in counts.items():
        branch = _branch_of(pk, unit.pk, parent_of)
        for name, value in unit_counts.items():
            month_totals[name] += value
            if branch is not None:
                branch_counts[branch][name] += value
    month_block = block(month_totals)

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
        child_block = block(branch_counts.get(child.pk, {}))
        sub_units.append(
            {
                "unit": child,
                "open": dict(open_per_branch.get(child.pk, {"total": 0, "due_soon": 0, "overdue": 0})),
                "month": child_block,
                "on_time_display": _rate_display(
                    child_block["resolved"]["early"] + child_block["resolved"]["on_time"],
                    child_block["resolved"]["total"],
                ),
            }
        )
    return {
        "now": now,
        "summary": summary,
        "by_step": by_step,
        "by_officer": by_officer,
        "workload": workload,
        "workload_from": first_day,
        "month": month_block,
        "month_period": month,
        "month_on_time_display": _rate_display(
            month_block["resolved"]["early"] + month_block["resolved"]["on_time"],
            month_block["resolved"]["total"],
        ),
        "month_online_display": _rate_display(
            month_block["received"]["online"], month_block["received"]["new"]
        ),
        "sub_units": sub_units,
    }


def _workload_chart(workload: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "bar",
        "unit": "count",
        "labels": [f"{row['day']:%d/%m}" for row in workload],
        "datasets": [
            {"label": _("Tiếp nhận"), "color": "secondary", "data": [row["received"] for row in workload]},
            {"label": _("Đã giải quyết"), "color": "primary", "data": [row["resolved"] for row in workload]},
        ],
    }


def _chosen_unit(request: HttpRequest, units: list[Unit]) -> Unit | None:
    """The unit of ``?don_vi=CODE`` (valid today) if the user may read its statistics, else the first unit."""
    code = request.GET.get("don_vi", "").strip()
    if not code:
        return units[0] if units else None
    if len(code) > 32 or "\x00" in code:
        raise Http404
    for unit in units:
        if unit.code == code and unit.is_valid_on(clock.today()):
            return unit
    try:
        unit = unit_by_code(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not request.user.has_perm("reports.view_unit_report", unit):
        raise Http404  # like a code that does not exist: no probing of other units
    return unit


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """``/can-bo/thong-ke/``: the dashboard of one unit (``?don_vi=CODE``), by default the user's first."""
    user: Any = request.user
    units = dashboard_units(user)
    unit = _chosen_unit(request, units)
    if unit is None:
        return render(request, "backoffice/dashboard_forbidden.html", {"nav_active": "dashboard"}, status=403)
    data = dashboard_data(user, unit)
    query = urlencode({"nam": data["month_period"].start.year, "thang": data["month_period"].start.month})
    context = {
        **data,
        "unit": unit,
        "units": units,
        "nav_active": "dashboard",
        "workload_chart": _workload_chart(data["workload"]),
        "queue_urls": {slug.replace("-", "_"): reverse("backoffice:queue", args=[slug]) for slug in QUEUES},
        "statistics_url": reverse("portal:statistics") + f"?{query}&{urlencode({'don_vi': unit.code})}",
        "index_url": reverse("portal:statistics_index") + f"?{query}&{urlencode({'don_vi': unit.code})}",
    }
    response = render(request, "backoffice/dashboard.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
