"""Back office "Phản ánh, kiến nghị": the unit's queue (overdue marked) and the answer form (docs/petitions.md)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from motcua.core import clock
from motcua.core.errors import DomainError
from motcua.core.http import domain_error_to_form
from motcua.petitions.constants import ANSWER_MAX, PetitionStatus
from motcua.petitions.selectors import is_petition_overdue, petition_for_staff, petitions_for_staff
from motcua.petitions.services import can_answer, petition_answer


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Nội dung trả lời",
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 8, "class": "usa-textarea"}),
    )


@require_GET
@login_required
def petition_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("trang_thai", PetitionStatus.OPEN)
    if status not in PetitionStatus.values and status != "all":
        status = PetitionStatus.OPEN
    now = clock.now()
    petitions = list(petitions_for_staff(request.user, status="" if status == "all" else status)[:500])
    rows = [{"p": p, "overdue": is_petition_overdue(p, now)} for p in petitions]
    context = {
        "rows": rows,
        "status": status,
        "statuses": [
            (PetitionStatus.OPEN, "Đang xử lý"),
            (PetitionStatus.ANSWERED, "Đã trả lời"),
            ("all", "Tất cả"),
        ],
        "nav_active": "petitions",
    }
    return render(request, "backoffice/petitions_queue.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def petition_detail(request: HttpRequest, code: str) -> HttpResponse:
    petition = petition_for_staff(request.user, code)
    if petition is None:
        raise Http404
    may_answer = can_answer(request.user, petition) and petition.status == PetitionStatus.OPEN
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_answer:
            status = 403
            form.add_error(None, "Ông/bà không thể trả lời phản ánh này.")
        elif form.is_valid():
            try:
                petition_answer(petition=petition, user=request.user, answer=form.cleaned_data["answer"])
            except DomainError as exc:
                status = exc.http_status
                domain_error_to_form(form, exc, unplaced=True)
            else:
                messages.success(request, "Đã gửi trả lời tới người phản ánh.")
                return redirect(reverse("backoffice:petition", args=[petition.code]))
        else:
            status = 400
    context = {
        "petition": petition,
        "overdue": is_petition_overdue(petition),
        "form": form,
        "may_answer": may_answer,
        "nav_active": "petitions",
    }
    return render(request, "backoffice/petition.html", context, status=status)
