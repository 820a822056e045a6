"""Reads of the working calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import CalendarOverride
from .services import get_calendar


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    working: bool  # False: a weekday off; True: a Saturday/Sunday that is a working day
    name: str


def calendar_year(year: int) -> list[CalendarDay]:
    """The weekdays off and the weekend working days of ``year``, in date order, with their names."""
    calendar = get_calendar()
    days = [
        CalendarDay(day, False, calendar.names.get(day, "Ngày nghỉ")) for day in calendar.days_off_in(year)
    ]
    days += [
        CalendarDay(day, True, calendar.names.get(day, "Ngày làm việc"))
        for day in calendar.weekend_working_days_in(year)
    ]
    return sorted(days, key=lambda d: d.date)


def calendar_overrides(*, year: int | None = None) -> QuerySet[CalendarOverride]:
    overrides = CalendarOverride.objects.order_by("date")
    if year is not None:
        overrides = overrides.filter(date__year=year)
    return overrides
