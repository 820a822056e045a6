"""Factories for dossier tests: a small unit tree, staff with roles, a procedure with steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory

from motcua.accounts.models import User
from motcua.accounts.tests.factories import UserFactory as AccountUserFactory
from motcua.catalog.constants import PublicationStatus, SupplementRule
from motcua.catalog.models import Component, Field, Procedure, ProcedureVersion, ProcessStep
from motcua.core import clock
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.organisations.constants import Level, Role
from motcua.organisations.models import Membership, Unit
from motcua.worktime.constants import LimitUnit


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04}")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    level = Level.COMMUNE
    agency_code = factory.Sequence(lambda n: f"000.00.{n:02}.H56")


class UserFactory(AccountUserFactory):
    username = factory.Sequence(lambda n: f"canbo{n}")
    full_name = factory.Sequence(lambda n: f"Cán bộ {n}")


def staff(unit: Unit, *roles: str, username: str | None = None) -> User:
    user = UserFactory(**({"username": username} if username else {}))
    for role in roles:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = "HT"
    name = "Hộ tịch"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"1.{n:06}")
    name = "Đăng ký khai sinh"
    field = factory.SubFactory(FieldFactory)


def procedure_version(
    *,
    code: str | None = None,
    limit: int = 3,
    unit: str = LimitUnit.DAYS,
    rule: str = SupplementRule.PAUSE,
    steps: tuple[tuple[str, str, str], ...] = (
        ("Tiếp nhận, chuyển hồ sơ", Role.OFFICER, "4"),
        ("Thẩm định, xử lý", Role.SPECIALIST, "12"),
        ("Phê duyệt", Role.LEADER, "8"),
    ),
    units: tuple[Unit, ...] = (),
) -> ProcedureVersion:
    procedure = ProcedureFactory(**({"code": code} if code else {}))
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        version=1,
        status=PublicationStatus.PUBLISHED,
        valid_from=dt.date(2020, 1, 1),
        name=procedure.name,
        level=Level.COMMUNE,
        time_limit_value=limit,
        time_limit_unit=unit,
        online_mode="partial",
        supplement_rule=rule,
    )
    Component.objects.create(version=version, order=1, name="Tờ khai đăng ký khai sinh", required=True)
    Component.objects.create(version=version, order=2, name="Giấy chứng sinh", required=True)
    Component.objects.create(version=version, order=3, name="Giấy tờ khác", required=False)
    for order, (name, role, hours) in enumerate(steps, start=1):
        ProcessStep.objects.create(
            version=version,
            order=order,
            name=name,
            role=role,
            unit_level=Level.COMMUNE,
            budget_hours=Decimal(hours),
        )
    if units:
        version.units.set(units)
    return version


def dossier_in(
    status: str,
    *,
    version: ProcedureVersion,
    unit: Unit,
    owner: User | None = None,
    due_in_days: int = 10,
    **fields: Any,
) -> Dossier:
    """A dossier put straight into ``status`` (fixture shortcut; real dossiers move through lifecycle)."""
    now = clock.now()
    received = status not in {Status.DRAFT, Status.SUBMITTED, Status.NOT_RECEIVED}
    values: dict[str, Any] = {
        "procedure_version": version,
        "unit": unit,
        "owner": owner,
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "026012345612",
        "applicant_email": "an@example.vn",
        "applicant_phone": "0912345678",
        "status": status,
        "code": f"{unit.code}-{Dossier.objects.count() + 1:06}" if status != Status.DRAFT else None,
    }
    if received:
        due = now + dt.timedelta(days=due_in_days)
        values.update(received_at=now - dt.timedelta(hours=1), due_at=due, statutory_due_at=due)
    if status == Status.AWAITING_SUPPLEMENT:
        values.update(paused_at=now, remaining_minutes=600, supplement_requests=1)
    if status == Status.RESOLVED:
        values.update(finished_at=now)
    if "due_at" in fields and "statutory_due_at" not in fields:
        # a dossier "due at X" without an extension: the statutory due is the same instant
        values["statutory_due_at"] = fields["due_at"]
    values.update(fields)
    dossier = Dossier.objects.create(**values)
    for c in version.components.all():
        DossierComponent.objects.create(
            dossier=dossier, component=c, name=c.name, required=c.required, received=True
        )
    return dossier


INTERNAL_NOTE = "Ghi chú nội bộ: xác minh lại hộ khẩu"


def citizen_dossier_with_internal_note(*, version: ProcedureVersion, unit: Unit, specialist: User) -> Dossier:
    """A processing dossier owned by a new citizen, with a staff event whose note only staff may read."""
    from motcua.accounts.tests.factories import CitizenFactory
    from motcua.dossiers.models import DossierEvent

    dossier = dossier_in(Status.PROCESSING, version=version, unit=unit, owner=CitizenFactory())
    DossierEvent.objects.create(
        dossier=dossier,
        action="assign",
        actor=specialist,
        at=clock.now(),
        note=INTERNAL_NOTE,
        to_status=Status.PROCESSING,
    )
    return dossier
