"""The back-office dashboard of a unit (``/can-bo/thong-ke/``; docs/dashboards.md).

For leaders, statisticians and administrators of a unit (and leaders of a unit above it, who may drill into
the units below): what is due within one working day, what is overdue, work in progress by step and by
officer, received/resolved per day over the last 30 days, the month's on-time rate, and the same per
sub-unit. The numbers are ``reports.selectors.dashboard_panels`` (typed rows, with the work queues'
conditions from ``dossiers.selectors``); this view picks the unit, formats the rates and renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.core import clock, formatting
from motcua.core.errors import NotFound
from motcua.dossiers.selectors import QUEUES
from motcua.organisations.models import Unit
from motcua.organisations.selectors import unit_by_code
from motcua.reports.selectors import PERIOD_KINDS, WorkloadDay, dashboard_panels, dashboard_units

from .digitisation import digitisation_panel
from .payments_panel import payments_panel


def _workload_chart(workload: list[WorkloadDay]) -> dict[str, Any]:
    return {
        "type": "bar",
        "unit": "count",
        "labels": [f"{row.day:%d/%m}" for row in workload],
        "datasets": [
            {"label": _("Tiếp nhận"), "color": "secondary", "data": [row.received for row in workload]},
            {"label": _("Đã giải quyết"), "color": "primary", "data": [row.resolved for row in workload]},
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
    kind = request.GET.get("ky", "calendar")
    kind = kind if kind in PERIOD_KINDS else "calendar"
    panels = dashboard_panels(user, unit, kind)
    month_of = panels.month_period.end  # the reporting month (an official period ends on its month's 14th)
    params: dict[str, str] = {"nam": str(month_of.year), "thang": str(month_of.month)}
    if kind != "calendar":
        params["ky"] = kind
    query = urlencode(params)
    context = {
        "now": panels.now,
        "summary": panels.summary,
        "by_step": panels.by_step,
        "by_officer": panels.by_officer,
        "workload": panels.workload,
        "workload_from": panels.workload_from,
        "month": panels.month,
        "month_period": panels.month_period,
        "period_kind": kind,
        "period_kind_urls": {
            k: "?" + urlencode({"don_vi": unit.code, **({"ky": k} if k != "calendar" else {})})
            for k in PERIOD_KINDS
        },
        "month_on_time_display": formatting.percent(panels.month["on_time_rate"]),
        "month_online_display": formatting.percent(panels.month["online_rate"]),
        "sub_units": [
            {
                "unit": row.unit,
                "open": row.open,
                "month": row.month,
                "on_time_display": formatting.percent(row.month["on_time_rate"]),
            }
            for row in panels.sub_units
        ],
        "national_sync": panels.national_sync,
        "national_sync_rows": [
            {"row": row, "share_display": formatting.percent(row.sync.on_time_share)}
            for row in (panels.national_sync.rows if panels.national_sync else [])
        ],
        "national_sync_share_display": formatting.percent(
            panels.national_sync.total.on_time_share if panels.national_sync else None
        ),
        "unit": unit,
        "units": units,
        "nav_active": "dashboard",
        "workload_chart": _workload_chart(panels.workload),
        "digitisation": digitisation_panel(panels.digitisation),
        "payments": payments_panel(unit, panels.month_period),
        "queue_urls": {slug.replace("-", "_"): reverse("backoffice:queue", args=[slug]) for slug in QUEUES},
        "statistics_url": reverse("portal:statistics") + f"?{query}&{urlencode({'don_vi': unit.code})}",
        "index_url": reverse("portal:statistics_index") + f"?{query}&{urlencode({'don_vi': unit.code})}",
    }
    response = render(request, "backoffice/dashboard.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
