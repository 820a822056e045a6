"""The money side of a dossier: an append-only ledger, payments through a method, the gateways' notices.

A dossier's balance is the sum of its ledger entries (``selectors.dossier_balance``): positive, the applicant
still owes it; zero, settled; negative, overpaid. Nothing stores a "paid" flag: a ``Payment`` is one attempt
to pay (a VNPay order, cash at the counter) and credits the ledger once, when it succeeds, under an
idempotency key naming the outside event (``vnpay:<TmnCode>:<TxnRef>``, ``cash:<reference>``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from motcua.audit.models import AppendOnlyModel

from .constants import (
    CREDIT_SOURCES,
    BankLineStatus,
    EntryKind,
    EntrySource,
    Method,
    PaymentStatus,
    ReceiptKind,
    RefundStatus,
)


class Payment(models.Model):
    """One attempt to pay (an order at a gateway, cash at the counter): credits the ledger once if it succeeds."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payments", verbose_name="hồ sơ"
    )
    # The order's reference at the gateway (vnp_TxnRef), also the purpose of a bank transfer.
    reference = models.CharField("mã thanh toán", max_length=32, unique=True)
    method = models.CharField("hình thức", max_length=16, choices=Method.choices)
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    status = models.CharField(
        "trạng thái", max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    created_at = models.DateTimeField("tạo lúc")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người tạo",
    )
    expires_at = models.DateTimeField("hết hạn lúc", null=True, blank=True)
    settled_at = models.DateTimeField("ghi nhận kết quả lúc", null=True, blank=True)
    payer_name = models.CharField("người nộp", max_length=255, blank=True)
    client_ip = models.GenericIPAddressField("địa chỉ IP người nộp", null=True, blank=True)
    pay_url = models.TextField("địa chỉ thanh toán", blank=True)
    # What the gateway reported (IPN): its transaction number, codes, bank and time of payment.
    gateway_transaction_no = models.CharField("mã giao dịch tại cổng", max_length=64, blank=True)
    gateway_response_code = models.CharField("mã phản hồi", max_length=8, blank=True)
    gateway_transaction_status = models.CharField("tình trạng giao dịch", max_length=8, blank=True)
    gateway_bank_code = models.CharField("ngân hàng", max_length=32, blank=True)
    gateway_paid_at = models.DateTimeField("thời điểm thanh toán tại cổng", null=True, blank=True)

    class Meta:
        verbose_name = "lượt thanh toán"
        verbose_name_plural = "lượt thanh toán"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="payment_status_expiry")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_method_display()}, {self.amount} đ)"


