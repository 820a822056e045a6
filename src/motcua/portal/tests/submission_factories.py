"""A unit receiving an online procedure with two required components, citizens and an officer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client

from motcua.accounts.models import User
from motcua.accounts.tests.factories import CitizenFactory
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.tests.factories import UnitFactory, procedure_version, staff
from motcua.identity.constants import SESSION_ASSURANCE_LEVEL
from motcua.organisations.constants import Role
from motcua.organisations.models import Unit


@dataclass
class World:
    unit: Unit
    version: ProcedureVersion
    citizen: User
    other: User
    officer: User

    @property
    def code(self) -> str:
        return self.version.procedure.code


def make_world(**version_values: Any) -> World:
    unit = UnitFactory(name="UBND xã Tam Hồng", code="25001")
    version = procedure_version(units=(unit,))
    for name, value in version_values.items():
        setattr(version, name, value)
    version.save()
    citizen = CitizenFactory(
        username="cd-an", full_name="Nguyễn Văn An", citizen_id="026090001234", phone="0912345678"
    )
    citizen.email = "an@example.vn"
    citizen.save(update_fields=["email"])
    other = CitizenFactory(username="cd-binh", full_name="Trần Thị Bình", citizen_id="026090005678")
    officer = User.objects.get(pk=staff(unit, Role.OFFICER, username="motcua-1").pk)
    return World(unit, version, citizen, other, officer)


def login(client: Client, user: User, level: int | None = 2) -> Client:
    """Log ``user`` in as the e-ID login would: the account plus the assurance level in the session."""
    client.force_login(user)
    if level is not None:
        session = client.session
        session[SESSION_ASSURANCE_LEVEL] = level
        session.save()
    return client
