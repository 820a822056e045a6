"""The Decision 766 methodology as data: versions of the scoring, effective-dated (``data/index766.json``).

Each version lists its groups (number, portal code, name, maximum points) and indicators (code, group, name, the
official formula, maximum points, the threshold at which the maximum is reached, what a period with nothing to
count earns, the motcua measure that computes the rate, the sources and whether the points were found in them).
The version in force on a day is the latest whose ``effective_from`` is not after it (docs/reports.md §3).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).parent / "data" / "index766.json"

EMPTY_NO_DATA = "no_data"  # nothing to count: the indicator is "no data" (not scored)
EMPTY_FULL = "full"  # nothing to count: the maximum (the portal's rule for petitions)


@dataclass(frozen=True)
class Group:
    number: int
    code: str
    name: str
    maximum: Decimal
    source: tuple[str, ...]
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class Indicator:
    code: str
    group: int
    name: str
    formula: str  # the official formula, as the source words it
    maximum: Decimal | None  # None: the source gives no points (shown, not scored)
    threshold: Decimal  # the rate (a fraction) that earns the maximum; 1: linear
    when_empty: str  # EMPTY_NO_DATA or EMPTY_FULL
    measure: str  # reports.index.MEASURES key
    source: tuple[str, ...]
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class Version:
    id: str
    title: str
    effective_from: dt.date
    effective_from_verified: bool
    effective_from_source: tuple[str, ...]
    effective_from_note: str
    groups: tuple[Group, ...]
    indicators: tuple[Indicator, ...]

    @property
    def maximum(self) -> Decimal:
        return sum((g.maximum for g in self.groups), Decimal(0))


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _version(raw: dict[str, Any]) -> Version:
    groups = tuple(
        Group(
            number=int(g["number"]),
            code=g["code"],
            name=g["name"],
            maximum=Decimal(str(g["max_points"])),
            source=tuple(g["source"]),
            verified=bool(g["verified"]),
            note=g.get("note", ""),
        )
        for g in raw["groups"]
    )
    indicators = tuple(
        Indicator(
            code=i["code"],
            group=int(i["group"]),
            name=i["name"],
            formula=i["formula"],
            maximum=_decimal(i["max_points"]),
            threshold=Decimal(str(i["threshold"])),
            when_empty=i["when_empty"],
            measure=i["measure"],
            source=tuple(i["source"]),
            verified=bool(i["verified"]),
            note=i.get("note", ""),
        )
        for i in raw["indicators"]
    )
    return Version(
        id=raw["id"],
        title=raw["title"],
        effective_from=dt.date.fromisoformat(raw["effective_from"]),
        effective_from_verified=bool(raw["effective_from_verified"]),
        effective_from_source=tuple(raw["effective_from_source"]),
        effective_from_note=raw.get("effective_from_note", ""),
        groups=groups,
        indicators=indicators,
    )


@cache
def load() -> tuple[tuple[Version, ...], dict[str, dict[str, Any]]]:
    """The versions (oldest first) and the sources of the data file."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    versions = tuple(sorted((_version(v) for v in raw["versions"]), key=lambda v: v.effective_from))
    return versions, raw["sources"]


def versions() -> tuple[Version, ...]:
    return load()[0]


def sources() -> dict[str, dict[str, Any]]:
    return load()[1]


def version_on(day: dt.date) -> Version:
    """The version in force on ``day`` (the first one for a day before every version)."""
    chosen = versions()[0]
    for version in versions():
        if version.effective_from <= day:
            chosen = version
    return chosen


def indicator_choices() -> list[tuple[str, str]]:
    """Every indicator code of every version, for the admin's overrides (``IndicatorSetting.code``)."""
    names: dict[str, str] = {}
    for version in versions():
        for indicator in version.indicators:
            names[indicator.code] = indicator.name
    return sorted(((code, f"{code} {name}") for code, name in names.items()), key=lambda c: _code_key(c[0]))


def _code_key(code: str) -> tuple[int, int, str]:
    major, _, minor = code.partition(".")
    digits = "".join(ch for ch in minor if ch.isdigit())
    return int(major), int(digits or 0), minor
