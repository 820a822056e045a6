"""Reads of files: the applicant's uploads and the result files of a dossier, one file by owner or dossier.

The citizen's own dossiers, timeline and "my data" export are ``motcua.submissions.selectors``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.core.errors import NotFound
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier

from .constants import UploadPurpose
from .models import Upload

if TYPE_CHECKING:
    from motcua.accounts.models import User

# The applicant sees (and downloads) the result files once the dossier is resolved or returned.
RESULT_VISIBLE = (Status.RESOLVED, Status.RETURNED)


def upload_get_for_owner(user: User, pk: int) -> Upload:
    upload = Upload.objects.select_related("dossier").filter(pk=pk, dossier__owner_id=user.pk).first()
    hidden_result = (
        upload is not None
        and upload.purpose == UploadPurpose.RESULT
        and upload.dossier.status not in RESULT_VISIBLE
    )
    if upload is None or hidden_result or not user.is_authenticated:
        raise NotFound("Không tìm thấy tệp.", code="upload_not_found")
    return upload


def dossier_uploads(dossier: Dossier) -> list[Upload]:
    """Every file the applicant attached to ``dossier`` (submission and supplements), oldest first.

    One query; the caller has already checked that the user may see ``dossier``
    (``dossiers.selectors.dossier_get_for_user``).
    """
    return list(
        Upload.objects.filter(dossier=dossier)
        .exclude(purpose=UploadPurpose.RESULT)
        .order_by("uploaded_at", "pk")
    )


def dossier_result_files(dossier: Dossier) -> list[Upload]:
    """The result files attached when ``dossier`` was resolved, oldest first (the caller checked access)."""
    return list(
        Upload.objects.filter(dossier=dossier, purpose=UploadPurpose.RESULT).order_by("uploaded_at", "pk")
    )


def upload_get_for_dossier(dossier: Dossier, pk: int) -> Upload:
    """The file ``pk`` of ``dossier``; ``NotFound`` if it belongs to another dossier (no id guessing)."""
    upload = Upload.objects.filter(pk=pk, dossier=dossier).first()
    if upload is None:
        raise NotFound("Không tìm thấy tệp.", code="upload_not_found")
    return upload
