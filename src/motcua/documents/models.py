"""Uploaded files of dossiers, the citizen's form answers and satisfaction ratings."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from motcua.dossiers.models import Dossier, DossierComponent

from .constants import Satisfaction, ScanResult, UploadPurpose


class Upload(models.Model):
    """One file a citizen attached to a dossier component (or to the dossier, for a supplement), or a result
    file the specialist/leader attached when resolving the dossier (purpose ``result``, no component).

    The file lives in the default storage under ``stored_name`` (a generated name); ``original_name`` is the
    sanitised name the citizen gave, shown and used for downloads only.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="uploads")
    component = models.ForeignKey(
        DossierComponent, on_delete=models.SET_NULL, null=True, blank=True, related_name="uploads"
    )
    purpose = models.CharField(
        "mục đích", max_length=16, choices=UploadPurpose.choices, default=UploadPurpose.SUBMISSION
    )
    original_name = models.CharField("tên tệp", max_length=255)
    stored_name = models.CharField("tên lưu trữ", max_length=255, unique=True)
    content_type = models.CharField("kiểu tệp", max_length=100)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField("mã băm SHA-256", max_length=64)
    scan_result = models.CharField("kết quả quét virus", max_length=16, choices=ScanResult.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("tải lên lúc")

    class Meta:
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"
        ordering = ["dossier", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class SubmissionData(models.Model):
    """What the citizen typed into the procedure's form, and when they were shown the privacy notice."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="submission_data")
    answers = models.JSONField("nội dung tờ khai", default=dict, blank=True)
    privacy_notice_at = models.DateTimeField("đã xem thông báo xử lý dữ liệu cá nhân lúc", null=True)
    updated_at = models.DateTimeField("cập nhật lúc")

    class Meta:
        verbose_name = "nội dung tờ khai trực tuyến"
        verbose_name_plural = "nội dung tờ khai trực tuyến"

    def __str__(self) -> str:
        return f"{self.dossier}"


class Rating(models.Model):
    """The applicant's satisfaction with a returned dossier: one per dossier."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    level = models.CharField("mức độ hài lòng", max_length=16, choices=Satisfaction.choices)
    comment = models.TextField("góp ý", blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rated_at = models.DateTimeField("đánh giá lúc")

    class Meta:
        verbose_name = "đánh giá mức độ hài lòng"
        verbose_name_plural = "đánh giá mức độ hài lòng"

    def __str__(self) -> str:
        return f"{self.dossier}: {self.level}"
