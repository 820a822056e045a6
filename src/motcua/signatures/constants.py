from django.db import models


class RequestState(models.TextChoices):
    AWAITING = "awaiting", "Chờ ký số"
    SIGNED = "signed", "Đã ký số"


class DocumentKind(models.TextChoices):
    RESULT = "result", "Văn bản kết quả"
    FORM = "form", "Phiếu/biểu mẫu"
    CERTIFIED_COPY = "certified_copy", "Bản sao điện tử được chứng thực"


class VerificationOutcome(models.TextChoices):
    VALID = "valid", "Chữ ký số hợp lệ"
    INVALID = "invalid", "Chữ ký số không hợp lệ"
    UNTRUSTED = "untrusted", "Chữ ký đúng nhưng chứng thư không được tin cậy"
    UNSIGNED = "unsigned", "Không có chữ ký số"
    ERROR = "error", "Không kiểm tra được"


# The decision forms issued to the applicant and the action that issues each (Circular 01/2018/TT-VPCP).
FORM_OF_ACTION = {"request-supplement": "02", "refuse": "03", "extend": "04"}
