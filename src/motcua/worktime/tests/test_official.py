"""The official calendar file (``data/official_calendar.json``): every year's days off and make-up days, pinned.

Each year's lists below were assembled by hand from the documents named in the comments (see the table of
sources in docs/worktime.md); the file must say exactly this, and so must the calendar the engine builds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import holidays
import pytest

from motcua.worktime.calendar import WorkCalendar
from motcua.worktime.official import (
    DAY_OFF,
    OFFICIAL_CALENDAR_FILE,
    WORKING_DAY,
    OfficialCalendarError,
    load_official_calendar,
    official_calendar,
    parse_official_calendar,
)
from motcua.worktime.services import build_calendar, national_calendar

from .factories import vn


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# year → (weekdays off, Saturdays/Sundays worked), as month-day
YEARS: dict[int, tuple[str, str]] = {
    # Labour Code 2012 art. 115; Công văn 6519/VPCP-KGVX (11/07/2018): Tết 4–8/2, 29/4 swapped for Saturday 4/5,
    # 31/12/2018 swapped for Saturday 5/1; Giỗ Tổ on Sunday 14/4 made up on Monday 15/4.
    2019: (
        "01-01 02-04 02-05 02-06 02-07 02-08 04-15 04-29 04-30 05-01 09-02",
        "01-05 05-04",
    ),
    # Labour Code 2012; the Tết notice of 2020: 23–29/1 (29 tháng Chạp to mùng 5).
    2020: (
        "01-01 01-23 01-24 01-27 01-28 01-29 04-02 04-30 05-01 09-02",
        "",
    ),
    # Labour Code 2019 arts. 111(3), 112; Thông báo 4875/TB-LĐTBXH: Tết 10–16/2, National Day 2–3/9;
    # 1 May a Saturday, made up on Monday 3 May.
    2021: (
        "01-01 02-10 02-11 02-12 02-15 02-16 04-21 04-30 05-03 09-02 09-03",
        "",
    ),
    # Thông báo 119/TB-LĐTBXH: Tết 31/1–4/2, National Day 1–2/9; 1/1, Giỗ Tổ, 30/4, 1/5 on weekends, made up.
    2022: (
        "01-03 01-31 02-01 02-02 02-03 02-04 04-11 05-02 05-03 09-01 09-02",
        "",
    ),
    # Thông báo 5034/TB-LĐTBXH: Tết 20–26/1, National Day 1/9 and 2/9 (a Saturday, made up on 4/9); Giỗ Tổ on
    # Saturday 29/4 and 30/4 on Sunday, made up on 2 and 3 May.
    2023: (
        "01-02 01-20 01-23 01-24 01-25 01-26 05-01 05-02 05-03 09-01 09-04",
        "",
    ),
    # Thông báo 5015/TB-LĐTBXH: Tết 8–14/2, National Day 2–3/9; Công văn 2450/VPCP-KGVX: 29/4 for Saturday 4/5.
    2024: (
        "01-01 02-08 02-09 02-12 02-13 02-14 04-18 04-29 04-30 05-01 09-02 09-03",
        "05-04",
    ),
    # Thông báo 6150/TB-BLĐTBXH: Tết 27–31/1, Friday 2/5 for Saturday 26/4, National Day 1–2/9.
    2025: (
        "01-01 01-27 01-28 01-29 01-30 01-31 04-07 04-30 05-01 05-02 09-01 09-02",
        "04-26",
    ),
    # Công văn 12729/VPCP-KGVX: Friday 2/1 for Saturday 10/1; Thông báo 9441/TB-BNV: Tết 16–20/2, Monday 31/8 for
    # Saturday 22/8, National Day 1–2/9; Giỗ Tổ on Sunday 26/4, made up on 27/4 (Công văn 3383/BNV-CVL: no swap
    # around 30/4); Nghị quyết 28/2026/QH16: 24/11 (Công văn 10065/VPCP-KGVX: one day, no swap).
    2026: (
        "01-01 01-02 02-16 02-17 02-18 02-19 02-20 04-27 04-30 05-01 08-31 09-01 09-02 11-24",
        "01-10 08-22",
    ),
    # Công văn 10065/VPCP-KGVX: Tết 4–10/2, National Day 2–3/9; Labour Code: 1 May a Saturday, made up on 3 May;
    # Nghị quyết 28/2026/QH16: 24/11.
    2027: (
        "01-01 02-04 02-05 02-08 02-09 02-10 04-16 04-30 05-03 09-02 09-03 11-24",
        "",
    ),
}


def test_the_file_covers_2019_to_the_latest_announced_year() -> None:
    official = official_calendar()
    assert (official.first_year, official.last_year) == (2019, 2027)
    assert sorted(YEARS) == list(range(official.first_year, official.last_year + 1))


def test_every_entry_names_its_document() -> None:
    official = official_calendar()
    for day in official.days:
        assert day.source.number, day
        assert day.source.issuer, day
        assert day.source.about, day
        assert day.source.label.startswith(day.source.type)
    used = {day.source.key for day in official.days}
    assert used == set(official.sources), "a source no day uses"


@pytest.mark.parametrize("year", sorted(YEARS))
def test_the_year_is_pinned(year: int, cal: WorkCalendar) -> None:
    expected_off, expected_worked = ([d(f"{year}-{md}") for md in days.split()] for days in YEARS[year])
    entries = official_calendar().days_in(year)
    file_off = [e.date for e in entries if e.kind == DAY_OFF and e.date.weekday() < 5]
    file_worked = [e.date for e in entries if e.kind == WORKING_DAY]
    assert file_off == expected_off
    assert file_worked == expected_worked
    # The engine says the same.
    assert cal.days_off_in(year) == expected_off
    assert cal.weekend_working_days_in(year) == expected_worked


def test_new_year_2026_deadline_counts_friday_2_january_off_and_saturday_10_working(
    cal: WorkCalendar,
) -> None:
    # Công văn 12729/VPCP-KGVX: Friday 2/1/2026 off, worked on Saturday 10/1/2026. ``holidays`` does not know it,
    # so the deadline used to come out on 6 January, a day early.
    assert not cal.is_working_day(dt.date(2026, 1, 2))
    assert cal.due(vn(2025, 12, 31, 10), 3, "days") == vn(2026, 1, 7, 10)
    assert cal.due(vn(2025, 12, 31, 16), 0, "same_day") == vn(2026, 1, 5, 17)
    assert cal.is_working_day(dt.date(2026, 1, 10))
    assert cal.due(vn(2026, 1, 9, 10), 1, "days") == vn(2026, 1, 10, 10)


def test_culture_day_2026_is_one_day_off_without_a_swap(cal: WorkCalendar) -> None:
    entry = official_calendar().by_date()[dt.date(2026, 11, 24)]
    assert entry.source.number == "28/2026/QH16"
    assert not cal.is_working_day(dt.date(2026, 11, 24))
    assert cal.is_working_day(dt.date(2026, 11, 23))  # the proposed swap was not decided
    assert not cal.is_working_day(dt.date(2026, 11, 28))


def test_the_holidays_package_differs_only_where_a_document_says_so() -> None:
    """Cross-check: a ``holidays`` upgrade or an edit of the file that changes a day shows up here."""
    package = holidays.country_holidays("VN", years=range(2019, 2028))
    package_off = {day for day in package if day.weekday() < 5}
    package_worked = {day for day in package.weekend_workdays if 2019 <= day.year <= 2027}
    entries = [e for e in official_calendar().days if 2019 <= e.date.year <= 2027]
    file_off = {e.date for e in entries if e.kind == DAY_OFF and e.date.weekday() < 5}
    file_worked = {e.date for e in entries if e.kind == WORKING_DAY}
    assert file_off - package_off == {dt.date(2026, 1, 2)}
    assert package_off - file_off == set()
    assert file_worked - package_worked == {dt.date(2026, 1, 10)}
    assert package_worked - file_worked == set()


def test_years_outside_the_file_are_the_statutory_estimate(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(dt.date(2028, 1, 3))  # 1/1/2028 a Saturday, made up on the Monday
    assert not cal.is_working_day(dt.date(2018, 12, 31))  # the file's swap for 5/1/2019, on a 2018 date
    days_off, _ = national_calendar([2018, 2028])
    assert days_off[dt.date(2018, 12, 31)].startswith("Ngày nghỉ")
    assert dt.date(2026, 1, 2) not in days_off  # only the years asked for


def test_national_calendar_takes_the_file_for_covered_years() -> None:
    days_off, working = national_calendar([2026])
    assert days_off[dt.date(2026, 1, 2)] == "Ngày nghỉ (hoán đổi, làm bù thứ Bảy 10/01/2026)"
    assert {day: name for day, name in working.items() if day.year == 2026} == {
        dt.date(2026, 1, 10): "Làm bù cho ngày nghỉ 02/01/2026",
        dt.date(2026, 8, 22): "Làm bù cho ngày nghỉ 31/08/2026",
    }


def test_an_override_still_beats_the_official_file() -> None:
    from motcua.worktime.services import OverrideData

    calendar = build_calendar(
        overrides=[
            OverrideData(date=dt.date(2026, 1, 2), kind="extra_working_day", name="Trực", decision="QĐ 1")
        ],
        office_hours="08:00-12:00,13:00-17:00",
        cutoff="15:00",
    )
    assert calendar.is_working_day(dt.date(2026, 1, 2))


def test_labels_name_the_document() -> None:
    sources = official_calendar().sources
    assert (
        sources["12729/VPCP-KGVX"].label == "Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ"
    )
    assert sources["BLLD2019-D111-3"].label == "Bộ luật Lao động 45/2019/QH14, Điều 111 khoản 3"


# --- validation of the file ------------------------------------------------------------------------------------


def _raw() -> dict[str, Any]:
    return json.loads(Path(OFFICIAL_CALENDAR_FILE).read_text(encoding="utf-8"))


def test_the_shipped_file_parses_and_is_sorted() -> None:
    official = load_official_calendar()
    dates = [day.date for day in official.days]
    assert dates == sorted(dates)
    assert len(dates) == len(set(dates))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["days"][0].update(source="không có"), "no document"),
        (lambda raw: raw["days"][0].update(kind="holiday"), "unknown kind"),
        (lambda raw: raw["days"].append(dict(raw["days"][0])), "listed twice"),
        (
            lambda raw: raw["days"].append(
                {"date": "2030-01-02", "kind": "working_day", "name": "x", "source": "BLLD2019-D112"}
            ),
            "Saturday or Sunday",
        ),
        (lambda raw: raw["days"][0].update(date="2019-13-01"), "invalid date"),
        (lambda raw: raw.pop("covers"), "top-level"),
    ],
)
def test_a_malformed_file_is_refused(
    change: Callable[[dict[str, Any]], object], message: str, tmp_path: Path
) -> None:
    raw = _raw()
    change(raw)
    with pytest.raises(OfficialCalendarError, match=message):
        parse_official_calendar(raw)
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(OfficialCalendarError):
        load_official_calendar(path)
