"""What every notification channel does, checked against the sandbox SMS gateway and Django e-mail (locmem).

The contract every plugin keeps (identifier, label, sandbox flag, settings, check) is in
``core/tests/test_plugin_contract.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from motcua.notifications.channels import (
    DeliveryError,
    current_email_channel,
    current_sms_channel,
    email_channels,
    send_email,
    sms_channels,
)
from motcua.notifications.contrib.sandbox import FAILING_NUMBER
from motcua.notifications.models import Message, MessageChannel, MessageState, SandboxSms
from motcua.notifications.services import message_queue
from motcua.notifications.tasks import deliver_message

CONTEXT = {
    "code": "X-1",
    "name": "An",
    "unit": "Phường Vĩnh Yên",
    "procedure": "Khai sinh",
    "note": "",
    "due": "",
}


@pytest.mark.django_db
def test_sandbox_sms_returns_a_reference_once_per_key_and_fails_when_told() -> None:
    channel = current_sms_channel()
    assert channel is sms_channels["sandbox"]
    assert channel.sandbox is True
    reference = channel.send(
        recipient="0912345678", body="Hồ sơ X-1 đã được tiếp nhận.", idempotency_key="k1"
    )
    assert reference
    assert channel.send(
        recipient="0912345678", body="Hồ sơ X-1 đã được tiếp nhận.", idempotency_key="k1"
    ) == (reference)
    assert SandboxSms.objects.get().recipient == "0912345678"
    with pytest.raises(DeliveryError, match="always fails"):
        channel.send(recipient=FAILING_NUMBER, body="…", idempotency_key="k2")
    assert SandboxSms.objects.count() == 1


@pytest.mark.django_db
def test_django_email_sends_through_the_backend_with_the_idempotency_key() -> None:
    channel = current_email_channel()
    assert channel is email_channels["django"]
    assert channel.sandbox is False
    assert channel.check() == []  # locmem in tests, in a sandbox installation
    reference = send_email(
        recipient="an@example.vn", subject="Hồ sơ X-1", body="Đã tiếp nhận.", idempotency_key="k1"
    )
    assert reference == "k1"
    (sent,) = mail.outbox
    assert (sent.to, sent.subject, sent.body) == (["an@example.vn"], "Hồ sơ X-1", "Đã tiếp nhận.")
    assert sent.extra_headers["X-Motcua-Idempotency-Key"] == "k1"


def test_a_backend_error_is_a_delivery_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: object, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("SMTP server unreachable")

    monkeypatch.setattr(EmailMessage, "send", fail)
    with pytest.raises(DeliveryError, match="ConnectionRefusedError: SMTP server unreachable"):
        email_channels["django"].send(recipient="an@example.vn", subject="s", body="b", idempotency_key="k")


@pytest.mark.parametrize(("sandbox", "chosen"), [(False, "sandbox"), (True, "")])
def test_no_enabled_channel_is_a_delivery_error(settings: Any, sandbox: bool, chosen: str) -> None:
    settings.SANDBOX = sandbox
    settings.MOTCUA_SMS_CHANNEL = chosen
    settings.MOTCUA_EMAIL_CHANNEL = ""
    with pytest.raises(DeliveryError, match="no SMS channel is enabled"):
        current_sms_channel()
    with pytest.raises(DeliveryError, match="no e-mail channel is enabled"):
        current_email_channel()


@pytest.mark.django_db
def test_messages_are_queued_only_for_enabled_channels(settings: Any) -> None:
    settings.SANDBOX = False  # a production installation without an SMS gateway
    settings.MOTCUA_SMS_CHANNEL = ""
    (email,) = message_queue(
        event="dossier_resolved", key="k-prod", email="an@example.vn", phone="0912345678", context=CONTEXT
    )
    assert email.channel == MessageChannel.EMAIL
    settings.MOTCUA_EMAIL_CHANNEL = ""
    assert message_queue(event="dossier_resolved", key="k-none", email="an@example.vn", context=CONTEXT) == []


@pytest.mark.django_db
def test_an_sms_whose_channel_was_turned_off_waits_for_a_retry(settings: Any) -> None:
    (sms,) = message_queue(event="dossier_resolved", key="k-off", phone="0912345678", context=CONTEXT)
    settings.MOTCUA_SMS_CHANNEL = ""
    assert deliver_message.call(sms.pk) == MessageState.QUEUED
    sms = Message.objects.get(pk=sms.pk)
    assert (sms.attempts, sms.last_error) == (1, "no SMS channel is enabled (MOTCUA_SMS_CHANNEL='')")
    assert not SandboxSms.objects.exists()
