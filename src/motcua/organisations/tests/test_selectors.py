from __future__ import annotations

import datetime as dt

import pytest

from motcua.core import clock
from motcua.core.errors import Conflict, NotFound
from motcua.organisations.constants import Level, Role
from motcua.organisations.models import Unit
from motcua.organisations.selectors import (
    unit_by_code,
    unit_current_successor,
    unit_current_successors,
    unit_descendants,
    unit_predecessors,
    unit_successors,
    units_for_user,
    units_valid_on,
    units_visible_to,
)
from motcua.organisations.tests.factories import MembershipFactory, UnitFactory

LAST_OLD_DAY = dt.date(2025, 6, 30)
REFORM = dt.date(2025, 7, 1)


def test_reused_code_names_two_units_depending_on_the_date(demo_units: int) -> None:
    before = unit_by_code("8707", as_of=LAST_OLD_DAY)
    after = unit_by_code("8707", as_of=REFORM)
    assert before.pk != after.pk
    assert before.name == "Phường Tích Sơn"
    assert before.parent is not None
    assert before.parent.code == "243"
    assert after.name == "Phường Vĩnh Yên"
    assert after.parent is not None
    assert after.parent.code == "25"


def test_unit_by_code_defaults_to_today(demo_units: int) -> None:
    with clock.frozen(dt.datetime(2025, 6, 30, 23, 30, tzinfo=clock.VN_TZ)):
        assert unit_by_code("8707").name == "Phường Tích Sơn"
    with clock.frozen(dt.datetime(2025, 6, 30, 17, 30, tzinfo=dt.UTC)):  # 00:30 on 1 July in Vietnam
        assert unit_by_code("8707").name == "Phường Vĩnh Yên"


def test_unit_by_code_raises_not_found_in_vietnamese(demo_units: int) -> None:
    with pytest.raises(NotFound) as info:
        unit_by_code("243", as_of=REFORM)  # the district of Vĩnh Yên closed on 2025-06-30
    assert info.value.code == "unit_not_found"
    assert "Không tìm thấy đơn vị có mã 243" in info.value.message
    assert unit_by_code("243", as_of=LAST_OLD_DAY).level == Level.DISTRICT
    with pytest.raises(NotFound):
        unit_by_code("nope", as_of=REFORM)


def test_units_valid_on_before_and_after_the_reform(demo_units: int) -> None:
    assert units_valid_on(LAST_OLD_DAY, level=Level.COMMUNE).count() == 121
    assert units_valid_on(LAST_OLD_DAY, level=Level.DISTRICT).count() == 9
    assert units_valid_on(LAST_OLD_DAY, level=Level.DEPARTMENT).count() == 8
    assert units_valid_on(REFORM, level=Level.COMMUNE).count() == 148
    assert units_valid_on(REFORM, level=Level.DISTRICT).count() == 0
    assert units_valid_on(REFORM, level=Level.DEPARTMENT).count() == 9
    vinh_yen_city = unit_by_code("243", as_of=LAST_OLD_DAY)
    communes = units_valid_on(LAST_OLD_DAY, parent=vinh_yen_city)
    assert {u.code for u in communes} >= {"8707", "8716"}
    assert all(u.level == Level.COMMUNE for u in communes)


def test_unit_descendants_loads_the_tree_once(demo_units: int, django_assert_num_queries) -> None:
    province = unit_by_code("26", as_of=LAST_OLD_DAY)
    with django_assert_num_queries(2):
        below = list(unit_descendants(province, include_self=False))
    assert len(below) == 8 + 1 + 9 + 121
    assert province not in below
    district = unit_by_code("243", as_of=LAST_OLD_DAY)
    with_self = list(unit_descendants(district))
    assert district in with_self
    assert {u.level for u in with_self} == {Level.DISTRICT, Level.COMMUNE}
    new_province = unit_by_code("25", as_of=REFORM)
    assert len(list(unit_descendants(new_province, as_of=REFORM))) == 1 + 9 + 1 + 148


