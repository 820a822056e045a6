"""Public statistics (no login): the monthly report's numbers by level, by unit and month by month, and the
Decision 766 index (interface layer; docs/dashboards.md).

Every number comes from the report selectors (``motcua.reports.selectors``): ``monthly_report`` for the
period by level and by unit, ``monthly_series`` (one grouped query) for the monthly trend, and
``motcua.reports.index.service_index`` for the 766 page. Only aggregates are shown: no personal data.
Charts are drawn by ``static/js/statistics.js`` from JSON given with ``json_script``; the tables beside them
are the source of truth.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from motcua.core import clock, formatting, xlsx
from motcua.core.errors import NotFound
from motcua.core.http import file_response
from motcua.organisations.constants import REPORTING_LEVEL, Level
from motcua.organisations.models import Unit, UnitSuccession
from motcua.organisations.selectors import unit_ancestor_ids
from motcua.reports import methodology
from motcua.reports.index import NO_DATA, service_index
from motcua.reports.selectors import (
    COUNT_FIELDS,
    REPORTING_LEVELS,
    Period,
    block,
    first_received_on,
    month_period,
    monthly_report,
    monthly_series,
    report_scope,
)

# Reporting levels as shown to readers (translated; the report's own names are the official Vietnamese ones).
LEVEL_LABELS: dict[str, Any] = {
    "province": _("Cấp tỉnh"),
    "district": _("Cấp huyện"),
    "commune": _("Cấp xã"),
}
TREND_MONTHS = 12


def _month_choices() -> list[tuple[str, Any]]:
    return [("", _("Cả năm"))] + [(str(m), _("Tháng %(month)s") % {"month": m}) for m in range(1, 13)]


class StatisticsForm(forms.Form):
    """The period (a year, or a month of it) and the unit being drilled into; bad values fall back."""

    nam = forms.TypedChoiceField(label=_("Năm"), coerce=int)
    thang = forms.TypedChoiceField(label=_("Tháng"), coerce=int, required=False, empty_value=None)
    ky = forms.ChoiceField(
        label=_("Kỳ"),
        required=False,
        choices=[
            ("calendar", _("Tháng dương lịch")),
            ("official", _("Kỳ báo cáo (ngày 15 tháng trước – ngày 14)")),
        ],
    )
    don_vi = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    # the day the unit code is read at: a unit abolished before the period's end (codes are reused)
    ngay = forms.DateField(required=False, widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])
    gop = forms.BooleanField(label=_("Gộp theo đơn vị hiện nay"), required=False)

    def __init__(self, *args: Any, first_year: int, this_year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = [(str(y), str(y)) for y in range(this_year, first_year - 1, -1)]
        self.fields["nam"].choices = years  # type: ignore[attr-defined]
        self.fields["thang"].choices = _month_choices()  # type: ignore[attr-defined]
        self.fields["nam"].widget.attrs["class"] = "usa-select"
        self.fields["thang"].widget.attrs["class"] = "usa-select"
        self.fields["ky"].widget.attrs["class"] = "usa-select"
        self.fields["gop"].widget.attrs["class"] = "usa-checkbox__input"


@dataclass(frozen=True)
class Selection:
    """What the reader asked for: a month (``month`` set) or a whole year, optionally one unit's sub-tree."""

    year: int
    month: int | None
    unit_code: str
    today: dt.date
    # "calendar" months, or "official" reporting periods (Decree 09/2019: the 15th of the previous month to
    # the 14th; a year from 15 December of the year before to 14 December)
    kind: str = "calendar"
    as_of: dt.date | None = None  # the day ``unit_code`` is read at (a unit abolished during the period)
    rollup: bool = False  # units of the time rolled up under today's successors

    @property
    def period(self) -> Period:
        """The period shown, never past today (an unfinished month or year is reported up to today)."""
        if self.month:
            chosen = month_period(dt.date(self.year, self.month, 1), self.kind)
            start, end = chosen.start, chosen.end
        elif self.kind == "official":
            start, end = dt.date(self.year - 1, 12, 15), dt.date(self.year, 12, 14)
        else:
            start, end = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        return Period(start, max(start, min(end, self.today)))

    @property
    def trend(self) -> tuple[dt.date, dt.date]:
        """The months of the trend: the 12 months ending with the chosen month, or the chosen year's months."""
        period = self.period
        if not self.month:
            return period.start, period.end
        first = dt.date(self.year, self.month, 1)
        for _i in range(TREND_MONTHS - 1):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        return month_period(first, self.kind).start, period.end

    def query(self, **extra: str) -> str:
        params = {"nam": str(self.year), "thang": str(self.month or ""), **extra}
        if "ky" not in extra and self.kind != "calendar":
            params["ky"] = self.kind
        if "gop" not in extra and self.rollup:
            params["gop"] = "1"
        if "don_vi" not in extra and "ngay" not in extra and self.as_of:
            params["ngay"] = self.as_of.isoformat()
        if "don_vi" not in extra and self.unit_code:
            params["don_vi"] = self.unit_code
        return urlencode({k: v for k, v in params.items() if v})


