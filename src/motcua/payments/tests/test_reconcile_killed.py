"""The daily reconciliation killed in the middle of its batch (SIGKILL, PostgreSQL, the gateway over real
HTTP): run again, it credits every payment exactly once, with gap-free receipt numbers, and moves every dossier
on once (docs/payments.md, "Reconciliation"; the guide's "money is sacred" standard)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import dossier_in
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.payments.constants import EntryKind, Method, PaymentStatus, ReceiptKind
from motcua.payments.models import LedgerEntry, Payment, Receipt
from motcua.payments.services import payment_create

from .sandbox_pay import pay_paygov

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ORDERS = 24


def _paid_at_the_platform_unknown_here(world: World) -> list[Payment]:
    """``ORDERS`` dossiers awaiting payment, each with a PayGov order paid at the sandbox platform whose
    notification never reached motcua (its task is never run): only the reconciliation can credit them."""
    payments = []
    for _ in range(ORDERS):
        dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
        dossier_transition(
            dossier=dossier, action=Action.REQUEST_PAYMENT, actor=world.officer_a, note="Lệ phí"
        )
        run_queued_tasks()  # the fees are charged
        payment = payment_create(dossier=dossier, actor=world.officer_a, method=Method.PAYGOV)
        pay_paygov(payment.pay_url)
        payments.append(payment)
    return payments


def _command(base: str) -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        "MOTCUA_SANDBOX": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MOTCUA_PAYGOV_API_URL": f"{base}/sandbox/paygov/api/tra-cuu/",
        "MOTCUA_VNPAY_API_URL": f"{base}/sandbox/vnpay/merchant_webapi/api/transaction",
    }
    env.pop("MOTCUA_TASKS_IMMEDIATE", None)
    return [sys.executable, "-m", "motcua.cli.main", "reconcile-payments"], env


def _credited() -> int:
    return LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count()


def test_a_reconciliation_killed_mid_batch_then_run_again_credits_each_payment_once(
    world: World, fees: Any, frozen: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    payments = _paid_at_the_platform_unknown_here(world)  # opened at MONDAY_10: long expired by now
    assert _credited() == 0
    # Each status query answered after 150 ms (the sandbox platform's fault), so the batch can be cut short.
    settings.MOTCUA_SANDBOX_PAYGOV_FAULTS = "timeout_rate=1,timeout_ms=150"
    command, env = _command(live_server.url)

    log = tmp_path / "first-run.log"
    with log.open("wb") as out:
        first = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            deadline = time.monotonic() + 90
            while _credited() < ORDERS // 3:
                assert first.poll() is None, f"the run ended by itself:\n{log.read_text()[-2000:]}"
                assert time.monotonic() < deadline
                time.sleep(0.02)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL
    cut_at = _credited()
    assert ORDERS // 3 <= cut_at < ORDERS  # killed in the middle of its batch

    settings.MOTCUA_SANDBOX_PAYGOV_FAULTS = ""
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert again.returncode == 0, again.stderr[-2000:]

    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.SUCCEEDED}
    credits = list(LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).values_list("payment_id", flat=True))
    assert sorted(credits) == sorted(p.pk for p in payments)  # each exactly once
    numbers = sorted(Receipt.objects.filter(kind=ReceiptKind.RECEIPT).values_list("number", flat=True))
    assert numbers == list(range(1, ORDERS + 1))  # one each, no gap left by the killed run
    for dossier in Dossier.objects.filter(pk__in=[p.dossier_id for p in payments]):
        assert dossier.status == Status.PROCESSING
        moves = DossierEvent.objects.filter(dossier=dossier, action=Action.PAYMENT_RECEIVED).count()
        assert moves == 1
