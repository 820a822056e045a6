from django.contrib import admin

from motcua.core.admin import ReadOnlyAdmin

from .models import FileVerification, SignatureRequest


@admin.register(SignatureRequest)
class SignatureRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "dossier",
        "title",
        "state",
        "attempts",
        "signed_at",
        "signer_plugin",
        "level",
        "last_error",
    ]
    list_filter = ["state", "kind", "signer_plugin"]
    search_fields = ["dossier__code", "title"]


@admin.register(FileVerification)
class FileVerificationAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "source", "outcome", "checked_at"]
    list_filter = ["outcome"]
    search_fields = ["dossier__code"]
