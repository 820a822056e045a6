"""The citizen's data store ("Kho dữ liệu của tôi"): their documents and results from earlier dossiers.

Only the citizen's own: dossiers they own (submitted online) and dossiers received at the counter (no account)
for their citizen ID (the 12-digit ID their e-ID login carries, applicant kind "citizen"). Drafts are not earlier
dossiers. Documents are the files of those dossiers (uploaded online, digitised at the counter, supplements);
results are the result files of dossiers with an issued result that has not expired (``ResultRecord``). A file
is listed once per content (SHA-256), the latest copy.

Re-use (``store_reuse``) copies one item into a component of a new draft instead of uploading it again: the
stored file is read back and its SHA-256 must still equal the one recorded when it was first stored, else it
is refused. The copy records where it came from (``reused_from``, the national portal's ``DuocLayTuKhoDMQG``)
and that the hash matched (``reuse_verified``). Every listing, download and re-use is written to the Decree 13
personal-data access log (``identity.services``).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet

from motcua.accounts.models import AccountKind
from motcua.audit.services import audit_record
from motcua.core import clock
from motcua.core.errors import Conflict, NotFound, ValidationFailed
from motcua.dossiers.constants import ApplicantKind, Status
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.selectors import draft_owner_check
from motcua.identity.services import personal_data_view_log

from .constants import UploadPurpose
from .models import ResultRecord, Upload
from .results import RESULT_ISSUED
from .validation import UploadRefused, mb

if TYPE_CHECKING:
    import datetime as dt

    from motcua.accounts.models import User

# Files of these purposes are the citizen's documents (results are listed apart, with the register).
DOCUMENT_PURPOSES = (UploadPurpose.SUBMISSION, UploadPurpose.SUPPLEMENT, UploadPurpose.COUNTER)


@dataclass(frozen=True)
class StoreItem:
    """One file of the store: a document of an earlier dossier, or a result with its register entry."""

    upload: Upload
    is_result: bool
    record: ResultRecord | None  # the register entry of a result

    @property
    def dossier(self) -> Dossier:
        return self.upload.dossier

    @property
    def name(self) -> str:
        if self.upload.component is not None:
            return self.upload.component.name
        return self.upload.original_name


def _own_dossiers_q(user: User, prefix: str = "") -> Q:
    """The dossiers that are ``user``'s: owned, or received at the counter (no account) for their citizen ID.

    An online dossier is its filer's, even when it names someone else's ID (a parent filing for a child): the
    person named does not see what the filer uploaded. Never a draft.
    """
    q = Q(**{f"{prefix}owner_id": user.pk})
    citizen_id = getattr(user, "citizen_id", None)
    if citizen_id and getattr(user, "kind", None) == AccountKind.CITIZEN:
        q |= Q(
            **{
                f"{prefix}owner__isnull": True,
                f"{prefix}applicant_id_number": citizen_id,
                f"{prefix}applicant_kind": ApplicantKind.CITIZEN,
            }
        )
    return q & ~Q(**{f"{prefix}status__in": [Status.DRAFT]})


def _store_uploads(user: User, today: dt.date) -> QuerySet[Upload]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) == AccountKind.STAFF:
        return Upload.objects.none()
    not_expired = Q(dossier__result_record__valid_until__isnull=True) | Q(
        dossier__result_record__valid_until__gte=today
    )
    documents = Q(purpose__in=DOCUMENT_PURPOSES)
    results = (
        Q(purpose=UploadPurpose.RESULT, dossier__status__in=RESULT_ISSUED)
        & Q(dossier__result_record__isnull=False)
        & not_expired
    )
    return (
        Upload.objects.filter(_own_dossiers_q(user, "dossier__"))
        .filter(documents | results)
        .select_related("dossier__procedure_version", "dossier__result_record", "component")
        .order_by("-uploaded_at", "-pk")
    )


def store_items(user: User, *, today: dt.date | None = None) -> list[StoreItem]:
    """``user``'s store, newest first, one item per file content (one query). The caller logs the access."""
    seen: set[tuple[bool, str]] = set()
    items = []
    for upload in _store_uploads(user, today or clock.today()):
        is_result = upload.purpose == UploadPurpose.RESULT
        key = (is_result, upload.sha256)
        if key in seen:
            continue
        seen.add(key)
        record = upload.dossier.result_record if is_result else None
        items.append(StoreItem(upload=upload, is_result=is_result, record=record))
    return items


