from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from motcua.core.text import fold

from .constants import Level, Role


class Unit(models.Model):
    """A node of the organisation tree, valid over a period.

    ``code`` is the statistics-office code for territorial units and a readable code (``25-STP``) for
    departments and centres. The statistics office reuses codes across the 2025 reform, so a code names a
    unit only at a date: look units up through ``selectors.unit_by_code(code, as_of=...)``.
    """

    code = models.CharField("mã", max_length=32, db_index=True)
    name = models.CharField("tên", max_length=255)
    level = models.CharField("cấp", max_length=16, choices=Level.choices)
    division_type = models.CharField("loại đơn vị", max_length=32, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    agency_code = models.CharField("mã định danh (QCVN 102:2016)", max_length=32, blank=True)
    has_one_stop_desk = models.BooleanField("có bộ phận một cửa", default=False)
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến (hết ngày)", null=True, blank=True)
    # fold(name): the key of accent-insensitive search ("vinh yen" finds "Phường Vĩnh Yên"); kept by save().
    name_folded = models.CharField("tên không dấu", max_length=255, blank=True, editable=False)

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="unit_code_valid_from_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_folded = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_folded"}
        super().save(*args, **kwargs)

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class UnitSuccession(models.Model):
    """Old → new mapping: ``predecessor`` was merged into (or renamed to) ``successor`` on ``effective_date``."""

    predecessor = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="successions", verbose_name="đơn vị cũ"
    )
    successor = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="predecessions", verbose_name="đơn vị mới"
    )
    effective_date = models.DateField("ngày hiệu lực")

    class Meta:
        verbose_name = "sắp xếp đơn vị (cũ → mới)"
        verbose_name_plural = "sắp xếp đơn vị (cũ → mới)"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unit_succession_unique")
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Membership(models.Model):
    """A staff member's role in a unit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name="cán bộ"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name="đơn vị"
    )
    role = models.CharField("vai trò", max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = "vai trò của cán bộ"
        verbose_name_plural = "vai trò của cán bộ"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit.name}"
