"""Portal pages of the petitions (phản ánh, kiến nghị): send, track (code + contact), the public answers."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.lockout import client_address
from motcua.core.errors import ValidationFailed
from motcua.core.http import domain_error_to_form
from motcua.petitions.constants import CONTENT_MAX, NAME_MAX, TITLE_MAX, Subject
from motcua.petitions.selectors import masked_sender, petition_for_tracking, public_petitions
from motcua.petitions.services import PetitionInput, answer_days, petition_submit


class PetitionForm(forms.Form):
    subject = forms.ChoiceField(
        label="Phản ánh, kiến nghị về",
        choices=Subject.choices,
        widget=forms.RadioSelect,
        initial=Subject.DOSSIER,
    )
    dossier_code = forms.CharField(label="Mã hồ sơ", max_length=64, required=False)
    procedure_code = forms.CharField(label="Mã thủ tục", max_length=32, required=False)
    unit_code = forms.CharField(label="Mã cơ quan, đơn vị", max_length=32, required=False)
    title = forms.CharField(label="Tiêu đề", max_length=TITLE_MAX)
    content = forms.CharField(
        label="Nội dung", max_length=CONTENT_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    contact_name = forms.CharField(label="Họ và tên", max_length=NAME_MAX, required=False)
    contact_phone = forms.CharField(label="Số điện thoại", max_length=20, required=False)
    contact_email = forms.CharField(label="Thư điện tử", max_length=254, required=False)
    publish_consent = forms.BooleanField(
        label="Tôi đồng ý công khai phản ánh và câu trả lời trên cổng (thông tin cá nhân được che)",
        required=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, field in self.fields.items():
            if name not in {"subject", "publish_consent"}:
                field.widget.attrs.setdefault("class", "usa-textarea" if name == "content" else "usa-input")


@require_http_methods(["GET", "POST"])
def petition_new(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("ho_so"):
        initial = {"subject": Subject.DOSSIER, "dossier_code": request.GET["ho_so"][:64]}
    elif request.GET.get("thu_tuc"):
        initial = {"subject": Subject.PROCEDURE, "procedure_code": request.GET["thu_tuc"][:32]}
    form = PetitionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                petition = petition_submit(
                    data=PetitionInput(**data), user=request.user, address=client_address(request)
                )
            except ValidationFailed as exc:
                status = 429 if exc.code == "throttled" else 400
                domain_error_to_form(form, exc, unplaced=True)
            else:
                request.session["petition_sent"] = petition.code
                return redirect(reverse("portal:petition_sent", args=[petition.code]))
        else:
            status = 400
    context = {"form": form, "answer_days": answer_days(), "nav_active": "petitions"}
    return render(request, "portal/petition_new.html", context, status=status)


@require_GET
def petition_sent(request: HttpRequest, code: str) -> HttpResponse:
    if request.session.get("petition_sent") != code:
        return redirect(reverse("portal:petition_track"))
    return render(request, "portal/petition_sent.html", {"code": code, "nav_active": "petitions"})


@require_GET
def petition_track(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("ma") or "").strip()[:32]
    contact = (request.GET.get("lien_he") or "").strip()[:254]
    petition = petition_for_tracking(code, contact) if code and contact else None
    not_found = bool(code and contact and petition is None)
    context = {
        "code": code,
        "contact": contact,
        "petition": petition,
        "not_found": not_found,
        "nav_active": "petitions",
    }
    response = render(request, "portal/petition_track.html", context, status=404 if not_found else 200)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def petition_public(request: HttpRequest) -> HttpResponse:
    page = Paginator(public_petitions(), 20).get_page(request.GET.get("trang"))
    rows = [(p, masked_sender(p)) for p in page.object_list]
    context = {"page": page, "rows": rows, "nav_active": "petitions"}
    return render(request, "portal/petition_public.html", context)
