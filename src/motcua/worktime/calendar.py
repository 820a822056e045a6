"""Working-time calendar and deadline arithmetic (DOMAIN.md §5). Pure Python: no ORM, no settings.

Model of time
-------------
Everything is counted in whole **office minutes**. For every calendar day of a covered range the calendar keeps
the number of office minutes that elapsed before the day starts (``cum``); inside a day a table maps the
minute of the day to the office minutes elapsed since midnight (``_elapsed``). The office-minute count of any
instant is therefore ``cum[day] + _elapsed[minute]`` (``_elapsed`` is all zero on a day that is not a working
day) and the inverse is a bisection on ``cum``. Seconds and microseconds of an input instant are dropped
(the clock has a resolution of one minute).

* The office-minute count is flat outside office hours, so the count of a receipt instant is also the count of
  the instant the clock starts (the next office time).
* The instant at which a count ``x`` is reached is the **earliest** instant with count ``x``: a due time that
  lands on the end of an office period is that end (12:00, 17:00), never the start of the next period.

Naive datetimes are Asia/Ho_Chi_Minh; every datetime returned is aware in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from .constants import Classification, LimitUnit

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

DEFAULT_OFFICE_HOURS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(8, 0), dt.time(12, 0)),
    (dt.time(13, 0), dt.time(17, 0)),
)
DEFAULT_CUTOFF = dt.time(15, 0)

# The range precomputed when a calendar is built: it starts on 1 January of ``first_year`` (earlier instants
# are refused with ValueError) and grows forwards on demand, up to MAX_YEAR.
DEFAULT_FIRST_YEAR = 1990
DEFAULT_LAST_YEAR = 2035
MIN_YEAR = 1900
MAX_YEAR = 2200

_DAY_MINUTES = 24 * 60
_UNFINISHED_OUTCOMES = frozenset({"refused", "stopped", "withdrawn"})
_MINUTE_DELTAS = [dt.timedelta(minutes=m) for m in range(_DAY_MINUTES + 1)]


def parse_office_hours(text: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """``"08:00-12:00,13:00-17:00"`` → periods; raises ValueError on anything else."""
    periods = []
    for chunk in text.split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        start, sep, end = chunk.partition("-")
        if not sep:
            raise ValueError(f"invalid office period {chunk!r}: expected HH:MM-HH:MM")
        periods.append((parse_hhmm(start), parse_hhmm(end)))
    if not periods:
        raise ValueError("office hours are empty")
    return tuple(periods)


def parse_hhmm(text: str) -> dt.time:
    """``"15:00"`` → ``time(15, 0)``; raises ValueError on anything else."""
    text = text.strip()
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2 or len(hours) > 2:
        raise ValueError(f"invalid time {text!r}: expected HH:MM")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError(f"invalid time {text!r}: expected HH:MM")
    return dt.time(h, m)


def _minute_of(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def to_vn(instant: dt.datetime) -> dt.datetime:
    """Aware datetime in Asia/Ho_Chi_Minh; a naive datetime is taken as Asia/Ho_Chi_Minh time."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=VN_TZ)
    if instant.tzinfo is VN_TZ:
        return instant
    return instant.astimezone(VN_TZ)


