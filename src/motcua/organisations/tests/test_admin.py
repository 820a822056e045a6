from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.tests.factories import UserFactory
from motcua.organisations.constants import Role
from motcua.organisations.models import Unit
from motcua.organisations.tests.factories import MembershipFactory


@pytest.fixture
def admin_client_vi(db: None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_unit_changelist_filters_and_search(
    admin_client_vi: Client, demo_units: int, today_2026: dt.date, django_assert_max_num_queries
) -> None:
    url = reverse("admin:organisations_unit_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client_vi.get(url, {"level__exact": "district"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 9
    current = admin_client_vi.get(url, {"validity": "current", "level__exact": "commune"})
    assert current.context["cl"].result_count == 148
    past = admin_client_vi.get(url, {"validity": "past", "level__exact": "commune"})
    assert past.context["cl"].result_count == 121
    found = admin_client_vi.get(url, {"q": "vinh yen"})
    assert {u.name for u in found.context["cl"].result_list} >= {"Phường Vĩnh Yên", "Thành phố Vĩnh Yên"}
    assert "Đang hiệu lực" in response.content.decode()


def test_parent_autocomplete(admin_client_vi: Client, demo_units: int) -> None:
    response = admin_client_vi.get(
        reverse("admin:autocomplete"),
        {"app_label": "organisations", "model_name": "unit", "field_name": "parent", "term": "phu tho"},
    )
    assert response.status_code == 200
    assert "Tỉnh Phú Thọ (25)" in [r["text"] for r in response.json()["results"]]


def test_unit_add_form_refuses_overlap(admin_client_vi: Client, demo_units: int) -> None:
    response = admin_client_vi.post(
        reverse("admin:organisations_unit_add"),
        {"code": "8707", "name": "Phường Mới", "level": "commune", "valid_from": "2025-06-01"},
    )
    assert response.status_code == 200
    assert "không được trùng nhau" in response.content.decode()
    assert Unit.objects.filter(code="8707").count() == 2


def test_membership_admin_and_user_inline(admin_client_vi: Client, db: None) -> None:
    membership = MembershipFactory(role=Role.LEADER)
    assert admin_client_vi.get(reverse("admin:organisations_membership_changelist")).status_code == 200
    assert admin_client_vi.get(reverse("admin:organisations_unitsuccession_changelist")).status_code == 200
    page = admin_client_vi.get(reverse("admin:accounts_user_change", args=[membership.user.pk]))
    assert page.status_code == 200
    assert "vai trò trong các đơn vị" in page.content.decode().lower()
