"""Signature requests (what motcua signs and whether it is signed yet) and verifications of stored files."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from motcua.dossiers.models import Dossier, DossierEvent

from .constants import DocumentKind, RequestState, VerificationOutcome


class SignatureRequest(models.Model):
    """One document of a dossier motcua signs: a result file, or a decision form issued to the applicant.

    Created ``awaiting`` ("Chờ ký số") in the transaction that produced the document; the task
    ``sign_requests`` signs it, retried with backoff while the signer fails (``last_error`` shows why). The
    document is never lost: the unsigned original stays available until the signed copy exists.
    ``source`` names the document: ``upload:<id>`` (a result file) or ``form:<nn>:event:<id>``.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="signature_requests")
    event = models.ForeignKey(
        DossierEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField("loại văn bản", max_length=16, choices=DocumentKind.choices)
    source = models.CharField("văn bản gốc", max_length=64)
    form = models.CharField("mẫu", max_length=2, blank=True)
    title = models.CharField("tên văn bản", max_length=255)
    source_name = models.CharField("tệp gốc (lưu trữ)", max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField("người ký", max_length=255)
    unit_name = models.CharField("đơn vị", max_length=255)
    state = models.CharField(
        "trạng thái", max_length=16, choices=RequestState.choices, default=RequestState.AWAITING
    )
    attempts = models.PositiveIntegerField("số lần thử", default=0)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    next_attempt_at = models.DateTimeField("thử lại lúc", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc")
    signed_at = models.DateTimeField("ký lúc", null=True, blank=True)
    signed_name = models.CharField("tệp đã ký (lưu trữ)", max_length=255, blank=True)
    signed_sha256 = models.CharField("mã băm SHA-256 tệp đã ký", max_length=64, blank=True)
    signed_size = models.PositiveBigIntegerField("dung lượng tệp đã ký", null=True, blank=True)
    signer_plugin = models.CharField("phương thức ký", max_length=32, blank=True)
    certificate_subject = models.CharField("chứng thư số", max_length=500, blank=True)
    level = models.CharField("mức chữ ký", max_length=16, blank=True)  # PAdES B-B / B-LT / B-LTA

    class Meta:
        verbose_name = "yêu cầu ký số"
        verbose_name_plural = "yêu cầu ký số"
        ordering = ["dossier", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "source"], name="signature_request_once")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="signature_request_state")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display()})"


class FileVerification(models.Model):
    """The signatures found in a file a citizen uploaded, checked on upload (shown to the officer)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="file_verifications")
    source = models.CharField("tệp", max_length=64)  # upload:<id>
    outcome = models.CharField("kết quả", max_length=16, choices=VerificationOutcome.choices)
    signatures = models.JSONField("chi tiết chữ ký", default=list)
    checked_at = models.DateTimeField("kiểm tra lúc")

    class Meta:
        verbose_name = "kết quả kiểm tra chữ ký số"
        verbose_name_plural = "kết quả kiểm tra chữ ký số"
        constraints = [models.UniqueConstraint(fields=["dossier", "source"], name="file_verification_once")]

    def __str__(self) -> str:
        return f"{self.source}: {self.get_outcome_display()}"
