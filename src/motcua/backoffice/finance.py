"""Back-office pages of the money side for officers and finance staff (docs/payments.md):

- ``ho-so/<code>/nghia-vu-tai-chinh/`` (POST): an officer, specialist or leader of the dossier's unit records
  the tax authority's notice of the applicant's financial obligations (number, amount, due date): charged, and
  the dossier waits for payment with its clock paused (``payments.services.obligations_notice_record``);
- ``ho-so/<code>/hoan-tra/<payment id>/`` (POST): an officer or leader of the dossier's unit gives back (part
  of) a payment made through a gateway, with a reason (``payments.refunds.refund_request``: audited);
- ``doi-soat/``: the day's reconciliation with the gateways per gateway and unit (expected, received,
  differences), rebuilt on demand and downloaded as Excel (``doi-soat/xlsx/``), for finance staff: leaders,
  statisticians and administrators.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core import clock, xlsx
from motcua.core.errors import DomainError, NotFound
from motcua.core.http import file_response
from motcua.dossiers.constants import Status
from motcua.dossiers.lifecycle import actor_roles
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_get_for_user
from motcua.organisations.constants import Role
from motcua.organisations.selectors import user_roles_by_unit
from motcua.payments.constants import EntryKind, EntrySource, PaymentStatus, RefundStatus
from motcua.payments.models import LedgerEntry, Payment
from motcua.payments.reconciliation import (
    GATEWAY_LABELS,
    STATE_LABELS,
    report_build,
    report_load,
    report_xlsx,
)
from motcua.payments.refunds import REFUND_ROLES, refund_request
from motcua.payments.services import CHARGE_ROLES, obligations_notice_record

FINANCE_ROLES = frozenset({Role.LEADER, Role.STATISTICIAN, Role.ADMINISTRATOR})
OBLIGATION_STATES = frozenset({Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT})


class ObligationsForm(forms.Form):
    notice_number = forms.CharField(label=gettext_lazy("Số thông báo của cơ quan thuế"), max_length=100)
    name = forms.CharField(
        label=gettext_lazy("Nội dung"),
        max_length=500,
        initial="Nghĩa vụ tài chính theo thông báo của cơ quan thuế",
    )
    amount = forms.IntegerField(label=gettext_lazy("Số tiền (đồng)"), min_value=1, max_value=10**15)
    due_date = forms.DateField(
        label=gettext_lazy("Hạn nộp"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "usa-input")


class RefundForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Số tiền hoàn trả (đồng)"), min_value=1, max_value=10**15)
    reason = forms.CharField(
        label=gettext_lazy("Lý do hoàn trả"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs.setdefault("class", "usa-input")
        self.fields["reason"].widget.attrs.setdefault("class", "usa-textarea")


def dossier_finance(dossier: Dossier, user: Any, entries: list[LedgerEntry]) -> dict[str, Any]:
    """The dossier page's money forms: the tax notice (no query) and a refund form per gateway payment that
    still has something to give back (one query, only when the ledger has gateway credits and the user may
    refund)."""
    roles = actor_roles(dossier, user) if user is not None else set()
    context: dict[str, Any] = {
        "obligations_form": ObligationsForm()
        if roles & CHARGE_ROLES and dossier.status in OBLIGATION_STATES
        else None,
        "refunds": [],
    }
    paid_ids: list[int] = [
        e.payment_id
        for e in entries
        if e.kind == EntryKind.PAYMENT and e.source == EntrySource.GATEWAY and e.payment_id is not None
    ]
    if not paid_ids or not roles & REFUND_ROLES:
        return context
    payments = Payment.objects.filter(pk__in=paid_ids, status=PaymentStatus.SUCCEEDED).annotate(
        asked=Sum(
            "refunds__amount", filter=Q(refunds__status__in=[RefundStatus.PENDING, RefundStatus.SUCCEEDED])
        )
    )
    for payment in payments.order_by("created_at", "pk"):
        left = int(payment.amount) - int(payment.asked or 0)
        if left > 0 and payment.method in GATEWAY_LABELS:
            context["refunds"].append(
                {
                    "payment": payment,
                    "left": left,
                    "form": RefundForm(initial={"amount": left}, prefix=f"r{payment.pk}"),
                }
            )
    return context


def _dossier(request: HttpRequest, code: str) -> Dossier:
    try:
        return dossier_get_for_user(request.user, code, detail=False)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None


def _back(dossier: Dossier) -> HttpResponse:
    return redirect(reverse("backoffice:dossier", args=[dossier.code]) + "#nghia-vu-tai-chinh")


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


@require_POST
@login_required
def dossier_obligations(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    form = ObligationsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Thông báo nghĩa vụ tài chính không hợp lệ: cần số thông báo và số tiền."))
        return _back(dossier)
    data = form.cleaned_data
    try:
        obligations_notice_record(
            dossier=dossier,
            actor=request.user,  # type: ignore[arg-type]
            notice_number=data["notice_number"],
            amount=data["amount"],
            due_date=data["due_date"],
            name=data["name"],
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _back(dossier)
    messages.success(
        request,
        _(
            "Đã ghi nhận thông báo %(number)s (%(amount)s đồng); hồ sơ chờ người nộp thực hiện nghĩa vụ tài chính, "
            "tạm dừng tính thời gian giải quyết."
        )
        % {"number": data["notice_number"], "amount": _money(data["amount"])},
    )
    return _back(dossier)


@require_POST
@login_required
def dossier_refund(request: HttpRequest, code: str, payment_id: int) -> HttpResponse:
    dossier = _dossier(request, code)
    payment = Payment.objects.filter(pk=payment_id, dossier=dossier).first()
    if payment is None:
        raise Http404
    form = RefundForm(request.POST, prefix=f"r{payment.pk}")
    if not form.is_valid():
        messages.error(request, _("Yêu cầu hoàn trả không hợp lệ: cần số tiền và lý do."))
        return _back(dossier)
    try:
        refund = refund_request(
            payment=payment,
            actor=request.user,  # type: ignore[arg-type]
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            client_ip=str(request.META.get("REMOTE_ADDR", "")),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _back(dossier)
    values = {"amount": _money(int(refund.amount)), "reference": payment.reference}
    if refund.status == RefundStatus.SUCCEEDED:
        messages.success(request, _("Đã hoàn trả %(amount)s đồng của khoản %(reference)s.") % values)
    elif refund.status == RefundStatus.FAILED:
        messages.error(
            request,
            _("Cổng thanh toán từ chối hoàn trả (mã %(code)s: %(message)s).")
            % {"code": refund.gateway_response_code, "message": refund.gateway_message},
        )
    else:
        messages.warning(
            request,
            _(
                "Chưa nhận được kết quả hoàn trả %(amount)s đồng của khoản %(reference)s từ cổng thanh toán; "
                "kiểm tra trên trang quản trị của cổng."
            )
            % values,
        )
    return _back(dossier)


# ------------------------------------------------------------------------------------- reconciliation


def _require_finance(request: HttpRequest) -> None:
    roles = {role for unit_roles in user_roles_by_unit(request.user).values() for role in unit_roles}  # type: ignore[arg-type]
    if not (roles & FINANCE_ROLES or getattr(request.user, "is_superuser", False)):
        raise DjangoPermissionDenied


def _day(request: HttpRequest) -> dt.date:
    text = str(request.GET.get("ngay") or request.POST.get("ngay") or "")
    yesterday = clock.now().astimezone(clock.VN_TZ).date() - dt.timedelta(days=1)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return yesterday
    return day if 2000 <= day.year <= 2100 else yesterday


@require_http_methods(["GET", "POST"])
@login_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    """The day's reconciliation (GET ``?ngay=yyyy-mm-dd``, default yesterday); POST rebuilds it now."""
    _require_finance(request)
    day = _day(request)
    if request.method == "POST":
        report_build(day)
        messages.success(
            request, _("Đã đối soát lại ngày %(day)s với các cổng thanh toán.") % {"day": f"{day:%d/%m/%Y}"}
        )
        return redirect(f"{reverse('backoffice:reconciliation')}?ngay={day.isoformat()}")
    report = report_load(day)
    context = {
        "day": day,
        "report": report,
        "rows": report.rows() if report else [],
        "mismatches": [line for line in report.lines if not line.agrees] if report else [],
        "gateway_labels": GATEWAY_LABELS,
        "state_labels": STATE_LABELS,
        "nav_active": "reconciliation",
    }
    return render(request, "backoffice/reconciliation.html", context)


@require_GET
@login_required
def reconciliation_xlsx(request: HttpRequest) -> HttpResponse:
    _require_finance(request)
    day = _day(request)
    report = report_load(day)
    if report is None:
        raise Http404
    return file_response(
        report_xlsx(report),
        filename=f"doi-soat-thanh-toan-{day.isoformat()}.xlsx",
        content_type=xlsx.CONTENT_TYPE,
    )
