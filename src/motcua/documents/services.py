"""Writes of files: the applicant's uploads (checked, scanned, stored), the result files, removing a draft's file.

The citizen's drafts, submission, supplements, withdrawal and rating are ``motcua.submissions.services``
(above this app: it imports nothing of them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from motcua.audit.services import audit_record
from motcua.core import clock
from motcua.core.errors import Conflict, ValidationFailed
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.selectors import dossier_owner_check, draft_owner_check
from motcua.signatures.services import SourceFile, file_verify, signature_requests_create

from .constants import ScanResult, UploadPurpose
from .digitisation import page_count_of
from .models import SubmissionData, Upload
from .validation import CheckedFile, UploadRefused, clean_name, mb, upload_check

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from motcua.accounts.models import User

logger = logging.getLogger(__name__)


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
    dossier_owner_check(dossier, actor)
    if purpose == UploadPurpose.SUBMISSION:
        draft_owner_check(dossier, actor)
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


def upload_import(
    *, dossier: Dossier, actor: User, component: DossierComponent | None, name: str, data: bytes
) -> Upload:
    """Store a file that came with a dossier from an outside system (the national portal's inbound dossiers).

    The same checks as a citizen's upload (``upload_check``: name, size, sniffed type, zip structure, ClamAV)
    and the same storage and audit entry (``document.submission_upload`` by ``actor``, a system actor); no
    owner or draft check: the dossier was filed elsewhere. Raises ``UploadRefused``; a refused file leaves
    nothing behind. Call it inside the caller's transaction: on a rollback the caller deletes
    ``upload.stored_name`` (``stored_files_delete``).
    """
    if component is not None and component.dossier_id != dossier.pk:
        raise ValidationFailed("Thành phần hồ sơ không hợp lệ.", code="invalid")
    checked = upload_check(name=name, data=data, already_stored=_stored_total(dossier))
    now = clock.now()
    saved = default_storage.save(
        f"uploads/{now:%Y/%m}/{uuid.uuid4().hex}.{checked.extension}", ContentFile(data)
    )
    try:
        with transaction.atomic():
            return _upload_record(
                dossier=dossier,
                component=component,
                purpose=UploadPurpose.SUBMISSION,
                checked=checked,
                data=data,
                stored_name=saved,
                actor=actor,
                now=now,
            )
    except BaseException:
        default_storage.delete(saved)
        raise


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
    # The result PDFs wait for the unit's digital signature ("Chờ ký số"), signed by the worker.
    signature_requests_create(
        dossier=dossier,
        kind="result",
        files=[
            SourceFile(source=f"upload:{u.pk}", title=u.original_name, stored_name=u.stored_name)
            for u in uploads
            if u.content_type == "application/pdf"
        ],
        requested_by=actor,
    )
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
        page_count=page_count_of(data, checked.kind),
        scan_result=ScanResult.CLEAN if checked.scanned else ScanResult.NOT_SCANNED,
        uploaded_by=actor,
        uploaded_at=now,
    )
    if checked.content_type == "application/pdf":  # a signed PDF's signatures are checked for the officer
        file_verify(dossier=dossier, source=f"upload:{upload.pk}", data=data)
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
    draft_owner_check(upload.dossier, actor)
    name = upload.stored_name
    upload.delete()
    # Removing a file is a change of the draft too (the retention of untouched drafts counts from it).
    SubmissionData.objects.filter(dossier_id=upload.dossier_id).update(updated_at=clock.now())
    transaction.on_commit(lambda: default_storage.delete(name))


def stored_names(*, dossier_ids: Iterable[int]) -> list[str]:
    """The storage names of every file of the dossiers ``dossier_ids`` (to delete once their rows are gone)."""
    return list(Upload.objects.filter(dossier_id__in=list(dossier_ids)).values_list("stored_name", flat=True))


def stored_files_delete(names: Iterable[str]) -> None:
    """Delete stored files whose rows are gone already (call it on commit); a file left behind is only logged."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("draft purge: could not delete stored file %s", name, exc_info=True)
