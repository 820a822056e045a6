"""The officer's ``payment-received`` ("Đã thực hiện nghĩa vụ tài chính") follows the ledger (issue 12 defect).

Before the fix it moved a dossier on with its fees unpaid and no ledger entry at all. Now it needs a zero
balance, or the cash taken at the counter in the same step (``cash_amount``, ``payer_name``: a credit naming
the officer, audited).
"""

from __future__ import annotations

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, PermissionDenied, ValidationFailed
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.payments.constants import EntryKind, EntrySource, Method, PaymentStatus
from motcua.payments.models import LedgerEntry, Payment
from motcua.payments.selectors import dossier_balance
from motcua.payments.services import payment_create

from .conftest import CHARGE, FEE

pytestmark = pytest.mark.django_db


def test_an_officer_cannot_move_an_unpaid_dossier_on(awaiting: Dossier, world: World) -> None:
    with pytest.raises(Conflict) as refused:
        dossier_transition(dossier=awaiting, action=Action.PAYMENT_RECEIVED, actor=world.officer_a)
    assert refused.value.code == "balance_due"
    assert "25.000" in refused.value.message
    assert "còn phải nộp" in refused.value.message
    assert refused.value.details == {"due": FEE + CHARGE}
    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_PAYMENT
    assert not LedgerEntry.objects.filter(dossier=awaiting, kind=EntryKind.PAYMENT).exists()


def test_the_fees_are_charged_before_the_check_even_if_the_worker_has_not_run(
    world: World, fees: object
) -> None:
    from motcua.dossiers.tests.factories import dossier_in

    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    dossier = dossier_transition(
        dossier=dossier, action=Action.REQUEST_PAYMENT, actor=world.officer_a, note="Lệ phí"
    )
    # the consumer's task did not run: the check posts the charges itself
    with pytest.raises(Conflict):
        dossier_transition(dossier=dossier, action=Action.PAYMENT_RECEIVED, actor=world.officer_a)


def test_a_paid_dossier_moves_on_by_the_officer(awaiting: Dossier, world: World) -> None:
    payment_create(dossier=awaiting, actor=world.officer_a, method="cash", amount=FEE)  # 5,000 still due
    with pytest.raises(Conflict):
        dossier_transition(dossier=awaiting, action=Action.PAYMENT_RECEIVED, actor=world.officer_a)
    dossier = Dossier.objects.get(pk=awaiting.pk)
    # with the rest in cash, in the same step
    moved = dossier_transition(
        dossier=dossier,
        action=Action.PAYMENT_RECEIVED,
        actor=world.officer_a,
        cash_amount=CHARGE,
        payer_name="Nguyễn Văn A",
    )
    assert moved.status == Status.PROCESSING
    assert moved.events.get(action=Action.PAYMENT_RECEIVED).actor == world.officer_a
    assert dossier_balance(moved).due == 0
    cash = Payment.objects.filter(dossier=moved, method=Method.CASH).order_by("pk").last()
    assert cash is not None
    assert (cash.amount, cash.status, cash.payer_name) == (CHARGE, PaymentStatus.SUCCEEDED, "Nguyễn Văn A")
    credit = LedgerEntry.objects.get(payment=cash)
    assert (credit.source, credit.recorded_by, credit.amount) == (
        EntrySource.COUNTER,
        world.officer_a,
        -CHARGE,
    )
    audit = AuditEntry.objects.filter(action="payment.cash", object_id=cash.reference).get()
    assert audit.data["amount"] == CHARGE
    assert audit.data["payer_name"] == "Nguyễn Văn A"


def test_cash_that_does_not_settle_the_balance_is_refused_whole(awaiting: Dossier, world: World) -> None:
    with pytest.raises(Conflict) as refused:
        dossier_transition(
            dossier=awaiting, action=Action.PAYMENT_RECEIVED, actor=world.officer_a, cash_amount=FEE
        )
    assert refused.value.code == "balance_due"
    assert not Payment.objects.filter(dossier=awaiting).exists()  # nothing written: one step, one transaction


def test_cash_params_are_checked(awaiting: Dossier, world: World) -> None:
    with pytest.raises(ValidationFailed):
        dossier_transition(
            dossier=awaiting, action=Action.PAYMENT_RECEIVED, actor=world.officer_a, cash_amount="nhiều"
        )
    with pytest.raises(ValidationFailed):
        dossier_transition(
            dossier=awaiting,
            action=Action.PAYMENT_RECEIVED,
            actor=world.officer_a,
            cash_amount=FEE + CHARGE + 1,
        )


def test_a_system_actor_cannot_take_cash(awaiting: Dossier, world: World) -> None:
    from motcua.accounts.services import system_actor

    with pytest.raises((PermissionDenied, Conflict)):
        dossier_transition(
            dossier=awaiting,
            action=Action.PAYMENT_RECEIVED,
            actor=system_actor("vnpay", label="VNPay"),
            cash_amount=FEE + CHARGE,
        )
    assert not Payment.objects.filter(dossier=awaiting).exists()
