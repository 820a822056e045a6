"""Writes of the citizen side: online drafts, uploads, submission, supplements, withdrawal, rating.

Every state change goes through ``motcua.dossiers.lifecycle.dossier_transition``; these services only
prepare the draft (applicant data, unit, form answers, files) and check the citizen's own preconditions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from motcua.audit.services import audit_record
from motcua.catalog.constants import OnlineMode
from motcua.core import clock
from motcua.core.errors import Conflict, NotFound, ValidationFailed
from motcua.dossiers.constants import Action, Channel, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.services import Applicant, applicant_parse, dossier_create, dossier_draft_update
from motcua.organisations.selectors import unit_by_code

from .constants import ScanResult, UploadPurpose
from .formschema import answers_clean, answers_missing, form_fields_parse
from .models import Rating, SubmissionData, Upload
from .selectors import drafts_abandoned
from .validation import CheckedFile, UploadRefused, clean_name, mb, upload_check

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from motcua.accounts.models import User

logger = logging.getLogger(__name__)


def _own(dossier: Dossier, actor: User) -> None:
    if dossier.owner_id is None or dossier.owner_id != actor.pk:
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")


def _draft(dossier: Dossier, actor: User) -> None:
    _own(dossier, actor)
    if dossier.status != Status.DRAFT:
        raise Conflict("Hồ sơ đã nộp, không sửa được nữa.", code="not_a_draft")


def _units_check(dossier_version: Any, unit_code: str) -> None:
    units = list(dossier_version.units.all())
    unit = unit_by_code(unit_code)
    if units and unit not in units:
        raise ValidationFailed(
            "Đơn vị đã chọn không tiếp nhận thủ tục này.",
            code="procedure_not_offered",
            details={"unit": unit_code},
        )


@transaction.atomic
def draft_start(
    *, actor: User, procedure_code: str, unit_code: str, applicant: dict[str, Any] | Applicant
) -> Dossier:
    """Open an online draft owned by ``actor`` for the procedure version in force today."""
    dossier = dossier_create(
        actor=actor,
        procedure_code=procedure_code,
        unit_code=unit_code,
        applicant=applicant,
        channel=Channel.ONLINE,
        owner=actor,
    )
    if dossier.procedure_version.online_mode == OnlineMode.NONE:
        raise ValidationFailed("Thủ tục này không nộp trực tuyến được.", code="not_online")
    now = clock.now()
    SubmissionData.objects.create(dossier=dossier, answers={}, privacy_notice_at=now, updated_at=now)
    return dossier


@transaction.atomic
def draft_save(
    *,
    dossier: Dossier,
    actor: User,
    applicant: dict[str, Any] | Applicant,
    unit_code: str,
    answers: dict[str, Any],
) -> Dossier:
    """Save the draft's applicant data, unit and form answers (incomplete answers are fine in a draft)."""
    dossier = Dossier.objects.select_for_update().select_related("procedure_version").get(pk=dossier.pk)
    _draft(dossier, actor)
    parsed = applicant_parse(applicant)
    fields = form_fields_parse(dossier.procedure_version.form_fields)
    cleaned, errors = answers_clean(fields, answers)
    if errors:
        raise ValidationFailed("Nội dung tờ khai chưa hợp lệ.", code="invalid", details={"answers": errors})
    _units_check(dossier.procedure_version, unit_code)
    dossier = dossier_draft_update(
        dossier=dossier, actor=actor, applicant=parsed, unit=unit_by_code(unit_code)
    )
    SubmissionData.objects.update_or_create(
        dossier=dossier, defaults={"answers": cleaned, "updated_at": clock.now()}
    )
    return dossier


def submission_problems(dossier: Dossier) -> list[str]:
    """What still prevents submitting the draft (empty: ready)."""
    problems = []
    data = SubmissionData.objects.filter(dossier=dossier).first()
    fields = form_fields_parse(dossier.procedure_version.form_fields)
    for label in answers_missing(fields, data.answers if data else {}):
        problems.append(f"Chưa nhập “{label}”.")
    with_files = set(
        Upload.objects.filter(dossier=dossier, purpose=UploadPurpose.SUBMISSION).values_list(
            "component_id", flat=True
        )
    )
    for component in dossier.components.filter(required=True).order_by("pk"):
        if component.pk not in with_files:
            problems.append(f"Chưa tải lên “{component.name}”.")
    return problems


