"""The official working calendar of the public sector, with the document behind every day (DOMAIN.md §5).

``data/official_calendar.json`` lists, for the years in its ``covers`` range, every statutory day off (Labour
Code), every compensatory day (*nghỉ bù*), every swapped day off (*ngày nghỉ hoán đổi*) and every make-up
working Saturday (*ngày làm bù*), each with the key of the document that decided it; ``sources`` describes
those documents (number, issuer, date, what they decided, where they were read). For the covered years the
file is the whole truth: the ``holidays`` package is not used for them. Outside that range the package's
statutory rules are an estimate, corrected by any entry the file has there (31/12/2018, swapped for
05/01/2019). Pure Python, no ORM; the file is read once per process.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

OFFICIAL_CALENDAR_FILE = Path(__file__).resolve().parent / "data" / "official_calendar.json"

DAY_OFF = "day_off"
WORKING_DAY = "working_day"
KINDS = {DAY_OFF: "nghỉ", WORKING_DAY: "làm bù"}


class OfficialCalendarError(ValueError):
    """The data file is malformed (a programming error: the file ships with the code and is tested)."""


@dataclass(frozen=True)
class Source:
    key: str
    type: str  # "Bộ luật Lao động", "Công văn", "Thông báo", "Nghị quyết"
    number: str
    issuer: str
    date: dt.date | None
    about: str
    article: str = ""
    url: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        """``Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ`` and the like."""
        text = f"{self.type} {self.number}"
        if self.article:
            text += f", {self.article}"
        elif self.date is not None:
            text += f" ngày {self.date:%d/%m/%Y}"
        if not self.type.startswith("Bộ luật"):
            text += f" của {self.issuer}"
        return text


@dataclass(frozen=True)
class OfficialDay:
    date: dt.date
    kind: str  # DAY_OFF or WORKING_DAY
    name: str
    source: Source

    @property
    def working(self) -> bool:
        return self.kind == WORKING_DAY

    @property
    def kind_display(self) -> str:
        return KINDS[self.kind]


@dataclass(frozen=True)
class OfficialCalendar:
    first_year: int
    last_year: int
    checked_on: dt.date
    sources: dict[str, Source]
    days: tuple[OfficialDay, ...]

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def by_date(self) -> dict[dt.date, OfficialDay]:
        return {day.date: day for day in self.days}

    def days_in(self, year: int) -> list[OfficialDay]:
        return [day for day in self.days if day.date.year == year]

    def correct(
        self,
        days_off: MutableMapping[dt.date, str],
        working: MutableMapping[dt.date, str],
        *,
        years: Iterable[int],
    ) -> None:
        """Make ``days_off``/``working`` (date → name, statutory estimate for ``years``) official, in place.

        Covered years: whatever the estimate says is dropped and the file's days are used. Other years: the
        file's days, if any, are applied on top of the estimate.
        """
        wanted = set(years)
        for mapping in (days_off, working):
            for date in [d for d in mapping if self.covers(d.year)]:
                del mapping[date]
        for day in self.days:
            if day.date.year not in wanted:
                continue
            if day.working:
                working[day.date] = day.name
                days_off.pop(day.date, None)
            else:
                days_off[day.date] = day.name
                working.pop(day.date, None)


def _date(value: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise OfficialCalendarError(f"{where}: invalid date {value!r}") from exc


def parse_official_calendar(data: dict[str, Any]) -> OfficialCalendar:
    """Validate the decoded JSON; raises ``OfficialCalendarError`` naming the first problem."""
    try:
        first, last = int(data["covers"]["from"]), int(data["covers"]["to"])
        raw_sources, raw_days = data["sources"], data["days"]
        checked_on = _date(data["checked_on"], "checked_on")
    except (KeyError, TypeError, ValueError) as exc:
        raise OfficialCalendarError(f"missing or invalid top-level field: {exc}") from exc
    sources: dict[str, Source] = {}
    for key, raw in raw_sources.items():
        try:
            sources[key] = Source(
                key=key,
                type=raw["type"],
                number=raw["number"],
                issuer=raw["issuer"],
                date=_date(raw["date"], f"source {key}") if raw.get("date") else None,
                about=raw["about"],
                article=raw.get("article", ""),
                url=raw.get("url", ""),
                note=raw.get("note", ""),
            )
        except KeyError as exc:
            raise OfficialCalendarError(f"source {key}: missing {exc}") from exc
    days: list[OfficialDay] = []
    seen: set[dt.date] = set()
    for index, raw in enumerate(raw_days):
        where = f"days[{index}]"
        try:
            date, kind, name, key = _date(raw["date"], where), raw["kind"], raw["name"], raw["source"]
        except KeyError as exc:
            raise OfficialCalendarError(f"{where}: missing {exc}") from exc
        if kind not in KINDS:
            raise OfficialCalendarError(f"{where}: unknown kind {kind!r}")
        if key not in sources:
            raise OfficialCalendarError(f"{where}: no document {key!r} in sources (an entry needs one)")
        if not str(name).strip():
            raise OfficialCalendarError(f"{where}: empty name")
        if date in seen:
            raise OfficialCalendarError(f"{where}: {date} listed twice")
        if kind == WORKING_DAY and date.weekday() < 5:
            raise OfficialCalendarError(f"{where}: a make-up working day must be a Saturday or Sunday")
        seen.add(date)
        days.append(OfficialDay(date=date, kind=kind, name=str(name).strip(), source=sources[key]))
    return OfficialCalendar(
        first_year=first,
        last_year=last,
        checked_on=checked_on,
        sources=sources,
        days=tuple(sorted(days, key=lambda d: d.date)),
    )


def load_official_calendar(path: str | Path = OFFICIAL_CALENDAR_FILE) -> OfficialCalendar:
    return parse_official_calendar(json.loads(Path(path).read_text(encoding="utf-8")))


@cache
def official_calendar() -> OfficialCalendar:
    """The shipped file, read and validated once per process."""
    return load_official_calendar()
