"""``motcua calendar --year 2023``: the weekdays off and the weekend working days of a year, with their sources."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core import clock
from motcua.worktime.selectors import calendar_year

WEEKDAYS = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]


class Command(BaseCommand):
    help = (
        "Liệt kê các ngày nghỉ (thứ Hai–thứ Sáu) và các ngày làm bù (thứ Bảy, Chủ nhật) của một năm, "
        "mỗi ngày kèm văn bản quyết định."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="năm (mặc định năm nay)")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or clock.today().year
        for day in calendar_year(year):
            kind = "làm bù" if day.working else "nghỉ  "
            line = f"{day.date.isoformat()} {WEEKDAYS[day.date.weekday()]} {kind} {day.name}"
            self.stdout.write(f"{line} — {day.source}" if day.source else line)
