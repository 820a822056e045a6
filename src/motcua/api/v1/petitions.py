"""API v1: petitions and feedback (phản ánh, kiến nghị), docs/petitions.md.

``GET /api/v1/petitions/`` lists what the caller may see: a citizen their own, staff the petitions of the
units where they hold a role (and their own). ``GET /api/v1/petitions/{code}/`` is one of those (404 for any
other). ``POST /api/v1/petitions/`` sends one: logged in, or anonymous with a phone or e-mail to be answered
at. Sending goes through ``petitions.services.petition_submit``, the web form's own service: the same
checks, routing, due time, notifications and throttle (``THROTTLE_PER_HOUR`` a sender address or contact,
answered 429 ``throttled``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.lockout import client_address
from motcua.api import pagination
from motcua.api.errors import error_response
from motcua.api.serializers import Serializer
from motcua.api.v1.common import paginated, query_params
from motcua.core.errors import ValidationFailed
from motcua.petitions.constants import CONTENT_MAX, NAME_MAX, TITLE_MAX, PetitionStatus, Subject
from motcua.petitions.models import Petition
from motcua.petitions.selectors import petitions_visible_to
from motcua.petitions.services import PetitionInput, petition_submit


class PetitionUnitSerializer(Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PetitionSerializer(Serializer):
    code = serializers.CharField(help_text="mã phản ánh (tra cứu cùng số điện thoại hoặc thư điện tử)")
    subject = serializers.ChoiceField(Subject.choices)
    title = serializers.CharField()
    content = serializers.CharField()
    unit = PetitionUnitSerializer(
        help_text="đơn vị xử lý (đơn vị của hồ sơ, đơn vị được chọn, đơn vị thực hiện)"
    )
    dossier_code = serializers.CharField(source="dossier.code", allow_null=True, default=None)
    procedure_code = serializers.CharField(source="procedure.code", allow_null=True, default=None)
    contact_name = serializers.CharField()
    publish_consent = serializers.BooleanField()
    status = serializers.ChoiceField(PetitionStatus.choices)
    submitted_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(help_text="hạn trả lời (số ngày làm việc MOTCUA_PETITION_ANSWER_DAYS)")
    answer = serializers.CharField(allow_blank=True)
    answered_at = serializers.DateTimeField(allow_null=True)


class PetitionInputSerializer(Serializer):
    subject = serializers.ChoiceField(Subject.choices, help_text="phản ánh về: hồ sơ, đơn vị hoặc thủ tục")
    # Not trimmed here: the service trims, and a blank text is its invalid_petition, like every other rule.
    title = serializers.CharField(max_length=TITLE_MAX, trim_whitespace=False)
    content = serializers.CharField(max_length=CONTENT_MAX, trim_whitespace=False)
    contact_name = serializers.CharField(
        max_length=NAME_MAX,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="bắt buộc khi không đăng nhập",
    )
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    dossier_code = serializers.CharField(max_length=64, required=False, allow_blank=True)
    unit_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    procedure_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    publish_consent = serializers.BooleanField(required=False, default=False)


class StatusFilter(Serializer):
    status = serializers.ChoiceField(PetitionStatus.choices, required=False)


def _related(qs: QuerySet[Petition]) -> QuerySet[Petition]:
    return qs.select_related("unit", "dossier", "procedure")


class PetitionListApi(APIView):
    """List the caller's petitions (citizen: own; staff: their units'), or send one."""

    Pagination = pagination.Pagination

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        operation_id="petitions_list",
        summary="Danh sách phản ánh, kiến nghị (công dân: của mình; cán bộ: của đơn vị)",
        parameters=[
            OpenApiParameter("status", str, enum=PetitionStatus.values, required=False),
            pagination.LIMIT,
            pagination.OFFSET,
        ],
        responses={
            200: paginated("PaginatedPetitions", PetitionSerializer(many=True)),
            400: OpenApiResponse(description="invalid_parameters (status), invalid_pagination"),
            401: OpenApiResponse(description="not_authenticated: log in (session) or send an API token"),
        },
    )
    def get(self, request: Request) -> Response:
        params = query_params(StatusFilter, request)
        qs = petitions_visible_to(request.user)
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        qs = _related(qs).order_by("status", "due_at", "pk")
        paginator = self.Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(PetitionSerializer(page, many=True).data)

    @extend_schema(
        operation_id="petitions_create",
        summary="Gửi phản ánh, kiến nghị (đăng nhập, hoặc không đăng nhập kèm số điện thoại / thư điện tử)",
        request=PetitionInputSerializer,
        responses={
            201: PetitionSerializer,
            400: OpenApiResponse(
                description="invalid: the body does not fit this schema; invalid_petition: a rule the schema "
                "cannot write (details: field → Vietnamese message): a title, content or name that is blank, "
                "a contact (phone or e-mail) when anonymous, a well-formed phone or e-mail, and the dossier, "
                "unit or procedure the subject names must exist"
            ),
            429: OpenApiResponse(
                description="throttled: more petitions in the last hour from this address or contact than "
                "the web form allows (THROTTLE_PER_HOUR)"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = PetitionInputSerializer(data=request.data)
        if not serializer.is_valid():
            return error_response("invalid", "Thông tin phản ánh chưa hợp lệ.", 400, serializer.errors)
        try:
            petition = petition_submit(
                data=PetitionInput(**serializer.validated_data),
                user=request.user,
                address=client_address(request._request),
            )
        except ValidationFailed as exc:
            if exc.code == "throttled":
                return error_response(exc.code, exc.message, 429, exc.details)
            return error_response("invalid_petition", exc.message, 400, exc.details)
        petition = _related(Petition.objects.filter(pk=petition.pk)).get()
        return Response(PetitionSerializer(petition).data, status=201)


class PetitionDetailApi(APIView):
    """One petition the caller may read."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="petitions_retrieve",
        summary="Một phản ánh, kiến nghị",
        responses={
            200: PetitionSerializer,
            401: OpenApiResponse(description="not_authenticated"),
            404: OpenApiResponse(description="not_found: no such code, or not the caller's nor their units'"),
        },
    )
    def get(self, request: Request, code: str) -> Response:
        petition = None
        if code.isprintable() and len(code) <= 32:
            petition = _related(petitions_visible_to(request.user)).filter(code=code).first()
        if petition is None:
            return error_response("not_found", "Không tìm thấy phản ánh.", 404)
        return Response(PetitionSerializer(petition).data)


urlpatterns = [
    path("petitions/", PetitionListApi.as_view(), name="api-petitions"),
    path("petitions/<str:code>/", PetitionDetailApi.as_view(), name="api-petition"),
]
