"""PayGov refund (modelled; docs/payments.md "PayGov refund"): the officer's refund of a payment made through the
national payment platform, from the same back-office action as VNPay's, with the same audit and cancelling
receipt; the sandbox platform answers it. Success, refusal, and a timeout whose answer is lost: nothing is
credited or refunded twice and the state stays consistent."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django.contrib.admin.sites import site

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.payments import refunds
from motcua.payments.constants import EntryKind, PaymentStatus, ReceiptKind, RefundStatus
from motcua.payments.contrib.paygov import PaygovGateway, protocol
from motcua.payments.gateways import GatewayUnavailable
from motcua.payments.models import LedgerEntry, Payment, Receipt, Refund, SandboxPaygovTransaction
from motcua.payments.selectors import dossier_balance

from .conftest import CHARGE, FEE
from .sandbox_pay import pay_paygov
from .test_backoffice_finance import browser
from .test_paygov import SECRET, LoopbackTransport, loopback, open_paygov  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(awaiting: Dossier, world: World, loopback: LoopbackTransport) -> Payment:  # noqa: F811
    """A PayGov payment of all the dossier owes, paid at the sandbox platform and confirmed by its notification."""
    payment, pay_url = open_paygov(awaiting, world.officer_a)
    pay_paygov(pay_url)
    run_queued_tasks()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    return payment


def refund_entries() -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(kind=EntryKind.REFUND))


def test_the_refund_request_is_signed_in_the_plugins_style(paid: Payment, monkeypatch: Any) -> None:
    sent: dict[str, Any] = {}

    class Capture:
        def post(self, url: str, *, json: dict[str, Any], timeout: float) -> Any:
            sent.update(json)
            response = requests.Response()
            response.status_code = 200
            response._content = b'{"MaLoi": "00"}'  # unsigned: refused as no checked answer
            return response

    monkeypatch.setattr(PaygovGateway, "transport", Capture())
    with pytest.raises(GatewayUnavailable, match="signature"):
        PaygovGateway().refund(
            paid, amount=FEE, full=False, request_id="R1", created_by="cán bộ A", client_ip="127.0.0.1"
        )
    assert protocol.verify(sent, SECRET)
    assert {k: sent[k] for k in ("LoaiYeuCau", "MaYeuCau", "MaTraCuuTT", "SoTien", "LoaiHoanTien")} == {
        "LoaiYeuCau": "HoanTien",
        "MaYeuCau": "R1",
        "MaTraCuuTT": paid.reference,
        "SoTien": str(FEE),
        "LoaiHoanTien": protocol.REFUND_PARTIAL,
    }
    assert sent["MaGiaoDich"] == paid.gateway_transaction_no
    assert sent["NguoiYeuCau"] == "can bo A"


def test_an_officer_refunds_a_paygov_payment_from_the_dossier_page(
    paid: Payment, awaiting: Dossier, world: World
) -> None:
    url = f"/can-bo/ho-so/{awaiting.code}/"
    assert f'data-refund="{paid.reference}"' in browser(world.officer_a).get(url).content.decode()
    prefix = f"r{paid.pk}"
    done = browser(world.officer_a).post(
        f"/can-bo/ho-so/{awaiting.code}/hoan-tra/{paid.pk}/",
        {f"{prefix}-amount": str(FEE), f"{prefix}-reason": "Dừng xử lý"},
        follow=True,
    )
    assert "Đã hoàn trả 20.000 đồng" in done.content.decode()
    refund = Refund.objects.get()
    assert (refund.status, refund.amount, refund.full, refund.gateway_response_code) == (
        RefundStatus.SUCCEEDED,
        FEE,
        False,
        "00",
    )
    txn = SandboxPaygovTransaction.objects.get(lookup_code=paid.reference)
    assert refund.gateway_transaction_no == f"{txn.transaction_no}H01"
    assert txn.refunded_amount == FEE
    (entry,) = refund_entries()
    assert (entry.amount, entry.payment_id, entry.idempotency_key) == (
        FEE,
        paid.pk,
        f"refund:{refund.request_id}",
    )
    assert dossier_balance(awaiting).due == FEE
    cancelling = Receipt.objects.get(kind=ReceiptKind.CANCELLING)
    assert (cancelling.amount, cancelling.refund_id) == (FEE, refund.pk)
    actions = set(AuditEntry.objects.filter(object_id=paid.reference).values_list("action", flat=True))
    assert {"payment.refund_requested", "payment.refunded"} <= actions
    # The rest, then nothing is left: refused by motcua before the platform is asked.
    rest = refunds.refund_request(payment=paid, actor=world.officer_a, reason="Phần còn lại")
    assert (rest.status, rest.amount) == (RefundStatus.SUCCEEDED, CHARGE)
    txn.refresh_from_db()
    assert (txn.refunded_amount, len(txn.refund_request_ids)) == (FEE + CHARGE, 2)
    with pytest.raises(ValidationFailed):
        refunds.refund_request(payment=paid, actor=world.officer_a, reason="Thêm", amount=1)
    assert sum(e.amount for e in refund_entries()) == FEE + CHARGE
    assert Receipt.objects.filter(kind=ReceiptKind.CANCELLING).count() == 2


def test_a_refund_the_platform_refuses_writes_nothing(paid: Payment, world: World, awaiting: Dossier) -> None:
    # Refunded at the platform by other means already: the platform refuses a refund of the whole (03).
    txn = SandboxPaygovTransaction.objects.get(lookup_code=paid.reference)
    txn.refunded_amount = paid.amount
    txn.save(update_fields=["refunded_amount"])
    refund = refunds.refund_request(payment=paid, actor=world.officer_a, reason="Dừng xử lý")
    assert (refund.status, refund.gateway_response_code, refund.gateway_message) == (
        RefundStatus.FAILED,
        "03",
        protocol.REFUND_CODES["03"],
    )
    assert refund_entries() == []
    assert not Receipt.objects.filter(kind=ReceiptKind.CANCELLING).exists()
    assert dossier_balance(awaiting).due == 0
    assert refunds.refundable(paid) == paid.amount  # a refused refund frees the amount again
    assert not AuditEntry.objects.filter(action="payment.refunded").exists()


class LostAnswer(LoopbackTransport):
    """The platform gets the refund and makes it, but its answer never comes back (a timeout)."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        super().send(request, **kwargs)
        raise requests.Timeout("read timed out")


