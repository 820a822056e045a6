from django.db import models


class Sex(models.TextChoices):
    MALE = "male", "Nam"
    FEMALE = "female", "Nữ"


class AssuranceLevel(models.IntegerChoices):
    """Levels of the national e-ID account (DOMAIN.md §7)."""

    LEVEL_1 = 1, "Mức độ 1"
    LEVEL_2 = 2, "Mức độ 2"


class LookupResult(models.TextChoices):
    FOUND = "found", "Tìm thấy"
    NOT_FOUND = "not_found", "Không tìm thấy"
    REFUSED = "refused", "Bị từ chối (không có quyền)"


class Verification(models.TextChoices):
    NONE = "", "Không đối chiếu"
    MATCH = "match", "Khớp"
    MISMATCH = "mismatch", "Không khớp"


# Session keys set at e-ID login (read them through ``motcua.identity.selectors``).
SESSION_ASSURANCE_LEVEL = "identity_assurance_level"
SESSION_PROVIDER = "identity_provider"
SESSION_PENDING = "identity_oidc_pending"
