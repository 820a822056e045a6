"""Writes of the petitions: submit (routing + due time) and answer (audited, the citizen notified).

Routing: the dossier's unit; else the unit chosen; else the procedure's offering unit (the units of its
version in force). Due time: ``MOTCUA_PETITION_ANSWER_DAYS`` working days after submission, with the one
working-day clock (``worktime.services.get_calendar``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from motcua.audit.services import audit_record
from motcua.catalog.constants import PublicationStatus
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.core import clock, formatting
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.notifications.services import message_queue
from motcua.organisations.models import Unit
from motcua.organisations.selectors import user_roles_by_unit
from motcua.worktime.services import get_calendar

from .constants import (
    ANSWER_MAX,
    ANSWER_ROLES,
    CONTENT_MAX,
    DEFAULT_ANSWER_DAYS,
    NAME_MAX,
    THROTTLE_PER_HOUR,
    TITLE_MAX,
    PetitionStatus,
    Subject,
)
from .models import Petition

_PHONE = re.compile(r"^\+?[0-9]{8,15}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def answer_days() -> int:
    """The answer limit in working days (``MOTCUA_PETITION_ANSWER_DAYS``, default 10; at least 1)."""
    try:
        return max(1, int(getattr(settings, "MOTCUA_PETITION_ANSWER_DAYS", DEFAULT_ANSWER_DAYS)))
    except (TypeError, ValueError):
        return DEFAULT_ANSWER_DAYS


def petition_due(submitted_at: dt.datetime) -> dt.datetime:
    """The answer's due time: ``answer_days()`` working days after ``submitted_at`` (worktime's clock)."""
    return get_calendar().add_working_days(submitted_at, answer_days())


def client_key(address: str) -> str:
    """A hash of the sender's address (IP): the throttle's key, never the address itself."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:64] if address else ""


@dataclass(frozen=True)
class PetitionInput:
    subject: str
    title: str
    content: str
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    dossier_code: str = ""
    unit_code: str = ""
    procedure_code: str = ""
    publish_consent: bool = False


def _clean(value: Any, limit: int) -> str:
    text = _CONTROL.sub("", str(value or "")).strip()
    return text[: limit + 1]


def _unit_by_code(code: str) -> Unit | None:
    today = clock.now().astimezone(clock.VN_TZ).date()
    qs = Unit.objects.filter(code=code).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    return qs.order_by("-valid_from").first()


def _offering_unit(procedure: Procedure, chosen: Unit | None) -> Unit | None:
    today = clock.now().astimezone(clock.VN_TZ).date()
    version = (
        ProcedureVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today),
            procedure=procedure,
            status=PublicationStatus.PUBLISHED,
        )
        .order_by("-valid_from")
        .first()
    )
    if version is None:
        return None
    units = list(version.units.order_by("code"))
    if chosen is not None and any(u.pk == chosen.pk for u in units):
        return chosen
    return units[0] if units else None


def _route(
    data: PetitionInput, errors: dict[str, str]
) -> tuple[Unit | None, Dossier | None, Procedure | None]:
    dossier = procedure = unit = None
    if data.subject == Subject.DOSSIER:
        code = data.dossier_code.strip()
        dossier = Dossier.objects.select_related("unit").filter(code=code).first() if code else None
        if dossier is None:
            errors["dossier_code"] = "Không tìm thấy hồ sơ có mã này."
        else:
            unit = dossier.unit
    elif data.subject == Subject.UNIT:
        unit = _unit_by_code(data.unit_code.strip()) if data.unit_code.strip() else None
        if unit is None:
            errors["unit_code"] = "Vui lòng chọn cơ quan, đơn vị."
    elif data.subject == Subject.PROCEDURE:
        code = data.procedure_code.strip()
        procedure = Procedure.objects.filter(code=code).first() if code else None
        chosen = _unit_by_code(data.unit_code.strip()) if data.unit_code.strip() else None
        if procedure is None:
            errors["procedure_code"] = "Không tìm thấy thủ tục có mã này."
        else:
            unit = _offering_unit(procedure, chosen)
            if unit is None:
                errors["procedure_code"] = "Thủ tục này chưa có đơn vị thực hiện."
    else:
        errors["subject"] = "Vui lòng chọn nội dung phản ánh (hồ sơ, đơn vị hoặc thủ tục)."
    return unit, dossier, procedure


def _new_code(now: dt.datetime) -> str:
    return f"PA-{now.astimezone(clock.VN_TZ):%y%m%d}-{secrets.token_hex(3).upper()}"


