"""Notification channels: email through Django's email backend, SMS through a plugin registry."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from motcua.core.registry import Registry


class DeliveryError(Exception):
    """A channel could not deliver a message (temporary or permanent); the task retries with backoff."""


class SmsChannel:
    """Base class of SMS gateways: ``send`` returns the gateway's reference or raises ``DeliveryError``."""

    identifier: str = ""

    def send(self, *, recipient: str, body: str, idempotency_key: str) -> str:
        raise NotImplementedError


sms_channels: Registry[SmsChannel] = Registry("sms channel")


def current_sms_channel() -> SmsChannel:
    """The SMS channel named by ``MOTCUA_SMS_CHANNEL`` (default ``sandbox``)."""
    # Importing the contrib packages registers their plugins.
    from .contrib import sandbox  # noqa: F401

    return sms_channels[getattr(settings, "MOTCUA_SMS_CHANNEL", "sandbox")]


def send_email(*, recipient: str, subject: str, body: str, idempotency_key: str) -> str:
    """Send through Django's email backend (console in development, locmem in tests)."""
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[recipient],
        headers={"X-Motcua-Idempotency-Key": idempotency_key},
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # the backend's error becomes a retriable delivery error
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    return idempotency_key
