"""Due times through receipt, pause, reset, extension, step budgets; classification of finished dossiers.

These run the real worktime engine (DOMAIN.md §5): Monday 10 March 2025 is an ordinary working week.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.catalog.constants import SupplementRule
from motcua.core import clock
from motcua.core.errors import Conflict, PermissionDenied
from motcua.core.masking import mask_id_number
from motcua.dossiers.constants import Action, Routing, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import dossiers_visible_to
from motcua.dossiers.services import dossier_intake_counter

from .conftest import MONDAY_10, World
from .factories import UserFactory

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "Nguyễn Văn An", "id_number": "026012345612", "phone": "0912345678"}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=clock.VN_TZ)


def intake(world: World) -> Dossier:
    with clock.frozen(MONDAY_10):
        return dossier_intake_counter(
            officer=world.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
        )


def act(dossier: Dossier, action: str, actor: object, when: dt.datetime, **params: object) -> Dossier:
    with clock.frozen(when):
        return dossier_transition(dossier=dossier, action=action, actor=actor, **params)  # type: ignore[arg-type]


def test_received_monday_10_with_three_days_is_due_thursday_10(world: World) -> None:
    dossier = intake(world)
    assert dossier.status == Status.RECEIVED
    assert dossier.received_at == MONDAY_10
    assert dossier.due_at == dossier.statutory_due_at == at(13, 10)
    event = DossierEvent.objects.get(dossier=dossier, action=Action.RECEIVE)
    assert event.due_at == at(13, 10)
    assert event.budget_minutes == 3 * 8 * 60


def test_pause_rule_resumes_with_the_remaining_time(world: World) -> None:
    dossier = intake(world)
    dossier = act(
        dossier, Action.REQUEST_SUPPLEMENT, world.officer_a, at(11, 10), note="Thiếu giấy chứng sinh"
    )
    assert dossier.status == Status.AWAITING_SUPPLEMENT
    assert dossier.paused_at == at(11, 10)
    assert dossier.remaining_minutes == 16 * 60
    assert dossier.supplement_requests == 1
    dossier = act(dossier, Action.SUPPLEMENT_RECEIVED, world.officer_a, at(14, 10))
    assert dossier.status == Status.PROCESSING
    # Friday 10:00 + 16 working hours: Fri 6 h, Mon 8 h, Tue 2 h.
    assert dossier.due_at == dossier.statutory_due_at == at(18, 10)
    assert dossier.paused_at is None
    assert dossier.remaining_minutes is None


def test_reset_rule_restarts_the_whole_limit(world: World) -> None:
    world.version.supplement_rule = SupplementRule.RESET
    world.version.save(update_fields=["supplement_rule"])
    dossier = intake(world)
    dossier = act(dossier, Action.REQUEST_SUPPLEMENT, world.specialist_a, at(11, 10), note="Thiếu tờ khai")
    assert dossier.remaining_minutes is None
    dossier = act(dossier, Action.SUPPLEMENT_RECEIVED, world.officer_a, at(14, 10))
    assert dossier.due_at == dossier.statutory_due_at == at(19, 10)  # Friday 10:00 + 3 working days


@pytest.mark.parametrize(
    ("rule", "due"),
    [
        (SupplementRule.PAUSE, at(18, 10)),  # Friday 10:00 + the 16 working hours left
        (SupplementRule.RESET, at(19, 10)),  # Friday 10:00 + the whole 3 working days
    ],
)
def test_the_applicant_completes_the_supplement_online(world: World, rule: str, due: dt.datetime) -> None:
    world.version.supplement_rule = rule
    world.version.save(update_fields=["supplement_rule"])
    owner = UserFactory(username="cong-dan-an")
    dossier = intake(world)
    Dossier.objects.filter(pk=dossier.pk).update(owner=owner)  # as if it had been submitted online
    dossier = act(dossier, Action.REQUEST_SUPPLEMENT, world.specialist_a, at(11, 10), note="Thiếu tờ khai")
    # Another citizen may not; the owner may (officers keep the ability: test_pause_rule_…).
    stranger = UserFactory(username="nguoi-khac")
    with pytest.raises(PermissionDenied):
        act(dossier, Action.SUPPLEMENT_RECEIVED, stranger, at(14, 10))
    dossier = act(dossier, Action.SUPPLEMENT_RECEIVED, owner, at(14, 10))
    assert dossier.status == Status.PROCESSING
    assert dossier.due_at == dossier.statutory_due_at == due
    assert (dossier.paused_at, dossier.remaining_minutes) == (None, None)
    event = DossierEvent.objects.get(dossier=dossier, action=Action.SUPPLEMENT_RECEIVED)
    assert (event.actor, event.due_at, event.data["rule"]) == (owner, due, rule)


def test_extension_moves_the_displayed_due_only_once(world: World) -> None:
    dossier = intake(world)
    dossier = act(dossier, Action.EXTEND, world.leader_a, at(11, 10), note="Chờ xác minh", due=at(17, 10))
    assert dossier.due_at == at(17, 10)
    assert dossier.statutory_due_at == at(13, 10)
    assert dossier.extended
    with pytest.raises(Conflict) as caught:
        act(dossier, Action.EXTEND, world.leader_a, at(12, 9), note="Lần hai", due=at(20, 10))
    assert caught.value.code == "already_extended"
    assert Dossier.objects.get(pk=dossier.pk).due_at == at(17, 10)


def test_extension_needs_one_working_day_before_the_due_time(world: World) -> None:
    dossier = intake(world)
    with pytest.raises(Conflict) as caught:
        act(dossier, Action.EXTEND, world.leader_a, at(12, 11), note="Muộn", due=at(17, 10))
    assert caught.value.code == "extension_too_late"
    # Exactly one working day before is still allowed.
    dossier = act(dossier, Action.EXTEND, world.leader_a, at(12, 10), note="Kịp", due=at(17, 10))
    assert dossier.extended


def test_new_appointment_must_be_later(world: World) -> None:
    dossier = intake(world)
    with pytest.raises(Exception, match="sau ngày hẹn"):
        act(dossier, Action.EXTEND, world.leader_a, at(11, 10), note="x", due=at(13, 9))
    assert not Dossier.objects.get(pk=dossier.pk).extended


def test_pause_after_extension_keeps_the_extension(world: World) -> None:
    dossier = intake(world)
    dossier = act(dossier, Action.EXTEND, world.leader_a, at(11, 10), note="Chờ xác minh", due=at(14, 10))
    dossier = act(dossier, Action.REQUEST_SUPPLEMENT, world.specialist_a, at(11, 11), note="Thiếu")
    dossier = act(dossier, Action.SUPPLEMENT_RECEIVED, world.officer_a, at(17, 11))
    # 15 h were left at Tuesday 11:00; from Monday 17 11:00: Mon 5 h, Tue 8 h, Wed 2 h → Wednesday 10:00.
    assert dossier.statutory_due_at == at(19, 10)
    # The displayed due keeps the 8 h of the extension (Thursday 13 10:00 → Friday 14 10:00).
    assert dossier.due_at == at(20, 10)


@pytest.mark.parametrize(
    ("finished", "expected"),
    [((12, 16), "early"), ((13, 9), "on_time"), ((13, 10), "on_time"), ((13, 11), "late")],
)
def test_classification_of_resolved_dossiers(world: World, finished: tuple[int, int], expected: str) -> None:
    dossier = intake(world)
    dossier = act(dossier, Action.FORWARD, world.officer_a, at(10, 11))
    dossier = act(dossier, Action.RESOLVE, world.leader_a, at(*finished), result="Giấy khai sinh")
    assert dossier.finished_at == at(*finished)
    assert dossier.classification == expected
    assert DossierEvent.objects.get(dossier=dossier, action=Action.RESOLVE).classification == expected


def test_extension_does_not_save_a_late_dossier(world: World) -> None:
    dossier = intake(world)
    dossier = act(dossier, Action.EXTEND, world.leader_a, at(11, 10), note="Chờ", due=at(17, 10))
    dossier = act(dossier, Action.FORWARD, world.officer_a, at(11, 11))
    dossier = act(dossier, Action.RESOLVE, world.leader_a, at(14, 9), result="Giấy khai sinh")
    assert dossier.classification == "late"


def test_two_supplement_requests_make_the_dossier_late(world: World) -> None:
    dossier = intake(world)
    for day in (10, 11):
        dossier = act(dossier, Action.REQUEST_SUPPLEMENT, world.officer_a, at(day, 14), note="Thiếu")
        dossier = act(dossier, Action.SUPPLEMENT_RECEIVED, world.officer_a, at(day, 15))
    dossier = act(dossier, Action.RESOLVE, world.leader_a, at(11, 16), result="Giấy khai sinh")
    assert dossier.supplement_requests == 2
    assert dossier.classification == "late"


def test_refused_and_stopped_dossiers_count_as_on_time(world: World) -> None:
    dossier = intake(world)
    dossier = act(dossier, Action.STOP, world.leader_a, at(20, 10), note="Người nộp chết")
    assert dossier.status == Status.STOPPED
    assert dossier.closed_at == at(20, 10)
    assert dossier.classification == "on_time"


def test_process_steps_have_budgets_and_are_classified(world: World) -> None:
    dossier = intake(world)
    # step 1 named explicitly (the default after the receipt is step 2: the receipt did the desk's step)
    dossier = act(dossier, Action.FORWARD, world.officer_a, MONDAY_10, step=1)  # step 1: 4 h
    first = dossier.steps.get()
    assert first.process_step is not None
    assert first.process_step.order == 1
    assert (first.started_at, first.due_at, first.budget_minutes) == (MONDAY_10, at(10, 15), 240)
    dossier = act(dossier, Action.FORWARD, world.officer_a, at(10, 16))  # late by an hour; step 2: 12 h
    first.refresh_from_db()
    assert (first.finished_at, first.classification) == (at(10, 16), "late")
    second = dossier.steps.get(finished_at__isnull=True)
    assert second.name == "Thẩm định, xử lý"
    assert second.due_at == at(12, 11)  # Monday 16:00 + 12 h: Mon 1 h, Tue 8 h, Wed 3 h (08–11)
    event = DossierEvent.objects.filter(dossier=dossier, action=Action.FORWARD).last()
    assert event is not None
    assert (event.step, event.budget_minutes, event.due_at, event.classification) == (
        second,
        720,
        at(12, 11),
        "late",
    )
    dossier = act(dossier, Action.ASSIGN, world.leader_a, at(11, 8), assignee="chuyenvien_a")
    second.refresh_from_db()
    assert dossier.assignee == second.assignee == world.specialist_a
    dossier = act(dossier, Action.FORWARD, world.specialist_a, at(11, 9))  # early: a day before
    second.refresh_from_db()
    assert second.classification == "early"
    assert dossier.assignee is None
    assert dossier.current_step is not None
    assert dossier.current_step.order == 3


def test_parallel_inter_agency_legs(world: World) -> None:
    dossier = intake(world)
    legs = [{"unit": "9001", "budget_hours": 8}, {"unit": "25", "budget_hours": 16, "name": "Sở Tư pháp"}]
    dossier = act(dossier, Action.FORWARD, world.officer_a, MONDAY_10, legs=legs, routing=Routing.PARALLEL)
    open_legs = list(dossier.steps.filter(finished_at__isnull=True).order_by("position"))
    assert [leg.unit.code for leg in open_legs] == ["9001", "25"]
    assert [leg.due_at for leg in open_legs] == [at(11, 10), at(12, 10)]
    assert all(leg.started_at == MONDAY_10 for leg in open_legs)
    dossier = act(dossier, Action.COMPLETE_LEG, world.specialist_b, at(10, 16), note="Đã xác minh")
    b_leg = dossier.steps.get(unit__code="9001")
    assert (b_leg.finished_at, b_leg.classification) == (at(10, 16), "early")
    event = DossierEvent.objects.filter(dossier=dossier).latest("pk")
    assert (event.action, event.step, event.classification) == ("complete-leg", b_leg, "early")
    assert dossier.status == Status.PROCESSING
    # The routed unit sees the dossier; once its leg is done it has nothing to act on any more.
    assert dossiers_visible_to(world.specialist_b).filter(pk=dossier.pk).exists()
    with pytest.raises(PermissionDenied):
        act(dossier, Action.COMPLETE_LEG, world.specialist_b, at(11, 10))


def test_sequential_legs_start_one_after_another(world: World) -> None:
    dossier = intake(world)
    legs = [{"unit": "9001", "budget_hours": 8}, {"unit": "8707", "budget_hours": 4}]
    dossier = act(dossier, Action.FORWARD, world.officer_a, MONDAY_10, legs=legs, routing=Routing.SEQUENCE)
    first, second = dossier.steps.order_by("position")
    assert first.started_at == MONDAY_10
    assert second.started_at is None
    act(dossier, Action.COMPLETE_LEG, world.specialist_b, at(10, 14))
    second.refresh_from_db()
    assert second.started_at == at(10, 14)
    assert second.due_at == at(11, 9)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    used=st.integers(min_value=0, max_value=3 * 8 * 60 - 1),
    away=st.integers(min_value=0, max_value=20 * 24 * 60),
)
def test_pause_never_loses_or_gains_office_time(world: World, used: int, away: int) -> None:
    """Office time before the request + office time after the supplement == the whole limit."""
    from motcua.worktime.services import get_calendar

    calendar = get_calendar()
    dossier = intake(world)
    requested = calendar.add_office_minutes(MONDAY_10, used)
    resumed = requested + dt.timedelta(minutes=away)
    dossier = act(dossier, Action.REQUEST_SUPPLEMENT, world.officer_a, requested, note="Thiếu")
    dossier = act(dossier, Action.SUPPLEMENT_RECEIVED, world.officer_a, resumed)
    assert dossier.statutory_due_at is not None
    before = calendar.office_minutes_between(MONDAY_10, requested)
    after = calendar.office_minutes_between(resumed, dossier.statutory_due_at)
    assert before + after == 3 * 8 * 60
    assert dossier.statutory_due_at >= resumed


@given(st.text(alphabet="0123456789", min_size=0, max_size=14))
def test_masking_keeps_length_and_hides_the_middle(value: str) -> None:
    """Dossier lists use the one rule of ``core.masking``: first three and last three digits."""
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    if len(value) >= 10:
        assert masked[:3] == value[:3]
        assert masked[-3:] == value[-3:]
        assert set(masked[3:-3]) == {"*"}
    else:
        assert set(masked) <= {"*"}


def test_open_step_budgets_pause_with_the_dossier(world: World) -> None:
    dossier = intake(world)
    dossier = act(dossier, Action.FORWARD, world.officer_a, MONDAY_10, step=1)  # step 1: 4 h → Monday 15:00
    dossier = act(dossier, Action.REQUEST_SUPPLEMENT, world.officer_a, at(10, 11), note="Thiếu")
    leg = dossier.steps.get()
    assert leg.paused_remaining_minutes == 180  # 11–12, 13–15
    dossier = act(dossier, Action.SUPPLEMENT_RECEIVED, world.officer_a, at(12, 16))
    leg.refresh_from_db()
    assert leg.paused_remaining_minutes is None
    assert leg.due_at == at(13, 10)  # Wednesday 16:00 + 3 h: Wed 1 h, Thu 08–10
