"""API v1: a dossier's payments (open one, list them) and the VNPay IPN (docs/payments.md).

The staff API (``IsStaffAccount``: a citizen's session gets 403, issue 17; citizens pay from "Hồ sơ của tôi",
``portal.my_dossiers.my_dossier_pay``). Visibility as for the dossier (``dossiers.selectors``): a dossier
outside the caller's scope answers 404 like a missing one. Cash is recorded by an officer of the dossier's
unit (403 otherwise). The IPN is VNPay's server-to-server call: no login, always
HTTP 200 with ``{"RspCode", "Message"}``; its signature is the authentication.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.access import IsStaffAccount
from motcua.accounts.lockout import client_address
from motcua.api import pagination
from motcua.api.serializers import Serializer
from motcua.api.v1.common import paginated
from motcua.dossiers.selectors import dossier_get_for_user
from motcua.payments.constants import Method, PaymentStatus
from motcua.payments.contrib.vietqr import collection_account, payload_for
from motcua.payments.models import LedgerEntry, Payment
from motcua.payments.selectors import dossier_ledger, dossier_payments
from motcua.payments.services import charge_add, exemption_grant, payment_create, vnpay_ipn

ERROR = inline_serializer(
    "PaymentError",
    {"code": serializers.CharField(), "message": serializers.CharField(), "details": serializers.JSONField()},
)


class PaymentOutput(Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    method = serializers.CharField()
    amount = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    settled_at = serializers.DateTimeField(allow_null=True)
    pay_url = serializers.SerializerMethodField()

    def get_pay_url(self, obj: Payment) -> str | None:
        """Where to pay: only while a gateway order is open."""
        return obj.pay_url if obj.status == PaymentStatus.PENDING and obj.pay_url else None

    vietqr = serializers.SerializerMethodField(
        help_text="A VietQR order while it waits for the transfer: the EMVCo payload to render as a QR code "
        "(amount, purpose = reference) and the collection account; null otherwise."
    )

    @extend_schema_field(
        inline_serializer(
            "VietqrOrder",
            {
                "payload": serializers.CharField(),
                "bank_bin": serializers.CharField(),
                "account": serializers.CharField(),
                "account_name": serializers.CharField(),
                "amount": serializers.IntegerField(),
                "purpose": serializers.CharField(),
            },
            allow_null=True,
        )
    )
    def get_vietqr(self, obj: Payment) -> dict[str, Any] | None:
        if obj.method != Method.VIETQR or obj.status != PaymentStatus.PENDING:
            return None
        account = collection_account()
        return {
            "payload": payload_for(obj),
            "bank_bin": account.bank_bin,
            "account": account.account,
            "account_name": account.account_name,
            "amount": int(obj.amount),
            "purpose": obj.reference,
        }


class DossierPaymentsApi(APIView):
    permission_classes = [IsStaffAccount]

    class PaymentInput(Serializer):
        method = serializers.ChoiceField(choices=Method.choices)
        amount = serializers.IntegerField(
            required=False, min_value=1, help_text="VND; default: all that is due"
        )
        payer_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="dossier_payments_list",
        parameters=[pagination.LIMIT, pagination.OFFSET],
        responses={200: paginated("PaymentPage", PaymentOutput(many=True))},
    )
    def get(self, request: Request, code: str) -> Response:
        dossier = dossier_get_for_user(request.user, code, detail=False)  # type: ignore[arg-type]
        paginator = pagination.Pagination()
        page = paginator.paginate_queryset(dossier_payments(dossier), request, view=self)
        return paginator.get_paginated_response(PaymentOutput(page, many=True).data)

    @extend_schema(
        operation_id="dossier_payments_create",
        description=(
            "Open a payment of what the dossier owes (or `amount` of it). `vnpay`: a pending order; pay at "
            "`pay_url` before `expires_at` (the IPN settles it). `vietqr`: a pending transfer order whose `vietqr` "
            "holds the QR payload (settled by the bank statement import). `cash`: recorded at once by an officer of the "
            "dossier's unit. 409 `nothing_due` when nothing is owed, `dossier_not_payable` for a closed dossier; "
            "400 `amount_exceeds_balance`, `method_unavailable`."
        ),
        request=PaymentInput,
        responses={201: PaymentOutput, 409: ERROR},
    )
    def post(self, request: Request, code: str) -> Response:
        dossier = dossier_get_for_user(request.user, code, detail=False)  # type: ignore[arg-type]
        data = self.PaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        payment = payment_create(
            dossier=dossier,
            actor=request.user,  # type: ignore[arg-type]
            method=values["method"],
            amount=values.get("amount"),
            payer_name=values["payer_name"],
            client_ip=client_address(request),
        )
        return Response(PaymentOutput(payment).data, status=status.HTTP_201_CREATED)


class LedgerEntryOutput(Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    amount = serializers.IntegerField(help_text="VND, signed: + owed more, − owed less")
    name = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    source_reference = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.username", allow_null=True, default=None)
    payment = serializers.CharField(source="payment.reference", allow_null=True, default=None)
    due_date = serializers.DateField(allow_null=True)
    note = serializers.CharField()


class DossierLedgerApi(APIView):
    """The dossier's ledger (every charge, payment, refund and adjustment, oldest first)."""

    permission_classes = [IsStaffAccount]

    @extend_schema(
        operation_id="dossier_ledger_list",
        parameters=[pagination.LIMIT, pagination.OFFSET],
        responses={200: paginated("LedgerPage", LedgerEntryOutput(many=True))},
    )
    def get(self, request: Request, code: str) -> Response:
        dossier = dossier_get_for_user(request.user, code, detail=False)  # type: ignore[arg-type]
        paginator = pagination.Pagination()
        entries = dossier_ledger(dossier).select_related("payment")
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(LedgerEntryOutput(page, many=True).data)


