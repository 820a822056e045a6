"""Read-only admin of the identity logs (for auditors), profiles and the sandbox people."""

from django.contrib import admin

from motcua.core.admin import ReadOnlyAdmin
from motcua.core.masking import mask_id_number

from .models import IdentityProfile, PersonalDataAccess, PopulationLookup, SandboxPerson


@admin.register(PopulationLookup)
class PopulationLookupAdmin(ReadOnlyAdmin):
    """Auditors need ``identity.view_populationlookup``; searching by the full ID number works."""

    list_display = ["at", "officer_repr", "masked_id_number", "reason", "result", "verification", "register"]
    list_filter = ["result", "verification", "register"]
    search_fields = ["=id_number", "officer_repr", "reason"]
    date_hierarchy = "at"

    @admin.display(description="số định danh", ordering="id_number")
    def masked_id_number(self, obj: PopulationLookup) -> str:
        return mask_id_number(obj.id_number)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    """Auditors search by the full ID number or by the dossier code (applicants without an ID number)."""

    list_display = ["at", "viewer_repr", "masked_subject", "dossier_code", "purpose", "path"]
    search_fields = ["=subject_id_number", "=dossier_code", "viewer_repr", "purpose"]
    date_hierarchy = "at"

    @admin.display(description="người được xem", ordering="subject_id_number")
    def masked_subject(self, obj: PersonalDataAccess) -> str:
        return mask_id_number(obj.subject_id_number)


@admin.register(IdentityProfile)
class IdentityProfileAdmin(ReadOnlyAdmin):
    list_display = ["user", "provider", "assurance_level", "last_login_at"]
    list_filter = ["provider", "assurance_level"]
    search_fields = ["user__full_name", "=user__citizen_id", "=user__tax_code"]


@admin.register(SandboxPerson)
class SandboxPersonAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "id_number", "birth_date", "sex", "level", "kind", "organisation_name"]
    list_filter = ["kind", "level", "sex"]
    search_fields = ["full_name", "=id_number", "=tax_code"]
