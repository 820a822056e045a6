from django.db import models


class LimitUnit(models.TextChoices):
    """How a legal time limit is expressed (DOMAIN.md §3, §5)."""

    DAYS = "days", "ngày làm việc"
    HOURS = "hours", "giờ làm việc"
    SAME_DAY = "same_day", "trong ngày"


class Classification(models.TextChoices):
    """Resolution classification (DOMAIN.md §5)."""

    EARLY = "early", "Trước hạn"
    ON_TIME = "on_time", "Đúng hạn"
    LATE = "late", "Quá hạn"


class OverrideKind(models.TextChoices):
    """What a calendar override declares about its date."""

    EXTRA_DAY_OFF = "extra_day_off", "Ngày nghỉ thêm"
    EXTRA_WORKING_DAY = "extra_working_day", "Ngày làm việc thêm (làm bù)"
