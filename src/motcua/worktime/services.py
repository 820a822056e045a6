"""The working calendar of the installation, and writes of the override table.

``get_calendar()`` is what every other module calls: the official national calendar (``official.py``: the data
file of days off and make-up days with their documents; ``holidays`` VN as a statutory estimate outside the years
the file covers) with the province's overrides and the configured office hours, built once per process and
rebuilt when the override table changes (the writes below refresh it at once in this process; other processes
notice the table's version, ``count`` and ``max(updated_at)``, at most ``MOTCUA_CALENDAR_RECHECK_SECONDS``
later).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import holidays
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max

from motcua.core import formatting
from motcua.core.errors import ValidationFailed

from .calendar import WorkCalendar, parse_hhmm, parse_office_hours
from .constants import OverrideKind
from .importing import OverrideRow, parse_overrides_csv
from .models import CalendarOverride
from .official import official_calendar

DEMO_OVERRIDES_FILE = Path(__file__).resolve().parent / "data" / "overrides_demo.csv"

# Years built up front (the official file, else ``holidays``); the calendar counts later years with weekends only.
HOLIDAY_YEARS = range(1990, 2051)

_SUBSTITUTE = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")


@dataclass(frozen=True)
class OverrideData:
    date: dt.date
    kind: str
    name: str
    decision: str = ""


# --- building ----------------------------------------------------------------------------------------------


def national_calendar(years: Iterable[int] = HOLIDAY_YEARS) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    """Days off and make-up working days of Vietnam, with their (Vietnamese) names.

    The years the official file covers come from the file alone (the documents win); other years are the
    ``holidays`` package's statutory estimate, corrected by any entry the file has there.
    """
    years = list(years)
    national = holidays.country_holidays("VN", years=years, language="vi")
    days_off: dict[dt.date, str] = dict(national.items())
    working: dict[dt.date, str] = {}
    substitutes: dict[dt.date, dt.date] = {}
    for day, name in days_off.items():
        match = _SUBSTITUTE.search(name)
        if match:
            d, m, y = (int(g) for g in match.groups())
            substitutes[dt.date(y, m, d)] = day
    for day in national.weekend_workdays:
        off = substitutes.get(day)
        working[day] = f"Làm bù cho ngày nghỉ {formatting.day(off)}" if off else "Ngày làm bù"
    official_calendar().correct(days_off, working, years=years)
    return days_off, working


def build_calendar(
    *,
    overrides: Iterable[OverrideData | CalendarOverride] | None = None,
    office_hours: str | None = None,
    cutoff: str | None = None,
    years: Iterable[int] = HOLIDAY_YEARS,
) -> WorkCalendar:
    """The national calendar + ``overrides`` (default: the override table) + the office-hour settings."""
    if overrides is None:
        overrides = list(CalendarOverride.objects.all())
    hours_text = office_hours if office_hours is not None else settings.MOTCUA_OFFICE_HOURS
    cutoff_text = cutoff if cutoff is not None else settings.MOTCUA_SAME_DAY_CUTOFF
    days_off, working = national_calendar(years)
    names = {**days_off, **working}
    for override in overrides:
        names[override.date] = override.name + (f" ({override.decision})" if override.decision else "")
        if override.kind == OverrideKind.EXTRA_DAY_OFF:
            days_off[override.date] = override.name
            working.pop(override.date, None)
        else:
            working[override.date] = override.name
            days_off.pop(override.date, None)
    return WorkCalendar(
        days_off=days_off,
        working_days=working,
        office_hours=parse_office_hours(hours_text),
        cutoff=parse_hhmm(cutoff_text) if cutoff_text.strip() else None,
        names=names,
    )


# --- the cache ---------------------------------------------------------------------------------------------

_lock = threading.Lock()
_cached: tuple[Any, WorkCalendar] | None = None  # (version, calendar)
_checked_at = 0.0


def _table_version() -> tuple[Any, ...]:
    stats = CalendarOverride.objects.aggregate(count=Count("id"), latest=Max("updated_at"), top=Max("id"))
    return (
        stats["count"],
        stats["latest"],
        stats["top"],
        settings.MOTCUA_OFFICE_HOURS,
        settings.MOTCUA_SAME_DAY_CUTOFF,
    )


def get_calendar() -> WorkCalendar:
    """The installation's working calendar (cached; rebuilt when the override table or settings change)."""
    global _cached, _checked_at
    recheck = settings.MOTCUA_CALENDAR_RECHECK_SECONDS
    cached = _cached
    if cached is not None and time.monotonic() - _checked_at < recheck:
        return cached[1]
    version = _table_version()
    if cached is not None and cached[0] == version:
        _checked_at = time.monotonic()
        return cached[1]
    with _lock:
        calendar = build_calendar()
        _cached = (version, calendar)
        _checked_at = time.monotonic()
    return calendar


