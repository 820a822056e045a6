"""Applicant notifications: templates, channels, delivery states, retry with backoff, the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from motcua.core import clock
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import ConsumerDelivery, DeliveryState, Dossier
from motcua.dossiers.services import dossier_intake_counter
from motcua.dossiers.tasks import consume_deliveries
from motcua.dossiers.tests.conftest import MONDAY_10, World
from motcua.dossiers.tests.factories import dossier_in
from motcua.notifications.channels import sms_channels
from motcua.notifications.models import Message, MessageState, SandboxSms
from motcua.notifications.services import message_queue, message_retry
from motcua.notifications.tasks import MAX_ATTEMPTS, backoff, deliver_message, deliver_messages

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "Trần Thị Bình", "phone": "0987 654 321", "email": "binh@example.vn"}


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with clock.frozen(MONDAY_10):  # email goes to Django's locmem outbox in tests
        yield


@pytest.fixture
def smtp_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: object, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("SMTP server unreachable")

    monkeypatch.setattr(EmailMessage, "send", fail)


def intake(world: World, applicant: dict[str, str] = APPLICANT) -> Dossier:
    return dossier_intake_counter(
        officer=world.officer_a, procedure_code="1.001193", unit_code="8707", applicant=applicant
    )


@pytest.mark.usefixtures("immediate_tasks")
def test_receipt_is_sent_by_email_and_sms(world: World) -> None:
    dossier = intake(world)
    messages = {m.channel: m for m in Message.objects.all()}
    assert set(messages) == {"email", "sms"}
    assert all(m.state == MessageState.SENT and m.attempts == 1 for m in messages.values())
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["binh@example.vn"]
    assert email.subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    assert "Ngày hẹn trả kết quả: 10:00 13/03/2025" in email.body
    assert "Phường Vĩnh Yên" in email.body
    assert f"/tra-cuu/?ma={dossier.code}" in email.body
    sms = SandboxSms.objects.get()
    assert sms.recipient == "0987654321"
    assert dossier.code in sms.body
    assert "10:00 13/03/2025" in sms.body
    assert messages["sms"].provider_ref == f"sandbox-{sms.pk}"


@pytest.mark.usefixtures("immediate_tasks")
def test_applicants_are_told_each_milestone(world: World) -> None:
    dossier = intake(world)
    dossier = dossier_transition(
        dossier=dossier, action=Action.REQUEST_SUPPLEMENT, actor=world.officer_a, note="Thiếu giấy chứng sinh"
    )
    dossier = dossier_transition(dossier=dossier, action=Action.SUPPLEMENT_RECEIVED, actor=world.officer_a)
    dossier = dossier_transition(
        dossier=dossier,
        action=Action.EXTEND,
        actor=world.leader_a,
        note="Cần xác minh",
        due=dt.datetime(2025, 3, 20, 10, tzinfo=clock.VN_TZ),
    )
    dossier_transition(dossier=dossier, action=Action.RESOLVE, actor=world.leader_a, result="Giấy khai sinh")
    events = list(Message.objects.filter(channel="email").order_by("pk").values_list("event", flat=True))
    assert events == [
        "dossier_received",
        "dossier_supplement_requested",
        "dossier_extended",
        "dossier_resolved",
    ]
    subjects = [m.subject for m in mail.outbox]
    assert subjects[1] == f"Hồ sơ {dossier.code} cần bổ sung"
    assert "Thiếu giấy chứng sinh" in mail.outbox[1].body
    assert "Ngày hẹn trả kết quả mới: 10:00 20/03/2025" in mail.outbox[2].body
    assert subjects[3] == f"Hồ sơ {dossier.code} đã có kết quả"
    assert Message.objects.filter(state=MessageState.SENT).count() == 8


@pytest.mark.usefixtures("immediate_tasks")
def test_refusal_is_notified(world: World) -> None:
    dossier = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a)
    dossier_transition(
        dossier=dossier, action=Action.REFUSE, actor=world.officer_a, note="Không thuộc thẩm quyền"
    )
    message = Message.objects.get(channel="email")
    assert message.event == "dossier_refused"
    assert "Lý do: Không thuộc thẩm quyền" in message.body


@pytest.mark.usefixtures("immediate_tasks")
def test_no_contact_no_message(world: World) -> None:
    intake(world, {"name": "Ẩn danh"})
    assert not Message.objects.exists()


@pytest.mark.usefixtures("immediate_tasks")
def test_an_invalid_phone_gets_no_sms(world: World) -> None:
    message_queue(event="dossier_resolved", key="k1", phone="12ab", email="", context=_context())
    assert not Message.objects.exists()


def _context() -> dict[str, str]:
    return {
        "code": "X-1",
        "name": "An",
        "unit": "Phường Vĩnh Yên",
        "procedure": "Khai sinh",
        "note": "",
        "due": "",
    }


def test_idempotency_key_queues_and_sends_once(world: World) -> None:
    first = message_queue(
        event="dossier_resolved", key="dossier:1:event:9", phone="0912345678", context=_context()
    )
    again = message_queue(
        event="dossier_resolved", key="dossier:1:event:9", phone="0912345678", context=_context()
    )
    assert [m.pk for m in first] == [m.pk for m in again]
    assert DBTaskResult.objects.count() == 1  # the second call enqueued nothing
    message = first[0]
    assert deliver_message.call(message.pk) == MessageState.SENT
    assert deliver_message.call(message.pk) == MessageState.SENT  # a duplicate delivery is a no-op
    assert SandboxSms.objects.count() == 1
    message.refresh_from_db()
    assert message.attempts == 1
    assert "Moi ong/ba den nhan ket qua" in message.body


def test_a_key_queued_on_one_channel_adds_only_the_other(world: World) -> None:
    """One INSERT … ON CONFLICT DO NOTHING: new channels are inserted and enqueued, earlier ones returned."""
    (sms,) = message_queue(event="dossier_resolved", key="k:1", phone="0912345678", context=_context())
    both = message_queue(
        event="dossier_resolved", key="k:1", email="a@example.vn", phone="0912345678", context=_context()
    )
    assert [(m.channel, m.idempotency_key) for m in both] == [("email", "k:1:email"), ("sms", "k:1:sms")]
    assert both[1].pk == sms.pk
    assert Message.objects.get(pk=both[0].pk).recipient == "a@example.vn"
    assert Message.objects.count() == 2
    assert DBTaskResult.objects.count() == 2  # one delivery task per message, never two


def test_one_task_delivers_the_messages_of_an_occurrence_each_on_its_own(
    world: World, smtp_down: None
) -> None:
    """Email and SMS of one event: one delivery task; the email failing does not hold the SMS back."""
    email, sms = message_queue(
        event="dossier_resolved", key="k-both", email="an@example.vn", phone="0912345678", context=_context()
    )
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == "motcua.notifications.tasks.deliver_messages"
    assert task.args_kwargs == {"args": [[email.pk, sms.pk]], "kwargs": {}}
    assert deliver_messages.call([email.pk, sms.pk]) == [MessageState.QUEUED, MessageState.SENT]
    assert SandboxSms.objects.get().recipient == "0912345678"
    email.refresh_from_db()
    assert (email.state, email.attempts) == (MessageState.QUEUED, 1)
    retry = DBTaskResult.objects.exclude(pk=task.pk).get()  # the email alone, later
    assert (retry.task_path, retry.args_kwargs["args"]) == (
        "motcua.notifications.tasks.deliver_message",
        [email.pk],
    )
    assert retry.run_after == email.next_attempt_at


def test_an_unexpected_error_fails_the_task_after_the_other_messages_are_sent(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    email, sms = message_queue(
        event="dossier_resolved", key="k-bug", email="an@example.vn", phone="0912345678", context=_context()
    )

    def broken(**_kwargs: object) -> str:
        raise RuntimeError("a bug in the email backend")

    monkeypatch.setattr("motcua.notifications.tasks.send_email", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        deliver_messages.call([email.pk, sms.pk])
    sms.refresh_from_db()
    assert sms.state == MessageState.SENT
    assert Message.objects.get(pk=email.pk).state == MessageState.QUEUED  # left for an administrator


def test_failures_retry_with_backoff_then_fail(
    world: World, smtp_down: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    (message,) = message_queue(
        event="dossier_resolved", key="k-fail", email="an@example.vn", context=_context()
    )
    assert DBTaskResult.objects.count() == 1
    for attempt in range(1, MAX_ATTEMPTS):
        assert deliver_message.call(message.pk) == MessageState.QUEUED
        message.refresh_from_db()
        assert message.attempts == attempt
        assert "SMTP server unreachable" in message.last_error
        assert message.next_attempt_at == MONDAY_10 + backoff(attempt)
        retry = DBTaskResult.objects.order_by("-enqueued_at", "-pk").first()
        assert retry is not None
        assert retry.run_after == message.next_attempt_at
    assert DBTaskResult.objects.count() == MAX_ATTEMPTS
    assert deliver_message.call(message.pk) == MessageState.FAILED
    message.refresh_from_db()
    assert (message.state, message.attempts, message.next_attempt_at) == (
        MessageState.FAILED,
        MAX_ATTEMPTS,
        None,
    )
    assert DBTaskResult.objects.count() == MAX_ATTEMPTS  # no more retries
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]

    monkeypatch.undo()  # the server is back
    message_retry(message=message)
    assert deliver_message.call(message.pk) == MessageState.SENT
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (MessageState.SENT, MAX_ATTEMPTS + 1, "")


def test_only_failed_messages_are_retried(world: World) -> None:
    (message,) = message_queue(event="dossier_resolved", key="k2", email="an@example.vn", context=_context())
    with pytest.raises(Exception, match="không thành công"):
        message_retry(message=message)


@pytest.mark.usefixtures("immediate_tasks", "smtp_down")
def test_without_deferred_tasks_a_failure_is_final(world: World) -> None:
    """The immediate backend cannot run tasks later: the message fails at once, visibly."""
    (message,) = message_queue(event="dossier_resolved", key="k3", email="an@example.vn", context=_context())
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.FAILED, 1)


def test_sms_registry_has_the_sandbox() -> None:
    from motcua.notifications.channels import current_sms_channel

    assert current_sms_channel() is sms_channels["sandbox"]
    assert "sandbox" in sms_channels.identifiers()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transition_enqueues_nothing(world: World) -> None:
    """The outbox: with the database task backend, work enqueued in a transaction rolls back with it."""
    dossier = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a)
    inside: list[int] = []

    def receive_then_fail() -> None:
        with transaction.atomic():
            dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a)
            inside.append(DBTaskResult.objects.count())
            raise RuntimeError("the caller fails after the transition")

    with pytest.raises(RuntimeError):
        receive_then_fail()
    assert inside == [1]  # one task running the transition's consumers was enqueued inside the transaction
    assert DBTaskResult.objects.count() == 0
    assert not ConsumerDelivery.objects.exists()
    assert not Message.objects.exists()
    dossier.refresh_from_db()
    assert (dossier.status, dossier.received_at, dossier.version) == (Status.SUBMITTED, None, 1)
    dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a)
    assert DBTaskResult.objects.count() == 1
    delivery = ConsumerDelivery.objects.get()
    assert (delivery.consumer, delivery.state) == ("notifications", DeliveryState.QUEUED)
    assert consume_deliveries.call([[delivery.pk, 0]]) == [DeliveryState.DONE]  # what the worker runs
    assert DBTaskResult.objects.count() == 2  # + the delivery of the email and the SMS
    assert set(Message.objects.values_list("state", flat=True)) == {MessageState.QUEUED}


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_delivers_committed_messages(world: World) -> None:
    """End to end with the real outbox: the transition commits, ``db_worker --batch`` sends."""
    from django.core.management import call_command

    dossier = intake(world)
    assert ConsumerDelivery.objects.get().state == DeliveryState.QUEUED
    assert not Message.objects.exists()  # the notifications consumer has not run yet
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert ConsumerDelivery.objects.get().state == DeliveryState.DONE
    assert set(Message.objects.values_list("state", flat=True)) == {MessageState.SENT}
    assert [m.subject for m in mail.outbox] == [f"Hồ sơ {dossier.code} đã được tiếp nhận"]
    assert SandboxSms.objects.get().recipient == "0987654321"
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
