"""Issue 11: outside systems act on dossiers as named system actors (``system:vnpay``), never as an officer."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.test import Client

from motcua.accounts.access import is_staff_account
from motcua.accounts.models import AccountKind, User
from motcua.accounts.services import api_token_get_or_create, system_actor
from motcua.audit.models import AuditEntry
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.dossiers.constants import SYSTEM, Action, Status
from motcua.dossiers.lifecycle import TRANSITIONS, actions_for, actor_roles, dossier_transition
from motcua.dossiers.models import DossierEvent

from .conftest import World
from .factories import dossier_in

pytestmark = pytest.mark.django_db


def test_system_actor_is_created_once_and_cannot_log_in(client: Client) -> None:
    vnpay = system_actor("vnpay", label="Cổng thanh toán VNPay")
    assert system_actor("vnpay") == vnpay
    assert User.objects.filter(username="system:vnpay").count() == 1
    assert (vnpay.kind, vnpay.is_active, vnpay.has_usable_password()) == (AccountKind.SYSTEM, False, False)
    assert vnpay.is_system
    assert str(vnpay) == "Cổng thanh toán VNPay (system:vnpay)"
    assert not is_staff_account(vnpay)
    assert not client.login(username="system:vnpay", password="")
    response = client.post("/dang-nhap/", {"username": "system:vnpay", "password": "x"})
    assert response.status_code == 200  # the login form again, with its error
    assert "_auth_user_id" not in client.session
    with pytest.raises(ValidationFailed):  # no API token for it either
        api_token_get_or_create(username="system:vnpay")


@pytest.mark.parametrize("name", ["", "VNPay", "vn pay", "system:vnpay", "../x", "x" * 64])
def test_system_names_are_plain_identifiers(name: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        system_actor(name)
    assert caught.value.code == "invalid_system_name"


def test_a_persons_account_is_never_taken_for_a_system(world: World) -> None:
    User.objects.create_user(username="system:dvcqg", password="mật khẩu dài 123")
    with pytest.raises(ValidationFailed) as caught:
        system_actor("dvcqg")
    assert caught.value.code == "not_a_system_account"


def test_a_system_actor_confirms_a_payment_under_its_own_name(world: World, frozen: dt.datetime) -> None:
    dossier = dossier_in(Status.AWAITING_PAYMENT, version=world.version, unit=world.unit_a)
    vnpay = system_actor("vnpay", label="Cổng thanh toán VNPay")
    assert actor_roles(dossier, vnpay) == {SYSTEM, "system:vnpay"}
    assert actions_for(dossier, vnpay) == [Action.PAYMENT_RECEIVED]
    dossier = dossier_transition(
        dossier=dossier, action=Action.PAYMENT_RECEIVED, actor=vnpay, note="Giao dịch VNPay 14012345"
    )
    assert dossier.status == Status.PROCESSING
    event = DossierEvent.objects.get(dossier=dossier)
    assert event.actor == vnpay
    assert event.actor.username == "system:vnpay"
    entry = AuditEntry.objects.get(action="dossier.payment-received", object_id=str(dossier.pk))
    assert entry.actor == vnpay
    assert "system:vnpay" in entry.actor_repr


@pytest.mark.parametrize(
    ("action", "source"),
    [(a, sorted(t.sources)[0]) for a, t in TRANSITIONS.items() if SYSTEM not in t.roles],
)
def test_a_system_actor_cannot_do_what_the_table_keeps_for_people(
    world: World, frozen: dt.datetime, action: str, source: str
) -> None:
    dossier = dossier_in(source, version=world.version, unit=world.unit_a)
    robot = system_actor("robot")  # a system no row of the table names (the national portal's may submit)
    assert action not in actions_for(dossier, robot)
    with pytest.raises(PermissionDenied):
        dossier_transition(dossier=dossier, action=action, actor=robot, note="x", result="x")
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version) == (source, 1)
    assert not DossierEvent.objects.filter(dossier=dossier).exists()


def test_system_role_is_in_the_table_where_systems_act() -> None:
    assert [a for a, t in TRANSITIONS.items() if SYSTEM in t.roles] == [Action.PAYMENT_RECEIVED]


def test_a_row_can_name_one_system(
    world: World, frozen: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row naming ``system_role("dvcqg")`` lets the national portal's actor act, and no other system."""
    from motcua.dossiers import lifecycle
    from motcua.dossiers.constants import system_role

    only_dvcqg = dataclasses.replace(
        TRANSITIONS[Action.SUPPLEMENT_RECEIVED], roles=frozenset({system_role("dvcqg")})
    )
    monkeypatch.setitem(lifecycle.TRANSITIONS, Action.SUPPLEMENT_RECEIVED, only_dvcqg)
    dossier = dossier_in(Status.AWAITING_SUPPLEMENT, version=world.version, unit=world.unit_a)
    with pytest.raises(PermissionDenied):
        dossier_transition(dossier=dossier, action=Action.SUPPLEMENT_RECEIVED, actor=system_actor("vnpay"))
    dossier = dossier_transition(
        dossier=dossier, action=Action.SUPPLEMENT_RECEIVED, actor=system_actor("dvcqg")
    )
    assert dossier.status == Status.PROCESSING
    assert DossierEvent.objects.get(dossier=dossier).actor.username == "system:dvcqg"
