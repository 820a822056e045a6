"""Reads of the signatures app: a document's signed copy, a dossier's signature requests and checks."""

from __future__ import annotations

from motcua.core.errors import NotFound
from motcua.dossiers.models import Dossier

from .constants import RequestState
from .models import FileVerification, SignatureRequest


def signed_copy_name(*, source: str) -> str | None:
    """The stored name of the signed copy of ``source`` (``upload:<id>``), if it is signed."""
    return (
        SignatureRequest.objects.filter(source=source, state=RequestState.SIGNED)
        .values_list("signed_name", flat=True)
        .first()
    )


def dossier_signature_requests(dossier: Dossier) -> list[SignatureRequest]:
    """What was (or waits to be) signed for ``dossier``, oldest first (one query)."""
    return list(SignatureRequest.objects.filter(dossier=dossier).order_by("created_at", "pk"))


def dossier_signature_request(dossier: Dossier, pk: int) -> SignatureRequest:
    request = SignatureRequest.objects.filter(dossier=dossier, pk=pk).first()
    if request is None:
        raise NotFound("Không tìm thấy yêu cầu ký số.", code="not_found")
    return request


def dossier_file_verifications(dossier: Dossier) -> dict[str, FileVerification]:
    """The signature checks of the dossier's uploaded files, by source (``upload:<id>``)."""
    return {v.source: v for v in FileVerification.objects.filter(dossier=dossier)}


def signed_form_name(*, dossier: Dossier, form: str) -> str | None:
    """The stored name of the latest signed copy of form ``form`` ("02"…"04") issued for ``dossier``."""
    return (
        SignatureRequest.objects.filter(dossier=dossier, form=form, state=RequestState.SIGNED)
        .order_by("-created_at", "-pk")
        .values_list("signed_name", flat=True)
        .first()
    )
