"""Writes of identity: accounts from e-ID logins, population look-ups, the personal-data access log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import AccountKind, User
from motcua.core import clock
from motcua.core.citizen_id import validate_citizen_id
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.organisations.constants import Role
from motcua.organisations.selectors import units_for_user

from .claims import EidIdentity
from .constants import LookupResult, Verification
from .errors import LoginFailed
from .models import IdentityProfile, PersonalDataAccess, PopulationLookup
from .population import Person, get_population_register, normalise_name

# Roles that may look a person up in the population register (the one-stop desk).
LOOKUP_ROLES: tuple[str, ...] = (Role.OFFICER,)


def _conflict() -> LoginFailed:
    return LoginFailed(
        _(
            "Số định danh này đã gắn với một tài khoản khác của hệ thống, không dùng để đăng nhập định danh "
            "điện tử được. Vui lòng liên hệ Bộ phận Một cửa."
        ),
        code="account_conflict",
    )


@transaction.atomic
def eid_user_upsert(*, identity: EidIdentity) -> User:
    """The account of the person or business ``identity`` names, created or brought up to date.

    Citizens are keyed on the validated 12-digit ID, businesses on the tax code. An existing staff account
    with the same ID is never taken over (``LoginFailed`` ``account_conflict``); a locked account stays locked
    (``account_disabled``). The e-ID data is kept in the user's ``IdentityProfile``.
    """
    if identity.kind == AccountKind.BUSINESS:
        user = (
            User.objects.select_for_update()
            .filter(kind=AccountKind.BUSINESS, tax_code=identity.tax_code)
            .order_by("pk")
            .first()
        )
        username = f"business-{identity.tax_code}"
        display_name = identity.organisation_name
    else:
        user = User.objects.select_for_update().filter(citizen_id=identity.id_number).first()
        if user is not None and user.kind != AccountKind.CITIZEN:
            raise _conflict()
        username = f"citizen-{identity.id_number}"
        display_name = identity.full_name
    if user is None:
        if User.objects.filter(username=username).exists():
            raise _conflict()
        user = User(
            username=username,
            kind=identity.kind,
            citizen_id=identity.id_number if identity.kind == AccountKind.CITIZEN else None,
            tax_code=identity.tax_code,
        )
        user.set_unusable_password()
        user.full_name, user.phone, user.email = display_name, identity.phone, identity.email
        user.save()
    else:
        if not user.is_active:
            raise LoginFailed(
                _("Tài khoản này đang bị khóa. Vui lòng liên hệ Bộ phận Một cửa."), code="account_disabled"
            )
        user.full_name = display_name
        user.phone = identity.phone or user.phone
        user.email = identity.email or user.email
        user.save(update_fields=["full_name", "phone", "email"])

    other = (
        IdentityProfile.objects.filter(provider=identity.provider, subject=identity.subject)
        .exclude(user=user)
        .exists()
    )
    if other:
        raise _conflict()
    now = clock.now()
    IdentityProfile.objects.update_or_create(
        user=user,
        defaults={
            "provider": identity.provider,
            "subject": identity.subject,
            "birth_date": identity.birth_date,
            "sex": identity.sex or "",
            "permanent_address": identity.permanent_address,
            "email": identity.email,
            "representative_id_number": identity.id_number if identity.kind == AccountKind.BUSINESS else "",
            "assurance_level": identity.level,
            "last_login_at": now,
        },
    )
    user.last_login = now
    user.save(update_fields=["last_login"])
    return user


@dataclass(frozen=True)
class LookupOutcome:
    person: Person | None
    verification: str  # Verification value: "" (not asked), "match", "mismatch"
    log: PopulationLookup


def population_lookup(
    *,
    officer: User,
    id_number: str,
    reason: str,
    full_name: str | None = None,
    birth_date: dt.date | None = None,
) -> LookupOutcome:
    """Look a person up in the population register for ``officer`` (optionally verify name and birth date).

    Needs a reason (``ValidationFailed`` ``reason_required``) and a one-stop officer role in some unit
    (``PermissionDenied`` ``not_an_officer``). Every look-up is logged in ``PopulationLookup``, refused ones
    included: the log row is committed even though the refusal raises (so this service is not atomic).
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(_("Cần ghi rõ lý do tra cứu thông tin công dân."), code="reason_required")
    id_number = validate_citizen_id(id_number)
    register = get_population_register()

    def log(result: str, verification: str = Verification.NONE) -> PopulationLookup:
        return PopulationLookup.objects.create(
            officer=officer,
            officer_repr=f"{officer} ({officer.username})",
            id_number=id_number,
            reason=reason,
            register=register.identifier,
            result=result,
            verification=verification,
            at=clock.now(),
        )

    if not officer.is_authenticated or not units_for_user(officer, roles=LOOKUP_ROLES).exists():
        if officer.is_authenticated:
            log(LookupResult.REFUSED)
        raise PermissionDenied(
            _("Chỉ cán bộ Bộ phận Một cửa mới được tra cứu Cơ sở dữ liệu quốc gia về dân cư."),
            code="not_an_officer",
        )
    person = register.lookup(id_number)
    verification: str = Verification.NONE
    if person is not None and (full_name or birth_date):
        same_name = full_name is None or normalise_name(full_name) == normalise_name(person.full_name)
        same_birth = birth_date is None or birth_date == person.birth_date
        verification = Verification.MATCH if same_name and same_birth else Verification.MISMATCH
    entry = log(LookupResult.FOUND if person else LookupResult.NOT_FOUND, verification)
    return LookupOutcome(person=person, verification=verification, log=entry)


