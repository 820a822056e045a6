"""Payments and Project 06 in the simulated month (issue 12 item 9, issue 15 item 5): generated through the
payment services and calibrated to the seed; the reconciliation of every simulated day shows no difference;
the Project 06 figures of ``motcua kpi`` come out in the seed's proportions."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from typing import Any

import pytest
import requests
from django.core.management import call_command

from motcua.catalog.constants import P06Kind
from motcua.catalog.models import Procedure
from motcua.catalog.services import catalog_load_demo
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.organisations.services import demo_units_load
from motcua.payments.constants import EntryKind, EntrySource, Method, PaymentStatus
from motcua.payments.gateways import payment_gateways
from motcua.payments.models import GatewayNotice, LedgerEntry, Payment
from motcua.payments.reconciliation import report_build
from motcua.payments.tests.test_reconcile import Loopback
from motcua.reports.kpi import province_kpi
from motcua.simulation import money
from motcua.simulation.profiles import VINH_PHUC
from motcua.simulation.simulator import parse_month, simulate_month
from motcua.worktime.services import calendar_overrides_load_demo

SCALE = 0.03
START, END = parse_month("2023-03")
SEED = {"online_count": 2700, "online_amount": 326e6, "bank": 846e6, "land_count": 650, "land_amount": 3.8e9}
P06_SEED = {"chip_id": 918_000, "eid_level2": 193_500, "eid_level1": 22_700, "eid_activation": 37_400}


@pytest.fixture
def demo(db: None) -> None:
    demo_units_load()
    calendar_overrides_load_demo()
    catalog_load_demo()


@pytest.fixture
def loopback(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Loopback:
    """The gateways' query APIs answered by motcua's own sandbox, in-process."""
    settings.MOTCUA_VNPAY_API_URL = "http://testserver/sandbox/vnpay/merchant_webapi/api/transaction"
    adapter = Loopback()
    session = requests.Session()
    session.mount("http://", adapter)
    monkeypatch.setattr(payment_gateways["vnpay"], "transport", session, raising=False)
    return adapter


def credits(source: str) -> tuple[int, int]:
    rows = LedgerEntry.objects.filter(kind=EntryKind.PAYMENT, source=source, at__gte=START, at__lt=END)
    return rows.count(), -sum(rows.values_list("amount", flat=True))


def test_project06_quota_keeps_the_seeds_proportions() -> None:
    full = money.project06_quota(VINH_PHUC, 1.0)
    assert sum(full.values()) == round(sum(P06_SEED.values()) / 765)
    for kind, figure in P06_SEED.items():
        # every kind's share of the four figures within 2% (relative) of the seed's share
        assert full[kind] / sum(full.values()) == pytest.approx(figure / sum(P06_SEED.values()), rel=0.02)
    assert money.largest_remainder({"a": 1, "b": 1, "c": 1}, 4) == {"a": 2, "b": 1, "c": 1}


@pytest.mark.django_db
def test_a_simulated_month_pays_through_the_ledger_and_reconciles(demo: None, loopback: Loopback) -> None:
    result = simulate_month(month="2023-03", profile="vinh-phuc", scale=SCALE, seed=3, carry=False)
    assert result.errors == []
    assert "skipped" not in result.payments
    months = VINH_PHUC["payments"]["period_months"]

    # Online: exactly the monthly count, credited by the IPN service as system:vnpay, amount on target.
    count, amount = credits(EntrySource.GATEWAY)
    assert count == round(SEED["online_count"] / months * SCALE) > 0
    assert amount == pytest.approx(SEED["online_amount"] / months * SCALE, rel=0.01)
    gateway_credits = LedgerEntry.objects.filter(kind=EntryKind.PAYMENT, source=EntrySource.GATEWAY)
    assert set(gateway_credits.values_list("recorded_by__username", flat=True)) == {"system:vnpay"}
    assert set(gateway_credits.values_list("payment__method", flat=True)) == {Method.VNPAY}
    answers = Counter(
        GatewayNotice.objects.filter(gateway=Method.VNPAY).values_list("answer_code", flat=True)
    )
    assert answers == {"00": count}  # one IPN per payment, each confirmed
    assert not Payment.objects.filter(status=PaymentStatus.PENDING, method=Method.VNPAY).exists()

    # Bank collection: VietQR orders settled by the day's statement import, amount up to the target.
    bank_count, bank_amount = credits(EntrySource.BANK_STATEMENT)
    target = SEED["bank"] / months * SCALE
    assert bank_count > 0
    assert 0.98 * target <= bank_amount <= target
    assert set(
        LedgerEntry.objects.filter(source=EntrySource.BANK_STATEMENT).values_list(
            "payment__method", flat=True
        )
    ) == {Method.VIETQR}

    # Land obligations: the officer's charge with the tax notice, the clock paused, paid, resumed.
    kpi = province_kpi(date_from=dt.date(2023, 3, 1), date_to=dt.date(2023, 3, 31), unit_code="26")
    assert kpi["land_payments_count"] == round(SEED["land_count"] / months * SCALE) > 0
    assert kpi["land_payments_amount"] == round(SEED["land_amount"] / months * SCALE)
    notices = LedgerEntry.objects.filter(kind=EntryKind.CHARGE, source=EntrySource.OFFICER)
    assert notices.count() == kpi["land_payments_count"]
    for dossier_id in notices.values_list("dossier_id", flat=True):
        events = list(DossierEvent.objects.filter(dossier_id=dossier_id).order_by("at", "pk"))
        actions = [e.action for e in events]
        paused = actions.index(Action.REQUEST_PAYMENT)
        assert events[paused].data.get("financial_obligations") is True  # the clock paused
        assert actions[paused + 1] == Action.PAYMENT_RECEIVED
        assert events[paused + 1].actor.username == "system:cash"
        assert Dossier.objects.get(pk=dossier_id).status != Status.AWAITING_PAYMENT

    # The kpi's payment keys are the ledger's, in the seed's proportions (the period divides them all alike).
    assert kpi["payments_online_count"] == count
    assert kpi["payments_online_amount"] == amount
    assert kpi["bank_collection_amount"] == bank_amount
    assert kpi["payments_online_amount"] / kpi["land_payments_amount"] == pytest.approx(
        SEED["online_amount"] / SEED["land_amount"], rel=0.02
    )
    assert bank_amount / amount == pytest.approx(SEED["bank"] / SEED["online_amount"], rel=0.03)
    assert kpi["land_payments_count"] / count == pytest.approx(
        SEED["land_count"] / SEED["online_count"], rel=0.1
    )

    # Project 06: each kind's dossiers received in the month, exactly the quota, flagged in the catalog.
    quota = money.project06_quota(VINH_PHUC, SCALE)
    assert set(Procedure.objects.exclude(p06_kind="").values_list("p06_kind", flat=True)) == set(
        P06Kind.values
    ) - {""}
    assert kpi["p06_chip_id_applications"] == quota["chip_id"] > 0
    assert kpi["p06_eid_level2_applications"] == quota["eid_level2"] > 0
    assert kpi["p06_eid_level1_applications"] == quota["eid_level1"] > 0
    assert kpi["p06_eid_activated"] == quota["eid_activation"] > 0
    assert kpi["received_new"] == round(36700 * SCALE)  # taken out of the level's share, not added

    # Reconciliation: every simulated day's gateway payments agree with the sandbox gateway's answers.
    days = sorted(
        {p.created_at.astimezone(START.tzinfo).date() for p in Payment.objects.filter(method=Method.VNPAY)}
    )
    assert days
    checked = 0
    for day in days:
        report = report_build(day, query=True, save=False)
        assert report.differences == 0, day
        assert report.unavailable == 0
        assert {line.gateway_state for line in report.lines} == {"succeeded"}
        checked += len(report.lines)
    assert checked == count
    out = io.StringIO()
    call_command("reconcile_payments", "--date", days[0].isoformat(), stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["checked"] == 0  # nothing was left pending after its expiry
    assert printed["report"]["differences"] == 0
    assert printed["report"]["payments"] > 0
    assert printed["report"]["expected"] == printed["report"]["received"]
