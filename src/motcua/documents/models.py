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
    # Digitisation (docs/documents.md). ``page_count``: pages of a PDF, 1 for an image, empty otherwise.
    page_count = models.PositiveIntegerField("số trang", null=True, blank=True)
    # An electronic copy an officer made of a paper component at the counter (purpose ``counter``): the
    # national portal's ``DuocSoHoa``. Who and when: ``uploaded_by`` / ``uploaded_at``.
    digitised = models.BooleanField("số hóa từ bản giấy", default=False)
    # A certified electronic copy from the original (chứng thực bản sao điện tử) and its certifying official.
    certified_copy = models.BooleanField("bản sao điện tử có chứng thực", default=False)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    certified_at = models.DateTimeField("chứng thực lúc", null=True, blank=True)
    # Re-used from the citizen's data store (``DuocLayTuKhoDMQG``): the stored file it was copied from, and
    # whether the copy's SHA-256 matched the source's when it was made.
    reused_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="lấy từ kho"
    )
    reuse_verified = models.BooleanField("đã đối chiếu mã băm với kho", default=False)

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


class ResultRecord(models.Model):
    """The results register (sổ kết quả): one entry per resolved dossier, written when the result is issued.

    ``number`` is ``NNNNN/YYYY/KQ-<unit code>`` (a sequence per unit and year). The result is *digitised* when
    an electronic file of it exists (result uploads: ``page_count`` is their total). ``valid_until`` empty: the
    result does not expire; an expired result is no longer offered from the citizen's data store.
    """

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="result_record")
    number = models.CharField("số vào sổ", max_length=64, unique=True)
    title = models.TextField("kết quả giải quyết")
    issued_at = models.DateTimeField("ngày cấp")
    valid_from = models.DateField("hiệu lực từ")
    valid_until = models.DateField("hết hiệu lực", null=True, blank=True)
    digitised = models.BooleanField("có bản điện tử", default=False)
    page_count = models.PositiveIntegerField("số trang bản điện tử", null=True, blank=True)
    recorded_at = models.DateTimeField("vào sổ lúc")

    class Meta:
        verbose_name = "sổ kết quả"
        verbose_name_plural = "sổ kết quả"
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["issued_at"], name="result_record_issued")]

    def __str__(self) -> str:
        return self.number
