"""Transition consumers (the outbox): registered without touching ``dossier_transition``, delivered by a durable
task in the transition's transaction, isolated, retried with backoff, parked, re-run by hand, idempotent."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.audit.services import audit_record
from motcua.core import clock
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.consumers import (
    TransitionConsumer,
    consumer_delivery_rerun,
    outbound_consumers_off,
    transition_consumers,
    transition_consumers_dispatch,
)
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import ConsumerDelivery, DeliveryState, Dossier, DossierEvent
from motcua.dossiers.tasks import backoff, consume_deliveries
from motcua.notifications.models import Message

from .conftest import MONDAY_10, World
from .factories import dossier_in
from .outbox import run_queued_tasks

pytestmark = pytest.mark.django_db

Register = Callable[[str, type[TransitionConsumer]], TransitionConsumer]


@pytest.fixture
def register(monkeypatch: pytest.MonkeyPatch) -> Register:
    """Register a toy consumer for one test (the registry is given back as it was afterwards)."""
    monkeypatch.setattr(transition_consumers, "_plugins", dict(transition_consumers._plugins))

    def add(identifier: str, cls: type[TransitionConsumer]) -> TransitionConsumer:
        transition_consumers.register(identifier)(cls)
        return transition_consumers[identifier]

    return add


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with clock.frozen(MONDAY_10):
        yield


class Recorder(TransitionConsumer):
    """Keeps what it is handed: on ``receive`` only."""

    label = "Ghi lại (thử nghiệm)"

    def __init__(self) -> None:
        self.seen: list[tuple[int, str, str, dict[str, Any]]] = []

    def wants(self, event: DossierEvent) -> bool:
        return event.action == Action.RECEIVE

    def snapshot(self, event: DossierEvent) -> dict[str, Any]:
        return {"status": event.dossier.status, "received_at": event.dossier.received_at}

    def consume(self, event: DossierEvent, snapshot: dict[str, Any]) -> None:
        self.seen.append((event.pk, event.action, event.dossier.status, snapshot))


class Flaky(TransitionConsumer):
    """Writes an audit entry, then fails while ``down`` (a national portal that does not answer)."""

    label = "Cổng thử nghiệm"
    max_attempts = 3

    def __init__(self) -> None:
        self.down = True
        self.calls = 0

    def consume(self, event: DossierEvent, snapshot: dict[str, Any]) -> None:
        self.calls += 1
        audit_record(actor=None, action="toy.sent", object_type="dossier", object_id=event.dossier_id)
        if self.down:
            raise ConnectionError("cổng không trả lời")


def receive(world: World) -> Dossier:
    dossier = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a)
    return dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a)


def test_a_registered_consumer_receives_the_committed_change(world: World, register: Register) -> None:
    recorder = register("recorder", Recorder)
    assert isinstance(recorder, Recorder)
    dossier = receive(world)
    event = dossier.events.get(action=Action.RECEIVE)
    deliveries = {d.consumer: d for d in ConsumerDelivery.objects.all()}
    assert set(deliveries) == {"notifications", "recorder"}
    mine = deliveries["recorder"]
    assert (mine.event_id, mine.state, mine.attempts) == (event.pk, DeliveryState.QUEUED, 0)
    assert recorder.seen == []  # nothing runs inside the transition
    (task,) = DBTaskResult.objects.all()  # one task for the event's consumers
    assert task.task_path == "motcua.dossiers.tasks.consume_deliveries"
    assert sorted(task.args_kwargs["args"][0]) == sorted([[d.pk, 0] for d in deliveries.values()])

    run_queued_tasks()
    assert recorder.seen == [
        (event.pk, "receive", Status.RECEIVED, {"status": "received", "received_at": MONDAY_10.isoformat()})
    ]
    mine.refresh_from_db()
    assert (mine.state, mine.attempts, mine.done_at, mine.last_error) == (
        DeliveryState.DONE,
        1,
        MONDAY_10,
        "",
    )
    assert Message.objects.filter(object_id=str(dossier.pk)).count() == 2  # the notifications consumer too

    # An action the toy does not want: no delivery of it (and none at all without a notification).
    dossier_transition(
        dossier=dossier, action=Action.ASSIGN, actor=world.officer_a, assignee=world.specialist_a
    )
    assert ConsumerDelivery.objects.count() == 2


def test_no_consumer_wants_it_no_row_no_task(world: World) -> None:
    """A transition that notifies nobody writes no delivery and enqueues no task (counter intake's cost)."""
    dossier = dossier_in(
        Status.SUBMITTED, version=world.version, unit=world.unit_a, applicant_email="", applicant_phone=""
    )
    dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a)
    assert not ConsumerDelivery.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_running_the_task_twice_runs_the_consumer_once(world: World, register: Register) -> None:
    recorder = register("recorder", Recorder)
    assert isinstance(recorder, Recorder)
    receive(world)
    (task,) = DBTaskResult.objects.all()
    args = task.args_kwargs["args"][0]
    first = consume_deliveries.call(args)
    assert first == [DeliveryState.DONE, DeliveryState.DONE]
    assert consume_deliveries.call(args) == [DeliveryState.DONE, DeliveryState.DONE]  # nothing more
    run_queued_tasks()
    assert len(recorder.seen) == 1
    assert Message.objects.count() == 2  # email + SMS once
    assert ConsumerDelivery.objects.filter(attempts=1).count() == 2


