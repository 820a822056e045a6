from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Message, MessageState, SandboxSms
from .services import message_retry


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "channel", "recipient", "state", "attempts", "last_error"]
    list_filter = ["state", "channel", "event"]
    search_fields = ["recipient", "object_id", "idempotency_key"]
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["retry"]

    @admin.action(description="Gửi lại các thông báo không thành công")
    def retry(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        for message in queryset.filter(state=MessageState.FAILED):
            message_retry(message=message, actor=request.user)  # type: ignore[arg-type]


@admin.register(SandboxSms)
class SandboxSmsAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "recipient", "body"]
