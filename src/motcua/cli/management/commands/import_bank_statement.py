"""``motcua import-bank-statement FILE.csv|xlsx --account ACCOUNT``: import the collection account's statement.

Columns ``transaction_id, booked_at, amount, description`` (docs/payments.md, "Bank collection"). Lines whose
description names an open payment reference for exactly its amount are credited once; a line imported before
is skipped; the others are stored unmatched for an officer (back office, *Đối chiếu sao kê*). One transaction
per file; a malformed file imports nothing, each bad row is printed and the exit code is 2. Prints a JSON
summary ``{"statement", "lines", "credited", "unmatched", "skipped", ...}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import ValidationFailed
from motcua.core.importing import command_error
from motcua.payments.bank import StatementFailed, bank_statement_import


class Command(BaseCommand):
    help = "Nhập sao kê tài khoản thu (.csv hoặc .xlsx), ghi có cho các khoản thanh toán khớp mã và số tiền."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp sao kê .csv (UTF-8) hoặc .xlsx")
        parser.add_argument("--account", required=True, help="số tài khoản thu của sao kê")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.", returncode=2)
        try:
            result = bank_statement_import(path=path, account=options["account"])
        except StatementFailed as exc:
            raise command_error(exc, self.stderr) from exc
        except ValidationFailed as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