def test_a_failing_consumer_never_rolls_back_the_transition(world: World, register: Register) -> None:
    flaky = register("flaky", Flaky)
    assert isinstance(flaky, Flaky)
    dossier = receive(world)
    assert dossier.status == Status.RECEIVED
    delivery = ConsumerDelivery.objects.get(consumer="flaky")
    run_queued_tasks()  # the other consumers are not held back by it; retries run until it parks
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version) == (Status.RECEIVED, 2)
    assert ConsumerDelivery.objects.get(consumer="notifications").state == DeliveryState.DONE
    assert Message.objects.filter(object_id=str(dossier.pk)).count() == 2
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, Flaky.max_attempts)
    assert delivery.last_error == "ConnectionError: cổng không trả lời"
    assert flaky.calls == Flaky.max_attempts
    assert not AuditEntry.objects.filter(action="toy.sent").exists()  # its writes went with each failure


def test_retries_with_backoff_then_parks_and_reruns_by_hand(world: World, register: Register) -> None:
    flaky = register("flaky", Flaky)
    assert isinstance(flaky, Flaky)
    receive(world)
    delivery = ConsumerDelivery.objects.get(consumer="flaky")
    for attempt in range(1, Flaky.max_attempts):
        assert consume_deliveries.call([[delivery.pk, attempt - 1]]) == [DeliveryState.QUEUED]
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.next_attempt_at == MONDAY_10 + backoff(attempt)
        retry = DBTaskResult.objects.order_by("-enqueued_at", "-pk").first()
        assert retry is not None
        assert retry.run_after == delivery.next_attempt_at
        assert retry.args_kwargs["args"] == [[[delivery.pk, attempt]]]
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    # A task enqueued for an earlier attempt (a duplicate) does nothing.
    assert consume_deliveries.call([[delivery.pk, 0]]) == [DeliveryState.QUEUED]
    assert flaky.calls == Flaky.max_attempts - 1
    tasks = DBTaskResult.objects.count()
    assert consume_deliveries.call([[delivery.pk, Flaky.max_attempts - 1]]) == [DeliveryState.FAILED]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryState.FAILED,
        Flaky.max_attempts,
        None,
    )
    assert DBTaskResult.objects.count() == tasks  # parked: no more retries

    flaky.down = False  # the portal is back: an administrator re-runs it
    (rerun,) = consumer_delivery_rerun(delivery_ids=[delivery.pk])
    assert rerun.state == DeliveryState.QUEUED
    task = DBTaskResult.objects.order_by("-enqueued_at", "-pk").first()
    assert task is not None
    assert task.args_kwargs["args"] == [[[delivery.pk, Flaky.max_attempts]]]
    assert consume_deliveries.call([[delivery.pk, Flaky.max_attempts]]) == [DeliveryState.DONE]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (
        DeliveryState.DONE,
        Flaky.max_attempts + 1,
        "",
    )
    assert AuditEntry.objects.filter(action="toy.sent").count() == 1
    assert AuditEntry.objects.get(action="consumer_delivery.rerun").data["attempts"] == Flaky.max_attempts
    # A done delivery is never re-run.
    assert consumer_delivery_rerun(delivery_ids=[delivery.pk]) == []


