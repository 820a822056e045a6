"""Staff login, logout and the staff home page."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.organisations.constants import Level, Role
from motcua.organisations.models import Membership, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> User:
    user = User.objects.create_user(username="officer-8707", password="demo", full_name="Nguyễn Thị Hoa")
    ward = Unit.objects.create(code="8707", name="Phường Vĩnh Yên", level=Level.COMMUNE)
    centre = Unit.objects.create(
        code="25-TTPVHCC", name="Trung tâm Phục vụ hành chính công", level=Level.CENTRE
    )
    Membership.objects.create(user=user, unit=ward, role=Role.OFFICER)
    Membership.objects.create(user=user, unit=centre, role=Role.SPECIALIST)
    return user


def test_anonymous_users_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get("/can-bo/")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/can-bo/"


def test_login_page_is_vietnamese(client: Client) -> None:
    html = client.get("/dang-nhap/?next=/can-bo/").content.decode()
    assert "Đăng nhập cán bộ" in html
    assert 'name="next" value="/can-bo/"' in html
    assert 'autocomplete="current-password"' in html


def test_wrong_password_shows_an_error_and_stays_logged_out(client: Client, officer: User) -> None:
    response = client.post("/dang-nhap/", {"username": "officer-8707", "password": "wrong"})
    assert response.status_code == 200
    assert 'class="usa-alert usa-alert--error' in response.content.decode()
    assert client.get("/can-bo/").status_code == 302


def test_login_home_logout_flow(client: Client, officer: User, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/dang-nhap/", {"username": "officer-8707", "password": "demo", "next": "/can-bo/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/"

    # Session, user, roles, visible units, the working calendar's freshness check (and its rebuild when cold),
    # one aggregate for every queue's count, the memberships table.
    with django_assert_max_num_queries(8):
        home = client.get("/can-bo/")
    html = home.content.decode()
    assert home.status_code == 200
    assert "Xin chào, Nguyễn Thị Hoa" in html
    assert "Phường Vĩnh Yên" in html
    assert "Cán bộ một cửa" in html
    assert "Trung tâm Phục vụ hành chính công" in html
    assert "Chuyên viên xử lý" in html
    assert "Hồ sơ trực tuyến chờ kiểm tra" in html  # an officer's queue
    assert 'href="/can-bo/tiep-nhan/"' in html
    assert "Đăng xuất" in html

    # Logout is POST only.
    assert client.get("/dang-xuat/").status_code == 405
    response = client.post("/dang-xuat/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/can-bo/").status_code == 302


def test_logged_in_user_visiting_login_goes_to_the_desk(client: Client, officer: User) -> None:
    client.force_login(officer)
    response = client.get("/dang-nhap/")
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/"


def test_user_without_units_sees_an_explanation(client: Client) -> None:
    user = User.objects.create_user(username="nobody", password="x")
    client.force_login(user)
    html = client.get("/can-bo/").content.decode()
    assert "chưa được phân công vào đơn vị nào" in html
