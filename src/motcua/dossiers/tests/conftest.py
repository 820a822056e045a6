from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import override_settings

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.core import clock
from motcua.organisations.constants import Level, Role
from motcua.organisations.models import Unit

from .factories import UnitFactory, procedure_version, staff

# Monday 10 March 2025, 10:00 in Vietnam: an ordinary working day.
MONDAY_10 = dt.datetime(2025, 3, 10, 10, 0, tzinfo=clock.VN_TZ)

IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class World:
    province: Unit
    unit_a: Unit
    unit_b: Unit
    officer_a: User
    specialist_a: User
    leader_a: User
    officer_b: User
    specialist_b: User
    leader_p: User
    version: ProcedureVersion


@pytest.fixture
def frozen() -> Iterator[dt.datetime]:
    with clock.frozen(MONDAY_10):
        yield MONDAY_10


@pytest.fixture
def immediate_tasks() -> Iterator[None]:
    with override_settings(TASKS=IMMEDIATE_TASKS):
        yield


@pytest.fixture
def world(db: None) -> World:
    province = UnitFactory(code="25", name="Tỉnh Vĩnh Phúc", level=Level.PROVINCE, agency_code="")
    unit_a = UnitFactory(code="8707", name="Phường Vĩnh Yên", parent=province, agency_code="000.00.14.H56")
    unit_b = UnitFactory(code="9001", name="Xã Tam Đảo", parent=province, agency_code="000.00.15.H56")
    return World(
        province=province,
        unit_a=unit_a,
        unit_b=unit_b,
        officer_a=staff(unit_a, Role.OFFICER, username="motcua_a"),
        specialist_a=staff(unit_a, Role.SPECIALIST, username="chuyenvien_a"),
        leader_a=staff(unit_a, Role.LEADER, username="lanhdao_a"),
        officer_b=staff(unit_b, Role.OFFICER, username="motcua_b"),
        specialist_b=staff(unit_b, Role.SPECIALIST, username="chuyenvien_b"),
        leader_p=staff(province, Role.LEADER, username="lanhdao_tinh"),
        version=procedure_version(code="1.001193"),
    )
