from django.db import models


class OnlineMode(models.TextChoices):
    """Online service mode (Decree 42/2022)."""

    FULL = "full", "Toàn trình"
    PARTIAL = "partial", "Một phần"
    NONE = "none", "Không trực tuyến"


class P06Kind(models.TextChoices):
    """A procedure of Project 06 (Decision 06/QĐ-TTg: population data, identification and e-authentication)
    whose dossiers the province's monthly figures count (``reports.kpi``); empty for every other procedure."""

    NONE = "", "Không thuộc Đề án 06"
    CHIP_ID = "chip_id", "Cấp thẻ Căn cước công dân gắn chip"
    EID_LEVEL1 = "eid_level1", "Cấp tài khoản định danh điện tử mức độ 1"
    EID_LEVEL2 = "eid_level2", "Cấp tài khoản định danh điện tử mức độ 2"
    EID_ACTIVATION = "eid_activation", "Kích hoạt tài khoản định danh điện tử"


class SupplementRule(models.TextChoices):
    """What a supplement request does to the clock (DOMAIN.md §3)."""

    RESET = "reset", "Tính lại từ đầu khi nhận đủ hồ sơ"
    PAUSE = "pause", "Tạm dừng, tiếp tục khi nhận đủ hồ sơ"


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    PUBLISHED = "published", "Đã công bố"
    RETIRED = "retired", "Hết hiệu lực"


class ComponentKind(models.TextChoices):
    """Whether a component is submitted as the original, a copy, or only shown at the desk."""

    ORIGINAL = "original", "Bản chính"
    COPY = "copy", "Bản sao"
    PRESENT = "present", "Xuất trình"


# A procedure version's own attributes, in the order of the import/export files (docs/catalog.md).
VERSION_ATTRS: tuple[str, ...] = (
    "status",
    "valid_from",
    "valid_to",
    "name",
    "level",
    "implementing_agency",
    "legal_basis",
    "time_limit_value",
    "time_limit_unit",
    "online_mode",
    "min_eid_level",
    "supplement_rule",
    "online_fee_percent",
    "result_documents",
    "form_fields",
    "notes",
)
