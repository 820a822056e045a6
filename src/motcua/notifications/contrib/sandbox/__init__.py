"""Sandbox SMS gateway: stores each message in the database instead of sending it."""

from __future__ import annotations

from motcua.core import clock

from ...channels import SmsChannel, sms_channels


@sms_channels.register("sandbox")
class SandboxSmsChannel(SmsChannel):
    def send(self, *, recipient: str, body: str, idempotency_key: str) -> str:
        from ...models import SandboxSms

        # Idempotent like a real gateway that dedupes on the client reference.
        sms, _ = SandboxSms.objects.get_or_create(
            reference=idempotency_key,
            defaults={"recipient": recipient, "body": body, "sent_at": clock.now()},
        )
        return f"sandbox-{sms.pk}"
