"""Staff pages (interface layer): the desk, the queues, counter intake, the dossier page and its actions.

Every dossier read goes through ``motcua.dossiers.selectors`` (a dossier outside the user's units is a 404,
exactly like a code that does not exist); every write is one ``dossier_intake_counter`` or
``dossier_transition`` call.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.catalog.selectors import procedure_get, procedure_search, procedure_version_in_force
from motcua.core import clock, formatting, xlsx
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from motcua.core.http import domain_error_to_form, file_response, is_htmx
from motcua.core.masking import mask_id_number
from motcua.documents.constants import UploadPurpose
from motcua.documents.formschema import form_fields_parse
from motcua.documents.models import Upload
from motcua.documents.selectors import dossier_result_files, dossier_uploads, upload_get_for_dossier
from motcua.documents.services import dossier_result_attach
from motcua.documents.store import reuse_verified
from motcua.documents.validation import upload_accept
from motcua.dossiers.constants import Action
from motcua.dossiers.lifecycle import actions_for, actor_roles, dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.printing import (
    CLASSIFICATION_LABELS,
    forms_available,
    logbook_dossiers,
    logbook_pdf,
    logbook_xlsx,
    printable_forms,
)
from motcua.dossiers.selectors import (
    QUEUES,
    dossier_get_for_user,
    dossiers_visible_to,
    is_overdue,
    queue_counts,
    queue_dossiers,
    queues_for,
)
from motcua.dossiers.services import dossier_intake_counter
from motcua.identity.services import dossier_applicant_view_log, dossiers_applicants_view_log
from motcua.national_portal.selectors import dossier_sync
from motcua.organisations.constants import Role
from motcua.organisations.models import Unit
from motcua.organisations.selectors import units_for_user, units_visible_to
from motcua.payments.selectors import balance_of, dossier_ledger
from motcua.payments.services import PAYABLE_STATES
from motcua.signatures.selectors import signed_copy_name
from motcua.submissions.eform import answers_form, answers_posted, focus_first_error
from motcua.submissions.printing import form_answers_rows
from motcua.submissions.services import counter_answers_check, counter_answers_record

from .current_step import current_steps
from .digitisation import digitisation_context, intake_scans
from .finance import dossier_finance
from .forms import (
    ACTION_FORMS,
    ActionForm,
    CashForm,
    IntakeForm,
    LogbookForm,
    ProcedureSearchForm,
    QueueFilterForm,
    ResolveForm,
)
from .register_check import LOOKUP_BUTTON, intake_register_lookup, intake_register_mismatch
from .signatures import signatures_context

PAGE_SIZE = 25
EXPORT_LIMIT = 10000


def _action_label(action: str) -> str:
    try:
        return str(Action(action).label)
    except ValueError:
        return action


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The staff desk: the user's units and roles, and a panel per queue with its count."""
    user: Any = request.user
    memberships = user.memberships.select_related("unit").order_by("unit__name", "role")
    counts = queue_counts(user)
    panels = [(QUEUES[slug], count) for slug, count in counts.items()]
    is_officer = any(m.role == Role.OFFICER for m in memberships)
    return render(
        request,
        "backoffice/home.html",
        {
            "memberships": list(memberships),
            "nav_active": "backoffice",
            "panels": panels,
            "is_officer": is_officer,
        },
    )


def _queue_or_404(slug: str) -> Any:
    queue = QUEUES.get(slug)
    if queue is None:
        raise Http404
    return queue