@transaction.atomic
def draft_submit(*, dossier: Dossier, actor: User, expected_version: int | None = None) -> Dossier:
    """Submit the draft: required answers and components present → state submitted, code issued."""
    _draft(dossier, actor)
    problems = submission_problems(dossier)
    if problems:
        raise ValidationFailed(
            "Hồ sơ chưa đủ thông tin để nộp.", code="submission_incomplete", details={"problems": problems}
        )
    with_files = Upload.objects.filter(dossier=dossier, purpose=UploadPurpose.SUBMISSION).values_list(
        "component_id", flat=True
    )
    # The checklist shows what arrived online; the officer still checks it at receipt.
    dossier_draft_update(
        dossier=dossier, actor=actor, components_received=[pk for pk in with_files if pk is not None]
    )
    # The lifecycle queues the confirmation ("dossier_submitted", notifications/templates.py).
    return dossier_transition(
        dossier=dossier, action=Action.SUBMIT, actor=actor, expected_version=expected_version
    )


def _stored_total(dossier: Dossier) -> int:
    return sum(Upload.objects.filter(dossier=dossier).values_list("size", flat=True))


def upload_store(
    *,
    dossier: Dossier,
    actor: User,
    file: UploadedFile,
    component: DossierComponent | None = None,
    purpose: str = UploadPurpose.SUBMISSION,
) -> Upload:
    """Check ``file`` (name, size, sniffed type, zip structure, ClamAV) and store it under a generated name.

    A refused file leaves nothing behind: no row, no file on disk.
    """
    _own(dossier, actor)
    if purpose == UploadPurpose.SUBMISSION:
        _draft(dossier, actor)
        if component is None or component.dossier_id != dossier.pk:
            raise ValidationFailed("Thành phần hồ sơ không hợp lệ.", code="invalid")
    elif dossier.status != Status.AWAITING_SUPPLEMENT:
        raise Conflict("Hồ sơ không ở trạng thái chờ bổ sung.", code="not_awaiting_supplement")
    from django.conf import settings

    declared = file.size or 0
    if declared > settings.MOTCUA_UPLOAD_MAX_FILE_BYTES:  # refuse before reading it
        raise UploadRefused(
            f"Tệp vượt quá dung lượng cho phép ({mb(settings.MOTCUA_UPLOAD_MAX_FILE_BYTES)} mỗi tệp).",
            code="upload_too_large",
        )
    data = file.read(settings.MOTCUA_UPLOAD_MAX_FILE_BYTES + 1)
    checked = upload_check(name=file.name or "", data=data, already_stored=_stored_total(dossier))
    now = clock.now()
    stored_name = f"uploads/{now:%Y/%m}/{uuid.uuid4().hex}.{checked.extension}"
    saved = default_storage.save(stored_name, ContentFile(data))
    try:
        with transaction.atomic():
            upload = _upload_record(
                dossier=dossier,
                component=component,
                purpose=purpose,
                checked=checked,
                data=data,
                stored_name=saved,
                actor=actor,
                now=now,
            )
    except BaseException:
        default_storage.delete(saved)
        raise
    return upload


def _result_name(file: UploadedFile) -> str:
    """The file's name for an error message (a name the checks refuse is not echoed back)."""
    try:
        return clean_name(file.name or "")
    except UploadRefused:
        return "?"


