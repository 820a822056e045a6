"""The national payment platform (PayGov) gateway: the signed payment request with the provincial payload, the
notification's answers in their order (forged, unknown, wrong amount, duplicate: refused or idempotent, every
notice kept), the status query, and the sandbox platform end to end with its retries and faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.test import Client
from requests.structures import CaseInsensitiveDict
from rest_framework.test import APIClient

from motcua.accounts.models import User
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.payments import tasks
from motcua.payments.constants import EntryKind, EntrySource, PaymentStatus
from motcua.payments.contrib.paygov import PaygovGateway, protocol
from motcua.payments.gateways import payment_gateways
from motcua.payments.models import GatewayNotice, LedgerEntry, Payment, SandboxPaygovTransaction
from motcua.payments.sandbox.paygov import parse_faults
from motcua.portal.tests.submission_factories import login

from .conftest import CHARGE, FEE
from .sandbox_pay import pay_paygov

pytestmark = pytest.mark.django_db

NOTIFY = "/api/v1/payments/paygov/notify/"
SECRET = "PAYGOVSANDBOXSECRET0123456789ABCD"
PARTNER = "MOTCUA-VP"


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def open_paygov(dossier: Dossier, user: User) -> tuple[Payment, str]:
    response = client_for(user).post(
        f"/api/v1/dossiers/{dossier.code}/payments/", {"method": "paygov"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["status"], body["method"]) == (FEE + CHARGE, "pending", "paygov")
    return Payment.objects.get(pk=body["id"]), body["pay_url"]


def notification(payment: Payment, *, state: str = "00", **extra: str) -> dict[str, str]:
    message = {
        "PhienBan": "1.0",
        "MaDoiTac": PARTNER,
        "MaTraCuuTT": payment.reference,
        "MaGiaoDich": "PG2503100000000042",
        "SoTien": str(payment.amount),
        "TrangThai": state,
        "ThoiGianThanhToan": "20250310103000",
        "MaNganHang": "970415",
    }
    message.update(extra)
    return protocol.signed(message, SECRET)


def notify(message: Any) -> dict[str, str]:
    response = Client().post(NOTIFY, data=json.dumps(message), content_type="application/json")
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"MaLoi", "MoTa"}
    return answer


def credits(dossier: Dossier) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(dossier=dossier, kind=EntryKind.PAYMENT))


def test_the_signature_is_hmac_sha256_over_the_canonical_json() -> None:
    message = {"b": "2", "a": "Nguyễn", "PhiLePhi": [{"SoTien": 1}]}
    assert protocol.canonical(message) == '{"PhiLePhi":[{"SoTien":1}],"a":"Nguyễn","b":"2"}'
    signed = protocol.signed(message, "k")
    assert protocol.verify(signed, "k")
    assert not protocol.verify({**signed, "b": "3"}, "k")
    assert not protocol.verify(signed, "other")
    assert not protocol.verify({**signed, "ChuKy": ""}, "k")
    assert protocol.decode(protocol.encode(signed)) == signed
    assert protocol.decode("not base64 json!") is None


def test_the_payment_request_carries_the_provincial_payload_signed(awaiting: Dossier, world: World) -> None:
    payment, pay_url = open_paygov(awaiting, world.officer_a)
    url = urlsplit(pay_url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "http://127.0.0.1:8000/sandbox/paygov/thanh-toan/"
    request = protocol.decode(dict(parse_qsl(url.query))["DuLieu"])
    assert request is not None
    assert protocol.verify(request, SECRET)
    assert request["MaHoSo"] == awaiting.code
    assert request["MaTraCuuTT"] == payment.reference
    assert request["MaTTHC"] == "1.001193"
    assert request["MaDonVi"] == "000.00.14.H56"
    assert request["TongTien"] == FEE + CHARGE
    assert [(x["TenPhiLePhi"], x["SoTien"], x["LoaiPhiLePhi"]) for x in request["PhiLePhi"]] == [
        ("Lệ phí đăng ký", FEE, "2"),
        ("Phí cấp bản sao", CHARGE, "1"),
    ]
    assert (request["TKThuHuong"], request["MaNHThuHuong"]) == ("1023456789", "970415")
    assert request["NoiDungThanhToan"].startswith(payment.reference)
    assert request["NoiDungThanhToan"].isascii()
    assert request["HoTenNguoiNop"] == "Nguyễn Văn An"
    assert request["UrlTraVe"] == "http://127.0.0.1:8000/thanh-toan/paygov/ket-qua/"
    assert SECRET not in pay_url


def test_the_notification_answers_in_order_and_credits_once(awaiting: Dossier, world: World) -> None:
    payment, _url = open_paygov(awaiting, world.officer_a)
    good = notification(payment)
    forged = {**good, "ChuKy": protocol.sign(good, "NOT-THE-SECRET")}
    assert notify({**forged, "MaTraCuuTT": "NOPE", "SoTien": "1"})["MaLoi"] == "97"
    assert notify({**good, "SoTien": "1"})["MaLoi"] == "97"  # changed after signing
    assert notify(["not", "an", "object"])["MaLoi"] == "97"
    raw = Client().post(NOTIFY, data=b"{not json", content_type="application/json")
    assert (raw.status_code, raw.json()["MaLoi"]) == (200, "97")
    assert notify(notification(payment, MaTraCuuTT="MC0000000000"))["MaLoi"] == "01"
    assert notify(notification(payment, MaDoiTac="OTHER"))["MaLoi"] == "01"
    assert notify(notification(payment, SoTien=str(payment.amount - 1)))["MaLoi"] == "04"
    assert credits(awaiting) == []
    assert notify(good) == {"MaLoi": "00", "MoTa": "Xac nhan thanh cong"}
    assert notify(good)["MaLoi"] == "02"  # the platform's retry
    assert notify(notification(payment, state="01"))["MaLoi"] == "02"  # a failure never undoes a success
    payment.refresh_from_db()
    assert (payment.status, payment.gateway_transaction_no) == (PaymentStatus.SUCCEEDED, "PG2503100000000042")
    (credit,) = credits(awaiting)
    assert (credit.amount, credit.source, credit.source_reference, credit.recorded_by.username) == (
        -(FEE + CHARGE),
        EntrySource.GATEWAY,
        "PayGov PG2503100000000042",
        "system:paygov",
    )
    assert credit.idempotency_key == f"paygov:{PARTNER}:{payment.reference}"
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING
    assert awaiting.events.get(action=Action.PAYMENT_RECEIVED).actor.username == "system:paygov"
    answers = list(
        GatewayNotice.objects.filter(gateway="paygov").order_by("pk").values_list("answer_code", flat=True)
    )
    assert answers == ["97", "97", "97", "97", "01", "01", "04", "00", "02", "02"]


def test_a_failure_then_a_success_is_credited(awaiting: Dossier, world: World) -> None:
    payment, _url = open_paygov(awaiting, world.officer_a)
    assert notify(notification(payment, state="02"))["MaLoi"] == "00"
    assert notify(notification(payment, state="02"))["MaLoi"] == "02"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert notify(notification(payment))["MaLoi"] == "00"
    assert len(credits(awaiting)) == 1


def test_check_wants_the_partner_credentials_outside_the_sandbox(settings: Any) -> None:
    plugin = payment_gateways["paygov"]
    assert isinstance(plugin, PaygovGateway)
    assert plugin.check() == []
    settings.SANDBOX = False
    settings.MOTCUA_PAYGOV_SECRET = ""
    settings.MOTCUA_PAYGOV_PAY_URL = "http://paygov.example/thanh-toan"
    problems = plugin.check()
    assert "MOTCUA_PAYGOV_SECRET is empty" in problems
    assert any("MOTCUA_PAYGOV_PAY_URL must be https" in p for p in problems)


def test_faults_parse_and_refuse_unknown_names() -> None:
    assert parse_faults("error_rate=0.3, duplicate_rate=1,seed=4").duplicate_rate == 1.0
    with pytest.raises(ValueError, match="unknown"):
        parse_faults("explode=1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_faults("error_rate=2")


class LoopbackTransport(requests.adapters.BaseAdapter):
    """HTTP calls handed to Django's test client (motcua on loopback, in-process): GET and JSON POST."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.calls += 1
        url = urlsplit(str(request.url))
        if request.method == "POST":
            answer = Client().post(url.path, data=request.body or b"", content_type="application/json")
        else:
            answer = Client().get(url.path, dict(parse_qsl(url.query)))
        response = requests.Response()
        response.request = request
        response.url = str(request.url)
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def loopback(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[LoopbackTransport]:
    settings.MOTCUA_SANDBOX_PAYGOV_NOTIFY_URL = f"http://testserver{NOTIFY}"
    adapter = LoopbackTransport()
    session = requests.Session()
    session.mount("http://", adapter)
    monkeypatch.setattr(tasks, "transport", session)
    monkeypatch.setattr(PaygovGateway, "transport", session)
    return adapter


def test_a_citizen_pays_through_the_sandbox_platform_end_to_end(
    awaiting: Dossier, world: World, loopback: LoopbackTransport
) -> None:
    citizen = User.objects.create(username="026012345612", kind="citizen", citizen_id="026012345612")
    Dossier.objects.filter(pk=awaiting.pk).update(owner=citizen)
    browser = login(Client(), citizen)
    portal = browser.get(f"/ho-so-cua-toi/{awaiting.code}/").content.decode()
    assert "Nền tảng thanh toán" in portal  # the citizen's choice of gateway
    pay_url = browser.post(f"/ho-so-cua-toi/{awaiting.code}/thanh-toan/", {"method": "paygov"})["Location"]
    payment = Payment.objects.get()
    assert payment.method == "paygov"
    page = browser.get(urlsplit(pay_url).path + "?" + urlsplit(pay_url).query)
    text = page.content.decode()
    assert page.status_code == 200
    for label in ("Thành công", "Hủy", "Không đủ số dư", "Lệ phí đăng ký", "25.000"):
        assert label in text
    encoded = dict(parse_qsl(urlsplit(pay_url).query))["DuLieu"]
    back = browser.post("/sandbox/paygov/thanh-toan/", {"DuLieu": encoded, "outcome": "success"})
    assert back.status_code == 302
    assert back["Location"].startswith("http://127.0.0.1:8000/thanh-toan/paygov/ket-qua/?")
    shown = browser.get(urlsplit(back["Location"]).path + "?" + urlsplit(back["Location"]).query)
    assert shown.status_code == 200
    assert "Giao dịch thành công" in shown.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING  # the return page only shows
    run_queued_tasks()
    payment.refresh_from_db()
    awaiting.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert awaiting.status == Status.PROCESSING
    txn = SandboxPaygovTransaction.objects.get()
    assert (txn.callback_state, txn.callback_attempts) == ("delivered", 1)
    again = browser.post("/sandbox/paygov/thanh-toan/", {"DuLieu": encoded, "outcome": "success"})
    assert again.status_code == 400
    assert len(credits(awaiting)) == 1
    # A forged result on the return page changes nothing and says so.
    forged = dict(parse_qsl(urlsplit(back["Location"]).query)) | {"SoTien": "1"}
    assert Client().get("/thanh-toan/paygov/ket-qua/", forged).status_code == 400


@pytest.mark.parametrize(
    ("faults", "attempts", "notices"),
    [
        ("duplicate_rate=1", 1, ["00", "02"]),  # sent twice at once: credited once
        ("timeout_rate=1", 10, ["00"] + ["02"] * 9),  # delivered, every answer lost: sent again and again
        ("error_rate=1", 10, []),  # never sent: parked after its attempts
    ],
)
def test_the_sandbox_platform_misbehaves_on_demand(
    awaiting: Dossier,
    world: World,
    loopback: LoopbackTransport,
    settings: Any,
    faults: str,
    attempts: int,
    notices: list[str],
) -> None:
    settings.MOTCUA_SANDBOX_PAYGOV_FAULTS = faults
    payment, pay_url = open_paygov(awaiting, world.officer_a)
    pay_paygov(pay_url)
    run_queued_tasks()
    txn = SandboxPaygovTransaction.objects.get()
    assert txn.callback_attempts == attempts
    assert txn.callback_state == ("delivered" if faults == "duplicate_rate=1" else "failed")
    got = list(
        GatewayNotice.objects.filter(gateway="paygov").order_by("pk").values_list("answer_code", flat=True)
    )
    assert got == notices
    payment.refresh_from_db()
    assert len(credits(awaiting)) == (0 if faults == "error_rate=1" else 1)


def test_the_status_query_reads_the_platform(
    awaiting: Dossier, world: World, loopback: LoopbackTransport
) -> None:
    gateway = payment_gateways["paygov"]
    payment, pay_url = open_paygov(awaiting, world.officer_a)
    answer = gateway.query(payment)
    assert (answer["MaLoi"], gateway.settle_from_query(answer, payment)) == ("01", "not_found")
    pay_paygov(pay_url, "insufficient_funds")
    answer = gateway.query(payment)
    assert (answer["TrangThai"], gateway.settle_from_query(answer, payment)) == ("02", "failed")
