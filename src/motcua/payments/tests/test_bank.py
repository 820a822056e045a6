"""Bank collection: a statement file matched to VietQR orders, credited once, unmatched lines kept for an
officer, a malformed file imports nothing and names the row."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, PermissionDenied
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.payments.bank import StatementFailed, bank_line_assign, bank_statement_import
from motcua.payments.constants import BankLineStatus, EntryKind, EntrySource, Method, PaymentStatus
from motcua.payments.models import BankStatementLine, LedgerEntry, Payment, Receipt
from motcua.payments.selectors import dossier_balance
from motcua.payments.services import payment_create

from .conftest import CHARGE, FEE

pytestmark = pytest.mark.django_db
ACCOUNT = "113000006789"
HEADER = "transaction_id,booked_at,amount,description\n"


def csv_file(tmp_path: Path, body: str, name: str = "saoke.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_a_vietqr_payment_is_settled_by_the_statement_once(
    awaiting: Dossier, world: World, tmp_path: Path
) -> None:
    order = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    path = csv_file(
        tmp_path,
        f"FT2603001,2026-03-10 09:15:00,25000,NGUYEN VAN A chuyen tien {order.reference} \n"
        "FT2603002,10/03/2026 09:20,15000,chuyen khoan khong ma\n",
    )
    result = bank_statement_import(path=path, account=ACCOUNT)
    assert (len(result.credited), len(result.unmatched), len(result.skipped)) == (1, 1, 0)
    order.refresh_from_db()
    assert order.status == PaymentStatus.SUCCEEDED
    credit = LedgerEntry.objects.get(dossier=awaiting, kind=EntryKind.PAYMENT)
    assert (credit.amount, credit.source, credit.source_reference, credit.idempotency_key) == (
        -(FEE + CHARGE),
        EntrySource.BANK_STATEMENT,
        f"{ACCOUNT}/FT2603001",
        f"bank:{ACCOUNT}:FT2603001",
    )
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING
    assert awaiting.events.get(action=Action.PAYMENT_RECEIVED).actor.username == "system:vietqr"
    assert Receipt.objects.filter(payment=order).count() == 1
    # The same file again: nothing credited, every line reported skipped.
    again = bank_statement_import(path=path, account=ACCOUNT)
    assert (len(again.credited), len(again.unmatched), [s["transaction_id"] for s in again.skipped]) == (
        0,
        0,
        ["FT2603001", "FT2603002"],
    )
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
    assert BankStatementLine.objects.count() == 2
    assert AuditEntry.objects.filter(action="payment.bank_statement").count() == 2


def test_wrong_amounts_unknown_references_and_paid_orders_stay_unmatched(
    awaiting: Dossier, world: World, tmp_path: Path
) -> None:
    order = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    vnpay = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VNPAY, amount=FEE)
    path = csv_file(
        tmp_path,
        f"T1,2026-03-10 09:00,20000,{order.reference}\n"  # short by 5,000
        "T2,2026-03-10 09:01,25000,MC26031099999999\n"  # nobody's reference
        f"T3,2026-03-10 09:02,20000,{vnpay.reference}\n"  # not a transfer order
        f"T4,2026-03-10 09:03,25000,{order.reference} {vnpay.reference}\n",  # two references
    )
    result = bank_statement_import(path=path, account=ACCOUNT)
    reasons = {u["transaction_id"]: u["reason"] for u in result.unmatched}
    assert result.credited == []
    assert "khác số phải nộp" in reasons["T1"]
    assert "không có mã thanh toán MC26031099999999" in reasons["T2"]
    assert "không phải lệnh chuyển khoản" in reasons["T3"]
    assert "nhiều mã" in reasons["T4"]
    order.refresh_from_db()
    assert order.status == PaymentStatus.PENDING
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
    assert set(BankStatementLine.objects.values_list("status", flat=True)) == {BankLineStatus.UNMATCHED}


def test_an_officer_assigns_an_unmatched_line_by_hand(
    awaiting: Dossier, world: World, tmp_path: Path
) -> None:
    order = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    bank_statement_import(
        path=csv_file(tmp_path, "T9,2026-03-10 10:00,25000,nop le phi ho so\n"), account=ACCOUNT
    )
    line = BankStatementLine.objects.get(transaction_id="T9")
    with pytest.raises(PermissionDenied):
        bank_line_assign(line_id=line.pk, dossier_code=str(awaiting.code), actor=world.officer_b)
    paid = bank_line_assign(
        line_id=line.pk, dossier_code=str(awaiting.code), actor=world.officer_a, note="gọi điện"
    )
    assert paid == order  # the open order of that amount is the one settled
    line.refresh_from_db()
    assert (line.status, line.payment, line.assigned_by) == (BankLineStatus.ASSIGNED, order, world.officer_a)
    assert dossier_balance(awaiting).due == 0
    with pytest.raises(Conflict):
        bank_line_assign(line_id=line.pk, dossier_code=str(awaiting.code), actor=world.officer_a)
    assert AuditEntry.objects.filter(action="payment.bank_assign").count() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1


def test_a_line_without_an_order_becomes_a_bank_transfer(
    awaiting: Dossier, world: World, tmp_path: Path
) -> None:
    bank_statement_import(path=csv_file(tmp_path, "T7,2026-03-10 10:00,20000,le phi\n"), account=ACCOUNT)
    line = BankStatementLine.objects.get()
    payment = bank_line_assign(line_id=line.pk, dossier_code=str(awaiting.code), actor=world.officer_a)
    assert (payment.method, payment.amount, payment.status) == (
        Method.BANK_TRANSFER,
        20000,
        PaymentStatus.SUCCEEDED,
    )
    assert dossier_balance(awaiting).due == CHARGE


@pytest.mark.parametrize(
    ("body", "row", "field"),
    [
        ("T1,2026-03-10 09:00,25000,ok\nT2,hôm qua,25000,x\n", 3, "booked_at"),
        ("T1,2026-03-10 09:00,25.000.5,x\n", 2, "amount"),
        ("T1,2026-03-10 09:00,-5000,x\n", 2, "amount"),
        (",2026-03-10 09:00,5000,x\n", 2, "transaction_id"),
        ("T1,2026-03-10 09:00,5000,x\nT1,2026-03-10 09:01,5000,y\n", 3, "transaction_id"),
    ],
)
def test_a_malformed_file_imports_nothing_and_names_the_row(
    awaiting: Dossier, world: World, tmp_path: Path, body: str, row: int, field: str
) -> None:
    order = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    path = csv_file(tmp_path, f"OK1,2026-03-10 08:00,25000,{order.reference}\n" + body)
    with pytest.raises(StatementFailed) as failed:
        bank_statement_import(path=path, account=ACCOUNT)
    errors = failed.value.details["errors"]
    assert {"row": row + 1, "field": field} in [{"row": e["row"], "field": e["field"]} for e in errors]
    assert all(e["message"].startswith(f"dòng {e['row']}, cột ") for e in errors)
    assert not BankStatementLine.objects.exists()
    order.refresh_from_db()
    assert order.status == PaymentStatus.PENDING


def test_missing_columns_and_other_files(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("transaction_id,amount\nT1,5\n", encoding="utf-8")
    with pytest.raises(StatementFailed) as failed:
        bank_statement_import(path=path, account=ACCOUNT)
    assert [e["field"] for e in failed.value.details["errors"]] == ["booked_at", "description"]
    other = tmp_path / "a.pdf"
    other.write_bytes(b"%PDF-1.4")
    with pytest.raises(StatementFailed):
        bank_statement_import(path=other, account=ACCOUNT)
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(StatementFailed):
        bank_statement_import(path=broken, account=ACCOUNT)


def test_an_xlsx_statement_with_spreadsheet_values(awaiting: Dossier, world: World, tmp_path: Path) -> None:
    import datetime as dt

    order = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Description", "Amount", "Booked_At", "Transaction_ID", "Branch"])
    sheet.append([f"CT {order.reference.lower()}", 25000.0, dt.datetime(2026, 3, 10, 9, 0), 5550001, "VP"])
    path = tmp_path / "saoke.xlsx"
    book.save(path)
    result = bank_statement_import(path=path, account=ACCOUNT)
    assert result.credited == [order.reference]
    assert BankStatementLine.objects.get().transaction_id == "5550001"


def test_the_command(awaiting: Dossier, world: World, tmp_path: Path) -> None:
    order = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    path = csv_file(tmp_path, f"C1,2026-03-10 09:00,25000,{order.reference}\n")
    out = StringIO()
    call_command("import_bank_statement", str(path), "--account", ACCOUNT, stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["credited"], summary["unmatched"], summary["skipped"]) == (1, 0, 0)
    bad = csv_file(tmp_path, "C2,2026-03-10 09:00,abc,x\n", name="bad.csv")
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_bank_statement", str(bad), "--account", ACCOUNT, stderr=err)
    assert failed.value.returncode == 2
    assert "dòng 2, cột amount" in err.getvalue()
    assert Payment.objects.get(pk=order.pk).status == PaymentStatus.SUCCEEDED
