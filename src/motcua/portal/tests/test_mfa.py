"""Staff second factor (issue 17, item 2): TOTP after the password, enrolment with a QR code, recovery codes.

Codes are real RFC 6238 codes computed by pyotp from the device's secret, as a phone would.
"""

from __future__ import annotations

import base64

import pyotp
import pytest
from django.test import Client, override_settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.audit.models import AuditEntry
from motcua.dossiers.tests.factories import UnitFactory, staff
from motcua.organisations.constants import Role

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-dung-1"


def _user(role: str) -> object:
    user = staff(UnitFactory(), role)
    user.set_password(PASSWORD)
    user.save()
    return user


def _code(device: TOTPDevice) -> str:
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode()).now()


def _login(client: Client, user: object) -> None:
    response = client.post("/dang-nhap/", {"username": user.username, "password": PASSWORD})  # type: ignore[attr-defined]
    assert response.status_code == 302, response.content[:300]


def _device(user: object) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_a_password_alone_does_not_open_the_back_office_once_a_device_exists(client: Client) -> None:
    officer = _user(Role.OFFICER)
    device = _device(officer)
    _login(client, officer)
    response = client.get("/can-bo/")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/xac-thuc/?next=/can-bo/"
    assert client.get("/api/v1/dossiers/").json()["code"] == "mfa_required"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Mã xác thực" in page.content.decode()
    wrong = client.post("/dang-nhap/xac-thuc/", {"code": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "không đúng" in wrong.content.decode()
    assert client.get("/can-bo/").status_code == 302
    right = client.post("/dang-nhap/xac-thuc/", {"code": _code(device), "next": "/can-bo/"})
    assert (right.status_code, right["Location"]) == (302, "/can-bo/")
    assert client.get("/can-bo/").status_code == 200
    assert client.get("/api/v1/dossiers/").status_code == 200


def test_wrong_codes_are_throttled(client: Client) -> None:
    officer = _user(Role.OFFICER)
    device = _device(officer)
    _login(client, officer)
    client.post("/dang-nhap/xac-thuc/", {"code": "12345"})  # wrong (5 digits): the device now waits
    response = client.post("/dang-nhap/xac-thuc/", {"code": _code(device)})
    assert response.status_code == 200  # even the right code is refused while throttled
    assert client.get("/can-bo/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1


@override_settings(MOTCUA_STAFF_MFA_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_a_leader_must_enrol_and_gets_recovery_codes(client: Client) -> None:
    leader = _user(Role.LEADER)
    _login(client, leader)
    response = client.get("/can-bo/")
    assert response["Location"] == "/dang-nhap/thiet-lap-xac-thuc/?next=/can-bo/"
    page = client.get(response["Location"]).content.decode()
    assert 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(user=leader, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret[:4] in page
    assert client.get("/dang-nhap/thiet-lap-xac-thuc/").status_code == 200  # the same device, not a new one
    assert TOTPDevice.objects.filter(user=leader).count() == 1
    done = client.post("/dang-nhap/thiet-lap-xac-thuc/", {"code": _code(device), "next": "/can-bo/"})
    assert done.status_code == 200
    codes = [t.token for t in StaticToken.objects.filter(device__user=leader)]
    assert len(codes) == 10
    assert all(code in done.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/can-bo/").status_code == 200
    assert AuditEntry.objects.filter(action="mfa.enrolled", object_id=str(leader.pk)).exists()

    # A new session: a recovery code works once.
    again = Client()
    _login(again, leader)
    assert again.get("/can-bo/").status_code == 302
    assert again.post("/dang-nhap/xac-thuc/", {"code": codes[0]}).status_code == 302
    assert again.get("/can-bo/").status_code == 200
    third = Client()
    _login(third, leader)
    assert third.post("/dang-nhap/xac-thuc/", {"code": codes[0]}).status_code == 200  # used up
    assert StaticToken.objects.filter(device__user=leader).count() == 9


@override_settings(MOTCUA_STAFF_MFA_REQUIRED=False)
def test_in_the_sandbox_it_is_optional(client: Client) -> None:
    leader = _user(Role.LEADER)
    _login(client, leader)
    assert client.get("/can-bo/").status_code == 200
    assert client.get("/dang-nhap/thiet-lap-xac-thuc/").status_code == 200  # may enrol anyway


@override_settings(MOTCUA_STAFF_MFA_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_the_admin_login_asks_for_the_code_too(client: Client) -> None:
    admin = _user(Role.ADMINISTRATOR)
    admin.is_staff = admin.is_superuser = True  # type: ignore[attr-defined]
    admin.save()  # type: ignore[attr-defined]
    device = _device(admin)
    response = client.post(
        "/quan-tri/login/", {"username": admin.username, "password": PASSWORD, "next": "/quan-tri/"}
    )  # type: ignore[attr-defined]
    assert response.status_code == 302
    step = client.get("/quan-tri/")
    assert step["Location"] == "/dang-nhap/xac-thuc/?next=/quan-tri/"
    assert (
        client.post("/dang-nhap/xac-thuc/", {"code": _code(device), "next": "/quan-tri/"})["Location"]
        == "/quan-tri/"
    )
    assert client.get("/quan-tri/").status_code == 200
    # An administrator resets a user's second factor by deleting the devices in the admin (OTP section).
    assert client.get("/quan-tri/otp_totp/totpdevice/").status_code == 200
    assert StaticDevice.objects.count() == 0
