"""Sandbox SMS gateway: stores each message in the database (``SandboxSms``) instead of sending it.

A sandbox plugin: the start-up check refuses it outside ``MOTCUA_SANDBOX``. Like a payment sandbox's
declined card, one number always fails (``FAILING_NUMBER``), so a failed SMS can be shown and tested.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from motcua.core import clock

from ...channels import DeliveryError, SmsChannel, sms_channels
from ...models import SandboxSms

FAILING_NUMBER = "0999999999"


@sms_channels.register("sandbox")
class SandboxSmsChannel(SmsChannel):
    sandbox = True
    label = _("Tin nhắn SMS (thử nghiệm, lưu trong cơ sở dữ liệu)")

    def send(self, *, recipient: str, body: str, idempotency_key: str) -> str:
        if recipient == FAILING_NUMBER:
            raise DeliveryError(f"sandbox SMS gateway: {recipient} always fails")
        # Idempotent like a real gateway that dedupes on the client reference.
        sms, _created = SandboxSms.objects.get_or_create(
            reference=idempotency_key,
            defaults={"recipient": recipient, "body": body, "sent_at": clock.now()},
        )
        return f"sandbox-{sms.pk}"