def test_a_refund_whose_answer_is_lost_stays_pending_and_is_never_made_twice(
    paid: Payment, world: World, awaiting: Dossier, monkeypatch: Any, rf: Any
) -> None:
    session = requests.Session()
    session.mount("http://", LostAnswer())
    monkeypatch.setattr(PaygovGateway, "transport", session)
    refund = refunds.refund_request(payment=paid, actor=world.officer_a, reason="Dừng xử lý")
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PENDING
    assert refund.gateway_message == "Chưa nhận được kết quả từ cổng thanh toán"
    txn = SandboxPaygovTransaction.objects.get(lookup_code=paid.reference)
    assert txn.refunded_amount == paid.amount  # the platform made it
    assert refund_entries() == []  # motcua does not know yet: nothing written
    assert not Receipt.objects.filter(kind=ReceiptKind.CANCELLING).exists()
    # Asking again is refused while the first is pending: the money cannot go back twice.
    with pytest.raises(Conflict) as busy:
        refunds.refund_request(payment=paid, actor=world.officer_a, reason="Thử lại")
    assert busy.value.code == "refund_in_progress"
    assert len(txn.refund_request_ids) == 1
    # The officer checks the platform's portal; the admin confirms it: written once.
    request = rf.post("/admin/")
    request.user = world.leader_p
    admin_page = site._registry[Refund]
    admin_page.refund_confirm(request, Refund.objects.filter(pk=refund.pk))  # type: ignore[attr-defined]
    admin_page.refund_confirm(request, Refund.objects.filter(pk=refund.pk))  # type: ignore[attr-defined]
    again = refunds.refund_record(refund=refund, accepted=True, code="00", answer={}, actor=world.leader_p)
    assert again.status == RefundStatus.SUCCEEDED
    assert [e.amount for e in refund_entries()] == [paid.amount]
    assert Receipt.objects.filter(kind=ReceiptKind.CANCELLING).count() == 1
    assert dossier_balance(awaiting).due == FEE + CHARGE
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT, payment=paid).count() == 1
