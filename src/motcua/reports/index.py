"""Decision 766/QĐ-TTg service index: the indicators the data supports today (docs/reports.md).

- 2.1 dossiers resolved early or on time: the monthly report's on-time rate;
- 2.2 average resolution time: rate = min(1, average allowed time / average time taken) over the dossiers
  resolved in the period (allowed = statutory due − received; taken = finished − received; calendar time);
- 3.1 procedures with an online service: versions in force on the last day (of the unit's procedures when a
  unit is given) with a full or partial online service / all of them;
- 3.3 online dossier share: new online dossiers / new dossiers (the report's online rate);
- 3.5 and 3.6 procedures and dossiers paid online: ``reports.payment_stats.payment_indicators`` (the ledger);
- 4.2 and 4.3 digitised dossiers and re-used data: ``reports.digitisation.digitisation_indicators``;
- 5.2 petitions answered on time: ``petitions.selectors.answered_on_time`` (answered by the due time / the
  petitions answered or overdue in the period);
- 5.4 satisfaction: no ratings are collected yet, so "no data"; likewise every other indicator.

Score = min(1, rate / threshold) × weight, weights and thresholds from ``IndicatorSetting`` (effective-dated)
or the defaults in ``constants.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q

from motcua.catalog.constants import OnlineMode, PublicationStatus
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import Dossier
from motcua.petitions.selectors import answered_on_time

from .constants import GROUPS, INDICATORS, Indicator
from .digitisation import digitisation_indicators
from .models import IndicatorSetting
from .payment_stats import payment_indicators
from .selectors import Period, rate, report_counts_by_unit, report_scope

NO_DATA = "no_data"
OK = "ok"

# How each indicator's rate is computed (shown with its inputs ``value`` and its ``score``); docs/reports.md §3.
FORMULAS: dict[str, str] = {
    "1.1": "Chưa có dữ liệu: thủ tục được công khai đúng hạn / thủ tục phải công khai",
    "2.1": "Hồ sơ giải quyết trước hạn, đúng hạn / hồ sơ đã giải quyết trong kỳ",
    "2.2": "min(1, thời hạn quy định trung bình / thời gian giải quyết trung bình) của hồ sơ giải quyết trong kỳ",
    "3.1": "Thủ tục có dịch vụ công trực tuyến (toàn trình, một phần) / thủ tục đang áp dụng",
    "3.3": "Hồ sơ tiếp nhận trực tuyến / hồ sơ tiếp nhận mới trong kỳ",
    "3.5": "Thủ tục có phí, lệ phí được nộp qua cổng thanh toán trong kỳ / thủ tục có phí, lệ phí",
    "3.6": "Hồ sơ nộp tiền qua cổng thanh toán / hồ sơ có khoản đã nộp trong kỳ",
    "4.1": "Chưa có dữ liệu: hồ sơ có kết quả giải quyết điện tử / hồ sơ giải quyết",
    "4.2": "Kết quả cấp trong kỳ có thành phần điện tử và kết quả số hóa / kết quả cấp trong kỳ",
    "4.3": "Hồ sơ có thành phần tái sử dụng từ kho dữ liệu / hồ sơ có tệp thành phần",
    "4.5": "Chưa có dữ liệu: hồ sơ có người nộp xác thực bằng VNeID / hồ sơ trực tuyến",
    "5.4": "Chưa có dữ liệu: đánh giá hài lòng / tổng số đánh giá",
}


def indicator_settings(as_of: dt.date) -> dict[str, tuple[Decimal, Decimal]]:
    """``code -> (weight, threshold)`` in force on ``as_of`` (the latest row not after it, else the default)."""
    result = {i.code: (i.weight, i.threshold) for i in INDICATORS}
    seen: set[str] = set()
    for setting in IndicatorSetting.objects.filter(valid_from__lte=as_of).order_by("code", "-valid_from"):
        if setting.code not in seen:
            seen.add(setting.code)
            result[setting.code] = (setting.weight, setting.threshold)
    return result


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000  # SQLite returns microseconds


def _average_time(period: Period, unit_ids: set[int] | None) -> tuple[int, float | None, float | None]:
    qs = Dossier.objects.order_by().filter(
        finished_at__isnull=False,
        statutory_due_at__isnull=False,
        received_at__isnull=False,
        finished_at__gte=period.start_at,
        finished_at__lt=period.end_at,
    )
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=sorted(unit_ids))
    row = qs.aggregate(
        n=Count("pk"),
        taken=Avg(ExpressionWrapper(F("finished_at") - F("received_at"), output_field=DurationField())),
        allowed=Avg(
            ExpressionWrapper(F("statutory_due_at") - F("received_at"), output_field=DurationField())
        ),
    )
    return int(row["n"]), _seconds(row["taken"]), _seconds(row["allowed"])


def _online_procedures(period: Period, unit_ids: set[int] | None) -> tuple[int, int]:
    day = period.end
    qs = ProcedureVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        status=PublicationStatus.PUBLISHED,
        valid_from__lte=day,
    )
    if unit_ids is not None:
        qs = qs.filter(units__in=unit_ids)
    row = qs.aggregate(
        total=Count("procedure_id", distinct=True),
        online=Count("procedure_id", distinct=True, filter=~Q(online_mode=OnlineMode.NONE)),
    )
    return int(row["online"]), int(row["total"])


def _petitions(period: Period, unit_ids: set[int] | None) -> dict[str, Any]:
    on_time, total = answered_on_time(period.start_at, period.end_at, unit_ids)
    return {"rate": rate(on_time, total), "value": {"answered_on_time": on_time, "petitions": total}}


def _entry(indicator: Indicator, weight: Decimal, threshold: Decimal, **data: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": indicator.code,
        "group": indicator.group,
        "name": indicator.name,
        "formula": FORMULAS.get(indicator.code, ""),
        "weight": float(weight),
        "threshold": float(threshold),
        "status": NO_DATA,
        "rate": None,
        "score": None,
        "value": None,
    }
    entry.update(data)
    value_rate = entry["rate"]
    if value_rate is not None:
        entry["status"] = OK
        fraction = min(Decimal(1), Decimal(str(value_rate)) / threshold)
        entry["score"] = float((fraction * weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return entry


def service_index(
    *, date_from: dt.date, date_to: dt.date, unit_code: str | None = None, unit_as_of: dt.date | None = None
) -> dict[str, Any]:
    """The Decision 766 indicators of ``unit_code`` (with sub-units; every unit when empty) for a period
    (``unit_as_of``: the day the code is read at, as in ``report_scope``)."""
    period = Period(date_from, date_to)
    unit, unit_ids = report_scope(unit_code, period, unit_as_of)
    settings = indicator_settings(period.end)
    counts: dict[str, int] = {}
    for unit_counts in report_counts_by_unit(period, unit_ids).values():
        for name, value in unit_counts.items():
            counts[name] = counts.get(name, 0) + value
    resolved, early, late = counts.get("resolved", 0), counts.get("early", 0), counts.get("late", 0)
    new, online = counts.get("new", 0), counts.get("online", 0)
    n_timed, taken, allowed = _average_time(period, unit_ids)
    online_procedures, procedures = _online_procedures(period, unit_ids)

    computed: dict[str, dict[str, Any]] = {
        "2.1": {
            "rate": rate(resolved - late, resolved),
            "value": {"early_or_on_time": resolved - late, "resolved": resolved, "early": early},
        },
        "2.2": {
            "rate": (
                None
                if not n_timed or not taken or allowed is None
                else rate(min(round(allowed), round(taken)), round(taken))
            ),
            "value": {
                "dossiers": n_timed,
                "average_days_taken": None if taken is None else round(taken / 86400, 2),
                "average_days_allowed": None if allowed is None else round(allowed / 86400, 2),
            },
        },
        "3.1": {
            "rate": rate(online_procedures, procedures),
            "value": {"with_online_service": online_procedures, "procedures": procedures},
        },
        "3.3": {"rate": rate(online, new), "value": {"online": online, "new": new}},
        # 3.5 procedures paid online, 3.6 dossiers paid online: the ledger (reports/payment_stats.py).
        **payment_indicators(period, unit_ids),
        # 4.2 digitised dossiers (components and result), 4.3 re-used data: reports/digitisation.py.
        **digitisation_indicators(period, unit_ids),
        # 5.2 petitions answered on time (motcua.petitions, docs/petitions.md).
        "5.2": _petitions(period, unit_ids),
    }
    indicators = []
    for indicator in INDICATORS:
        weight, threshold = settings[indicator.code]
        indicators.append(_entry(indicator, weight, threshold, **computed.get(indicator.code, {})))
    groups = []
    for group in GROUPS:
        members = [i for i in indicators if i["group"] == group.number]
        available = [i for i in members if i["status"] == OK]
        groups.append(
            {
                "group": group.number,
                "name": group.name,
                "maximum": group.maximum,
                "score": round(sum(i["score"] for i in available), 2),
                "available_weight": round(sum(i["weight"] for i in available), 2),
            }
        )
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "unit": None if unit is None else unit.code,
        "indicators": indicators,
        "groups": groups,
        "score": round(sum(g["score"] for g in groups), 2),
        "available_weight": round(sum(g["available_weight"] for g in groups), 2),
        "maximum": sum(g.maximum for g in GROUPS),
    }