def selection_from(request: HttpRequest) -> tuple[Selection, StatisticsForm]:
    """Parse the query string; without (valid) values: the current month, the whole province."""
    today = clock.today()
    first = first_received_on()
    first_year = min(first.year if first else today.year, today.year)
    form = StatisticsForm(request.GET or None, first_year=first_year, this_year=today.year)
    year, unit_code, kind, as_of, rollup = today.year, "", "calendar", None, False
    month: int | None = today.month
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data  # the fields that are valid, each on its own
        if "nam" in data:
            year, month = data["nam"], data.get("thang")
        unit_code = (data.get("don_vi") or "").strip()
        kind = data.get("ky") or "calendar"
        as_of = data.get("ngay") if unit_code else None
        rollup = bool(data.get("gop"))
        if "\x00" in unit_code:
            unit_code = ""
    if not form.is_bound or form.errors:
        form = StatisticsForm(
            initial={
                "nam": year,
                "thang": month or "",
                "don_vi": unit_code,
                "ky": kind,
                "ngay": as_of,
                "gop": rollup,
            },
            first_year=first_year,
            this_year=today.year,
        )
    selection = Selection(
        year=year, month=month, unit_code=unit_code, today=today, kind=kind, as_of=as_of, rollup=rollup
    )
    return selection, form


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def _decorate(row: dict[str, Any]) -> dict[str, Any]:
    row["on_time_display"] = formatting.percent(row["on_time_rate"])
    row["online_display"] = formatting.percent(row["online_rate"])
    return row


def _month_label(iso_month: str) -> str:
    year, month = iso_month.split("-")
    return f"{month}/{year}"


def _breadcrumb(unit: Unit | None, selection: Selection) -> list[dict[str, str]]:
    """Links from the whole province down to ``unit`` (a handful of queries: the tree is shallow)."""
    crumbs = [{"name": str(_("Toàn tỉnh")), "url": "?" + selection.query(don_vi="")}]
    if unit is None:
        return crumbs
    ancestors = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ancestor_ids(unit))}
    chain = [ancestors[pk] for pk in reversed(unit_ancestor_ids(unit)) if pk in ancestors]
    for u in [*chain, unit]:
        crumbs.append({"name": u.name, "url": unit_url(selection, u.code, u.valid_to)})
    return crumbs


def unit_url(selection: Selection, code: str, valid_to: dt.date | str | None) -> str:
    """The page of unit ``code`` for the same period: a unit abolished before the period's end is named with
    its last day (``ngay``), since its code may belong to another unit by then (8707 in 2025)."""
    if isinstance(valid_to, str):
        valid_to = dt.date.fromisoformat(valid_to)
    as_of = valid_to.isoformat() if valid_to and valid_to < selection.period.end else ""
    return "?" + selection.query(don_vi=code, ngay=as_of)


def _raw_counts(row: dict[str, Any]) -> dict[str, int]:
    """The raw counts behind a report block (``reports.selectors.COUNT_FIELDS``)."""
    received, resolved, in_progress = row["received"], row["resolved"], row["in_progress"]
    return {
        "carried_over": received["carried_over"],
        "new": received["new"],
        "online": received["online"],
        "counter": received["counter"],
        "post": received["post"],
        "resolved": resolved["total"],
        "early": resolved["early"],
        "late": resolved["late"],
        "in_progress": in_progress["total"],
        "overdue": in_progress["overdue"],
    }


