"""The installation's calendar: holidays + the override table + settings, cached and refreshed."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import ValidationFailed
from motcua.worktime.constants import OverrideKind
from motcua.worktime.importing import OverridesImportFailed, parse_overrides_csv
from motcua.worktime.models import CalendarOverride
from motcua.worktime.selectors import calendar_overrides, calendar_year
from motcua.worktime.services import (
    build_calendar,
    calendar_override_create,
    calendar_override_delete,
    calendar_override_update,
    calendar_overrides_import,
    calendar_overrides_load_demo,
    get_calendar,
    national_calendar,
)

from .factories import CalendarOverrideFactory, vn

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2023, 3, 13)


def test_get_calendar_uses_holidays_and_settings() -> None:
    calendar = get_calendar()
    assert not calendar.is_working_day(dt.date(2023, 1, 20))
    assert calendar.is_working_day(dt.date(2025, 4, 26))
    assert calendar.day_minutes == 480
    assert calendar.cutoff == dt.time(15, 0)
    assert calendar.due(vn(2023, 1, 19, 10), 3, "days") == vn(2023, 1, 31, 10)


def test_get_calendar_is_cached(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    first = get_calendar()
    with django_assert_max_num_queries(1):
        assert get_calendar() is first


def test_settings_change_office_hours_and_cutoff(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOTCUA_OFFICE_HOURS = "07:30-11:30,13:30-17:30"
    settings.MOTCUA_SAME_DAY_CUTOFF = ""
    calendar = get_calendar()
    assert calendar.due(vn(2023, 3, 13, 7), 1, "days") == vn(2023, 3, 13, 17, 30)
    assert calendar.cutoff is None
    assert calendar.due(vn(2023, 3, 13, 16), 0, "same_day") == vn(2023, 3, 13, 17, 30)


def test_an_extra_day_off_changes_the_answer_at_once() -> None:
    assert get_calendar().due(vn(2023, 3, 13, 10), 1, "days") == vn(2023, 3, 14, 10)
    override = calendar_override_create(
        date=dt.date(2023, 3, 14), kind=OverrideKind.EXTRA_DAY_OFF, name="Nghỉ bão", decision="QĐ 1/QĐ-UBND"
    )
    calendar = get_calendar()
    assert not calendar.is_working_day(dt.date(2023, 3, 14))
    assert calendar.due(vn(2023, 3, 13, 10), 1, "days") == vn(2023, 3, 15, 10)
    calendar_override_delete(override=override)
    assert get_calendar().due(vn(2023, 3, 13, 10), 1, "days") == vn(2023, 3, 14, 10)


def test_an_extra_working_day_on_a_saturday_and_on_a_holiday() -> None:
    calendar_override_create(date=dt.date(2023, 3, 18), kind=OverrideKind.EXTRA_WORKING_DAY, name="Làm bù")
    calendar = get_calendar()
    assert calendar.is_working_day(dt.date(2023, 3, 18))
    assert calendar.due(vn(2023, 3, 17, 10), 1, "days") == vn(2023, 3, 18, 10)
    # An extra working day beats a national day off.
    calendar_override_create(date=dt.date(2023, 5, 2), kind=OverrideKind.EXTRA_WORKING_DAY, name="Làm việc")
    assert get_calendar().is_working_day(dt.date(2023, 5, 2))


def test_an_extra_day_off_beats_a_make_up_saturday() -> None:
    calendar_override_create(date=dt.date(2025, 4, 26), kind=OverrideKind.EXTRA_DAY_OFF, name="Nghỉ")
    assert not get_calendar().is_working_day(dt.date(2025, 4, 26))


def test_update_refreshes_the_calendar() -> None:
    override = calendar_override_create(date=MONDAY, kind=OverrideKind.EXTRA_DAY_OFF, name="Nghỉ")
    assert not get_calendar().is_working_day(MONDAY)
    calendar_override_update(override=override, date=MONDAY, kind=OverrideKind.EXTRA_WORKING_DAY, name="Làm")
    assert get_calendar().is_working_day(MONDAY)


def test_another_process_notices_the_table_changing(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOTCUA_CALENDAR_RECHECK_SECONDS = 0
    assert get_calendar().is_working_day(MONDAY)
    # A write that bypasses this process's services (as another process's would).
    CalendarOverride.objects.create(date=MONDAY, kind=OverrideKind.EXTRA_DAY_OFF, name="Nghỉ")
    assert not get_calendar().is_working_day(MONDAY)
    CalendarOverride.objects.filter(date=MONDAY).delete()
    assert get_calendar().is_working_day(MONDAY)


def test_create_refuses_bad_input_and_duplicates() -> None:
    calendar_override_create(date=MONDAY, kind=OverrideKind.EXTRA_DAY_OFF, name="Nghỉ")
    with pytest.raises(ValidationFailed) as duplicate:
        calendar_override_create(date=MONDAY, kind=OverrideKind.EXTRA_DAY_OFF, name="Nghỉ")
    assert duplicate.value.code == "invalid_calendar_override"
    assert "date" in duplicate.value.details
    with pytest.raises(ValidationFailed) as bad:
        calendar_override_create(date=dt.date(2023, 3, 15), kind="holiday", name=" ")
    assert set(bad.value.details) == {"kind", "name"}
    assert CalendarOverride.objects.count() == 1


def test_import_is_all_or_nothing_with_line_numbers() -> None:
    text = "date,kind,name,decision\n2023-03-14,extra_day_off,Nghỉ,QĐ 1\n2023-13-01,extra_day_off,X,\n2023-03-15,off,,\n"
    with pytest.raises(OverridesImportFailed) as failed:
        parse_overrides_csv(text)
    assert failed.value.issues == [
        "dòng 3, cột date: ngày không hợp lệ '2023-13-01' (YYYY-MM-DD)",
        "dòng 4, cột kind: 'off' không hợp lệ (extra_day_off hoặc extra_working_day)",
        "dòng 4, cột name: không được để trống",
    ]
    assert CalendarOverride.objects.count() == 0


def test_import_refuses_duplicate_dates_and_a_missing_header() -> None:
    with pytest.raises(OverridesImportFailed) as failed:
        parse_overrides_csv("date,kind,name\n14/03/2023,extra_day_off,A\n2023-03-14,extra_day_off,B\n")
    assert failed.value.issues == ["dòng 3, cột date: ngày 2023-03-14 trùng với dòng 2"]
    with pytest.raises(OverridesImportFailed, match="1 lỗi"):
        parse_overrides_csv("day,what\n")


def test_import_inserts_updates_and_is_idempotent() -> None:
    rows = parse_overrides_csv("date,kind,name,decision\n2023-03-14,extra_day_off,Nghỉ,QĐ 1\n")
    assert calendar_overrides_import(rows=rows).created == 1
    assert not get_calendar().is_working_day(dt.date(2023, 3, 14))
    again = calendar_overrides_import(rows=rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = parse_overrides_csv("date,kind,name,decision\n2023-03-14,extra_working_day,Làm,QĐ 2\n")
    assert calendar_overrides_import(rows=changed).updated == 1
    assert get_calendar().is_working_day(dt.date(2023, 3, 14))
    assert CalendarOverride.objects.get().decision == "QĐ 2"


def test_load_demo_is_idempotent() -> None:
    count = calendar_overrides_load_demo()
    assert count == CalendarOverride.objects.count() > 0
    assert calendar_overrides_load_demo() == count
    assert CalendarOverride.objects.count() == count
    saturday = CalendarOverride.objects.get(date=dt.date(2024, 5, 4))
    assert saturday.kind == OverrideKind.EXTRA_WORKING_DAY
    assert saturday.decision == "Công văn 2450/VPCP-KGVX"
    assert get_calendar().is_working_day(dt.date(2024, 5, 4))


def test_national_calendar_names_the_make_up_days() -> None:
    days_off, working = national_calendar([2025])
    assert days_off[dt.date(2025, 1, 29)] == "Tết Nguyên Đán"
    assert working[dt.date(2025, 4, 26)] == "Làm bù cho ngày nghỉ 02/05/2025"


def test_calendar_year_lists_weekdays_off_and_weekend_working_days() -> None:
    days = calendar_year(2025)
    assert [d.date for d in days if d.working] == [dt.date(2025, 4, 26)]
    tet = next(d for d in days if d.date == dt.date(2025, 1, 29))
    assert (tet.working, tet.name) == (False, "Tết Nguyên Đán")
    calendar_override_create(
        date=dt.date(2025, 12, 31), kind=OverrideKind.EXTRA_DAY_OFF, name="Nghỉ cuối năm", decision="QĐ 9"
    )
    assert calendar_year(2025)[-1].name == "Nghỉ cuối năm (QĐ 9)"


def test_selector_lists_overrides_of_a_year() -> None:
    CalendarOverrideFactory(date=dt.date(2023, 3, 14))
    CalendarOverrideFactory(date=dt.date(2024, 3, 14))
    assert [o.date.year for o in calendar_overrides(year=2024)] == [2024]
    assert calendar_overrides().count() == 2


def test_build_calendar_without_the_database(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        calendar = build_calendar(overrides=(), office_hours="08:00-12:00", cutoff="11:00")
    assert calendar.day_minutes == 240
