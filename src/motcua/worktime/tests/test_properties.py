"""Hypothesis properties of the deadline arithmetic (issue #3), on the real calendar, 2019–2026."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.worktime.calendar import VN_TZ, WorkCalendar
from motcua.worktime.services import build_calendar

CAL: WorkCalendar = build_calendar(overrides=(), office_hours="08:00-12:00,13:00-17:00", cutoff="15:00")
PERIODS = [(8 * 60, 12 * 60), (13 * 60, 17 * 60)]

PROPERTY = settings(
    max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

naive_instants = st.datetimes(
    min_value=dt.datetime(2019, 1, 1), max_value=dt.datetime(2026, 12, 31, 23, 59, 59)
)
instants = naive_instants.map(lambda d: d.replace(tzinfo=VN_TZ))
limits = st.integers(min_value=1, max_value=30)
units = st.sampled_from(["days", "hours"])
offsets = st.integers(min_value=0, max_value=60 * 24 * 60)  # up to 60 days, in minutes


def limit_minutes(limit: int, unit: str) -> int:
    return limit * (480 if unit == "days" else 60)


def inside_or_at_end_of_a_period(instant: dt.datetime) -> bool:
    local = instant.astimezone(VN_TZ)
    minute = local.hour * 60 + local.minute
    if local.second or local.microsecond or not CAL.is_working_day(local.date()):
        return False
    return any(start <= minute <= end for start, end in PERIODS)


@PROPERTY
@given(received=instants, limit=limits, unit=units)
def test_due_lies_inside_or_at_the_end_of_an_office_period(
    received: dt.datetime, limit: int, unit: str
) -> None:
    due = CAL.due(received, limit, unit)
    assert inside_or_at_end_of_a_period(due)
    assert due > received
    assert due.tzinfo is VN_TZ


@PROPERTY
@given(received=instants)
def test_same_day_due_is_the_end_of_a_working_day_after_receipt(received: dt.datetime) -> None:
    due = CAL.due(received, 0, "same_day")
    assert due.time() == dt.time(17, 0)
    assert CAL.is_working_day(due.date())
    assert due > received
    assert (due.date() - received.date()).days <= 12  # Tết is the longest stretch off


@PROPERTY
@given(received=instants, later=offsets, limit=limits, unit=units)
def test_due_is_monotonic_in_receipt_time(received: dt.datetime, later: int, limit: int, unit: str) -> None:
    assert CAL.due(received, limit, unit) <= CAL.due(received + dt.timedelta(minutes=later), limit, unit)


@PROPERTY
@given(received=instants)
def test_same_day_due_is_monotonic_in_receipt_time(received: dt.datetime) -> None:
    later = received + dt.timedelta(minutes=37)
    assert CAL.due(received, 0, "same_day") <= CAL.due(later, 0, "same_day")


@PROPERTY
@given(received=instants, a=st.integers(0, 30), b=st.integers(0, 30), unit=units)
def test_due_is_monotonic_in_the_limit(received: dt.datetime, a: int, b: int, unit: str) -> None:
    small, large = sorted((a, b))
    assert CAL.due(received, small, unit) <= CAL.due(received, large, unit)


@PROPERTY
@given(received=instants, limit=limits, unit=units)
def test_office_time_between_start_and_due_equals_the_limit(
    received: dt.datetime, limit: int, unit: str
) -> None:
    due = CAL.due(received, limit, unit)
    start = CAL.next_office_time(received)
    assert CAL.office_minutes_between(received, due) == limit_minutes(limit, unit)
    assert CAL.office_minutes_between(start.replace(second=0, microsecond=0), due) == limit_minutes(
        limit, unit
    )


@PROPERTY
@given(received=instants, limit=limits, unit=units, pause_after=offsets, paused_for=offsets)
def test_pause_and_resume_keep_the_limit(
    received: dt.datetime, limit: int, unit: str, pause_after: int, paused_for: int
) -> None:
    due = CAL.due(received, limit, unit)
    paused_at = received + dt.timedelta(minutes=pause_after)
    resumed_at = paused_at + dt.timedelta(minutes=paused_for)
    remaining = CAL.pause(due, paused_at)
    new_due = CAL.resume(remaining, resumed_at)
    paused = CAL.office_minutes_between(paused_at, resumed_at)
    assert CAL.office_minutes_between(received, new_due) - paused == limit_minutes(limit, unit)
    assert new_due >= due
    if remaining > 0:
        assert inside_or_at_end_of_a_period(new_due)
        assert new_due > resumed_at


@PROPERTY
@given(received=naive_instants, limit=st.integers(0, 30), unit=st.sampled_from(["days", "hours", "same_day"]))
def test_aware_and_equivalent_naive_inputs_give_identical_results(
    received: dt.datetime, limit: int, unit: str
) -> None:
    if unit == "same_day":
        limit = 0
    aware = received.replace(tzinfo=VN_TZ)
    in_utc = aware.astimezone(dt.UTC)
    due = CAL.due(received, limit, unit)
    assert due == CAL.due(aware, limit, unit) == CAL.due(in_utc, limit, unit)
    assert due.utcoffset() == CAL.due(in_utc, limit, unit).utcoffset() == dt.timedelta(hours=7)
    assert CAL.next_office_time(received) == CAL.next_office_time(in_utc)
    later = received + dt.timedelta(days=3)
    assert CAL.office_minutes_between(received, later) == CAL.office_minutes_between(
        in_utc, later.replace(tzinfo=VN_TZ)
    )


@PROPERTY
@given(received=instants, minutes=st.integers(-20_000, 20_000))
def test_adding_office_minutes_round_trips(received: dt.datetime, minutes: int) -> None:
    moved = CAL.add_office_minutes(received, minutes)
    assert CAL.office_minutes_between(received, moved) == minutes
    if minutes:
        assert inside_or_at_end_of_a_period(moved)


@PROPERTY
@given(received=instants)
def test_next_office_time_is_office_time_at_or_after_the_instant(received: dt.datetime) -> None:
    start = CAL.next_office_time(received)
    assert start >= received
    assert CAL.is_office_time(start)
    assert CAL.office_minutes_between(received, start) == 0
