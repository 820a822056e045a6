"""Reads of files: the applicant's uploads and the result files of a dossier, one file by owner or dossier.

The citizen's own dossiers, timeline and "my data" export are ``motcua.submissions.selectors``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

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
        .select_related("uploaded_by", "certified_by", "reused_from__dossier")
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


@dataclass(frozen=True)
class DigitisationFlags:
    """What the national portal is told of a dossier's files (``DuocSoHoa``, ``DuocLayTuKhoDMQG``).

    ``digitised``: some paper component was digitised at the counter; ``reused``: some component was taken
    from the citizen's data store; the ``*_components`` sets name the catalog components concerned.
    """

    digitised: bool = False
    reused: bool = False
    digitised_components: frozenset[int] = frozenset()
    reused_components: frozenset[int] = frozenset()


def dossier_digitisation_flags(dossier_id: int) -> DigitisationFlags:
    """The digitisation flags of the dossier ``dossier_id`` (one query)."""
    rows = (
        Upload.objects.filter(dossier_id=dossier_id)
        .filter(Q(digitised=True) | Q(reused_from__isnull=False))
        .values_list("digitised", "reused_from_id", "component__component_id")
    )
    digitised: set[int] = set()
    reused: set[int] = set()
    any_digitised = any_reused = False
    for is_digitised, source_id, component_id in rows:
        if is_digitised:
            any_digitised = True
            if component_id is not None:
                digitised.add(component_id)
        if source_id is not None:
            any_reused = True
            if component_id is not None:
                reused.add(component_id)
    return DigitisationFlags(any_digitised, any_reused, frozenset(digitised), frozenset(reused))
