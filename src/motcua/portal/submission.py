"""Online submission ("Nộp hồ sơ trực tuyến"): start, draft (form + uploads), review, submit, confirmation."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.catalog.constants import OnlineMode
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import procedure_get, procedure_version_in_force
from motcua.core import clock
from motcua.core.errors import DomainError, NotFound
from motcua.core.http import domain_error_to_form, is_htmx
from motcua.core.text import vi_sorted
from motcua.documents.formschema import address_communes, answers_display, form_fields_parse
from motcua.documents.services import upload_delete, upload_store
from motcua.documents.validation import upload_types_display
from motcua.dossiers.constants import ApplicantKind, Status
from motcua.dossiers.models import Dossier
from motcua.organisations.selectors import units_valid_on
from motcua.payments.fees import fee_lines
from motcua.submissions import services
from motcua.submissions.eform import answers_form, answers_posted, focus_first_error
from motcua.submissions.selectors import (
    citizen_dossier_get,
    citizen_dossiers,
    citizen_draft_get,
    submission_answers,
)

from .eid import eid_level, is_applicant, login_url
from .submission_forms import ApplicantForm, StartForm, UploadForm

if TYPE_CHECKING:
    from motcua.accounts.models import User

View = Callable[..., HttpResponseBase]


def account(request: HttpRequest) -> User:
    """The logged-in account (views behind ``applicant_required`` only)."""
    return cast("User", request.user)


def applicant_required(view: View) -> View:
    """Citizen or business login required: anonymous → the e-ID login page; staff → an explanation."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect(login_url(request.get_full_path()))
        if not is_applicant(request):
            return render(request, "portal/submission_refused.html", {"reason": "not_applicant"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _version(code: str) -> ProcedureVersion:
    today = clock.today()
    try:
        return procedure_version_in_force(procedure_get(code, as_of=today), as_of=today)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _units(version: ProcedureVersion) -> list[tuple[str, str]]:
    """The units receiving the procedure that are valid today (the version's list, else units of its level)."""
    today = clock.today()
    units = [u for u in version.units.all() if u.is_valid_on(today)]
    if not units and not version.units.exists():
        units = list(units_valid_on(today, level=version.level))
    return [(u.code, u.name) for u in vi_sorted(units, key=lambda u: u.name)]  # Vietnamese order


def _level_refusal(request: HttpRequest, version: ProcedureVersion) -> HttpResponse | None:
    level = eid_level(request) or 0
    if level < version.min_eid_level:
        context = {"reason": "level", "version": version, "level": level, "required": version.min_eid_level}
        return render(request, "portal/submission_refused.html", context, status=403)
    return None


def _prefill(request: HttpRequest) -> dict[str, str]:
    user: Any = request.user
    from motcua.identity.selectors import identity_profile

    profile = identity_profile(user)
    business = user.kind == "business"
    return {
        "name": user.full_name or user.get_full_name() or user.username,
        "id_number": (user.tax_code if business else user.citizen_id) or "",
        "phone": user.phone,
        "email": user.email or (profile.email if profile else ""),
        "address": profile.permanent_address if profile else "",
    }


def _applicant(request: HttpRequest, cleaned: dict[str, Any]) -> dict[str, Any]:
    fixed = _prefill(request)
    business = getattr(request.user, "kind", "") == "business"
    return {
        "kind": ApplicantKind.ORGANISATION if business else ApplicantKind.CITIZEN,
        "name": fixed["name"],
        "id_number": fixed["id_number"],
        "phone": cleaned.get("phone", ""),
        "email": cleaned.get("email", ""),
        "address": cleaned.get("address", ""),
    }


def _domain_errors(form: Any, exc: DomainError) -> None:
    domain_error_to_form(form, exc, groups=("applicant", "answers"), unplaced=True, message=True)


@require_http_methods(["GET", "POST"])
def submission_start(request: HttpRequest, code: str) -> HttpResponseBase:
    """Step 1: the applicant's data, the unit and the privacy notice; creates the draft."""
    version = _version(code)
    if version.online_mode == OnlineMode.NONE:
        return render(
            request, "portal/submission_offline.html", {"version": version, "units": _units(version)}
        )
    return _submission_start(request, version)


@applicant_required
def _submission_start(request: HttpRequest, version: ProcedureVersion) -> HttpResponse:
    refusal = _level_refusal(request, version)
    if refusal:
        return refusal
    units = _units(version)
    form = StartForm(
        request.POST or None,
        units=units,
        initial={**_prefill(request), "unit": units[0][0] if len(units) == 1 else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            dossier = services.draft_start(
                actor=account(request),
                procedure_code=version.procedure.code,
                unit_code=form.cleaned_data["unit"],
                applicant=_applicant(request, form.cleaned_data),
            )
        except DomainError as exc:
            _domain_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo hồ sơ nháp. Vui lòng khai tờ khai và tải lên giấy tờ."))
            return redirect("portal:draft_edit", pk=dossier.pk)
    drafts = citizen_dossiers(account(request)).filter(
        status=Status.DRAFT, procedure_version__procedure=version.procedure
    )
    context = {"version": version, "form": form, "drafts": list(drafts), "step": 1}
    return render(request, "portal/submission_start.html", context)


def _draft(request: HttpRequest, pk: int) -> Dossier:
    try:
        return citizen_draft_get(account(request), pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _draft_context(dossier: Dossier, errors: dict[int, str] | None = None) -> dict[str, Any]:
    uploads = list(dossier.uploads.all())
    components = [
        {
            "component": c,
            "uploads": [u for u in uploads if u.component_id == c.pk],
            "error": (errors or {}).get(c.pk, ""),
        }
        for c in dossier.components.all()
    ]
    return {"dossier": dossier, "version": dossier.procedure_version, "components": components}


UPLOAD_ERROR_KEY = (
    "motcua_upload_error"  # without JavaScript: the refused file's message, shown beside its input
)


@applicant_required
@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: edit the draft (applicant contacts, unit, form answers) and attach files per component."""
    from .data_store import store_offer  # (data_store builds on this module's helpers)

    dossier = _draft(request, pk)
    version = dossier.procedure_version
    refusal = _level_refusal(request, version)
    if refusal:
        return refusal
    fields = form_fields_parse(version.form_fields)
    initial = {
        **_prefill(request),
        "phone": dossier.applicant_phone,
        "email": dossier.applicant_email,
        "address": dossier.applicant_address,
        "unit": dossier.unit.code,
    }
    data = request.POST if request.method == "POST" else None
    form = ApplicantForm(data, units=_units(version), initial=initial)
    # "Thêm một dòng" of a repeating group: saved like "Lưu nháp", then the page has one more empty row.
    add_row = str(request.POST.get("add_row") or request.GET.get("them") or "")[:50]
    answers = answers_form(fields, data, initial=submission_answers(dossier), extra_rows=add_row)
    # "Hiện các xã, phường" (the address picker without JavaScript): the form again with the province's
    # communes, what was typed kept, nothing saved.
    pick = request.method == "POST" and "chon_tinh" in request.POST
    if request.method == "POST" and not pick and form.is_valid() and answers.is_valid():
        try:
            services.draft_save(
                dossier=dossier,
                actor=account(request),
                applicant=_applicant(request, form.cleaned_data),
                unit_code=form.cleaned_data["unit"],
                answers=answers_posted(fields, answers),
            )
        except DomainError as exc:
            _domain_errors(form, exc)
            domain_error_to_form(answers, exc, groups=("answers",), message=False)
        else:
            if "review" in request.POST:
                return redirect("portal:draft_review", pk=dossier.pk)
            if add_row:
                url = reverse("portal:draft_edit", kwargs={"pk": dossier.pk})
                return redirect(f"{url}?{urlencode({'them': add_row})}#to-khai")
            messages.success(request, _("Đã lưu hồ sơ nháp. Ông/bà có thể quay lại tiếp tục bất cứ lúc nào."))
            return redirect("portal:draft_edit", pk=dossier.pk)
    focus_first_error(form, answers)
    refused = request.session.pop(UPLOAD_ERROR_KEY, None) if request.method == "GET" else None
    errors = {int(refused["component"]): str(refused["message"])} if isinstance(refused, dict) else {}
    context = {
        **_draft_context(dossier, errors),
        "form": form,
        "answers": answers,
        "upload_form": UploadForm(),
        "upload_types": upload_types_display(),
        "store": store_offer(request),
        "draft_retention_days": settings.MOTCUA_DRAFT_RETENTION_DAYS,
        "step": 2,
    }
    return render(request, "portal/submission_edit.html", context)


@require_http_methods(["GET"])
def unit_communes(request: HttpRequest) -> JsonResponse:
    """The e-form's address picker (static/js/eform.js): ``?tinh=<province code>`` → the communes in force
    today under it, ``{"communes": [{"code", "name"}]}`` in Vietnamese order (empty for an unknown code)."""
    rows = address_communes(str(request.GET.get("tinh") or "")[:32])
    response = JsonResponse({"communes": [{"code": code, "name": name} for code, name in rows]})
    patch_cache_control(response, public=True, max_age=600)  # the units in force change only with a reform
    return response


@applicant_required
@require_POST
def draft_upload(request: HttpRequest, pk: int, component_pk: int) -> HttpResponse:
    """Attach one file to one component of the draft; a refused file leaves nothing behind."""
    dossier = _draft(request, pk)
    refusal = _level_refusal(request, dossier.procedure_version)
    if refusal:
        return refusal
    component = dossier.components.filter(pk=component_pk).first()
    if component is None:
        raise Http404("Không tìm thấy thành phần hồ sơ.")
    form = UploadForm(request.POST, request.FILES)
    error = done = ""
    if not form.is_valid():
        error = " ".join(str(e) for e in form.errors.get("file", [])) or _("Tệp không hợp lệ.")
    else:
        try:
            upload = upload_store(
                dossier=dossier,
                actor=account(request),
                file=form.cleaned_data["file"],
                component=component,
            )
        except DomainError as exc:
            error = exc.message
        else:
            done = _("Đã tải lên “%(name)s”.") % {"name": upload.original_name}
    if is_htmx(request):  # in the background (issue 16): only this component's block, the typed form stays
        return _component_block(request, dossier, component.pk, error=error, done=done)
    if error:
        request.session[UPLOAD_ERROR_KEY] = {"component": component.pk, "message": error}
    else:
        messages.success(request, done)
    return redirect(reverse("portal:draft_edit", kwargs={"pk": dossier.pk}) + f"#tp-{component.pk}")


def _component_block(
    request: HttpRequest, dossier: Dossier, component_pk: int, *, error: str = "", done: str = ""
) -> HttpResponse:
    """The block of one component (its files, the upload form and the error beside it) for htmx."""
    from .data_store import store_offer

    dossier = _draft(
        request, dossier.pk
    )  # read again: the files just stored or removed (not a stale prefetch)
    context = _draft_context(dossier, {component_pk: error} if error else None)
    item = next(i for i in context["components"] if i["component"].pk == component_pk)
    context.update(item=item, done=done, upload_form=UploadForm(), store=store_offer(request))
    response = render(request, "portal/submission_edit.html#component", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@applicant_required
@require_POST
def draft_upload_delete(request: HttpRequest, pk: int, upload_pk: int) -> HttpResponse:
    dossier = _draft(request, pk)
    upload = dossier.uploads.filter(pk=upload_pk).first()
    if upload is None:
        raise Http404("Không tìm thấy tệp.")
    upload_delete(upload=upload, actor=account(request))
    done = _("Đã xóa tệp “%(name)s”.") % {"name": upload.original_name}
    if is_htmx(request) and upload.component_id is not None:
        return _component_block(request, dossier, upload.component_id, done=done)
    messages.success(request, done)
    return redirect("portal:draft_edit", pk=dossier.pk)


@applicant_required
@require_http_methods(["GET", "POST"])
def draft_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3: everything on one page; submitting moves the dossier to "submitted" with its code."""
    dossier = _draft(request, pk)
    version = dossier.procedure_version
    refusal = _level_refusal(request, version)
    if refusal:
        return refusal
    if request.method == "POST":
        try:
            submitted = services.draft_submit(
                dossier=dossier,
                actor=account(request),
                expected_version=_int(request.POST.get("version")),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("portal:draft_review", pk=dossier.pk)
        return redirect("portal:submission_done", code=submitted.code)
    fields = form_fields_parse(version.form_fields)
    answers = submission_answers(dossier)
    context = {
        **_draft_context(dossier),
        "answers": answers_display(fields, answers),
        "problems": services.submission_problems(dossier),
        "step": 3,
    }
    fees = fee_lines(version, online=True)  # shown before submitting, with the online reduction
    context.update(fees=fees, fees_due=sum(line.due for line in fees))
    return render(request, "portal/submission_review.html", context)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@applicant_required
def submission_done(request: HttpRequest, code: str) -> HttpResponse:
    """Step 4: the confirmation with the dossier code."""
    try:
        dossier = citizen_dossier_get(account(request), code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "portal/submission_done.html", {"dossier": dossier, "step": 4})
