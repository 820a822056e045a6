"""Land financial obligations (issue 12, item 8; DOMAIN.md §5): the tax notice pauses the dossier's clock like
a ``pause`` supplement, the dossier is never overdue while it waits, and paying it online moves the dossier on
(as ``system:vnpay``) with the clock resumed: the due moves by the paused time."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core import clock
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import is_overdue, overdue_q
from motcua.dossiers.services import dossier_intake_counter
from motcua.dossiers.tests.conftest import MONDAY_10, World
from motcua.payments import services
from motcua.payments.constants import Method
from motcua.payments.models import Payment
from motcua.payments.selectors import dossier_balance
from motcua.worktime.services import get_calendar

from .test_vnpay import ipn_params, send_ipn

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "Nguyễn Văn An", "id_number": "026012345612", "phone": "0912345678"}
TAX = 3_800_000


def land_dossier(world: World) -> Dossier:
    """Received Monday 10:00 with 3 working days (due Thursday 10:00), handed to processing."""
    with clock.frozen(MONDAY_10):
        dossier = dossier_intake_counter(
            officer=world.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
        )
        return dossier_transition(dossier=dossier, action=Action.FORWARD, actor=world.officer_a)


def notice(dossier: Dossier, world: World, when: dt.datetime, number: str = "TB-2025-0042") -> Dossier:
    with clock.frozen(when):
        services.obligations_notice_record(
            dossier=dossier,
            actor=world.specialist_a,
            notice_number=number,
            amount=TAX,
            due_date=dt.date(2025, 4, 10),
        )
    return Dossier.objects.get(pk=dossier.pk)


def pay_online(dossier: Dossier, world: World, when: dt.datetime) -> Dossier:
    with clock.frozen(when):
        payment = services.payment_create(dossier=dossier, actor=world.officer_a, method=Method.VNPAY)
        assert payment.amount == dossier_balance(dossier).due
        assert send_ipn(ipn_params(payment))["RspCode"] == "00"
    return Dossier.objects.get(pk=dossier.pk)


def test_a_land_dossier_waiting_ten_working_days_is_not_overdue_and_its_due_moves(world: World) -> None:
    cal = get_calendar()
    dossier = land_dossier(world)
    due_before = dossier.statutory_due_at
    assert due_before == dt.datetime(2025, 3, 13, 10, 0, tzinfo=clock.VN_TZ)
    noticed_at = dt.datetime(2025, 3, 11, 10, 0, tzinfo=clock.VN_TZ)  # Tuesday: 8 office hours used
    dossier = notice(dossier, world, noticed_at)
    assert dossier.status == Status.AWAITING_PAYMENT
    assert dossier.paused_at == noticed_at
    assert dossier.remaining_minutes == 2 * 8 * 60
    event = DossierEvent.objects.get(dossier=dossier, action=Action.REQUEST_PAYMENT)
    assert "TB-2025-0042" in event.note
    assert "3.800.000" in event.note
    assert dossier_balance(dossier).due == TAX
    # Ten working days later, long after the original due: never overdue while it waits.
    paid_at = cal.add_working_days(noticed_at, 10)
    assert paid_at > due_before + dt.timedelta(days=7)
    assert not is_overdue(dossier, paid_at)
    assert not Dossier.objects.filter(overdue_q(paid_at), pk=dossier.pk).exists()
    # Paid online: the dossier moves on as system:vnpay with the 2 days it had left.
    dossier = pay_online(dossier, world, paid_at)
    assert dossier.status == Status.PROCESSING
    assert dossier_balance(dossier).due == 0
    moved = DossierEvent.objects.get(dossier=dossier, action=Action.PAYMENT_RECEIVED)
    assert moved.actor.username == "system:vnpay"
    assert (dossier.paused_at, dossier.remaining_minutes) == (None, None)
    assert dossier.statutory_due_at == dossier.due_at == cal.add_office_minutes(paid_at, 2 * 8 * 60)
    assert (
        cal.office_minutes_between(due_before, dossier.statutory_due_at) == 10 * 8 * 60
    )  # moved by the wait
    assert moved.due_at == dossier.due_at
    assert not is_overdue(dossier, paid_at + dt.timedelta(hours=1))


def test_the_same_notice_twice_is_refused_and_a_second_notice_only_adds_its_charge(world: World) -> None:
    from motcua.core.errors import Conflict

    dossier = land_dossier(world)
    noticed_at = dt.datetime(2025, 3, 11, 10, 0, tzinfo=clock.VN_TZ)
    dossier = notice(dossier, world, noticed_at)
    with pytest.raises(Conflict) as refused:
        notice(dossier, world, noticed_at + dt.timedelta(hours=1))
    assert refused.value.code == "charge_exists"
    dossier = notice(dossier, world, noticed_at + dt.timedelta(hours=2), number="TB-2025-0043")
    assert dossier.status == Status.AWAITING_PAYMENT
    assert dossier.paused_at == noticed_at  # still paused from the first notice
    assert dossier_balance(dossier).due == 2 * TAX
    assert Payment.objects.count() == 0


def test_without_pause_clock_a_fee_request_keeps_the_clock_running(world: World) -> None:
    dossier = land_dossier(world)
    with clock.frozen(MONDAY_10 + dt.timedelta(hours=1)):
        dossier = dossier_transition(
            dossier=dossier, action=Action.REQUEST_PAYMENT, actor=world.officer_a, note="Lệ phí"
        )
    assert dossier.paused_at is None
    assert is_overdue(dossier, dt.datetime(2025, 3, 14, 10, 0, tzinfo=clock.VN_TZ))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    used=st.integers(min_value=0, max_value=3 * 8 * 60 - 1),
    away=st.integers(min_value=1, max_value=30 * 24 * 60),
)
def test_waiting_for_obligations_never_loses_or_gains_office_time(world: World, used: int, away: int) -> None:
    """Office time before the notice + office time after the payment == the whole limit (3 working days)."""
    cal = get_calendar()
    dossier = land_dossier(world)
    noticed_at = cal.add_office_minutes(MONDAY_10, used)
    paid_at = noticed_at + dt.timedelta(minutes=away)
    with clock.frozen(noticed_at):
        dossier = dossier_transition(
            dossier=dossier,
            action=Action.REQUEST_PAYMENT,
            actor=world.officer_a,
            note="Thông báo thuế",
            pause_clock=True,
        )
    assert not is_overdue(dossier, paid_at)
    with clock.frozen(paid_at):
        dossier = dossier_transition(dossier=dossier, action=Action.PAYMENT_RECEIVED, actor=world.officer_a)
    assert dossier.statutory_due_at is not None
    before = cal.office_minutes_between(MONDAY_10, noticed_at)
    after = cal.office_minutes_between(paid_at, dossier.statutory_due_at)
    assert before + after == 3 * 8 * 60
    assert dossier.statutory_due_at >= paid_at
