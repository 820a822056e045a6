"""Types, purposes and rating levels of the documents app."""

from __future__ import annotations

from django.db import models

# Allowed upload types: short name -> (MIME type, extension of the stored file).
UPLOAD_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
# Other extensions files of a type commonly carry (offered by the file picker's ``accept`` attribute).
UPLOAD_OTHER_EXTENSIONS: dict[str, tuple[str, ...]] = {"jpeg": ("jpeg",)}


class UploadPurpose(models.TextChoices):
    SUBMISSION = "submission", "Nộp hồ sơ"
    SUPPLEMENT = "supplement", "Bổ sung hồ sơ"
    RESULT = "result", "Kết quả giải quyết"
    COUNTER = "counter", "Số hóa tại Bộ phận Một cửa"


class ScanResult(models.TextChoices):
    CLEAN = "clean", "Không phát hiện mã độc"
    NOT_SCANNED = "not_scanned", "Chưa quét (chưa cấu hình ClamAV)"


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", "Rất hài lòng"
    SATISFIED = "satisfied", "Hài lòng"
    NOT_SATISFIED = "not_satisfied", "Không hài lòng"