class LedgerEntry(AppendOnlyModel):
    """One line of a dossier's ledger, never changed: corrections are new entries (adjustments, refunds)."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="ledger_entries", verbose_name="hồ sơ"
    )
    kind = models.CharField("loại", max_length=16, choices=EntryKind.choices)
    # Signed VND: + the applicant owes more (charge, refund), − less (payment, exemption).
    amount = models.BigIntegerField("số tiền (đồng)")
    name = models.CharField("nội dung", max_length=500)  # the legal name of a fee, what a credit paid
    source = models.CharField("nguồn", max_length=16, choices=EntrySource.choices)
    # The outside record: the gateway's transaction number, the bank line's id, the payment's reference.
    source_reference = models.CharField("mã chứng từ nguồn", max_length=100, blank=True)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name="lượt thanh toán",
    )
    fee = models.ForeignKey(
        "catalog.Fee",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="phí, lệ phí",
    )
    # The officer who took cash at the counter, or the system actor of a gateway.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người ghi nhận",
    )
    idempotency_key = models.CharField("khóa chống ghi trùng", max_length=200, unique=True)
    at = models.DateTimeField("thời điểm")
    due_date = models.DateField("hạn nộp", null=True, blank=True)  # a charge added by an officer (tax notice)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "bút toán"
        verbose_name_plural = "sổ thu phí, lệ phí"
        ordering = ["dossier", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=EntryKind.CHARGE, amount__gt=0)
                    | Q(kind=EntryKind.PAYMENT, amount__lt=0)
                    | Q(kind=EntryKind.REFUND, amount__gt=0)
                    | (Q(kind=EntryKind.ADJUSTMENT) & ~Q(amount=0))
                ),
                name="ledger_entry_amount_sign",
            ),
            # Every credit names its source: a gateway transaction, a bank statement line, cash with the officer.
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.PAYMENT)
                | (Q(source__in=[str(s) for s in CREDIT_SOURCES]) & ~Q(source_reference="")),
                name="ledger_credit_names_source",
            ),
            models.CheckConstraint(
                condition=~Q(source=EntrySource.COUNTER) | Q(recorded_by__isnull=False),
                name="ledger_counter_names_officer",
            ),
        ]
        indexes = [models.Index(fields=["dossier", "at"], name="ledger_dossier_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} đ — {self.name}"


class GatewayNotice(AppendOnlyModel):
    """Every server-to-server notice a gateway sent (VNPay IPN) and what motcua answered, refused ones too."""

    gateway = models.CharField("cổng", max_length=16, choices=Method.choices)
    reference = models.CharField("mã thanh toán", max_length=100, blank=True)
    params = models.JSONField("tham số")
    answer_code = models.CharField("mã trả lời", max_length=4)
    answer_message = models.CharField("nội dung trả lời", max_length=200)
    at = models.DateTimeField("nhận lúc")

    class Meta:
        verbose_name = "thông báo từ cổng thanh toán"
        verbose_name_plural = "thông báo từ cổng thanh toán"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["reference"], name="gateway_notice_reference")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.reference}: {self.answer_code}"


class SandboxVnpayTransaction(models.Model):
    """A transaction of the sandbox VNPay gateway (``/sandbox/vnpay/``): what the buyer chose, the IPN's fate."""

    tmn_code = models.CharField(max_length=16)
    txn_ref = models.CharField(max_length=100)
    transaction_no = models.CharField(max_length=16, unique=True)
    outcome = models.CharField(max_length=16)  # success, cancelled, insufficient_funds
    params = models.JSONField()  # the signed result sent to the return URL and the IPN
    return_url = models.TextField()
    created_at = models.DateTimeField()
    ipn_attempts = models.PositiveSmallIntegerField(default=0)
    ipn_state = models.CharField(max_length=16, default="pending")  # pending, delivered, failed
    ipn_last_answer = models.TextField(blank=True)
    refunded_amount = models.PositiveBigIntegerField(default=0)  # VND refunded through the merchant API
    refund_request_ids = models.JSONField(default=list)  # vnp_RequestId seen (a repeat is 94)

    class Meta:
        verbose_name = "giao dịch VNPay thử nghiệm"
        verbose_name_plural = "giao dịch VNPay thử nghiệm"
        constraints = [
            models.UniqueConstraint(fields=["tmn_code", "txn_ref"], name="sandbox_vnpay_txn_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tmn_code}/{self.txn_ref}: {self.outcome}"


class Refund(models.Model):
    """Money given back for a succeeded gateway payment (VNPay refund API), asked by an officer with a reason.

    The row is written before the gateway is asked (``request_id`` is the ``vnp_RequestId``); the ledger gets
    its ``refund`` entry (key ``refund:<request_id>``) only when the gateway answers success.
    """

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name="lượt thanh toán"
    )
    amount = models.PositiveBigIntegerField("số tiền hoàn (đồng)")
    full = models.BooleanField("hoàn toàn phần", default=True)  # vnp_TransactionType 02, else 03
    reason = models.TextField("lý do")
    request_id = models.CharField("mã yêu cầu", max_length=32, unique=True)
    status = models.CharField(
        "trạng thái", max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="cán bộ yêu cầu"
    )
    requested_at = models.DateTimeField("yêu cầu lúc")
    settled_at = models.DateTimeField("có kết quả lúc", null=True, blank=True)
    gateway_response_code = models.CharField("mã phản hồi", max_length=8, blank=True)
    gateway_message = models.CharField("nội dung phản hồi", max_length=255, blank=True)
    gateway_transaction_no = models.CharField("mã giao dịch hoàn tại cổng", max_length=64, blank=True)

    class Meta:
        verbose_name = "hoàn trả"
        verbose_name_plural = "hoàn trả"
        ordering = ["-requested_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"{self.payment.reference}: {self.amount} đ ({self.get_status_display()})"


class SandboxPaygovTransaction(models.Model):
    """A payment at the sandbox national payment platform (``/sandbox/paygov/``) and its callback's fate."""

    partner_code = models.CharField(max_length=32)
    lookup_code = models.CharField(max_length=100)  # MaTraCuuTT
    transaction_no = models.CharField(max_length=32, unique=True)  # MaGiaoDich
    outcome = models.CharField(max_length=24)  # success, cancelled, insufficient_funds
    order = models.JSONField()  # the signed payment request as received
    result = models.JSONField()  # the signed notification sent to the callback URL
    return_url = models.TextField()
    created_at = models.DateTimeField()
    callback_attempts = models.PositiveSmallIntegerField(default=0)
    callback_state = models.CharField(max_length=16, default="pending")  # pending, delivered, failed
    callback_last_answer = models.TextField(blank=True)
    # Refunds the sandbox platform made of it (VND) and the request ids it has seen (a repeated one: 94).
    refunded_amount = models.PositiveBigIntegerField(default=0)
    refund_request_ids = models.JSONField(default=list)

    class Meta:
        verbose_name = "giao dịch thử nghiệm nền tảng thanh toán"
        verbose_name_plural = "giao dịch thử nghiệm nền tảng thanh toán"
        constraints = [
            models.UniqueConstraint(fields=["partner_code", "lookup_code"], name="sandbox_paygov_txn_unique")
        ]

    def __str__(self) -> str:
        return f"{self.partner_code}/{self.lookup_code}: {self.outcome}"


class BankStatementImport(models.Model):
    """One bank statement file imported (``motcua import-bank-statement``, the back-office upload)."""

    account = models.CharField("tài khoản thu", max_length=64)
    file_name = models.CharField("tên tệp", max_length=255)
    file_sha256 = models.CharField("SHA-256 của tệp", max_length=64)
    imported_at = models.DateTimeField("nhập lúc")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người nhập",
    )
    lines = models.PositiveIntegerField("số dòng", default=0)
    credited = models.PositiveIntegerField("ghi có", default=0)
    unmatched = models.PositiveIntegerField("chưa đối chiếu được", default=0)
    skipped = models.PositiveIntegerField("đã nhập trước đó", default=0)

    class Meta:
        verbose_name = "lần nhập sao kê ngân hàng"
        verbose_name_plural = "lần nhập sao kê ngân hàng"
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.account} — {self.file_name} ({self.imported_at:%d/%m/%Y %H:%M})"


