"""Reads of identity: the e-ID level of the current login, profiles, the logs."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.accounts.models import User

from .constants import SESSION_ASSURANCE_LEVEL, SESSION_PROVIDER
from .models import IdentityProfile, PersonalDataAccess, PopulationLookup


def assurance_level(request: HttpRequest) -> int | None:
    """The e-ID level (1 or 2) the current session logged in with; ``None`` if not an e-ID login.

    Online submission compares it with the procedure version's minimum level.
    """
    if not request.user.is_authenticated:
        return None
    level = request.session.get(SESSION_ASSURANCE_LEVEL)
    return int(level) if level in (1, 2) else None


def login_provider(request: HttpRequest) -> str | None:
    """The login provider identifier of the current e-ID session (``sandbox``, ``vneid``, ``dvcqg``)."""
    if not request.user.is_authenticated:
        return None
    value = request.session.get(SESSION_PROVIDER)
    return str(value) if value else None


def identity_profile(user: User) -> IdentityProfile | None:
    return IdentityProfile.objects.filter(user_id=user.pk).first()


def population_lookups(*, id_number: str | None = None) -> QuerySet[PopulationLookup]:
    qs = PopulationLookup.objects.all()
    return qs.filter(id_number=id_number) if id_number else qs


def personal_data_accesses(
    *, subject_id_number: str | None = None, dossier_code: str | None = None
) -> QuerySet[PersonalDataAccess]:
    """The access log, optionally of one person (ID number) and/or one dossier (its applicant's views)."""
    qs = PersonalDataAccess.objects.all()
    if subject_id_number:
        qs = qs.filter(subject_id_number=subject_id_number)
    if dossier_code:
        qs = qs.filter(dossier_code=dossier_code)
    return qs
