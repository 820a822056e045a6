"""Deadline arithmetic over HTTP: ``GET /api/v1/worktime/due?received=…&limit=…&unit=…[&cutoff=HH:MM]``."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.api.serializers import Serializer
from motcua.worktime.constants import LimitUnit
from motcua.worktime.inputs import parse_due_request
from motcua.worktime.services import get_calendar

_ERROR = inline_serializer(
    "WorktimeError",
    fields={
        "code": serializers.ChoiceField(
            choices=[
                "missing_received",
                "invalid_received",
                "missing_limit",
                "invalid_limit",
                "negative_limit",
                "invalid_unit",
                "invalid_cutoff",
            ]
        ),
        "message": serializers.CharField(),
    },
)


class DueApi(APIView):
    """The due time (ngày hẹn trả) of a receipt instant and a limit, on the installation's calendar."""

    class OutputSerializer(Serializer):
        due = serializers.DateTimeField(help_text="ISO 8601, giờ Việt Nam (+07:00)")

    @extend_schema(
        operation_id="worktime_due",
        summary="Tính ngày hẹn trả kết quả",
        parameters=[
            OpenApiParameter(
                "received",
                OpenApiTypes.STR,
                required=True,
                description="Thời điểm tiếp nhận, ISO 8601 (không có múi giờ: giờ Việt Nam), ví dụ 2023-01-19T10:00",
            ),
            OpenApiParameter("limit", OpenApiTypes.INT, required=True, description="Thời hạn (≥ 0)"),
            OpenApiParameter("unit", OpenApiTypes.STR, enum=LimitUnit.values, required=True),
            OpenApiParameter(
                "cutoff",
                OpenApiTypes.STR,
                required=False,
                description="Giờ chốt cho thời hạn trong ngày, HH:MM",
            ),
        ],
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(_ERROR, description="Tham số không hợp lệ"),
        },
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        due_request = parse_due_request(
            received=params.get("received"),
            limit=params.get("limit"),
            unit=params.get("unit"),
            cutoff=params.get("cutoff"),
        )
        due = due_request.due(get_calendar())
        return Response({"due": due.isoformat()})


urlpatterns = [
    path("worktime/due", DueApi.as_view(), name="api-worktime-due"),
]
