"""Payments per month by channel (issue 12, item 9) and the Decision 766 online-payment indicators 3.5 and 3.6.

The counts are the ledger's credits (``payments.statistics``: a credit at its time ``at``, for the dossier's
unit; channels ``online`` gateway, ``bank`` = VietQR / bank statement, ``counter`` = cash). Rows per unit or per
reporting level, one block per calendar month (Vietnam) of the period, and the totals.

766 indicators, over the scope's units and the period:

- **3.5** procedures whose fees were paid online: of the procedures with a version in force on the last day
  charging a fee (``catalog.Fee``, amount > 0), those with at least one gateway credit in the period on one of
  their dossiers ("no data" when the period has no credit at all);
- **3.6** dossiers paid online: of the dossiers with a credit in the period, those with a gateway credit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from motcua.catalog.constants import PublicationStatus
from motcua.catalog.models import Fee, ProcedureVersion
from motcua.core import xlsx
from motcua.core.errors import ValidationFailed
from motcua.core.text import vi_sort_key
from motcua.organisations.constants import REPORTING_LEVEL, Level
from motcua.organisations.models import Unit
from motcua.payments.constants import EntrySource
from motcua.payments.statistics import CHANNEL_LABELS, CHANNELS, credits, credits_by_channel

from .selectors import REPORTING_LEVELS, Period, month_periods, rate, report_scope

PAYMENTS_BY: tuple[str, ...] = ("unit", "level")


def _empty() -> dict[str, dict[str, int]]:
    return {name: {"count": 0, "amount": 0} for name in (*CHANNELS, "total")}


def _add(block: dict[str, dict[str, int]], channel: str, count: int, amount: int) -> None:
    for name in (channel, "total"):
        block[name]["count"] += count
        block[name]["amount"] += amount


def payments_report(
    *, date_from: dt.date, date_to: dt.date, unit_code: str | None = None, by: str = "unit"
) -> dict[str, Any]:
    """``{"from", "to", "unit", "by", "months": [{"month", "rows", "totals"}], "totals"}``; each row and total is
    ``{"online"|"bank"|"counter"|"total": {"count", "amount"}}`` (amounts in VND).

    Raises ``ValidationFailed`` (``invalid_by``) or what ``report_scope`` raises."""
    if by not in PAYMENTS_BY:
        raise ValidationFailed(
            "Tham số 'by' phải là 'unit' hoặc 'level'.", code="invalid_by", details={"by": by}
        )
    period = Period(date_from, date_to)
    unit, unit_ids = report_scope(unit_code, period)
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "unit": None if unit is None else unit.code,
        "by": by,
        **payments_by_channel(period, unit_ids, by),
    }


def payments_by_channel(period: Period, unit_ids: set[int] | None, by: str = "unit") -> dict[str, Any]:
    """``{"months": [...], "totals": {...}}`` of ``payments_report`` for known unit ids (two queries at most)."""
    rows = credits_by_channel(period.start_at, period.end_at, unit_ids)
    units = Unit.objects.in_bulk({r.unit_id for r in rows}) if rows else {}
    per_month: dict[dt.date, dict[str, dict[str, dict[str, int]]]] = defaultdict(dict)
    month_totals: dict[dt.date, dict[str, dict[str, int]]] = defaultdict(_empty)
    totals = _empty()
    for row in rows:
        member = units[row.unit_id]
        level = str(REPORTING_LEVEL.get(Level(member.level), member.level))
        key = member.code if by == "unit" else level
        block = per_month[row.month].setdefault(key, _empty())
        _add(block, row.channel, row.count, row.amount)
        _add(month_totals[row.month], row.channel, row.count, row.amount)
        _add(totals, row.channel, row.count, row.amount)
    names = {u.code: (u.name, str(REPORTING_LEVEL.get(Level(u.level), u.level))) for u in units.values()}
    months = []
    for month_period in month_periods(period.start, period.end):
        month = month_period.start.replace(day=1)
        blocks = per_month.get(month, {})
        if by == "level":
            keys = [level for level in REPORTING_LEVELS if level in blocks]
            month_rows = [{"key": k, "name": str(Level(k).label), "level": k, **blocks[k]} for k in keys]
        else:
            month_rows = [
                {"key": k, "name": names[k][0], "level": names[k][1], **blocks[k]}
                for k in sorted(blocks, key=lambda k: (vi_sort_key(names[k][0]), k))  # Vietnamese order
            ]
        months.append(
            {
                "month": month.strftime("%Y-%m"),
                "rows": month_rows,
                "totals": month_totals.get(month, _empty()),
            }
        )
    return {"months": months, "totals": totals}


def payments_xlsx(report: dict[str, Any]) -> bytes:
    """The payments report as one sheet: a row per month and unit (or level), count and amount per channel."""
    header = ["Tháng", "Mã", "Đơn vị / cấp"]
    for channel in (*CHANNELS, "total"):
        label = CHANNEL_LABELS.get(channel, "Tổng cộng")
        header += [f"{label}: số giao dịch", f"{label}: số tiền (đồng)"]

    def cells(block: dict[str, dict[str, int]]) -> list[int]:
        return [v for ch in (*CHANNELS, "total") for v in (block[ch]["count"], block[ch]["amount"])]

    rows: list[list[Any]] = []
    for month in report["months"]:
        for row in month["rows"]:
            rows.append([month["month"], row["key"], row["name"], *cells(row)])
        rows.append([month["month"], "", "Cộng tháng", *cells(month["totals"])])
    rows.append(["", "", "Tổng cộng", *cells(report["totals"])])
    table = xlsx.Table(
        name="Thanh toán",
        header=header,
        rows=rows,
        preamble=[
            f"Thanh toán phí, lệ phí theo kênh từ {report['from']} đến {report['to']}"
            f", đơn vị {report['unit'] or 'toàn tỉnh'}"
        ],
        bold_last_row=True,
        wrap_header=True,
    )
    return xlsx.xlsx_table(table)


def payment_indicators(period: Period, unit_ids: set[int] | None) -> dict[str, dict[str, Any]]:
    """Decision 766 indicators 3.5 and 3.6 as ``reports.index`` takes them: ``{code: {"rate", "value"}}``."""
    in_period = credits(period.start_at, period.end_at, unit_ids)
    online = in_period.filter(source=EntrySource.GATEWAY)
    day = period.end
    versions = ProcedureVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        Exists(Fee.objects.filter(version_id=OuterRef("pk"), amount_vnd__gt=0)),
        status=PublicationStatus.PUBLISHED,
        valid_from__lte=day,
    )
    if unit_ids is not None:
        versions = versions.filter(units__in=sorted(unit_ids))
    paid_online = online.filter(dossier__procedure_version__procedure_id=OuterRef("procedure_id"))
    procedures = versions.aggregate(
        total=Count("procedure_id", distinct=True),
        paid_online=Count("procedure_id", distinct=True, filter=Q(Exists(paid_online))),
    )
    dossiers = in_period.aggregate(
        paid=Count("dossier_id", distinct=True),
        online=Count("dossier_id", distinct=True, filter=Q(source=EntrySource.GATEWAY)),
    )
    return {
        "3.5": {
            # no credit at all in the period (e.g. legacy data only): no data, not 0
            "rate": rate(int(procedures["paid_online"]), int(procedures["total"]))
            if dossiers["paid"]
            else None,
            "value": {"with_fees": procedures["total"], "paid_online": procedures["paid_online"]},
        },
        "3.6": {
            "rate": rate(int(dossiers["online"]), int(dossiers["paid"])),
            "value": {"dossiers_paid": dossiers["paid"], "paid_online": dossiers["online"]},
        },
    }