@transaction.atomic
def petition_submit(*, data: PetitionInput, user: Any = None, address: str = "") -> Petition:
    """Check, route and store a petition; its due time is ``answer_days()`` working days later.

    Raises ``ValidationFailed`` (code ``invalid``, ``details`` = {field: Vietnamese message}) or
    ``ValidationFailed`` with code ``throttled`` (more than ``THROTTLE_PER_HOUR`` in the last hour from one
    address or contact)."""
    logged_in = user is not None and getattr(user, "is_authenticated", False)
    title, content = _clean(data.title, TITLE_MAX), _clean(data.content, CONTENT_MAX)
    name = _clean(data.contact_name, NAME_MAX) or (
        (getattr(user, "full_name", "") or str(user)) if logged_in else ""
    )
    phone = re.sub(r"[\s.-]", "", _clean(data.contact_phone, 40))
    email = _clean(data.contact_email, 254)
    if logged_in and not phone and not email:
        phone, email = getattr(user, "phone", "") or "", getattr(user, "email", "") or ""
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Vui lòng nhập tiêu đề."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Tiêu đề dài tối đa {TITLE_MAX} ký tự."
    if not content:
        errors["content"] = "Vui lòng nhập nội dung phản ánh, kiến nghị."
    elif len(content) > CONTENT_MAX:
        errors["content"] = f"Nội dung dài tối đa {CONTENT_MAX} ký tự."
    if not name:
        errors["contact_name"] = "Vui lòng nhập họ và tên."
    elif len(name) > NAME_MAX:
        errors["contact_name"] = f"Họ và tên dài tối đa {NAME_MAX} ký tự."
    if phone and not _PHONE.match(phone):
        errors["contact_phone"] = "Số điện thoại không hợp lệ."
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["contact_email"] = "Địa chỉ thư điện tử không hợp lệ."
    if not logged_in and not phone and not email and "contact_phone" not in errors:
        errors["contact_phone"] = "Vui lòng nhập số điện thoại hoặc thư điện tử để nhận trả lời."
    unit, dossier, procedure = _route(data, errors)
    if errors:
        raise ValidationFailed("Thông tin phản ánh chưa hợp lệ.", code="invalid", details=errors)
    now = clock.now()
    key = client_key(address)
    since = now - timedelta(hours=1)
    recent = Q()
    if key:
        recent |= Q(client_key=key)
    if phone:
        recent |= Q(contact_phone=phone)
    if email:
        recent |= Q(contact_email__iexact=email)
    if logged_in:
        recent |= Q(sender=user)
    if recent and Petition.objects.filter(recent, submitted_at__gte=since).count() >= THROTTLE_PER_HOUR:
        raise ValidationFailed(
            "Ông/bà đã gửi nhiều phản ánh trong một giờ qua; vui lòng thử lại sau.", code="throttled"
        )
    assert unit is not None
    petition = Petition.objects.create(
        code=_new_code(now),
        subject=data.subject,
        unit=unit,
        dossier=dossier,
        procedure=procedure or (dossier.procedure_version.procedure if dossier else None),
        title=title,
        content=content,
        sender=user if logged_in else None,
        contact_name=name,
        contact_phone=phone,
        contact_email=email,
        publish_consent=bool(data.publish_consent),
        client_key=key,
        submitted_at=now,
        due_at=petition_due(now),
    )
    message_queue(
        event="petition_received",
        key=f"petition:{petition.code}:received",
        email=email,
        phone=phone,
        context={
            "name": name,
            "code": petition.code,
            "unit": unit.name,
            "submitted": formatting.instant(now),
            "due": formatting.instant(petition.due_at),
            "track_url": _track_url(petition),
        },
        object_type="petition",
        object_id=petition.code,
    )
    return petition


def can_answer(user: Any, petition: Petition) -> bool:
    """Staff holding an answering role (officer, specialist, leader) in the petition's unit."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user_roles_by_unit(user).get(petition.unit_id, frozenset()) & ANSWER_ROLES)


@transaction.atomic
def petition_answer(*, petition: Petition, user: Any, answer: str) -> Petition:
    """Record the answer (once), audit it and send it to the citizen by the contact given.

    Raises ``PermissionDenied`` (not the unit's staff), ``ValidationFailed`` (``invalid`` or
    ``already_answered``)."""
    locked = Petition.objects.select_for_update().select_related("unit").get(pk=petition.pk)
    if not can_answer(user, locked):
        raise PermissionDenied("Ông/bà không có quyền trả lời phản ánh của đơn vị này.")
    if locked.status == PetitionStatus.ANSWERED:
        raise ValidationFailed("Phản ánh này đã được trả lời.", code="already_answered")
    text = _clean(answer, ANSWER_MAX)
    if not text:
        raise ValidationFailed(
            "Vui lòng nhập nội dung trả lời.",
            code="invalid",
            details={"answer": "Vui lòng nhập nội dung trả lời."},
        )
    if len(text) > ANSWER_MAX:
        raise ValidationFailed(
            f"Nội dung trả lời dài tối đa {ANSWER_MAX} ký tự.",
            code="invalid",
            details={"answer": f"Nội dung trả lời dài tối đa {ANSWER_MAX} ký tự."},
        )
    now = clock.now()
    locked.answer, locked.answered_at, locked.answered_by = text, now, user
    locked.status = PetitionStatus.ANSWERED
    locked.save(update_fields=["answer", "answered_at", "answered_by", "status"])
    audit_record(
        actor=user,
        action="petition.answer",
        object_type="petition",
        object_id=locked.code,
        data={"unit": locked.unit.code, "on_time": now <= locked.due_at},
    )
    message_queue(
        event="petition_answered",
        key=f"petition:{locked.code}:answered",
        email=locked.contact_email,
        phone=locked.contact_phone,
        context={
            "name": locked.contact_name,
            "code": locked.code,
            "unit": locked.unit.name,
            "answer": text,
            "track_url": _track_url(locked),
        },
        object_type="petition",
        object_id=locked.code,
    )
    return locked


def _track_url(petition: Petition) -> str:
    base = str(getattr(settings, "MOTCUA_PUBLIC_URL", "") or "").rstrip("/")
    return f"{base}/phan-anh-kien-nghi/tra-cuu/?ma={petition.code}"
