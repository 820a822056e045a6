from __future__ import annotations

import datetime as dt

import factory

from motcua.accounts.tests.factories import UserFactory
from motcua.organisations.constants import Level, Role
from motcua.organisations.models import Membership, Unit, UnitSuccession


class UnitFactory(factory.django.DjangoModelFactory):
    """A commune valid forever (override ``valid_from``/``valid_to``/``parent`` as needed)."""

    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    level = Level.COMMUNE
    has_one_stop_desk = True


class UnitSuccessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitSuccession

    predecessor = factory.SubFactory(UnitFactory)
    successor = factory.SubFactory(UnitFactory)
    effective_date = dt.date(2025, 7, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.OFFICER
