"""API v1: the official forms of a dossier as PDFs, under their stable keys (``form_sets.KIND_OF``): 01–05 (the
2018 numbers; each prints the number and title of the set in force on the dossier's date) and ``05-dung``, Mẫu 05
of Circular 03/2025/TT-VPCP (notice of stopping): 409 ``form_not_in_force`` for a dossier of the 2018 set, 409
``form_not_available`` for a dossier not stopped by the "Dừng xử lý" action.

Same visibility as the dossier API: a dossier outside the caller's scope answers 404 like a missing one.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.access import IsStaffAccount
from motcua.core.errors import NotFound
from motcua.core.http import file_response
from motcua.dossiers.printing import FORMS, dossier_form_render
from motcua.dossiers.selectors import dossier_get_for_user
from motcua.signatures.constants import FORM_OF_ACTION
from motcua.signatures.selectors import signed_form_name

from .dossiers import log_applicant_view

SIGNED_FORMS = frozenset(FORM_OF_ACTION.values())


def form_response(pdf: bytes, *, code: str, form: str, download: bool = False) -> HttpResponse:
    return file_response(
        pdf, filename=f"mau-{form}-{code}.pdf", content_type="application/pdf", inline=not download
    )


class PdfRenderer(BaseRenderer):
    """Lets clients ask for ``Accept: application/pdf``; errors still come as JSON text."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(
        self, data: object, accepted_media_type: str | None = None, renderer_context: object = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class DossierFormApi(APIView):
    permission_classes = [IsStaffAccount]
    renderer_classes = [JSONRenderer, PdfRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        # An error is JSON and says so, even when the client asked for a PDF (?format=pdf, Accept).
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        operation_id="dossiers_form",
        parameters=[OpenApiParameter("form", str, OpenApiParameter.PATH, enum=list(FORMS))],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="the form as a PDF"),
            404: OpenApiResponse(description="no such dossier (or not visible), or no such form"),
            409: OpenApiResponse(
                description="the form does not apply to the dossier yet (code form_not_available), or is not in "
                "the set of forms in force on its date (code form_not_in_force: 05-dung before 2025-07-01)"
            ),
        },
    )
    def get(self, request: Request, code: str, form: str) -> HttpResponse:
        if form not in FORMS:
            raise NotFound(f"Mẫu {form} không tồn tại.", code="unknown_form")
        dossier = dossier_get_for_user(request.user, code)  # type: ignore[arg-type]
        # A form issued to the applicant and signed (02–04, docs/signatures.md) prints as its signed copy.
        signed = signed_form_name(dossier=dossier, form=form) if form in SIGNED_FORMS else None
        if signed:
            with default_storage.open(signed, "rb") as handle:
                pdf = handle.read()
        else:
            pdf = dossier_form_render(dossier=dossier, form=form)
        log_applicant_view(request, dossier, f"In Mẫu {form} của hồ sơ {dossier.code}")
        return form_response(pdf, code=code, form=form)


urlpatterns = [
    path("dossiers/<str:code>/forms/<str:form>.pdf", DossierFormApi.as_view(), name="api-dossier-form"),
]
