from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.core.admin import ReadOnlyAdmin

from .consumers import consumer_delivery_rerun, transition_consumers
from .models import (
    CodeFormat,
    CodeSequence,
    ConsumerDelivery,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierStep,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ComponentInline(ReadOnlyInline):
    model = DossierComponent


class StepInline(ReadOnlyInline):
    model = DossierStep


class EventInline(ReadOnlyInline):
    model = DossierEvent


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    """Read-only: dossiers change only through the lifecycle (back office, API)."""

    list_display = ["code", "status", "unit", "applicant_name", "received_at", "due_at", "finished_at"]
    list_filter = ["status", "channel"]
    search_fields = ["code", "applicant_name"]
    list_select_related = ["unit"]
    inlines = [ComponentInline, StepInline, EventInline]


@admin.register(CodeFormat)
class CodeFormatAdmin(admin.ModelAdmin):
    list_display = ["template", "unit", "valid_from"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]


@admin.register(CodeSequence)
class CodeSequenceAdmin(admin.ModelAdmin):
    list_display = ["prefix", "day", "last"]
    readonly_fields = ["prefix", "day", "last"]


@admin.register(ConsumerDelivery)
class ConsumerDeliveryAdmin(ReadOnlyAdmin):
    """The transition consumers' outbox: state, attempts and last error of each delivery; "Chạy lại"."""

    list_display = [
        "created_at",
        "dossier_code",
        "action",
        "consumer_label",
        "state",
        "attempts",
        "next_attempt_at",
        "short_error",
    ]
    list_filter = ["state", "consumer"]
    search_fields = ["event__dossier__code", "consumer", "last_error"]
    list_select_related = ["event__dossier"]
    readonly_fields = [f.name for f in ConsumerDelivery._meta.fields]
    actions = ["rerun"]

    @admin.display(description="mã hồ sơ", ordering="event__dossier__code")
    def dossier_code(self, delivery: ConsumerDelivery) -> str:
        return delivery.event.dossier.code or f"#{delivery.event.dossier_id}"

    @admin.display(description="thao tác", ordering="event__action")
    def action(self, delivery: ConsumerDelivery) -> str:
        return delivery.event.action

    @admin.display(description="bên xử lý", ordering="consumer")
    def consumer_label(self, delivery: ConsumerDelivery) -> str:
        consumer = transition_consumers.get(delivery.consumer)
        return str(consumer.label) if consumer is not None else delivery.consumer

    @admin.display(description="lỗi gần nhất")
    def short_error(self, delivery: ConsumerDelivery) -> str:
        return delivery.last_error[:120]

    def has_rerun_permission(self, request: HttpRequest) -> bool:
        """Re-running writes (the rows and a task): the model's change permission, not edits in the form."""
        return request.user.has_perm("dossiers.change_consumerdelivery")

    @admin.action(description="Chạy lại", permissions=["rerun"])
    def rerun(self, request: HttpRequest, queryset: QuerySet[ConsumerDelivery]) -> None:
        selected = list(queryset.values_list("pk", flat=True))
        queued = consumer_delivery_rerun(delivery_ids=selected, actor=request.user)  # type: ignore[arg-type]
        skipped = len(selected) - len(queued)
        self.message_user(
            request,
            f"Đã xếp lịch chạy lại {len(queued)} mục."
            + (f" Bỏ qua {skipped} mục đã xử lý xong." if skipped else ""),
            messages.SUCCESS,
        )
