"""Charges an officer adds (land financial obligations with the tax notice) and exemptions with a reason."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from motcua.accounts.models import User
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.payments.constants import EntryKind, EntrySource
from motcua.payments.models import LedgerEntry
from motcua.payments.selectors import dossier_balance

from .conftest import CHARGE, FEE

pytestmark = pytest.mark.django_db


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_tax_notice_is_charged_once_with_its_due_date(awaiting: Dossier, world: World) -> None:
    url = f"/api/v1/dossiers/{awaiting.code}/charges/"
    body = {
        "name": "Tiền sử dụng đất",
        "amount": 3_800_000,
        "reference": "TB-2025-0042",
        "due_date": "2025-04-10",
    }
    response = client_for(world.specialist_a).post(url, body, format="json")
    assert response.status_code == 201, response.json()
    entry = response.json()
    assert (
        entry["kind"],
        entry["amount"],
        entry["source"],
        entry["source_reference"],
        entry["due_date"],
    ) == (
        "charge",
        3_800_000,
        "officer",
        "TB-2025-0042",
        "2025-04-10",
    )
    assert entry["recorded_by"] == world.specialist_a.username
    again = client_for(world.officer_a).post(url, body, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "charge_exists")
    assert dossier_balance(awaiting).due == FEE + CHARGE + 3_800_000
    assert client_for(world.officer_b).post(url, body, format="json").status_code == 404
    bad = client_for(world.officer_a).post(url, {"name": "", "amount": 0}, format="json")
    assert bad.status_code == 400
    ledger = client_for(world.officer_a).get(f"/api/v1/dossiers/{awaiting.code}/ledger/").json()
    assert [e["amount"] for e in ledger["results"]] == [FEE, CHARGE, 3_800_000]


def test_exemptions_with_a_reason_settle_the_dossier(awaiting: Dossier, world: World) -> None:
    url = f"/api/v1/dossiers/{awaiting.code}/exemptions/"
    fee, copy = LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.CHARGE).order_by("pk")
    officer = client_for(world.officer_a)
    no_reason = officer.post(url, {"charge": fee.pk, "reason": ""}, format="json")
    assert no_reason.status_code == 400
    assert (
        client_for(world.specialist_a).post(url, {"charge": fee.pk, "reason": "x"}, format="json").status_code
        == 403
    )
    too_much = officer.post(url, {"charge": fee.pk, "amount": FEE + 1, "reason": "Hộ nghèo"}, format="json")
    assert (too_much.status_code, too_much.json()["details"]) == (
        400,
        {"amount": ["Số tiền miễn, giảm từ 1 đến 20000 đồng."]},
    )
    half = officer.post(
        url, {"charge": fee.pk, "amount": FEE // 2, "reason": "Người cao tuổi"}, format="json"
    )
    assert half.status_code == 201
    assert (half.json()["kind"], half.json()["amount"], half.json()["note"]) == (
        "adjustment",
        -FEE // 2,
        "Người cao tuổi",
    )
    twice = officer.post(url, {"charge": fee.pk, "reason": "lại"}, format="json")
    assert (twice.status_code, twice.json()["code"]) == (409, "exemption_exists")
    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_PAYMENT  # 15,000 still due
    client_for(world.officer_a).post(
        f"/api/v1/dossiers/{awaiting.code}/payments/", {"method": "cash", "amount": FEE // 2}, format="json"
    )
    officer.post(url, {"charge": copy.pk, "reason": "Hộ nghèo"}, format="json")
    balance = dossier_balance(awaiting)
    assert (balance.adjusted, balance.paid, balance.due) == (-(FEE // 2) - CHARGE, FEE // 2, 0)
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING
    event = awaiting.events.get(action=Action.PAYMENT_RECEIVED)
    assert event.actor.username == "system:payments"
    assert "Hộ nghèo" in event.note
    adjustments = LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.ADJUSTMENT)
    assert {(a.source, a.recorded_by_id) for a in adjustments} == {(EntrySource.OFFICER, world.officer_a.pk)}
