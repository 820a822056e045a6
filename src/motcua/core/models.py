from django.db import models


class TimestampedModel(models.Model):
    """Base model: creation and update instants."""

    created_at = models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")

    class Meta:
        abstract = True
