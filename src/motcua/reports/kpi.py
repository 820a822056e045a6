"""The province's monthly figures (issue 15, item 5): ``motcua kpi``, one flat JSON key a figure.

Every figure comes from a definition that already exists elsewhere, never a second copy of its rules:

- ``received_new``, ``carried_over``, ``online_rate_by_level``, ``on_time_rate_by_level``: the monthly report
  (``selectors.monthly_report``, ``by="level"``), so the one classification and the one overdue definition;
- ``services_online_full`` / ``services_online_partial``: procedures with a version in force on the period's
  last day (published) offering a full / partial online service, of the scope's units when a unit is given
  (the same set as Decision 766 indicator 3.1); ``services_connected_national``: of those procedures (any
  mode), the ones connected to the national portal (``Procedure.national_portal_connected``);
- payments: the ledger's credits of the period (``payments.statistics``): ``payments_online_*`` through a
  gateway, ``bank_collection_amount`` from bank statements, ``land_payments_*`` the credits paying land
  financial obligations;
- Project 06: dossiers received in the period of the procedures whose ``Procedure.p06_kind`` says so; the
  activated e-ID accounts also count the citizens who first logged in to motcua with VNeID in the period
  (``identity.IdentityProfile``), for the whole province only (a login belongs to no unit);
- ``results_signed_rate``, ``dossiers_digitised_rate``: the digitisation statistics
  (``digitisation.digitisation_totals``): results signed digitally / results issued, and results with
  electronic components and a digitised result / results issued (Decision 766 indicator 4.2).

``None`` where there is no data: a level without dossiers, no procedure configured for a Project 06 figure,
no ledger entry for the scope's dossiers at all (e.g. legacy data only), no result issued in the period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from motcua.catalog.constants import OnlineMode, P06Kind, PublicationStatus
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.core import xlsx
from motcua.dossiers.models import Dossier
from motcua.identity.models import IdentityProfile
from motcua.organisations.constants import Level
from motcua.payments.models import LedgerEntry
from motcua.payments.statistics import count_and_amount, credits, land_obligation_credits

from .digitisation import digitisation_totals
from .selectors import REPORTING_LEVELS, Period, monthly_report, rate, report_scope

# The keys of the JSON in their stable order (docs/reports.md, "The province's figures").
KPI_KEYS: tuple[str, ...] = (
    "from",
    "to",
    "unit",
    "received_new",
    "carried_over",
    "online_rate_by_level",
    "on_time_rate_by_level",
    "services_online_full",
    "services_online_partial",
    "services_connected_national",
    "payments_online_count",
    "payments_online_amount",
    "bank_collection_amount",
    "land_payments_count",
    "land_payments_amount",
    "p06_chip_id_applications",
    "p06_eid_level1_applications",
    "p06_eid_level2_applications",
    "p06_eid_activated",
    "results_signed_rate",
    "dossiers_digitised_rate",
)

# The e-ID login provider whose first logins count as activated accounts.
VNEID_PROVIDER = "vneid"


def _services(period: Period, unit_ids: set[int] | None) -> dict[str, int | None]:
    day = period.end
    versions = ProcedureVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        status=PublicationStatus.PUBLISHED,
        valid_from__lte=day,
    )
    if unit_ids is not None:
        versions = versions.filter(units__in=sorted(unit_ids))
    row = versions.aggregate(
        total=Count("procedure_id", distinct=True),
        full=Count("procedure_id", distinct=True, filter=Q(online_mode=OnlineMode.FULL)),
        partial=Count("procedure_id", distinct=True, filter=Q(online_mode=OnlineMode.PARTIAL)),
        connected=Count("procedure_id", distinct=True, filter=Q(procedure__national_portal_connected=True)),
    )
    if not row["total"]:
        return dict.fromkeys(
            ("services_online_full", "services_online_partial", "services_connected_national"), None
        )
    return {
        "services_online_full": int(row["full"]),
        "services_online_partial": int(row["partial"]),
        "services_connected_national": int(row["connected"]),
    }


def _payments(period: Period, unit_ids: set[int] | None) -> dict[str, int | None]:
    keys = (
        "payments_online_count",
        "payments_online_amount",
        "bank_collection_amount",
        "land_payments_count",
        "land_payments_amount",
    )
    ledger = LedgerEntry.objects.all()
    if unit_ids is not None:
        ledger = ledger.filter(dossier__unit_id__in=sorted(unit_ids))
    if not ledger.exists():
        return dict.fromkeys(keys, None)
    start, end = period.start_at, period.end_at
    in_period = credits(start, end, unit_ids)
    online_count, online_amount = count_and_amount(in_period.filter(source="gateway"))
    _bank_count, bank_amount = count_and_amount(in_period.filter(source="bank_statement"))
    land_count, land_amount = count_and_amount(land_obligation_credits(start, end, unit_ids))
    return dict(zip(keys, (online_count, online_amount, bank_amount, land_count, land_amount), strict=True))


def _project06(period: Period, unit_ids: set[int] | None, whole_province: bool) -> dict[str, int | None]:
    configured = set(Procedure.objects.exclude(p06_kind="").values_list("p06_kind", flat=True).distinct())
    dossiers = Dossier.objects.order_by().filter(
        received_at__gte=period.start_at,
        received_at__lt=period.end_at,
        procedure_version__procedure__p06_kind__in=sorted(configured),
    )
    if unit_ids is not None:
        dossiers = dossiers.filter(unit_id__in=sorted(unit_ids))
    per_kind = {
        row["procedure_version__procedure__p06_kind"]: int(row["n"])
        for row in dossiers.values("procedure_version__procedure__p06_kind").annotate(n=Count("pk"))
    }

    def figure(kind: str) -> int | None:
        return per_kind.get(kind, 0) if kind in configured else None

    activated = figure(P06Kind.EID_ACTIVATION)
    if whole_province:
        logins = IdentityProfile.objects.filter(provider=VNEID_PROVIDER)
        if activated is not None or logins.exists():
            first_logins = logins.filter(
                created_at__gte=period.start_at, created_at__lt=period.end_at
            ).count()
            activated = (activated or 0) + first_logins
    return {
        "p06_chip_id_applications": figure(P06Kind.CHIP_ID),
        "p06_eid_level1_applications": figure(P06Kind.EID_LEVEL1),
        "p06_eid_level2_applications": figure(P06Kind.EID_LEVEL2),
        "p06_eid_activated": activated,
    }


def province_kpi(*, date_from: dt.date, date_to: dt.date, unit_code: str | None = None) -> dict[str, Any]:
    """The figures of ``[date_from, date_to]`` for ``unit_code`` and its sub-units (every unit without one).

    Raises what ``monthly_report`` raises (``ValidationFailed``, ``NotFound`` ``unit_not_found``).
    """
    report = monthly_report(date_from=date_from, date_to=date_to, unit_code=unit_code, by="level")
    period = Period(date_from, date_to)
    unit, unit_ids = report_scope(unit_code, period)
    levels = {row["key"]: row for row in report["rows"]}
    totals = report["totals"]
    digitisation = digitisation_totals(period, unit_ids)
    whole_province = unit is None or unit.level == Level.PROVINCE
    result: dict[str, Any] = {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "unit": None if unit is None else unit.code,
        "received_new": totals["received"]["new"],
        "carried_over": totals["received"]["carried_over"],
        "online_rate_by_level": {
            level: levels[level]["online_rate"] if level in levels else None for level in REPORTING_LEVELS
        },
        "on_time_rate_by_level": {
            level: levels[level]["on_time_rate"] if level in levels else None for level in REPORTING_LEVELS
        },
        **_services(period, unit_ids),
        **_payments(period, unit_ids),
        **_project06(period, unit_ids, whole_province),
        "results_signed_rate": digitisation.results_signed_rate,
        "dossiers_digitised_rate": rate(digitisation.results_complete, digitisation.results),
    }
    return {key: result[key] for key in KPI_KEYS}


# Vietnamese labels of the spreadsheet's rows.
_LABELS: dict[str, str] = {
    "received_new": "Hồ sơ tiếp nhận mới trong kỳ",
    "carried_over": "Hồ sơ kỳ trước chuyển sang",
    "services_online_full": "Dịch vụ công trực tuyến toàn trình",
    "services_online_partial": "Dịch vụ công trực tuyến một phần",
    "services_connected_national": "Thủ tục kết nối Cổng Dịch vụ công quốc gia",
    "payments_online_count": "Giao dịch thanh toán trực tuyến thành công",
    "payments_online_amount": "Số tiền thanh toán trực tuyến (đồng)",
    "bank_collection_amount": "Số tiền thu hộ qua ngân hàng (đồng)",
    "land_payments_count": "Giao dịch nộp nghĩa vụ tài chính đất đai",
    "land_payments_amount": "Số tiền nghĩa vụ tài chính đất đai (đồng)",
    "p06_chip_id_applications": "Đề án 06: hồ sơ cấp Căn cước công dân gắn chip",
    "p06_eid_level1_applications": "Đề án 06: hồ sơ định danh điện tử mức độ 1",
    "p06_eid_level2_applications": "Đề án 06: hồ sơ định danh điện tử mức độ 2",
    "p06_eid_activated": "Đề án 06: tài khoản định danh điện tử được kích hoạt",
    "results_signed_rate": "Tỷ lệ kết quả được ký số",
    "dossiers_digitised_rate": "Tỷ lệ hồ sơ được số hóa (thành phần và kết quả)",
}
_LEVEL_LABELS = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}


def kpi_xlsx(kpi: dict[str, Any]) -> bytes:
    """The figures as a one-sheet workbook: one row a figure (key, label, value); rates as percentages."""
    rows: list[list[Any]] = []
    for key in KPI_KEYS[3:]:
        value = kpi[key]
        if isinstance(value, dict):
            label = "Tỷ lệ hồ sơ trực tuyến" if key == "online_rate_by_level" else "Tỷ lệ trước hạn, đúng hạn"
            for level, level_value in value.items():
                rows.append([f"{key}.{level}", f"{label} {_LEVEL_LABELS[level]}", level_value])
        else:
            rows.append([key, _LABELS[key], value])
    scope = kpi["unit"] or "toàn tỉnh"
    table = xlsx.Table(
        name="Số liệu",
        header=["Mã", "Chỉ tiêu", "Giá trị"],
        rows=[[k, label, "Không có dữ liệu" if v is None else v] for k, label, v in rows],
        preamble=[f"Số liệu giải quyết thủ tục hành chính từ {kpi['from']} đến {kpi['to']}, đơn vị {scope}"],
        widths=[32, 60, 18],
    )
    return xlsx.xlsx_table(table)
