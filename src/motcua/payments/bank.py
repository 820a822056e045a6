"""Bank collection (thu hộ): the collection account's statement imported, lines matched to payments and credited.

``motcua import-bank-statement FILE.csv|xlsx --account ACCOUNT`` and the back-office upload call
``bank_statement_import``. The file has a header row with the columns ``transaction_id, booked_at, amount,
description`` (any order, other columns ignored; docs/payments.md). The whole file is checked first: a
malformed file imports nothing and names its rows (``StatementFailed``, the ``core.importing`` shape).

Then, in one transaction per file:

1. every line is stored once per ``(account, transaction_id)`` (``INSERT … ON CONFLICT DO NOTHING``: the same
   file imported twice, even at the same moment on PostgreSQL, stores each line once; a second import waits
   for the first's commit and finds its lines there). A line stored before is **skipped** and reported.
2. each new line is matched: exactly one payment reference (``MC`` + 14 digits) in its description, of an open
   (pending) VietQR or bank payment, for exactly that amount → the payment succeeds and the ledger is
   credited once under ``bank:<account>:<transaction_id>`` (source ``bank_statement``), its receipt issued,
   the dossier moved on if paid in full (``system:vietqr``). Anything else is **unmatched**, with the reason,
   for an officer to assign by hand (``bank_line_assign``, the back office's *Đối chiếu sao kê*).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from django.db import transaction
from django.db.models import QuerySet

from motcua.accounts.models import User
from motcua.accounts.services import system_actor
from motcua.audit.services import audit_record
from motcua.core import clock
from motcua.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from motcua.core.importing import ImportFailed, ImportProblem
from motcua.dossiers.lifecycle import actor_roles
from motcua.dossiers.models import Dossier
from motcua.organisations.constants import Role

from .constants import BankLineStatus, EntrySource, Method, PaymentStatus
from .models import BankStatementImport, BankStatementLine, Payment

logger = structlog.get_logger(__name__)

COLUMNS = ("transaction_id", "booked_at", "amount", "description")
REFERENCE = re.compile(r"MC\s?(\d{6})\s?(\d{8})", re.IGNORECASE)
BANK_METHODS = (Method.VIETQR, Method.BANK_TRANSFER)
MAX_LINES = 100_000


class StatementFailed(ImportFailed):
    code = "bank_statement_invalid"


@dataclass(frozen=True)
class StatementLine:
    row: int
    transaction_id: str
    booked_at: dt.datetime
    amount: int
    description: str


@dataclass
class ImportResult:
    """What one import did: ``credited`` payments, ``unmatched`` lines stored, ``skipped`` lines seen before."""

    statement_id: int
    lines: int = 0
    credited: list[str] = field(default_factory=list)  # the payments' references
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "statement": self.statement_id,
            "lines": self.lines,
            "credited": len(self.credited),
            "unmatched": len(self.unmatched),
            "skipped": len(self.skipped),
            "credited_references": self.credited,
            "unmatched_lines": self.unmatched,
            "skipped_lines": self.skipped,
        }


# ------------------------------------------------------------------------------------------------ reading


def _amount(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        number = int(value)
    else:
        text = str(value).strip().replace(" ", "")
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):  # 1.500.000 or 1,500,000
            text = re.sub(r"[.,]", "", text)
        if not text.isdigit():
            raise ValueError
        number = int(text)
    if number <= 0:
        raise ValueError
    return number


def read_statement(path: Path) -> list[StatementLine]:
    """The lines of a statement file (.csv UTF-8 comma/semicolon, or .xlsx first sheet), all checked.

    Raises ``StatementFailed`` naming every bad row and column (nothing is imported then)."""
    from motcua.dossiers.legacy_import import parse_instant, read_rows

    problems: list[ImportProblem] = []
    lines: list[StatementLine] = []
    seen: dict[str, int] = {}
    try:
        rows = list(read_rows(path))
    except ValueError:
        raise StatementFailed(
            "Tệp sao kê phải là .csv hoặc .xlsx; không nhập gì.",
            [ImportProblem(0, "", "tệp phải là .csv (UTF-8) hoặc .xlsx")],
        ) from None
    except (OSError, UnicodeDecodeError, KeyError, IndexError) as exc:
        raise StatementFailed(
            "Không đọc được tệp sao kê; không nhập gì.",
            [ImportProblem(0, "", f"không đọc được tệp ({type(exc).__name__})")],
        ) from None
    except Exception as exc:  # a damaged .xlsx (zip/xml errors of openpyxl)
        raise StatementFailed(
            "Không đọc được tệp sao kê; không nhập gì.",
            [ImportProblem(0, "", f"không đọc được tệp ({type(exc).__name__})")],
        ) from None
    rows = [(n, cells) for n, cells in rows if any(str(c).strip() for c in cells)]
    if not rows:
        raise StatementFailed(
            "Tệp sao kê trống; không nhập gì.", [ImportProblem(0, "", "tệp không có dòng nào")]
        )
    header_row, header = rows[0]
    names = [str(c).strip().lower() for c in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise StatementFailed(
            "Tệp sao kê thiếu cột; không nhập gì.",
            [
                ImportProblem(header_row, c, "thiếu cột (dòng tiêu đề cần: " + ", ".join(COLUMNS) + ")")
                for c in missing
            ],
        )
    index = {c: names.index(c) for c in COLUMNS}
    if len(rows) - 1 > MAX_LINES:
        raise StatementFailed(
            "Tệp sao kê quá lớn; không nhập gì.",
            [ImportProblem(0, "", f"tối đa {MAX_LINES} dòng mỗi tệp")],
        )
    for number, cells in rows[1:]:

        def cell(column: str, cells: list[Any] = cells) -> Any:
            i = index[column]
            return cells[i] if i < len(cells) else ""

        row_problems: list[ImportProblem] = []
        transaction_id = str(cell("transaction_id")).strip()
        if not transaction_id:
            row_problems.append(ImportProblem(number, "transaction_id", "trống"))
        elif len(transaction_id) > 100:
            row_problems.append(ImportProblem(number, "transaction_id", "dài quá 100 ký tự"))
        elif transaction_id in seen:
            row_problems.append(
                ImportProblem(number, "transaction_id", f"trùng với dòng {seen[transaction_id]} trong tệp")
            )
        booked: dt.datetime | None = None
        try:
            raw = cell("booked_at")
            if raw in ("", None):
                raise ValueError
            booked = parse_instant(raw)
        except (ValueError, TypeError, OverflowError):
            row_problems.append(
                ImportProblem(
                    number,
                    "booked_at",
                    "không phải ngày giờ (YYYY-MM-DD HH:MM[:SS] hoặc DD/MM/YYYY HH:MM[:SS])",
                )
            )
        amount = 0
        try:
            amount = _amount(cell("amount"))
        except (ValueError, TypeError):
            row_problems.append(ImportProblem(number, "amount", "phải là số nguyên dương (đồng)"))
        description = str(cell("description") or "").strip()
        if "\x00" in description or "\x00" in transaction_id:
            row_problems.append(ImportProblem(number, "description", "có ký tự không hợp lệ"))
        if row_problems:
            problems += row_problems
            continue
        assert booked is not None
        seen[transaction_id] = number
        lines.append(StatementLine(number, transaction_id, booked, amount, description[:2000]))
    if problems:
        raise StatementFailed(f"Tệp sao kê có {len(problems)} lỗi; không nhập dòng nào.", problems[:200])
    return lines


# ------------------------------------------------------------------------------------------------ importing


def _references(description: str) -> list[str]:
    return list(dict.fromkeys(f"MC{a}{b}" for a, b in REFERENCE.findall(description.upper())))


def _credit(payment: Payment, line: BankStatementLine, *, recorded_by: User) -> None:
    from .services import _succeed  # one credit path for every source

    _succeed(
        payment,
        source=EntrySource.BANK_STATEMENT,
        source_reference=f"{line.account}/{line.transaction_id}",
        recorded_by=recorded_by,
        key=f"bank:{line.account}:{line.transaction_id}",
        at=clock.now(),
    )


def _lock_candidates(lines: Iterable[BankStatementLine]) -> None:
    """Lock every payment the lines name, then their dossiers, each in key order, before anything is credited:
    the file's transaction then never waits for a row while it holds a receipt sequence or the audit chain
    (the order every credit follows: payments, dossiers, receipt sequence, audit)."""
    references = {refs[0] for line in lines if len(refs := _references(line.description)) == 1}
    if not references:
        return
    dossier_ids = list(
        Payment.objects.select_for_update()
        .filter(reference__in=references)
        .order_by("pk")
        .values_list("dossier_id", flat=True)
    )
    list(
        Dossier.objects.select_for_update()
        .filter(pk__in=set(dossier_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _match(line: BankStatementLine) -> tuple[Payment | None, str]:
    """The payment ``line`` pays (locked by ``_lock_candidates``), or why none: (None, reason)."""
    references = _references(line.description)
    if not references:
        return None, "không có mã thanh toán trong nội dung"
    if len(references) > 1:
        return None, "nhiều mã thanh toán trong nội dung: " + ", ".join(references)
    payment = Payment.objects.select_for_update().filter(reference=references[0]).first()
    if payment is None:
        return None, f"không có mã thanh toán {references[0]}"
    if payment.method not in BANK_METHODS:
        return None, f"mã {payment.reference} không phải lệnh chuyển khoản"
    if payment.status != PaymentStatus.PENDING:
        return None, f"mã {payment.reference} đã ở trạng thái «{payment.get_status_display()}»"
    if int(payment.amount) != line.amount:
        return None, f"số tiền {line.amount} khác số phải nộp {payment.amount} của mã {payment.reference}"
    return payment, ""


def bank_statement_import(
    *, path: Path, account: str, actor: User | None = None, file_name: str = ""
) -> ImportResult:
    """Import one statement file of ``account`` (see the module). Raises ``StatementFailed`` (nothing
    imported) or ``ValidationFailed`` (no account)."""
    account = account.strip()
    if not account or len(account) > 64:
        raise ValidationFailed(
            "Cần ghi số tài khoản thu của sao kê.", code="invalid_account", details={"account": ["Bắt buộc."]}
        )
    lines = read_statement(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    bank = system_actor("bank", label="Sao kê tài khoản thu (ngân hàng)")
    with transaction.atomic():
        statement = BankStatementImport.objects.create(
            account=account,
            file_name=(file_name or path.name)[:255],
            file_sha256=digest,
            imported_at=clock.now(),
            imported_by=actor,
            lines=len(lines),
        )
        rows = [
            BankStatementLine(
                statement=statement,
                account=account,
                transaction_id=line.transaction_id,
                booked_at=line.booked_at,
                amount=line.amount,
                description=line.description,
                row=line.row,
                status=BankLineStatus.UNMATCHED,
            )
            for line in lines
        ]
        # Once per (account, transaction id): a concurrent import of the same lines waits here for the
        # other's commit, then inserts nothing.
        BankStatementLine.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        ours = {
            line.transaction_id: line
            for line in BankStatementLine.objects.filter(statement=statement).order_by("row")
        }
        result = ImportResult(statement_id=statement.pk, lines=len(lines))
        _lock_candidates(ours.values())
        for line in lines:
            stored = ours.get(line.transaction_id)
            if stored is None:
                result.skipped.append({"row": line.row, "transaction_id": line.transaction_id})
                continue
            payment, reason = _match(stored)
            if payment is None:
                stored.reason = reason[:255]
                stored.save(update_fields=["reason"])
                result.unmatched.append(
                    {"row": line.row, "transaction_id": line.transaction_id, "reason": stored.reason}
                )
                continue
            _credit(payment, stored, recorded_by=bank)
            stored.status = BankLineStatus.CREDITED
            stored.payment = payment
            stored.save(update_fields=["status", "payment"])
            result.credited.append(payment.reference)
        statement.credited = len(result.credited)
        statement.unmatched = len(result.unmatched)
        statement.skipped = len(result.skipped)
        statement.save(update_fields=["credited", "unmatched", "skipped"])
        audit_record(
            actor=actor,
            action="payment.bank_statement",
            object_type="bank_statement",
            object_id=statement.pk,
            data={
                "account": account,
                "file": statement.file_name,
                "sha256": digest,
                "lines": len(lines),
                "credited": statement.credited,
                "unmatched": statement.unmatched,
                "skipped": statement.skipped,
            },
        )
    logger.info(
        "bank_statement_imported",
        account=account,
        lines=len(lines),
        credited=statement.credited,
        unmatched=statement.unmatched,
        skipped=statement.skipped,
    )
    return result


# --------------------------------------------------------------------------------------------- by hand


def unmatched_lines() -> QuerySet[BankStatementLine]:
    return BankStatementLine.objects.filter(status=BankLineStatus.UNMATCHED).order_by("booked_at", "pk")


def bank_line_assign(*, line_id: int, dossier_code: str, actor: User, note: str = "") -> Payment:
    """An officer assigns an unmatched statement line to a dossier: a bank payment of the line's amount,
    credited once (key ``bank:<account>:<transaction_id>``), its receipt issued, the dossier moved on if
    paid in full. An open VietQR order of the same amount on the dossier is the one settled. An officer of
    the dossier's unit; audited (``payment.bank_assign``)."""
    from .services import PAYABLE_STATES, _insert_with_reference, dossier_lock

    with transaction.atomic():
        line = BankStatementLine.objects.select_for_update().filter(pk=line_id).first()
        if line is None:
            raise NotFound("Không có dòng sao kê này.", code="not_found")
        if line.status != BankLineStatus.UNMATCHED:
            raise Conflict("Dòng sao kê này đã được ghi có cho một hồ sơ.", code="line_already_credited")
        dossier = Dossier.objects.filter(code=dossier_code.strip()).first()
        if dossier is None:
            raise ValidationFailed(
                f"Không có hồ sơ mã {dossier_code.strip()}.",
                code="invalid_dossier",
                details={"dossier": ["Không có hồ sơ này."]},
            )
        open_order = (
            Payment.objects.select_for_update()
            .filter(dossier=dossier, method=Method.VIETQR, status=PaymentStatus.PENDING, amount=line.amount)
            .order_by("created_at", "pk")
            .first()
        )
        locked = dossier_lock(dossier.pk)
        if Role.OFFICER not in actor_roles(locked, actor):
            raise PermissionDenied(
                "Chỉ cán bộ tiếp nhận của đơn vị giải quyết hồ sơ được gán dòng sao kê cho hồ sơ.",
                code="permission_denied",
            )
        if locked.status not in PAYABLE_STATES:
            raise Conflict(
                f"Hồ sơ ở trạng thái «{locked.get_status_display()}» không thu phí, lệ phí.",
                code="dossier_not_payable",
            )
        now = clock.now()
        payment = open_order
        if payment is None:
            payment = Payment(
                dossier=locked,
                method=Method.BANK_TRANSFER,
                amount=line.amount,
                created_at=now,
                created_by=actor,
                payer_name=locked.applicant_name,
            )
            _insert_with_reference(payment, now)
        _credit(payment, line, recorded_by=actor)
        line.status = BankLineStatus.ASSIGNED
        line.payment = payment
        line.assigned_by = actor
        line.assigned_at = now
        line.save(update_fields=["status", "payment", "assigned_by", "assigned_at"])
        audit_record(
            actor=actor,
            action="payment.bank_assign",
            object_type="bank_statement_line",
            object_id=line.pk,
            data={
                "account": line.account,
                "transaction_id": line.transaction_id,
                "amount": int(line.amount),
                "dossier": locked.code,
                "payment": payment.reference,
                "note": note,
            },
        )
    return payment
