"""The per-province calendar override table (DOMAIN.md §5)."""

from __future__ import annotations

from django.db import models

from motcua.core import formatting
from motcua.core.models import TimestampedModel

from .constants import OverrideKind


class CalendarOverride(TimestampedModel):
    """A day the province declares off, or declares a working day, against the national calendar.

    Write through ``motcua.worktime.services`` (``calendar_override_create/update/delete``): they refresh the
    cached calendar.
    """

    date = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=32, choices=OverrideKind.choices)
    name = models.CharField("tên", max_length=200)
    decision = models.CharField(
        "văn bản quyết định", max_length=200, blank=True, help_text="Số, ký hiệu của văn bản quyết định"
    )

    class Meta:
        verbose_name = "ngày điều chỉnh lịch làm việc"
        verbose_name_plural = "ngày điều chỉnh lịch làm việc"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{formatting.day(self.date)} – {self.get_kind_display()}: {self.name}"