def personal_data_view_log(
    *,
    viewer: User | AnonymousUser | None,
    purpose: str,
    subject_id_number: str = "",
    dossier_code: str = "",
    path: str = "",
) -> PersonalDataAccess:
    """Record that ``viewer`` was shown the data of the person ``subject_id_number`` for ``purpose``.

    Call it from every view that shows one person's data (dossier detail, applicant page, export of
    one person), in the request that shows it. Lists that show masked IDs only need not call it.
    A view of a dossier's applicant passes ``dossier_code`` too: an applicant without an ID number (an
    organisation entered without its tax code, a citizen entered without an ID) is logged against the
    dossier alone. At least one of the two is required.
    """
    (row,) = _access_rows(viewer, purpose, [(subject_id_number, dossier_code)], path)
    row.save()
    return row


def personal_data_views_log(
    *,
    viewer: User | AnonymousUser | None,
    purpose: str,
    subjects: list[tuple[str, str]],
    path: str = "",
) -> int:
    """``personal_data_view_log`` for many people shown at once (an export such as the Mẫu 06 logbook).

    ``subjects``: ``(ID number, dossier code)`` of each person shown, at least one of the two each. One row
    per person, written in one statement; returns the number of rows.
    """
    rows = _access_rows(viewer, purpose, subjects, path)
    PersonalDataAccess.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _access_rows(
    viewer: User | AnonymousUser | None, purpose: str, subjects: list[tuple[str, str]], path: str
) -> list[PersonalDataAccess]:
    purpose = " ".join((purpose or "").split())
    cleaned = [((number or "").strip(), (code or "").strip()) for number, code in subjects]
    if not purpose or not all(number or code for number, code in cleaned):
        raise ValidationFailed(
            _("Cần ghi mục đích và người được xem khi truy cập dữ liệu cá nhân."), code="purpose_required"
        )
    user = viewer if isinstance(viewer, User) and viewer.is_authenticated else None
    now = clock.now()
    return [
        PersonalDataAccess(
            viewer=user,
            viewer_repr=f"{user} ({user.username})" if user is not None else "",
            subject_id_number=number,
            dossier_code=code[:64],
            purpose=purpose[:255],
            path=path[:500],
            at=now,
        )
        for number, code in cleaned
    ]


class DossierApplicant(Protocol):
    """What the access log reads of a dossier (``dossiers.Dossier``): its applicant's ID number, its code."""

    applicant_id_number: str


def dossier_applicant_view_log(
    *, viewer: Any, dossier: DossierApplicant, purpose: str, path: str = ""
) -> None:
    """Decree 13/2023: one access-log row per page, file or response that shows a dossier's applicant's data.

    Keyed by the applicant's ID number and the dossier code (``str(dossier)``); an applicant without an ID
    number (an organisation without its tax code, some counter intakes) is found by the dossier code alone.
    """
    personal_data_view_log(
        viewer=viewer,
        subject_id_number=dossier.applicant_id_number,
        dossier_code=str(dossier),
        purpose=purpose,
        path=path,
    )


def dossiers_applicants_view_log(
    *, viewer: Any, dossiers: Sequence[DossierApplicant], purpose: str, path: str = ""
) -> int:
    """``dossier_applicant_view_log`` for the applicants of many dossiers shown at once (the Mẫu 06
    logbook): one access-log row each, in one insert; returns the number of rows."""
    return personal_data_views_log(
        viewer=viewer,
        purpose=purpose,
        subjects=[(d.applicant_id_number, str(d)) for d in dossiers],
        path=path,
    )


def sandbox_client_ensure(*, redirect_uris: list[str] | None = None) -> object:
    """Shortcut to ``contrib.sandbox.services.sandbox_client_ensure`` (called by ``motcua load-demo``)."""
    from .contrib.sandbox.services import SANDBOX_PROVIDERS
    from .contrib.sandbox.services import sandbox_client_ensure as ensure

    if not redirect_uris:  # the demo: motcua is a client of the national portal's sandbox SSO too
        for provider in SANDBOX_PROVIDERS[1:]:
            ensure(provider=provider)

    return ensure(redirect_uris=redirect_uris)
