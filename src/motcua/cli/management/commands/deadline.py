"""``motcua deadline``: the due time of a receipt (DOMAIN.md §5), one at a time or a CSV batch.

    motcua deadline --received 2023-01-19T10:00 --limit 3 --unit days [--cutoff 15:00]
    motcua deadline --batch FILE|-        # CSV received,limit,unit → received,limit,unit,due

A naive ``received`` is Asia/Ho_Chi_Minh time. Bad input: every problem is printed naming its row, nothing is
written to standard output, exit code 2.
"""

from __future__ import annotations

import csv
import io
import sys
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import ValidationFailed
from motcua.worktime.inputs import DueRequest, parse_cutoff, parse_due_request
from motcua.worktime.services import get_calendar

BATCH_COLUMNS = ("received", "limit", "unit")


class Command(BaseCommand):
    stealth_options = ("stdin",)  # a file-like object replacing standard input (tests, call_command)
    help = "Tính thời hạn trả kết quả (ngày hẹn trả) cho một thời điểm tiếp nhận, hoặc cho cả tệp CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--received", help="thời điểm tiếp nhận, ISO 8601 (không có múi giờ: giờ Việt Nam)"
        )
        parser.add_argument("--limit", help="thời hạn (số nguyên ≥ 0)")
        parser.add_argument("--unit", default="days", help="days, hours hoặc same_day (mặc định days)")
        parser.add_argument(
            "--cutoff", help="giờ chốt cho thời hạn trong ngày, HH:MM (mặc định theo cấu hình)"
        )
        parser.add_argument("--batch", metavar="FILE", help="tệp CSV received,limit,unit ('-' là stdin)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            if options["received"] or options["limit"]:
                raise CommandError("Dùng --batch hoặc --received/--limit, không dùng cả hai.", returncode=2)
            self._batch(options["batch"], options["cutoff"], options.get("stdin") or sys.stdin)
            return
        if options["received"] is None or options["limit"] is None:
            raise CommandError("Cần --received và --limit (hoặc --batch FILE).", returncode=2)
        try:
            request = parse_due_request(
                received=options["received"],
                limit=options["limit"],
                unit=options["unit"],
                cutoff=options["cutoff"],
            )
        except ValidationFailed as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(request.due(get_calendar()).isoformat())

    def _read(self, source: str, stdin: IO[str]) -> str:
        if source == "-":
            return stdin.read()
        try:
            with open(source, encoding="utf-8", newline="") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Không đọc được tệp {source}: {exc}", returncode=2) from exc

    def _batch(self, source: str, cutoff_text: str | None, stdin: IO[str]) -> None:
        try:
            cutoff = parse_cutoff(cutoff_text)
        except ValidationFailed as exc:
            raise CommandError(exc.message, returncode=2) from exc
        reader = csv.reader(io.StringIO(self._read(source, stdin).lstrip("\ufeff")))
        header = [c.strip().lower() for c in next(reader, [])]
        missing = [c for c in BATCH_COLUMNS if c not in header]
        if missing:
            raise CommandError(
                f"dòng 1: thiếu cột {', '.join(missing)} (tiêu đề cần có received,limit,unit)", returncode=2
            )
        position = {name: header.index(name) for name in BATCH_COLUMNS}
        rows: list[tuple[list[str], DueRequest]] = []
        problems: list[str] = []
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            values = [record[position[c]].strip() if position[c] < len(record) else "" for c in BATCH_COLUMNS]
            try:
                request = parse_due_request(received=values[0], limit=values[1], unit=values[2])
            except ValidationFailed as exc:
                problems.append(f"dòng {line}: {exc.message}")
                continue
            if cutoff is not None:
                request = DueRequest(request.received, request.limit, request.unit, cutoff)
            rows.append((values, request))
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"Tệp có {len(problems)} dòng lỗi; không tính dòng nào.", returncode=2)
        calendar = get_calendar()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*BATCH_COLUMNS, "due"])
        for values, request in rows:
            writer.writerow([*values, request.due(calendar).isoformat()])
        self.stdout.write(out.getvalue(), ending="")