@pytest.mark.usefixtures("immediate_tasks")
def test_with_immediate_tasks_a_failure_is_recorded_inside_the_transition(
    world: World, register: Register
) -> None:
    """The immediate backend runs the task inside the transition: still isolated, failed at once (no defer)."""
    flaky = register("flaky", Flaky)
    recorder = register("recorder", Recorder)
    assert isinstance(flaky, Flaky)
    assert isinstance(recorder, Recorder)
    dossier = receive(world)
    assert dossier.status == Status.RECEIVED
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED
    states = dict(ConsumerDelivery.objects.values_list("consumer", "state"))
    assert states == {"notifications": "done", "recorder": "done", "flaky": "failed"}
    assert len(recorder.seen) == 1
    assert flaky.calls == 1
    assert not AuditEntry.objects.filter(action="toy.sent").exists()


def test_a_consumer_that_breaks_while_recording_gets_a_failed_delivery(
    world: World, register: Register
) -> None:
    class Broken(Recorder):
        def snapshot(self, event: DossierEvent) -> dict[str, Any]:
            raise KeyError("missing")

    broken = register("broken", Broken)
    assert isinstance(broken, Broken)
    dossier = receive(world)
    assert dossier.status == Status.RECEIVED
    delivery = ConsumerDelivery.objects.get(consumer="broken")
    assert (delivery.state, delivery.snapshot) == (DeliveryState.FAILED, None)
    assert delivery.last_error == "Lỗi khi ghi nhận thao tác: KeyError: 'missing'"
    (task,) = DBTaskResult.objects.all()  # the other consumers' task only
    assert [d for d, _ in task.args_kwargs["args"][0]] == [
        ConsumerDelivery.objects.get(consumer="notifications").pk
    ]
    Broken.snapshot = Recorder.snapshot  # type: ignore[method-assign]  # fixed: re-run takes it now
    consumer_delivery_rerun(delivery_ids=[delivery.pk])
    run_queued_tasks()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DONE
    assert broken.seen[0][3]["status"] == Status.RECEIVED


def test_an_unknown_consumer_fails_visibly(world: World) -> None:
    dossier = receive(world)
    event = dossier.events.get()
    delivery = ConsumerDelivery.objects.create(event=event, consumer="gone", created_at=MONDAY_10)
    assert consume_deliveries.call([[delivery.pk, 0]]) == [DeliveryState.QUEUED]
    delivery.refresh_from_db()
    assert "no transition consumer plugin 'gone'" in delivery.last_error


def test_the_admin_shows_deliveries_and_reruns_them(world: World, register: Register, client: Client) -> None:
    flaky = register("flaky", Flaky)
    assert isinstance(flaky, Flaky)
    dossier = receive(world)
    run_queued_tasks()
    failed = ConsumerDelivery.objects.get(consumer="flaky")
    done = ConsumerDelivery.objects.get(consumer="notifications")
    assert (failed.state, done.state) == (DeliveryState.FAILED, DeliveryState.DONE)
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    page = client.get("/quan-tri/dossiers/consumerdelivery/?state__exact=failed").content.decode()
    assert dossier.code is not None
    assert dossier.code in page
    assert "Cổng thử nghiệm" in page
    assert "Không thành công" in page
    assert "ConnectionError: cổng không trả lời" in page
    assert "Chạy lại" in page
    assert client.get(f"/quan-tri/dossiers/consumerdelivery/{failed.pk}/change/").status_code == 200

    flaky.down = False
    response = client.post(
        "/quan-tri/dossiers/consumerdelivery/",
        {"action": "rerun", "_selected_action": [failed.pk, done.pk]},
        follow=True,
    )
    assert "Đã xếp lịch chạy lại 1 mục. Bỏ qua 1 mục đã xử lý xong." in response.content.decode()
    run_queued_tasks()
    failed.refresh_from_db()
    assert failed.state == DeliveryState.DONE
    assert Message.objects.filter(object_id=str(dossier.pk)).count() == 2  # the done one did not run again
    entry = AuditEntry.objects.get(action="consumer_delivery.rerun")
    assert (entry.object_id, entry.actor_repr) == (str(failed.pk), "root")


