"""Issue 12 safety on PostgreSQL: the same IPN delivered ten times at once credits once; a success and its
failures racing end as one success with one credit; the dossier moves on once."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.conftest import World
from motcua.payments.constants import EntryKind, Method, PaymentStatus
from motcua.payments.contrib.vnpay import protocol
from motcua.payments.models import GatewayNotice, LedgerEntry, Payment
from motcua.payments.services import payment_create

from .conftest import CHARGE, FEE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 10
SECRET = "MOTCUASANDBOXSECRET0123456789ABCD"


def ipn(payment: Payment, *, success: bool = True) -> dict[str, str]:
    code = "00" if success else "51"
    return protocol.signed(
        {
            "vnp_Amount": str(payment.amount * 100),
            "vnp_ResponseCode": code,
            "vnp_TmnCode": "MOTCUA01",
            "vnp_TransactionNo": "14012345",
            "vnp_TransactionStatus": "00" if success else "02",
            "vnp_TxnRef": payment.reference,
            "vnp_PayDate": "20250310101000",
        },
        SECRET,
    )


def race(send: Callable[[int], str]) -> list[str]:
    """``send(i)`` in ten threads released at once; the RspCode each got."""
    assert connection.vendor == "postgresql"
    barrier = threading.Barrier(THREADS)
    answers: list[str] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            answers.append(send(i))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert len(answers) == THREADS
    return answers


def get(params: dict[str, str]) -> str:
    response = Client().get("/api/v1/payments/vnpay/ipn/", params)
    assert response.status_code == 200
    return str(response.json()["RspCode"])


def test_the_same_ipn_ten_times_at_once_credits_once(awaiting: Dossier, world: World) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY)
    params = ipn(payment)
    answers = race(lambda i: get(params))
    assert sorted(answers) == ["00"] + ["02"] * (THREADS - 1)
    credits = LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.PAYMENT)
    assert [c.amount for c in credits] == [-(FEE + CHARGE)]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING
    assert DossierEvent.objects.filter(dossier=awaiting, action=Action.PAYMENT_RECEIVED).count() == 1
    assert GatewayNotice.objects.filter(reference=payment.reference).count() == THREADS


def test_a_success_racing_its_failures_ends_as_one_success(awaiting: Dossier, world: World) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY)
    good, bad = ipn(payment), ipn(payment, success=False)
    answers = race(lambda i: get(good if i % 2 else bad))
    assert set(answers) <= {"00", "02"}
    # Whatever the order, the success is recorded once and a failure never undoes it.
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.PAYMENT).count() == 1
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING


def test_two_payments_of_one_dossier_settling_at_once_move_it_once(awaiting: Dossier, world: World) -> None:
    first = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY, amount=FEE)
    second = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY, amount=CHARGE)
    notices = [ipn(first), ipn(second)]
    answers = race(lambda i: get(notices[i % 2]))
    assert sorted(answers) == ["00", "00"] + ["02"] * (THREADS - 2)
    assert LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.PAYMENT).count() == 2
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING
    assert DossierEvent.objects.filter(dossier=awaiting, action=Action.PAYMENT_RECEIVED).count() == 1