def store_item_get(user: User, pk: int, *, today: dt.date | None = None) -> StoreItem:
    """One file of ``user``'s store; ``NotFound`` for anyone else's, a draft's or an expired result."""
    upload = _store_uploads(user, today or clock.today()).filter(pk=pk).first()
    if upload is None:
        raise NotFound("Không tìm thấy giấy tờ trong kho dữ liệu.", code="store_item_not_found")
    is_result = upload.purpose == UploadPurpose.RESULT
    return StoreItem(
        upload=upload, is_result=is_result, record=upload.dossier.result_record if is_result else None
    )


def store_access_log(*, user: User, purpose: str, dossier: Dossier | None = None, path: str = "") -> None:
    """Decree 13: the citizen's own data was shown or used (logged against their ID and the dossier, if any)."""
    subject = getattr(user, "citizen_id", None) or getattr(user, "tax_code", "") or ""
    code = str(dossier) if dossier is not None else ""
    personal_data_view_log(
        viewer=user,
        purpose=purpose,
        subject_id_number=subject,
        dossier_code=code or ("" if subject else f"tai-khoan:{user.username}"),
        path=path,
    )


@transaction.atomic
def store_reuse(*, dossier: Dossier, component: DossierComponent, actor: User, item_id: int) -> Upload:
    """Attach the store's file ``item_id`` to ``component`` of ``actor``'s draft ``dossier`` (a verified copy).

    ``NotFound`` unless the item is in ``actor``'s store (someone else's answers like a missing one; an expired
    result is not offered); ``Conflict`` ``store_hash_mismatch`` when the stored file no longer matches its
    recorded SHA-256 (nothing is attached). The copy is a file of its own: deleting the draft's file never
    touches the source.
    """
    from django.conf import settings

    draft_owner_check(dossier, actor)
    if component.dossier_id != dossier.pk:
        raise ValidationFailed("Thành phần hồ sơ không hợp lệ.", code="invalid")
    item = store_item_get(actor, item_id)
    source = item.upload
    try:
        with default_storage.open(source.stored_name, "rb") as handle:
            data = handle.read()
    except OSError:
        raise NotFound("Không tìm thấy giấy tờ trong kho dữ liệu.", code="store_item_not_found") from None
    if hashlib.sha256(data).hexdigest() != source.sha256:
        raise Conflict(
            "Giấy tờ trong kho không khớp mã băm đã lưu nên không dùng lại được. Vui lòng tải lên bản khác.",
            code="store_hash_mismatch",
        )
    stored = sum(Upload.objects.filter(dossier=dossier).values_list("size", flat=True))
    if stored + len(data) > settings.MOTCUA_UPLOAD_MAX_TOTAL_BYTES:
        raise UploadRefused(
            f"Tổng dung lượng tệp của hồ sơ vượt quá {mb(settings.MOTCUA_UPLOAD_MAX_TOTAL_BYTES)}.",
            code="upload_total_too_large",
        )
    now = clock.now()
    extension = source.stored_name.rsplit(".", 1)[-1] if "." in source.stored_name else "bin"
    saved = default_storage.save(f"uploads/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}", ContentFile(data))
    try:
        with transaction.atomic():
            upload = Upload.objects.create(
                dossier=dossier,
                component=component,
                purpose=UploadPurpose.SUBMISSION,
                original_name=source.original_name,
                stored_name=saved,
                content_type=source.content_type,
                size=len(data),
                sha256=source.sha256,
                page_count=source.page_count,
                scan_result=source.scan_result,
                uploaded_by=actor,
                uploaded_at=now,
                reused_from=source,
                reuse_verified=True,
            )
            audit_record(
                actor=actor,
                action="document.store_reuse",
                object_type="dossier",
                object_id=dossier.pk,
                data={"upload": upload.pk, "source": source.pk, "sha256": source.sha256},
            )
            store_access_log(
                user=actor,
                purpose=f"Dùng lại giấy tờ từ kho dữ liệu cho hồ sơ nháp #{dossier.pk}",
                dossier=source.dossier,
            )
    except BaseException:
        default_storage.delete(saved)
        raise
    return upload


def reuse_verified(upload: Upload) -> bool:
    """Whether a re-used file still matches its source's SHA-256 (the officer's "verified" mark)."""
    source = upload.reused_from
    return bool(upload.reuse_verified and source is not None and source.sha256 == upload.sha256)
