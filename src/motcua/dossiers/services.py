"""Writes on dossiers other than transitions: creating them (every state change goes through lifecycle)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from motcua.audit.services import audit_record
from motcua.catalog.selectors import procedure_get, procedure_version_in_force
from motcua.core import clock
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.organisations.constants import Role
from motcua.organisations.selectors import unit_by_code, user_roles_by_unit

from .constants import CHANNEL_NAMES, Action, ApplicantKind, Channel
from .lifecycle import dossier_transition
from .models import Dossier, DossierComponent

if TYPE_CHECKING:
    from motcua.accounts.models import User

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
    today = clock.today()
    parsed = applicant_parse(applicant)
    unit = unit_by_code(unit_code, as_of=today)
    procedure = procedure_get(procedure_code, as_of=today)
    version = procedure_version_in_force(procedure, as_of=today)
    units = list(version.units.all())
    if units and unit not in units:
        raise ValidationFailed(
            f"Đơn vị {unit.name} không tiếp nhận thủ tục {procedure.code}.",
            code="procedure_not_offered",
            details={"unit": unit.code, "procedure": procedure.code},
        )
    dossier = Dossier.objects.create(
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
    DossierComponent.objects.bulk_create(
        DossierComponent(
            dossier=dossier, component=c, name=c.name, kind=c.kind, count=c.count, required=c.required
        )
        for c in version.components.all()
    )
    audit_record(
        actor=actor,
        action="dossier.create",
        object_type="dossier",
        object_id=dossier.pk,
        data={"procedure": procedure.code, "version": version.version, "unit": unit.code},
    )
    return dossier


@transaction.atomic
def dossier_intake_counter(
    *,
    officer: User,
    procedure_code: str,
    unit_code: str,
    applicant: dict[str, Any] | Applicant,
    components: list[dict[str, Any]] | None = None,
    channel: int | str = Channel.COUNTER,
    note: str = "",
) -> Dossier:
    """Counter intake: create the dossier and receive it at once (code issued, due time computed).

    ``components`` is the checklist of what the applicant handed in (each item: ``component`` id or ``name``,
    ``kind``, ``count``, ``received``, ``note``); catalog components it does not name count as not received.
    Without ``components`` the officer attests that every component of the procedure was handed in.
    """
    unit = unit_by_code(unit_code)
    if Role.OFFICER not in user_roles_by_unit(officer).get(unit.pk, frozenset()):
        raise PermissionDenied("Chỉ cán bộ một cửa của đơn vị mới tiếp nhận được hồ sơ tại đơn vị này.")
    dossier = dossier_create(
        actor=officer,
        procedure_code=procedure_code,
        unit_code=unit_code,
        applicant=applicant,
        channel=channel,
    )
    if components is None:
        dossier.components.update(received=True)
    return dossier_transition(
        dossier=dossier, action=Action.RECEIVE, actor=officer, note=note, components=components
    )
