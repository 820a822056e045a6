from django.contrib import admin

from motcua.core.admin import ReadOnlyAdmin

from .models import Rating, ResultRecord, SubmissionData, Upload


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "dossier",
        "purpose",
        "content_type",
        "size",
        "scan_result",
        "uploaded_at",
    ]
    list_filter = ["purpose", "scan_result", "digitised", "certified_copy", "content_type"]
    search_fields = ["dossier__code", "original_name", "sha256"]
    readonly_fields = [f.name for f in Upload._meta.fields]
    list_select_related = ["dossier"]


@admin.register(SubmissionData)
class SubmissionDataAdmin(admin.ModelAdmin):
    list_display = ["dossier", "privacy_notice_at", "updated_at"]
    search_fields = ["dossier__code"]
    readonly_fields = [f.name for f in SubmissionData._meta.fields]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["dossier", "level", "rated_at"]
    list_filter = ["level"]
    search_fields = ["dossier__code"]
    readonly_fields = [f.name for f in Rating._meta.fields]


@admin.register(ResultRecord)
class ResultRecordAdmin(ReadOnlyAdmin):
    """The results register (written when a dossier is resolved; the expiry is set on the dossier page)."""

    list_display = ["number", "dossier", "issued_at", "valid_from", "valid_until", "digitised", "page_count"]
    list_filter = ["digitised"]
    search_fields = ["number", "dossier__code", "title"]
    list_select_related = ["dossier"]
