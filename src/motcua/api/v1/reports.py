"""Statistics over HTTP: ``GET /api/v1/reports/monthly?from=&to=&unit=&by=`` (form II.06a, docs/reports.md)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.access import IsStaffAccount
from motcua.api.serializers import Serializer
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.reports.rules import can_view_whole_report
from motcua.reports.selectors import BY_CHOICES, Period, monthly_report, report_scope

_ERROR = inline_serializer(
    "ReportError",
    fields={
        "code": serializers.ChoiceField(
            choices=[
                "malformed_request",  # a NUL character (core middleware), as on every operation
                "missing_from",
                "missing_to",
                "invalid_date",
                "invalid_period",
                "invalid_by",
                "invalid_unit",
            ]
        ),
        "message": serializers.CharField(),
        "details": serializers.JSONField(required=False),
    },
)


# The years a report may cover: none of the province's records is older, and the date arithmetic stays in range.
_YEARS = (1990, 2099)


def _counts(name: str, fields: tuple[str, ...]) -> serializers.Serializer:
    return inline_serializer(name, fields={f: serializers.IntegerField() for f in fields})


_BLOCK_FIELDS: dict[str, Any] = {
    "received": _counts("ReportReceived", ("carried_over", "online", "counter", "post", "new", "total")),
    "resolved": _counts("ReportResolved", ("early", "on_time", "late", "total")),
    "in_progress": _counts("ReportInProgress", ("within", "overdue", "total")),
    "on_time_rate": serializers.FloatField(
        allow_null=True, help_text="(trước hạn + đúng hạn) / đã giải quyết"
    ),
    "online_rate": serializers.FloatField(allow_null=True, help_text="trực tuyến / mới tiếp nhận"),
}


class MonthlyReportApi(APIView):
    """The monthly report of a unit and its sub-units (or of every unit)."""

    permission_classes = [IsStaffAccount]

    class InputSerializer(Serializer):
        date_from = serializers.DateField(input_formats=["iso-8601"])
        date_to = serializers.DateField(input_formats=["iso-8601"])
        unit = serializers.CharField(required=False, max_length=32)
        by = serializers.CharField(required=False, default="unit")

    OutputSerializer = inline_serializer(
        "MonthlyReport",
        fields={
            "from": serializers.DateField(),
            "to": serializers.DateField(),
            "rows": inline_serializer(
                "MonthlyReportRow",
                fields={
                    "key": serializers.CharField(help_text="mã đơn vị hoặc cấp"),
                    "name": serializers.CharField(),
                    "level": serializers.ChoiceField(choices=["province", "district", "commune"]),
                    **_BLOCK_FIELDS,
                },
                many=True,
            ),
            "totals": inline_serializer("MonthlyReportTotals", fields=_BLOCK_FIELDS),
        },
    )

    @extend_schema(
        operation_id="reports_monthly",
        summary="Báo cáo tình hình, kết quả giải quyết TTHC (biểu II.06a)",
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, required=True, description="Ngày đầu kỳ (YYYY-MM-DD)"
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, required=True, description="Ngày cuối kỳ, tính cả ngày này"
            ),
            OpenApiParameter(
                "unit", OpenApiTypes.STR, required=False, description="Mã đơn vị (gồm đơn vị cấp dưới)"
            ),
            OpenApiParameter("by", OpenApiTypes.STR, enum=list(BY_CHOICES), required=False),
        ],
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(_ERROR),
            401: OpenApiResponse(description="Cần đăng nhập"),
            403: OpenApiResponse(description="Không có quyền xem thống kê của đơn vị"),
            404: OpenApiResponse(description="Không tìm thấy đơn vị"),
        },
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        for name in ("from", "to"):
            if not params.get(name):
                raise ValidationFailed(
                    _("Thiếu tham số '%(name)s' (YYYY-MM-DD).") % {"name": name}, code=f"missing_{name}"
                )
        serializer = self.InputSerializer(
            data={
                "date_from": params.get("from"),
                "date_to": params.get("to"),
                **({"unit": params["unit"]} if params.get("unit") else {}),
                **({"by": params["by"]} if params.get("by") else {}),
            }
        )
        if not serializer.is_valid():
            errors = serializer.errors
            code = "invalid_date" if ("date_from" in errors or "date_to" in errors) else "invalid_unit"
            raise ValidationFailed(_("Tham số truy vấn không hợp lệ."), code=code, details=errors)
        data = serializer.validated_data
        outside = {
            k: data[k].isoformat()
            for k in ("date_from", "date_to")
            if not _YEARS[0] <= data[k].year <= _YEARS[1]
        }
        if outside:  # 0001-01-01 overflowed the time-zone arithmetic: a 500 (issue 17, schemathesis)
            raise ValidationFailed(
                _("Kỳ báo cáo phải trong các năm %(first)s–%(last)s.")
                % {"first": _YEARS[0], "last": _YEARS[1]},
                code="invalid_date",
                details=outside,
            )
        if data["by"] not in BY_CHOICES:
            raise ValidationFailed(
                _("Tham số 'by' phải là 'unit' hoặc 'level'."), code="invalid_by", details={"by": data["by"]}
            )
        period = Period(data["date_from"], data["date_to"])
        unit, _ids = report_scope(data.get("unit"), period)  # NotFound -> 404 unit_not_found
        allowed = (
            request.user.has_perm("reports.view_unit_report", unit)
            if unit is not None
            else can_view_whole_report(request.user)
        )
        if not allowed:
            raise PermissionDenied(_("Bạn không có quyền xem thống kê của đơn vị này."))
        report = monthly_report(
            date_from=period.start, date_to=period.end, unit_code=data.get("unit"), by=data["by"]
        )
        return Response(report)


urlpatterns = [
    path("reports/monthly", MonthlyReportApi.as_view(), name="api-reports-monthly"),
]
