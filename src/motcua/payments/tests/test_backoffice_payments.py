"""Back office: cash at the counter from the dossier page, the receipt downloaded from the ledger, the officer's
payment-received form with the cash, the unmatched statement lines assigned by hand, the statement upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.payments.constants import BankLineStatus, EntryKind, Method
from motcua.payments.models import BankStatementLine, LedgerEntry, Payment, Receipt
from motcua.payments.selectors import dossier_balance
from motcua.payments.services import payment_create

from .conftest import CHARGE, FEE
from .pdf import needs_pdftotext, pdf_text

pytestmark = pytest.mark.django_db


@needs_pdftotext
def test_cash_at_the_counter_and_its_receipt(
    awaiting: Dossier, world: World, client: Client, tmp_path: Path
) -> None:
    client.force_login(world.officer_a)
    page = client.get(f"/can-bo/ho-so/{awaiting.code}/").content.decode()
    assert "Thu tiền mặt tại quầy" in page
    response = client.post(
        f"/can-bo/ho-so/{awaiting.code}/thu-tien-mat/",
        {"cash-amount": FEE, "cash-payer_name": "Trần Văn Bình"},
    )
    assert response.status_code == 302
    payment = Payment.objects.get(dossier=awaiting, method=Method.CASH)
    assert (payment.amount, payment.payer_name) == (FEE, "Trần Văn Bình")
    receipt = Receipt.objects.get(payment=payment)
    page = client.get(response["Location"]).content.decode()
    assert f"Đã ghi nhận 20.000 đồng tiền mặt (mã {payment.reference})" in page
    url = f"/can-bo/ho-so/{awaiting.code}/bien-lai/{receipt.pk}/"
    assert url in page
    pdf = client.get(url)
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content, tmp_path)
    assert "Trần Văn Bình" in text
    assert "Hai mươi nghìn đồng" in text
    # Too much is refused with the service's Vietnamese message, nothing written.
    too_much = client.post(f"/can-bo/ho-so/{awaiting.code}/thu-tien-mat/", {"cash-amount": CHARGE + 1})
    assert "vượt quá số còn phải nộp" in client.get(too_much["Location"]).content.decode()
    assert Payment.objects.filter(dossier=awaiting).count() == 1


def test_others_cannot_take_cash_nor_read_receipts(awaiting: Dossier, world: World, client: Client) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method="cash", amount=FEE)
    receipt = Receipt.objects.get(payment=payment)
    client.force_login(world.officer_b)  # another unit: the dossier is not theirs
    assert client.post(f"/can-bo/ho-so/{awaiting.code}/thu-tien-mat/", {"cash-amount": 1}).status_code == 404
    assert client.get(f"/can-bo/ho-so/{awaiting.code}/bien-lai/{receipt.pk}/").status_code == 404
    client.force_login(world.specialist_a)  # sees the dossier, takes no cash
    client.post(f"/can-bo/ho-so/{awaiting.code}/thu-tien-mat/", {"cash-amount": CHARGE})
    assert dossier_balance(awaiting).due == CHARGE
    assert "Thu tiền mặt tại quầy" not in client.get(f"/can-bo/ho-so/{awaiting.code}/").content.decode()


def test_payment_received_form_takes_the_cash_or_says_what_is_due(
    awaiting: Dossier, world: World, client: Client
) -> None:
    client.force_login(world.officer_a)
    url = f"/can-bo/ho-so/{awaiting.code}/thao-tac/payment-received/"
    refused = client.post(url, {"payment-received-expected_version": awaiting.version})
    assert refused.status_code == 409
    assert "còn phải nộp 25.000 đồng" in refused.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_PAYMENT
    done = client.post(
        url,
        {
            "payment-received-expected_version": awaiting.version,
            "payment-received-cash_amount": FEE + CHARGE,
            "payment-received-payer_name": "Lê Thị C",
        },
    )
    assert done.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING
    credit = LedgerEntry.objects.get(dossier=awaiting, kind=EntryKind.PAYMENT)
    assert credit.recorded_by == world.officer_a
    assert Receipt.objects.get(payment=credit.payment).payer_name == "Lê Thị C"


def test_unmatched_lines_page_upload_and_assign(awaiting: Dossier, world: World, client: Client) -> None:
    order = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    client.force_login(world.specialist_a)
    assert client.get("/can-bo/sao-ke/").status_code == 403
    client.force_login(world.officer_a)
    body = (
        "transaction_id,booked_at,amount,description\n"
        f"U1,2026-03-10 09:00,{FEE + CHARGE},chuyen tien ho so\nU2,2026-03-10 09:01,999,{order.reference}\n"
    ).encode()
    response = client.post(
        "/can-bo/sao-ke/",
        {"account": "113000006789", "file": SimpleUploadedFile("saoke.csv", body, content_type="text/csv")},
    )
    assert response.status_code == 302
    page = client.get("/can-bo/sao-ke/").content.decode()
    assert "0 khoản ghi có, 2 dòng chưa đối chiếu được" in page
    assert "Dòng sao kê chưa đối chiếu được (2)" in page
    line = BankStatementLine.objects.get(transaction_id="U1")
    assign = client.post(f"/can-bo/sao-ke/{line.pk}/gan/", {"dossier": awaiting.code})
    assert assign.status_code == 302
    line.refresh_from_db()
    assert line.status == BankLineStatus.ASSIGNED
    assert "Dòng sao kê chưa đối chiếu được (1)" in client.get("/can-bo/sao-ke/").content.decode()
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING
    # A malformed upload names the row and imports nothing.
    bad = client.post(
        "/can-bo/sao-ke/",
        {
            "account": "113000006789",
            "file": SimpleUploadedFile("x.csv", b"transaction_id,booked_at,amount,description\nZ,,1,x\n"),
        },
    )
    assert bad.status_code == 400
    assert "dòng 2, cột booked_at" in bad.content.decode()
    assert not BankStatementLine.objects.filter(transaction_id="Z").exists()
    # Assigning to a dossier the officer cannot see: refused, nothing credited.
    other = BankStatementLine.objects.get(transaction_id="U2")
    client.post(f"/can-bo/sao-ke/{other.pk}/gan/", {"dossier": "KHONG-CO"})
    other.refresh_from_db()
    assert other.status == BankLineStatus.UNMATCHED


@needs_pdftotext
def test_the_citizen_downloads_their_receipts(
    awaiting: Dossier, world: World, client: Client, tmp_path: Path
) -> None:
    from motcua.accounts.models import User
    from motcua.portal.tests.submission_factories import login

    citizen = User.objects.create(username="026012345612", kind="citizen", citizen_id="026012345612")
    Dossier.objects.filter(pk=awaiting.pk).update(owner=citizen)
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method="cash")
    receipt = Receipt.objects.get(payment=payment)
    login(client, citizen)
    page = client.get(f"/ho-so-cua-toi/{awaiting.code}/").content.decode()
    url = f"/ho-so-cua-toi/{awaiting.code}/bien-lai-thu-phi/{receipt.pk}/"
    assert url in page
    assert f"Biên lai thu số {receipt.number_display}" in page
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert "Hai mươi lăm nghìn đồng" in pdf_text(response.content, tmp_path)
    other = User.objects.create(username="026099999999", kind="citizen", citizen_id="026099999999")
    login(client, other)
    assert client.get(url).status_code == 404


def test_the_admin_lists_statements_lines_and_receipts(
    awaiting: Dossier, world: World, admin_client: Client
) -> None:
    payment_create(dossier=awaiting, actor=world.officer_a, method="cash")
    for path in ("bankstatementimport", "bankstatementline", "receipt"):
        response = admin_client.get(f"/quan-tri/payments/{path}/")
        assert response.status_code == 200, path