@require_GET
@login_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """One queue: filters, a page of dossiers, the Excel export of the filtered list."""
    user: Any = request.user
    current = _queue_or_404(slug)
    form = QueueFilterForm(request.GET)
    dossiers = queue_dossiers(user=user, queue=current, filters=form.filters())
    page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("page"))
    now = clock.now()
    rows = [
        {
            "dossier": d,
            "id_masked": mask_id_number(d.applicant_id_number) if d.applicant_id_number else "",
            "overdue": is_overdue(d, now),
        }
        for d in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    live = is_htmx(request)
    context = {
        "queue": current,
        "queues": queues_for(user),
        "form": form,
        "page": page,
        "rows": rows,
        "query_string": query.urlencode(),
        "nav_active": f"queue-{slug}",
        "live": live,
    }
    response = render(request, "backoffice/queue.html#results" if live else "backoffice/queue.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


QUEUE_EXPORT_HEADERS = [
    "STT",
    "Mã hồ sơ",
    "Thủ tục",
    "Mã thủ tục",
    "Đơn vị",
    "Người nộp",
    "Số định danh",
    "Kênh nộp",
    "Trạng thái",
    "Tiếp nhận",
    "Hẹn trả",
    "Quá hạn",
    "Cán bộ xử lý",
]


@require_GET
@login_required
def queue_export(request: HttpRequest, slug: str) -> HttpResponse:
    """The current filtered queue as .xlsx (ID numbers masked, as on screen)."""
    user: Any = request.user
    current = _queue_or_404(slug)
    dossiers = queue_dossiers(user=user, queue=current, filters=QueueFilterForm(request.GET).filters())
    now = clock.now()
    rows = [
        [
            i,
            d.code or "",
            d.procedure_version.name,
            d.procedure_version.procedure.code,
            d.unit.name,
            d.applicant_name,
            mask_id_number(d.applicant_id_number),
            d.get_channel_display(),
            d.get_status_display(),
            formatting.instant(d.received_at),
            formatting.instant(d.due_at),
            "x" if is_overdue(d, now) else "",
            str(d.assignee) if d.assignee else "",
        ]
        for i, d in enumerate(dossiers[:EXPORT_LIMIT], start=1)
    ]
    table = xlsx.Table(
        name="Ho so",
        preamble=[[str(current.title), f"Xuất lúc {formatting.instant(now)}"]],
        header=QUEUE_EXPORT_HEADERS,
        rows=rows,
        widths=(5, 28, 40, 12, 24, 24, 16, 12, 22, 17, 17, 8, 22),
    )
    filename = f"ho-so-{slug}-{now.astimezone(clock.VN_TZ):%Y%m%d-%H%M}.xlsx"
    return file_response(xlsx.xlsx_table(table), filename=filename, content_type=xlsx.CONTENT_TYPE)


# ------------------------------------------------------------------------------------------ intake


def _officer_units(user: Any) -> list[Unit]:
    return list(units_for_user(user, roles=[Role.OFFICER]))


@require_http_methods(["GET", "POST"])
@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """Counter intake on behalf of a citizen: choose the procedure, then fill the applicant and checklist."""
    user: Any = request.user
    units = _officer_units(user)
    if not units:
        return render(request, "backoffice/intake_forbidden.html", {"nav_active": "intake"}, status=403)
    code = (request.POST.get("procedure") or request.GET.get("thu_tuc") or "").strip()
    if not code:
        search = ProcedureSearchForm(request.GET)
        search.is_valid()
        q = search.cleaned_data.get("q", "") if hasattr(search, "cleaned_data") else ""
        procedures = list(procedure_search(q=q)[:30])
        context = {
            "search": search,
            "procedures": procedures,
            "nav_active": "intake",
            "live": is_htmx(request),
        }
        template = (
            "backoffice/intake_search.html#results" if context["live"] else "backoffice/intake_search.html"
        )
        response = render(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response
    try:
        procedure = procedure_get(code)
        version = procedure_version_in_force(procedure)
    except DomainError:
        raise Http404 from None
    offered = list(version.units.all())
    if offered:
        units = [u for u in units if u in offered] or units
    form = IntakeForm(request.POST or None, version=version, units=units)
    # The procedure's e-form (issue 16 item 2): typed fields, checked and required before the number is taken.
    # (a procedure without a schema asks nothing more at the desk: its free-text default is for online only)
    eform_fields = form_fields_parse(version.form_fields) if version.form_fields else []
    eform = answers_form(
        eform_fields,
        request.POST or None,
        prefix="tk",
        extra_rows=str(request.POST.get("add_row") or "")[:50],
    )
    status = 200
    register = None
    if request.method == "POST" and LOOKUP_BUTTON in request.POST:  # the population register, no save
        register, initial = intake_register_lookup(request)
        form = IntakeForm(None, initial=initial, version=version, units=units)
    elif request.method == "POST":
        if form.is_valid() and (mismatch := intake_register_mismatch(form.cleaned_data)):
            form.add_error("name", mismatch)  # shown before saving; nothing is saved
            status = 400
        elif "add_row" in request.POST or "chon_tinh" in request.POST:
            pass  # a group's extra row, or an address's communes (no JavaScript): the form again, nothing saved
        elif form.is_valid() and eform.is_valid():
            try:
                eform_answers = (
                    counter_answers_check(
                        procedure_version=version, answers=answers_posted(eform_fields, eform)
                    )
                    if eform_fields
                    else {}
                )
                dossier = dossier_intake_counter(
                    officer=user,
                    procedure_code=procedure.code,
                    unit_code=form.cleaned_data["unit"],
                    applicant=form.applicant(),
                    components=form.component_items(),
                    note=form.cleaned_data["note"],
                    # the e-form's answers are saved in the intake's transaction: with the dossier or not at all
                    also=(
                        (lambda received: counter_answers_record(dossier=received, answers=eform_answers))
                        if eform_answers
                        else None
                    ),
                )
            except DomainError as error:
                if isinstance(error.details, dict) and "answers" in error.details:
                    domain_error_to_form(eform, error, groups=("answers",), unplaced=True, message=False)
                _form_errors(form, error)
                status = error.http_status
            else:
                messages.success(
                    request,
                    _(
                        "Đã tiếp nhận hồ sơ %(code)s. In Giấy tiếp nhận và hẹn trả kết quả (Mẫu 01) cho người nộp."
                    )
                    % {"code": dossier.code},
                )
                intake_scans(request, dossier)  # the scans chosen on the form (docs/documents.md)
                return redirect(reverse("backoffice:dossier", args=[dossier.code]) + "?in=01")
        else:
            status = 400
    focus_first_error(form, eform)  # each error beside its field; the page opens on the first
    return render(
        request,
        "backoffice/intake_form.html",
        {
            "form": form,
            "answers": eform,
            "has_eform": bool(version.form_fields),
            "procedure": procedure,
            "version": version,
            "nav_active": "intake",
            "scan_accept": upload_accept(),
            "register": register,
            "register_fields": IntakeForm.REGISTER_FIELDS,
        },
        status=status,
    )


def _form_errors(form: Any, error: DomainError) -> None:
    """Put a service error on the form: field errors where the details name a field, else a form error."""
    details: dict[str, Any] = error.details if isinstance(error.details, dict) else {}
    if error.code == "components_missing" and "components" in form.fields:
        missing = ", ".join(details.get("missing", []))
        form.add_error("components", _("Còn thiếu: %(missing)s") % {"missing": missing})
    domain_error_to_form(form, error)


# ------------------------------------------------------------------------------------------ dossier


def _get_dossier(user: Any, code: str, *, detail: bool = True) -> Dossier:
    try:
        return dossier_get_for_user(user, code, detail=detail)
    except NotFound:
        raise Http404 from None


def _dossier_context(
    request: HttpRequest, dossier: Dossier, bound: ActionForm | None = None
) -> dict[str, Any]:
    user: Any = request.user
    now = clock.now()
    actions = actions_for(dossier, user)
    forms = []
    for action in actions:
        form_class = ACTION_FORMS.get(action)
        if form_class is None:
            continue
        form = (
            bound if bound is not None and bound.action == action else form_class(dossier=dossier, user=user)
        )
        forms.append(
            {
                "action": action,
                "label": _action_label(action),
                "form": form,
                "open": form is bound,
                "url": reverse("backoffice:dossier_action", args=[dossier.code, action]),
            }
        )
    events = list(dossier.events.all())
    steps = []
    for step in dossier.steps.all():
        if step.classification:
            result = str(CLASSIFICATION_LABELS.get(step.classification, step.classification))
        elif step.started_at is None:
            result = _("Chờ đến lượt")
        elif step.due_at is not None and step.due_at < now and step.paused_remaining_minutes is None:
            result = _("Đang xử lý — đã quá hạn")
        else:
            result = _("Đang xử lý")
        steps.append({"step": step, "hours": step.budget_minutes / 60, "result": result})
    printable = forms_available(dossier, events)
    upload_groups = _upload_groups(dossier)
    return {
        "dossier": dossier,
        "form_answers": form_answers_rows(dossier),  # the e-form, by label (issue 16 item 2)
        "current_steps": current_steps(dossier, now),
        "upload_groups": upload_groups,
        **signatures_context(dossier, upload_groups, printable),
        "result_files": [
            {"upload": u, "url": reverse("backoffice:dossier_upload", args=[dossier.code, u.pk])}
            for u in dossier_result_files(dossier)
        ],
        "overdue": is_overdue(dossier, now),
        "events": [
            {
                "event": e,
                "label": _action_label(e.action),
                "from": _status_label(e.from_status),
                "to": _status_label(e.to_status),
                "result": CLASSIFICATION_LABELS.get(e.classification, ""),
            }
            for e in events
        ],
        "steps": steps,
        "action_forms": forms,
        "printable": printable_forms(dossier, events),  # (key, number printed, title)
        "highlight_form": request.GET.get("in", ""),
        "classification": CLASSIFICATION_LABELS.get(dossier.classification, ""),
        "national_sync": dossier_sync(dossier),
        **digitisation_context(user, dossier),
        "nav_active": "dossier",
        **_ledger(dossier, user),
    }


def _ledger(dossier: Dossier, user: Any = None) -> dict[str, Any]:
    """The dossier's fees ledger and its balance, one query (docs/payments.md); the cash form
    (``backoffice.payments``) for an officer of the dossier's unit while something is due."""
    entries = list(dossier_ledger(dossier))
    balance = balance_of(entries)
    cash = (
        balance.due > 0
        and dossier.status in PAYABLE_STATES
        and user is not None
        and Role.OFFICER in actor_roles(dossier, user)
    )
    return {
        "ledger": entries,
        "balance": balance,
        "cash_form": CashForm(initial={"amount": balance.due}) if cash else None,
        **dossier_finance(dossier, user, entries),  # the tax notice and refund forms (backoffice.finance)
    }


def _upload_groups(dossier: Dossier) -> list[dict[str, Any]]:
    """The applicant's files grouped by component (checklist order), then files tied to no component.

    One query for the files; the components come prefetched with the dossier.
    """
    by_component: dict[int | None, list[Upload]] = {}
    for upload in dossier_uploads(dossier):
        by_component.setdefault(upload.component_id, []).append(upload)
    groups = []
    for component in dossier.components.all():
        files = by_component.pop(component.pk, [])
        if files:
            groups.append({"name": component.name, "files": [_upload_row(dossier, u) for u in files]})
    rest = [u for files in by_component.values() for u in files]
    if rest:
        rest.sort(key=lambda u: (u.uploaded_at, u.pk))
        groups.append(
            {"name": _("Không gắn với thành phần hồ sơ"), "files": [_upload_row(dossier, u) for u in rest]}
        )
    return groups


def _upload_row(dossier: Dossier, upload: Upload) -> dict[str, Any]:
    return {
        "upload": upload,
        "supplement": upload.purpose == UploadPurpose.SUPPLEMENT,
        "from_store": upload.reused_from_id is not None or upload.reuse_verified,
        "verified": reuse_verified(upload),
        "url": reverse("backoffice:dossier_upload", args=[dossier.code, upload.pk]),
    }


def _log_applicant_view(request: HttpRequest, dossier: Dossier, purpose: str) -> None:
    dossier_applicant_view_log(
        viewer=request.user, dossier=dossier, purpose=purpose, path=request.get_full_path()
    )


def _status_label(value: str) -> str:
    from motcua.dossiers.constants import Status

    try:
        return str(Status(value).label)
    except ValueError:
        return value


@require_GET
@login_required
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _get_dossier(request.user, code)
    context = _dossier_context(request, dossier)
    _log_applicant_view(request, dossier, f"Xem hồ sơ {dossier.code}")
    return render(request, "backoffice/dossier.html", context)


@require_GET
@login_required
def dossier_upload(request: HttpRequest, code: str, upload_id: int) -> FileResponse:
    """One file the applicant uploaded, always as a download with its sniffed type (never inline).

    The dossier is found through the user's scope and the file must belong to it: anything else is a 404.
    """
    dossier = _get_dossier(request.user, code, detail=False)
    try:
        upload = upload_get_for_dossier(dossier, upload_id)
    except NotFound:
        raise Http404 from None
    try:  # a result file that was signed: its signed copy (docs/signatures.md)
        handle = default_storage.open(
            signed_copy_name(source=f"upload:{upload.pk}") or upload.stored_name, "rb"
        )
    except OSError:
        raise Http404 from None
    _log_applicant_view(request, dossier, f"Tải tệp “{upload.original_name}” của hồ sơ {dossier.code}")
    return file_response(handle, filename=upload.original_name, content_type=upload.content_type)


@require_POST
@login_required
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Apply one lifecycle action from its form; on any refusal nothing changes and the page says why."""
    user: Any = request.user
    dossier = _get_dossier(user, code, detail=False)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    allowed = actions_for(dossier, user)
    if action not in allowed:
        names = ", ".join(_action_label(a) for a in allowed) or _("không có thao tác nào")
        messages.error(
            request,
            _(
                "Không thể thực hiện “%(action)s” với hồ sơ ở trạng thái “%(status)s”. Thao tác được phép: %(allowed)s."
            )
            % {"action": _action_label(action), "status": dossier.get_status_display(), "allowed": names},
        )
        return _render_dossier(request, code, status=409)
    form = form_class(request.POST, request.FILES, dossier=dossier, user=user)
    if not form.is_valid():
        messages.error(
            request,
            _("Vui lòng kiểm tra lại thông tin của thao tác “%(action)s”.")
            % {"action": _action_label(action)},
        )
        return _render_dossier(request, code, bound=form, status=400)
    try:
        with transaction.atomic():  # a refused result file undoes the resolution too
            dossier = dossier_transition(dossier=dossier, action=action, actor=user, **form.params())
            if isinstance(form, ResolveForm) and form.result_files():
                dossier_result_attach(dossier=dossier, actor=user, files=form.result_files())
    except Conflict as error:
        if error.code == "stale_version":
            messages.error(
                request,
                _(
                    "Hồ sơ vừa được người khác cập nhật nên thao tác chưa được thực hiện. "
                    "Trang đã được tải lại với dữ liệu mới nhất; vui lòng kiểm tra rồi thực hiện lại."
                ),
            )
            return _render_dossier(request, code, status=409)
        if error.code == "transition_not_allowed":
            allowed = actions_for(_get_dossier(user, code, detail=False), user)
            names = ", ".join(_action_label(a) for a in allowed) or _("không có thao tác nào")
            messages.error(
                request, f"{error.message} " + _("Thao tác được phép: %(allowed)s.") % {"allowed": names}
            )
            return _render_dossier(request, code, status=409)
        _form_errors(form, error)
        return _render_dossier(request, code, bound=form, status=409)
    except (ValidationFailed, PermissionDenied) as error:
        _form_errors(form, error)
        return _render_dossier(request, code, bound=form, status=error.http_status)
    messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": _action_label(action)})
    return redirect("backoffice:dossier", code=code)


def _render_dossier(
    request: HttpRequest, code: str, *, bound: ActionForm | None = None, status: int
) -> HttpResponse:
    dossier = _get_dossier(request.user, code)
    if bound is not None:
        bound.dossier = dossier
    context = _dossier_context(request, dossier, bound)
    _log_applicant_view(request, dossier, f"Xem hồ sơ {dossier.code}")
    return render(request, "backoffice/dossier.html", context, status=status)


# ------------------------------------------------------------------------------------------ logbook


@require_GET
@login_required
def logbook(request: HttpRequest) -> HttpResponse:
    """Mẫu 06: the logbook of a unit for a date range, as Excel or PDF."""
    user: Any = request.user
    units = list(units_visible_to(user))
    today = clock.today()
    form = LogbookForm(
        request.GET or None,
        units=units,
        initial={"date_from": today.replace(day=1), "date_to": today, "output": "xlsx"},
    )
    if request.GET and form.is_valid():
        data = form.cleaned_data
        unit, date_from, date_to = form.units[data["unit"]], data["date_from"], data["date_to"]
        rows = list(
            logbook_dossiers(
                dossiers=dossiers_visible_to(user), unit=unit, date_from=date_from, date_to=date_to
            )
        )
        args = {"rows": rows, "unit": unit, "date_from": date_from, "date_to": date_to}
        name = f"so-theo-doi-{unit.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}"
        # The logbook shows each applicant's name, address and phone in full: one access-log row each.
        dossiers_applicants_view_log(
            viewer=user,
            dossiers=rows,
            purpose=f"Sổ theo dõi hồ sơ (Mẫu 06) {unit.name}, {formatting.day(date_from)}–{formatting.day(date_to)}",
            path=request.get_full_path(),
        )
        if data["output"] == "pdf":
            return file_response(
                logbook_pdf(**args), filename=f"{name}.pdf", content_type="application/pdf", inline=True
            )
        return file_response(logbook_xlsx(**args), filename=f"{name}.xlsx", content_type=xlsx.CONTENT_TYPE)
    return render(
        request,
        "backoffice/logbook.html",
        {"form": form, "nav_active": "logbook"},
        status=400 if request.GET else 200,
    )