def invalidate_calendar_cache() -> None:
    """Forget the cached calendar: the next ``get_calendar()`` rebuilds it."""
    global _cached, _checked_at
    _cached = None
    _checked_at = 0.0


def _changed() -> None:
    invalidate_calendar_cache()
    transaction.on_commit(invalidate_calendar_cache)


# --- writes ------------------------------------------------------------------------------------------------


def _validate(*, kind: str, name: str, decision: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in OverrideKind.values:
        errors["kind"] = f"Loại ngày điều chỉnh không hợp lệ: {kind}."
    if not name.strip():
        errors["name"] = "Tên ngày điều chỉnh không được để trống."
    elif len(name.strip()) > 200:
        errors["name"] = "Tên dài quá 200 ký tự."
    if len(decision.strip()) > 200:
        errors["decision"] = "Văn bản quyết định dài quá 200 ký tự."
    return errors


@transaction.atomic
def calendar_override_create(*, date: dt.date, kind: str, name: str, decision: str = "") -> CalendarOverride:
    """Declare ``date`` an extra day off or an extra working day; refuses a second override of one date."""
    errors = _validate(kind=kind, name=name, decision=decision)
    if CalendarOverride.objects.filter(date=date).exists():
        errors["date"] = f"Ngày {formatting.day(date)} đã có điều chỉnh."
    if errors:
        raise ValidationFailed(next(iter(errors.values())), code="invalid_calendar_override", details=errors)
    override = CalendarOverride(date=date, kind=kind, name=name.strip(), decision=decision.strip())
    override.save()
    _changed()
    return override


@transaction.atomic
def calendar_override_update(
    *, override: CalendarOverride, date: dt.date, kind: str, name: str, decision: str = ""
) -> CalendarOverride:
    errors = _validate(kind=kind, name=name, decision=decision)
    if CalendarOverride.objects.filter(date=date).exclude(pk=override.pk).exists():
        errors["date"] = f"Ngày {formatting.day(date)} đã có điều chỉnh."
    if errors:
        raise ValidationFailed(next(iter(errors.values())), code="invalid_calendar_override", details=errors)
    override.date, override.kind = date, kind
    override.name, override.decision = name.strip(), decision.strip()
    override.save(update_fields=["date", "kind", "name", "decision", "updated_at"])
    _changed()
    return override


@transaction.atomic
def calendar_override_delete(*, override: CalendarOverride) -> None:
    override.delete()
    _changed()


@dataclass(frozen=True)
class OverridesImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def calendar_overrides_import(*, rows: Iterable[OverrideRow | OverrideData]) -> OverridesImportResult:
    """Insert or update one override per date (rows already validated by ``importing``). Idempotent."""
    created = updated = unchanged = 0
    existing = {o.date: o for o in CalendarOverride.objects.select_for_update()}
    for row in rows:
        current = existing.get(row.date)
        if current is None:
            existing[row.date] = CalendarOverride.objects.create(
                date=row.date, kind=row.kind, name=row.name, decision=row.decision
            )
            created += 1
        elif (current.kind, current.name, current.decision) == (row.kind, row.name, row.decision):
            unchanged += 1
        else:
            current.kind, current.name, current.decision = row.kind, row.name, row.decision
            current.save(update_fields=["kind", "name", "decision", "updated_at"])
            updated += 1
    if created or updated:
        _changed()
    return OverridesImportResult(created=created, updated=updated, unchanged=unchanged)


def calendar_overrides_load_demo() -> int:
    """Load ``data/overrides_demo.csv`` (safe to re-run); returns the number of overrides in the file."""
    rows = parse_overrides_csv(DEMO_OVERRIDES_FILE.read_text(encoding="utf-8"))
    calendar_overrides_import(rows=rows)
    return len(rows)
