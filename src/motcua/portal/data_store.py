""" "Kho dữ liệu của tôi": the citizen's documents and results from earlier dossiers, and re-using one in a
new online submission instead of uploading it again (``documents.store``; docs/portal.md).

Behind the e-ID login (``applicant_required``). Only the citizen's own items exist for them: anything else is a
404, like an item that does not exist. Every listing, download and re-use is written to the Decree 13 access log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import DomainError, NotFound
from motcua.documents.store import StoreItem, store_access_log, store_item_get, store_items, store_reuse

from .submission import _draft, _level_refusal, account, applicant_required


def store_choices(items: list[StoreItem]) -> list[dict[str, Any]]:
    """The store's items as the draft page offers them (label: what, from which dossier, validity)."""
    rows = []
    for item in items:
        label = item.name
        if item.is_result and item.record is not None:
            label = _("Kết quả %(number)s: %(name)s") % {
                "number": item.record.number,
                "name": item.record.title,
            }
        rows.append({"pk": item.upload.pk, "label": f"{label} — {item.dossier.code}"})
    return rows


def store_offer(request: HttpRequest) -> list[dict[str, Any]]:
    """The store's items a draft may re-use (logged as shown when there are any)."""
    user = account(request)
    choices = store_choices(store_items(user))
    if choices:
        store_access_log(
            user=user, purpose="Chọn giấy tờ từ kho dữ liệu khi soạn hồ sơ", path=request.get_full_path()
        )
    return choices


@applicant_required
@require_GET
def my_store(request: HttpRequest) -> HttpResponse:
    user = account(request)
    items = store_items(user)
    store_access_log(user=user, purpose="Xem kho dữ liệu của tôi", path=request.get_full_path())

    def row(item: StoreItem) -> dict[str, Any]:
        return {"item": item, "url": reverse("portal:my_store_file", args=[item.upload.pk])}

    context = {
        "documents": [row(i) for i in items if not i.is_result],
        "results": [row(i) for i in items if i.is_result],
        "nav_active": "store",
    }
    return render(request, "portal/my_store.html", context)


@applicant_required
@require_GET
def my_store_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One file of the store, always as a download (never inline)."""
    user = account(request)
    try:
        item = store_item_get(user, pk)
        handle = default_storage.open(item.upload.stored_name, "rb")
    except (NotFound, OSError):
        raise Http404(_("Không tìm thấy giấy tờ trong kho dữ liệu.")) from None
    store_access_log(
        user=user,
        purpose=f"Tải giấy tờ “{item.upload.original_name}” từ kho dữ liệu",
        dossier=item.dossier,
        path=request.get_full_path(),
    )
    response = FileResponse(
        handle, as_attachment=True, filename=item.upload.original_name, content_type=item.upload.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@applicant_required
@require_POST
def draft_reuse(request: HttpRequest, pk: int, component_pk: int) -> HttpResponse:
    """Attach a store item to one component of the draft (a verified copy; nothing is uploaded again)."""
    dossier = _draft(request, pk)
    refusal = _level_refusal(request, dossier.procedure_version)
    if refusal:
        return refusal
    component = dossier.components.filter(pk=component_pk).first()
    if component is None:
        raise Http404(_("Không tìm thấy thành phần hồ sơ."))
    target = reverse("portal:draft_edit", kwargs={"pk": dossier.pk}) + f"#tp-{component.pk}"
    try:
        item_id = int(request.POST.get("item", ""))
    except ValueError:
        messages.error(request, _("Vui lòng chọn giấy tờ trong kho dữ liệu."))
        return redirect(target)
    try:
        upload = store_reuse(dossier=dossier, component=component, actor=account(request), item_id=item_id)
    except DomainError as exc:
        messages.error(request, f"“{component.name}”: {exc.message}")
        return redirect(target)
    messages.success(
        request,
        _("Đã dùng lại “%(name)s” từ kho dữ liệu (đã đối chiếu mã băm).") % {"name": upload.original_name},
    )
    return redirect(target)
