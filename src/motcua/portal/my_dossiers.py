""" "Hồ sơ của tôi": the applicant's own dossiers, timeline, supplements, withdrawal, receipt, rating, data.

Only the owner sees a dossier: anybody else gets 404 (the same answer as a code that does not exist).
Citizens viewing their own data need no personal-data access log.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.lockout import client_address
from motcua.core import clock
from motcua.core.errors import DomainError, NotFound
from motcua.core.http import file_response
from motcua.core.masking import mask_id_number
from motcua.documents.constants import UploadPurpose
from motcua.documents.selectors import RESULT_VISIBLE, dossier_result_files, upload_get_for_owner
from motcua.documents.services import upload_store
from motcua.dossiers.constants import Status
from motcua.dossiers.lifecycle import actions_for
from motcua.dossiers.models import Dossier
from motcua.payments.constants import Method
from motcua.payments.gateways import payment_gateways
from motcua.payments.printing import vietqr_context
from motcua.payments.receipts import receipt_filename, receipt_pdf
from motcua.payments.selectors import dossier_balance, dossier_receipts, open_vietqr_order
from motcua.payments.services import PAYABLE_STATES, payment_create
from motcua.signatures.selectors import signed_copy_name
from motcua.submissions import services
from motcua.submissions.printing import form_answers_rows
from motcua.submissions.selectors import (
    citizen_data_export,
    citizen_dossier_get,
    citizen_dossiers,
    citizen_timeline,
    rating_of,
    submission_answers,
)

from .submission import account, applicant_required
from .submission_forms import RatingForm, UploadForm, WithdrawalForm


def _get(request: HttpRequest, code: str) -> Dossier:
    try:
        return citizen_dossier_get(account(request), code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@applicant_required
@require_GET
def my_dossiers(request: HttpRequest) -> HttpResponse:
    dossiers = list(citizen_dossiers(account(request)))
    rows = [{"dossier": d, "id_masked": mask_id_number(d.applicant_id_number)} for d in dossiers]
    return render(request, "portal/my_dossiers.html", {"rows": rows, "nav_active": "mine"})


def _receipt_available(dossier: Dossier) -> bool:
    try:
        from motcua.dossiers.printing import forms_available
    except ImportError:  # pragma: no cover - printing not installed
        return False
    return "01" in forms_available(dossier, list(dossier.events.all()))


@applicant_required
@require_GET
def my_dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _get(request, code)
    actions = actions_for(dossier, account(request))
    uploads = list(dossier.uploads.all())
    answers = submission_answers(dossier)
    context = {
        "dossier": dossier,
        "timeline": citizen_timeline(dossier),
        "answers": answers,
        "form_answers": form_answers_rows(dossier, answers=answers),  # by label (issue 16 item 2)
        "submitted_files": [u for u in uploads if u.purpose == UploadPurpose.SUBMISSION],
        "supplement_files": [u for u in uploads if u.purpose == UploadPurpose.SUPPLEMENT],
        "supplement_sent": any(
            u.purpose == UploadPurpose.SUPPLEMENT
            and (dossier.paused_at is None or u.uploaded_at >= dossier.paused_at)
            for u in uploads
        ),
        "can_supplement": dossier.status == Status.AWAITING_SUPPLEMENT,
        "can_withdraw": "request-withdrawal" in actions,
        "can_rate": dossier.status == Status.RETURNED,
        "rating": rating_of(dossier),
        "receipt": _receipt_available(dossier),
        "upload_form": UploadForm(),
        "withdrawal_form": WithdrawalForm(),
        "rating_form": RatingForm(),
        "id_masked": mask_id_number(dossier.applicant_id_number),
        "nav_active": "mine",
    }
    context["payment_receipts"] = list(dossier_receipts(dossier))  # biên lai điện tử, downloadable
    if dossier.status in PAYABLE_STATES:
        balance = dossier_balance(dossier)
        context["balance"] = balance
        context["online_gateways"] = _online_gateways() if balance.due > 0 else []
        context["can_pay_online"] = bool(context["online_gateways"])
        vietqr = payment_gateways.get(Method.VIETQR)
        context["can_pay_vietqr"] = balance.due > 0 and vietqr is not None and vietqr.is_enabled()
        order = open_vietqr_order(dossier, amount=balance.due) if context["can_pay_vietqr"] else None
        if order is not None:  # the QR of the order opened with "Chuyển khoản bằng mã VietQR"
            context["vietqr"] = vietqr_context(order)
    return render(request, "portal/my_dossier_detail.html", context)


# The gateways a citizen pays at online, in the order the buttons show (each when turned on), with the
# button's name.
ONLINE_METHODS = {Method.VNPAY: "VNPay", Method.PAYGOV: "Nền tảng thanh toán của Cổng DVCQG"}


def _online_gateways() -> list[tuple[str, str]]:
    """``(method, label)`` of the online gateways turned on."""
    result = []
    for method, label in ONLINE_METHODS.items():
        gateway = payment_gateways.get(method)
        if gateway is not None and gateway.is_enabled():
            result.append((str(method), label))
    return result


@applicant_required
@require_POST
def my_dossier_pay(request: HttpRequest, code: str) -> HttpResponseBase:
    """Pay what the dossier owes online: open an order at the chosen gateway (``method``: VNPay by default, or
    the national payment platform) and go to its payment page (docs/payments.md)."""
    dossier = _get(request, code)
    method = str(request.POST.get("method") or Method.VNPAY)
    if method not in {str(m) for m in ONLINE_METHODS}:
        messages.error(request, "Hình thức thanh toán không hợp lệ.")
        return redirect("portal:my_dossier", code=dossier.code)
    try:
        payment = payment_create(
            dossier=dossier, actor=account(request), method=method, client_ip=client_address(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:my_dossier", code=dossier.code)
    return redirect(payment.pay_url)


@applicant_required
@require_POST
def my_dossier_pay_vietqr(request: HttpRequest, code: str) -> HttpResponseBase:
    """Pay by bank transfer: open (or find) the VietQR order of what is due; the page then shows its QR."""
    dossier = _get(request, code)
    try:
        payment_create(dossier=dossier, actor=account(request), method=Method.VIETQR)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("portal:my_dossier", args=[dossier.code]) + "#vietqr")


@applicant_required
@require_POST
def my_dossier_supplement(request: HttpRequest, code: str) -> HttpResponse:
    """Answer a supplement request with files (then "Đã bổ sung đủ hồ sơ": ``my_dossier_supplement_done``)."""
    dossier = _get(request, code)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for e in form.errors.get("file", [])) or _("Tệp không hợp lệ.")
        )
    else:
        try:
            upload = upload_store(
                dossier=dossier,
                actor=account(request),
                file=form.cleaned_data["file"],
                purpose=UploadPurpose.SUPPLEMENT,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Đã gửi tệp bổ sung “%(name)s”. Khi đã gửi đủ giấy tờ, ông/bà bấm “Đã bổ sung đủ hồ sơ” "
                    "để cơ quan tiếp tục giải quyết."
                )
                % {"name": upload.original_name},
            )
    return redirect("portal:my_dossier", code=dossier.code)


@applicant_required
@require_POST
def my_dossier_supplement_done(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant declares the supplement complete: ``supplement-received``, the clock resumes or resets."""
    dossier = _get(request, code)
    try:
        services.supplement_complete(dossier=dossier, actor=account(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã xác nhận bổ sung đủ hồ sơ. Cơ quan tiếp tục giải quyết; ngày hẹn trả đã được cập nhật."),
        )
    return redirect("portal:my_dossier", code=dossier.code)


@applicant_required
@require_POST
def my_dossier_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _get(request, code)
    form = WithdrawalForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("reason", [])))
        return redirect("portal:my_dossier", code=dossier.code)
    try:
        services.withdrawal_request(
            dossier=dossier, actor=account(request), reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi yêu cầu rút hồ sơ. Cơ quan sẽ xem xét và thông báo kết quả."))
    return redirect("portal:my_dossier", code=dossier.code)


@applicant_required
@require_POST
def my_dossier_rate(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _get(request, code)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vui lòng chọn mức độ hài lòng."))
        return redirect("portal:my_dossier", code=dossier.code)
    try:
        services.rating_submit(
            dossier=dossier,
            actor=account(request),
            level=form.cleaned_data["level"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Cảm ơn ông/bà đã đánh giá mức độ hài lòng."))
    return redirect("portal:my_dossier", code=dossier.code)


@applicant_required
@require_GET
def my_dossier_payment_receipt(request: HttpRequest, code: str, receipt_id: int) -> HttpResponse:
    """An electronic receipt (biên lai điện tử) of the dossier's fees as PDF (the owner only)."""
    dossier = _get(request, code)
    receipt = dossier_receipts(dossier).filter(pk=receipt_id).first()
    if receipt is None:
        raise Http404
    return file_response(
        receipt_pdf(receipt), filename=receipt_filename(receipt), content_type="application/pdf"
    )


@applicant_required
@require_GET
def my_dossier_receipt(request: HttpRequest, code: str) -> HttpResponse:
    """Mẫu 01 (giấy tiếp nhận hồ sơ và hẹn trả kết quả) as PDF, once the dossier is received."""
    dossier = _get(request, code)
    from motcua.dossiers.printing import dossier_form_render

    try:
        pdf = dossier_form_render(dossier=dossier, form="01")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:my_dossier", code=dossier.code)
    return file_response(pdf, filename=f"bien-nhan-{dossier.pk}.pdf", content_type="application/pdf")


@applicant_required
@require_GET
def my_dossier_result(request: HttpRequest, code: str) -> HttpResponse:
    """The result: its note and, once resolved or returned, the result files to download (``my_upload``)."""
    dossier = _get(request, code)
    files = dossier_result_files(dossier) if dossier.status in RESULT_VISIBLE else []
    return render(
        request,
        "portal/my_dossier_result.html",
        {"dossier": dossier, "result_files": files, "nav_active": "mine"},
    )


@applicant_required
@require_GET
def my_upload(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One of the applicant's own files, always as a download (never rendered inline)."""
    try:
        upload = upload_get_for_owner(account(request), pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    # A result file that was signed is handed out as its signed copy (docs/signatures.md).
    stored = signed_copy_name(source=f"upload:{upload.pk}") or upload.stored_name
    response = FileResponse(
        default_storage.open(stored, "rb"),
        as_attachment=True,
        filename=upload.original_name,
        content_type=upload.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@applicant_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """ "Tải dữ liệu của tôi": the applicant's account, dossiers and file metadata as JSON."""
    data = citizen_data_export(account(request))
    return file_response(
        json.dumps(data, ensure_ascii=False, indent=2),
        filename=f"du-lieu-cua-toi-{clock.today().isoformat()}.json",
        content_type="application/json; charset=utf-8",
    )