def test_an_officer_without_the_permission_cannot_rerun(world: World, client: Client) -> None:
    staff = User.objects.create_user("xem", password="pw", is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_consumerdelivery"))
    client.force_login(staff)
    page = client.get("/quan-tri/dossiers/consumerdelivery/")
    assert page.status_code == 200
    assert "Chạy lại" not in page.content.decode()


def test_the_notifications_consumer_is_registered_and_keyed_on_the_event(world: World) -> None:
    consumer = transition_consumers["notifications"]
    assert consumer.is_enabled()
    assert str(consumer.label) == "Thông báo cho người nộp hồ sơ"
    dossier = receive(world)
    event = dossier.events.get()
    snapshot = ConsumerDelivery.objects.get().snapshot
    assert snapshot is not None
    assert snapshot["notification"] == "dossier_received"
    consumer.consume(event, snapshot)
    consumer.consume(event, snapshot)  # a second run queues nothing more
    keys = sorted(Message.objects.values_list("idempotency_key", flat=True))
    assert keys == [
        f"dossier:{dossier.pk}:event:{event.pk}:email",
        f"dossier:{dossier.pk}:event:{event.pk}:sms",
    ]


def test_dispatch_needs_no_change_to_the_transition(world: World, register: Register) -> None:
    """Dispatching an event by hand (as ``dossier_transition`` does last) is the whole contract."""
    recorder = register("recorder", Recorder)
    assert isinstance(recorder, Recorder)
    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    event = DossierEvent.objects.create(
        dossier=dossier, action=Action.RECEIVE, at=MONDAY_10, from_status="submitted", to_status="received"
    )
    (delivery,) = [d for d in transition_consumers_dispatch(event=event) if d.consumer == "recorder"]
    assert delivery.pk is not None
    run_queued_tasks()
    assert recorder.seen[0][:2] == (event.pk, "receive")


# ------------------------------------------------------------------------------------------ PostgreSQL


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_delivery_is_durable_on_postgres(world: World, register: Register) -> None:
    """The delivery and its task commit or roll back with the transition; the database worker delivers."""
    from django.core.management import call_command

    recorder = register("recorder", Recorder)
    assert isinstance(recorder, Recorder)
    dossier = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a)

    inside: list[int] = []

    def receive_then_fail() -> None:
        with transaction.atomic():
            dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a)
            inside.append(ConsumerDelivery.objects.count())
            raise RuntimeError("the caller fails after the transition")

    with pytest.raises(RuntimeError):
        receive_then_fail()
    assert inside == [2]  # the toy and the notifications, written in the transaction
    assert not ConsumerDelivery.objects.exists()
    assert not DBTaskResult.objects.exists()
    dossier.refresh_from_db()

    dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a)
    assert set(ConsumerDelivery.objects.values_list("state", flat=True)) == {DeliveryState.QUEUED}
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert set(ConsumerDelivery.objects.values_list("state", flat=True)) == {DeliveryState.DONE}
    assert len(recorder.seen) == 1
    assert Message.objects.filter(object_id=str(dossier.pk)).count() == 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_run_a_consumer_once_on_postgres(world: World, register: Register) -> None:
    """The delivery row is locked while its consumer runs: the second worker waits, then finds it done."""
    recorder = register("recorder", Recorder)
    assert isinstance(recorder, Recorder)
    receive(world)
    delivery = ConsumerDelivery.objects.get(consumer="recorder")
    barrier = threading.Barrier(2)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(consume_deliveries.call([[delivery.pk, 0]]))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert results == [[DeliveryState.DONE], [DeliveryState.DONE]]
    assert len(recorder.seen) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


class Outbound(Recorder):
    """A consumer that would send the change out of motcua (as the national portal's does)."""

    outbound = True


def test_outbound_consumers_get_nothing_while_they_are_off(world: World, register: Register) -> None:
    """Simulated history never leaves the system: inside ``outbound_consumers_off`` only internal consumers."""
    register("outbound", Outbound)
    register("recorder", Recorder)
    with outbound_consumers_off():
        quiet = receive(world)
    assert set(ConsumerDelivery.objects.filter(event__dossier=quiet).values_list("consumer", flat=True)) == {
        "notifications",
        "recorder",
    }
    loud = receive(world)  # off only inside the block
    assert set(ConsumerDelivery.objects.filter(event__dossier=loud).values_list("consumer", flat=True)) == {
        "notifications",
        "recorder",
        "outbound",
    }
