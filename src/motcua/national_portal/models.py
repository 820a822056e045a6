"""The outbox of the national-portal sync, per dossier and in order, and the sandbox portal's own tables."""

from __future__ import annotations

from django.db import models

from motcua.dossiers.models import Dossier, DossierEvent


class Service(models.TextChoices):
    """The portal's service calls (INTEGRATIONS.md, "National public-service portal")."""

    SYNC_DOSSIER = "DongBoHoSoMC", "Đồng bộ hồ sơ"
    PROGRESS = "CapNhatTienDoHoSoMC", "Cập nhật tiến độ xử lý"
    LOOKUP = "TraCuuHoSo", "Tra cứu hồ sơ"
    # Inbound: dossiers citizens filed on the portal, and their files.
    FILED = "LayDanhSachHoSo", "Lấy danh sách hồ sơ nộp trên Cổng"
    ATTACHMENT = "LayTepDinhKem", "Lấy tệp đính kèm"
    # The national catalog.
    PROCEDURES = "LayDanhSachTTHC", "Lấy danh sách thủ tục"
    PROCEDURE = "LayThuTuc", "Lấy thủ tục"


class UpdateState(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    SENT = "sent", "Đã gửi"
    PARKED = "parked", "Lỗi, chờ xử lý"


class SyncState(models.Model):
    """What the portal knows of one dossier; its row is locked briefly to take or renew the sender's lease."""

    dossier = models.OneToOneField(
        Dossier,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="national_sync",
        verbose_name="hồ sơ",
    )
    last_event_id = models.BigIntegerField("sự kiện cuối đã ghi nhận", default=0)
    last_sequence = models.PositiveIntegerField("số thứ tự cuối", default=0)
    last_sent_status = models.PositiveSmallIntegerField("trạng thái đã gửi", null=True, blank=True)
    last_sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    last_error_at = models.DateTimeField("lỗi lúc", null=True, blank=True)
    # The sender holding the dossier (never across a call inside a transaction): a token and until when.
    lease_token = models.CharField("bên đang gửi", max_length=32, blank=True)
    lease_until = models.DateTimeField("giữ đến", null=True, blank=True)

    class Meta:
        verbose_name = "trạng thái đồng bộ Cổng DVCQG"
        verbose_name_plural = "trạng thái đồng bộ Cổng DVCQG"

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.last_sent_status}"


class SyncUpdate(models.Model):
    """One call to the portal for one dossier, sent after every earlier one of the same dossier."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="national_updates", verbose_name="hồ sơ"
    )
    sequence = models.PositiveIntegerField("thứ tự")
    event = models.ForeignKey(
        DossierEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="sự kiện",
    )
    service = models.CharField("dịch vụ", max_length=32, choices=Service.choices)
    is_updating = models.BooleanField("cập nhật", default=False)
    payload = models.JSONField("dữ liệu")
    status_code = models.PositiveSmallIntegerField("mã trạng thái", null=True, blank=True)
    idempotency_key = models.CharField("khóa chống trùng", max_length=100, unique=True)
    state = models.CharField(
        "tình trạng", max_length=16, choices=UpdateState.choices, default=UpdateState.PENDING
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    created_at = models.DateTimeField("tạo lúc")
    next_attempt_at = models.DateTimeField("gửi lại lúc", null=True, blank=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "bản tin gửi Cổng DVCQG"
        verbose_name_plural = "bản tin gửi Cổng DVCQG"
        ordering = ["dossier", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "sequence"], name="national_update_sequence_unique")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="national_update_state_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.sequence} {self.service}"


# --- The sandbox national portal (served at /sandbox/dvcqg/ only in sandbox mode) ---


class SandboxPortalSession(models.Model):
    token = models.CharField(max_length=64, unique=True)
    username = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "phiên Cổng DVCQG thử nghiệm"
        verbose_name_plural = "phiên Cổng DVCQG thử nghiệm"

    def __str__(self) -> str:
        return self.username


class SandboxPortalDossier(models.Model):
    """A dossier as the sandbox portal stores it: the last record received and its current status."""

    code = models.CharField("MaHoSo", max_length=64, unique=True)
    record = models.JSONField("bản ghi")
    status = models.PositiveSmallIntegerField("TrangThaiHoSo")
    duplicates = models.PositiveIntegerField("bản tin trùng đã bỏ qua", default=0)
    # Filed by a citizen on the (sandbox) portal itself, for the province to pull (not sent by motcua).
    filed_on_portal = models.BooleanField("nộp trên Cổng", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hồ sơ trên Cổng DVCQG thử nghiệm"
        verbose_name_plural = "hồ sơ trên Cổng DVCQG thử nghiệm"

    def __str__(self) -> str:
        return self.code


class SandboxPortalUpdate(models.Model):
    """Every accepted call of the sandbox portal, in the order received."""

    dossier = models.ForeignKey(SandboxPortalDossier, on_delete=models.CASCADE, related_name="updates")
    service = models.CharField(max_length=32)
    is_updating = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=100, blank=True)
    data = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "bản tin nhận được (Cổng DVCQG thử nghiệm)"
        verbose_name_plural = "bản tin nhận được (Cổng DVCQG thử nghiệm)"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="sandbox_portal_update_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.idempotency_key}"


class InboundDossier(models.Model):
    """A dossier a citizen filed on the national portal, pulled into motcua: its national code beside motcua's.

    One row per national code (unique): a second pull of the same dossier, concurrent or later, creates
    nothing (``inbound.national_dossiers_pull``). The outbound sync sends this dossier's updates under the
    national code (``MaHoSo``), so the portal's own record follows the officer's work.
    """

    national_code = models.CharField("mã hồ sơ trên Cổng DVCQG", max_length=64, unique=True)
    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, related_name="national_inbound", verbose_name="hồ sơ"
    )
    record = models.JSONField("bản ghi nhận từ Cổng")
    refused_files = models.JSONField("tệp không nhận được", default=list, blank=True)
    filed_at = models.DateTimeField("nộp trên Cổng lúc", null=True, blank=True)
    pulled_at = models.DateTimeField("nhận về lúc")

    class Meta:
        verbose_name = "hồ sơ nộp trên Cổng DVCQG"
        verbose_name_plural = "hồ sơ nộp trên Cổng DVCQG"

    def __str__(self) -> str:
        return self.national_code


class SandboxPortalAttachment(models.Model):
    """A file a citizen attached to a dossier filed on the sandbox portal (``/sandbox/dvcqg/nop-ho-so/``)."""

    dossier = models.ForeignKey(SandboxPortalDossier, on_delete=models.CASCADE, related_name="attachments")
    component = models.CharField("thành phần hồ sơ", max_length=500, blank=True)
    name = models.CharField("tên tệp", max_length=255)
    content = models.BinaryField("nội dung")

    class Meta:
        verbose_name = "tệp đính kèm (Cổng DVCQG thử nghiệm)"
        verbose_name_plural = "tệp đính kèm (Cổng DVCQG thử nghiệm)"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