@transaction.atomic
def dossier_result_attach(*, dossier: Dossier, actor: User, files: list[UploadedFile]) -> list[Upload]:
    """Store the result files of a dossier just resolved (uploads of purpose ``result``).

    Call it inside the same ``transaction.atomic()`` as ``dossier_transition(action="resolve")``, after it:
    the dossier must be ``resolved`` (else ``Conflict``). Every file first goes through the citizens' checks
    (``upload_check``: size, sniffed type, zip structure, ClamAV); one refused file raises ``UploadRefused``
    naming it, before anything is written, so the caller's transaction rolls the resolution back too.
    """
    from django.conf import settings

    if dossier.status != Status.RESOLVED:
        raise Conflict("Chỉ đính kèm kết quả khi giải quyết hồ sơ.", code="not_resolved")
    already = sum(
        Upload.objects.filter(dossier=dossier, purpose=UploadPurpose.RESULT).values_list("size", flat=True)
    )
    checked_files = []
    for file in files:
        try:
            if (file.size or 0) > settings.MOTCUA_UPLOAD_MAX_FILE_BYTES:  # refuse before reading it
                raise UploadRefused(
                    f"Tệp vượt quá dung lượng cho phép ({mb(settings.MOTCUA_UPLOAD_MAX_FILE_BYTES)} mỗi tệp).",
                    code="upload_too_large",
                )
            data = file.read(settings.MOTCUA_UPLOAD_MAX_FILE_BYTES + 1)
            checked = upload_check(name=file.name or "", data=data, already_stored=already)
        except UploadRefused as exc:
            raise UploadRefused(
                f"Tệp kết quả “{_result_name(file)}” không được chấp nhận: {exc.message} "
                "Hồ sơ chưa được chuyển sang “đã giải quyết”.",
                code=exc.code,
                details=exc.details,
            ) from None
        already += len(data)
        checked_files.append((checked, data))
    now = clock.now()
    saved: list[str] = []
    uploads = []
    try:
        for checked, data in checked_files:
            name = f"results/{now:%Y/%m}/{uuid.uuid4().hex}.{checked.extension}"
            saved.append(default_storage.save(name, ContentFile(data)))
            upload = _upload_record(
                dossier=dossier,
                component=None,
                purpose=UploadPurpose.RESULT,
                checked=checked,
                data=data,
                stored_name=saved[-1],
                actor=actor,
                now=now,
            )
            uploads.append(upload)
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    return uploads


def _upload_record(
    *,
    dossier: Dossier,
    component: DossierComponent | None,
    purpose: str,
    checked: CheckedFile,
    data: bytes,
    stored_name: str,
    actor: User,
    now: dt.datetime,
) -> Upload:
    """The row of a file already checked and stored, with its audit entry (``document.<purpose>_upload``)."""
    upload = Upload.objects.create(
        dossier=dossier,
        component=component,
        purpose=purpose,
        original_name=checked.name,
        stored_name=stored_name,
        content_type=checked.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        scan_result=ScanResult.CLEAN if checked.scanned else ScanResult.NOT_SCANNED,
        uploaded_by=actor,
        uploaded_at=now,
    )
    audit_record(
        actor=actor,
        action=f"document.{purpose}_upload",
        object_type="dossier",
        object_id=dossier.pk,
        data={"upload": upload.pk, "name": checked.name, "size": len(data), "type": checked.kind},
    )
    return upload


@transaction.atomic
def upload_delete(*, upload: Upload, actor: User) -> None:
    """Remove a file from a draft (the file goes once the row is gone for good)."""
    _draft(upload.dossier, actor)
    name = upload.stored_name
    upload.delete()
    # Removing a file is a change of the draft too (the retention of untouched drafts counts from it).
    SubmissionData.objects.filter(dossier_id=upload.dossier_id).update(updated_at=clock.now())
    transaction.on_commit(lambda: default_storage.delete(name))


@dataclass(frozen=True)
class PurgedDraft:
    """One draft deleted (or, in a dry run, to be deleted) by ``drafts_purge``."""

    pk: int
    procedure: str
    unit: str
    last_activity: dt.datetime
    files: int


@dataclass(frozen=True)
class DraftPurge:
    days: int
    cutoff: dt.datetime
    dry_run: bool
    drafts: list[PurgedDraft]

    @property
    def files(self) -> int:
        return sum(d.files for d in self.drafts)


def draft_retention_days(days: object = None) -> int:
    """``days``, or the setting ``MOTCUA_DRAFT_RETENTION_DAYS``: a whole number of days ≥ 1."""
    from django.conf import settings

    value = settings.MOTCUA_DRAFT_RETENTION_DAYS if days is None else days
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationFailed(
            f"Số ngày giữ hồ sơ nháp phải là số nguyên dương (từ 1 trở lên), không phải “{value}”.",
            code="invalid",
            details={"days": str(value)},
        )
    return value


