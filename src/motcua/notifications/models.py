"""Outgoing messages with their delivery state (ARCHITECTURE.md rule 5)."""

from __future__ import annotations

from django.db import models


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Thư điện tử"
    SMS = "sms", "Tin nhắn SMS"


class MessageState(models.TextChoices):
    QUEUED = "queued", "Chờ gửi"
    SENT = "sent", "Đã gửi"
    FAILED = "failed", "Gửi không thành công"


class Message(models.Model):
    """One message to one recipient on one channel; delivered by ``tasks.deliver_message``."""

    event = models.CharField("sự kiện", max_length=64)
    channel = models.CharField("kênh", max_length=16, choices=MessageChannel.choices)
    recipient = models.CharField("người nhận", max_length=255)
    subject = models.CharField("tiêu đề", max_length=255, blank=True)
    body = models.TextField("nội dung")
    state = models.CharField(
        "trạng thái", max_length=16, choices=MessageState.choices, default=MessageState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    provider_ref = models.CharField("mã của nhà cung cấp", max_length=255, blank=True)
    idempotency_key = models.CharField("khóa chống gửi trùng", max_length=255, unique=True)
    object_type = models.CharField("loại đối tượng", max_length=64, blank=True)
    object_id = models.CharField("mã đối tượng", max_length=64, blank=True)
    created_at = models.DateTimeField("tạo lúc")
    next_attempt_at = models.DateTimeField("gửi lại lúc", null=True, blank=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="message_state"),
            models.Index(fields=["object_type", "object_id"], name="message_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.event} ({self.state})"


class SandboxSms(models.Model):
    """SMS 'delivered' by the sandbox channel: what a real gateway would have sent."""

    recipient = models.CharField(max_length=32)
    body = models.TextField()
    reference = models.CharField(max_length=255, unique=True)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = "SMS (sandbox)"
        verbose_name_plural = "SMS (sandbox)"
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.body[:40]}"
