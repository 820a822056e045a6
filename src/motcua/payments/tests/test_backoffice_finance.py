"""The back office's money pages (backoffice.finance): the tax notice that pauses a land dossier, the officer's
refund of a gateway payment, and the day's reconciliation for finance staff (page, rebuild, Excel)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from motcua.accounts.models import User
from motcua.core import clock
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import MONDAY_10, World
from motcua.dossiers.tests.factories import dossier_in, staff
from motcua.organisations.constants import Role
from motcua.payments.constants import EntryKind, RefundStatus
from motcua.payments.models import LedgerEntry, Payment, Refund
from motcua.payments.selectors import dossier_balance

from .conftest import CHARGE, FEE
from .test_refunds import loopback, paid  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway_payment(request: pytest.FixtureRequest) -> Payment:
    """A VNPay payment paid in full at the sandbox gateway (``test_refunds.paid``)."""
    payment: Payment = request.getfixturevalue("paid")
    return payment


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_officer_records_a_tax_notice_and_the_dossier_waits_paused(
    world: World, frozen: dt.datetime
) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    page = browser(world.specialist_a).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Ghi nhận thông báo nộp nghĩa vụ tài chính" in page
    assert "Ghi nhận thông báo nộp nghĩa vụ tài chính" not in (
        browser(world.officer_b).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    )
    form = {
        "notice_number": "TB-42",
        "name": "Tiền sử dụng đất",
        "amount": "3800000",
        "due_date": "2025-04-10",
    }
    answer = browser(world.specialist_a).post(f"/can-bo/ho-so/{dossier.code}/nghia-vu-tai-chinh/", form)
    assert answer.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.status, dossier.paused_at) == (Status.AWAITING_PAYMENT, MONDAY_10)
    (charge,) = LedgerEntry.objects.filter(dossier=dossier, kind=EntryKind.CHARGE, source_reference="TB-42")
    assert (charge.amount, charge.due_date) == (3_800_000, dt.date(2025, 4, 10))
    again = browser(world.specialist_a).post(
        f"/can-bo/ho-so/{dossier.code}/nghia-vu-tai-chinh/", form, follow=True
    )
    assert "đã được ghi" in again.content.decode()
    bad = browser(world.specialist_a).post(
        f"/can-bo/ho-so/{dossier.code}/nghia-vu-tai-chinh/", {"amount": "-1"}
    )
    assert bad.status_code == 302
    assert LedgerEntry.objects.filter(dossier=dossier, kind=EntryKind.CHARGE).count() == 1
    assert (
        browser(world.officer_b).post(f"/can-bo/ho-so/{dossier.code}/nghia-vu-tai-chinh/", form).status_code
        == 404
    )


def test_an_officer_refunds_from_the_dossier_page(
    gateway_payment: Payment, awaiting: Dossier, world: World
) -> None:
    url = f"/can-bo/ho-so/{awaiting.code}/"
    page = browser(world.officer_a).get(url).content.decode()
    assert f'data-refund="{gateway_payment.reference}"' in page
    assert (
        f'data-refund="{gateway_payment.reference}"'
        not in browser(world.specialist_a).get(url).content.decode()
    )
    refund_url = f"/can-bo/ho-so/{awaiting.code}/hoan-tra/{gateway_payment.pk}/"
    prefix = f"r{gateway_payment.pk}"
    assert browser(world.officer_a).post(refund_url, {f"{prefix}-amount": str(FEE)}).status_code == 302
    assert not Refund.objects.exists()  # no reason: refused by the form
    done = browser(world.officer_a).post(
        refund_url, {f"{prefix}-amount": str(FEE), f"{prefix}-reason": "Dừng xử lý"}, follow=True
    )
    assert "Đã hoàn trả 20.000 đồng" in done.content.decode()
    refund = Refund.objects.get()
    assert (refund.status, refund.amount, refund.requested_by) == (
        RefundStatus.SUCCEEDED,
        FEE,
        world.officer_a,
    )
    assert dossier_balance(awaiting).refunded == FEE
    assert "còn hoàn được 5.000 đồng" in browser(world.officer_a).get(url).content.decode()
    denied = browser(world.specialist_a).post(
        refund_url, {f"{prefix}-amount": str(CHARGE), f"{prefix}-reason": "x"}, follow=True
    )
    assert "không có quyền" in denied.content.decode()
    assert Refund.objects.count() == 1


def test_finance_staff_reconcile_a_day_and_download_it(
    gateway_payment: Payment, awaiting: Dossier, world: World
) -> None:
    statistician = staff(world.province, Role.STATISTICIAN, username="thongke")
    day = MONDAY_10.date().isoformat()
    assert browser(world.officer_a).get(f"/can-bo/doi-soat/?ngay={day}").status_code == 403
    page = browser(statistician).get(f"/can-bo/doi-soat/?ngay={day}")
    assert page.status_code == 200
    assert "Chưa có báo cáo đối soát" in page.content.decode()
    assert browser(statistician).get(f"/can-bo/doi-soat/xlsx/?ngay={day}").status_code == 404
    rebuilt = browser(world.leader_a).post("/can-bo/doi-soat/", {"ngay": day}, follow=True)
    text = rebuilt.content.decode()
    assert 'data-gateway="vnpay" data-unit="8707"' in text
    assert 'data-difference="0"' in text
    download = browser(statistician).get(f"/can-bo/doi-soat/xlsx/?ngay={day}")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(download.content))["Tổng hợp"]
    assert [c.value for c in sheet[4]][3:7] == [1, FEE + CHARGE, FEE + CHARGE, 0]
    for odd in ("9999-12-31", "0001-01-01", "x"):  # out of range or not a date: yesterday, never a 500
        assert browser(world.leader_a).post("/can-bo/doi-soat/", {"ngay": odd}).status_code == 302
    with clock.frozen(MONDAY_10 + dt.timedelta(days=1)):  # default: yesterday
        assert "10/03/2025" in browser(statistician).get("/can-bo/doi-soat/").content.decode()
