"""Writes on dossiers other than transitions: creating them (every state change goes through lifecycle)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from motcua.audit.services import audit_record
from motcua.catalog.selectors import procedure_version_by_code
from motcua.core import clock
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.core.refcache import refcache_get
from motcua.organisations.constants import Role
from motcua.organisations.selectors import unit_by_code, user_roles_by_unit

from .codes import dossier_code_issue
from .constants import CHANNEL_NAMES, Action, ApplicantKind, Channel
from .lifecycle import catalog_row, checklist_rows, creation_audit_data, dossier_transition
from .models import Dossier, DossierComponent
from .selectors import draft_owner_check

if TYPE_CHECKING:
    import datetime as dt

    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion
    from motcua.organisations.models import Unit

_CITIZEN_ID = re.compile(r"^[0-9]{12}$")
_TAX_CODE = re.compile(r"^[0-9]{10}(-?[0-9]{3})?$")
_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


@dataclass(frozen=True)
class Applicant:
    name: str
    kind: str = ApplicantKind.CITIZEN
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


def applicant_parse(data: dict[str, Any] | Applicant) -> Applicant:
    """Validate applicant data: 12-digit citizen ID for citizens, 10/13-digit tax code for organisations."""
    if isinstance(data, Applicant):
        data = data.__dict__
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    kind = str(data.get("kind") or ApplicantKind.CITIZEN)
    id_number = str(data.get("id_number") or "").strip()
    phone = re.sub(r"[\s.-]", "", str(data.get("phone") or ""))
    email = str(data.get("email") or "").strip()
    if not name:
        errors["name"] = ["Cần nhập họ tên người nộp."]
    if kind not in ApplicantKind.values:
        errors["kind"] = ["Loại người nộp không hợp lệ."]
    if id_number:
        if kind == ApplicantKind.CITIZEN and not _CITIZEN_ID.match(id_number):
            errors["id_number"] = ["Số định danh cá nhân gồm 12 chữ số."]
        if kind == ApplicantKind.ORGANISATION and not _TAX_CODE.match(id_number):
            errors["id_number"] = ["Mã số thuế gồm 10 hoặc 13 chữ số."]
    if phone and not _PHONE.match(phone):
        errors["phone"] = ["Số điện thoại không hợp lệ."]
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["email"] = ["Địa chỉ thư điện tử không hợp lệ."]
    if errors:
        raise ValidationFailed(
            "Thông tin người nộp không hợp lệ.", code="invalid", details={"applicant": errors}
        )
    return Applicant(
        name=name[:255],
        kind=kind,
        id_number=id_number,
        phone=phone,
        email=email,
        address=str(data.get("address") or "").strip()[:500],
    )


def _channel(value: int | str) -> Channel:
    if isinstance(value, str) and value in CHANNEL_NAMES:
        return CHANNEL_NAMES[value]
    try:
        return Channel(int(value))
    except (TypeError, ValueError):
        raise ValidationFailed(
            "Kênh nộp không hợp lệ.", code="invalid", details={"channel": ["counter, online hoặc post."]}
        ) from None


def _unit_in_force(code: str, day: dt.date) -> Unit:
    """``unit_by_code`` through the per-process reference cache (the instance is shared: read only)."""
    return refcache_get(("unit", str(code), day), lambda: unit_by_code(code, as_of=day))


def _version_in_force(code: str, day: dt.date) -> tuple[ProcedureVersion, frozenset[int]]:
    """The version of procedure ``code`` in force on ``day`` with its components, and the primary keys of the
    units offering it (none: every unit does), through the per-process reference cache (read only)."""

    def build() -> tuple[ProcedureVersion, frozenset[int]]:
        version = procedure_version_by_code(code, as_of=day, prefetch=("components",))
        return version, frozenset(version.units.values_list("pk", flat=True))

    return refcache_get(("version", str(code), day), build)


@transaction.atomic
def dossier_create(
    *,
    actor: User,
    procedure_code: str,
    unit_code: str,
    applicant: dict[str, Any] | Applicant,
    channel: int | str = Channel.COUNTER,
    owner: User | None = None,
) -> Dossier:
    """Create a dossier in the draft state with the procedure version in force today and its checklist."""
    dossier = _dossier_new(
        procedure_code=procedure_code, unit_code=unit_code, applicant=applicant, channel=channel, owner=owner
    )
    dossier.save(force_insert=True)
    DossierComponent.objects.bulk_create(
        catalog_row(dossier, c) for c in dossier.procedure_version.components.all()
    )
    audit_record(
        actor=actor,
        action="dossier.create",
        object_type="dossier",
        object_id=dossier.pk,
        data=creation_audit_data(dossier),
    )
    return dossier


def _dossier_new(
    *,
    procedure_code: str,
    unit_code: str,
    applicant: dict[str, Any] | Applicant,
    channel: int | str,
    owner: User | None = None,
    unit: Unit | None = None,
) -> Dossier:
    """A new dossier, not saved yet, of the procedure version in force today (its components prefetched).

    Checks the applicant's data and that the unit offers the procedure. ``unit``: the unit of ``unit_code``
    today if the caller has it already.
    """
    today = clock.today()
    parsed = applicant_parse(applicant)
    if unit is None:
        unit = _unit_in_force(unit_code, today)
    version, offered_by = _version_in_force(procedure_code, today)
    procedure = version.procedure
    if offered_by and unit.pk not in offered_by:
        raise ValidationFailed(
            f"Đơn vị {unit.name} không tiếp nhận thủ tục {procedure.code}.",
            code="procedure_not_offered",
            details={"unit": unit.code, "procedure": procedure.code},
        )
    return Dossier(
        procedure_version=version,
        unit=unit,
        channel=_channel(channel),
        owner=owner,
        applicant_kind=parsed.kind,
        applicant_name=parsed.name,
        applicant_id_number=parsed.id_number,
        applicant_phone=parsed.phone,
        applicant_email=parsed.email,
        applicant_address=parsed.address,
    )


def dossier_intake_counter(
    *,
    officer: User,
    procedure_code: str,
    unit_code: str,
    applicant: dict[str, Any] | Applicant,
    components: list[dict[str, Any]] | None = None,
    channel: int | str = Channel.COUNTER,
    note: str = "",
    also: Callable[[Dossier], None] | None = None,
) -> Dossier:
    """Counter intake: create the dossier and receive it at once (code issued, due time computed).

    ``also`` runs in the intake's transaction with the received dossier: what the caller keeps beside it (the
    e-form's answers) is saved with the dossier or not at all.

    ``components`` is the checklist of what the applicant handed in (each item: ``component`` id or ``name``,
    ``kind``, ``count``, ``received``, ``note``); catalog components it does not name count as not received.
    Without ``components`` the officer attests that every component of the procedure was handed in.
    The dossier is inserted once, already received, with one audit entry (``dossier.receive``, its
    creation under ``created``).

    Everything the officer can get wrong is checked before the dossier takes its number. Called outside a
    transaction (a request), the number is taken in a transaction of its own, so the day's sequence row of
    the agency stays locked for one statement instead of the whole intake, and the intake's own transaction
    follows; should that one fail (a database error), its number stays unused: a gap, never a duplicate.
    Inside a caller's transaction both are one transaction, as before.
    """
    unit = _unit_in_force(unit_code, clock.today())
    if Role.OFFICER not in user_roles_by_unit(officer).get(unit.pk, frozenset()):
        raise PermissionDenied("Chỉ cán bộ một cửa của đơn vị mới tiếp nhận được hồ sơ tại đơn vị này.")
    dossier = _dossier_new(
        procedure_code=procedure_code, unit_code=unit_code, applicant=applicant, channel=channel, unit=unit
    )
    if components is None:
        components = [{"component": c.pk} for c in dossier.procedure_version.components.all()]
    checklist = checklist_rows(dossier, components)
    dossier.code = dossier_code_issue(unit=unit, at=clock.now())
    with transaction.atomic():
        # The returned dossier carries its components and its receipt event (the API renders it as is).
        received = dossier_transition(
            dossier=dossier,
            action=Action.RECEIVE,
            actor=officer,
            note=note,
            created_here=True,
            components=checklist,
        )
        if also is not None:
            also(received)
        return received


@transaction.atomic
def dossier_draft_update(
    *,
    dossier: Dossier,
    actor: User,
    applicant: dict[str, Any] | Applicant | None = None,
    unit: Unit | None = None,
    components_received: list[int] | None = None,
) -> Dossier:
    """Edit an online draft as its owner: applicant data, the receiving unit, the checklist's "received" marks.

    Only the owner (``NotFound`` ``dossier_not_found``, as if it did not exist) and only in the draft state
    (``Conflict`` ``not_a_draft``). ``components_received``: primary keys of the draft's components that
    arrived (files attached); the others are marked not received. The unit must offer the procedure
    (``ValidationFailed`` ``procedure_not_offered``). Saves with ``update_fields``; one audit entry.
    """
    locked = Dossier.objects.select_for_update().select_related("procedure_version").get(pk=dossier.pk)
    draft_owner_check(locked, actor)
    fields: list[str] = []
    if applicant is not None:
        parsed = applicant_parse(applicant)
        locked.applicant_kind = parsed.kind
        locked.applicant_name = parsed.name
        locked.applicant_id_number = parsed.id_number
        locked.applicant_phone = parsed.phone
        locked.applicant_email = parsed.email
        locked.applicant_address = parsed.address
        fields += [
            "applicant_kind",
            "applicant_name",
            "applicant_id_number",
            "applicant_phone",
            "applicant_email",
            "applicant_address",
        ]
    if unit is not None and unit.pk != locked.unit_id:
        offered = locked.procedure_version.units
        if offered.exists() and not offered.filter(pk=unit.pk).exists():
            raise ValidationFailed(
                "Đơn vị đã chọn không tiếp nhận thủ tục này.",
                code="procedure_not_offered",
                details={"unit": unit.code},
            )
        locked.unit = unit
        fields.append("unit")
    if fields:
        locked.save(update_fields=fields)
    received: list[int] = []
    if components_received is not None:
        rows = locked.components.all()
        received = sorted(rows.filter(pk__in=components_received).values_list("pk", flat=True))
        rows.filter(pk__in=received).update(received=True)
        rows.exclude(pk__in=received).update(received=False)
    audit_record(
        actor=actor,
        action="dossier.draft_update",
        object_type="dossier",
        object_id=locked.pk,
        data={
            "fields": fields,
            **({"components_received": received} if components_received is not None else {}),
        },
    )
    return locked
