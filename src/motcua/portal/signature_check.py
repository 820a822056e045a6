"""Public page "Xác thực chữ ký số": anyone uploads a PDF and sees each signature's verdict (no login)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from motcua.core.errors import DomainError
from motcua.signatures.constants import VerificationOutcome
from motcua.signatures.services import outcome_of, public_verify


@require_http_methods(["GET", "POST"])
def signature_check(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"nav_active": "signature_check"}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("tep")
        try:
            if upload is None:
                raise DomainError("Chọn một tệp PDF để kiểm tra.", code="file_required")
            data = upload.read(settings.MOTCUA_SIGNATURE_VERIFY_MAX_BYTES + 1)
            reports = public_verify(data=data)
        except DomainError as exc:
            context["error"] = exc.message
            status = exc.http_status
        else:
            outcome = outcome_of(reports)
            context.update(
                file_name=(upload.name or "")[:200] if upload else "",
                reports=reports,
                outcome=outcome,
                outcome_label=VerificationOutcome(outcome).label,
            )
    return render(request, "portal/signature_check.html", context, status=status)
