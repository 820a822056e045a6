"""API v1: verifying the digital signatures of a PDF (anyone, no login): ``POST /api/v1/signatures/verify/``."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from motcua.api.errors import error_response
from motcua.core.errors import DomainError
from motcua.signatures.services import outcome_of, public_verify


class SignatureReportSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="the signature field's name")
    kind = serializers.ChoiceField(["signature", "document_timestamp"])
    intact = serializers.BooleanField(help_text="the signed bytes are unchanged (the hash matches)")
    valid = serializers.BooleanField(help_text="the cryptographic signature is correct")
    trusted = serializers.BooleanField(help_text="the chain reaches a configured trust root, not revoked")
    signer = serializers.CharField(help_text="the signing certificate's common name")
    issuer = serializers.CharField(help_text="the issuing CA's common name")
    signed_at = serializers.CharField(allow_null=True, help_text="the signing time the signer claims")
    timestamp = serializers.CharField(allow_null=True, help_text="the trusted timestamp, if any")
    revocation = serializers.ChoiceField(["good", "revoked", "unknown"])
    revoked_at = serializers.CharField(allow_null=True)
    modified_after_signing = serializers.BooleanField(
        help_text="the document was changed after this signature (beyond signatures and validation data)"
    )
    covers_whole_document = serializers.BooleanField()
    modification_level = serializers.CharField(allow_null=True)
    subfilter = serializers.CharField()
    problem = serializers.CharField(help_text="what is wrong, in Vietnamese; empty when nothing is")
    certificate_serial = serializers.CharField()
    chain = serializers.ListField(child=serializers.CharField(), help_text="root first")


class VerifyThrottle(AnonRateThrottle):
    """Verification costs CPU: each address gets ``MOTCUA_SIGNATURE_VERIFY_RATE`` (60/minute by default)."""

    scope = "signature_verify"

    def get_rate(self) -> str:
        from django.conf import settings

        return str(getattr(settings, "MOTCUA_SIGNATURE_VERIFY_RATE", "60/minute"))


class SignatureVerifyApi(APIView):
    """Verify the signatures of an uploaded PDF against the configured trust roots."""

    authentication_classes: list[type] = []  # public, and no CSRF for a plain multipart POST
    permission_classes: list[type] = []
    parser_classes = [MultiPartParser]
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        operation_id="signatures_verify",
        summary="Kiểm tra chữ ký số của tài liệu PDF",
        request={
            "multipart/form-data": inline_serializer(
                "SignatureVerifyInput", {"file": serializers.FileField(help_text="the signed PDF")}
            )
        },
        responses={
            200: inline_serializer(
                "SignatureVerifyResult",
                {
                    "outcome": serializers.ChoiceField(["valid", "invalid", "untrusted"]),
                    "signatures": SignatureReportSerializer(many=True),
                },
            ),
            400: OpenApiResponse(
                description="file_required (no file part), empty_file, not_pdf, unreadable_pdf (broken PDF)"
            ),
            413: OpenApiResponse(description="file_too_large: over MOTCUA_SIGNATURE_VERIFY_MAX_BYTES"),
            422: OpenApiResponse(description="no_signature: a PDF without any signature"),
            429: OpenApiResponse(description="throttled: over MOTCUA_SIGNATURE_VERIFY_RATE from one address"),
        },
        examples=[
            OpenApiExample(
                "valid",
                response_only=True,
                value={
                    "outcome": "valid",
                    "signatures": [
                        {
                            "field": "motcua-chu-ky-1",
                            "kind": "signature",
                            "intact": True,
                            "valid": True,
                            "trusted": True,
                            "signer": "Văn phòng UBND tỉnh",
                            "issuer": "motcua Sandbox Issuing CA",
                            "signed_at": "2026-12-04T22:26:17+07:00",
                            "timestamp": "2026-12-04T22:26:17+07:00",
                            "revocation": "good",
                            "revoked_at": None,
                            "modified_after_signing": False,
                        }
                    ],
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            return error_response("file_required", "Cần gửi tệp PDF trong trường “file”.", 400)
        from django.conf import settings

        data = upload.read(settings.MOTCUA_SIGNATURE_VERIFY_MAX_BYTES + 1)
        try:
            reports = public_verify(data=data)
        except DomainError as exc:
            return error_response(exc.code, exc.message, exc.http_status)
        return Response({"outcome": outcome_of(reports), "signatures": [r.as_dict() for r in reports]})


urlpatterns = [
    path("signatures/verify/", SignatureVerifyApi.as_view(), name="api-signatures-verify"),
]
