"""Staff sessions are short and end when idle; pages with personal data are never cached (issue 17).

Staff sessions used to last Django's default 14 days, and the back-office dossier pages, the citizen's "Hồ sơ
của tôi" and the API dossier answers carried no ``Cache-Control``: a shared browser or proxy could keep them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from motcua.accounts.tests.factories import CitizenFactory
from motcua.core import clock
from motcua.dossiers.constants import Status
from motcua.dossiers.tests.conftest import World, world  # noqa: F401
from motcua.dossiers.tests.factories import dossier_in

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=clock.VN_TZ)


def _login(world: World) -> Client:  # noqa: F811
    world.officer_a.set_password("mat-khau-dung-1")
    world.officer_a.save()
    client = Client()
    response = client.post(
        "/dang-nhap/", {"username": world.officer_a.username, "password": "mat-khau-dung-1"}
    )
    assert response.status_code == 302, response.content[:300]
    return client


def test_a_staff_session_lasts_the_configured_hours_not_14_days(world: World) -> None:  # noqa: F811
    assert settings.MOTCUA_STAFF_SESSION_SECONDS == 8 * 3600
    with clock.frozen(T0):
        client = _login(world)
        assert client.session.get_expiry_age() <= 8 * 3600
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert 0 < int(cookie["max-age"]) <= 8 * 3600


@override_settings(MOTCUA_STAFF_IDLE_SECONDS=1800)
def test_an_idle_staff_session_ends(world: World) -> None:  # noqa: F811
    with clock.frozen(T0):
        client = _login(world)
        assert client.get("/can-bo/").status_code == 200
    with clock.frozen(T0 + dt.timedelta(minutes=20)):
        assert client.get("/can-bo/").status_code == 200  # active: the clock restarts
    with clock.frozen(T0 + dt.timedelta(minutes=45)):
        assert client.get("/can-bo/").status_code == 200
    with clock.frozen(T0 + dt.timedelta(minutes=45, seconds=1801)):
        response = client.get("/can-bo/")
        assert response.status_code == 302
        assert response["Location"].startswith(settings.LOGIN_URL)


@override_settings(MOTCUA_STAFF_SESSION_SECONDS=3600, MOTCUA_STAFF_IDLE_SECONDS=100000)
def test_a_staff_session_ends_after_its_lifetime_even_when_active(world: World) -> None:  # noqa: F811
    with clock.frozen(T0):
        client = _login(world)
    for minutes in (20, 40, 59):
        with clock.frozen(T0 + dt.timedelta(minutes=minutes)):
            assert client.get("/can-bo/").status_code == 200
    with clock.frozen(T0 + dt.timedelta(minutes=61)):
        assert client.get("/can-bo/").status_code == 302


def _no_store(response: object) -> bool:
    return "no-store" in response.get("Cache-Control", "")  # type: ignore[attr-defined]


def test_pages_with_personal_data_are_not_stored(world: World) -> None:  # noqa: F811
    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    staff = Client()
    staff.force_login(world.officer_a)
    for url in (
        "/can-bo/",
        f"/can-bo/ho-so/{dossier.code}/",
        "/can-bo/hang-doi/dang-xu-ly/",
        "/api/v1/dossiers/",
    ):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url
    token = Token.objects.create(user=world.officer_a)
    response = Client().get(f"/api/v1/dossiers/{dossier.code}/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert _no_store(response)

    citizen = Client()
    citizen.force_login(CitizenFactory())
    response = citizen.get("/ho-so-cua-toi/")
    assert response.status_code == 200
    assert _no_store(response)


def test_public_pages_stay_cacheable() -> None:
    response = Client().get("/tra-cuu/")
    assert response.status_code == 200
    assert not _no_store(response)
