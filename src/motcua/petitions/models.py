"""A citizen's petition or feedback about a dossier, a unit or a procedure (docs/petitions.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .constants import PetitionStatus, Subject


class Petition(models.Model):
    code = models.CharField("mã phản ánh", max_length=32, unique=True)
    subject = models.CharField("phản ánh về", max_length=16, choices=Subject.choices)
    unit = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, related_name="petitions", verbose_name="đơn vị xử lý"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name="hồ sơ",
    )
    procedure = models.ForeignKey(
        "catalog.Procedure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name="thủ tục",
    )
    title = models.CharField("tiêu đề", max_length=200)
    content = models.TextField("nội dung")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name="người gửi (tài khoản)",
    )
    contact_name = models.CharField("họ và tên", max_length=200)
    contact_phone = models.CharField("số điện thoại", max_length=20, blank=True)
    contact_email = models.EmailField("thư điện tử", blank=True)
    publish_consent = models.BooleanField("đồng ý công khai", default=False)
    client_key = models.CharField("địa chỉ gửi (băm)", max_length=64, blank=True, db_index=True)
    status = models.CharField(
        "trạng thái", max_length=16, choices=PetitionStatus.choices, default=PetitionStatus.OPEN
    )
    submitted_at = models.DateTimeField("gửi lúc", db_index=True)
    due_at = models.DateTimeField("hạn trả lời")
    answer = models.TextField("nội dung trả lời", blank=True)
    answered_at = models.DateTimeField("trả lời lúc", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người trả lời",
    )

    class Meta:
        verbose_name = "phản ánh, kiến nghị"
        verbose_name_plural = "phản ánh, kiến nghị"
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["unit", "status", "due_at"], name="petition_unit_status_due")]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    @property
    def published(self) -> bool:
        return self.publish_consent and self.status == PetitionStatus.ANSWERED