class DossierChargeApi(APIView):
    """An officer adds a charge (e.g. land financial obligations with the tax notice's number and due date)."""

    permission_classes = [IsStaffAccount]

    class ChargeInput(Serializer):
        name = serializers.CharField(max_length=500)
        amount = serializers.IntegerField(min_value=1, help_text="VND")
        reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
        due_date = serializers.DateField(required=False, allow_null=True, default=None)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="dossier_charges_create",
        description="409 `charge_exists` when the notice `reference` was charged already, `dossier_not_payable`.",
        request=ChargeInput,
        responses={201: LedgerEntryOutput, 409: ERROR},
    )
    def post(self, request: Request, code: str) -> Response:
        dossier = dossier_get_for_user(request.user, code, detail=False)  # type: ignore[arg-type]
        data = self.ChargeInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry: LedgerEntry = charge_add(dossier=dossier, actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(LedgerEntryOutput(entry).data, status=status.HTTP_201_CREATED)


class DossierExemptionApi(APIView):
    """An officer or leader exempts the applicant from (part of) one charge, with a reason."""

    permission_classes = [IsStaffAccount]

    class ExemptionInput(Serializer):
        charge = serializers.IntegerField(help_text="the charge's ledger entry id")
        amount = serializers.IntegerField(min_value=1, required=False, help_text="VND; default: all of it")
        reason = serializers.CharField(max_length=2000)

    @extend_schema(
        operation_id="dossier_exemptions_create",
        description="409 `exemption_exists` when the charge was exempted already.",
        request=ExemptionInput,
        responses={201: LedgerEntryOutput, 409: ERROR},
    )
    def post(self, request: Request, code: str) -> Response:
        dossier = dossier_get_for_user(request.user, code, detail=False)  # type: ignore[arg-type]
        data = self.ExemptionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        entry = exemption_grant(
            dossier=dossier,
            actor=request.user,  # type: ignore[arg-type]
            charge_id=values["charge"],
            reason=values["reason"],
            amount=values.get("amount"),
        )
        return Response(LedgerEntryOutput(entry).data, status=status.HTTP_201_CREATED)


class VnpayIpnApi(APIView):
    """VNPay's IPN (``GET``, signed query): the only call that changes a VNPay payment."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        operation_id="payments_vnpay_ipn",
        description=(
            "VNPay 2.1.0 IPN. Always HTTP 200; `RspCode`: 97 bad signature, 01 order not found, 04 amount "
            "mismatch, 02 already confirmed, 00 confirmed (a failure too), 99 unexpected error."
        ),
        # Not required: an IPN without a signature is answered like a wrong one (HTTP 200, RspCode 97).
        parameters=[OpenApiParameter("vnp_SecureHash", str, required=False)],
        responses={
            200: inline_serializer(
                "VnpayIpnAnswer", {"RspCode": serializers.CharField(), "Message": serializers.CharField()}
            )
        },
    )
    def get(self, request: Request) -> Response:
        code, message = vnpay_ipn(params={str(k): str(v) for k, v in request.query_params.items()})
        return Response({"RspCode": code, "Message": message})

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """A GET is answered without DRF's request wrapping, negotiation and rendering (issue 12, item 11: half
        of VNPay's notices are retries answered 02, and this one signed server-to-server call needs none of
        it: no authentication, no permission, no throttle, always 200). The same answer, byte for byte, as
        ``get`` (documented from it): compact JSON. Other methods go through DRF (405, OPTIONS)."""
        if request.method != "GET":
            return super().dispatch(request, *args, **kwargs)
        code, message = vnpay_ipn(params={str(k): str(v) for k, v in request.GET.items()})
        return JsonResponse(
            {"RspCode": code, "Message": message},
            json_dumps_params={"separators": (",", ":"), "ensure_ascii": False},
        )


class PaygovNotifyApi(APIView):
    """The national payment platform's notification (``POST``, signed JSON): the only call that changes a
    PayGov payment (``payments.paygov.paygov_notify``)."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    request_body_optional = True  # no body is answered like an unsigned one (97): api.schema

    @extend_schema(
        operation_id="payments_paygov_notify",
        description=(
            "National payment platform (PayGov) notification, JSON signed with `ChuKy` (docs/payments.md). "
            "Always HTTP 200; `MaLoi`: 97 bad signature, 01 unknown `MaTraCuuTT`, 04 amount mismatch, 02 already "
            "confirmed, 00 recorded (a failure too), 99 unexpected error."
        ),
        request=inline_serializer(
            "PaygovNotification",
            {
                "MaDoiTac": serializers.JSONField(required=False),
                "MaTraCuuTT": serializers.JSONField(required=False),
                "MaGiaoDich": serializers.JSONField(required=False),
                "SoTien": serializers.JSONField(required=False),
                "TrangThai": serializers.JSONField(required=False),
                "ThoiGianThanhToan": serializers.JSONField(required=False),
                "ChuKy": serializers.JSONField(required=False),
            },
        ),
        responses={
            200: inline_serializer(
                "PaygovNotifyAnswer", {"MaLoi": serializers.CharField(), "MoTa": serializers.CharField()}
            )
        },
    )
    def post(self, request: Request) -> Response:
        from rest_framework.exceptions import ParseError, UnsupportedMediaType

        from motcua.payments.paygov import paygov_notify

        try:
            body = request.data
        except (ParseError, UnsupportedMediaType):
            body = {}  # unreadable: answered as unsigned (97) and kept
        code, message = paygov_notify(message=body)
        return Response({"MaLoi": code, "MoTa": message})


urlpatterns = [
    path("payments/paygov/notify/", PaygovNotifyApi.as_view(), name="api-payments-paygov-notify"),
    path("dossiers/<str:code>/payments/", DossierPaymentsApi.as_view(), name="api-dossier-payments"),
    path("dossiers/<str:code>/ledger/", DossierLedgerApi.as_view(), name="api-dossier-ledger"),
    path("dossiers/<str:code>/charges/", DossierChargeApi.as_view(), name="api-dossier-charges"),
    path("dossiers/<str:code>/exemptions/", DossierExemptionApi.as_view(), name="api-dossier-exemptions"),
    path("payments/vnpay/ipn/", VnpayIpnApi.as_view(), name="api-payments-vnpay-ipn"),
]