class BankStatementLine(models.Model):
    """One credit line of the collection account's statement, stored once per (account, transaction id)."""

    statement = models.ForeignKey(
        BankStatementImport, on_delete=models.PROTECT, related_name="statement_lines", verbose_name="lần nhập"
    )
    account = models.CharField("tài khoản thu", max_length=64)
    transaction_id = models.CharField("mã giao dịch ngân hàng", max_length=100)
    booked_at = models.DateTimeField("thời điểm ghi sổ")
    amount = models.BigIntegerField("số tiền (đồng)")
    description = models.TextField("nội dung chuyển khoản")
    row = models.PositiveIntegerField("dòng trong tệp")
    status = models.CharField("tình trạng", max_length=16, choices=BankLineStatus.choices)
    reason = models.CharField("lý do chưa đối chiếu được", max_length=255, blank=True)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_lines",
        verbose_name="lượt thanh toán",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="cán bộ gán",
    )
    assigned_at = models.DateTimeField("gán lúc", null=True, blank=True)

    class Meta:
        verbose_name = "dòng sao kê ngân hàng"
        verbose_name_plural = "dòng sao kê ngân hàng"
        ordering = ["booked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "transaction_id"], name="bank_line_once"),
        ]
        indexes = [models.Index(fields=["status", "booked_at"], name="bank_line_status")]

    def __str__(self) -> str:
        return f"{self.account}/{self.transaction_id}: {self.amount} đ"


class ReceiptSequence(models.Model):
    """The last receipt number of a collecting unit in a year; its row lock makes the numbers gap-free."""

    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="receipt_sequence_once")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last_number}"


class Receipt(models.Model):
    """An electronic receipt (biên lai điện tử) of one payment, or the cancelling receipt of a refund.

    Numbered per collecting unit (the dossier's unit) and year without gaps (``ReceiptSequence``); what it
    says is frozen when issued (payer, dossier, fee names, amount), the PDF is rendered from it.
    """

    unit = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị thu"
    )
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số")
    kind = models.CharField("loại", max_length=16, choices=ReceiptKind.choices, default=ReceiptKind.RECEIPT)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="receipts", verbose_name="lượt thanh toán"
    )
    cancels = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cancelled_by",
        verbose_name="hủy biên lai",
    )
    refund = models.OneToOneField(
        "Refund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receipt",
        verbose_name="hoàn trả",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="receipts", verbose_name="hồ sơ"
    )
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    payer_name = models.CharField("người nộp", max_length=255)
    fee_names = models.TextField("tên phí, lệ phí")
    method = models.CharField("hình thức thu", max_length=16, choices=Method.choices)
    issued_at = models.DateTimeField("lập lúc")
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "biên lai điện tử"
        verbose_name_plural = "biên lai điện tử"
        ordering = ["unit", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="receipt_number_once"),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(kind="receipt"), name="receipt_one_per_payment"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} số {self.number_display}"

    @property
    def number_display(self) -> str:
        return f"{self.number:07d}/{self.year}"


class ReconciliationReport(models.Model):
    """A day's reconciliation with the gateways (``reconciliation.report_build``): one per day, rebuilt on demand.

    ``lines`` holds one object per payment opened at a gateway that day: what motcua credited and what the
    gateway said it received (``reconciliation.Line``).
    """

    day = models.DateField("ngày", unique=True)
    built_at = models.DateTimeField("lập lúc")
    queried = models.BooleanField("đã đối chiếu với cổng", default=True)
    differences = models.PositiveIntegerField("số giao dịch lệch", default=0)
    unavailable = models.PositiveIntegerField("số giao dịch không hỏi được cổng", default=0)
    lines = models.JSONField("chi tiết", default=list)

    class Meta:
        verbose_name = "đối soát thanh toán theo ngày"
        verbose_name_plural = "đối soát thanh toán theo ngày"
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {self.differences} lệch"