class WorkCalendar:
    """Working days, office hours and the arithmetic on them.

    A day is a working day if it is in ``working_days`` (official make-up working days, extra working days), or
    if it is Monday–Friday and not in ``days_off`` (public holidays, compensatory days, extra days off).
    ``names`` optionally maps a date to a human name (for listings only).
    """

    def __init__(
        self,
        *,
        days_off: Iterable[dt.date] = (),
        working_days: Iterable[dt.date] = (),
        office_hours: Sequence[tuple[dt.time, dt.time]] = DEFAULT_OFFICE_HOURS,
        cutoff: dt.time | None = DEFAULT_CUTOFF,
        names: Mapping[dt.date, str] | None = None,
        first_year: int = DEFAULT_FIRST_YEAR,
        last_year: int = DEFAULT_LAST_YEAR,
    ) -> None:
        self.days_off = frozenset(days_off)
        self.working_days = frozenset(working_days)
        self.names: dict[dt.date, str] = dict(names or {})
        self.cutoff = cutoff
        self.office_hours = tuple(office_hours)
        self._periods = self._check_periods(self.office_hours)
        self.day_minutes = sum(end - start for start, end in self._periods)
        # Office minutes elapsed at the start of each minute of a working day (index 0..1440).
        elapsed = [0] * (_DAY_MINUTES + 1)
        in_office = [False] * (_DAY_MINUTES + 1)
        count = 0
        for minute in range(_DAY_MINUTES + 1):
            elapsed[minute] = count
            if any(start <= minute < end for start, end in self._periods):
                in_office[minute] = True
                count += 1
        self._elapsed = elapsed
        self._in_office = in_office
        # Minute of the day at which k office minutes have elapsed: earliest such minute (ends of periods) and
        # the minute at which the (k+1)-th office minute starts (starts of periods).
        self._reached = [0] * (self.day_minutes + 1)
        self._starts = [0] * (self.day_minutes + 1)
        for minute in range(_DAY_MINUTES, -1, -1):
            self._reached[elapsed[minute]] = minute
        for minute in range(_DAY_MINUTES - 1, -1, -1):
            if in_office[minute]:
                self._starts[elapsed[minute]] = minute
        if not MIN_YEAR <= first_year <= last_year <= MAX_YEAR:
            raise ValueError(f"the calendar covers years {MIN_YEAR}–{MAX_YEAR} at most")
        self.first_year = first_year
        self._start_ord = dt.date(first_year, 1, 1).toordinal()
        self._grow_lock = threading.Lock()
        self._build(last_year)

    # --- construction -------------------------------------------------------------------------------------

    @staticmethod
    def _check_periods(office_hours: Sequence[tuple[dt.time, dt.time]]) -> list[tuple[int, int]]:
        periods = sorted((_minute_of(start), _minute_of(end)) for start, end in office_hours)
        if not periods:
            raise ValueError("office hours are empty")
        previous_end = -1
        for start, end in periods:
            if end <= start:
                raise ValueError("an office period must end after it starts")
            if start < previous_end:
                raise ValueError("office periods overlap")
            previous_end = end
        return periods

    def _build(self, last_year: int) -> None:
        """Compute the per-day arrays for [first_year, last_year] and publish them in one assignment.

        The start never moves, so an office-minute count means the same instant before and after the range
        grows; readers take one snapshot of ``_state`` per step, so a concurrent growth cannot mix arrays.
        """
        start = dt.date(self.first_year, 1, 1)
        n = dt.date(last_year, 12, 31).toordinal() - start.toordinal() + 1
        cum = [0] * (n + 1)
        working = [False] * n
        midnights = []
        total = 0
        day = start
        one = dt.timedelta(days=1)
        for i in range(n):
            is_working = self._is_working(day)
            working[i] = is_working
            if is_working:
                total += self.day_minutes
            cum[i + 1] = total
            midnights.append(dt.datetime(day.year, day.month, day.day, tzinfo=VN_TZ))
            day += one
        self.last_year = last_year
        self._state: tuple[list[int], list[bool], list[dt.datetime]] = (cum, working, midnights)

    def _is_working(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def _grow(self, *, day_index: int = 0, count: int = 0) -> None:
        """Extend the range forwards until it holds day ``day_index`` and ``count`` office minutes."""
        with self._grow_lock:
            while True:
                cum, working, _ = self._state
                if day_index < len(working) and count <= cum[-1]:
                    return
                if self.last_year >= MAX_YEAR:
                    raise ValueError(f"dates after {MAX_YEAR} are not supported")
                missing_days = max(day_index - len(working), (count - cum[-1]) // max(1, self.day_minutes))
                self._build(min(MAX_YEAR, self.last_year + 5 + missing_days // 250))

    def _before_start(self) -> ValueError:
        return ValueError(f"dates before {self.first_year} are not supported by this calendar")

    # --- the office-minute scale --------------------------------------------------------------------------

    def _day_minute(self, instant: dt.datetime) -> tuple[int, int]:
        """(day index, minute of the day) of an instant in Vietnam, the range grown to hold it."""
        local = instant if instant.tzinfo is None or instant.tzinfo is VN_TZ else instant.astimezone(VN_TZ)
        index = local.toordinal() - self._start_ord
        if index < 0:
            raise self._before_start()
        if index >= len(self._state[1]):
            self._grow(day_index=index)
        return index, local.hour * 60 + local.minute

    def _count(self, instant: dt.datetime) -> int:
        """Office minutes elapsed between the start of the calendar's first year and ``instant``."""
        index, minute = self._day_minute(instant)
        cum, working, _ = self._state
        if working[index]:
            return cum[index] + self._elapsed[minute]
        return cum[index]

    def _instant(self, count: int) -> dt.datetime:
        """The earliest instant at which ``count`` office minutes have elapsed."""
        if count <= 0:
            raise self._before_start()
        cum, _, midnights = self._state
        if count > cum[-1]:
            self._grow(count=count)
            cum, _, midnights = self._state
        day = bisect_left(cum, count) - 1  # cum[day] < count <= cum[day + 1]: a working day
        return midnights[day] + _MINUTE_DELTAS[self._reached[count - cum[day]]]

    def _start_day(self, count: int) -> tuple[int, int, list[int], list[dt.datetime]]:
        """(day, minute) at which the office minute after ``count`` starts, with the snapshot used."""
        cum, _, midnights = self._state
        if count >= cum[-1]:
            self._grow(count=count + 1)
            cum, _, midnights = self._state
        day = bisect_right(cum, count) - 1  # cum[day] <= count < cum[day + 1]
        return day, self._starts[count - cum[day]], cum, midnights

    def _shifted_count(self, instant: dt.datetime, delta: int) -> dt.datetime:
        return self._instant(self._count(instant) + delta)

    # --- days ---------------------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = to_vn(day).date()
        return self._is_working(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        day += dt.timedelta(days=1)
        while not self._is_working(day):
            day += dt.timedelta(days=1)
        return day

    def days_off_in(self, year: int) -> list[dt.date]:
        """Monday–Friday days of ``year`` that are not working days."""
        day, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        result = []
        while day <= end:
            if day.weekday() < 5 and not self._is_working(day):
                result.append(day)
            day += dt.timedelta(days=1)
        return result

    def weekend_working_days_in(self, year: int) -> list[dt.date]:
        """Saturdays and Sundays of ``year`` that are working days (make-up and extra working days)."""
        return sorted(d for d in self.working_days if d.year == year and d.weekday() >= 5)

    # --- instants -----------------------------------------------------------------------------------------

    def is_office_time(self, instant: dt.datetime) -> bool:
        index, minute = self._day_minute(instant)
        return self._state[1][index] and self._in_office[minute]

    def next_office_time(self, instant: dt.datetime) -> dt.datetime:
        """``instant`` itself if it is inside office hours of a working day, else the start of the next period."""
        local = to_vn(instant)
        if self.is_office_time(local):
            return local
        day, minute, _, midnights = self._start_day(self._count(local))
        return midnights[day] + _MINUTE_DELTAS[minute]

    def add_office_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """The instant at which ``minutes`` office minutes have elapsed after ``start``.

        ``minutes == 0`` returns ``start`` (in Vietnam time); a negative value counts backwards.
        """
        if minutes == 0:
            return to_vn(start)
        return self._shifted_count(start, minutes)

    def add_working_days(self, start: dt.datetime, n: int) -> dt.datetime:
        return self.add_office_minutes(start, n * self.day_minutes)

    def add_working_hours(self, start: dt.datetime, n: int) -> dt.datetime:
        return self.add_office_minutes(start, n * 60)

    def office_minutes_between(self, a: dt.datetime, b: dt.datetime) -> int:
        """Office minutes from ``a`` to ``b`` (negative if ``b`` is before ``a``)."""
        return self._count(b) - self._count(a)

    # --- deadlines ----------------------------------------------------------------------------------------

    def limit_minutes(self, limit: int, unit: LimitUnit | str) -> int:
        """Office minutes of a limit of days or hours."""
        unit = LimitUnit(unit)
        if unit == LimitUnit.HOURS:
            return limit * 60
        if unit == LimitUnit.DAYS:
            return limit * self.day_minutes
        raise ValueError("a same-day limit has no fixed length in office minutes")

    def due(
        self, received: dt.datetime, limit: int, unit: LimitUnit | str, *, cutoff: dt.time | None = None
    ) -> dt.datetime:
        """Due time for a receipt instant and a limit (DOMAIN.md §5).

        Days and hours: the instant the office time of the limit runs out, counted from the clock start.
        0 days or 0 hours: the instant the clock starts (the catalog uses ``same_day`` for a same-day limit).
        Same day (limit 0): the end of the working day the clock starts on, or of the next working day when the
        clock starts at or after the cut-off (``cutoff`` or else the calendar's). Raises ValueError on a negative
        limit, an unknown unit or a same-day limit other than 0.
        """
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise ValueError(f"invalid limit {limit!r}")
        if limit < 0:
            raise ValueError("a limit cannot be negative")
        if unit == "days" and limit:
            return self._shifted_count(received, limit * self.day_minutes)
        if unit == "hours" and limit:
            return self._shifted_count(received, limit * 60)
        unit = LimitUnit(unit)  # ValueError on an unknown unit
        if unit != LimitUnit.SAME_DAY:  # 0 days or 0 hours: no office time at all, due when the clock starts
            return self.next_office_time(received).replace(second=0, microsecond=0)
        if limit != 0:
            raise ValueError("a same-day limit must be 0")
        return self._same_day_due(received, cutoff if cutoff is not None else self.cutoff)

    def _same_day_due(self, received: dt.datetime, cutoff: dt.time | None) -> dt.datetime:
        day, start_minute, cum, _ = self._start_day(self._count(received))  # the day the clock starts on
        end_count = cum[day + 1]
        if cutoff is not None and start_minute >= cutoff.hour * 60 + cutoff.minute:
            end_count += self.day_minutes  # end of the next working day
        return self._instant(end_count)

    def pause(self, due: dt.datetime, paused_at: dt.datetime) -> int:
        """The clock stops at ``paused_at``: the office minutes remaining until ``due`` (negative if overdue)."""
        return self.office_minutes_between(paused_at, due)

    def resume(self, remaining_minutes: int, resumed_at: dt.datetime) -> dt.datetime:
        """The clock restarts at ``resumed_at`` with ``remaining_minutes``: the new due time."""
        return self.add_office_minutes(resumed_at, remaining_minutes)

    def reset(self, limit: int, unit: LimitUnit | str, supplement_complete_at: dt.datetime) -> dt.datetime:
        """The whole limit restarts from the arrival of the complete supplement."""
        return self.due(supplement_complete_at, limit, unit)


def classify(
    *,
    finished_at: dt.datetime,
    statutory_due: dt.datetime,
    supplement_requests: int = 0,
    outcome: str = "resolved",
) -> Classification:
    """Early / on time / late of a finished dossier (DOMAIN.md §5).

    Refused, stopped and withdrawn dossiers are on time; more than one supplement request is late (Decision
    766); otherwise early if finished on an earlier calendar day (in Vietnam) than the due day, on time if on the
    due day at or before the due time, late if after the due time.
    """
    if str(outcome) in _UNFINISHED_OUTCOMES:
        return Classification.ON_TIME
    if supplement_requests > 1:
        return Classification.LATE
    finished, due = to_vn(finished_at), to_vn(statutory_due)
    if finished > due:
        return Classification.LATE
    if finished.date() < due.date():
        return Classification.EARLY
    return Classification.ON_TIME
