"""``motcua import-calendar-overrides FILE.csv``: import extra days off / extra working days.

CSV header ``date,kind,name,decision``; ``kind`` is ``extra_day_off`` or ``extra_working_day``. All or nothing:
on any error every problem is printed with its line number, nothing is imported and the exit code is 2.
Re-importing the same file changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.importing import command_error
from motcua.worktime.importing import OverridesImportFailed, read_overrides_file
from motcua.worktime.services import calendar_overrides_import


class Command(BaseCommand):
    help = "Nhập các ngày điều chỉnh lịch làm việc (nghỉ thêm, làm bù) từ tệp CSV date,kind,name,decision."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = calendar_overrides_import(rows=read_overrides_file(options["file"]))
        except OverridesImportFailed as exc:
            raise command_error(exc, self.stderr) from exc
        self.stdout.write(
            f"Ngày điều chỉnh: {result.created} thêm mới, {result.updated} cập nhật, {result.unchanged} không đổi."
        )
