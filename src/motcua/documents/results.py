"""The results register (sổ kết quả): an entry for every result issued, written when the dossier is resolved.

``result_record_issue`` is run by the transition consumer ``results_register`` (``documents.consumers``) after
``resolve`` commits, so it sees the result files attached in the resolution's transaction. An entry has a
number (``NNNNN/YYYY/KQ-<unit code>``, a sequence per unit and year), the issue date, validity from that day
and an expiry the officer may set (``result_record_validity_set``); it is *digitised* when an electronic copy
of the result exists (result uploads; their pages are counted). Signing the result is the signatures app's
(``result_signed``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from motcua.audit.services import audit_record
from motcua.core import clock
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.dossiers.codes import next_number
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier

from .constants import UploadPurpose
from .digitisation import may_digitise
from .models import ResultRecord, Upload

if TYPE_CHECKING:
    from motcua.accounts.models import User

# The states in which a dossier has an issued result.
RESULT_ISSUED = (Status.RESOLVED, Status.RETURNED)


def result_number_issue(*, unit_code: str, year: int) -> str:
    """The next register number of the unit ``unit_code`` in ``year`` (safe under concurrency)."""
    n = next_number(prefix=f"KQ-{unit_code}", day=dt.date(year, 1, 1))
    return f"{n:05d}/{year}/KQ-{unit_code}"


def _result_files(dossier: Dossier) -> tuple[bool, int | None]:
    pages = list(
        Upload.objects.filter(dossier=dossier, purpose=UploadPurpose.RESULT).values_list(
            "page_count", flat=True
        )
    )
    if not pages:
        return False, None
    known = [p for p in pages if p is not None]
    return True, (sum(known) if known else None)


@transaction.atomic
def result_record_issue(*, dossier: Dossier) -> ResultRecord | None:
    """The register entry of ``dossier``'s result: written once, refreshed (digitised, pages) when run again.

    ``None`` for a dossier without an issued result (not resolved, or resolved then undone). Idempotent: the
    consumer may run more than once for one event.
    """
    # The dossier's row lock: two runs of the consumer for one dossier write one entry, one number.
    dossier = Dossier.objects.select_for_update().select_related("unit").get(pk=dossier.pk)
    if dossier.status not in RESULT_ISSUED or dossier.finished_at is None:
        return None
    digitised, pages = _result_files(dossier)
    record = ResultRecord.objects.select_for_update().filter(dossier=dossier).first()
    if record is not None:
        if (record.digitised, record.page_count) != (digitised, pages):
            record.digitised, record.page_count = digitised, pages
            record.save(update_fields=["digitised", "page_count"])
        return record
    issued_on = dossier.finished_at.astimezone(clock.VN_TZ).date()
    record = ResultRecord.objects.create(
        dossier=dossier,
        number=result_number_issue(unit_code=dossier.unit.code, year=issued_on.year),
        title=dossier.result_note or "",
        issued_at=dossier.finished_at,
        valid_from=issued_on,
        valid_until=None,
        digitised=digitised,
        page_count=pages,
        recorded_at=clock.now(),
    )
    audit_record(
        actor=None,
        action="result_record.issue",
        object_type="dossier",
        object_id=dossier.pk,
        data={"number": record.number, "digitised": digitised, "pages": pages},
    )
    return record


@transaction.atomic
def result_record_validity_set(
    *, record: ResultRecord, actor: User, valid_until: dt.date | None
) -> ResultRecord:
    """Set (or clear) the expiry of a result in the register; an officer or leader of the dossier's unit."""
    record = ResultRecord.objects.select_for_update().select_related("dossier").get(pk=record.pk)
    if not may_digitise(actor, record.dossier):
        raise PermissionDenied("Chỉ cán bộ, lãnh đạo của đơn vị cập nhật được sổ kết quả.")
    if valid_until is not None and valid_until < record.valid_from:
        raise ValidationFailed(
            "Ngày hết hiệu lực không được trước ngày cấp.",
            code="invalid",
            details={"valid_until": ["Ngày hết hiệu lực không được trước ngày cấp."]},
        )
    before = record.valid_until
    record.valid_until = valid_until
    record.save(update_fields=["valid_until"])
    audit_record(
        actor=actor,
        action="result_record.validity",
        object_type="dossier",
        object_id=record.dossier_id,
        data={
            "number": record.number,
            "before": before.isoformat() if before else None,
            "after": valid_until.isoformat() if valid_until else None,
        },
    )
    return record


def result_record_of(dossier: Dossier) -> ResultRecord | None:
    return ResultRecord.objects.filter(dossier=dossier).first()


def is_expired(record: ResultRecord, today: dt.date | None = None) -> bool:
    """Expired once the day after ``valid_until`` has begun (Vietnam); never when it has no expiry."""
    if record.valid_until is None:
        return False
    return record.valid_until < (today or clock.today())
