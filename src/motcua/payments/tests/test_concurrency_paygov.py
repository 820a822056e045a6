"""PayGov on PostgreSQL: the same notification ten times at once credits once and moves the dossier once;
ten refunds of one payment asked at once give back the money once (the payment's row lock)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.conftest import World
from motcua.payments.constants import EntryKind, Method, PaymentStatus
from motcua.payments.contrib.paygov import protocol
from motcua.payments.models import GatewayNotice, LedgerEntry
from motcua.payments.services import payment_create

from .conftest import CHARGE, FEE
from .test_concurrency import THREADS, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SECRET = "PAYGOVSANDBOXSECRET0123456789ABCD"


def post(message: dict[str, str]) -> str:
    response = Client().post(
        "/api/v1/payments/paygov/notify/", data=json.dumps(message), content_type="application/json"
    )
    assert response.status_code == 200
    return str(response.json()["MaLoi"])


def test_the_same_notification_ten_times_at_once_credits_once(awaiting: Dossier, world: World) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.PAYGOV)
    message = protocol.signed(
        {
            "MaDoiTac": "MOTCUA-VP",
            "MaTraCuuTT": payment.reference,
            "MaGiaoDich": "PG2503100000000042",
            "SoTien": str(payment.amount),
            "TrangThai": "00",
            "ThoiGianThanhToan": "20250310101000",
        },
        SECRET,
    )
    answers = race(lambda i: post(message))
    assert sorted(answers) == ["00"] + ["02"] * (THREADS - 1)
    credits = LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.PAYMENT)
    assert [c.amount for c in credits] == [-(FEE + CHARGE)]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING
    assert DossierEvent.objects.filter(dossier=awaiting, action=Action.PAYMENT_RECEIVED).count() == 1
    assert GatewayNotice.objects.filter(reference=payment.reference).count() == THREADS
