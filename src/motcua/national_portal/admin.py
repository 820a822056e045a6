"""The national-portal outbox for operators: what waits, what failed and why; "Gửi lại" per item and in bulk."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from motcua.core.admin import ReadOnlyAdmin
from motcua.core.errors import DomainError

from .catalog import catalog_proposal_publish, catalog_proposal_reject, differences
from .models import (
    CatalogProposal,
    InboundDossier,
    NationalCatalogEntry,
    SandboxPortalDossier,
    SyncState,
    SyncUpdate,
    UpdateState,
)
from .services import sync_updates_resend


@admin.register(SyncUpdate)
class SyncUpdateAdmin(ReadOnlyAdmin):
    """Read-only outbox; parked updates hold back their dossier's later ones until sent again."""

    list_display = [
        "created_at",
        "dossier_code",
        "sequence",
        "service",
        "status_code",
        "state",
        "attempts",
        "next_attempt_at",
        "short_error",
        "resend_button",
    ]
    list_filter = ["state", "service"]
    search_fields = ["dossier__code", "last_error", "idempotency_key"]
    list_select_related = ["dossier"]
    readonly_fields = [f.name for f in SyncUpdate._meta.fields]
    actions = ["resend"]
    change_form_template = "admin/national_portal/syncupdate/change_form.html"

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("national_portal.change_syncupdate")

    @admin.display(description="mã hồ sơ", ordering="dossier__code")
    def dossier_code(self, update: SyncUpdate) -> str:
        return update.dossier.code or f"#{update.dossier_id}"

    @admin.display(description="lỗi gần nhất")
    def short_error(self, update: SyncUpdate) -> str:
        return update.last_error[:120]

    @admin.display(description="")
    def resend_button(self, update: SyncUpdate) -> str:
        if update.state == UpdateState.SENT:
            return ""
        url = reverse("admin:national_portal_syncupdate_change", args=[update.pk])
        return format_html('<a href="{}">Gửi lại…</a>', url)

    @admin.action(description="Gửi lại", permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[SyncUpdate]) -> None:
        selected = list(queryset.values_list("pk", flat=True))
        queued = sync_updates_resend(update_ids=selected, actor=request.user)  # type: ignore[arg-type]
        skipped = len(selected) - len(queued)
        self.message_user(
            request,
            f"Đã xếp lịch gửi lại {len(queued)} bản tin."
            + (f" Bỏ qua {skipped} bản tin đã gửi." if skipped else ""),
            messages.SUCCESS,
        )

    def get_urls(self) -> list[URLPattern]:
        resend_one = require_POST(self.admin_site.admin_view(self.resend_one))
        return [
            path("<int:pk>/gui-lai/", resend_one, name="national_portal_syncupdate_resend"),
            *super().get_urls(),
        ]

    def resend_one(self, request: HttpRequest, pk: int) -> HttpResponse:
        """ "Gửi lại" on one update (the button on its page)."""
        if not self.has_resend_permission(request):
            raise PermissionDenied
        update = get_object_or_404(SyncUpdate, pk=pk)
        queued = sync_updates_resend(update_ids=[update.pk], actor=request.user)  # type: ignore[arg-type]
        if queued:
            self.message_user(request, "Đã xếp lịch gửi lại bản tin.", messages.SUCCESS)
        else:
            self.message_user(request, "Bản tin đã được gửi, không cần gửi lại.", messages.INFO)
        return HttpResponseRedirect(reverse("admin:national_portal_syncupdate_changelist"))


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "last_sent_status", "last_sent_at", "last_error_at", "last_error"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]
    readonly_fields = [f.name for f in SyncState._meta.fields]


