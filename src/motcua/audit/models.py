"""Append-only audit trail: one entry per write, never changed or deleted through the ORM."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    """An append-only row was updated or deleted through the ORM."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} is append-only: no update")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} is append-only: no delete")


class AppendOnlyModel(models.Model):
    """Rows are inserted once and never changed or deleted through the ORM (model or queryset)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only: no update")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} is append-only: no delete")


class AuditEntry(AppendOnlyModel):
    """Who did what to which object, when, with the data of the change."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người thực hiện",
    )
    actor_repr = models.CharField("người thực hiện (tên)", max_length=255, blank=True)
    action = models.CharField("thao tác", max_length=64)
    object_type = models.CharField("loại đối tượng", max_length=64)
    object_id = models.CharField("mã đối tượng", max_length=64)
    at = models.DateTimeField("lúc")
    data = models.JSONField("dữ liệu", default=dict, blank=True)
    # The hash chain (audit/chain.py): one chain per Vietnam day, position ``seq`` (1, 2, ...) in it.
    chain_day = models.DateField("ngày của chuỗi")
    seq = models.PositiveIntegerField("số thứ tự trong chuỗi")
    prev_hash = models.CharField("mã băm bản ghi trước", max_length=64)
    hash = models.CharField("mã băm", max_length=64)

    class Meta:
        verbose_name = "nhật ký"
        verbose_name_plural = "nhật ký"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        constraints = [models.UniqueConstraint(fields=["chain_day", "seq"], name="audit_chain_position")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The end of one day's chain: its length and last hash; locked by every append of that day."""

    day = models.DateField("ngày", primary_key=True)
    count = models.PositiveIntegerField("số bản ghi")
    prev_hash = models.CharField("mã băm trước bản ghi cuối", max_length=64)
    last_hash = models.CharField("mã băm bản ghi cuối", max_length=64)

    class Meta:
        verbose_name = "đầu chuỗi nhật ký"
        verbose_name_plural = "đầu chuỗi nhật ký"
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.count} bản ghi"
