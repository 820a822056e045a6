from django.db import models


class TimestampedModel(models.Model):
    """Base model: creation and update instants."""

    created_at = models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")

    class Meta:
        abstract = True


class RefcacheVersion(models.Model):
    """One row: bumped by every change of reference data, read by every process (``core.refcache``).

    A process that saves a unit, a procedure version, a token … increments it in the same transaction; the
    other processes (and nodes) compare it with the value they last saw at most every
    ``MOTCUA_REFERENCE_CACHE_CHECK_SECONDS`` and empty their cache when it moved.
    """

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "phiên bản dữ liệu tham chiếu"

    def __str__(self) -> str:
        return str(self.version)
