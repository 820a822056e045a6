"""Digitisation at the counter (số hóa hồ sơ): an officer scans or uploads each paper component of a dossier.

Each file becomes an electronic copy (an ``Upload`` of purpose ``counter``) with its SHA-256, its page count,
who digitised it and when (``uploaded_by`` / ``uploaded_at``), marked ``digitised`` (the national portal's
``DuocSoHoa``). It goes through the same checks as a citizen's upload (size, sniffed type, zip structure,
ClamAV). A certified electronic copy from the original (chứng thực bản sao điện tử) also names its certifying
official; signing it is the signatures app's: it registers a hook here (``certified_copy_hooks``), called in
the same transaction, so it can enqueue its signing task atomically (docs/documents.md).
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from motcua.core import clock
from motcua.core.errors import Conflict, PermissionDenied, ValidationFailed
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.organisations.constants import Role
from motcua.organisations.models import Membership

from .constants import UploadPurpose
from .models import Upload
from .validation import UploadRefused, mb, upload_check

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from motcua.accounts.models import User

logger = logging.getLogger(__name__)

# Roles that may digitise a dossier's papers and certify copies in the dossier's unit.
DIGITISE_ROLES = (Role.OFFICER, Role.LEADER)
# Digitising a dossier that was never received (a draft, an online submission not checked) or refused at
# intake makes no sense; every other state can still get its papers scanned (a late scan, a supplement).
NOT_DIGITISABLE = (Status.DRAFT, Status.SUBMITTED, Status.NOT_RECEIVED)

CertifiedCopyHook = Callable[[Upload], None]
# Called with each certified copy right after its row is written (in the caller's transaction). The
# signatures app appends its "sign this copy with the certifying official's certificate" here.
certified_copy_hooks: list[CertifiedCopyHook] = []


def certified_copy_hook_register(hook: CertifiedCopyHook) -> CertifiedCopyHook:
    """Register ``hook`` (idempotent; usable as a decorator) to be called for every new certified copy."""
    if hook not in certified_copy_hooks:
        certified_copy_hooks.append(hook)
    return hook


def page_count_of(data: bytes, kind: str) -> int | None:
    """Pages of a PDF (its page tree's ``/Count``, read with pyHanko's parser); 1 for an image; else ``None``.

    A PDF the parser cannot read gives ``None`` (the upload checks already accepted it as a PDF).
    """
    if kind in ("jpeg", "png"):
        return 1
    if kind != "pdf":
        return None
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(io.BytesIO(data), strict=False)
        count = int(reader.root["/Pages"]["/Count"])
    except Exception as exc:  # a malformed page tree: no page count, never a refusal
        logger.info("page count unreadable: %s: %s", type(exc).__name__, exc)
        return None
    return count if count >= 0 else None


def may_digitise(user: User, dossier: Dossier) -> bool:
    """Whether ``user`` holds an officer's or leader's role in the dossier's unit (the caller checked scope)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user_id=user.pk, unit_id=dossier.unit_id, role__in=DIGITISE_ROLES
    ).exists()


def _stored_total(dossier: Dossier) -> int:
    return sum(Upload.objects.filter(dossier=dossier).values_list("size", flat=True))


def component_digitise(
    *,
    dossier: Dossier,
    component: DossierComponent,
    actor: User,
    file: UploadedFile,
    certified_by: User | None = None,
) -> Upload:
    """Store the electronic copy of one paper component, made at the counter by ``actor``.

    ``certified_by``: the official certifying the copy as a true copy of the original (chứng thực bản sao
    điện tử từ bản chính); they must hold a role in the dossier's unit too. A refused file leaves nothing
    behind (no row, no file). Audited as ``document.counter_upload``.
    """
    from .services import _upload_record

    if component.dossier_id != dossier.pk:
        raise ValidationFailed("Thành phần hồ sơ không hợp lệ.", code="invalid")
    if dossier.status in NOT_DIGITISABLE:
        raise Conflict("Hồ sơ chưa được tiếp nhận, chưa số hóa được.", code="not_received")
    if not may_digitise(actor, dossier):
        raise PermissionDenied("Chỉ cán bộ một cửa hoặc lãnh đạo của đơn vị được số hóa hồ sơ.")
    if certified_by is not None and not may_digitise(certified_by, dossier):
        raise ValidationFailed(
            "Người chứng thực phải là cán bộ, lãnh đạo của đơn vị tiếp nhận.",
            code="invalid",
            details={"certified_by": ["Không hợp lệ."]},
        )
    if (file.size or 0) > settings.MOTCUA_UPLOAD_MAX_FILE_BYTES:  # refuse before reading it
        raise UploadRefused(
            f"Tệp vượt quá dung lượng cho phép ({mb(settings.MOTCUA_UPLOAD_MAX_FILE_BYTES)} mỗi tệp).",
            code="upload_too_large",
        )
    data = file.read(settings.MOTCUA_UPLOAD_MAX_FILE_BYTES + 1)
    checked = upload_check(name=file.name or "", data=data, already_stored=_stored_total(dossier))
    now = clock.now()
    saved = default_storage.save(
        f"uploads/{now:%Y/%m}/{uuid.uuid4().hex}.{checked.extension}", ContentFile(data)
    )
    try:
        with transaction.atomic():
            upload = _upload_record(
                dossier=dossier,
                component=component,
                purpose=UploadPurpose.COUNTER,
                checked=checked,
                data=data,
                stored_name=saved,
                actor=actor,
                now=now,
            )
            upload.digitised = True
            fields = ["digitised"]
            if certified_by is not None:
                upload.certified_copy = True
                upload.certified_by = certified_by
                upload.certified_at = now
                fields += ["certified_copy", "certified_by", "certified_at"]
            upload.save(update_fields=fields)
            if certified_by is not None:
                for hook in list(certified_copy_hooks):
                    hook(upload)
    except BaseException:
        default_storage.delete(saved)
        raise
    return upload
