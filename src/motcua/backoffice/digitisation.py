"""Digitisation at the counter and the results register on the dossier page (docs/documents.md).

The officer scans or uploads each paper component ("Số hóa thành phần hồ sơ"), optionally as a certified copy
naming the certifying official; the dossier page shows each electronic copy (pages, SHA-256, who, when) and
the result's register entry (number, date, validity, expiry), whose expiry the officer may set. Writes are
``documents.digitisation.component_digitise`` and ``documents.results.result_record_validity_set``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from motcua.core import formatting
from motcua.core.errors import DomainError, NotFound
from motcua.documents.digitisation import DIGITISE_ROLES, NOT_DIGITISABLE, component_digitise
from motcua.documents.results import RESULT_ISSUED, is_expired, result_record_of, result_record_validity_set
from motcua.documents.validation import upload_accept, upload_types_display
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_get_for_user
from motcua.organisations.models import Membership


class DigitiseForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Bản quét (PDF hoặc ảnh)"))
    certified_by = forms.TypedChoiceField(
        label=gettext_lazy("Chứng thực bản sao điện tử từ bản chính — người chứng thực"),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args: Any, certifiers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, str]] = [("", _("Không chứng thực (bản chụp, bản sao)"))]
        self.fields["certified_by"].choices = choices + certifiers  # type: ignore[attr-defined]
        self.fields["file"].widget.attrs.update({"accept": upload_accept(), "class": "usa-file-input"})
        self.fields["certified_by"].widget.attrs["class"] = "usa-select"


class ValidityForm(forms.Form):
    valid_until = forms.DateField(
        label=gettext_lazy("Hết hiệu lực ngày (để trống nếu không thời hạn)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "usa-input"}),
    )


def _staff_of_unit(dossier: Dossier) -> list[Membership]:
    return list(
        Membership.objects.filter(unit_id=dossier.unit_id, role__in=DIGITISE_ROLES)
        .select_related("user")
        .order_by("user__full_name", "user__username", "role")
    )


def _certifiers(members: list[Membership]) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for m in members:
        name = m.user.full_name or m.user.get_full_name() or m.user.username
        seen.setdefault(m.user_id, f"{name} ({m.get_role_display()})")
    return list(seen.items())


def digitisation_context(user: Any, dossier: Dossier) -> dict[str, Any]:
    """What the dossier page shows of digitisation and the register: one query each, none when not relevant."""
    context: dict[str, Any] = {"digitise": None, "result_record": None}
    if dossier.status not in NOT_DIGITISABLE:
        members = _staff_of_unit(dossier)
        if any(m.user_id == user.pk for m in members):
            context["digitise"] = {
                "form": DigitiseForm(certifiers=_certifiers(members)),
                "types": upload_types_display(),
                "components": [
                    {
                        "component": c,
                        "url": reverse("backoffice:dossier_digitise", args=[dossier.code, c.pk]),
                    }
                    for c in dossier.components.all()
                ],
            }
    if dossier.status in RESULT_ISSUED:
        record = result_record_of(dossier)
        if record is not None:
            context["result_record"] = {
                "record": record,
                "expired": is_expired(record),
                "form": ValidityForm(initial={"valid_until": record.valid_until}),
                "can_edit": context["digitise"] is not None,
                "url": reverse("backoffice:dossier_result_validity", args=[dossier.code]),
            }
    return context


def _dossier(request: HttpRequest, code: str) -> Dossier:
    try:
        return dossier_get_for_user(request.user, code)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None


@require_POST
@login_required
def dossier_digitise(request: HttpRequest, code: str, component_pk: int) -> HttpResponse:
    """Store the electronic copy of one paper component (a refused file leaves nothing; the page says why)."""
    dossier = _dossier(request, code)
    component = next((c for c in dossier.components.all() if c.pk == component_pk), None)
    if component is None:
        raise Http404
    members = _staff_of_unit(dossier)
    form = DigitiseForm(request.POST, request.FILES, certifiers=_certifiers(members))
    target = reverse("backoffice:dossier", args=[code]) + f"#so-hoa-{component.pk}"
    if not form.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field]
        messages.error(request, f"“{component.name}”: " + (" ".join(errors) or _("Tệp không hợp lệ.")))
        return redirect(target)
    certifier_id = form.cleaned_data.get("certified_by")
    certifier = next((m.user for m in members if m.user_id == certifier_id), None)
    try:
        upload = component_digitise(
            dossier=dossier,
            component=component,
            actor=request.user,  # type: ignore[arg-type]
            file=form.cleaned_data["file"],
            certified_by=certifier,
        )
    except DomainError as exc:
        messages.error(request, f"“{component.name}”: {exc.message}")
        return redirect(target)
    pages = upload.page_count if upload.page_count is not None else "?"
    messages.success(
        request,
        _("Đã số hóa “%(name)s” (%(pages)s trang).") % {"name": component.name, "pages": pages},
    )
    return redirect(target)


@require_POST
@login_required
def dossier_result_validity(request: HttpRequest, code: str) -> HttpResponse:
    """Set the expiry of the dossier's result in the register."""
    dossier = _dossier(request, code)
    record = result_record_of(dossier) if dossier.status in RESULT_ISSUED else None
    if record is None:
        raise Http404
    form = ValidityForm(request.POST)
    target = reverse("backoffice:dossier", args=[code]) + "#so-ket-qua"
    if not form.is_valid():
        messages.error(request, _("Ngày hết hiệu lực không hợp lệ."))
        return redirect(target)
    try:
        result_record_validity_set(
            record=record,
            actor=request.user,  # type: ignore[arg-type]
            valid_until=form.cleaned_data["valid_until"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(target)
    messages.success(request, _("Đã cập nhật hiệu lực của kết quả %(number)s.") % {"number": record.number})
    return redirect(target)


def digitisation_panel(counts: Any) -> dict[str, Any] | None:
    """The dashboard's digitisation panel: the month's four shares, formatted (``reports.digitisation``)."""
    if counts is None:
        return None
    return {
        "counts": counts,
        "rows": [
            (
                "intake",
                _("Hồ sơ nộp trực tiếp, qua bưu chính được số hóa khi tiếp nhận"),
                counts.counter_digitised,
                counts.counter_received,
                formatting.percent(counts.intake_rate),
            ),
            (
                "results",
                _("Kết quả giải quyết được số hóa"),
                counts.results_digitised,
                counts.results,
                formatting.percent(counts.results_digitised_rate),
            ),
            (
                "signed",
                _("Kết quả được ký số"),
                counts.results_signed,
                counts.results,
                formatting.percent(counts.results_signed_rate),
            ),
            (
                "reused",
                _("Thành phần hồ sơ dùng lại từ kho dữ liệu"),
                counts.components_reused,
                counts.components,
                formatting.percent(counts.reuse_rate),
            ),
        ],
    }


def intake_scans(request: HttpRequest, dossier: Dossier) -> int:
    """Digitise the scans chosen on the counter intake form (``scan-<catalog component id>``), right after
    the intake; returns how many were stored. The dossier is received whatever happens here: a refused scan is
    reported (the officer digitises it again on the dossier page)."""
    files: dict[str, UploadedFile] = {}
    for key in request.FILES:
        upload = request.FILES.get(key)
        if key.startswith("scan-") and isinstance(upload, UploadedFile):
            files[key.removeprefix("scan-")] = upload
    if not files:
        return 0
    stored = 0
    for component in dossier.components.all():
        file = files.get(str(component.component_id)) if component.component_id else None
        if file is None:
            continue
        try:
            component_digitise(
                dossier=dossier,
                component=component,
                actor=request.user,  # type: ignore[arg-type]
                file=file,
            )
        except DomainError as exc:
            messages.warning(
                request,
                _("“%(name)s” chưa được số hóa: %(reason)s Vui lòng số hóa lại ở trang hồ sơ.")
                % {"name": component.name, "reason": exc.message},
            )
        else:
            stored += 1
    return stored