def test_successions_follow_the_reform(demo_units: int) -> None:
    old_province = unit_by_code("26", as_of=LAST_OLD_DAY)
    new_province = unit_by_code("25", as_of=REFORM)
    assert unit_successors(old_province) == [new_province]
    assert old_province in unit_predecessors(new_province)

    tich_son = unit_by_code("8707", as_of=LAST_OLD_DAY)
    vinh_yen = unit_by_code("8707", as_of=REFORM)
    assert unit_current_successor(tich_son, REFORM) == vinh_yen
    assert tich_son in unit_predecessors(vinh_yen)
    assert unit_current_successor(vinh_yen, REFORM) == vinh_yen
    assert unit_current_successor(tich_son, LAST_OLD_DAY) == tich_son

    environment = unit_by_code("26-STNMT", as_of=LAST_OLD_DAY)
    assert unit_current_successor(environment, REFORM) == unit_by_code("25-SNNMT", as_of=REFORM)

    district = unit_by_code("243", as_of=LAST_OLD_DAY)
    successors = unit_current_successors(district, REFORM)
    assert len(successors) > 1
    assert all(u.level == Level.COMMUNE and u.is_valid_on(REFORM) for u in successors)
    assert vinh_yen in successors
    with pytest.raises(Conflict) as info:
        unit_current_successor(district, REFORM)
    assert info.value.code == "ambiguous_successor"


def test_current_successor_follows_chains_and_dead_ends(db: None) -> None:
    a = UnitFactory(code="A", valid_to=dt.date(2020, 12, 31))
    b = UnitFactory(code="B", valid_from=dt.date(2021, 1, 1), valid_to=dt.date(2022, 12, 31))
    c = UnitFactory(code="C", valid_from=dt.date(2023, 1, 1))
    closed = UnitFactory(code="D", valid_to=dt.date(2020, 12, 31))
    a.successions.create(successor=b, effective_date=dt.date(2021, 1, 1))
    b.successions.create(successor=c, effective_date=dt.date(2023, 1, 1))
    assert unit_current_successor(a, dt.date(2024, 1, 1)) == c
    assert unit_current_successor(a, dt.date(2021, 6, 1)) == b
    assert unit_current_successor(closed, dt.date(2024, 1, 1)) is None


@pytest.fixture
def small_tree(db: None) -> dict[str, Unit]:
    province = UnitFactory(code="P", level=Level.PROVINCE)
    d1 = UnitFactory(code="D1", level=Level.DISTRICT, parent=province)
    d2 = UnitFactory(code="D2", level=Level.DISTRICT, parent=province)
    return {
        "P": province,
        "D1": d1,
        "D2": d2,
        "C1": UnitFactory(code="C1", parent=d1),
        "C2": UnitFactory(code="C2", parent=d1),
        "C3": UnitFactory(code="C3", parent=d2),
    }


def test_units_for_user_and_visible_to(small_tree: dict[str, Unit]) -> None:
    officer = MembershipFactory(unit=small_tree["C3"], role=Role.OFFICER).user
    MembershipFactory(user=officer, unit=small_tree["C1"], role=Role.SPECIALIST)
    leader = MembershipFactory(unit=small_tree["D1"], role=Role.LEADER).user

    assert {u.code for u in units_for_user(officer)} == {"C1", "C3"}
    assert {u.code for u in units_for_user(officer, roles=[Role.OFFICER])} == {"C3"}
    assert {u.code for u in units_visible_to(officer)} == {"C1", "C3"}  # not a leader: nothing below
    assert {u.code for u in units_visible_to(leader)} == {"D1", "C1", "C2"}
    assert {u.code for u in units_for_user(leader, roles=[Role.OFFICER])} == set()


def test_superuser_sees_every_unit_and_anonymous_none(small_tree: dict[str, Unit]) -> None:
    from django.contrib.auth.models import AnonymousUser

    from motcua.accounts.tests.factories import UserFactory

    admin = UserFactory(is_superuser=True)
    assert units_visible_to(admin).count() == len(small_tree)
    assert units_visible_to(AnonymousUser()).count() == 0  # type: ignore[arg-type]
    assert units_for_user(AnonymousUser()).count() == 0  # type: ignore[arg-type]
