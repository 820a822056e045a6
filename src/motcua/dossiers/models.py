"""The dossier (hồ sơ), its received components, its process legs and its append-only history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from motcua.audit.models import AppendOnlyModel
from motcua.catalog.constants import ComponentKind
from motcua.catalog.models import Component, ProcedureVersion, ProcessStep
from motcua.organisations.models import Unit
from motcua.worktime.constants import Classification

from .constants import STATUS_CODES, ApplicantKind, Channel, Routing, Status

# "Not ended yet" in the report window index; equal to motcua.reports.selectors.END_OF_TIME.
END_OF_TIME = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


class Dossier(models.Model):
    """One application by one applicant for one procedure.

    ``status`` changes only in ``lifecycle.dossier_transition`` (ARCHITECTURE.md rule 3).
    """

    code = models.CharField("mã hồ sơ", max_length=64, unique=True, null=True, blank=True)
    procedure_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="dossiers", verbose_name="thủ tục"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="dossiers", verbose_name="đơn vị tiếp nhận"
    )
    channel = models.PositiveSmallIntegerField("kênh nộp", choices=Channel.choices, default=Channel.COUNTER)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_dossiers",
        verbose_name="tài khoản người nộp",
    )
    applicant_kind = models.CharField(
        "loại người nộp", max_length=16, choices=ApplicantKind.choices, default=ApplicantKind.CITIZEN
    )
    applicant_name = models.CharField("họ tên / tên tổ chức", max_length=255)
    applicant_id_number = models.CharField("số định danh / mã số thuế", max_length=14, blank=True)
    applicant_phone = models.CharField("số điện thoại", max_length=20, blank=True)
    applicant_email = models.EmailField("thư điện tử", blank=True)
    applicant_address = models.CharField("địa chỉ", max_length=500, blank=True)

    status = models.CharField("trạng thái", max_length=32, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    received_at = models.DateTimeField("tiếp nhận lúc", null=True, blank=True)
    due_at = models.DateTimeField("ngày hẹn trả", null=True, blank=True)
    statutory_due_at = models.DateTimeField("hạn giải quyết theo quy định", null=True, blank=True)
    finished_at = models.DateTimeField("xử lý xong lúc", null=True, blank=True)
    returned_at = models.DateTimeField("trả kết quả lúc", null=True, blank=True)
    closed_at = models.DateTimeField("kết thúc (từ chối, dừng, rút) lúc", null=True, blank=True)
    paused_at = models.DateTimeField("tạm dừng lúc", null=True, blank=True)
    remaining_minutes = models.IntegerField("thời gian còn lại khi tạm dừng (phút)", null=True, blank=True)
    extension_minutes = models.IntegerField("thời gian gia hạn (phút làm việc)", default=0)
    supplement_requests = models.PositiveSmallIntegerField("số lần yêu cầu bổ sung", default=0)
    extended = models.BooleanField("đã gia hạn", default=False)
    classification = models.CharField(
        "kết quả đúng hạn", max_length=16, choices=Classification.choices, blank=True
    )
    result_note = models.TextField("kết quả giải quyết", blank=True)
    current_step = models.ForeignKey(
        ProcessStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="bước hiện tại",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
        verbose_name="cán bộ xử lý",
    )
    version = models.PositiveIntegerField("phiên bản", default=1)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "status"], name="dossier_unit_status"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due"),
            models.Index(fields=["received_at"], name="dossier_received_at"),
            # The monthly report's window (docs/reports.md): when a dossier ended (or "never") and the columns
            # the report counts, so PostgreSQL answers a province-month from the index alone. The sentinel
            # must equal motcua.reports.selectors.END_OF_TIME (a test checks it).
            models.Index(
                Coalesce(
                    "finished_at",
                    "returned_at",
                    "closed_at",
                    Value(END_OF_TIME, output_field=models.DateTimeField()),
                ),
                F("received_at"),
                F("unit_id"),
                F("channel"),
                F("classification"),
                F("statutory_due_at"),
                F("finished_at"),
                F("returned_at"),
                F("closed_at"),
                name="dossier_report_window",
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"

    @property
    def status_code(self) -> int | None:
        return STATUS_CODES[self.status]


class DossierComponent(models.Model):
    """One line of the received-components checklist."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField("tên giấy tờ", max_length=500)
    kind = models.CharField(
        "loại bản", max_length=16, choices=ComponentKind.choices, default=ComponentKind.ORIGINAL
    )
    count = models.PositiveSmallIntegerField("số lượng", default=1)
    required = models.BooleanField("bắt buộc", default=True)
    received = models.BooleanField("đã nhận", default=False)
    note = models.CharField("ghi chú", max_length=500, blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ đã nhận"
        verbose_name_plural = "thành phần hồ sơ đã nhận"
        ordering = ["dossier", "pk"]

    def __str__(self) -> str:
        return self.name


class DossierStep(models.Model):
    """A leg of the internal process or of inter-agency routing, with its time budget and result.

    Legs of one ``forward`` share a ``batch``; parallel legs start together, sequential ones one after
    another (``started_at`` stays empty until a leg's turn comes).
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    batch = models.PositiveIntegerField("lượt chuyển")
    position = models.PositiveSmallIntegerField("thứ tự trong lượt", default=0)
    routing = models.CharField(
        "cách chuyển", max_length=16, choices=Routing.choices, default=Routing.SEQUENCE
    )
    process_step = models.ForeignKey(
        ProcessStep, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField("tên bước", max_length=255)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    budget_minutes = models.PositiveIntegerField("thời gian (phút làm việc)")
    started_at = models.DateTimeField("nhận lúc", null=True, blank=True)
    due_at = models.DateTimeField("hạn của bước", null=True, blank=True)
    finished_at = models.DateTimeField("hoàn thành lúc", null=True, blank=True)
    paused_remaining_minutes = models.IntegerField(
        "thời gian còn lại khi tạm dừng (phút)", null=True, blank=True
    )
    classification = models.CharField("kết quả", max_length=16, choices=Classification.choices, blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "bước xử lý của hồ sơ"
        verbose_name_plural = "bước xử lý của hồ sơ"
        ordering = ["dossier", "batch", "position"]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.name} ({self.unit.code})"

    @property
    def is_open(self) -> bool:
        return self.started_at is not None and self.finished_at is None


class DossierEvent(AppendOnlyModel):
    """One transition or hand-over: who, when, from, to, step, note, budget and its result."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("thao tác", max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField("lúc")
    from_status = models.CharField("từ trạng thái", max_length=32, blank=True)
    to_status = models.CharField("sang trạng thái", max_length=32)
    step = models.ForeignKey(DossierStep, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField("ghi chú", blank=True)
    budget_minutes = models.PositiveIntegerField("thời gian được giao (phút)", null=True, blank=True)
    due_at = models.DateTimeField("hạn", null=True, blank=True)
    classification = models.CharField("kết quả", max_length=16, choices=Classification.choices, blank=True)
    data = models.JSONField("dữ liệu", default=dict, blank=True)

    class Meta:
        verbose_name = "lịch sử hồ sơ"
        verbose_name_plural = "lịch sử hồ sơ"
        ordering = ["dossier", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.action} {self.from_status}→{self.to_status}"


class CodeFormat(models.Model):
    """The dossier-code template of a unit (or the default when ``unit`` is empty), effective-dated.

    Placeholders: ``{agency_code}``, ``{unit_code}``, ``{yymmdd}``, ``{yyyymmdd}``, ``{seq}`` (with a
    format spec, e.g. ``{seq:04}``). The sequence restarts every day per rendered prefix.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    template = models.CharField("mẫu mã hồ sơ", max_length=100)
    valid_from = models.DateField("hiệu lực từ")

    class Meta:
        verbose_name = "mẫu mã hồ sơ"
        verbose_name_plural = "mẫu mã hồ sơ"
        constraints = [models.UniqueConstraint(fields=["unit", "valid_from"], name="code_format_unique")]

    def __str__(self) -> str:
        return self.template


class CodeSequence(models.Model):
    """The last number issued for a code prefix on a day."""

    prefix = models.CharField(max_length=64)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "số thứ tự mã hồ sơ"
        verbose_name_plural = "số thứ tự mã hồ sơ"
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="code_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix} {self.day}: {self.last}"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Chờ xử lý"
    DONE = "done", "Đã xử lý"
    FAILED = "failed", "Không thành công"


class ConsumerDelivery(models.Model):
    """One transition handed to one transition consumer (``dossiers.consumers``): the outbox row.

    Written in the transition's transaction for each consumer that wants the event, with a task that runs it
    (``dossiers.tasks.consume_deliveries``); (event, consumer) is the idempotency key.
    """

    # The unique constraint below starts with the event: no index of the foreign key's own.
    event = models.ForeignKey(
        DossierEvent,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
        verbose_name="thao tác",
    )
    consumer = models.CharField("bên xử lý", max_length=64)
    # None: the consumer's snapshot could not be taken (the error is in last_error); the task takes it again.
    snapshot = models.JSONField(
        "dữ liệu lúc thao tác", null=True, blank=True, default=dict, encoder=DjangoJSONEncoder
    )
    state = models.CharField(
        "trạng thái", max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("số lần chạy", default=0)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    created_at = models.DateTimeField("tạo lúc")
    next_attempt_at = models.DateTimeField("chạy lại lúc", null=True, blank=True)
    done_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "xử lý sau thao tác"
        verbose_name_plural = "xử lý sau thao tác"
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["event", "consumer"], name="consumer_delivery_unique")]
        indexes = [models.Index(fields=["state", "created_at"], name="consumer_delivery_state")]

    def __str__(self) -> str:
        return f"{self.consumer} ← {self.event_id} ({self.state})"
