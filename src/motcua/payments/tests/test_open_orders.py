"""Orders still open when the balance reaches zero by another channel are closed (issue 12, defect): Mẫu 01
opens a VietQR order when printed; if the fee is then paid in cash at the counter, that order must not stay
pending forever, and money that still arrives for it is an overpayment, never lost, never a second credit
of the fee."""

from __future__ import annotations

from pathlib import Path

import pytest

from motcua.audit.models import AuditEntry
from motcua.core import clock
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import dossier_in
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.payments.bank import bank_line_assign, bank_statement_import
from motcua.payments.constants import BankLineStatus, EntryKind, Method, PaymentStatus
from motcua.payments.models import BankStatementLine, LedgerEntry, Payment
from motcua.payments.printing import form_01_vietqr
from motcua.payments.reconciliation import settle_expired
from motcua.payments.selectors import dossier_balance
from motcua.payments.services import payment_create

from .conftest import CHARGE, FEE
from .sandbox_pay import pay_vnpay
from .test_bank import ACCOUNT, csv_file
from .test_reconcile import Loopback, later, loopback  # noqa: F401  (fixture)
from .test_vnpay import ipn_params, open_vnpay, send_ipn

pytestmark = pytest.mark.django_db


def test_cash_at_the_counter_closes_the_vietqr_order_of_form_01_and_a_late_transfer_is_an_overpayment(
    world: World, fees: object, tmp_path: Path
) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    assert form_01_vietqr(dossier, "01")["payment_reference"]  # Mẫu 01 printed: a VietQR order opened
    order = Payment.objects.get(dossier=dossier, method=Method.VIETQR)
    assert order.status == PaymentStatus.PENDING
    cash = payment_create(dossier=dossier, actor=world.officer_a, method=Method.CASH)
    assert cash.status == PaymentStatus.SUCCEEDED
    assert dossier_balance(dossier.pk).due == 0
    order.refresh_from_db()
    assert order.status == PaymentStatus.CANCELLED  # was left pending forever
    assert order.settled_at is not None
    closed = AuditEntry.objects.get(action="payment.orders_closed")
    assert closed.data["orders"] == [order.reference]
    # Printed again: nothing is due, no new order.
    assert form_01_vietqr(dossier, "01") == {}
    assert Payment.objects.filter(dossier=dossier, method=Method.VIETQR).count() == 1
    # The payer transfers by the QR anyway: the line is not credited as the fee, it waits for an officer.
    path = csv_file(tmp_path, f"FT1,2026-03-10 09:15:00,{FEE + CHARGE},chuyen tien {order.reference}\n")
    result = bank_statement_import(path=path, account=ACCOUNT)
    assert result.credited == []
    assert "Đã hủy" in result.unmatched[0]["reason"]
    assert LedgerEntry.objects.filter(dossier=dossier, kind=EntryKind.PAYMENT).count() == 1
    # The officer assigns it by hand: one more credit, an overpayment to refund (never lost).
    line = BankStatementLine.objects.get(transaction_id="FT1")
    bank_line_assign(line_id=line.pk, dossier_code=dossier.code, actor=world.officer_a)
    assert dossier_balance(dossier.pk).due == -(FEE + CHARGE)
    order.refresh_from_db()
    assert order.status == PaymentStatus.CANCELLED
    line.refresh_from_db()
    assert line.status == BankLineStatus.ASSIGNED
    # The same file again: nothing more.
    again = bank_statement_import(path=path, account=ACCOUNT)
    assert len(again.skipped) == 1
    assert LedgerEntry.objects.filter(dossier=dossier, kind=EntryKind.PAYMENT).count() == 2


def test_cash_taken_with_payment_received_closes_an_open_vnpay_order_and_its_late_ipn_is_an_overpayment(
    awaiting: Dossier, world: World
) -> None:
    vnpay, _url = open_vnpay(awaiting, world.officer_a)
    qr = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    dossier_transition(
        dossier=awaiting,
        action=Action.PAYMENT_RECEIVED,
        actor=world.officer_a,
        cash_amount=FEE + CHARGE,
    )
    for order in (vnpay, qr):
        order.refresh_from_db()
        assert order.status == PaymentStatus.CANCELLED
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING
    # The payer had paid at VNPay all the same: the money moved, it is credited once, as an overpayment.
    params = ipn_params(vnpay)
    assert send_ipn(params)["RspCode"] == "00"
    assert send_ipn(params)["RspCode"] == "02"
    assert dossier_balance(awaiting.pk).due == -(FEE + CHARGE)
    assert LedgerEntry.objects.filter(payment=vnpay, kind=EntryKind.PAYMENT).count() == 1
    awaiting.refresh_from_db()
    assert awaiting.events.filter(action=Action.PAYMENT_RECEIVED).count() == 1


def test_a_part_payment_leaves_the_other_orders_open(awaiting: Dossier, world: World) -> None:
    qr = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    payment_create(dossier=awaiting, actor=world.officer_a, method=Method.CASH, amount=FEE)
    qr.refresh_from_db()
    assert qr.status == PaymentStatus.PENDING
    assert dossier_balance(awaiting.pk).due == CHARGE


def test_a_closed_gateway_order_paid_all_the_same_is_found_by_reconciliation(
    awaiting: Dossier,
    world: World,
    loopback: Loopback,  # noqa: F811
) -> None:
    paid_anyway = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY)
    never_paid = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY, amount=FEE)
    pay_vnpay(paid_anyway.pay_url, "success")
    loopback.down = True  # its IPN is lost
    run_queued_tasks()
    loopback.down = False
    payment_create(dossier=awaiting, actor=world.officer_a, method=Method.CASH)  # paid at the counter
    for order in (paid_anyway, never_paid):
        order.refresh_from_db()
        assert order.status == PaymentStatus.CANCELLED
    with clock.frozen(later(paid_anyway)):
        counts = settle_expired()
    assert (counts["checked"], counts["succeeded"], counts["expired"]) == (2, 1, 1)
    paid_anyway.refresh_from_db()
    never_paid.refresh_from_db()
    assert (paid_anyway.status, never_paid.status) == (PaymentStatus.SUCCEEDED, PaymentStatus.EXPIRED)
    # The money VNPay took is in the books once, as an overpayment to refund; asked again, nothing more.
    assert LedgerEntry.objects.filter(payment=paid_anyway, kind=EntryKind.PAYMENT).count() == 1
    assert dossier_balance(awaiting.pk).due == -(FEE + CHARGE)
    with clock.frozen(later(paid_anyway)):
        assert settle_expired()["checked"] == 0
