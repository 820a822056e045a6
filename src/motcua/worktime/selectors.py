"""Reads of the working calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import CalendarOverride
from .official import OfficialCalendar, OfficialDay, official_calendar
from .services import get_calendar

# Shown for a day of a year the official file does not cover (``holidays``' statutory rules, no document).
ESTIMATE_SOURCE = "ước tính theo Bộ luật Lao động, chưa có văn bản của năm"


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    working: bool  # False: a weekday off; True: a Saturday/Sunday that is a working day
    name: str
    source: str = ""  # the document that decided it (official file or the province's override)


def _source(
    day: dt.date, official: dict[dt.date, OfficialDay], overrides: dict[dt.date, CalendarOverride]
) -> str:
    override = overrides.get(day)
    if override is not None:
        return f"điều chỉnh của tỉnh: {override.decision}" if override.decision else "điều chỉnh của tỉnh"
    entry = official.get(day)
    if entry is not None:
        return entry.source.label
    return ESTIMATE_SOURCE


def calendar_year(year: int) -> list[CalendarDay]:
    """The weekdays off and the weekend working days of ``year``, in date order, with names and sources."""
    calendar = get_calendar()
    official = official_calendar().by_date()
    overrides = {o.date: o for o in CalendarOverride.objects.filter(date__year=year)}
    days = [
        CalendarDay(day, False, calendar.names.get(day, "Ngày nghỉ"), _source(day, official, overrides))
        for day in calendar.days_off_in(year)
    ]
    days += [
        CalendarDay(day, True, calendar.names.get(day, "Ngày làm việc"), _source(day, official, overrides))
        for day in calendar.weekend_working_days_in(year)
    ]
    return sorted(days, key=lambda d: d.date)


def official_calendar_data() -> OfficialCalendar:
    """The official file (days off, make-up days and their documents), for listings and the admin."""
    return official_calendar()


def calendar_overrides(*, year: int | None = None) -> QuerySet[CalendarOverride]:
    overrides = CalendarOverride.objects.order_by("date")
    if year is not None:
        overrides = overrides.filter(date__year=year)
    return overrides
