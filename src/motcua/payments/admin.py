"""Read-only views of the money side for administrators: the ledger, payments, the gateways' notices.

Nothing is edited here: a correction is a new ledger entry (an adjustment or a refund) through the services.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from .models import (
    BankStatementImport,
    BankStatementLine,
    GatewayNotice,
    LedgerEntry,
    Payment,
    Receipt,
    ReconciliationReport,
    Refund,
    SandboxPaygovTransaction,
    SandboxVnpayTransaction,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "dossier", "kind", "amount", "name", "source", "source_reference", "recorded_by"]
    list_filter = ["kind", "source"]
    search_fields = ["dossier__code", "source_reference", "idempotency_key", "payment__reference"]
    list_select_related = ["dossier", "recorded_by"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "reference", "dossier", "method", "amount", "status", "settled_at"]
    list_filter = ["method", "status"]
    search_fields = ["reference", "dossier__code", "gateway_transaction_no"]
    list_select_related = ["dossier"]
    exclude = ["pay_url"]


@admin.register(GatewayNotice)
class GatewayNoticeAdmin(ReadOnlyAdmin):
    list_display = ["at", "gateway", "reference", "answer_code", "answer_message"]
    list_filter = ["gateway", "answer_code"]
    search_fields = ["reference"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """Refunds; one left ``pending`` (no checked answer from the gateway) is settled here once an operator has
    looked it up on the gateway's merchant portal (each action audited)."""

    actions = ["refund_confirm", "refund_reject"]
    list_display = [
        "requested_at",
        "payment",
        "amount",
        "full",
        "status",
        "requested_by",
        "gateway_response_code",
    ]
    list_filter = ["status"]
    search_fields = ["payment__reference", "payment__dossier__code", "request_id"]
    list_select_related = ["payment", "requested_by"]

    @admin.action(description="Cổng đã hoàn trả (đã kiểm tra trên trang quản trị của cổng)")
    def refund_confirm(self, request: HttpRequest, queryset: Any) -> None:
        from .constants import RefundStatus
        from .refunds import refund_record

        for refund in queryset.filter(status=RefundStatus.PENDING):
            refund_record(
                refund=refund,
                accepted=True,
                code="00",
                answer={"vnp_Message": "Xác nhận thủ công"},
                actor=request.user,  # type: ignore[arg-type]
            )

    @admin.action(description="Cổng không hoàn trả (đã kiểm tra trên trang quản trị của cổng)")
    def refund_reject(self, request: HttpRequest, queryset: Any) -> None:
        from motcua.audit.services import audit_record

        from .constants import RefundStatus
        from .refunds import refund_record

        for refund in queryset.filter(status=RefundStatus.PENDING):
            with transaction.atomic():
                settled = refund_record(
                    refund=refund,
                    accepted=False,
                    code="",
                    answer={"vnp_Message": "Không hoàn trả (xác nhận thủ công)"},
                    actor=request.user,  # type: ignore[arg-type]
                )
                audit_record(
                    actor=request.user,  # type: ignore[arg-type]
                    action="payment.refund_rejected",
                    object_type="payment",
                    object_id=settled.payment.reference,
                    data={"refund": settled.pk},
                )


@admin.register(ReconciliationReport)
class ReconciliationReportAdmin(ReadOnlyAdmin):
    list_display = ["day", "built_at", "queried", "differences", "unavailable"]
    exclude = ["lines"]


@admin.register(BankStatementImport)
class BankStatementImportAdmin(ReadOnlyAdmin):
    list_display = [
        "imported_at",
        "account",
        "file_name",
        "lines",
        "credited",
        "unmatched",
        "skipped",
        "imported_by",
    ]
    search_fields = ["account", "file_name", "file_sha256"]
    list_select_related = ["imported_by"]


@admin.register(BankStatementLine)
class BankStatementLineAdmin(ReadOnlyAdmin):
    list_display = ["booked_at", "account", "transaction_id", "amount", "status", "reason", "payment"]
    list_filter = ["status", "account"]
    search_fields = ["transaction_id", "description", "payment__reference"]
    list_select_related = ["payment"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "year", "unit", "kind", "dossier", "amount", "payer_name", "issued_at"]
    list_filter = ["kind", "year"]
    search_fields = ["dossier__code", "payment__reference", "payer_name"]
    list_select_related = ["unit", "dossier"]


class SandboxPaygovTransactionAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "partner_code",
        "lookup_code",
        "outcome",
        "callback_state",
        "callback_attempts",
    ]
    list_filter = ["outcome", "callback_state"]


class SandboxVnpayTransactionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "tmn_code", "txn_ref", "outcome", "ipn_state", "ipn_attempts"]
    list_filter = ["outcome", "ipn_state"]


if settings.SANDBOX:
    admin.site.register(SandboxVnpayTransaction, SandboxVnpayTransactionAdmin)
    admin.site.register(SandboxPaygovTransaction, SandboxPaygovTransactionAdmin)