def rolled_up(rows: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """The by-unit rows of a period rolled up under the units valid ``today`` that carry them on
    (``UnitSuccession``, followed to today): a unit merged into one unit goes under it; one split among
    several goes under their common parent (a district whose communes went to several new communes: the new
    province); a unit closed without a successor stays as it was. Two queries, whatever the number of rows."""
    units = {(u.code, u.valid_to): u for u in Unit.objects.filter(code__in={r["key"] for r in rows})}
    successors: dict[int, list[int]] = {}
    for predecessor, successor in UnitSuccession.objects.values_list("predecessor_id", "successor_id"):
        successors.setdefault(predecessor, []).append(successor)
    every = {u.pk: u for u in Unit.objects.all()}

    def current(pk: int) -> list[Unit]:
        found: dict[int, Unit] = {}
        seen, frontier = {pk}, [pk]
        while frontier:
            nxt = []
            for item in frontier:
                unit = every[item]
                if unit.is_valid_on(today):
                    found[unit.pk] = unit
                    continue
                for child in successors.get(item, []):
                    if child not in seen:
                        seen.add(child)
                        nxt.append(child)
            frontier = nxt
        return list(found.values())

    sums: dict[str, dict[str, int]] = {}
    target_of: dict[str, Unit] = {}
    for row in rows:
        valid_to = dt.date.fromisoformat(row["valid_to"]) if row.get("valid_to") else None
        unit = units.get((row["key"], valid_to))
        targets = current(unit.pk) if unit is not None else []
        if len(targets) > 1:
            parents = {t.parent_id for t in targets}
            parent = every.get(parents.pop()) if len(parents) == 1 else None  # type: ignore[arg-type]
            targets = [parent] if parent is not None else []
        target = targets[0] if targets else unit
        if target is None:
            continue
        key = f"{target.code}@{target.valid_to or ''}"
        target_of[key] = target
        total = sums.setdefault(key, dict.fromkeys(COUNT_FIELDS, 0))
        for name, value in _raw_counts(row).items():
            total[name] += value
    out = []
    for key, counts in sums.items():
        target = target_of[key]
        out.append(
            {
                "key": target.code,
                "name": target.name,
                "level": str(REPORTING_LEVEL.get(Level(target.level), target.level)),
                "valid_to": target.valid_to.isoformat() if target.valid_to else None,
                **block(counts),
            }
        )
    return out


def statistics_data(selection: Selection) -> dict[str, Any]:
    """Every number of the statistics page (and of its Excel export) for ``selection``.

    Raises ``NotFound`` (``unit_not_found``) when no unit carries the code on the period's last day.
    """
    period = selection.period
    unit, unit_ids = report_scope(selection.unit_code or None, period, selection.as_of)
    code = unit.code if unit else None
    as_of = unit.valid_to if unit and unit.valid_to and unit.valid_to < period.end else None
    by_level = monthly_report(
        date_from=period.start, date_to=period.end, unit_code=code, by="level", unit_as_of=as_of
    )
    by_unit = monthly_report(
        date_from=period.start, date_to=period.end, unit_code=code, by="unit", unit_as_of=as_of
    )
    if selection.rollup:
        by_unit["rows"] = rolled_up(by_unit["rows"], selection.today)
    trend_from, trend_to = selection.trend
    series = monthly_series(date_from=trend_from, date_to=trend_to, unit_ids=unit_ids, kind=selection.kind)
    for row in by_level["rows"]:
        row["label"] = LEVEL_LABELS.get(row["key"], row["name"])
        _decorate(row)
    for row in by_unit["rows"]:
        row["level_label"] = LEVEL_LABELS.get(row["level"], row["level"])
        # rolled up, the rows are today's units, which did not exist in the period: no page of theirs for it
        row["url"] = "" if selection.rollup else unit_url(selection, row["key"], row.get("valid_to"))
        _decorate(row)
    for month in series:
        month["label"] = _month_label(month["month"])
        _decorate(month)
    _decorate(by_level["totals"])
    return {
        "period": period,
        "unit": unit,
        "by_level": by_level,
        "by_unit": by_unit,
        "series": series,
        "totals": by_level["totals"],
        # the page lists the units with dossiers in the period; the Excel export lists every unit (the form)
        "units_shown": [r for r in by_unit["rows"] if r["received"]["total"]],
        "units_hidden": sum(1 for r in by_unit["rows"] if not r["received"]["total"]),
    }


def _rate_datasets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The on-time and online rates (%) of ``rows`` (levels or months) as two Chart.js datasets."""
    return [
        {
            "label": str(_("Tỷ lệ đúng hạn (%)")),
            "color": "primary",
            "data": [_percent(r["on_time_rate"]) for r in rows],
        },
        {
            "label": str(_("Tỷ lệ trực tuyến (%)")),
            "color": "secondary",
            "data": [_percent(r["online_rate"]) for r in rows],
        },
    ]


def _charts(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Chart.js specifications for ``static/js/statistics.js`` (percentages and counts, no personal data)."""
    levels = [r for r in data["by_level"]["rows"] if r["key"] in REPORTING_LEVELS]
    series = data["series"]
    months = [_month_label(m["month"]) for m in series]
    return {
        "levels": {
            "type": "bar",
            "unit": "percent",
            "labels": [str(r["label"]) for r in levels],
            "datasets": _rate_datasets(levels),
        },
        "trend_rates": {
            "type": "line",
            "unit": "percent",
            "labels": months,
            "datasets": _rate_datasets(series),
        },
        "trend_counts": {
            "type": "bar",
            "unit": "count",
            "labels": months,
            "datasets": [
                {
                    "label": str(_("Tiếp nhận mới")),
                    "color": "secondary",
                    "data": [m["received"]["new"] for m in series],
                },
                {
                    "label": str(_("Đã giải quyết")),
                    "color": "primary",
                    "data": [m["resolved"]["total"] for m in series],
                },
            ],
        },
    }


def _period_label(selection: Selection) -> str:
    period = selection.period
    return f"{formatting.day(period.start)} – {formatting.day(period.end)}"


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """``/thong-ke/``: on-time and online rates by level and by unit, and the monthly trend."""
    selection, form = selection_from(request)
    context: dict[str, Any] = {
        "form": form,
        "selection": selection,
        "period_label": _period_label(selection),
        "nav_active": "statistics",
    }
    try:
        data = statistics_data(selection)
    except NotFound as exc:
        context.update(unit_error=exc.message, breadcrumb=_breadcrumb(None, selection))
        return render(request, "portal/statistics.html", context, status=404)
    context.update(
        data,
        charts=_charts(data),
        breadcrumb=_breadcrumb(data["unit"], selection),
        export_url=reverse("portal:statistics_xlsx") + "?" + selection.query(),
        index_url=reverse("portal:statistics_index") + "?" + selection.query(),
        drill_query=selection.query(don_vi=""),
    )
    return render(request, "portal/statistics.html", context)


EXPORT_HEADERS = (
    "Tổng số tiếp nhận",
    "Từ kỳ trước chuyển qua",
    "Mới tiếp nhận",
    "Trực tuyến",
    "Trực tiếp",
    "Bưu chính",
    "Đã giải quyết",
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Đang giải quyết",
    "Trong hạn",
    "Quá hạn",
    "Tỷ lệ đúng hạn",
    "Tỷ lệ trực tuyến",
)


def _numbers(row: dict[str, Any]) -> list[Any]:
    received, resolved, in_progress = row["received"], row["resolved"], row["in_progress"]
    return [
        received["total"],
        received["carried_over"],
        received["new"],
        received["online"],
        received["counter"],
        received["post"],
        resolved["total"],
        resolved["early"],
        resolved["on_time"],
        resolved["late"],
        in_progress["total"],
        in_progress["within"],
        in_progress["overdue"],
        row["on_time_rate"],
        row["online_rate"],
    ]


def statistics_workbook(data: dict[str, Any], *, title: str, period_label: str) -> bytes:
    """The page's three tables as an .xlsx: by level, by unit, by month (numbers stay numbers)."""
    sheets: list[tuple[str, list[str], list[tuple[list[Any], dict[str, Any]]]]] = [
        (
            "Theo cap",
            ["Cấp"],
            [([str(r["label"])], r) for r in data["by_level"]["rows"]],
        ),
        (
            "Theo don vi",
            ["Mã đơn vị", "Đơn vị", "Cấp"],
            [([r["key"], r["name"], str(r["level_label"])], r) for r in data["by_unit"]["rows"]],
        ),
        (
            "Theo thang",
            ["Tháng", "Từ ngày", "Đến ngày"],
            [([_month_label(m["month"]), m["from"], m["to"]], m) for m in data["series"]],
        ),
    ]
    tables = []
    for name, keys, rows in sheets:
        body = [[*key_cells, *_numbers(row)] for key_cells, row in rows]
        totals = name != "Theo thang"
        if totals:
            body.append(["Tổng cộng", *([""] * (len(keys) - 1)), *_numbers(data["totals"])])
        header = [*keys, *EXPORT_HEADERS]
        rates = (len(header) - 2, len(header) - 1)
        tables.append(
            xlsx.Table(
                name=name,
                preamble=[title, f"Kỳ: {period_label}"],
                header=header,
                rows=body,
                widths=[32 if h == "Đơn vị" else 13 for h in header],
                formats=dict.fromkeys(rates, xlsx.PERCENT_FORMAT),
                freeze_columns=len(keys),
                bold_last_row=totals,
                wrap_header=True,
            )
        )
    return xlsx.xlsx_tables(tables)


@require_GET
def statistics_xlsx(request: HttpRequest) -> HttpResponse:
    """``/thong-ke/xlsx/``: what ``/thong-ke/`` shows for the same query string, as an Excel workbook."""
    selection, _form = selection_from(request)
    try:
        data = statistics_data(selection)
    except NotFound as exc:
        return HttpResponse(exc.message, status=404, content_type="text/plain; charset=utf-8")
    unit = data["unit"]
    title = "Thống kê kết quả giải quyết thủ tục hành chính — " + (unit.name if unit else "Toàn tỉnh")
    content = statistics_workbook(data, title=title, period_label=_period_label(selection))
    period = selection.period
    suffix = f"-{unit.code}" if unit else ""
    filename = f"thong-ke-{period.start:%Y%m%d}-{period.end:%Y%m%d}{suffix}.xlsx"
    # Public figures: cacheable like the page they export.
    return file_response(content, filename=filename, content_type=xlsx.CONTENT_TYPE, cache_control=None)


@require_GET
def statistics_index(request: HttpRequest) -> HttpResponse:
    """``/thong-ke/chi-so-766/``: the Decision 766 index of the period under the methodology version in force:
    each group and indicator with its formula, inputs, points and score; ``theo=cap``: also the score of each
    level (docs/reports.md §3)."""
    selection, form = selection_from(request)
    period = selection.period
    by_level = request.GET.get("theo") == "cap"
    query = selection.query()
    context: dict[str, Any] = {
        "form": form,
        "selection": selection,
        "period_label": _period_label(selection),
        "nav_active": "statistics",
        "statistics_url": reverse("portal:statistics") + "?" + query,
        "by_level_url": reverse("portal:statistics_index") + "?" + query + ("" if by_level else "&theo=cap"),
        "by_level": by_level,
    }
    try:
        index = service_index(
            date_from=period.start,
            date_to=period.end,
            unit_code=selection.unit_code or None,
            unit_as_of=selection.as_of,
            by="level" if by_level else None,
        )
    except NotFound as exc:
        context["unit_error"] = exc.message
        return render(request, "portal/statistics_index.html", context, status=404)
    groups = []
    for group in index["groups"]:
        indicators = []
        for indicator in index["indicators"]:
            if indicator["group"] != group["group"]:
                continue
            indicators.append(
                {
                    **indicator,
                    "rate_display": formatting.percent(indicator["rate"]),
                    "threshold_display": formatting.percent(indicator["threshold"]),
                    "no_data": indicator["status"] == NO_DATA,
                    "sources": [
                        {"id": key, **methodology.sources().get(key, {})} for key in indicator["source"]
                    ],
                }
            )
        groups.append({**group, "indicators": indicators})
    unit = None
    if selection.unit_code:
        unit = report_scope(selection.unit_code, period, selection.as_of)[0]
    used = sorted({key for i in index["indicators"] for key in i["source"]} | set(index["version"]["source"]))
    context.update(
        index=index,
        groups=groups,
        unit=unit,
        rows=index.get("rows", []),
        sources=[{"id": key, **methodology.sources()[key]} for key in used if key in methodology.sources()],
    )
    return render(request, "portal/statistics_index.html", context)
