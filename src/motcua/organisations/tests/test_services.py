from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.accounts.tests.factories import CitizenFactory, UserFactory
from motcua.core import clock
from motcua.core.errors import ValidationFailed
from motcua.organisations.admin import UnitForm
from motcua.organisations.constants import Level, Role
from motcua.organisations.models import Membership, Unit
from motcua.organisations.services import membership_grant, membership_revoke, unit_create
from motcua.organisations.tests.factories import UnitFactory
from motcua.organisations.validation import period_within, periods_overlap

D = dt.date


@pytest.mark.django_db
def test_unit_create_refuses_overlapping_periods_for_one_code() -> None:
    unit_create(code="8707", name="Phường Tích Sơn", level=Level.COMMUNE, valid_to=D(2025, 6, 30))
    with pytest.raises(ValidationFailed) as info:
        unit_create(code="8707", name="Phường Vĩnh Yên", level=Level.COMMUNE, valid_from=D(2025, 6, 30))
    assert info.value.code == "invalid_unit"
    assert "valid_from" in info.value.details
    assert "Phường Tích Sơn" in info.value.message
    with pytest.raises(ValidationFailed):  # open start overlaps everything before 2025-06-30
        unit_create(code="8707", name="X", level=Level.COMMUNE, valid_to=D(2001, 1, 1))
    assert Unit.objects.filter(code="8707").count() == 1

    new = unit_create(code="8707", name="Phường Vĩnh Yên", level=Level.COMMUNE, valid_from=D(2025, 7, 1))
    assert new.name_folded == "phuong vinh yen"
    assert Unit.objects.filter(code="8707").count() == 2


@pytest.mark.django_db
def test_unit_create_validates_fields_and_parent_period() -> None:
    with pytest.raises(ValidationFailed) as info:
        unit_create(code=" ", name="", level="village")
    assert set(info.value.details) == {"code", "name", "level"}
    with pytest.raises(ValidationFailed) as info:
        unit_create(code="X", name="X", level=Level.COMMUNE, valid_from=D(2025, 1, 2), valid_to=D(2025, 1, 1))
    assert set(info.value.details) == {"valid_to"}
    province = unit_create(code="25", name="Tỉnh Phú Thọ", level=Level.PROVINCE, valid_from=D(2025, 7, 1))
    with pytest.raises(ValidationFailed) as info:
        unit_create(code="X", name="X", level=Level.COMMUNE, parent=province)  # open start, parent from 2025
    assert set(info.value.details) == {"parent"}
    child = unit_create(code="X", name="X", level=Level.COMMUNE, parent=province, valid_from=D(2025, 7, 1))
    assert child.parent == province


@pytest.mark.django_db
def test_admin_form_refuses_overlap_and_accepts_editing_itself() -> None:
    unit = UnitFactory(code="8707", valid_to=D(2025, 6, 30))
    data = {"code": "8707", "name": "Phường Vĩnh Yên", "level": Level.COMMUNE, "valid_from": "2025-06-01"}
    form = UnitForm(data=data)
    assert not form.is_valid()
    assert "valid_from" in form.errors
    form = UnitForm(data={**data, "valid_from": "2025-07-01"})
    assert form.is_valid(), form.errors
    edit = UnitForm(
        instance=unit,
        data={"code": "8707", "name": "Phường Tích Sơn", "level": Level.COMMUNE, "valid_to": "2025-06-29"},
    )
    assert edit.is_valid(), edit.errors
    edit.save()
    unit.refresh_from_db()
    assert unit.valid_to == D(2025, 6, 29)
    assert unit.name_folded == "phuong tich son"
    itself = UnitForm(
        instance=unit, data={"code": "8707", "name": "X", "level": Level.COMMUNE, "parent": unit.pk}
    )
    assert not itself.is_valid()
    assert "parent" in itself.errors


@pytest.mark.django_db
def test_save_with_update_fields_keeps_the_search_key_in_step() -> None:
    unit = UnitFactory(name="Xã Cũ")
    unit.name = "Phường Đống Đa"
    unit.save(update_fields=["name"])
    unit.refresh_from_db()
    assert unit.name_folded == "phuong dong da"


@pytest.mark.django_db
def test_membership_grant_is_idempotent_and_revoke_reports() -> None:
    user, unit = UserFactory(), UnitFactory()
    first = membership_grant(user=user, unit=unit, role=Role.OFFICER)
    again = membership_grant(user=user, unit=unit, role=Role.OFFICER)
    assert first.pk == again.pk
    membership_grant(user=user, unit=unit, role=Role.LEADER)
    assert Membership.objects.filter(user=user).count() == 2
    assert membership_revoke(user=user, unit=unit, role=Role.OFFICER) is True
    assert membership_revoke(user=user, unit=unit, role=Role.OFFICER) is False
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [Role.LEADER]


@pytest.mark.django_db
def test_membership_grant_refuses_bad_role_citizens_and_closed_units() -> None:
    unit = UnitFactory()
    with pytest.raises(ValidationFailed) as info:
        membership_grant(user=UserFactory(), unit=unit, role="boss")
    assert info.value.code == "invalid_role"
    with pytest.raises(ValidationFailed) as info:
        membership_grant(user=CitizenFactory(), unit=unit, role=Role.OFFICER)
    assert info.value.code == "not_staff"
    closed = UnitFactory(valid_to=D(2025, 6, 30))
    with (
        clock.frozen(dt.datetime(2025, 7, 1, 8, 0, tzinfo=clock.VN_TZ)),
        pytest.raises(ValidationFailed) as info,
    ):
        membership_grant(user=UserFactory(), unit=closed, role=Role.OFFICER)
    assert info.value.code == "unit_not_valid"
    assert not Membership.objects.exists()


_days = st.one_of(st.none(), st.integers(min_value=0, max_value=40))


def _period(start: int | None, length: int | None) -> tuple[D | None, D | None]:
    base = D(2025, 1, 1)
    begin = None if start is None else base + dt.timedelta(days=start)
    end = None if length is None else (begin or base) + dt.timedelta(days=length)
    return begin, end


@given(_days, _days, _days, _days)
def test_periods_overlap_matches_day_by_day_check(s1, l1, s2, l2) -> None:  # type: ignore[no-untyped-def]
    a, b = _period(s1, l1), _period(s2, l2)
    days = [D(2024, 12, 1) + dt.timedelta(days=n) for n in range(120)]

    def contains(p: tuple[D | None, D | None], day: D) -> bool:
        return (p[0] is None or p[0] <= day) and (p[1] is None or day <= p[1])

    expected = any(contains(a, day) and contains(b, day) for day in days)
    assert periods_overlap(*a, *b) == expected == periods_overlap(*b, *a)
    assert period_within(*a, *b) == (
        all(contains(b, day) for day in days if contains(a, day))
        and (b[0] is None or a[0] is not None)
        and (b[1] is None or a[1] is not None)
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_code_cannot_both_succeed() -> None:
    import threading

    from django.db import connection

    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def create(n: int) -> None:
        try:
            barrier.wait()
            unit_create(code="RACE", name=f"Xã {n}", level=Level.COMMUNE, valid_from=D(2025, 1, n + 1))
            outcomes.append("created")
        except ValidationFailed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "refused", "refused", "refused"]
    assert Unit.objects.filter(code="RACE").count() == 1
