from __future__ import annotations

import pytest
import rules
from django.contrib.auth.models import AnonymousUser

from motcua.accounts.tests.factories import UserFactory
from motcua.organisations import rules as org_rules
from motcua.organisations.constants import Level, Role
from motcua.organisations.models import Unit
from motcua.organisations.services import membership_grant, membership_revoke
from motcua.organisations.tests.factories import MembershipFactory, UnitFactory

VIEW = "organisations.view_unit_dossiers"
ACT = "organisations.act_on_unit_dossiers"


@pytest.fixture
def tree(db: None) -> dict[str, Unit]:
    province = UnitFactory(code="P", level=Level.PROVINCE)
    district = UnitFactory(code="D", level=Level.DISTRICT, parent=province)
    return {
        "P": province,
        "D": district,
        "C1": UnitFactory(code="C1", parent=district),
        "C2": UnitFactory(code="C2", parent=province),
        "S": UnitFactory(code="P-STP", level=Level.DEPARTMENT, parent=province),
    }


def _user_with(unit: Unit, role: str):  # type: ignore[no-untyped-def]
    user = MembershipFactory(unit=unit, role=role).user
    return type(user).objects.get(pk=user.pk)  # fresh object: no cached roles


@pytest.mark.parametrize(
    ("role", "predicate"),
    [
        (Role.OFFICER, org_rules.is_officer_of_unit),
        (Role.SPECIALIST, org_rules.is_specialist_of_unit),
        (Role.LEADER, org_rules.is_leader_of_unit),
    ],
)
def test_role_predicates_hold_only_in_the_unit(tree: dict[str, Unit], role: str, predicate) -> None:  # type: ignore[no-untyped-def]
    user = _user_with(tree["C1"], role)
    assert predicate(user, tree["C1"])
    assert not predicate(user, tree["C2"])
    assert not predicate(user, tree["D"])
    assert not predicate(user, None)
    assert user.has_perm(VIEW, tree["C1"])
    assert user.has_perm(ACT, tree["C1"])
    assert not user.has_perm(VIEW, tree["C2"])
    assert not user.has_perm(ACT, tree["C2"])
    assert org_rules.has_role_in(tree["C1"], role)(user)
    assert not org_rules.has_role_in(tree["C2"], role)(user)


def test_leaders_above_see_but_do_not_act(tree: dict[str, Unit]) -> None:
    leader = _user_with(tree["P"], Role.LEADER)
    for code in ("C1", "C2", "D", "S"):
        assert org_rules.is_leader_above_unit(leader, tree[code])
        assert leader.has_perm(VIEW, tree[code])
        assert not leader.has_perm(ACT, tree[code])
    assert leader.has_perm(ACT, tree["P"])
    assert not org_rules.is_leader_above_unit(leader, tree["P"])

    district_leader = _user_with(tree["D"], Role.LEADER)
    assert district_leader.has_perm(VIEW, tree["C1"])
    assert not district_leader.has_perm(VIEW, tree["C2"])  # a sibling branch
    assert not district_leader.has_perm(VIEW, tree["P"])  # nothing above

    officer_above = _user_with(tree["P"], Role.OFFICER)  # only leaders see below
    assert not officer_above.has_perm(VIEW, tree["C1"])


def test_administrator_and_statistician_cover_their_unit_and_below(tree: dict[str, Unit]) -> None:
    admin = _user_with(tree["D"], Role.ADMINISTRATOR)
    assert admin.has_perm("organisations.manage_unit", tree["C1"])
    assert not admin.has_perm("organisations.manage_unit", tree["C2"])
    assert org_rules.is_unit_administrator(admin, None)
    assert not admin.has_perm(ACT, tree["D"])  # an administrator does not handle dossiers

    statistician = _user_with(tree["P"], Role.STATISTICIAN)
    assert org_rules.is_statistician(statistician, None)
    assert statistician.has_perm("organisations.view_unit_statistics", tree["C1"])
    assert not statistician.has_perm(ACT, tree["P"])
    assert not org_rules.is_statistician(admin, tree["C1"])


