from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory

from motcua.catalog.constants import ComponentKind, OnlineMode, PublicationStatus
from motcua.catalog.models import Component, Fee, Field, Procedure, ProcedureVersion, ProcessStep
from motcua.catalog.services import procedure_search_text
from motcua.organisations.constants import Level, Role
from motcua.worktime.constants import LimitUnit


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"F{n:03d}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class ProcedureFactory(factory.django.DjangoModelFactory):
    """A procedure whose ``search_text`` is filled as the services fill it."""

    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    field = factory.SubFactory(FieldFactory)
    search_text = factory.LazyAttribute(
        lambda o: procedure_search_text(code=o.code, name=o.name, field_name=o.field.name)
    )


class ProcedureVersionFactory(factory.django.DjangoModelFactory):
    """Version 1, published, valid from 2019-01-01 without end, 3 working days, commune level."""

    class Meta:
        model = ProcedureVersion
        skip_postgeneration_save = True

    procedure = factory.SubFactory(ProcedureFactory)
    version = 1
    status = PublicationStatus.PUBLISHED
    valid_from = dt.date(2019, 1, 1)
    valid_to = None
    name = factory.LazyAttribute(lambda o: o.procedure.name)
    level = Level.COMMUNE
    time_limit_value = 3
    time_limit_unit = LimitUnit.DAYS
    online_mode = OnlineMode.PARTIAL

    @factory.post_generation
    def units(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.units.set(extracted)


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Component

    version = factory.SubFactory(ProcedureVersionFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Giấy tờ {n}")
    kind = ComponentKind.ORIGINAL


class FeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fee

    version = factory.SubFactory(ProcedureVersionFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = "Lệ phí"
    amount_vnd = 10000


class ProcessStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessStep

    version = factory.SubFactory(ProcedureVersionFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = "Xử lý"
    role = Role.SPECIALIST
    unit_level = Level.COMMUNE
    budget_hours = Decimal(8)