def _lines(value: Any) -> list[str]:
    """A compared value as lines for the review table (lists of components and fees one per line)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [
            ", ".join(f"{k}: {v}" for k, v in item.items()) if isinstance(item, dict) else str(item)
            for item in value
        ] or ["(không có)"]
    return [str(value)]


@admin.register(CatalogProposal)
class CatalogProposalAdmin(ReadOnlyAdmin):
    """Proposals from the national catalog: the side-by-side review, "Công bố phiên bản mới" and "Từ chối"."""

    list_display = ["procedure", "state", "connected", "changed_fields", "updated_at", "decided_by"]
    list_filter = ["state", "connected"]
    search_fields = ["procedure__code", "procedure__name"]
    list_select_related = ["procedure", "decided_by"]
    readonly_fields = [
        "procedure",
        "base_version",
        "state",
        "connected",
        "created_at",
        "updated_at",
        "decided_at",
        "decided_by",
        "published_version",
    ]
    exclude = ["current", "proposed"]
    change_form_template = "admin/national_portal/catalogproposal/change_form.html"

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("national_portal.change_catalogproposal")

    @admin.display(description="trường thay đổi")
    def changed_fields(self, proposal: CatalogProposal) -> str:
        changed = [d["label"] for d in differences(proposal.current, proposal.proposed) if d["changed"]]
        return ", ".join(changed) or "(chỉ việc kết nối Cổng)"

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        proposal = CatalogProposal.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        rows = []
        if proposal is not None:
            for row in differences(proposal.current, proposal.proposed):
                rows.append(
                    {
                        **row,
                        "current_lines": _lines(row["current"]),
                        "proposed_lines": None if proposal.proposed is None else _lines(row["proposed"]),
                    }
                )
        context = {
            **(extra_context or {}),
            "catalog_diff": rows,
            "can_decide": self.has_decide_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def get_urls(self) -> list[URLPattern]:
        def view(decide: Any) -> Any:
            return require_POST(self.admin_site.admin_view(decide))

        return [
            path("<int:pk>/cong-bo/", view(self.publish), name="national_portal_catalogproposal_publish"),
            path("<int:pk>/tu-choi/", view(self.reject), name="national_portal_catalogproposal_reject"),
            *super().get_urls(),
        ]

    def _decide(self, request: HttpRequest, pk: int, publish: bool) -> HttpResponse:
        if not self.has_decide_permission(request):
            raise PermissionDenied
        proposal = get_object_or_404(CatalogProposal, pk=pk)
        try:
            if publish:
                done = catalog_proposal_publish(proposal=proposal, actor=request.user)  # type: ignore[arg-type]
                version = done.published_version
                self.message_user(
                    request,
                    f"Đã công bố phiên bản {version.version} của thủ tục {done.procedure.code}."
                    if version is not None
                    else f"Đã cập nhật việc kết nối Cổng của thủ tục {done.procedure.code}.",
                    messages.SUCCESS,
                )
            else:
                catalog_proposal_reject(proposal=proposal, actor=request.user)  # type: ignore[arg-type]
                self.message_user(request, "Đã từ chối đề xuất.", messages.INFO)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:national_portal_catalogproposal_change", args=[pk]))
        return HttpResponseRedirect(reverse("admin:national_portal_catalogproposal_changelist"))

    def publish(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._decide(request, pk, publish=True)

    def reject(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._decide(request, pk, publish=False)


@admin.register(NationalCatalogEntry)
class NationalCatalogEntryAdmin(ReadOnlyAdmin):
    list_display = ["procedure", "exists", "checked_at"]
    list_filter = ["exists"]
    search_fields = ["procedure__code", "procedure__name"]
    list_select_related = ["procedure"]
    readonly_fields = [f.name for f in NationalCatalogEntry._meta.fields]


@admin.register(InboundDossier)
class InboundDossierAdmin(ReadOnlyAdmin):
    """Dossiers citizens filed on the national portal, as pulled: national code beside motcua's."""

    list_display = ["national_code", "dossier", "filed_at", "pulled_at", "refused_count"]
    search_fields = ["national_code", "dossier__code"]
    list_select_related = ["dossier"]
    readonly_fields = [f.name for f in InboundDossier._meta.fields]

    @admin.display(description="tệp không nhận được")
    def refused_count(self, inbound: InboundDossier) -> int:
        return len(inbound.refused_files or [])


@admin.register(SandboxPortalDossier)
class SandboxPortalDossierAdmin(admin.ModelAdmin):
    list_display = ["code", "status", "filed_on_portal", "duplicates", "updated_at"]
    search_fields = ["code"]
    readonly_fields = ["code", "record", "status", "duplicates", "created_at", "updated_at"]
