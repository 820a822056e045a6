"""Configuration of the statistics: Decision 766 indicator weights and thresholds, effective-dated."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from motcua.core import formatting

from .methodology import indicator_choices


class IndicatorSetting(models.Model):
    """The points and threshold of a Decision 766 indicator from ``valid_from`` on (overrides the methodology's,
    ``reports/data/index766.json``, e.g. when a guidance document changes them before the file does)."""

    code = models.CharField("chỉ số", max_length=8, choices=indicator_choices)
    valid_from = models.DateField("áp dụng từ")
    weight = models.DecimalField(
        "điểm tối đa", max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    threshold = models.DecimalField(
        "ngưỡng đạt điểm tối đa (tỷ lệ 0–1)",
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal(1))],
    )
    note = models.CharField("căn cứ, ghi chú", max_length=500, blank=True)

    class Meta:
        verbose_name = "cấu hình chỉ số 766"
        verbose_name_plural = "cấu hình chỉ số 766"
        ordering = ["code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="indicator_setting_unique"),
            models.CheckConstraint(
                condition=models.Q(threshold__gt=0) & models.Q(threshold__lte=1),
                name="indicator_setting_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.code} từ {formatting.day(self.valid_from)}: {self.weight} điểm, ngưỡng {self.threshold}"
        )