def _storage_delete(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # the row is gone already; a file left behind is only logged
            logger.warning("draft purge: could not delete stored file %s", name, exc_info=True)


def _purged(dossier: Any) -> PurgedDraft:
    return PurgedDraft(
        pk=dossier.pk,
        procedure=dossier.procedure_version.procedure.code,
        unit=dossier.unit.code,
        last_activity=dossier.last_activity,
        files=dossier.file_count,
    )


def drafts_purge(*, days: int | None = None, dry_run: bool = False) -> DraftPurge:
    """Delete the online drafts not changed for ``days`` days (default ``MOTCUA_DRAFT_RETENTION_DAYS``).

    A draft goes with its checklist, form answers and uploads; the uploaded files leave the storage only
    after the transaction commits. Only dossiers in state draft are ever deleted: the candidates are locked
    and checked again (a draft submitted or changed meanwhile stays). One audit entry per run (the count
    and the dossiers' ids), also when nothing was deleted. ``dry_run``: only say what would be deleted.
    """
    days = draft_retention_days(days)
    cutoff = clock.now() - dt.timedelta(days=days)
    if dry_run:
        return DraftPurge(days, cutoff, True, [_purged(d) for d in drafts_abandoned(before=cutoff)])
    with transaction.atomic():
        candidates = list(drafts_abandoned(before=cutoff).values_list("pk", flat=True))
        locked = list(
            Dossier.objects.select_for_update()
            .filter(pk__in=candidates, status=Status.DRAFT)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        drafts = [_purged(d) for d in drafts_abandoned(before=cutoff).filter(pk__in=locked)]
        ids = [d.pk for d in drafts]
        names = list(Upload.objects.filter(dossier_id__in=ids).values_list("stored_name", flat=True))
        Dossier.objects.filter(pk__in=ids, status=Status.DRAFT).delete()
        audit_record(
            actor=None,
            action="dossier.drafts_purge",
            object_type="draft_purge",
            object_id=cutoff.isoformat(),
            data={"count": len(ids), "days": days, "cutoff": cutoff, "dossiers": ids, "files": len(names)},
        )
        transaction.on_commit(lambda: _storage_delete(names))
    return DraftPurge(days, cutoff, False, drafts)


@transaction.atomic
def supplement_complete(*, dossier: Dossier, actor: User, expected_version: int | None = None) -> Dossier:
    """The applicant declares the supplement complete ("Đã bổ sung đủ hồ sơ") after uploading it.

    Needs at least one supplement file sent since the request (``ValidationFailed`` ``supplement_missing``);
    the lifecycle's ``supplement-received`` then resumes or resets the clock per the procedure's rule.
    """
    _own(dossier, actor)
    if dossier.status != Status.AWAITING_SUPPLEMENT:
        raise Conflict("Hồ sơ không ở trạng thái chờ bổ sung.", code="not_awaiting_supplement")
    sent = Upload.objects.filter(dossier=dossier, purpose=UploadPurpose.SUPPLEMENT)
    if dossier.paused_at is not None:
        sent = sent.filter(uploaded_at__gte=dossier.paused_at)
    if not sent.exists():
        raise ValidationFailed(
            "Vui lòng tải lên giấy tờ bổ sung trước khi xác nhận đã bổ sung đủ hồ sơ.",
            code="supplement_missing",
        )
    return dossier_transition(
        dossier=dossier,
        action=Action.SUPPLEMENT_RECEIVED,
        actor=actor,
        expected_version=expected_version,
        note="Người nộp đã bổ sung hồ sơ trực tuyến.",
    )


@transaction.atomic
def withdrawal_request(
    *, dossier: Dossier, actor: User, reason: str, expected_version: int | None = None
) -> Dossier:
    _own(dossier, actor)
    return dossier_transition(
        dossier=dossier,
        action=Action.REQUEST_WITHDRAWAL,
        actor=actor,
        note=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def rating_submit(*, dossier: Dossier, actor: User, level: str, comment: str = "") -> Rating:
    """One satisfaction rating per returned dossier, by its applicant."""
    from .constants import Satisfaction

    _own(dossier, actor)
    if dossier.status != Status.RETURNED:
        raise Conflict("Chỉ đánh giá được sau khi đã nhận kết quả.", code="not_returned")
    if level not in Satisfaction.values:
        raise ValidationFailed("Mức độ hài lòng không hợp lệ.", code="invalid", details={"level": level})
    if Rating.objects.filter(dossier=dossier).exists():
        raise Conflict("Hồ sơ này đã được đánh giá.", code="already_rated")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                dossier=dossier,
                level=level,
                comment=comment.strip()[:2000],
                rated_by=actor,
                rated_at=clock.now(),
            )
    except IntegrityError:
        raise Conflict("Hồ sơ này đã được đánh giá.", code="already_rated") from None
    audit_record(
        actor=actor, action="dossier.rate", object_type="dossier", object_id=dossier.pk, data={"level": level}
    )
    return rating
