"""The procedure catalog: ``/api/v1/procedures/``, ``/api/v1/procedures/{code}/`` and ``/api/v1/fields/``."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.api import pagination
from motcua.api.serializers import Serializer
from motcua.api.v1.common import AS_OF, paginated, query_params
from motcua.catalog.constants import OnlineMode
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import fields_list, procedure_get, procedure_search, procedure_version_in_force
from motcua.organisations.constants import Level
from motcua.worktime.constants import LimitUnit

# Query parameter → stable error code when it is invalid.
_PARAM_CODES = {"as_of": "invalid_date", "level": "invalid_level", "online": "invalid_online"}


def time_limit_display(value: int, unit: str) -> str:
    if unit == LimitUnit.SAME_DAY:
        return "Trong ngày"
    return f"{value} {LimitUnit(unit).label}"


class ProcedureTimeLimitSerializer(Serializer):
    """Reads a ``ProcedureVersion``: the legal time limit (value + unit) and its Vietnamese wording."""

    value = serializers.IntegerField(source="time_limit_value")
    unit = serializers.CharField(source="time_limit_unit")
    display = serializers.SerializerMethodField()

    def get_display(self, version: ProcedureVersion) -> str:
        return time_limit_display(version.time_limit_value, version.time_limit_unit)


class ProcedureFieldSerializer(Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProcedureComponentSerializer(Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    count = serializers.IntegerField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    template_file = serializers.CharField()


class ProcedureFeeSerializer(Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    amount_vnd = serializers.IntegerField()
    exemptions = serializers.CharField()


class ProcedureStepSerializer(Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    unit_level = serializers.CharField()
    budget_hours = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)


class ProcedureUnitSerializer(Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProcedureListItemSerializer(Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    field = ProcedureFieldSerializer()
    version = serializers.IntegerField()
    level = serializers.CharField()
    online_mode = serializers.CharField()
    time_limit = ProcedureTimeLimitSerializer()
    fees_total_vnd = serializers.IntegerField()


class ProcedureDetailSerializer(Serializer):
    code = serializers.CharField(source="procedure.code")
    name = serializers.CharField()
    field = ProcedureFieldSerializer(source="procedure.field")
    version = serializers.IntegerField()
    status = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    level = serializers.CharField()
    level_display = serializers.CharField(source="get_level_display")
    implementing_agency = serializers.CharField()
    legal_basis = serializers.CharField()
    time_limit = ProcedureTimeLimitSerializer(source="*")
    online_mode = serializers.CharField()
    online_mode_display = serializers.CharField(source="get_online_mode_display")
    min_eid_level = serializers.IntegerField()
    supplement_rule = serializers.CharField()
    online_fee_percent = serializers.IntegerField(
        help_text="What an online submission pays of each fee, in % (100 full, 0 waived)."
    )
    result_documents = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField()
    fees_total_vnd = serializers.SerializerMethodField()
    units = ProcedureUnitSerializer(many=True)
    components = ProcedureComponentSerializer(many=True)
    fees = ProcedureFeeSerializer(many=True)
    steps = ProcedureStepSerializer(many=True)

    @extend_schema_field(OpenApiTypes.INT)
    def get_fees_total_vnd(self, version: ProcedureVersion) -> int:
        return sum(f.amount_vnd for f in version.fees.all())


class ProcedureListApi(APIView):
    class InputSerializer(Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=200)
        field = serializers.CharField(required=False, max_length=32)
        level = serializers.ChoiceField(choices=Level.choices, required=False)
        online = serializers.ChoiceField(choices=OnlineMode.choices, required=False)
        as_of = serializers.DateField(required=False, input_formats=["iso-8601"])

    OutputSerializer = ProcedureListItemSerializer

    Pagination = pagination.Pagination

    @extend_schema(
        operation_id="procedures_list",
        summary="Tra cứu thủ tục hành chính có hiệu lực tại một ngày",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Tìm theo mã, tên, lĩnh vực (không dấu)"),
            OpenApiParameter("field", OpenApiTypes.STR, description="Mã lĩnh vực"),
            OpenApiParameter("level", OpenApiTypes.STR, enum=Level.values),
            OpenApiParameter("online", OpenApiTypes.STR, enum=OnlineMode.values),
            AS_OF,
            pagination.LIMIT,
            pagination.OFFSET,
        ],
        responses={200: paginated("PaginatedProcedureList", OutputSerializer(many=True))},
    )
    def get(self, request: Request) -> Response:
        params = query_params(self.InputSerializer, request, _PARAM_CODES)
        procedures = procedure_search(
            q=params.get("q", ""),
            field=params.get("field"),
            level=params.get("level"),
            online=params.get("online"),
            as_of=params.get("as_of"),
        )
        paginator = self.Pagination()
        page = paginator.paginate_queryset(procedures, request, view=self) or []
        rows = []
        for procedure in page:
            version = procedure.current_versions[0]  # type: ignore[attr-defined]
            rows.append(
                {
                    "code": procedure.code,
                    "name": procedure.name,
                    "field": procedure.field,
                    "version": version.version,
                    "level": version.level,
                    "online_mode": version.online_mode,
                    "time_limit": version,
                    "fees_total_vnd": sum(f.amount_vnd for f in version.fees.all()),
                }
            )
        return paginator.get_paginated_response(self.OutputSerializer(rows, many=True).data)


class ProcedureDetailApi(APIView):
    class InputSerializer(Serializer):
        as_of = serializers.DateField(required=False, input_formats=["iso-8601"])

    OutputSerializer = ProcedureDetailSerializer

    @extend_schema(
        operation_id="procedures_retrieve",
        summary="Chi tiết thủ tục hành chính (phiên bản có hiệu lực tại một ngày)",
        parameters=[AS_OF],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request, code: str) -> Response:
        params = query_params(self.InputSerializer, request, _PARAM_CODES)
        procedure = procedure_get(code, as_of=params.get("as_of"))
        version = procedure_version_in_force(procedure, as_of=params.get("as_of"))
        return Response(self.OutputSerializer(version).data)


class FieldListApi(APIView):
    @extend_schema(
        operation_id="fields_list",
        summary="Danh sách lĩnh vực",
        responses={200: ProcedureFieldSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(ProcedureFieldSerializer(fields_list(), many=True).data)


urlpatterns = [
    path("procedures/", ProcedureListApi.as_view(), name="procedure-list"),
    path("procedures/<str:code>/", ProcedureDetailApi.as_view(), name="procedure-detail"),
    path("fields/", FieldListApi.as_view(), name="field-list"),
]
