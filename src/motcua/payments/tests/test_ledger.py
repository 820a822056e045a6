"""The ledger: charges from the procedure's fees (once), credits naming their source, balances as sums, the
dossier moved on by the system actor when its balance reaches zero."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from motcua.audit.models import AppendOnlyError
from motcua.catalog.models import Fee
from motcua.core.errors import Conflict, PermissionDenied, ValidationFailed
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import dossier_in
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.payments.constants import EntryKind, EntrySource, PaymentStatus
from motcua.payments.models import LedgerEntry
from motcua.payments.selectors import dossier_balance
from motcua.payments.services import fee_charges_post, payment_create

from .conftest import CHARGE, FEE

pytestmark = pytest.mark.django_db


def test_request_payment_charges_the_fees_once(awaiting: Dossier, fees: list[Fee], world: World) -> None:
    assert awaiting.status == Status.AWAITING_PAYMENT
    charges = list(LedgerEntry.objects.filter(dossier=awaiting).order_by("pk"))
    assert [(c.kind, c.amount, c.name, c.source, c.fee_id) for c in charges] == [
        (EntryKind.CHARGE, FEE, "Lệ phí đăng ký", EntrySource.FEE, fees[0].pk),
        (EntryKind.CHARGE, CHARGE, "Phí cấp bản sao", EntrySource.FEE, fees[1].pk),
    ]  # the 0 VND fee is not charged
    assert fee_charges_post(dossier=awaiting) == []  # posting again writes nothing
    # A second request (after the cash was received at the counter) charges nothing more.
    dossier = dossier_transition(
        dossier=awaiting, action=Action.PAYMENT_RECEIVED, actor=world.officer_a, cash_amount=FEE + CHARGE
    )
    dossier_transition(dossier=dossier, action=Action.REQUEST_PAYMENT, actor=world.officer_a, note="Lần 2")
    run_queued_tasks()
    assert LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.CHARGE).count() == 2
    assert dossier_balance(awaiting).due == 0


def test_cash_at_the_counter_credits_once_and_moves_the_dossier_on(awaiting: Dossier, world: World) -> None:
    partial = payment_create(dossier=awaiting, actor=world.officer_a, method="cash", amount=FEE)
    assert partial.status == PaymentStatus.SUCCEEDED
    credit = LedgerEntry.objects.get(payment=partial)
    assert (credit.kind, credit.amount, credit.source, credit.recorded_by) == (
        EntryKind.PAYMENT,
        -FEE,
        EntrySource.COUNTER,
        world.officer_a,
    )
    assert credit.source_reference == partial.reference
    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_PAYMENT  # 5,000 still due
    rest = payment_create(dossier=awaiting, actor=world.officer_a, method="cash")
    assert rest.amount == CHARGE
    balance = dossier_balance(awaiting)
    assert (balance.charged, balance.paid, balance.due) == (FEE + CHARGE, FEE + CHARGE, 0)
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING
    event = awaiting.events.get(action=Action.PAYMENT_RECEIVED)
    assert event.actor.username == "system:cash"
    assert rest.reference in event.note
    with pytest.raises(Conflict) as nothing:
        payment_create(dossier=awaiting, actor=world.officer_a, method="cash")
    assert nothing.value.code == "nothing_due"


def test_who_may_pay(awaiting: Dossier, world: World) -> None:
    with pytest.raises(PermissionDenied):  # cash: an officer of the dossier's unit only
        payment_create(dossier=awaiting, actor=world.specialist_a, method="cash")
    with pytest.raises(PermissionDenied):
        payment_create(dossier=awaiting, actor=world.officer_b, method="cash")
    with pytest.raises(ValidationFailed) as too_much:
        payment_create(dossier=awaiting, actor=world.officer_a, method="cash", amount=FEE + CHARGE + 1)
    assert too_much.value.code == "amount_exceeds_balance"
    with pytest.raises(ValidationFailed) as unknown:
        payment_create(dossier=awaiting, actor=world.officer_a, method="bitcoin")
    assert unknown.value.code == "invalid_method"
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


def test_a_dossier_without_fees_owes_nothing(world: World, frozen: object) -> None:
    dossier = dossier_in(Status.AWAITING_PAYMENT, version=world.version, unit=world.unit_a)
    with pytest.raises(Conflict):
        payment_create(dossier=dossier, actor=world.officer_a, method="cash")
    assert dossier_balance(dossier).due == 0


def test_the_ledger_is_append_only_and_credits_name_their_source(awaiting: Dossier, world: World) -> None:
    entry = LedgerEntry.objects.filter(dossier=awaiting).first()
    assert entry is not None
    entry.amount = 1
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(dossier=awaiting).delete()
    base = {"dossier": awaiting, "name": "x", "at": entry.at}
    with pytest.raises(IntegrityError), transaction.atomic():  # a credit without its source's reference
        LedgerEntry.objects.create(
            kind=EntryKind.PAYMENT, amount=-1, source=EntrySource.GATEWAY, idempotency_key="a", **base
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # cash without the officer
        LedgerEntry.objects.create(
            kind=EntryKind.PAYMENT,
            amount=-1,
            source=EntrySource.COUNTER,
            source_reference="MC1",
            idempotency_key="b",
            **base,
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # a credit with the wrong sign
        LedgerEntry.objects.create(
            kind=EntryKind.PAYMENT,
            amount=1,
            source=EntrySource.COUNTER,
            source_reference="MC1",
            recorded_by=world.officer_a,
            idempotency_key="c",
            **base,
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # the same outside event twice
        LedgerEntry.objects.create(
            kind=EntryKind.CHARGE,
            amount=1,
            source=EntrySource.OFFICER,
            idempotency_key=entry.idempotency_key,
            **base,
        )


def test_the_admin_shows_the_ledger_read_only(awaiting: Dossier, world: World) -> None:
    from django.test import Client

    from motcua.accounts.models import User

    payment_create(dossier=awaiting, actor=world.officer_a, method="cash")
    admin = User.objects.create_superuser(username="quantri", password="x")
    client = Client()
    client.force_login(admin)
    for model in ("ledgerentry", "payment", "gatewaynotice", "sandboxvnpaytransaction"):
        page = client.get(f"/quan-tri/payments/{model}/")
        assert page.status_code == 200, model
    entry = LedgerEntry.objects.filter(dossier=awaiting).first()
    assert entry is not None
    assert client.get(f"/quan-tri/payments/ledgerentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/quan-tri/payments/ledgerentry/add/").status_code == 403


def test_an_open_order_is_handed_out_again_not_a_second_one(awaiting: Dossier, world: World) -> None:
    """Opening the payment page twice gives the same order: the fees cannot be paid twice that way."""
    import datetime as dt

    from motcua.core import clock

    first = payment_create(dossier=awaiting, actor=world.officer_a, method="vnpay")
    assert payment_create(dossier=awaiting, actor=world.officer_a, method="vnpay").pk == first.pk
    other_amount = payment_create(dossier=awaiting, actor=world.officer_a, method="vnpay", amount=FEE)
    assert other_amount.pk != first.pk
    assert first.expires_at is not None
    with clock.frozen(first.expires_at - dt.timedelta(minutes=1)):  # too little time left to pay it
        fresh = payment_create(dossier=awaiting, actor=world.officer_a, method="vnpay")
    assert fresh.pk not in (first.pk, other_amount.pk)
    assert fresh.status == PaymentStatus.PENDING
