"""``POST /auth/population/lookup/``: a desk officer looks a person up in the population register.

Staff session or API token. Body ``{"id_number", "reason", "full_name"?, "birth_date"?}``; answers the person
(and ``verification``: ``match``/``mismatch`` when a name or birth date was given), 404 ``person_not_found``,
400 without a reason, 403 for anyone who is not a one-stop officer. Every look-up is logged.

Mounted under ``/auth/`` with the login pages, in the ``identity`` URL namespace (``config/urls.py`` joins
``urlpatterns`` below to ``identity.urls``): the identity app itself imports nothing of the API.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.access import IsStaffAccount
from motcua.api.errors import error_response
from motcua.api.serializers import Serializer
from motcua.core.errors import ValidationFailed
from motcua.identity.services import population_lookup


class PopulationLookupApi(APIView):
    permission_classes = [IsStaffAccount]
    # Outside /api/v1/: kept out of the public API schema (``schema = None`` also keeps its path out of
    # drf-spectacular's prefix detection, which would otherwise change every operation's tag).
    schema = None

    class InputSerializer(Serializer):
        id_number = serializers.CharField(max_length=20)
        reason = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
        full_name = serializers.CharField(max_length=200, required=False)
        birth_date = serializers.DateField(required=False)

    class OutputSerializer(Serializer):
        id_number = serializers.CharField()
        full_name = serializers.CharField()
        birth_date = serializers.DateField()
        sex = serializers.CharField()
        permanent_address = serializers.CharField()

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        body = request.data if isinstance(request.data, dict) else {}
        serializer = self.InputSerializer(data=body)
        if not serializer.is_valid():
            if "reason" in serializer.errors or not str(body.get("reason", "")).strip():
                raise ValidationFailed(
                    _("Cần ghi rõ lý do tra cứu thông tin công dân."), code="reason_required"
                )
            raise ValidationFailed(_("Dữ liệu không hợp lệ."), code="invalid", details=serializer.errors)
        data = serializer.validated_data
        outcome = population_lookup(
            officer=request.user,  # type: ignore[arg-type]
            id_number=data["id_number"],
            reason=data["reason"],
            full_name=data.get("full_name"),
            birth_date=data.get("birth_date"),
        )
        if outcome.person is None:
            return error_response(
                "person_not_found",
                _("Không tìm thấy công dân có số định danh này."),
                404,
                {"lookup": outcome.log.pk},
            )
        return Response(
            {
                "person": self.OutputSerializer(outcome.person).data,
                "verification": outcome.verification or None,
                "lookup": outcome.log.pk,
            }
        )


# Joined to ``identity.urls`` (namespace ``identity``) under ``/auth/`` by ``config/urls.py``.
urlpatterns = [
    path("population/lookup/", PopulationLookupApi.as_view(), name="population_lookup"),
]
