"""The back-office dossier page's digital signatures: what waits for a signature (with the error and "Ký lại"),
what was signed (the signed copy), and the check of the signed PDFs the applicant uploaded (docs/signatures.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import DomainError, NotFound
from motcua.core.http import file_response
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_get_for_user
from motcua.signatures.constants import RequestState
from motcua.signatures.selectors import (
    dossier_file_verifications,
    dossier_signature_request,
    dossier_signature_requests,
)
from motcua.signatures.services import signature_request_retry


def signatures_context(
    dossier: Dossier, upload_groups: list[dict[str, Any]], printable: list[str]
) -> dict[str, Any]:
    """The signature requests of the page and each uploaded PDF's check: one query each, and none when there
    can be nothing (no result yet and no issued form 02–04; no PDF uploaded)."""
    issued = dossier.finished_at is not None or bool({"02", "03", "04"} & set(printable))
    requests = dossier_signature_requests(dossier) if issued else []
    pdfs = any(row["upload"].content_type == "application/pdf" for g in upload_groups for row in g["files"])
    checks = dossier_file_verifications(dossier) if pdfs else {}
    for group in upload_groups:
        for row in group["files"]:
            row["signature_check"] = checks.get(f"upload:{row['upload'].pk}")
    return {
        "signature_requests": [
            {
                "request": r,
                "awaiting": r.state == RequestState.AWAITING,
                "retry_url": reverse("backoffice:signature_retry", args=[dossier.code, r.pk]),
                "download_url": reverse("backoffice:signed_document", args=[dossier.code, r.pk]),
            }
            for r in requests
        ],
        "awaiting_signature": any(r.state == RequestState.AWAITING for r in requests),
    }


def _dossier(request: HttpRequest, code: str) -> Dossier:
    try:
        return dossier_get_for_user(request.user, code, detail=False)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None


@require_POST
def signature_retry(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """ "Ký lại": sign an awaiting document now (the worker does it; the page shows the outcome)."""
    dossier = _dossier(request, code)
    try:
        signature_request = dossier_signature_request(dossier, pk)
        signature_request_retry(request=signature_request, actor=request.user)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã gửi yêu cầu ký số lại; kết quả hiển thị sau ít phút.")
    return redirect(reverse("backoffice:dossier", args=[dossier.code]) + "#chu-ky-so")


@require_GET
def signed_document(request: HttpRequest, code: str, pk: int) -> FileResponse | HttpResponse:
    """The signed copy of a document (a PDF, as a download)."""
    dossier = _dossier(request, code)
    try:
        signature_request = dossier_signature_request(dossier, pk)
    except NotFound:
        raise Http404 from None
    if signature_request.state != RequestState.SIGNED:
        raise Http404
    try:
        handle = default_storage.open(signature_request.signed_name, "rb")
    except OSError:
        raise Http404 from None
    name = (
        signature_request.title if signature_request.title.lower().endswith(".pdf") else "van-ban-da-ky.pdf"
    )
    return file_response(handle, filename=name, content_type="application/pdf")
