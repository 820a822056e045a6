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
from motcua.worktime.inputs import MAX_LIMIT, parse_due_request
from motcua.worktime.services import get_calendar

# ISO 8601 as parse_received reads it, in the years it supports (1990–2099); naive means Vietnam time.
RECEIVED_PATTERN = (
    r"^(199\d|20\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
    r"([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?)?$"
)

_ERROR = inline_serializer(
    "WorktimeError",
    fields={
        "code": serializers.ChoiceField(
            choices=[
                "malformed_request",  # a NUL character (core middleware), as on every operation
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

    # Its own name: a nested "OutputSerializer" here and in the units API made one schema component "Output".
    class DueOutputSerializer(Serializer):
        due = serializers.DateTimeField(help_text="ISO 8601, giờ Việt Nam (+07:00)")

    @extend_schema(
        operation_id="worktime_due",
        summary="Tính ngày hẹn trả kết quả",
        parameters=[
            OpenApiParameter(
                "received",
                {"type": "string", "pattern": RECEIVED_PATTERN},
                required=True,
                description="Thời điểm tiếp nhận, ISO 8601 (không có múi giờ: giờ Việt Nam), ví dụ 2023-01-19T10:00",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT},
                required=True,
                description="Thời hạn (≥ 0; 0 với same_day)",
            ),
            OpenApiParameter("unit", OpenApiTypes.STR, enum=LimitUnit.values, required=True),
            OpenApiParameter(
                "cutoff",
                {"type": "string", "pattern": r"^(([01]?\d|2[0-3]):[0-5]\d)?$"},
                required=False,
                description="Giờ chốt cho thời hạn trong ngày, HH:MM",
            ),
        ],
        responses={
            200: DueOutputSerializer,
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
