"""The payments API: open and list a dossier's payments, the balance in the dossier detail, errors in the
``{"code", "message", "details"}`` shape."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from motcua.accounts.models import User
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World

from .conftest import CHARGE, FEE

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def url(dossier: Dossier) -> str:
    return f"/api/v1/dossiers/{dossier.code}/payments/"


def test_cash_at_the_counter_through_the_api(awaiting: Dossier, world: World) -> None:
    officer = client_for(world.officer_a)
    detail = officer.get(f"/api/v1/dossiers/{awaiting.code}/").json()
    assert detail["balance"] == {
        "charged": FEE + CHARGE,
        "paid": 0,
        "refunded": 0,
        "adjusted": 0,
        "due": FEE + CHARGE,
    }
    response = officer.post(url(awaiting), {"method": "cash", "amount": FEE}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["status"], body["method"], body["pay_url"]) == (
        FEE,
        "succeeded",
        "cash",
        None,
    )
    assert body["reference"].startswith("MC250310")
    officer.post(url(awaiting), {"method": "cash"}, format="json")
    listed = officer.get(url(awaiting)).json()
    assert listed["count"] == 2
    assert [p["amount"] for p in listed["results"]] == [CHARGE, FEE]  # newest first
    detail = officer.get(f"/api/v1/dossiers/{awaiting.code}/").json()
    assert detail["balance"]["due"] == 0
    assert detail["status"] == "processing"
    assert detail["events"][-1]["action"] == "payment-received"
    assert detail["events"][-1]["actor"] == "system:cash"
    nothing = officer.post(url(awaiting), {"method": "cash"}, format="json")
    assert nothing.status_code == 409
    assert nothing.json()["code"] == "nothing_due"
    assert set(nothing.json()) == {"code", "message", "details"}


def test_who_may_open_and_see_payments(awaiting: Dossier, world: World) -> None:
    specialist = client_for(world.specialist_a).post(url(awaiting), {"method": "cash"}, format="json")
    assert specialist.status_code == 403
    assert specialist.json()["code"] == "permission_denied"
    other_unit = client_for(world.officer_b).post(url(awaiting), {"method": "cash"}, format="json")
    assert (other_unit.status_code, other_unit.json()["code"]) == (404, "dossier_not_found")
    assert client_for(world.officer_b).get(url(awaiting)).status_code == 404
    assert client_for(None).get(url(awaiting)).status_code in (401, 403)
    bad = client_for(world.officer_a).post(url(awaiting), {"method": "bitcoin"}, format="json")
    assert bad.status_code == 400
    assert "method" in bad.json()["details"]
    too_much = client_for(world.officer_a).post(
        url(awaiting), {"method": "cash", "amount": 10**9}, format="json"
    )
    assert (too_much.status_code, too_much.json()["code"]) == (400, "amount_exceeds_balance")
    # The applicant pays from "Hồ sơ của tôi" (test_portal.py): the staff API answers a citizen 403 (issue 17).
    owner = User.objects.create(username="026012345612", kind="citizen")
    Dossier.objects.filter(pk=awaiting.pk).update(owner=owner)
    for method in ("get", "post"):
        answer = getattr(client_for(owner), method)(url(awaiting), {"method": "vnpay"}, format="json")
        assert (answer.status_code, answer.json()["code"]) == (403, "permission_denied")
    opened = client_for(world.specialist_a).post(url(awaiting), {"method": "vnpay"}, format="json")
    assert opened.status_code == 201
    assert opened.json()["pay_url"].startswith("http://127.0.0.1:8000/sandbox/vnpay/")
    assert client_for(world.leader_p).get(url(awaiting)).json()["count"] == 1  # the province's leader sees it


def test_vnpay_off_is_refused(awaiting: Dossier, world: World, settings: object) -> None:
    settings.MOTCUA_PAYMENT_GATEWAYS = ""  # type: ignore[attr-defined]
    response = client_for(world.officer_a).post(url(awaiting), {"method": "vnpay"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "method_unavailable")


def test_the_schema_documents_the_payment_operations() -> None:
    schema = client_for(None).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    create = schema["paths"]["/api/v1/dossiers/{code}/payments/"]["post"]
    assert {"201", "400", "403", "404", "409"} <= set(create["responses"])
    assert "/api/v1/payments/vnpay/ipn/" in schema["paths"]
    detail = schema["components"]["schemas"]["DossierDetailOutput"]["properties"]
    assert "balance" in detail
