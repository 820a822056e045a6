from __future__ import annotations

from django.db import models
from django.db.models import Q

from motcua.core import formatting
from motcua.organisations.constants import Level, Role
from motcua.organisations.models import Unit
from motcua.worktime.constants import LimitUnit

from .constants import ComponentKind, OnlineMode, P06Kind, PublicationStatus, SupplementRule


class Field(models.Model):
    """Lĩnh vực: the sector a procedure belongs to."""

    code = models.CharField("mã", max_length=32, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=255, unique=True)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """A procedure (thủ tục hành chính) identified by its national code; its rules live in versions."""

    code = models.CharField("mã thủ tục", max_length=32, unique=True)
    name = models.CharField("tên thủ tục", max_length=500)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="procedures", verbose_name="lĩnh vực"
    )
    # Lower-case, diacritics-free copy of code + name + field: accent-insensitive search on every database.
    search_text = models.TextField(editable=False, default="")
    # Its dossiers are synchronised with the national public-service portal (docs/national-portal.md).
    national_portal_connected = models.BooleanField("kết nối Cổng Dịch vụ công quốc gia", default=False)
    # Project 06 (Decision 06/QĐ-TTg): which of the province's Project 06 figures its dossiers count in.
    p06_kind = models.CharField(
        "thủ tục Đề án 06", max_length=16, choices=P06Kind.choices, blank=True, default=P06Kind.NONE
    )

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ProcedureVersion(models.Model):
    """The rules of a procedure valid from ``valid_from`` (to ``valid_to`` inclusive, or open-ended).

    A dossier keeps the version in force when it was received (ARCHITECTURE.md rule 8).
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("phiên bản")
    status = models.CharField(
        "trạng thái công bố",
        max_length=16,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến (hết ngày)", null=True, blank=True)
    name = models.CharField("tên thủ tục", max_length=500)
    level = models.CharField("cấp thực hiện", max_length=16, choices=Level.choices)
    implementing_agency = models.CharField("cơ quan thực hiện", max_length=500, blank=True)
    legal_basis = models.TextField("căn cứ pháp lý", blank=True)
    time_limit_value = models.PositiveIntegerField("thời hạn giải quyết")
    time_limit_unit = models.CharField("đơn vị thời hạn", max_length=16, choices=LimitUnit.choices)
    online_mode = models.CharField("dịch vụ công trực tuyến", max_length=16, choices=OnlineMode.choices)
    min_eid_level = models.PositiveSmallIntegerField("mức định danh tối thiểu khi nộp trực tuyến", default=1)
    supplement_rule = models.CharField(
        "quy tắc bổ sung hồ sơ", max_length=16, choices=SupplementRule.choices, default=SupplementRule.RESET
    )
    # What an online submission pays of each fee, in % (Decree 45/2020 lets provinces waive or reduce fees for
    # online submission): 100 the full fee, 50 half, 0 waived. The payments app applies it to the charges.
    online_fee_percent = models.PositiveSmallIntegerField(
        "tỷ lệ phí, lệ phí phải nộp khi nộp trực tuyến (%)",
        default=100,
        help_text="100: thu đủ; 50: giảm một nửa; 0: miễn khi nộp trực tuyến.",
    )
    result_documents = models.JSONField("kết quả giải quyết", default=list, blank=True)
    form_fields = models.JSONField("trường thông tin trên tờ khai", default=list, blank=True)
    notes = models.TextField("ghi chú", blank=True)
    units = models.ManyToManyField(
        Unit, related_name="procedure_versions", blank=True, verbose_name="đơn vị tiếp nhận, giải quyết"
    )

    class Meta:
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        ordering = ["procedure__code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="procedure_version_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="procedure_version_validity_ordered",
            ),
            models.CheckConstraint(condition=Q(min_eid_level__in=[1, 2]), name="procedure_version_eid_level"),
            models.CheckConstraint(
                condition=Q(online_fee_percent__lte=100), name="procedure_version_online_fee_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.version}"


class Component(models.Model):
    """Thành phần hồ sơ: one document of the dossier."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("tên giấy tờ", max_length=500)
    kind = models.CharField(
        "loại bản", max_length=16, choices=ComponentKind.choices, default=ComponentKind.ORIGINAL
    )
    count = models.PositiveSmallIntegerField("số lượng", default=1)
    required = models.BooleanField("bắt buộc", default=True)
    template_file = models.CharField("mẫu đơn, tờ khai", max_length=255, blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="component_order_unique")]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    """Phí, lệ phí in VND."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    name = models.CharField("tên phí, lệ phí", max_length=255)
    amount_vnd = models.PositiveBigIntegerField("mức thu (đồng)")
    exemptions = models.TextField("miễn, giảm", blank=True)

    class Meta:
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return f"{self.name}: {formatting.thousands(self.amount_vnd, language='vi')} đ"


class ProcessStep(models.Model):
    """One step of the internal process, with its budget in working hours (budgets sum to the limit)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("tên bước", max_length=255)
    role = models.CharField("vai trò thực hiện", max_length=16, choices=Role.choices)
    unit_level = models.CharField("cấp đơn vị thực hiện", max_length=16, choices=Level.choices)
    budget_hours = models.DecimalField("thời gian (giờ làm việc)", max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "quy trình nội bộ"
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="process_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
