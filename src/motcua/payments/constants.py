"""Choices of the payments app: ledger entry kinds, credit sources, payment methods and states."""

from __future__ import annotations

from django.db import models


class EntryKind(models.TextChoices):
    """A ledger entry. Amounts are signed VND: what the applicant owes goes up (+) or down (−)."""

    CHARGE = "charge", "Khoản phải nộp"  # +: a fee or charge due
    PAYMENT = "payment", "Khoản đã nộp"  # −: money received
    REFUND = "refund", "Hoàn trả"  # +: money given back
    ADJUSTMENT = "adjustment", "Điều chỉnh"  # ±: an exemption, a correction


class EntrySource(models.TextChoices):
    """Where an entry comes from; every credit names one of the last three."""

    FEE = "fee", "Phí, lệ phí của thủ tục"
    OFFICER = "officer", "Cán bộ ghi nhận"
    GATEWAY = "gateway", "Giao dịch qua cổng thanh toán"
    BANK_STATEMENT = "bank_statement", "Dòng sao kê ngân hàng"
    COUNTER = "counter", "Nộp tiền mặt tại Bộ phận một cửa"


CREDIT_SOURCES = (EntrySource.GATEWAY, EntrySource.BANK_STATEMENT, EntrySource.COUNTER)

# The note on a charge of land financial obligations (``services.obligations_notice_record``): the statistics
# count the credits that paid them (``statistics.land_obligation_credits``).
OBLIGATIONS_NOTE = "Nghĩa vụ tài chính (tạm dừng tính thời gian giải quyết đến khi nộp đủ)"


class Method(models.TextChoices):
    VNPAY = "vnpay", "Cổng thanh toán VNPay"
    PAYGOV = "paygov", "Nền tảng thanh toán trực tuyến (Cổng DVCQG)"
    CASH = "cash", "Tiền mặt tại Bộ phận một cửa"
    # A transfer to the collection account by its VietQR code; settled by the bank statement import.
    VIETQR = "vietqr", "Chuyển khoản bằng mã VietQR"
    # A statement line an officer assigned by hand to a dossier (no payment reference found in it).
    BANK_TRANSFER = "bank_transfer", "Chuyển khoản (đối chiếu sao kê)"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Chờ thanh toán"
    SUCCEEDED = "succeeded", "Đã thanh toán"
    FAILED = "failed", "Không thành công"
    EXPIRED = "expired", "Hết hạn"
    # An order still open when the dossier's balance reached zero by another channel (cash at the counter, a
    # bank line, another order): closed so it is never credited as the fee again. Money that still arrives
    # for it is an overpayment: a gateway's late success is credited and refunded, a bank line is left
    # unmatched for an officer (docs/payments.md, "Orders closed when the balance reaches zero").
    CANCELLED = "cancelled", "Đã hủy (hồ sơ đã nộp đủ)"


class RefundStatus(models.TextChoices):
    """A refund asked of the gateway: written to the ledger only once the gateway accepted it."""

    PENDING = "pending", "Đang gửi yêu cầu"
    SUCCEEDED = "succeeded", "Đã hoàn trả"
    FAILED = "failed", "Cổng thanh toán từ chối"


class BankLineStatus(models.TextChoices):
    """A bank statement line: credited to a payment (matched or assigned by hand), or waiting for an officer."""

    CREDITED = "credited", "Đã ghi có cho hồ sơ"
    UNMATCHED = "unmatched", "Chưa đối chiếu được"
    ASSIGNED = "assigned", "Cán bộ đã gán cho hồ sơ"


class ReceiptKind(models.TextChoices):
    """An electronic receipt (biên lai điện tử): of a payment, or cancelling one (a refund)."""

    RECEIPT = "receipt", "Biên lai thu"
    CANCELLING = "cancelling", "Biên lai hủy (hoàn trả)"
