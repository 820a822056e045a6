"""``GET /api/v1/reports/monthly``: authentication, scoping by role and unit, error codes."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from motcua.accounts.models import User
from motcua.accounts.services import api_token_get_or_create
from motcua.accounts.tests.factories import UserFactory
from motcua.dossiers.legacy_import import legacy_dossiers_import
from motcua.organisations.constants import Role
from motcua.organisations.models import Membership
from motcua.organisations.selectors import unit_by_code

from .conftest import SAMPLE

URL = "/api/v1/reports/monthly"
MARCH = {"from": "2023-03-01", "to": "2023-03-31"}


@pytest.fixture
def sample(demo: None) -> None:
    legacy_dossiers_import(path=SAMPLE)


def _user(unit_code: str | None, role: str, **extra: Any) -> User:
    user: User = UserFactory(**extra)
    if unit_code:
        unit = unit_by_code(unit_code, as_of=__import__("datetime").date(2023, 3, 31))
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def _client(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_get_or_create(username=user.username).key}")
    return client


def test_anonymous_is_refused(sample: None) -> None:
    response = APIClient().get(URL, {**MARCH, "unit": "26"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_statistician_of_the_province_gets_the_same_json_as_the_selector(sample: None) -> None:
    import datetime as dt

    from motcua.reports.selectors import monthly_report

    client = _client(_user("26", Role.STATISTICIAN))
    response = client.get(URL, {**MARCH, "unit": "26", "by": "level"})
    assert response.status_code == 200, response.json()
    expected = monthly_report(
        date_from=dt.date(2023, 3, 1), date_to=dt.date(2023, 3, 31), unit_code="26", by="level"
    )
    assert response.json() == expected
    assert response.json()["totals"]["on_time_rate"] == 0.6667  # 4 of 6 (LG-006, refused, is not counted)


@pytest.mark.parametrize(
    ("member_of", "role", "unit", "status"),
    [
        ("26", Role.LEADER, "243", 200),  # leader of a unit above
        ("243", Role.LEADER, "243", 200),
        ("243", Role.ADMINISTRATOR, "8707", 200),
        ("243", Role.STATISTICIAN, "8707", 200),
        ("243", Role.STATISTICIAN, "26", 403),  # not above
        ("8707", Role.LEADER, "243", 403),
        ("243", Role.OFFICER, "243", 403),  # officers do not read statistics
        ("243", Role.SPECIALIST, "8707", 403),
        ("243", Role.STATISTICIAN, None, 403),  # the whole tree needs a role at the top
        ("26", Role.STATISTICIAN, None, 200),
    ],
)
def test_scoping(sample: None, member_of: str, role: str, unit: str | None, status: int) -> None:
    client = _client(_user(member_of, role))
    response = client.get(URL, {**MARCH, **({"unit": unit} if unit else {})})
    assert response.status_code == status, response.json()
    if status == 403:
        assert response.json()["code"] == "permission_denied"


def test_superuser_and_session_auth(sample: None) -> None:
    admin = _user(None, "", is_superuser=True)
    client = APIClient()
    client.force_login(admin)
    response = client.get(URL, MARCH)
    assert response.status_code == 200
    assert response.json()["totals"]["received"]["total"] == 9


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"to": "2023-03-31"}, 400, "missing_from"),
        ({"from": "2023-03-01"}, 400, "missing_to"),
        ({"from": "2023-02-30", "to": "2023-03-31"}, 400, "invalid_date"),
        ({"from": "yesterday", "to": "2023-03-31"}, 400, "invalid_date"),
        ({"from": "2023-03-31", "to": "2023-03-01"}, 400, "invalid_period"),
        ({**MARCH, "by": "sector"}, 400, "invalid_by"),
        ({**MARCH, "unit": "x" * 40}, 400, "invalid_unit"),
        ({**MARCH, "unit": "nope"}, 404, "unit_not_found"),
        ({**MARCH, "unit": "\x00"}, 400, "malformed_request"),  # refused before the view (core.middleware)
    ],
)
def test_errors(demo: None, params: dict[str, str], status: int, code: str) -> None:
    client = _client(_user(None, "", is_superuser=True))
    response = client.get(URL, params)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code


def test_schema_lists_the_endpoint(db: None) -> None:
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/reports/monthly" in response.json()["paths"]
