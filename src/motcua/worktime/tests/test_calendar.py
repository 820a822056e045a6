"""The arithmetic of DOMAIN.md §5 on the real national calendar: worked examples and the issue's cases."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from motcua.worktime.calendar import VN_TZ, WorkCalendar, classify, parse_office_hours
from motcua.worktime.constants import Classification, LimitUnit

from .factories import vn

UTC = dt.UTC


# --- the working calendar ----------------------------------------------------------------------------------


def test_tet_2023_is_off_from_20_to_26_january(cal: WorkCalendar) -> None:
    assert cal.is_working_day(dt.date(2023, 1, 19))
    assert [cal.is_working_day(dt.date(2023, 1, d)) for d in range(20, 27)] == [False] * 7
    assert cal.is_working_day(dt.date(2023, 1, 27))


def test_gio_to_2023_on_a_saturday_gives_2_and_3_may_off(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(dt.date(2023, 4, 29))  # Saturday, Giỗ Tổ
    assert cal.is_working_day(dt.date(2023, 4, 28))
    assert not cal.is_working_day(dt.date(2023, 5, 1))
    assert not cal.is_working_day(dt.date(2023, 5, 2))
    assert not cal.is_working_day(dt.date(2023, 5, 3))
    assert cal.is_working_day(dt.date(2023, 5, 4))


def test_national_day_2025_with_the_adjacent_day(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(dt.date(2025, 9, 1))
    assert not cal.is_working_day(dt.date(2025, 9, 2))
    assert cal.is_working_day(dt.date(2025, 9, 3))
    assert cal.due(vn(2025, 8, 29, 10), 1, "days") == vn(2025, 9, 3, 10)


@pytest.mark.parametrize(
    ("saturday", "swapped_day_off"),
    [(dt.date(2024, 5, 4), dt.date(2024, 4, 29)), (dt.date(2025, 4, 26), dt.date(2025, 5, 2))],
)
def test_make_up_working_saturday(cal: WorkCalendar, saturday: dt.date, swapped_day_off: dt.date) -> None:
    assert saturday.weekday() == 5
    assert cal.is_working_day(saturday)
    assert not cal.is_working_day(swapped_day_off)
    assert saturday in cal.weekend_working_days_in(saturday.year)


def test_make_up_saturday_counts_in_a_deadline(cal: WorkCalendar) -> None:
    # Friday 25 April 2025, 10:00 + 1 day: Saturday 26 April is a make-up working day.
    assert cal.due(vn(2025, 4, 25, 10), 1, LimitUnit.DAYS) == vn(2025, 4, 26, 10)
    # Tuesday 29 April 10:00 + 1 day: 30/4, 1/5, 2/5 (swapped) and the weekend are off.
    assert cal.due(vn(2025, 4, 29, 10), 1, LimitUnit.DAYS) == vn(2025, 5, 5, 10)


def test_an_ordinary_saturday_and_sunday_are_off(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(dt.date(2023, 3, 11))
    assert not cal.is_working_day(dt.date(2023, 3, 12))
    assert cal.is_working_day(dt.date(2023, 3, 13))


def test_days_off_in_a_year_lists_weekdays_only(cal: WorkCalendar) -> None:
    off = cal.days_off_in(2023)
    assert dt.date(2023, 1, 2) in off  # New Year compensatory Monday
    assert dt.date(2023, 4, 29) not in off  # a Saturday
    assert all(day.weekday() < 5 for day in off)
    assert len(off) == 11


# --- due times -----------------------------------------------------------------------------------------------


def test_domain_example_monday_10_plus_3_days_is_thursday_10(cal: WorkCalendar) -> None:
    assert cal.due(vn(2023, 3, 13, 10), 3, "days") == vn(2023, 3, 16, 10)


def test_3_days_from_the_eve_of_tet_2023(cal: WorkCalendar) -> None:
    # Thursday 19 Jan 10:00: 6 h that day, Fri 27 (8 h), Mon 30 (8 h), 2 h on Tue 31.
    assert cal.due(vn(2023, 1, 19, 10), 3, "days") == vn(2023, 1, 31, 10)


def test_received_during_tet_starts_after_tet(cal: WorkCalendar) -> None:
    assert cal.next_office_time(vn(2023, 1, 23, 9)) == vn(2023, 1, 27, 8)
    assert cal.due(vn(2023, 1, 23, 9), 1, "days") == vn(2023, 1, 27, 17)


def test_gio_to_2023_deadline_skips_to_4_may(cal: WorkCalendar) -> None:
    assert cal.due(vn(2023, 4, 28, 10), 1, "days") == vn(2023, 5, 4, 10)


def test_received_on_a_holiday(cal: WorkCalendar) -> None:
    assert cal.due(vn(2023, 5, 1, 10), 2, "hours") == vn(2023, 5, 4, 10)


def test_received_before_office_hours(cal: WorkCalendar) -> None:
    assert cal.next_office_time(vn(2023, 3, 13, 7)) == vn(2023, 3, 13, 8)
    assert cal.due(vn(2023, 3, 13, 7), 1, "days") == vn(2023, 3, 13, 17)
    assert cal.due(vn(2023, 3, 13, 7), 2, "hours") == vn(2023, 3, 13, 10)


def test_received_at_lunch(cal: WorkCalendar) -> None:
    assert cal.next_office_time(vn(2023, 3, 13, 12, 30)) == vn(2023, 3, 13, 13)
    assert cal.due(vn(2023, 3, 13, 12, 30), 1, "hours") == vn(2023, 3, 13, 14)
    # Clock starts 13:00: 4 h on Monday afternoon and 4 h on Tuesday morning, due at the end of that period.
    assert cal.due(vn(2023, 3, 13, 12, 30), 1, "days") == vn(2023, 3, 14, 12)


def test_received_at_noon_exactly(cal: WorkCalendar) -> None:
    assert cal.next_office_time(vn(2023, 3, 13, 12)) == vn(2023, 3, 13, 13)
    assert cal.due(vn(2023, 3, 13, 12), 1, "hours") == vn(2023, 3, 13, 14)


def test_received_after_17(cal: WorkCalendar) -> None:
    assert cal.next_office_time(vn(2023, 3, 13, 17, 30)) == vn(2023, 3, 14, 8)
    assert cal.due(vn(2023, 3, 13, 17, 30), 1, "days") == vn(2023, 3, 14, 17)


def test_received_exactly_at_17(cal: WorkCalendar) -> None:
    assert cal.next_office_time(vn(2023, 3, 13, 17)) == vn(2023, 3, 14, 8)
    assert cal.due(vn(2023, 3, 13, 17), 1, "hours") == vn(2023, 3, 14, 9)
    assert cal.due(vn(2023, 3, 13, 17), 3, "days") == vn(2023, 3, 16, 17)


def test_received_friday_evening_runs_into_monday(cal: WorkCalendar) -> None:
    assert cal.due(vn(2023, 3, 17, 18), 3, "hours") == vn(2023, 3, 20, 11)


def test_a_due_on_the_end_of_a_period_is_that_end(cal: WorkCalendar) -> None:
    assert cal.due(vn(2023, 3, 13, 8), 4, "hours") == vn(2023, 3, 13, 12)
    assert cal.due(vn(2023, 3, 13, 8), 1, "days") == vn(2023, 3, 13, 17)
    # Friday 08:00 + 1 day is Friday 17:00, not Monday 08:00.
    assert cal.due(vn(2023, 3, 17, 8), 1, "days") == vn(2023, 3, 17, 17)


def test_seconds_are_dropped(cal: WorkCalendar) -> None:
    assert cal.due(vn(2023, 3, 13, 10, 0, 59), 1, "hours") == vn(2023, 3, 13, 11)


def test_inside_office_hours_the_clock_starts_at_receipt(cal: WorkCalendar) -> None:
    assert cal.next_office_time(vn(2023, 3, 13, 9, 17)) == vn(2023, 3, 13, 9, 17)


# --- same day and the cut-off ------------------------------------------------------------------------------


def test_same_day_before_the_cutoff_is_due_at_17(cal: WorkCalendar) -> None:
    assert cal.due(vn(2023, 3, 13, 14, 59), 0, "same_day") == vn(2023, 3, 13, 17)
    assert cal.due(vn(2023, 3, 13, 7), 0, LimitUnit.SAME_DAY) == vn(2023, 3, 13, 17)


def test_same_day_at_or_after_the_cutoff_is_due_next_working_day(cal: WorkCalendar) -> None:
    assert cal.due(vn(2023, 3, 13, 15), 0, "same_day") == vn(2023, 3, 14, 17)
    assert cal.due(vn(2023, 3, 13, 16, 30), 0, "same_day") == vn(2023, 3, 14, 17)
    # Friday before Giỗ Tổ 2023: the next working day is Thursday 4 May.
    assert cal.due(vn(2023, 4, 28, 15, 30), 0, "same_day") == vn(2023, 5, 4, 17)


def test_same_day_after_hours_starts_the_next_morning_before_the_cutoff(cal: WorkCalendar) -> None:
    assert cal.due(vn(2023, 3, 13, 17), 0, "same_day") == vn(2023, 3, 14, 17)
    assert cal.due(vn(2023, 3, 18, 10), 0, "same_day") == vn(2023, 3, 20, 17)  # Saturday


def test_explicit_cutoff_overrides_the_calendar_one(cal: WorkCalendar) -> None:
    assert cal.due(vn(2023, 3, 13, 15, 30), 0, "same_day", cutoff=dt.time(16, 0)) == vn(2023, 3, 13, 17)
    assert cal.due(vn(2023, 3, 13, 11), 0, "same_day", cutoff=dt.time(10, 0)) == vn(2023, 3, 14, 17)


def test_without_a_cutoff_same_day_is_the_end_of_the_start_day() -> None:
    calendar = WorkCalendar(cutoff=None)
    assert calendar.due(vn(2023, 3, 13, 16, 30), 0, "same_day") == vn(2023, 3, 13, 17)


def test_zero_days_or_hours_is_due_when_the_clock_starts(cal: WorkCalendar) -> None:
    assert cal.due(vn(2023, 3, 13, 10, 0, 30), 0, "days") == vn(2023, 3, 13, 10)
    assert cal.due(vn(2023, 3, 13, 17), 0, "hours") == vn(2023, 3, 14, 8)


# --- bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "unit"), [(-1, "days"), (1, "weeks"), (2, "same_day"), (1.5, "days"), (True, "days")]
)
def test_bad_limits_and_units_raise_value_error(cal: WorkCalendar, limit: object, unit: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        cal.due(vn(2023, 3, 13, 10), limit, unit)  # type: ignore[arg-type]


def test_instants_outside_the_supported_years_raise_value_error(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="before 1990"):
        cal.due(dt.datetime(1989, 12, 31, 10, tzinfo=VN_TZ), 1, "days")
    with pytest.raises(ValueError, match="before 1990"):
        cal.add_working_days(dt.datetime(1990, 1, 2, 10, tzinfo=VN_TZ), -5)
    with pytest.raises(ValueError, match="after 2200"):
        cal.due(dt.datetime(2199, 12, 1, tzinfo=VN_TZ), 10_000, "days")


# --- time zones --------------------------------------------------------------------------------------------


def test_naive_is_vietnam_time_and_results_are_aware_in_vietnam(cal: WorkCalendar) -> None:
    naive = cal.due(dt.datetime(2023, 3, 13, 10), 3, "days")
    from_utc = cal.due(dt.datetime(2023, 3, 13, 3, tzinfo=UTC), 3, "days")
    assert naive == from_utc == vn(2023, 3, 16, 10)
    assert naive.utcoffset() == dt.timedelta(hours=7)
    assert from_utc.tzinfo is VN_TZ
    assert naive.isoformat() == "2023-03-16T10:00:00+07:00"


def test_an_utc_instant_on_the_previous_utc_day(cal: WorkCalendar) -> None:
    # 2023-03-13 00:30 UTC is 07:30 in Vietnam: before office hours on Monday.
    assert cal.next_office_time(dt.datetime(2023, 3, 13, 0, 30, tzinfo=UTC)) == vn(2023, 3, 13, 8)


# --- adding and measuring office time ------------------------------------------------------------------------


def test_add_working_days_and_hours(cal: WorkCalendar) -> None:
    assert cal.add_working_days(vn(2023, 3, 13, 10), 5) == vn(2023, 3, 20, 10)
    assert cal.add_working_hours(vn(2023, 3, 13, 10), 3) == vn(2023, 3, 13, 14)
    assert cal.add_office_minutes(vn(2023, 3, 13, 11, 50), 20) == vn(2023, 3, 13, 13, 10)
    assert cal.add_office_minutes(vn(2023, 3, 13, 13, 10), -20) == vn(2023, 3, 13, 11, 50)
    assert cal.add_office_minutes(vn(2023, 3, 18, 10), 0) == vn(2023, 3, 18, 10)


def test_office_minutes_between(cal: WorkCalendar) -> None:
    assert cal.office_minutes_between(vn(2023, 3, 17, 16), vn(2023, 3, 20, 9)) == 120
    assert cal.office_minutes_between(vn(2023, 3, 20, 9), vn(2023, 3, 17, 16)) == -120
    assert cal.office_minutes_between(vn(2023, 1, 19, 17), vn(2023, 1, 27, 8)) == 0
    assert cal.office_minutes_between(vn(2023, 3, 13, 0), vn(2023, 3, 18, 0)) == 5 * 480


def test_the_range_grows_on_demand() -> None:
    calendar = WorkCalendar(first_year=2010, last_year=2011)
    assert calendar.due(vn(2010, 4, 25, 10), 1, "days") == vn(2010, 4, 26, 17)
    assert calendar.due(vn(2040, 12, 28, 10), 30, "days") == vn(2041, 2, 8, 10)
    assert calendar.last_year >= 2041
    assert calendar.office_minutes_between(vn(2010, 1, 4, 8), vn(2060, 1, 5, 8)) > 0
    assert calendar.due(vn(2011, 12, 30, 16), 2, "hours") == vn(2012, 1, 2, 9)
    with pytest.raises(ValueError, match="before 2010"):
        calendar.due(vn(2009, 4, 25, 10), 1, "days")


# --- supplement: pause, resume, reset ----------------------------------------------------------------------


def test_pause_and_resume_carry_the_remaining_office_time(cal: WorkCalendar) -> None:
    due = cal.due(vn(2023, 3, 13, 10), 3, "days")  # Thursday 16 March 10:00
    remaining = cal.pause(due, vn(2023, 3, 14, 10))
    assert remaining == 16 * 60
    # Resumed Monday 20 March 14:00: 3 h + 8 h + 5 h → Wednesday 22 March 14:00.
    assert cal.resume(remaining, vn(2023, 3, 20, 14)) == vn(2023, 3, 22, 14)


def test_pause_when_overdue_keeps_the_lateness(cal: WorkCalendar) -> None:
    due = vn(2023, 3, 16, 10)
    remaining = cal.pause(due, vn(2023, 3, 16, 11))
    assert remaining == -60
    assert cal.resume(remaining, vn(2023, 3, 20, 9)) == vn(2023, 3, 17, 17)


def test_reset_restarts_the_full_limit(cal: WorkCalendar) -> None:
    assert cal.reset(3, "days", vn(2023, 3, 20, 14)) == vn(2023, 3, 23, 14)
    assert cal.reset(0, "same_day", vn(2023, 3, 20, 15, 30)) == vn(2023, 3, 21, 17)


# --- configuration -----------------------------------------------------------------------------------------


def test_office_hours_are_configuration() -> None:
    calendar = WorkCalendar(office_hours=parse_office_hours("07:30-11:30, 13:30-17:30"))
    assert calendar.day_minutes == 480
    assert calendar.due(vn(2023, 3, 13, 7), 1, "days") == vn(2023, 3, 13, 17, 30)
    assert calendar.due(vn(2023, 3, 13, 11, 0), 1, "hours") == vn(2023, 3, 13, 14)
    three = WorkCalendar(office_hours=parse_office_hours("08:00-10:00,10:30-12:00,13:00-14:00"))
    assert three.day_minutes == 270
    assert three.due(vn(2023, 3, 13, 9), 2, "hours") == vn(2023, 3, 13, 11, 30)


@pytest.mark.parametrize(
    "text", ["", "08:00", "08:00-07:00", "08:00-12:00,11:00-13:00", "8h-12h", "25:00-26:00"]
)
def test_bad_office_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        WorkCalendar(office_hours=parse_office_hours(text))


def test_overrides_in_the_sets_win(cal: WorkCalendar) -> None:
    calendar = WorkCalendar(days_off={dt.date(2023, 3, 14)}, working_days={dt.date(2023, 3, 18)})
    assert not calendar.is_working_day(dt.date(2023, 3, 14))
    assert calendar.is_working_day(dt.date(2023, 3, 18))
    assert calendar.due(vn(2023, 3, 13, 10), 2, "days") == vn(2023, 3, 16, 10)
    assert calendar.due(vn(2023, 3, 17, 10), 1, "days") == vn(2023, 3, 18, 10)


# --- classification ----------------------------------------------------------------------------------------

DUE = vn(2023, 3, 16, 10)


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (vn(2023, 3, 15, 16), Classification.EARLY),
        (vn(2023, 3, 16, 0, 0), Classification.ON_TIME),
        (vn(2023, 3, 16, 9), Classification.ON_TIME),
        (vn(2023, 3, 16, 10), Classification.ON_TIME),
        (vn(2023, 3, 16, 10, 1), Classification.LATE),
        (vn(2023, 3, 20, 9), Classification.LATE),
        # 17:30 UTC on the 15th is 00:30 on the 16th in Vietnam: the due day, so on time, not early.
        (dt.datetime(2023, 3, 15, 17, 30, tzinfo=UTC), Classification.ON_TIME),
        (dt.datetime(2023, 3, 15, 16, 59, tzinfo=UTC), Classification.EARLY),
    ],
)
def test_classify(finished: dt.datetime, expected: Classification) -> None:
    assert classify(finished_at=finished, statutory_due=DUE) == expected


def test_classify_more_than_one_supplement_request_is_late() -> None:
    early = vn(2023, 3, 14, 9)
    assert classify(finished_at=early, statutory_due=DUE, supplement_requests=1) == Classification.EARLY
    assert classify(finished_at=early, statutory_due=DUE, supplement_requests=2) == Classification.LATE


@pytest.mark.parametrize("outcome", ["refused", "stopped", "withdrawn"])
def test_classify_refused_stopped_withdrawn_count_on_time(outcome: str) -> None:
    late = vn(2023, 4, 1, 9)
    assert classify(finished_at=late, statutory_due=DUE, outcome=outcome) == Classification.ON_TIME
    assert classify(finished_at=late, statutory_due=DUE, outcome="resolved") == Classification.LATE
    assert (
        classify(finished_at=late, statutory_due=DUE, supplement_requests=3, outcome=outcome)
        == Classification.ON_TIME
    )


def test_growing_the_range_from_several_threads_gives_the_same_answers() -> None:
    receipts = [vn(2036 + i % 60, 1 + i % 12, 1 + i % 28, 8 + i % 10) for i in range(600)]
    whole = WorkCalendar(last_year=2200)
    expected = [whole.due(r, 1 + i % 30, "days") for i, r in enumerate(receipts)]
    shared = WorkCalendar(first_year=2020, last_year=2020)

    def work(offset: int) -> list[tuple[int, dt.datetime]]:
        order = list(range(len(receipts)))[offset::4]
        return [(i, shared.due(receipts[i], 1 + i % 30, "days")) for i in order]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = [pair for chunk in pool.map(work, range(4)) for pair in chunk]
    assert dict(results) == dict(enumerate(expected))