def test_task_specific_permissions(tree: dict[str, Unit]) -> None:
    officer = _user_with(tree["C1"], Role.OFFICER)
    specialist = _user_with(tree["C1"], Role.SPECIALIST)
    leader = _user_with(tree["C1"], Role.LEADER)
    assert officer.has_perm("organisations.receive_unit_dossiers", tree["C1"])
    assert not officer.has_perm("organisations.decide_unit_dossiers", tree["C1"])
    assert specialist.has_perm("organisations.process_unit_dossiers", tree["C1"])
    assert not specialist.has_perm("organisations.receive_unit_dossiers", tree["C1"])
    assert leader.has_perm("organisations.decide_unit_dossiers", tree["C1"])


def test_superuser_and_anonymous(tree: dict[str, Unit]) -> None:
    superuser = UserFactory(is_superuser=True)
    assert superuser.has_perm(ACT, tree["C1"])
    anonymous = AnonymousUser()
    assert not rules.has_perm(VIEW, anonymous, tree["C1"])
    assert not org_rules.is_officer_of_unit(anonymous, tree["C1"])
    assert not org_rules.is_leader_above_unit(anonymous, tree["C1"])
    assert not org_rules.is_statistician(anonymous, None)
    nobody = UserFactory()
    assert not nobody.has_perm(VIEW, tree["C1"])


def test_grant_and_revoke_take_effect_on_the_same_user_object(tree: dict[str, Unit]) -> None:
    user = UserFactory()
    assert not user.has_perm(ACT, tree["C1"])
    membership_grant(user=user, unit=tree["C1"], role=Role.OFFICER)
    assert user.has_perm(ACT, tree["C1"])
    membership_revoke(user=user, unit=tree["C1"], role=Role.OFFICER)
    assert not user.has_perm(ACT, tree["C1"])


def test_permission_checks_reuse_cached_roles(tree: dict[str, Unit], django_assert_max_num_queries) -> None:
    leader = _user_with(tree["P"], Role.LEADER)
    units = list(Unit.objects.all())
    with django_assert_max_num_queries(1 + 2 * len(units)):
        for unit in units:
            leader.has_perm(VIEW, unit)
            leader.has_perm(ACT, unit)
    with django_assert_max_num_queries(0):
        for unit in units:
            leader.has_perm(VIEW, unit)


@pytest.mark.django_db(
    transaction=True
)  # committed grants: an open transaction that wrote reads around the cache
def test_roles_are_read_once_per_process_and_a_change_applies_at_once(
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    from motcua.organisations.selectors import user_roles_by_unit

    unit = UnitFactory(code="C9")
    user = MembershipFactory(unit=unit, role=Role.OFFICER).user

    def fresh():  # type: ignore[no-untyped-def]  # the user as a new request loads it
        return type(user).objects.get(pk=user.pk)

    users = [fresh() for _ in range(5)]
    with django_assert_num_queries(1):
        assert user_roles_by_unit(users[0]) == {unit.pk: frozenset({Role.OFFICER})}
    with django_assert_num_queries(0):
        assert user_roles_by_unit(users[1]) == {unit.pk: frozenset({Role.OFFICER})}
    membership_grant(user=user, unit=unit, role=Role.LEADER)
    with django_assert_num_queries(1):
        assert user_roles_by_unit(users[2]) == {unit.pk: frozenset({Role.OFFICER, Role.LEADER})}
    membership_revoke(user=user, unit=unit, role=Role.OFFICER)
    membership_revoke(user=user, unit=unit, role=Role.LEADER)
    with django_assert_num_queries(1):
        assert user_roles_by_unit(users[3]) == {}
    with django_assert_num_queries(0):
        assert user_roles_by_unit(users[4]) == {}
