"""Units of the organisation tree, as of a date: ``/api/v1/units/`` and ``/api/v1/units/{code}/``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.api import pagination
from motcua.api.serializers import Serializer
from motcua.api.v1.common import AS_OF, paginated, query_params
from motcua.core import clock
from motcua.core.text import fold
from motcua.organisations.constants import Level
from motcua.organisations.selectors import (
    unit_by_code,
    unit_predecessors,
    unit_successors,
    units_valid_on,
)

# Query parameter → stable error code when it is invalid.
_PARAM_CODES = {"as_of": "invalid_date"}


class UnitRefSerializer(Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)


class UnitOutputSerializer(Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    level_display = serializers.CharField(source="get_level_display")
    division_type = serializers.CharField()
    parent_code = serializers.SerializerMethodField()
    agency_code = serializers.CharField()
    has_one_stop_desk = serializers.BooleanField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)

    def get_parent_code(self, unit: Any) -> str | None:
        return unit.parent.code if unit.parent_id is not None else None


class UnitListApi(APIView):
    class InputSerializer(Serializer):
        as_of = serializers.DateField(required=False, input_formats=["iso-8601"])
        level = serializers.ChoiceField(choices=Level.choices, required=False)
        # the metaclass moves declared fields off the class, so "parent" does not shadow Field.parent
        # Blank (or only spaces/newlines) means "not given", as the schema's plain string allows (issue 17).
        parent = serializers.CharField(required=False, allow_blank=True, max_length=32)  # type: ignore[assignment]
        q = serializers.CharField(required=False, allow_blank=True, max_length=200)

    Pagination = pagination.Pagination

    @extend_schema(
        operation_id="units_list",
        summary="Danh sách đơn vị có hiệu lực tại một ngày",
        parameters=[
            AS_OF,
            OpenApiParameter("level", OpenApiTypes.STR, enum=Level.values, required=False),
            OpenApiParameter(
                "parent",
                {"type": "string", "maxLength": 32},
                description="Mã đơn vị cấp trên",
                required=False,
            ),
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": 200},
                description="Tìm theo mã hoặc tên, không dấu",
                required=False,
            ),
            pagination.LIMIT,
            pagination.OFFSET,
        ],
        responses={200: paginated("PaginatedUnitList", UnitOutputSerializer(many=True))},
    )
    def get(self, request: Request) -> Response:
        params = query_params(self.InputSerializer, request, _PARAM_CODES)
        units = units_valid_on(params.get("as_of") or clock.today(), level=params.get("level"))
        units = units.select_related("parent")
        if params.get("parent"):
            units = units.filter(parent__code=params["parent"])
        if params.get("q"):
            q = params["q"].strip()
            units = units.filter(Q(code__istartswith=q) | Q(name_folded__contains=fold(q)))
        paginator = self.Pagination()
        page = paginator.paginate_queryset(units, request, view=self)
        return paginator.get_paginated_response(UnitOutputSerializer(page, many=True).data)


class UnitDetailApi(APIView):
    class InputSerializer(Serializer):
        as_of = serializers.DateField(required=False, input_formats=["iso-8601"])

    class OutputSerializer(UnitOutputSerializer):
        predecessors = UnitRefSerializer(many=True)
        successors = UnitRefSerializer(many=True)

    @extend_schema(
        operation_id="units_retrieve",
        summary="Đơn vị mang mã này tại một ngày",
        parameters=[AS_OF],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request, code: str) -> Response:
        params = query_params(self.InputSerializer, request, _PARAM_CODES)
        unit = unit_by_code(code, as_of=params.get("as_of"))
        unit.predecessors = unit_predecessors(unit)  # type: ignore[attr-defined]
        unit.successors = unit_successors(unit)  # type: ignore[attr-defined]
        return Response(self.OutputSerializer(unit).data)


urlpatterns = [
    path("units/", UnitListApi.as_view(), name="api-units-list"),
    path("units/<str:code>/", UnitDetailApi.as_view(), name="api-units-detail"),
]
