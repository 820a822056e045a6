"""Reconciliation with every gateway (issue 12, item 7): payments whose notice never came are settled or expired
after their expiry at VNPay and at the national payment platform; the day's report per gateway and unit
(expected, received, differences) as JSON and Excel; the command and the nightly task."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import load_workbook

from motcua.core import clock
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import MONDAY_10, World
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.payments import reconciliation, tasks
from motcua.payments.constants import EntryKind, Method, PaymentStatus
from motcua.payments.contrib.paygov import PaygovGateway
from motcua.payments.contrib.vnpay import protocol as vnpay_protocol
from motcua.payments.gateways import payment_gateways
from motcua.payments.models import LedgerEntry, Payment, ReconciliationReport
from motcua.payments.services import payment_create

from .conftest import CHARGE, FEE
from .sandbox_pay import pay_paygov, pay_vnpay
from .test_reconcile import Loopback

pytestmark = pytest.mark.django_db

DAY = MONDAY_10.date()


@pytest.fixture
def loopback(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loopback]:
    settings.MOTCUA_SANDBOX_VNPAY_IPN_URL = "http://testserver/api/v1/payments/vnpay/ipn/"
    settings.MOTCUA_VNPAY_API_URL = "http://testserver/sandbox/vnpay/merchant_webapi/api/transaction"
    settings.MOTCUA_SANDBOX_PAYGOV_NOTIFY_URL = "http://testserver/api/v1/payments/paygov/notify/"
    settings.MOTCUA_PAYGOV_API_URL = "http://testserver/sandbox/paygov/api/tra-cuu/"
    adapter = Loopback()
    session = requests.Session()
    session.mount("http://", adapter)
    monkeypatch.setattr(tasks, "transport", session)
    monkeypatch.setattr(payment_gateways["vnpay"], "transport", session, raising=False)
    monkeypatch.setattr(PaygovGateway, "transport", session)
    return adapter


def after_expiry() -> dt.datetime:
    return MONDAY_10 + dt.timedelta(hours=1)


def test_every_gateway_is_settled_after_expiry_and_the_day_reconciles(
    awaiting: Dossier, world: World, loopback: Loopback, settings: Any
) -> None:
    vnpay = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY, amount=FEE)
    paygov = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.PAYGOV, amount=CHARGE)
    unpaid = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.PAYGOV, amount=1000)
    # Both paid at their gateway; neither notice reaches motcua.
    loopback.down = True
    pay_vnpay(vnpay.pay_url)
    settings.MOTCUA_SANDBOX_PAYGOV_FAULTS = "error_rate=1"
    pay_paygov(paygov.pay_url)
    run_queued_tasks()
    loopback.down = False
    settings.MOTCUA_SANDBOX_PAYGOV_FAULTS = ""
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
    # Before expiry nothing is asked; after it, each gateway is asked once per payment.
    assert reconciliation.settle_expired()["checked"] == 0
    with clock.frozen(after_expiry()):
        counts = reconciliation.settle_expired()
    assert (counts["checked"], counts["succeeded"], counts["expired"]) == (3, 2, 1)
    assert counts["gateways"]["vnpay"]["succeeded"] == 1
    assert counts["gateways"]["paygov"] == {
        "checked": 2,
        "succeeded": 1,
        "failed": 0,
        "expired": 1,
        "pending": 0,
        "unavailable": 0,
    }
    statuses = {p.pk: p.status for p in Payment.objects.all()}
    assert statuses == {vnpay.pk: "succeeded", paygov.pk: "succeeded", unpaid.pk: PaymentStatus.EXPIRED}
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 2
    with clock.frozen(after_expiry()):
        assert reconciliation.settle_expired()["checked"] == 0  # settled once
    # The day's report: nothing differs.
    report = reconciliation.report_build(DAY)
    summary = report.summary()
    assert (summary["payments"], summary["expected"], summary["received"], summary["differences"]) == (
        3,
        FEE + CHARGE,
        FEE + CHARGE,
        0,
    )
    rows = {(r["gateway"], r["unit_code"]): r for r in summary["rows"]}
    assert rows[("vnpay", "8707")]["expected"] == FEE
    assert (rows[("paygov", "8707")]["count"], rows[("paygov", "8707")]["received"]) == (2, CHARGE)
    assert ReconciliationReport.objects.get(day=DAY).differences == 0


def test_a_difference_is_reported_with_its_payment(
    awaiting: Dossier, world: World, loopback: Loopback
) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY)
    # motcua credited a payment VNPay knows nothing of (a forged notice signed with a leaked secret, say).
    params = vnpay_protocol.signed(
        {
            "vnp_Amount": str(payment.amount * 100),
            "vnp_ResponseCode": "00",
            "vnp_TmnCode": "MOTCUA01",
            "vnp_TransactionNo": "99999999",
            "vnp_TransactionStatus": "00",
            "vnp_TxnRef": payment.reference,
        },
        "MOTCUASANDBOXSECRET0123456789ABCD",
    )
    assert Client().get("/api/v1/payments/vnpay/ipn/", params).json()["RspCode"] == "00"
    report = reconciliation.report_build(DAY)
    assert report.differences == 1
    (line,) = report.lines
    assert (line.expected, line.received, line.difference, line.gateway_state) == (
        FEE + CHARGE,
        0,
        -(FEE + CHARGE),
        "not_found",
    )
    workbook = load_workbook(io.BytesIO(reconciliation.report_xlsx(report)))
    assert workbook.sheetnames == ["Tổng hợp", "Chi tiết"]
    summary = [[c.value for c in row] for row in workbook["Tổng hợp"].iter_rows()]
    assert summary[0][0] == "Đối soát thanh toán ngày 10/03/2025"
    assert summary[2][:4] == ["Cổng thanh toán", "Mã đơn vị", "Đơn vị", "Số giao dịch"]
    assert summary[3][3:8] == [1, FEE + CHARGE, 0, -(FEE + CHARGE), 1]
    assert summary[-1][0] == "Tổng cộng"
    detail = [[c.value for c in row] for row in workbook["Chi tiết"].iter_rows()]
    assert detail[2][2] == payment.reference
    assert detail[2][7] == "Không có giao dịch"
    # A gateway that cannot be asked is counted apart, not as a difference.
    loopback.down = True
    report = reconciliation.report_build(DAY)
    assert (report.differences, report.unavailable) == (0, 1)


def test_the_command_reconciles_a_day_into_excel(
    awaiting: Dossier, world: World, loopback: Loopback, tmp_path: Path
) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.PAYGOV)
    pay_paygov(payment.pay_url)
    run_queued_tasks()
    out, target = io.StringIO(), tmp_path / "doi-soat.xlsx"
    call_command("reconcile_payments", "--date", DAY.isoformat(), "--xlsx", str(target), stdout=out)
    result = json.loads(out.getvalue())
    assert result["report"]["differences"] == 0
    assert result["report"]["received"] == FEE + CHARGE
    assert load_workbook(target).sheetnames == ["Tổng hợp", "Chi tiết"]
    with pytest.raises(CommandError):
        call_command("reconcile_payments", "--xlsx", str(target), stdout=io.StringIO())
    for odd in ("10/03/2025", "9999-12-31"):
        with pytest.raises(CommandError):
            call_command("reconcile_payments", "--date", odd, stdout=io.StringIO())


def test_the_nightly_task_builds_yesterdays_report_and_queues_the_next(
    awaiting: Dossier, world: World, loopback: Loopback
) -> None:
    from django_tasks_db.models import DBTaskResult

    payment = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY)
    pay_vnpay(payment.pay_url)
    run_queued_tasks()
    with clock.frozen(MONDAY_10 + dt.timedelta(days=1)):
        assert tasks.reconcile_schedule_ensure() is True
        assert tasks.reconcile_schedule_ensure() is False  # one chain
        outcome = tasks.reconcile_payments_daily.call(reschedule=False)
    assert outcome.endswith("differences:0")
    assert ReconciliationReport.objects.get(day=DAY).lines[0]["reference"] == payment.reference
    queued = DBTaskResult.objects.get(task_path=tasks.reconcile_payments_daily.module_path, status="READY")
    assert queued.run_after is not None
    assert queued.run_after.astimezone(clock.VN_TZ).hour == 1
    assert tasks._next_night(dt.datetime(2025, 3, 11, 0, 30, tzinfo=clock.VN_TZ)).day == 11
    assert tasks._next_night(dt.datetime(2025, 3, 11, 1, 0, tzinfo=clock.VN_TZ)).day == 12
