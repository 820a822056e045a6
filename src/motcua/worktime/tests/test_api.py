"""``GET /api/v1/worktime/due``."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from motcua.worktime.constants import OverrideKind
from motcua.worktime.services import calendar_override_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/worktime/due"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_due_in_days(api: APIClient) -> None:
    response = api.get(URL, {"received": "2023-01-19T10:00", "limit": 3, "unit": "days"})
    assert response.status_code == 200
    assert response.json() == {"due": "2023-01-31T10:00:00+07:00"}


def test_due_with_an_offset_and_in_hours(api: APIClient) -> None:
    response = api.get(URL, {"received": "2023-03-13T10:00:00+00:00", "limit": 2, "unit": "hours"})
    # 10:00 UTC is 17:00 in Vietnam: the clock starts Tuesday 08:00.
    assert response.json() == {"due": "2023-03-14T10:00:00+07:00"}


def test_same_day_with_and_without_cutoff(api: APIClient) -> None:
    params = {"received": "2023-03-13T15:30", "limit": 0, "unit": "same_day"}
    assert api.get(URL, params).json() == {"due": "2023-03-14T17:00:00+07:00"}
    assert api.get(URL, {**params, "cutoff": "16:00"}).json() == {"due": "2023-03-13T17:00:00+07:00"}


def test_the_override_table_changes_the_answer(api: APIClient) -> None:
    params = {"received": "2023-03-13T10:00", "limit": 1, "unit": "days"}
    assert api.get(URL, params).json()["due"] == "2023-03-14T10:00:00+07:00"
    calendar_override_create(date=dt.date(2023, 3, 14), kind=OverrideKind.EXTRA_DAY_OFF, name="Nghỉ")
    assert api.get(URL, params).json()["due"] == "2023-03-15T10:00:00+07:00"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": 1, "unit": "days"}, "missing_received"),
        ({"received": "", "limit": 1, "unit": "days"}, "missing_received"),
        ({"received": "hôm qua", "limit": 1, "unit": "days"}, "invalid_received"),
        ({"received": "2023-02-30T10:00", "limit": 1, "unit": "days"}, "invalid_received"),
        ({"received": "1800-01-01T10:00", "limit": 1, "unit": "days"}, "invalid_received"),
        ({"received": "9999-12-31T23:59-10:00", "limit": 1, "unit": "days"}, "invalid_received"),
        ({"received": "2023-03-13T10:00", "unit": "days"}, "missing_limit"),
        ({"received": "2023-03-13T10:00", "limit": "ba", "unit": "days"}, "invalid_limit"),
        ({"received": "2023-03-13T10:00", "limit": "1.5", "unit": "days"}, "invalid_limit"),
        ({"received": "2023-03-13T10:00", "limit": 10**12, "unit": "days"}, "invalid_limit"),
        ({"received": "2023-03-13T10:00", "limit": -1, "unit": "days"}, "negative_limit"),
        ({"received": "2023-03-13T10:00", "limit": 1, "unit": "weeks"}, "invalid_unit"),
        ({"received": "2023-03-13T10:00", "limit": 1}, "invalid_unit"),
        ({"received": "2023-03-13T10:00", "limit": 2, "unit": "same_day"}, "invalid_limit"),
        (
            {"received": "2023-03-13T10:00", "limit": 0, "unit": "same_day", "cutoff": "25:00"},
            "invalid_cutoff",
        ),
    ],
)
def test_bad_input_is_a_400_with_a_stable_code(api: APIClient, params: dict[str, object], code: str) -> None:
    response = api.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["message"]


def test_the_schema_documents_the_endpoint(api: APIClient) -> None:
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    operation = response.json()["paths"]["/api/v1/worktime/due"]["get"]
    assert operation["operationId"] == "worktime_due"
    assert {p["name"] for p in operation["parameters"]} == {"received", "limit", "unit", "cutoff"}
