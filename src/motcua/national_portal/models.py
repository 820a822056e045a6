"""The outbox of the national-portal sync, per dossier and in order, and the sandbox portal's own tables."""

from __future__ import annotations

from django.conf import settings
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
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="national_update_state_idx"),
            # The unsent updates only (a few among the sent history): what the sender's claim looks up.
            models.Index(
                fields=["dossier", "sequence"],
                condition=~models.Q(state="sent"),
                name="national_update_unsent_idx",
            ),
        ]

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


# --- The national catalog (issue 13, item 5): what the portal lists, and proposals an officer reviews ---


class NationalCatalogEntry(models.Model):
    """What the last catalog pull found of one local procedure on the national portal (whether it exists)."""

    procedure = models.OneToOneField(
        "catalog.Procedure", on_delete=models.CASCADE, related_name="national_entry", verbose_name="thủ tục"
    )
    exists = models.BooleanField("có trên Cổng DVCQG")
    record = models.JSONField("thủ tục trên Cổng", null=True, blank=True)
    checked_at = models.DateTimeField("kiểm tra lúc")

    class Meta:
        verbose_name = "thủ tục trên Cổng DVCQG"
        verbose_name_plural = "thủ tục trên Cổng DVCQG"

    def __str__(self) -> str:
        return f"{self.procedure_id}: {self.exists}"


class ProposalState(models.TextChoices):
    PENDING = "pending", "Chờ duyệt"
    PUBLISHED = "published", "Đã công bố"
    REJECTED = "rejected", "Đã từ chối"


class CatalogProposal(models.Model):
    """A new catalog version proposed from the national catalog: nothing changes until an officer publishes it.

    ``current`` and ``proposed`` are the comparable fields (``catalog.comparable``) of the version in force
    when the proposal was made and of the portal's record; ``connected`` is whether the procedure exists on
    the portal (publishing sets ``Procedure.national_portal_connected`` to it). One pending proposal per
    procedure: a later pull updates it.
    """

    procedure = models.ForeignKey(
        "catalog.Procedure",
        on_delete=models.CASCADE,
        related_name="national_proposals",
        verbose_name="thủ tục",
    )
    base_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="phiên bản đang hiệu lực",
    )
    state = models.CharField(
        "tình trạng", max_length=16, choices=ProposalState.choices, default=ProposalState.PENDING
    )
    connected = models.BooleanField("có trên Cổng DVCQG")
    current = models.JSONField("đang áp dụng")
    proposed = models.JSONField("theo Cổng DVCQG", null=True, blank=True)
    created_at = models.DateTimeField("đề xuất lúc")
    updated_at = models.DateTimeField("cập nhật lúc")
    decided_at = models.DateTimeField("duyệt lúc", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người duyệt",
    )
    published_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="phiên bản đã công bố",
    )

    class Meta:
        verbose_name = "đề xuất cập nhật thủ tục từ Cổng DVCQG"
        verbose_name_plural = "đề xuất cập nhật thủ tục từ Cổng DVCQG"
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(state="pending"),
                name="national_catalog_one_pending_proposal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} ({self.get_state_display()})"


class SandboxPortalProcedure(models.Model):
    """A procedure of the sandbox portal's national catalog (``LayDanhSachTTHC`` / ``LayThuTuc``)."""

    code = models.CharField("MaTTHC", max_length=32, unique=True)
    record = models.JSONField("bản ghi")

    class Meta:
        verbose_name = "thủ tục trên Cổng DVCQG thử nghiệm"
        verbose_name_plural = "thủ tục trên Cổng DVCQG thử nghiệm"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code
