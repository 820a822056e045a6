"""Back-office pages of the money side (docs/payments.md): cash at the counter, receipts, bank statements.

- ``ho-so/<code>/thu-tien-mat/`` (POST): an officer of the dossier's unit records cash taken at the counter
  (amount, payer): a counter credit in their name, audited, its receipt issued; the dossier moves on if it
  waited for payment and now owes nothing.
- ``ho-so/<code>/bien-lai/<id>/``: a receipt of the dossier as PDF (anyone who may see the dossier).
- ``sao-ke/``: the bank statement lines nobody could match, each with an assign form (a dossier's code), and
  the upload of a statement file (the same import as ``motcua import-bank-statement``). For officers.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.errors import DomainError, NotFound
from motcua.core.http import file_response
from motcua.dossiers.selectors import dossier_get_for_user
from motcua.organisations.constants import Role
from motcua.organisations.selectors import user_roles_by_unit
from motcua.payments.bank import StatementFailed, bank_line_assign, bank_statement_import, unmatched_lines
from motcua.payments.models import Receipt
from motcua.payments.receipts import receipt_filename, receipt_pdf
from motcua.payments.services import payment_create

from .forms import BankLineAssignForm, BankStatementUploadForm, CashForm


def _dossier(request: HttpRequest, code: str) -> Any:
    try:
        return dossier_get_for_user(request.user, code, detail=False)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None


@require_POST
@login_required
def dossier_cash(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    form = CashForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Số tiền mặt không hợp lệ: nhập số nguyên dương (đồng)."))
        return redirect(reverse("backoffice:dossier", args=[dossier.code]) + "#phi-le-phi")
    try:
        payment = payment_create(
            dossier=dossier,
            actor=request.user,  # type: ignore[arg-type]
            method="cash",
            amount=form.cleaned_data["amount"],
            payer_name=form.cleaned_data.get("payer_name") or "",
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(reverse("backoffice:dossier", args=[dossier.code]) + "#phi-le-phi")
    receipt = Receipt.objects.filter(payment=payment).first()
    messages.success(
        request,
        _(
            "Đã ghi nhận %(amount)s đồng tiền mặt (mã %(reference)s). In biên lai số %(number)s ở mục Phí, lệ phí."
        )
        % {
            "amount": f"{payment.amount:,}".replace(",", "."),
            "reference": payment.reference,
            "number": receipt.number_display if receipt else "—",
        },
    )
    return redirect(reverse("backoffice:dossier", args=[dossier.code]) + "#phi-le-phi")


@require_GET
@login_required
def dossier_receipt(request: HttpRequest, code: str, receipt_id: int) -> HttpResponse:
    dossier = _dossier(request, code)
    receipt = (
        Receipt.objects.select_related("unit__parent", "dossier__procedure_version", "payment", "cancels")
        .filter(pk=receipt_id, dossier=dossier)
        .first()
    )
    if receipt is None:
        raise Http404
    return file_response(
        receipt_pdf(receipt), filename=receipt_filename(receipt), content_type="application/pdf"
    )


def _require_officer(request: HttpRequest) -> None:
    user: Any = request.user
    if user.is_superuser:
        return
    if not any(Role.OFFICER in roles for roles in user_roles_by_unit(user).values()):
        raise DjangoPermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def bank_lines(request: HttpRequest) -> HttpResponse:
    """The unmatched statement lines and the upload of a statement file."""
    _require_officer(request)
    upload = BankStatementUploadForm()
    result = None
    status = 200
    if request.method == "POST":
        upload = BankStatementUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            handle = upload.cleaned_data["file"]
            suffix = Path(handle.name).suffix.lower()
            if suffix not in (".csv", ".xlsx"):
                upload.add_error("file", _("Tệp sao kê phải là .csv hoặc .xlsx."))
                status = 400
            else:
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / f"saoke{suffix}"
                    with path.open("wb") as out:
                        for chunk in handle.chunks():
                            out.write(chunk)
                    try:
                        result = bank_statement_import(
                            path=path,
                            account=upload.cleaned_data["account"],
                            actor=request.user,  # type: ignore[arg-type]
                            file_name=handle.name,
                        )
                    except StatementFailed as error:
                        for line in error.lines():
                            upload.add_error("file", line)
                        status = 400
                    except DomainError as error:
                        upload.add_error(None, error.message)
                        status = 400
                if result is not None:
                    messages.success(
                        request,
                        _(
                            "Đã nhập sao kê: %(credited)s khoản ghi có, %(unmatched)s dòng chưa đối chiếu được, "
                            "%(skipped)s dòng đã nhập trước đó (bỏ qua)."
                        )
                        % {
                            "credited": len(result.credited),
                            "unmatched": len(result.unmatched),
                            "skipped": len(result.skipped),
                        },
                    )
                    return redirect("backoffice:bank_lines")
        else:
            status = 400
    lines = list(unmatched_lines()[:500])
    return render(
        request,
        "backoffice/bank_lines.html",
        {
            "lines": lines,
            "upload": upload,
            "assign_form": BankLineAssignForm(),
            "nav_active": "bank",
        },
        status=status,
    )


@require_POST
@login_required
def bank_line_assign_view(request: HttpRequest, line_id: int) -> HttpResponse:
    _require_officer(request)
    form = BankLineAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần nhập mã hồ sơ."))
        return redirect("backoffice:bank_lines")
    code = form.cleaned_data["dossier"].strip()
    try:
        _dossier(request, code)  # the officer must see the dossier: anything else is "not found"
        payment = bank_line_assign(
            line_id=line_id,
            dossier_code=code,
            actor=request.user,  # type: ignore[arg-type]
            note=form.cleaned_data.get("note") or "",
        )
    except Http404:
        messages.error(request, _("Không tìm thấy hồ sơ %(code)s trong phạm vi của ông/bà.") % {"code": code})
        return redirect("backoffice:bank_lines")
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("backoffice:bank_lines")
    messages.success(
        request,
        _("Đã ghi có dòng sao kê cho hồ sơ %(code)s (mã thanh toán %(reference)s).")
        % {"code": code, "reference": payment.reference},
    )
    return redirect("backoffice:bank_lines")
