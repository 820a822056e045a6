"""Notification channels: SMS gateways and e-mail senders, plugins on one base (``motcua.core.registry``).

Each channel kind has a registry chosen by one setting: ``sms_channels`` by ``MOTCUA_SMS_CHANNEL``
(``sandbox`` stores each SMS in the database; the default only with ``MOTCUA_SANDBOX``, otherwise empty: no
SMS is queued), ``email_channels`` by ``MOTCUA_EMAIL_CHANNEL`` (``django``: Django's e-mail backend, console
in development, SMTP in production, locmem in tests). ``NotificationsConfig.ready()`` registers them.
"""

from __future__ import annotations

from motcua.core.registry import Plugin, Registry


class DeliveryError(Exception):
    """A channel could not deliver a message (temporary or permanent); the task retries with backoff."""


class NotificationChannel(Plugin):
    """Shared base of the channels: chosen by one setting; each kind's ``send(*, recipient, …,
    idempotency_key)`` returns the channel's reference or raises ``DeliveryError``, and is idempotent on
    ``idempotency_key`` where the channel allows it (a retried message must not arrive twice).
    """


class SmsChannel(NotificationChannel):
    """Base class of SMS gateways."""

    def send(self, *, recipient: str, body: str, idempotency_key: str) -> str:
        raise NotImplementedError


class EmailChannel(NotificationChannel):
    """Base class of e-mail senders."""

    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> str:
        raise NotImplementedError


sms_channels: Registry[SmsChannel] = Registry("sms channel", setting="MOTCUA_SMS_CHANNEL")
email_channels: Registry[EmailChannel] = Registry("email channel", setting="MOTCUA_EMAIL_CHANNEL")


def current_sms_channel() -> SmsChannel:
    """The enabled SMS channel ``MOTCUA_SMS_CHANNEL`` names; ``DeliveryError`` when there is none."""
    channel = sms_channels.chosen()
    if channel is None:
        raise DeliveryError(
            f"no SMS channel is enabled (MOTCUA_SMS_CHANNEL={sms_channels.chosen_identifier()!r})"
        )
    return channel


def current_email_channel() -> EmailChannel:
    """The enabled e-mail channel ``MOTCUA_EMAIL_CHANNEL`` names; ``DeliveryError`` when there is none."""
    channel = email_channels.chosen()
    if channel is None:
        raise DeliveryError(
            f"no e-mail channel is enabled (MOTCUA_EMAIL_CHANNEL={email_channels.chosen_identifier()!r})"
        )
    return channel


def send_email(*, recipient: str, subject: str, body: str, idempotency_key: str) -> str:
    """Send one e-mail through the current e-mail channel."""
    return current_email_channel().send(
        recipient=recipient, subject=subject, body=body, idempotency_key=idempotency_key
    )
